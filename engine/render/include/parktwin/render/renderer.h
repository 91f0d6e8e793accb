#pragma once
// The renderer: the only part of ParkTwin that talks to Vulkan. It draws a frame snapshot (an
// immutable scene::FrameSnapshot: camera, styles, visibility, flows, decided once per frame) into a
// window (GLFW swapchain) or into an offscreen image that is read back; both go through the same
// render pass, pipelines and draw recording. The Scene itself is read only by upload_scene (the
// static meshes); while drawing, the renderer reads nothing but the snapshot. Callers never see a
// Vulkan type.
//
// Usage (headless):
//   auto r = Renderer::create({});                      // picks a device (lavapipe on a CPU machine)
//   r->upload_scene(scene);                              // once, after loading
//   auto snap = scene::snapshot_of(scene, cam);          // per frame: scene::FrameSnapshotBuilder
//   auto img = r->render_offscreen({.frame = snap.get()}, 1280, 720);
//   write_png(*img, "out.png");
//   // after an edit of layer li's features (edit::EditSession's Touched):
//   scene::update_features(scene, li, touched.features);  // rebuilds their chunks
//   r->update_geometry(scene);                            // uploads only those chunks
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parktwin/gis/result.h"
#include "parktwin/scene/camera.h"
#include "parktwin/scene/frame_snapshot.h"
#include "parktwin/scene/scene.h"

struct GLFWwindow;
struct ImDrawData;
struct ImDrawList;
struct ImDrawCmd;

