// The Vulkan renderer: it composes the device (Context), the GPU scene (GpuScene), the passes
// (passes.h) and the targets (targets.h), and runs the frames: one command buffer per frame in
// flight, recorded pass by pass. Vulkan failures inside are vk::Error exceptions, turned into
// Failure values at the public entry points.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <cstdio>
#include <optional>

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>

#include "context.h"
#include "gpu_scene.h"
#include "parktwin/render/renderer.h"
#include "passes.h"
#include "pipelines.h"
#include "targets.h"
#include "ui_images.h"
#include "vk_util.h"
#include "warm_up.h"
#include "parktwin/scene/camera.h"
#include "parktwin/scene/frame_snapshot.h"

namespace parktwin::render {
namespace {

/// The timestamps of a frame: its start and end, and marks around the flows' culling and ribbons
/// (each the moment the work recorded before it has finished, so a pass's time is the work it adds).
enum Stamp : uint32_t { kFrameStart, kFrameEnd, kFlowCullBefore, kFlowCullAfter, kRibbonsBefore, kRibbonsAfter, kStamps };

/// What one frame in flight owns: its command buffer, fence, acquire semaphore and timestamps.
struct FrameSlot {
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  vk::Fence fence;
  vk::Semaphore acquired;
  vk::QueryPool timestamps;
  bool timed = false;  ///< the timestamps were written by the slot's last frame
};

/// Resets a frame's command buffer and begins recording it for one submission.
void begin_commands(VkCommandBuffer cmd) {
  vk::check(vkResetCommandBuffer(cmd, 0), "vkResetCommandBuffer");
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vk::check(vkBeginCommandBuffer(cmd, &bi), "vkBeginCommandBuffer");
}

/// The Vulkan context for `opt`, with the window's surface (owned by the context) when there is a window.
std::unique_ptr<Context> make_context(const RendererOptions& opt) {
  std::vector<const char*> exts;
  if (opt.window) {
    uint32_t n = 0;
    const char** names = glfwGetRequiredInstanceExtensions(&n);
    if (!names) throw vk::Error("glfwGetRequiredInstanceExtensions: the window system offers no Vulkan surface",
                                VK_ERROR_EXTENSION_NOT_PRESENT);
    exts.assign(names, names + n);
  }
  auto ctx = std::make_unique<Context>(opt, exts, opt.window != nullptr);
  if (opt.window) {
    VkSurfaceKHR surface = VK_NULL_HANDLE;
    vk::check(glfwCreateWindowSurface(ctx->instance(), opt.window, nullptr, &surface), "glfwCreateWindowSurface");
    ctx->adopt_surface(surface);
  }
  ctx->create_device(ctx->surface());
  return ctx;
}

class VulkanRenderer final : public Renderer {
 public:
  explicit VulkanRenderer(const RendererOptions& opt);
  ~VulkanRenderer() override;

  Result<bool> upload_scene(const scene::Scene& scene) override;
  Result<bool> update_geometry(const scene::Scene& scene) override;
  Result<Image> render_offscreen(const FrameInput& in, uint32_t w, uint32_t h) override;
  PresentResult render_window(const FrameInput& in) override;
  PresentResult present_held() override;
  Result<bool> init_imgui() override;
  Result<PickHit> pick(const FrameInput& in, uint32_t w, uint32_t h, uint32_t x, uint32_t y) override;
  void shutdown_imgui() override {
    if (!overlay_->ready()) return;
    wait_idle();
    overlay_->shutdown();
  }
  void imgui_new_frame() override { overlay_->new_frame(); }
  Result<uint32_t> ui_image_upload(const Image& img) override;
  void ui_image_release(uint32_t id) override {
    if (overlay_->images()) overlay_->images()->release(id, frame_);
  }
  const RenderStats& stats() const override { return stats_; }
  const DeviceInfo& device_info() const override { return ctx_->info; }
  uint32_t validation_errors() const override { return ctx_->validation_errors.load(); }
  bool validation_enabled() const override { return ctx_->validation_on; }
  void wait_idle() override {
    if (ctx_ && ctx_->device() && vkDeviceWaitIdle(ctx_->device()) == VK_ERROR_DEVICE_LOST) lost_ = true;
  }
  bool device_lost() const override { return lost_; }

