#pragma once
// The passes of a frame, in draw order: ground, building faces, building edges, flow arcs, site
// markers, then the overlay (ImGui and UI images); and the object-id pass for picking. Each pass
// owns its pipeline layout, its pipelines and a typed push-constant struct (gpu_types.h); the
// geometry comes from the GpuScene.
#include <array>
#include <cstdint>
#include <memory>

#include "context.h"
#include "frame.h"
#include "gpu_types.h"
#include "parktwin/render/flow_budget.h"
#include "gpu_scene.h"
#include "pipelines.h"
#include "vk_util.h"

struct ImDrawData;

namespace parktwin::render {

class UiImages;

/// What a pass needs to build its pipelines.
struct PassSetup {
  Context& ctx;
  PipelineCompiler& compiler;
  VkRenderPass pass;  ///< the scene pass; pipelines built for it also draw in the window's pass
  VkSampleCountFlagBits samples;
  VkDescriptorSetLayout styles;  ///< GpuScene::styles_layout()
  VkDescriptorSetLayout chunks;  ///< BuildingCulling::set_layout() (per-chunk matrices)
};

/// Which building chunks a frame draws, shared by the face and edge passes: on the GPU (a compute
/// dispatch before the render pass writes indexed indirect draws and a count per layer, and each
/// visible chunk's matrix) or, in ChunkCulling::Cpu, by the passes themselves chunk by chunk.
/// Either way each chunk is drawn as one instance whose first instance is its record, and the
/// vertex shaders read its matrix there (shaders/building_cull.glsl).
class BuildingCulling {
 public:
  BuildingCulling(Context& ctx, PipelineCompiler& compiler, VkSampleCountFlagBits samples, ChunkCulling mode);
  VkDescriptorSetLayout set_layout() const { return set_layout_.vk(); }
  /// The path the frame being recorded takes (Cpu for a frame that cull_on_cpu_first chose).
  ChunkCulling mode() const { return cpu_this_frame_ ? ChunkCulling::Cpu : mode_; }
  /// GPU culling on a device that compiles shaders at their first draw (a CPU device: lavapipe
  /// JIT-compiles each variant when first used, the culling dispatch about 0.3-0.5 s on two cores):
  /// the next `frames` frames that draw buildings take the CPU path, which draws the same picture
  /// with the face and edge pipelines alone, so a first frame need not wait for the culling's
  /// compile; the frame after compiles it. No effect elsewhere (returns false).
  bool cull_on_cpu_first(uint32_t frames);
  /// Whether cull_on_cpu_first applies here (GPU culling on a CPU device).
  bool compiles_at_first_draw() const;
  /// Asks the compiler for the culling pipeline (GPU modes; once; later calls do nothing). The
  /// renderer asks right after creating this, except where a warm-up culls on the CPU first: there
  /// it asks after the warm-up has drawn, so that compiling it (lavapipe: 0.15-0.2 s of one core)
  /// does not compete with the warm-up's JIT for the cores. A frame that dispatches asks too.
  void compile();

  /// Outside the render pass: brings slot v.slot's copies of the chunk records up to date, then
  /// (GPU modes) writes the view and dispatches the culling.
  void record(const FrameView& v, const GpuScene& scene);
  /// Adds what the GPU culled and drew in the slot's last finished frame to `stats`.
  void collect_stats(uint32_t slot, RenderStats& stats);

  VkDescriptorSet set(uint32_t slot) const { return slots_[slot].set; }
  /// ChunkCulling::Cpu: where the passes write the matrices of the chunks they draw.
  glm::mat4* cpu_matrices(uint32_t slot) const { return static_cast<glm::mat4*>(slots_[slot].matrices.mapped()); }
  /// GPU modes: records the indirect draws (faces or edges) of the span'th building layer.
  void draw(VkCommandBuffer cmd, uint32_t slot, size_t span, bool edges) const;

 private:
  struct Slot {
    vk::Buffer chunks, view, layers, face_draws, edge_draws, counts, matrices;
    VkDescriptorSet set = VK_NULL_HANDLE;
    uint64_t revision = UINT64_MAX;  ///< GpuScene::buildings_revision() the buffers hold
    std::vector<BuildingLayerSpan> spans;
    std::vector<uint32_t> edge_chunks;  ///< per span: chunks with edges
    std::vector<uint8_t> drawn;         ///< per span: drawn in the slot's last frame
    bool counts_valid = false;
  };
  void reallocate(Slot& s, const GpuScene& scene);

  Context& ctx_;
  PipelineCompiler& compiler_;
  ChunkCulling mode_;
  bool compile_asked_ = false;
  bool host_matrices_ = false;  ///< the matrices are host-visible: the CPU path may write them
  uint32_t cpu_frames_ = 0;     ///< cull_on_cpu_first: frames with buildings left to take the CPU path
  bool cpu_this_frame_ = false;  ///< the frame being recorded is one cull_on_cpu_first chose
  glm::vec4 sample_x_{0.5f}, sample_y_{0.5f};
  uint32_t sample_count_ = 1;
  bool size_culling_ = true;
  vk::DescriptorSetLayout set_layout_, no_set_;
  vk::PipelineLayout layout_;
  vk::DescriptorPool pool_;
  PipelineHandle cull_;
  std::array<Slot, kFramesInFlight> slots_;
};

/// Ground layers: area fills, then outlines, painted in layer order without depth.
class GroundPass {
 public:
  explicit GroundPass(const PassSetup& s);
  void record(const FrameView& v, const std::vector<DrawItem>& draws);