namespace parktwin::render {

template <typename T>
using Result = gis::Result<T>;
using gis::Failure;

/// An RGBA8 image in memory (top row first).
struct Image {
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> rgba;
  /// The pixel at (x, y) as 0xAABBGGRR.
  uint32_t pixel(uint32_t x, uint32_t y) const;
};
/// Writes a PNG; fails with a message naming the path.
Result<bool> write_png(const Image& img, const std::string& path);
/// Reads a PNG into RGBA8.
Result<Image> read_png(const std::string& path);

/// How building chunks are culled each frame.
enum class ChunkCulling : uint8_t {
  Gpu,      ///< on the GPU (frustum, size on screen) into indirect draws; the CPU loops over nothing
  DrawAll,  ///< the same GPU path with the tests off: every chunk drawn (to check the culling against)
  Cpu,      ///< on the CPU, one draw per visible chunk (also where the device lacks shaderFloat64,
            ///< multiDrawIndirect or drawIndirectFirstInstance)
};

/// Bits of RendererOptions::warm_up: the passes a kind of layer takes.
struct WarmUp {
  static constexpr uint32_t kBuildings = 1u;  ///< building faces and edges, and their culling (compute) where
                                              ///< pipelines compile at creation
  static constexpr uint32_t kGround = 2u;     ///< ground fills and outlines (areas, parcels, parks, roads)
  static constexpr uint32_t kMarkers = 4u;    ///< site markers
  static constexpr uint32_t kAll = 7u;
  /// The bits for the layers `scene` holds (streamed layers are there before their tiles).
  static uint32_t for_scene(const scene::Scene& scene);
};

struct RendererOptions {
  uint32_t msaa = 4;           ///< 1 or 4 (capped by the device)
  bool validation = false;     ///< enable VK_LAYER_KHRONOS_validation (also on when PARKTWIN_VALIDATION=1)
  std::string device_hint;     ///< substring of the device name to prefer (or env PARKTWIN_DEVICE)
  GLFWwindow* window = nullptr;///< present to this window; null = headless only
  bool vsync = true;
  /// Window: enable VK_NV_present_barrier for the swapchain where the device (extension and feature
  /// presentBarrier) and the surface offer it (wall nodes); DeviceInfo::present_barrier says whether it is on.
  bool present_barrier = false;
  /// Building chunk culling; env PARKTWIN_CHUNK_CULLING=gpu|all|cpu overrides it.
  ChunkCulling chunk_culling = ChunkCulling::Gpu;
  /// What to draw once, offscreen at 64x64, before create() returns (bits of WarmUp; 0: nothing):
  /// a small built-in scene with those kinds of layer. The GPU scene is emptied and the stats reset
  /// afterwards. Drivers that compile shaders at their first draw rather than at pipeline creation
  /// (lavapipe: each shader variant is JIT-compiled by LLVM when first drawn, about 0.7 s for the
  /// buildings' culling, faces and edges on two cores) then do it on the creating thread, while the
  /// data loads, and not in the first real frame. Picking is left to the first pick. Where
  /// pipelines are compiled at creation it costs a few milliseconds. On such a device the
  /// buildings' culling dispatch (the longest compile) is not warmed: the first frame with
  /// buildings culls them on the CPU instead (the same picture; RenderStats::buildings_culled_on_cpu)
  /// and the next one compiles it.
  uint32_t warm_up = 0;
  /// The size of the first offscreen frames; 0: 64x64. The warm-up frame is drawn at this size and
  /// (without a window) its target is kept for the first render_offscreen at that size, so the
  /// first frame's one-time costs at a size (on lavapipe about 0.25 s at 1920x1080 with 4x MSAA:
  /// the attachments' memory touched first, the rasterizer's set-up) come while the data loads.
  uint32_t warm_up_width = 0, warm_up_height = 0;
  /// With a buildings warm-up on a device that compiles shaders at their first draw: the warm-up
  /// and the first frame with buildings that is shown (a window's) or not read back leave out the
  /// building outlines, whose compile (lavapipe: about 0.12 s of the first frame at 4x MSAA) then
  /// comes with the next frame, which draws them (RenderStats::outlines_put_off). Frames read back
  /// (stills, tiles, recordings, goldens) always draw them. Where pipelines compile at creation it
  /// changes nothing.
  bool outlines_after_first_frame = true;
};

/// What the last frame cost and drew.
struct RenderStats {
  uint32_t draw_calls = 0;
  uint64_t triangles = 0;
  uint64_t lines = 0;
  uint32_t chunks_culled = 0;   ///< draws of ground and building chunks (faces, edges) not made
  /// Building chunks whose faces were drawn / culled (GPU culling: read back from the last
  /// finished frame, which for render_offscreen is the frame itself).
  uint32_t building_chunks_drawn = 0;
  uint32_t building_chunks_culled = 0;
  /// Triangles of drawn building clusters left out because their wall bin faced away from the eye
  /// (the rasterizer would have culled them; not in `triangles`).
  uint64_t triangles_facing_away = 0;
  /// Building clusters drawn at a level of detail (scene::BuildingChunk::lods; GPU culling only).
  uint32_t building_clusters_lod = 0;
  /// The last frame's buildings were culled on the CPU although the renderer culls on the GPU: the
  /// first frame with buildings after a warm-up on a device that compiles shaders at first use
  /// (RendererOptions::warm_up).
  bool buildings_culled_on_cpu = false;
  /// The last frame left the building outlines out (RendererOptions::outlines_after_first_frame).
  bool outlines_put_off = false;
  double record_cpu_ms = 0.0;   ///< CPU time to update buffers and record commands (no waiting)
  /// GPU time of the last completed frame (timestamp queries; where the queue has none, the host
  /// time from submit to fence for offscreen frames, 0 for window frames).
  double gpu_ms = 0.0;
  /// Of gpu_ms, the flows' culling dispatch and their ribbons (timestamps where the work recorded
  /// before each has finished and where its own has: the time each adds; 0 without timestamps).
  double flows_cull_gpu_ms = 0.0, flows_ribbons_gpu_ms = 0.0;
  uint64_t gpu_memory_bytes = 0;///< device memory allocated by the renderer
  uint32_t flows_drawn = 0;     ///< flow arcs drawn in the last finished frame (after GPU culling)
  double flows_min_value_yuan = 0.0;  ///< > 0 while only arcs worth at least this much are drawn (budget)
  /// Arcs a frame may draw: in windows it follows gpu_ms towards 30 frames/s (FlowBudget), offscreen
  /// it is a fixed count (stills, tiles and recordings are the same on every run).
  uint32_t flows_budget = 0;
  /// Geometry chunks (ground or building) the last upload_scene / update_geometry uploaded, and
  /// the bytes of vertex and index data it wrote for them.
  uint32_t chunks_uploaded = 0;
  uint32_t style_blocks_uploaded = 0;  ///< blocks of kStyleBlock building styles written this frame (0: unchanged)
  uint64_t bytes_uploaded = 0;
  /// Of the building meshes (full or levels) that upload placed, those it had to lay out in clusters
  /// itself on the calling thread because the scene's chunk held no layout made for it
  /// (BuildingChunk::prepared_clusters: streamed tiles and LodBuilder levels come laid out), and the
  /// CPU time that took (ms).
  uint32_t meshes_laid_out = 0;
  double lay_out_ms = 0.0;
  /// Times that upload copied every building chunk into new, larger buffers (upload_scene: 1;
  /// update_geometry: 0, or 1 when what arrived did not fit the room left).
  uint32_t building_packs = 0;
  /// Building chunks not drawn because the shared mesh buffers, at the device's largest buffer
  /// (DeviceInfo::max_allocation_bytes), had no room for them (0 within a fitting mesh budget).
  uint32_t building_chunks_without_room = 0;
  /// Wall time compiling the renderer's pipelines (ms): from Renderer::create, which starts them on
  /// worker threads and returns, to the last one finished (so far, while some still compile).
  double pipelines_ms = 0.0;
  /// The pipeline cache on disk ($XDG_CACHE_HOME/parktwin or ~/.cache/parktwin) was found and used.
  bool pipelines_from_cache = false;
  /// Wall time of RendererOptions::warm_up inside create() (ms; 0 without it).
  double warm_up_ms = 0.0;
};

struct DeviceInfo {
  std::string name;
  std::string type;        ///< "discrete GPU", "integrated GPU", "CPU", ...
  std::string api_version;
  std::string driver;
  uint32_t msaa = 1;
  uint32_t max_image_dimension = 0;
  uint64_t device_local_bytes = 0;  ///< the largest device-local memory heap
  /// The largest buffer it holds (maxMemoryAllocationSize): the building meshes' vertices of all
  /// chunks drawn share one buffer, so this bounds them (lavapipe: 2 GiB).
  uint64_t max_allocation_bytes = 0;
  /// A CPU device or an integrated GPU: its memory is the host's RAM.
  bool uses_host_memory = false;
  /// Its queue writes timestamps: RenderStats::gpu_ms and its parts are measured on the device.
  bool timestamps = false;
  /// The window's swapchain is created with VK_NV_present_barrier (asked for with
  /// RendererOptions::present_barrier and offered by device and surface); false = software only.
  bool present_barrier = false;
};

/// One frame to draw: the snapshot and where it goes.
struct FrameInput {
  const scene::FrameSnapshot* frame = nullptr;  ///< what to draw (required); read during the call only
  ImDrawData* ui = nullptr;  ///< ImGui draw data to composite on top, or null
  glm::dvec4 subrect{0.0, 0.0, 1.0, 1.0};  ///< off-axis part of the full view (tiles, video walls)
  bool read_back = true;     ///< offscreen: copy the image to host memory (benchmarks may skip it)
  /// Offscreen: the flow budget follows the measured GPU time, as it does for window frames
  /// (`bench flows`). Off by default, so that a still draws the same arcs on every device.
  bool adaptive_flow_budget = false;
  /// Window: render and submit, but keep the present until present_held() (wall nodes present
  /// after the swap barrier). Not presented, the frame is drawn over by the next render_window.
  bool hold_present = false;
};

enum class PresentResult { Ok, Skipped, Error };

/// What lies under a pixel, from the object-id pass.
struct PickHit {
  enum Kind : uint8_t { None = 0, Building = 1, Feature = 2, Marker = 3 };
  Kind kind = None;
  uint32_t layer = 0;  ///< Feature, Marker: index in Scene::layers
  uint32_t index = 0;  ///< Building: index in Scene::buildings; Feature: feature index; Marker: index in layer.markers
};
/// Decodes an object id (kind in the top 4 bits).
PickHit decode_pick(uint32_t id);

/// The ImGui draw callback of UI images (ui::image adds it; ImGui's Vulkan backend calls it while
/// the renderer records the UI). An image is a pair of callbacks: the first carries the image's
/// rectangle as its clip rect, the second draws under the clip rect in force. Follow the pair with
/// ImDrawCallback_ResetRenderState so ImGui's own state comes back.
void ui_image_callback(const ImDrawList* list, const ImDrawCmd* cmd);
/// The callback data of image `id` for the first (`rect_phase`) or second callback of the pair.
inline void* ui_image_callback_data(uint32_t id, bool rect_phase) {
  return reinterpret_cast<void*>((static_cast<uintptr_t>(id) << 1) | (rect_phase ? 1u : 0u));
}

class Renderer {
 public:
  /// Creates the device and starts compiling the pipelines on worker threads; returns before they
  /// are done (the first frame waits for those it draws with).
  static Result<std::unique_ptr<Renderer>> create(const RendererOptions& options);
  virtual ~Renderer() = default;

