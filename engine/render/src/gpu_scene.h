#pragma once
// The scene on the GPU: ground chunks with vertex and index buffers of their own, building chunks
// packed into one shared vertex buffer and one shared index buffer (so that the GPU can draw any
// set of them with one indirect draw per layer), the site markers, the per-building style buffer
// of each frame in flight, the staging copies not recorded yet, and the deferred release queue (a
// replaced buffer lives until every frame that may use it has finished). An edit re-uploads only
// its chunks: a building chunk's new mesh goes to unused space at the end of the shared buffers,
// and when that runs out every building chunk is packed again into larger ones. The passes read
// its draw lists and chunk records; none of them owns geometry.
#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <thread>
#include <utility>
#include <vector>

#include <glm/vec2.hpp>

#include "building_clusters.h"
#include "context.h"
#include "frame.h"
#include "gpu_types.h"
#include "parktwin/render/renderer.h"
#include "vk_util.h"

namespace parktwin::render {

enum class DrawKind : uint8_t { Fill, Lines, Buildings, Edges, Markers };

/// One draw of a chunk: which buffers and ranges, where its origin is, and its bounds for culling.
struct DrawItem {
  DrawKind kind;
  uint32_t layer;
  glm::dvec2 origin;
  glm::dvec2 bmin, bmax;
  double zmax;
  uint32_t first, count;
  int32_t vertex_offset;
  VkBuffer vb = VK_NULL_HANDLE, ib = VK_NULL_HANDLE;  ///< owned by the GpuScene
  uint32_t record = 0;  ///< buildings, edges: the chunk's index in building_records() (its instance)
  bool blocks = false;  ///< buildings: a dropped chunk's blocks (scene::BuildingChunk::blocks), never picked
};

/// The building chunks of one scene layer: a run of building_records().
struct BuildingLayerSpan {
  uint32_t layer;  ///< index in Scene::layers
  uint32_t first, count;
};

/// Runs a one-time command buffer and waits for it.
using SubmitNow = std::function<void(const std::function<void(VkCommandBuffer)>&)>;

class GpuScene {
 public:
  /// `frames_started` counts the frames begun so far (the renderer's frame counter): what a buffer
  /// retired now must wait for.
  GpuScene(Context& ctx, SubmitNow submit, const uint32_t& frames_started);
  GpuScene(const GpuScene&) = delete;
  GpuScene& operator=(const GpuScene&) = delete;

  /// Uploads every layer's chunks and markers (the GPU must be idle).
  void upload(const scene::Scene& scene, RenderStats& stats);
  /// Uploads the chunks whose revision changed; false when the layers themselves changed (the
  /// caller uploads everything again).
  bool update(const scene::Scene& scene, RenderStats& stats);

  /// Buffers the CPU writes go straight into device memory it maps (a CPU device, an integrated
  /// GPU); false on a discrete GPU (and with PARKTWIN_STAGING_UPLOADS=1): they go through staging
  /// copies, and what shaders read stays in device-local memory.
  bool direct_uploads() const { return direct_uploads_; }
  /// A device buffer holding `bytes` of `data`, waiting for the copy where memory is not shared.
  vk::Buffer make_static_buffer(const void* data, size_t bytes, VkBufferUsageFlags usage);
  /// Records the queued staging copies (before the render pass) and retires their staging buffers.
  void record_pending_copies(VkCommandBuffer cmd);
  /// Destroys retired buffers no frame can still use (every frame before `frames_done` finished).
  void collect_retired(uint64_t frames_done);

  /// Writes the snapshot's building styles into frame slot `slot`'s style buffer when they changed:
  /// only the blocks the slot does not hold yet.
  /// Returns the number of blocks written.
  uint32_t sync_styles(uint32_t slot, const scene::FrameSnapshot& f);
  /// The set (binding 0: BuildingStyle[]) of slot `slot`, and its layout.
  VkDescriptorSet styles_set(uint32_t slot) const { return styles_[slot].set; }
  VkDescriptorSetLayout styles_layout() const { return styles_layout_.vk(); }

