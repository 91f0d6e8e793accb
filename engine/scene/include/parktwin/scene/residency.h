#pragma once
// Building meshes within a memory budget: a layer of millions of footprints keeps every feature
// (ids, attributes, search, the Inspector, edits) but only the meshes of the chunks nearest to the
// camera. MeshResidency drops the meshes (full mesh, its cluster layout and its levels of detail)
// of the chunks farthest from the focus while the building meshes of the scene pass the budget,
// and rebuilds those of chunks that come near again from their features on a worker thread
// (exactly as update_features rebuilds an edited chunk), nearest first. A renderer sees a dropped
// chunk as a chunk without a mesh (its revision changes) and a rebuilt one as new geometry, so
// Renderer::update_geometry frees and uploads them like any other change. A dropped chunk is drawn
// as blocks (chunk_blocks: at most kBlockGrid^2 boxes whatever its size), counted in the budget,
// so that a far area is not shown empty.
//
// Eviction waits until room is needed: a chunk that is no longer among the nearest stays until a
// nearer one needs its bytes, so a camera moving back and forth over the edge of what fits does
// not drop and rebuild the same chunks every frame. Rebuilds not started yet when the focus moves
// on are dropped if no longer wanted and the others re-ordered, so a pan leaves no backlog.
//
// Usage (main thread):
//   MeshResidency r(scene, budget_mb << 20);  // before the renderer's first upload
//   each frame: if (r.update(scene, camera_target)) renderer.update_geometry(scene);
//   for a still: r.finish(scene, target); then upload.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <glm/vec2.hpp>

#include "parktwin/gis/building_clusters.h"
#include "parktwin/gis/extrude.h"
#include "parktwin/gis/geometry.h"

namespace parktwin::scene {

class Scene;
struct BuildingChunk;
struct Layer;

/// The bytes a building chunk's meshes take in memory: its full mesh, its levels of detail, the
/// cluster layouts made for them and its blocks (what a renderer's building buffers hold a copy of
/// too).
uint64_t chunk_mesh_bytes(const BuildingChunk& c);
/// The bytes a cluster layout takes (0 for none): its indices, clusters and their buildings.
uint64_t layout_bytes(const std::shared_ptr<const gis::ClusteredMesh>& m);

/// Cells per side of the grid chunk_blocks lays over a chunk (a 4 km tile: cells of 500 m).
constexpr int kBlockGrid = 8;

/// The stand-in drawn for a chunk of `layer` whose meshes were dropped: its buildings (members
/// with a building slot), each polygon grouped by the cell of a kBlockGrid x kBlockGrid grid over
/// the chunk's bounds that the mean of its outer ring's points falls in, one block per cell with
/// buildings. A block is a square with the group's footprint area (clipped to its cell), centred
/// at the area-weighted mean of those points (moved inside the cell where it would cross it), as
/// high as the group's area-weighted mean height (so its volume is theirs), styled as
/// the group's largest building: its colour and status, and its height scales the block's. At
/// most kBlockGrid^2 boxes of 20 vertices, whatever the number of buildings; no outlines.
gis::BuildingMesh chunk_blocks(const Scene& scene, const Layer& layer, const BuildingChunk& c);

/// What the machine has, for the mesh budget the viewer takes when none is asked for.
struct MemoryFigures {
  uint64_t host_available = 0;  ///< bytes the process can still have (MemAvailable); 0 = unknown
  uint64_t device_local = 0;    ///< the device's largest device-local heap; 0 = unknown
  /// The device's memory is the host's (a CPU device such as lavapipe, an integrated GPU): the
  /// renderer's copy of the meshes comes out of the same RAM as the scene's.
  bool device_uses_host_memory = false;
  /// The device's largest buffer (maxMemoryAllocationSize; 0 = unknown): every drawn chunk's
  /// vertices share one buffer, so meshes past it could not all be drawn (lavapipe: 2 GiB).
  uint64_t largest_buffer = 0;
};

/// The smallest budget default_mesh_budget_bytes gives: the chunk nearest the camera and the far
/// chunks' blocks still fit.
constexpr uint64_t kMinDefaultMeshBudget = uint64_t{16} << 20;

/// The building meshes' budget when none is asked for (the viewer with streamed layers): a quarter
/// of the memory available at start, halved when the device's copy of the meshes is host memory
/// too, at most half of the device's local memory and four thirds of its largest buffer (which
/// holds the vertices, at most about three quarters of the meshes' bytes); never below kMinDefaultMeshBudget. The
/// rest is left for what is not budgeted: every feature (10M footprints: about 8 GB), the GPU
/// buffers' room to grow, the process and the rest of the machine. An unknown figure bounds
/// nothing; with both unknown the budget is unbounded (UINT64_MAX).
uint64_t default_mesh_budget_bytes(const MemoryFigures& m);

/// What a budget asked for explicitly (--mesh-budget-mb) risks on this machine, as sentences for
/// the terminal ("" when nothing): past the device's largest buffer (four thirds of it, as
/// default_mesh_budget_bytes), chunks that find no room are left undrawn; past the device's memory
/// (a discrete GPU: its local heap) or the host's available memory (twice the budget where the
/// device's copy is host memory too), the machine may run short. Unknown figures (0) say nothing.
std::string mesh_budget_caveats(uint64_t asked, const MemoryFigures& m);

/// MemAvailable from /proc/meminfo in bytes (0 when it cannot be read).
uint64_t host_memory_available_bytes();
/// MemTotal from /proc/meminfo in bytes (0 when it cannot be read).
uint64_t host_memory_total_bytes();

/// The process's resident memory (VmRSS) in bytes (0 when it cannot be read).
uint64_t process_resident_bytes();
/// Gives the free memory the C library's heap keeps back to the system (glibc's malloc_trim:
/// meshes dropped under memory pressure otherwise stay in the process, freed but resident, in
/// holes between the features that stay), and returns by how much the process's resident memory
/// fell (0 where it did not, or where the C library has no such call). Tens of milliseconds for a
/// heap of gigabytes: for after a large drop, not for every frame.
uint64_t return_free_heap_to_system();

/// The memory a running viewer leaves the rest of the machine: a tenth of it, at least 512 MiB.
uint64_t memory_reserve_bytes(uint64_t host_total);

/// A mesh budget under memory pressure: when `host_available` has fallen below
/// memory_reserve_bytes(host_total) (the features of a huge layer still arriving, other programs),
/// the budget less the shortfall (dropping that much of the meshes gives at least as much back:
/// where the device's copy is host memory too, twice), never below kMinDefaultMeshBudget; else
/// `budget` unchanged. Unknown figures (0) change nothing.
uint64_t budget_under_pressure(uint64_t budget, uint64_t host_available, uint64_t host_total);

struct ResidencyStats {
  uint64_t budget_bytes = 0;
  uint64_t resident_bytes = 0;  ///< meshes of the chunks that have theirs
  uint64_t evicted_bytes = 0;   ///< what the dropped chunks took when they last had their meshes
  uint64_t blocks_bytes = 0;    ///< the dropped chunks' blocks (counted in the budget too)
  size_t chunks_resident = 0, chunks_evicted = 0, chunks_restoring = 0;
  size_t evictions = 0, restores = 0;  ///< so far
  double restore_s = 0.0;              ///< worker time spent rebuilding meshes, so far
};

class MeshResidency {
 public:
  /// `budget_bytes` of building meshes (chunk_mesh_bytes summed over the scene's building chunks);
  /// at least the chunk nearest to the focus always keeps its mesh. Sets scene.mesh_budget_bytes at
  /// once, so that a renderer's first upload sizes its building buffers for the budget.
  MeshResidency(Scene& scene, uint64_t budget_bytes);
  ~MeshResidency();  ///< stops after the chunk in hand and joins
  MeshResidency(const MeshResidency&) = delete;
  MeshResidency& operator=(const MeshResidency&) = delete;