 private:
  VkDevice dev() const { return ctx_->device(); }
  void submit_now(const std::function<void(VkCommandBuffer)>& record);
  /// Records the whole frame into v.cmd: uploads and compute before the render pass, then the passes.
  void record_frame(FrameView& v, VkRenderPass pass, VkFramebuffer fb);
  /// Waits for slot `s`'s fence; its last frame's GPU time goes to stats_.gpu_ms.
  void begin_slot(FrameSlot& s);
  /// Writes the timestamp before (`end` false) or after the frame's commands.
  void timestamp(FrameSlot& s, bool end);
  /// stats_.gpu_ms (and the flows' parts) from the timestamps of the slot's last (finished) frame;
  /// false without them.
  bool read_timestamps(FrameSlot& s);
  /// Writes timestamp `stamp` once the work recorded so far has finished (not at a frame's start
  /// and end: timestamp() writes those).
  void mark(const FrameView& v, Stamp stamp);
  PresentResult present(uint32_t index);
  /// RendererOptions::warm_up: draws warm_up_scene(passes) once offscreen, then leaves
  /// the renderer as it was: an empty GPU scene, no offscreen target, fresh stats.
  void warm_up(uint32_t passes, uint32_t w, uint32_t h);

  /// Notes a lost device from `e` (every later call then fails at once) and returns `e`'s message.
  std::string failed(const vk::Error& e) {
    if (e.result == VK_ERROR_DEVICE_LOST) lost_ = true;
    return e.what();
  }
  /// Throws VK_ERROR_DEVICE_LOST when the device is lost, or when the injected fault is due
  /// (PARKTWIN_FAULT_DEVICE_LOST_AFTER frames rendered); called where a frame starts.
  void check_device() {
    if (!lost_ && fault_after_frames_ > 0 && frames_rendered_ >= fault_after_frames_) {
      lost_ = true;
      throw vk::Error("vkQueueSubmit (a lost device injected by PARKTWIN_FAULT_DEVICE_LOST_AFTER=" +
                          std::to_string(fault_after_frames_) + ")", VK_ERROR_DEVICE_LOST);
    }
    if (lost_) throw vk::Error("the GPU device was lost earlier; this renderer can no longer draw", VK_ERROR_DEVICE_LOST);
    ++frames_rendered_;
  }