  // Draw lists in draw order: ground (per layer fills, then outlines), building faces, building
  // edges, markers.
  const std::vector<DrawItem>& ground_draws() const { return ground_draws_; }
  const std::vector<DrawItem>& building_draws() const { return building_draws_; }
  const std::vector<DrawItem>& edge_draws() const { return edge_draws_; }
  const std::vector<DrawItem>& marker_draws() const { return marker_draws_; }
  size_t layer_count() const { return layers_.size(); }

  // Building clusters for GPU culling: one record per cluster of each non-empty chunk, in draw
  // order, grouped by layer; rebuilt (and the revision raised) whenever building geometry changes.
  const std::vector<BuildingChunkGpu>& building_records() const { return building_records_; }
  const std::vector<BuildingLayerSpan>& building_layers() const { return building_layers_; }
  uint64_t buildings_revision() const { return buildings_revision_; }
  VkBuffer building_vertices() const { return building_vb_.vk(); }
  VkBuffer building_indices() const { return building_ib_.vk(); }

 private:
  /// One scene chunk on the GPU: its buffers, the chunk revision they hold, and its draws.
  struct Chunk {
    vk::Buffer vb, ib;
    uint64_t revision = 0;
    std::vector<DrawItem> draws;
  };
  /// One level of a building chunk in the shared buffers (0: the full mesh, then its levels of
  /// detail): its vertices as they are, its indices in cluster order (building_clusters.h).
  struct BuildingLevel {
    uint32_t vertex_base = 0, index_base = 0;
    uint32_t vertex_count = 0, index_count = 0;  ///< its room in the shared buffers
    std::vector<BuildingCluster> clusters;  ///< cluster i of every level holds the same buildings
    float error_m = 0.0f;                   ///< gis::BuildingLod::error_m (0 for the full mesh)
  };
  /// A building chunk on the GPU: one building record per cluster of its full mesh, each pointing
  /// at the same cluster of its levels of detail.
  struct BuildingChunk {
    uint64_t revision = 0, lods_revision = 0;
    glm::dvec2 origin{0.0};
    double zmax = 0.0;
    bool blocks = false;  ///< levels[0] is the chunk's blocks (its meshes were dropped)
    /// Not drawn: the shared buffers at the device's largest size had no room left for it.
    bool no_room = false;
    std::vector<BuildingLevel> levels;  ///< empty when the chunk has no mesh
  };
  struct Layer {
    std::vector<Chunk> ground;
    std::vector<BuildingChunk> buildings;
  };
  struct Styles {
    vk::Buffer buffer;
    uint64_t revision = 0;
    /// The blocks the buffer holds (kept alive, so a pointer compare is a content compare).
    std::vector<std::shared_ptr<const scene::StyleBlocks::Block>> held;
    VkDescriptorSet set = VK_NULL_HANDLE;
  };
  struct Retired {
    uint64_t after;  ///< frames started when retired: free once every frame before it has finished
    vk::Buffer buffer;
  };
  struct PendingCopy {
    vk::Buffer staging;
    VkBuffer dst;
    VkDeviceSize dst_offset, bytes;
  };