  /// A new budget (memory pressure, a user's choice), in force from the next update(), which ranks
  /// the chunks again and drops the farthest meshes past it.
  void set_budget(Scene& scene, uint64_t budget_bytes);
  uint64_t budget() const { return budget_; }

  /// Moves the meshes rebuilt so far into their chunks, and, when the focus (scene frame) moved
  /// or the scene's geometry changed since the last plan, drops the farthest meshes while over
  /// budget and asks the worker for the nearest missing ones that fit. Returns whether any chunk's
  /// mesh went or came (the caller then updates the renderer's geometry).
  bool update(Scene& scene, glm::dvec2 focus);
  /// update() until every chunk that fits the budget nearest to `focus` has its mesh (lifting any hold).
  void finish(Scene& scene, glm::dvec2 focus);
  /// Whether meshes are being rebuilt (update() should go on being called).
  bool busy() const;
  /// Holds the worker before its next chunk (the one in hand is finished) until hold(false): for a
  /// caller that wants the cores for a while. Rebuilds asked for meanwhile wait, and those no longer
  /// wanted when the focus moves on are dropped unstarted, as always. finish() lifts the hold.
  void hold(bool on);
  /// Counts over the scene's building chunks, and the totals so far.
  ResidencyStats stats(const Scene& scene) const;
  /// The first failure rebuilding a mesh ("" = none); that chunk stays without one.
  const std::string& error() const { return error_; }

 private:
  struct Job {
    uint32_t layer = 0;
    size_t chunk = 0;
    uint64_t revision = 0;  ///< the chunk's revision when asked: an edit meanwhile wins
    glm::dvec2 origin{0.0};
    std::vector<uint32_t> slots;
    std::vector<float> heights;
    std::vector<gis::Geometry> footprints;
    // Filled by the worker:
    gis::BuildingMesh mesh;
    std::shared_ptr<const gis::ClusteredMesh> clusters;
    std::string error;
    double seconds = 0.0;
  };
  struct Entry {
    uint64_t bytes = 0;  ///< its meshes' bytes when it last had them
    bool restoring = false;
  };
  void work();
  size_t collect(Scene& scene);
  void plan(Scene& scene, glm::dvec2 focus);
  Entry& entry(uint32_t layer, size_t chunk);

  uint64_t budget_;
  std::vector<std::string> layer_ids_;        ///< what entries_ was made for (a reloaded scene starts over)
  std::vector<std::vector<Entry>> entries_;   ///< per layer, per building chunk
  bool planned_ = false;
  glm::dvec2 planned_focus_{0.0};
  uint64_t planned_revision_ = 0;  ///< Scene::geometry_revision after the last plan
  size_t evictions_ = 0, restores_ = 0;
  double restore_s_ = 0.0;
  std::string error_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::vector<Job> done_;
  size_t in_flight_ = 0;  ///< jobs queued, in hand or done and not collected
  bool stop_ = false;
  bool held_ = false;
  std::thread worker_;
};

}  // namespace parktwin::scene