 private:
  vk::PipelineLayout layout_;
  PipelineHandle fill_, lines_;
};

/// Extruded building faces, lit, with reverse-Z depth; styles per building from the GpuScene.
class BuildingPass {
 public:
  explicit BuildingPass(const PassSetup& s);
  void record(const FrameView& v, const GpuScene& scene, const BuildingCulling& culling);

 private:
  vk::PipelineLayout layout_;
  PipelineHandle faces_;
};

/// Outlines of building faces, faded with distance; chunks far from the eye are skipped.
class EdgePass {
 public:
  explicit EdgePass(const PassSetup& s);
  void record(const FrameView& v, const GpuScene& scene, const BuildingCulling& culling);

 private:
  vk::PipelineLayout layout_;
  PipelineHandle edges_;
};

/// Site markers: discs of constant size on screen, on top of everything in the scene.
class MarkerPass {
 public:
  explicit MarkerPass(const PassSetup& s);
  void record(const FrameView& v, const std::vector<DrawItem>& draws);

 private:
  vk::PipelineLayout layout_;
  PipelineHandle markers_;
};

/// Flow arcs: culled, binned by length on screen and listed in order on the GPU (a compute pass
/// before the render pass), drawn as ribbons by three indirect draws; the arc budget follows what
/// the last frames drew.
class FlowPass {
 public:
  explicit FlowPass(const PassSetup& s);
  /// Builds the arcs of `scene` and the per-frame buffers.
  void upload(const scene::Scene& scene, GpuScene& gpu);
  /// Outside the render pass: the culling dispatch (also reads back the slot's last counts).
  void record_culling(const FrameView& v);
  /// Inside the render pass: the ribbons.
  void record_draws(const FrameView& v);

 private:
  struct Slot {
    vk::Buffer visible, indirect, live;  ///< visible lists and indirect draws (GPU-written), live factors
    /// Where uploads are staged (GpuScene::direct_uploads false): the live factors the CPU writes,
    /// copied into `live` (device-local) before the frame's culling. The ribbons' vertex shader
    /// reads a factor per vertex, which must not cross the bus to host memory each time.
    vk::Buffer live_staging;
    bool live_copy_due = false;  ///< live_staging holds factors `live` does not have yet
    VkDescriptorSet set = VK_NULL_HANDLE;
    uint64_t live_revision = UINT64_MAX;
    bool counts_valid = false;  ///< the indirect buffer holds counts of a finished frame
    double cut = 0.0;           ///< the value cut that frame was drawn with (FlowBudget::observe)
  };
  FlowConstants constants(const FrameView& v) const;
  /// The live factors the CPU writes: the staging buffer where there is one, else the buffer itself.
  static void* live_host(Slot& s) { return s.live_staging ? s.live_staging.mapped() : s.live.mapped(); }
  /// Reads the arcs the slot's last frame drew and moves the value threshold towards the budget.
  void adapt_budget(Slot& slot, RenderStats& stats, bool adaptive);

  Context& ctx_;
  vk::DescriptorSetLayout set_layout_;
  vk::PipelineLayout layout_;
  vk::DescriptorPool pool_;
  PipelineHandle cull_, ribbons_;
  vk::Buffer arcs_;
  std::array<Slot, kFramesInFlight> slots_;
  uint32_t count_ = 0;
  size_t live_count_ = 0;  ///< enterprises the live-pace buffers hold
  glm::dvec2 origin_{0.0};
  /// Arcs per frame (window frames: from the GPU frame time) and the value cut under which
  /// enterprise arcs are not drawn, so that a view full of flows shows its largest ones and stays fast.
  FlowBudget budget_;
};

/// Object ids (R32_UINT, one sample) of ground features, buildings and markers at one pixel.
class PickPass {
 public:
  explicit PickPass(const PassSetup& s);
  /// Renders ids for the view `v` (w x h) into the pick target, rasterising only pixel (x, y), and
  /// copies that pixel to host memory; `submit` runs the commands and waits.
  uint32_t pick(FrameView v, uint32_t x, uint32_t y, GpuScene& scene, const SubmitNow& submit);

 private:
  void resize(uint32_t w, uint32_t h);

  Context& ctx_;
  vk::RenderPass pass_;
  vk::PipelineLayout layout_;
  PipelineHandle fill_, buildings_, markers_;
  struct Target {
    uint32_t w = 0, h = 0;
    vk::Image id, depth;
    vk::Framebuffer fb;
    vk::Buffer readback;
  } target_;
};

/// The UI on top: the Dear ImGui Vulkan backend and the UI images drawn inside its pass.
class OverlayPass {
 public:
  OverlayPass(Context& ctx, VkRenderPass pass, VkSampleCountFlagBits samples, SubmitNow submit);
  ~OverlayPass();
  OverlayPass(const OverlayPass&) = delete;
  OverlayPass& operator=(const OverlayPass&) = delete;

  /// Sets up the backend (fonts must be in the ImGui atlas already).
  void init();
  /// Waits for nothing: the caller makes the GPU idle first.
  void shutdown();
  bool ready() const { return ready_; }
  void new_frame();
  void set_min_image_count(uint32_t n);
  void record(VkCommandBuffer cmd, ImDrawData* ui, RenderStats& stats);
  UiImages* images() { return images_.get(); }
  /// Destroys released UI images no frame can still use.
  void collect(uint64_t frames_done);

 private:
  Context& ctx_;
  VkRenderPass pass_;
  VkSampleCountFlagBits samples_;
  SubmitNow submit_;
  vk::DescriptorPool pool_;
  bool ready_ = false;
  std::unique_ptr<UiImages> images_;  ///< thumbnails drawn inside ImGui's pass (ui_images.h)
};

}  // namespace parktwin::render