  /// A device buffer holding `parts` (pointer, size pairs, concatenated): written directly where
  /// memory is shared, else through a staging copy queued for the next command buffer.
  vk::Buffer make_mesh_buffer(std::initializer_list<std::pair<const void*, size_t>> parts, VkBufferUsageFlags usage);
  void upload_ground_chunk(const scene::GroundChunk& c, uint32_t layer, Chunk& g, RenderStats& stats);
  /// Writes `parts` at byte `offset` of `dst` (directly, or by a queued staging copy).
  void write_range(const vk::Buffer& dst, VkDeviceSize offset, std::initializer_list<std::pair<const void*, size_t>> parts);
  /// Puts a building chunk's meshes (full, then levels) at the end of the shared buffers; when only
  /// its levels changed, the full mesh stays where `g` has it and only the levels are appended.
  /// False when they do not fit.
  bool place_building_chunk(const scene::BuildingChunk& c, BuildingChunk& g, RenderStats& stats);
  /// Every building chunk again into new buffers, sized for the layers' expected sizes (a streamed
  /// layer's declared features) and a quarter to spare; `grow`: out of room, at least half as large
  /// again as before, so that a layer arriving piece by piece is packed a few times, not every frame.
  void pack_buildings(const scene::Scene& scene, RenderStats& stats, bool grow = false);
  /// Marks a chunk that did not fit as undrawn (BuildingChunk::no_room) at its revision.
  void leave_without_room(const scene::BuildingChunk& c, BuildingChunk& g);
  /// Counts the chunks without room, and says once on stderr that there are some.
  void count_without_room();
  /// Vertices and indices of the building levels placed now (what a packing keeps).
  std::pair<uint64_t, uint64_t> placed_counts() const;
  /// Whether packing would free an eighth of either buffer (meshes replaced or dropped since).
  bool room_to_reclaim() const;
  /// Whether packing now would free an eighth of the building buffers or more, sizing them for the
  /// scene's mesh budget (lowered since by MeshResidency::set_budget, under memory pressure).
  bool larger_than_the_budget_needs(const scene::Scene& scene) const;
  /// Room every packing adds to what it sizes the building buffers for.
  static constexpr uint64_t kPackPadVertices = 4096, kPackPadIndices = 16384;
  static constexpr uint64_t kPackPadBytes = kPackPadVertices * sizeof(gis::BuildingVertex) + kPackPadIndices * sizeof(uint32_t);
  /// building_records_, building_layers_ and the building draw lists from the placed chunks (the
  /// records of levels of detail after every layer's records).
  void rebuild_building_records();
  /// Retires a chunk's buffers and draws; it now stands for chunk revision `revision`.
  void reset_chunk(Chunk& g, uint64_t revision);
  /// Keeps a buffer alive until every frame started so far has finished.
  void retire(vk::Buffer&& b);
  void rebuild_draws();

  Context& ctx_;
  SubmitNow submit_;
  const uint32_t& frames_started_;
  bool direct_uploads_ = false;  ///< mesh buffers are host-visible device memory (CPU / integrated GPU)
  std::vector<Layer> layers_;
  vk::Buffer marker_vb_;
  std::vector<DrawItem> ground_draws_, building_draws_, edge_draws_, marker_draws_;
  vk::Buffer building_vb_, building_ib_;  ///< every building chunk's mesh
  uint64_t vertex_capacity_ = 0, index_capacity_ = 0, vertices_used_ = 0, indices_used_ = 0;
  /// The scene's mesh budget when the building buffers were last packed or last checked against
  /// a lowered one (UINT64_MAX: none).
  uint64_t packed_for_budget_ = UINT64_MAX;
  /// The most vertices and indices the shared buffers can hold (Context::max_allocation_bytes).
  uint64_t max_vertices_ = 0, max_indices_ = 0;
  size_t chunks_without_room_ = 0;  ///< building chunks not drawn for want of room (see no_room)
  bool told_no_room_ = false;
  std::vector<BuildingChunkGpu> building_records_;
  std::vector<BuildingLayerSpan> building_layers_;
  uint64_t buildings_revision_ = 0;
  std::vector<Retired> retired_;
  std::vector<PendingCopy> pending_copies_;
  vk::DescriptorSetLayout styles_layout_;
  vk::DescriptorPool styles_pool_;
  std::array<Styles, kFramesInFlight> styles_;
  /// Faults in the pages of freshly packed host-visible building buffers off the render thread
  /// (see pack_buildings). Last: it is joined before any buffer goes.
  std::jthread prefault_;
};

}  // namespace parktwin::render