  /// Uploads the static meshes of every layer (call again after layers were added). Waits for the
  /// GPU to be idle: for the first load, not for edits.
  virtual Result<bool> upload_scene(const scene::Scene& scene) = 0;

  /// After scene::update_features: uploads only the chunks whose revision differs from the one
  /// uploaded (each chunk has buffers of its own) and draws them from the next frame on. Never
  /// waits for the GPU: the replaced buffers are released once the frames in flight that used them
  /// have finished. Cheap when nothing changed (call it every frame if convenient). When layers
  /// were added or removed since upload_scene it does a full upload_scene instead. Site markers and
  /// flow arcs are not updated here. stats().chunks_uploaded / bytes_uploaded say what it uploaded.
  virtual Result<bool> update_geometry(const scene::Scene& scene) = 0;

  /// Renders offscreen and reads the image back.
  virtual Result<Image> render_offscreen(const FrameInput& in, uint32_t width, uint32_t height) = 0;

  /// Renders one frame to the window and presents it (recreating the swapchain when needed).
  virtual PresentResult render_window(const FrameInput& in) = 0;
  /// Presents the frame render_window held (FrameInput::hold_present); Skipped when none is held.
  virtual PresentResult present_held() = 0;

  /// Renders object ids for the view of `in` at size w x h, only at pixel (x, y), and reads it back.
  virtual Result<PickHit> pick(const FrameInput& in, uint32_t w, uint32_t h, uint32_t x, uint32_t y) = 0;