  bool lost_ = false;
  uint64_t fault_after_frames_ = 0, frames_rendered_ = 0;
  /// RendererOptions::outlines_after_first_frame applies and no frame with buildings came yet.
  bool outlines_later_ = false;
  RendererOptions opt_;
  uint32_t frame_ = 0;  ///< frames started so far
  RenderStats stats_;
  // Declared in creation order: destroyed in reverse, the context last.
  std::unique_ptr<Context> ctx_;
  VkFormat color_format_ = VK_FORMAT_B8G8R8A8_UNORM;
  VkSampleCountFlagBits samples_ = VK_SAMPLE_COUNT_1_BIT;
  vk::RenderPass pass_readback_, pass_present_;
  vk::CommandPool cmd_pool_;
  std::array<FrameSlot, kFramesInFlight> slots_;
  std::unique_ptr<GpuScene> scene_;
  std::unique_ptr<PipelineCompiler> compiler_;
  std::unique_ptr<BuildingCulling> culling_;
  std::unique_ptr<GroundPass> ground_;
  std::unique_ptr<BuildingPass> buildings_;
  std::unique_ptr<EdgePass> edges_;
  std::unique_ptr<FlowPass> flows_;
  std::unique_ptr<MarkerPass> markers_;
  std::unique_ptr<PickPass> picks_;
  std::unique_ptr<OverlayPass> overlay_;
  Target offscreen_;
  std::unique_ptr<WindowSwapchain> window_;
};

VulkanRenderer::VulkanRenderer(const RendererOptions& opt) : opt_(opt) {
  if (const char* f = std::getenv("PARKTWIN_FAULT_DEVICE_LOST_AFTER")) fault_after_frames_ = std::strtoull(f, nullptr, 10);
  ctx_ = make_context(opt);
  samples_ = ctx_->info.msaa == 4 ? VK_SAMPLE_COUNT_4_BIT : VK_SAMPLE_COUNT_1_BIT;
  if (opt.window) color_format_ = WindowSwapchain::pick_format(*ctx_);
  pass_readback_ = make_render_pass(dev(), color_format_, samples_, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
  if (opt.window) pass_present_ = make_render_pass(dev(), color_format_, samples_, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR);

  VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pi.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pi.queueFamilyIndex = ctx_->queue_family;
  VkCommandPool pool;
  vk::check(vkCreateCommandPool(dev(), &pi, nullptr, &pool), "vkCreateCommandPool");
  cmd_pool_ = vk::CommandPool(dev(), pool);
  for (FrameSlot& s : slots_) {
    VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ai.commandPool = cmd_pool_.vk();
    ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ai.commandBufferCount = 1;
    vk::check(vkAllocateCommandBuffers(dev(), &ai, &s.cmd), "vkAllocateCommandBuffers");
    VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    fi.flags = VK_FENCE_CREATE_SIGNALED_BIT;
    VkFence f;
    vk::check(vkCreateFence(dev(), &fi, nullptr, &f), "vkCreateFence");
    s.fence = vk::Fence(dev(), f);
    VkSemaphoreCreateInfo si{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    VkSemaphore sem;
    vk::check(vkCreateSemaphore(dev(), &si, nullptr, &sem), "vkCreateSemaphore");
    s.acquired = vk::Semaphore(dev(), sem);
    if (ctx_->timestamp_bits) {
      VkQueryPoolCreateInfo qi{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
      qi.queryType = VK_QUERY_TYPE_TIMESTAMP;
      qi.queryCount = kStamps;
      VkQueryPool qp;
      vk::check(vkCreateQueryPool(dev(), &qi, nullptr, &qp), "vkCreateQueryPool");
      s.timestamps = vk::QueryPool(dev(), qp);
    }
  }

  const SubmitNow submit = [this](const std::function<void(VkCommandBuffer)>& record) { submit_now(record); };
  scene_ = std::make_unique<GpuScene>(*ctx_, submit, frame_);
  // Pipelines compile on worker threads from here on; the frames wait for the ones they use.
  compiler_ = std::make_unique<PipelineCompiler>(dev(), ctx_->dev.physical, PipelineCompiler::default_cache_dir());
  stats_.pipelines_from_cache = compiler_->cache_loaded();
  ChunkCulling culling = opt.chunk_culling;
  if (const char* e = std::getenv("PARKTWIN_CHUNK_CULLING"); e && *e) {
    const std::string m = e;
    culling = m == "cpu" ? ChunkCulling::Cpu : m == "all" ? ChunkCulling::DrawAll : ChunkCulling::Gpu;
  }
  culling_ = std::make_unique<BuildingCulling>(*ctx_, *compiler_, samples_, culling);
  // A warm-up that culls its frames on the CPU first asks for the culling pipeline after its draws.
  if (!(opt.warm_up & WarmUp::kBuildings) || !culling_->compiles_at_first_draw()) culling_->compile();
  const PassSetup setup{*ctx_, *compiler_, pass_readback_.vk(), samples_, scene_->styles_layout(), culling_->set_layout()};
  ground_ = std::make_unique<GroundPass>(setup);
  buildings_ = std::make_unique<BuildingPass>(setup);
  edges_ = std::make_unique<EdgePass>(setup);
  flows_ = std::make_unique<FlowPass>(setup);
  markers_ = std::make_unique<MarkerPass>(setup);
  picks_ = std::make_unique<PickPass>(setup);
  overlay_ = std::make_unique<OverlayPass>(*ctx_, pass_readback_.vk(), samples_, submit);
  if (opt.window) {
    window_ = std::make_unique<WindowSwapchain>(*ctx_, opt.window, color_format_, samples_, opt.vsync);
    window_->set_pass(pass_present_.vk());
  }
  outlines_later_ = opt.outlines_after_first_frame && (opt.warm_up & WarmUp::kBuildings) && ctx_->compiles_at_first_draw();
  if (opt.warm_up) warm_up(opt.warm_up, opt.warm_up_width, opt.warm_up_height);
}

void VulkanRenderer::warm_up(uint32_t passes, uint32_t w, uint32_t h) {
  const auto t0 = std::chrono::steady_clock::now();
  const scene::Scene s = warm_up_scene(passes);
  // Where shaders compile at first use, the warm-up frame and the first real frame with buildings
  // cull them on the CPU: the culling dispatch compiles in the frame after, not before the first.
  const bool cpu_first = (passes & WarmUp::kBuildings) && culling_->cull_on_cpu_first(1);
  const bool sized = w > 0 && h > 0 && w <= ctx_->info.max_image_dimension && h <= ctx_->info.max_image_dimension;
  // Failures here are the first frame's too; they are reported there, where a caller looks.
  if (upload_scene(s)) {
    scene::FrameSnapshotBuilder snapshots;
    const auto snap = snapshots.build(s, scene::Camera::framing(s.bmin, s.bmax, 1.0), 0.0);
    FrameInput in;
    in.frame = snap.get();
    in.read_back = false;
    const bool outlines_later = outlines_later_;  // the warm-up's frame is not the first one
    (void)render_offscreen(in, sized ? w : 64, sized ? h : 64);
    outlines_later_ = outlines_later;
  }
  culling_->compile();  // now that the warm-up's JIT is done (the constructor asked where it was not put off)
  (void)upload_scene(scene::Scene(gis::SceneFrame::jiangxi()));
  if (cpu_first) culling_->cull_on_cpu_first(1);
  // A headless renderer's first frames are offscreen at that size: its target stays (each frame
  // clears it). A window has its own.
  if (window_ || !sized) offscreen_ = Target{};  // upload_scene waited for the device
  const bool from_cache = stats_.pipelines_from_cache;
  stats_ = RenderStats{};
  stats_.pipelines_from_cache = from_cache;
  stats_.warm_up_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

VulkanRenderer::~VulkanRenderer() {
  wait_idle();
  if (overlay_) overlay_->shutdown();
  // The members go in reverse order of declaration: targets, passes, scene, slots, passes, context.
}

void VulkanRenderer::submit_now(const std::function<void(VkCommandBuffer)>& record) {
  VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  ai.commandPool = cmd_pool_.vk();
  ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  ai.commandBufferCount = 1;
  VkCommandBuffer cmd;
  vk::check(vkAllocateCommandBuffers(dev(), &ai, &cmd), "vkAllocateCommandBuffers");
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  VkResult r = vkBeginCommandBuffer(cmd, &bi);
  if (r == VK_SUCCESS) {
    record(cmd);
    r = vkEndCommandBuffer(cmd);
  }
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cmd;
  if (r == VK_SUCCESS) r = vkQueueSubmit(ctx_->queue, 1, &si, VK_NULL_HANDLE);
  if (r == VK_SUCCESS) r = vkQueueWaitIdle(ctx_->queue);
  vkFreeCommandBuffers(dev(), cmd_pool_.vk(), 1, &cmd);
  vk::check(r, "vkQueueSubmit (upload)");
}

Result<bool> VulkanRenderer::upload_scene(const scene::Scene& scene) try {
  wait_idle();
  scene_->upload(scene, stats_);
  flows_->upload(scene, *scene_);
  return true;
} catch (const vk::Error& e) {
  return Failure(Failure::GeneralError, std::string("uploading the scene to the GPU: ") + failed(e));
}

Result<bool> VulkanRenderer::update_geometry(const scene::Scene& scene) try {
  if (lost_) return Failure(Failure::GeneralError, "the GPU device was lost earlier; this renderer can no longer draw");
  if (!scene_->update(scene, stats_)) return upload_scene(scene);
  return true;
} catch (const vk::Error& e) {
  return Failure(Failure::GeneralError, std::string("uploading edited geometry to the GPU: ") + failed(e));
}

void VulkanRenderer::begin_slot(FrameSlot& s) {
  VkFence fence = s.fence.vk();
  vk::check(vkWaitForFences(dev(), 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  read_timestamps(s);
}

void VulkanRenderer::timestamp(FrameSlot& s, bool end) {
  if (!s.timestamps) return;
  if (!end) vkCmdResetQueryPool(s.cmd, s.timestamps.vk(), 0, kStamps);
  vkCmdWriteTimestamp(s.cmd, end ? VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT : VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
                      s.timestamps.vk(), end ? kFrameEnd : kFrameStart);
  s.timed = end;
}

void VulkanRenderer::mark(const FrameView& v, Stamp stamp) {
  const FrameSlot& s = slots_[v.slot];
  if (s.timestamps) vkCmdWriteTimestamp(v.cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, s.timestamps.vk(), stamp);
}

bool VulkanRenderer::read_timestamps(FrameSlot& s) {
  if (!s.timed) return false;
  uint64_t t[kStamps] = {};
  if (vkGetQueryPoolResults(dev(), s.timestamps.vk(), 0, kStamps, sizeof t, t, sizeof t[0], VK_QUERY_RESULT_64_BIT) !=
      VK_SUCCESS)
    return false;
  const uint64_t mask = ctx_->timestamp_bits >= 64 ? ~0ull : (1ull << ctx_->timestamp_bits) - 1;
  auto ms = [&](Stamp from, Stamp to) {
    return static_cast<double>((t[to] - t[from]) & mask) * ctx_->props.limits.timestampPeriod / 1e6;
  };
  stats_.gpu_ms = ms(kFrameStart, kFrameEnd);
  stats_.flows_cull_gpu_ms = ms(kFlowCullBefore, kFlowCullAfter);
  stats_.flows_ribbons_gpu_ms = ms(kRibbonsBefore, kRibbonsAfter);
  return true;
}

void VulkanRenderer::record_frame(FrameView& v, VkRenderPass pass, VkFramebuffer fb) {
  // A slot's fence was waited on: every frame but the one on the other slot has finished.
  if (frame_ >= kFramesInFlight) {
    overlay_->collect(frame_ - kFramesInFlight);
    scene_->collect_retired(frame_ - kFramesInFlight);
  }
  stats_.draw_calls = 0;
  stats_.triangles = 0;
  stats_.lines = 0;
  stats_.chunks_culled = 0;
  stats_.building_chunks_drawn = 0;
  stats_.building_chunks_culled = 0;
  stats_.triangles_facing_away = 0;
  stats_.building_clusters_lod = 0;
  stats_.buildings_culled_on_cpu = false;
  // RendererOptions::outlines_after_first_frame: only in a frame that is shown or timed, never in
  // one read back.
  const bool has_buildings = !scene_->building_records().empty();
  stats_.outlines_put_off = outlines_later_ && has_buildings && (v.adaptive_budget || !v.in->read_back);
  if (has_buildings) outlines_later_ = false;
  stats_.pipelines_ms = compiler_->wall_ms();
  scene_->record_pending_copies(v.cmd);
  stats_.style_blocks_uploaded = scene_->sync_styles(v.slot, *v.f);
  culling_->record(v, *scene_);
  mark(v, kFlowCullBefore);  // every frame writes every stamp (a query never written reads as not ready)
  flows_->record_culling(v);
  mark(v, kFlowCullAfter);
  VkClearValue clears[3]{};
  clears[0].color = {{0.80f, 0.85f, 0.90f, 1.0f}};
  clears[1].depthStencil = {0.0f, 0};  // reverse-Z: far is 0
  clears[2].color = clears[0].color;
  VkRenderPassBeginInfo rb{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
  rb.renderPass = pass;  // the pipelines were built with the readback pass; the two differ only in final layout
  rb.framebuffer = fb;
  rb.renderArea = {{0, 0}, {v.w, v.h}};
  rb.clearValueCount = samples_ != VK_SAMPLE_COUNT_1_BIT ? 3 : 2;
  rb.pClearValues = clears;
  vkCmdBeginRenderPass(v.cmd, &rb, VK_SUBPASS_CONTENTS_INLINE);
  set_viewport(v.cmd, v.w, v.h);
  ground_->record(v, scene_->ground_draws());
  buildings_->record(v, *scene_, *culling_);
  if (!stats_.outlines_put_off) edges_->record(v, *scene_, *culling_);
  mark(v, kRibbonsBefore);
  flows_->record_draws(v);  // flow arcs go over buildings and under the site markers
  mark(v, kRibbonsAfter);
  markers_->record(v, scene_->marker_draws());
  overlay_->record(v.cmd, v.in->ui, stats_);
  vkCmdEndRenderPass(v.cmd);
  stats_.pipelines_ms = compiler_->wall_ms();
}

Result<Image> VulkanRenderer::render_offscreen(const FrameInput& in, uint32_t w, uint32_t h) try {
  if (!in.frame) return Failure(Failure::ConfigurationError, "render_offscreen: no frame snapshot to draw");
  const uint32_t max_dim = ctx_->info.max_image_dimension;
  if (w == 0 || h == 0 || w > max_dim || h > max_dim)
    return Failure(Failure::ConfigurationError, "image size " + std::to_string(w) + "x" + std::to_string(h) +
                                                    " is outside what this device renders in one piece (1.." +
                                                    std::to_string(max_dim) + " per side)");
  const auto t0 = std::chrono::steady_clock::now();
  if (offscreen_.w != w || offscreen_.h != h) {
    wait_idle();
    offscreen_ = Target{};
    offscreen_ = make_offscreen_target(ctx_->dev, pass_readback_.vk(), color_format_, samples_, w, h);
  }
  check_device();
  const uint32_t slot_index = frame_++ % kFramesInFlight;
  FrameSlot& slot = slots_[slot_index];
  begin_slot(slot);
  VkFence fence = slot.fence.vk();
  vk::check(vkResetFences(dev(), 1, &fence), "vkResetFences");
  const auto t_rec = std::chrono::steady_clock::now();
  begin_commands(slot.cmd);
  timestamp(slot, false);
  FrameView v;
  v.cmd = slot.cmd;
  v.slot = slot_index;
  v.stats = &stats_;
  v.adaptive_budget = in.adaptive_flow_budget;
  v.set_camera(in, w, h);
  record_frame(v, pass_readback_.vk(), offscreen_.framebuffers[0].vk());
  VkBufferImageCopy copy{};
  copy.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  copy.imageExtent = {w, h, 1};
  if (in.read_back)
    vkCmdCopyImageToBuffer(slot.cmd, offscreen_.resolve.vk(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                           offscreen_.readback.vk(), 1, &copy);
  host_read_barrier(slot.cmd, offscreen_.readback.vk());
  timestamp(slot, true);
  vk::check(vkEndCommandBuffer(slot.cmd), "vkEndCommandBuffer");
  stats_.record_cpu_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_rec).count();
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &slot.cmd;
  vk::check(vkQueueSubmit(ctx_->queue, 1, &si, fence), "vkQueueSubmit");
  vk::check(vkWaitForFences(dev(), 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  culling_->collect_stats(slot_index, stats_);  // this frame's: it has finished
  if (!read_timestamps(slot))
    stats_.gpu_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  stats_.gpu_memory_bytes = ctx_->memory.allocated;

  Image img;
  img.width = w;
  img.height = h;
  if (!in.read_back) return img;
  img.rgba.resize(size_t(w) * h * 4);
  const auto* src = static_cast<const uint8_t*>(offscreen_.readback.mapped());
  const bool bgra = color_format_ == VK_FORMAT_B8G8R8A8_UNORM || color_format_ == VK_FORMAT_B8G8R8A8_SRGB;
  for (size_t i = 0; i < size_t(w) * h; ++i) {
    img.rgba[i * 4 + 0] = src[i * 4 + (bgra ? 2 : 0)];
    img.rgba[i * 4 + 1] = src[i * 4 + 1];
    img.rgba[i * 4 + 2] = src[i * 4 + (bgra ? 0 : 2)];
    img.rgba[i * 4 + 3] = 255;
  }
  return img;
} catch (const vk::Error& e) {
  return Failure(Failure::GeneralError, std::string("rendering offscreen: ") + failed(e));
}

PresentResult VulkanRenderer::render_window(const FrameInput& in) try {
  if (!window_ || !in.frame) return PresentResult::Error;
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(opt_.window, &fw, &fh);
  if (fw <= 0 || fh <= 0) return PresentResult::Skipped;
  if (window_->needs_recreate()) overlay_->set_min_image_count(window_->recreate());
  if (!window_->usable()) return PresentResult::Skipped;
  check_device();

  const uint32_t slot_index = frame_ % kFramesInFlight;
  FrameSlot& slot = slots_[slot_index];
  begin_slot(slot);
  VkFence fence = slot.fence.vk();
  uint32_t index = 0;
  // A held frame that was never presented (the wall went on without it): this frame is drawn over
  // it in the same image, which is still ours; the submit waits for the held frame's `rendered`
  // semaphore instead of an acquire and signals it again (it stays held if this frame fails first).
  const bool redraw = window_->held.has_value();
  if (redraw) {
    index = *window_->held;
  } else {
    VkResult r = vkAcquireNextImageKHR(dev(), window_->vk(), UINT64_MAX, slot.acquired.vk(), VK_NULL_HANDLE, &index);
    if (r == VK_ERROR_OUT_OF_DATE_KHR) {
      window_->mark_stale();
      return PresentResult::Skipped;
    }
    if (r != VK_SUCCESS && r != VK_SUBOPTIMAL_KHR) vk::check(r, "vkAcquireNextImageKHR");
    if (r == VK_SUBOPTIMAL_KHR) window_->mark_stale();
  }
  ++frame_;
  vk::check(vkResetFences(dev(), 1, &fence), "vkResetFences");

  const auto t_rec = std::chrono::steady_clock::now();
  begin_commands(slot.cmd);
  timestamp(slot, false);
  const VkExtent2D ext = window_->extent();
  FrameView v;
  v.cmd = slot.cmd;
  v.slot = slot_index;
  v.stats = &stats_;
  v.adaptive_budget = true;
  v.set_camera(in, ext.width, ext.height);
  record_frame(v, pass_present_.vk(), window_->framebuffer(index));
  culling_->collect_stats(slot_index, stats_);  // the slot's previous frame (the GPU has not run this one)
  timestamp(slot, true);
  vk::check(vkEndCommandBuffer(slot.cmd), "vkEndCommandBuffer");
  stats_.record_cpu_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_rec).count();
  stats_.gpu_memory_bytes = ctx_->memory.allocated;

  VkPipelineStageFlags wait_stage = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  VkSemaphore rendered = window_->rendered(index), acquired = redraw ? rendered : slot.acquired.vk();
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.waitSemaphoreCount = 1;
  si.pWaitSemaphores = &acquired;
  si.pWaitDstStageMask = &wait_stage;
  si.commandBufferCount = 1;
  si.pCommandBuffers = &slot.cmd;
  si.signalSemaphoreCount = 1;
  si.pSignalSemaphores = &rendered;
  vk::check(vkQueueSubmit(ctx_->queue, 1, &si, fence), "vkQueueSubmit");
  window_->held.reset();
  if (in.hold_present) {
    window_->held = index;
    return PresentResult::Ok;
  }
  return present(index);
} catch (const vk::Error& e) {
  std::fprintf(stderr, "parktwin: frame failed: %s\n", failed(e).c_str());
  return PresentResult::Error;
}

PresentResult VulkanRenderer::present(uint32_t index) {
  window_->present(index);
  return PresentResult::Ok;
}

PresentResult VulkanRenderer::present_held() try {
  if (!window_ || !window_->held) return PresentResult::Skipped;
  const uint32_t index = *window_->held;
  window_->held.reset();
  return present(index);
} catch (const vk::Error& e) {
  std::fprintf(stderr, "parktwin: present failed: %s\n", failed(e).c_str());
  return PresentResult::Error;
}

Result<PickHit> VulkanRenderer::pick(const FrameInput& in, uint32_t w, uint32_t h, uint32_t x, uint32_t y) try {
  if (!in.frame) return Failure(Failure::ConfigurationError, "pick: no frame snapshot");
  if (w == 0 || h == 0 || x >= w || y >= h) return PickHit{};
  wait_idle();  // picking is rare (a click, a resting cursor): simplest to own the device meanwhile
  FrameView v;
  v.slot = 0;  // idle: slot 0's per-frame buffers are free
  v.stats = &stats_;
  v.set_camera(in, w, h);
  return decode_pick(picks_->pick(v, x, y, *scene_, [this](const auto& record) { submit_now(record); }));
} catch (const vk::Error& e) {
  return Failure(Failure::GeneralError, std::string("picking: ") + failed(e));
}

Result<bool> VulkanRenderer::init_imgui() try {
  overlay_->init();
  return true;
} catch (const vk::Error& e) {
  return Failure(Failure::GeneralError, std::string("setting up the UI renderer: ") + failed(e));
}

Result<uint32_t> VulkanRenderer::ui_image_upload(const Image& img) try {
  if (!overlay_->images()) return Failure(Failure::ConfigurationError, "UI images need the UI renderer (init_imgui) first");
  return overlay_->images()->upload(img);
} catch (const vk::Error& e) {
  return Failure(Failure::GeneralError, std::string("uploading a UI image: ") + failed(e));
}

}  // namespace

PickHit decode_pick(uint32_t id) {
  PickHit h;
  const uint32_t kind = id >> 28;
  if (kind == 1) {
    h.kind = PickHit::Building;
    h.index = id & 0x0FFFFFFFu;
  } else if (kind == 2 || kind == 3) {
    h.kind = kind == 2 ? PickHit::Feature : PickHit::Marker;
    h.layer = (id >> 20) & 0xFFu;
    h.index = id & 0xFFFFFu;
  }
  return h;
}

Result<std::unique_ptr<Renderer>> Renderer::create(const RendererOptions& options) try {
  return std::unique_ptr<Renderer>(new VulkanRenderer(options));
} catch (const vk::Error& e) {
  return Failure(Failure::ResourceUnavailable,
                 std::string("cannot start Vulkan: ") + e.what() +
                     ". Install a Vulkan driver (mesa-vulkan-drivers provides the CPU driver lavapipe) or pick "
                     "another device with PARKTWIN_DEVICE=<name part>");
}

}  // namespace parktwin::render