  /// Sets up the Dear ImGui Vulkan backend (fonts must be added to the ImGui atlas before).
  virtual Result<bool> init_imgui() = 0;
  virtual void shutdown_imgui() = 0;
  /// Starts a new ImGui frame on the backend side (call before ImGui::NewFrame()).
  virtual void imgui_new_frame() = 0;

  // Images for the UI (thumbnails), drawn by ui::image(id, size) inside ImGui's pass. Needs
  // init_imgui(). Ids are never reused; 0 is never an id.
  /// Uploads an RGBA8 image for the UI and returns its id.
  virtual Result<uint32_t> ui_image_upload(const Image& img) = 0;
  /// Releases a UI image (its GPU memory goes once no frame in flight uses it); unknown ids are ignored.
  virtual void ui_image_release(uint32_t id) = 0;

  virtual const RenderStats& stats() const = 0;
  virtual const DeviceInfo& device_info() const = 0;
  /// Validation-layer errors reported so far (0 when validation is off).
  virtual uint32_t validation_errors() const = 0;
  /// Whether the validation layer is loaded.
  virtual bool validation_enabled() const = 0;
  /// Waits until the GPU is idle.
  virtual void wait_idle() = 0;
  /// True once a call saw VK_ERROR_DEVICE_LOST (a driver reset, a GPU fault, a removed GPU): every
  /// later call fails at once; the app recreates the renderer and uploads the scene again.
  /// PARKTWIN_FAULT_DEVICE_LOST_AFTER=N makes frame N+1 of each renderer fail this way (tests of
  /// the recovery; the device itself stays intact).
  virtual bool device_lost() const = 0;
};

}  // namespace parktwin::render
