// The Vulkan renderer. One render pass layout, five pipelines, mesh buffers per scene chunk (an
// edit re-uploads only its chunks; replaced buffers live until the frames that used them are done),
// a per-building style buffer per frame in flight, and two targets (offscreen image or swapchain)
// that share all of it. Vulkan failures inside are vk::Error exceptions, turned into Failure
// values at the public entry points.
#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <utility>

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_vulkan.h>

#include "context.h"
#include "parktwin/scene/flows.h"
#include "gpu_types.h"
#include "parktwin/render/renderer.h"
#include "ui_images.h"
#include "vk_util.h"

namespace parktwin::render {
namespace {

const uint32_t kBuildingsVert[] = {
#include "buildings.vert.inc"
};
const uint32_t kBuildingsFrag[] = {
#include "buildings.frag.inc"
};
const uint32_t kEdgesVert[] = {
#include "edges.vert.inc"
};
const uint32_t kEdgesFrag[] = {
#include "edges.frag.inc"
};
const uint32_t kFlatVert[] = {
#include "flat.vert.inc"
};
const uint32_t kFlatFrag[] = {
#include "flat.frag.inc"
};
const uint32_t kMarkersVert[] = {
#include "markers.vert.inc"
};
const uint32_t kMarkersFrag[] = {
#include "markers.frag.inc"
};
const uint32_t kFlowsCullComp[] = {
#include "flows_cull.comp.inc"
};
const uint32_t kFlowsVert[] = {
#include "flows.vert.inc"
};
const uint32_t kFlowsFrag[] = {
#include "flows.frag.inc"
};
const uint32_t kPickBuildingsVert[] = {
#include "pick_buildings.vert.inc"
};
const uint32_t kPickFlatVert[] = {
#include "pick_flat.vert.inc"
};
const uint32_t kPickMarkersVert[] = {
#include "pick_markers.vert.inc"
};
const uint32_t kPickFrag[] = {
#include "pick.frag.inc"
};
const uint32_t kUiImageVert[] = {
#include "ui_image.vert.inc"
};
const uint32_t kUiImageFrag[] = {
#include "ui_image.frag.inc"
};
constexpr VkFormat kPickFormat = VK_FORMAT_R32_UINT;

/// Segments per ribbon in each level-of-detail bin (shaders/flows_cull.comp picks the bin).
constexpr uint32_t kFlowBinSegments[3] = {3, 8, 24};
/// At most about this many arcs are drawn; beyond it the smallest by value give way.
constexpr uint32_t kFlowBudget = 4000;
constexpr double kFlowMinLogValueStart = 0.0;

constexpr uint32_t kFramesInFlight = 2;
constexpr VkFormat kDepthFormat = VK_FORMAT_D32_SFLOAT;
constexpr double kEdgeMaxDistance = 9000.0;

enum class DrawKind : uint8_t { Fill, Lines, Buildings, Edges, Markers, Flows, PickFill, PickBuildings, PickMarkers };

/// One draw of a chunk: which buffers and ranges, where its origin is, and its bounds for culling.
struct DrawItem {
  DrawKind kind;
  uint32_t layer;
  glm::dvec2 origin;
  glm::dvec2 bmin, bmax;
  double zmax;
  uint32_t first, count;
  int32_t vertex_offset;
  VkBuffer vb = VK_NULL_HANDLE, ib = VK_NULL_HANDLE;  ///< owned by a GpuChunk (or the marker buffer)
};

/// One scene chunk on the GPU: its vertex and index buffers, the chunk revision they hold, and its
/// draws (fill + lines of a ground chunk, buildings + edges of a building chunk; empty ones left out).
struct GpuChunk {
  vk::Buffer vb, ib;
  uint64_t revision = 0;
  std::vector<DrawItem> draws;
};
struct GpuLayer {
  std::vector<GpuChunk> ground, buildings;
};

/// Aspect ratio of the full view when the target shows only its sub-rectangle `in.subrect`.
double full_aspect(uint32_t w, uint32_t h, const FrameInput& in) {
  const double sub_w = std::max(1e-9, in.subrect.z - in.subrect.x), sub_h = std::max(1e-9, in.subrect.w - in.subrect.y);
  return static_cast<double>(w) / std::max(1u, h) * (sub_h / sub_w);
}

/// Images and framebuffers of one render size.
struct Target {
  uint32_t w = 0, h = 0;
  vk::Image color_msaa, depth, resolve;
  std::vector<vk::Framebuffer> framebuffers;
  vk::Buffer readback;
};

struct FrameSlot {
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  vk::Fence fence;
  vk::Semaphore acquired;
  vk::Buffer styles;
  uint64_t styles_revision = 0;
  VkDescriptorSet set = VK_NULL_HANDLE;
  // Flow arcs: per-frame visible lists, indirect draws and live factors (the GPU writes the first two).
  vk::Buffer flow_visible, flow_indirect, flow_live;
  VkDescriptorSet flow_set = VK_NULL_HANDLE;
  uint64_t flow_live_revision = UINT64_MAX;
  bool flow_counts_valid = false;  ///< the indirect buffer holds counts of a finished frame
};

struct SwapchainState {
  vk::Swapchain swapchain;
  VkExtent2D extent{0, 0};
  std::vector<VkImage> images;
  std::vector<vk::ImageView> views;
  std::vector<vk::Semaphore> rendered;
  Target target;
  bool stale = true;
  /// A frame rendered with FrameInput::hold_present waits for present_held() in this image
  /// (acquired, its `rendered` semaphore signalled); empty = none held.
  std::optional<uint32_t> held;
};

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
  void shutdown_imgui() override;
  void imgui_new_frame() override {
    if (imgui_ready_) ImGui_ImplVulkan_NewFrame();
  }
  Result<uint32_t> ui_image_upload(const Image& img) override;
  void ui_image_release(uint32_t id) override {
    if (ui_images_) ui_images_->release(id, frame_);
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
  /// A one-subpass pass: colour (multisampled when `samples` > 1, then resolved), reverse-Z depth.
  vk::RenderPass make_render_pass(VkFormat color, VkSampleCountFlagBits samples, VkImageLayout final_layout);
  vk::ShaderModule make_shader(const uint32_t* code, size_t bytes);
  void create_pipelines();
  vk::Pipeline make_pipeline(const uint32_t* vs, size_t vs_bytes, const uint32_t* fs, size_t fs_bytes, DrawKind kind);
  void submit_now(const std::function<void(VkCommandBuffer)>& record);
  vk::Buffer make_static_buffer(const void* data, size_t bytes, VkBufferUsageFlags usage);
  /// A device buffer holding `bytes` from `parts` (pointer, size pairs, concatenated): written
  /// directly where memory is shared, else through a staging copy queued in pending_copies_ for the
  /// next command buffer.
  vk::Buffer make_mesh_buffer(std::initializer_list<std::pair<const void*, size_t>> parts, VkBufferUsageFlags usage);
  /// Uploads chunk meshes into `g` (buffers and draws); old buffers are retired.
  void upload_ground_chunk(const scene::GroundChunk& c, uint32_t layer, GpuChunk& g);
  void upload_building_chunk(const scene::BuildingChunk& c, uint32_t layer, GpuChunk& g);
  /// Retires a GPU chunk's buffers and draws; it now stands for chunk revision `revision`.
  void reset_chunk(GpuChunk& g, uint64_t revision);
  /// Keeps a buffer alive until every frame started so far has finished.
  void retire(vk::Buffer&& b);
  /// Destroys retired buffers no frame can still use (every frame before `frames_done` finished).
  void collect_retired(uint64_t frames_done);
  /// Records the queued staging copies (before the render pass) and retires their staging buffers.
  void record_pending_copies(VkCommandBuffer cmd);
  /// draws_ from the GPU chunks and markers, in draw order.
  void rebuild_draws();
  void make_target(Target& t, uint32_t w, uint32_t h, bool offscreen);
  void sync_styles(FrameSlot& slot, const scene::FrameSnapshot& f);
  void record_scene(VkCommandBuffer cmd, VkRenderPass pass, VkFramebuffer fb, uint32_t w, uint32_t h,
                    const FrameInput& in, FrameSlot& slot);
  void recreate_swapchain();
  PresentResult present(uint32_t index);
  void create_frame_slots();
  void create_flow_pipelines();
  /// A set layout of `n` storage buffers for `stages` and a pipeline layout with it and the
  /// DrawConstants push range for `push_stages`.
  void make_storage_layouts(uint32_t n, VkShaderStageFlags stages, VkShaderStageFlags push_stages,
                            vk::DescriptorSetLayout& set_layout, vk::PipelineLayout& layout, const char* what);
  Result<bool> upload_flows(const scene::Scene& scene);
  void record_flow_culling(VkCommandBuffer cmd, const FrameInput& in, uint32_t w, uint32_t h, FrameSlot& slot);
  void record_flow_draws(VkCommandBuffer cmd, const FrameInput& in, uint32_t w, uint32_t h, FrameSlot& slot);

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
  RendererOptions opt_;
  std::unique_ptr<Context> ctx_;
  GLFWwindow* window_ = nullptr;
  VkSurfaceKHR surface_ = VK_NULL_HANDLE;
  VkFormat color_format_ = VK_FORMAT_B8G8R8A8_UNORM;
  VkSampleCountFlagBits samples_ = VK_SAMPLE_COUNT_1_BIT;
  vk::RenderPass pass_readback_, pass_present_;
  vk::DescriptorSetLayout set_layout_;
  vk::PipelineLayout layout_;
  vk::Pipeline pipe_fill_, pipe_lines_, pipe_buildings_, pipe_edges_, pipe_markers_;
  vk::CommandPool cmd_pool_;
  vk::DescriptorPool desc_pool_, imgui_pool_;
  std::array<FrameSlot, kFramesInFlight> slots_;
  uint32_t frame_ = 0;
  Target offscreen_;
  SwapchainState sc_;

  vk::Buffer marker_vb_;
  std::vector<GpuLayer> gpu_layers_;     ///< per scene layer, its chunks on the GPU
  std::vector<DrawItem> marker_draws_;
  struct Retired {
    uint64_t after;  ///< frames started when retired: free once every frame before it has finished
    vk::Buffer buffer;
  };
  std::vector<Retired> retired_;
  struct PendingCopy {
    vk::Buffer staging;
    VkBuffer dst;
    VkDeviceSize bytes;
  };
  std::vector<PendingCopy> pending_copies_;
  bool direct_uploads_ = false;  ///< mesh buffers are host-visible device memory (CPU / integrated GPU)
  // Object-id picking: its own pass (R32_UINT + depth, one sample), pipelines and a small target.
  vk::RenderPass pass_pick_;
  vk::Pipeline pipe_pick_fill_, pipe_pick_buildings_, pipe_pick_markers_;
  struct PickTarget {
    uint32_t w = 0, h = 0;
    vk::Image id, depth;
    vk::Framebuffer fb;
    vk::Buffer readback;
  } pick_target_;
  vk::DescriptorSetLayout flow_set_layout_;
  vk::PipelineLayout flow_layout_;
  vk::Pipeline pipe_flows_, pipe_flow_cull_;
  vk::Buffer flow_arcs_;
  uint32_t flow_count_ = 0;
  size_t flow_live_count_ = 0;  ///< enterprises the live-pace buffers hold
  glm::dvec2 flow_origin_{0.0};
  /// Enterprise arcs below this log10(yuan/yr) are not drawn: raised while more than
  /// kFlowBudget arcs are visible, so a view full of flows shows its largest ones and stays fast.
  double flow_min_log_value_ = 0.0;
  void adapt_flow_budget(FrameSlot& slot);
  /// Destroys released UI images: called with a frame slot's fence waited on, so every frame but
  /// the one on the other slot has finished.
  void retire_ui_images() {
    if (ui_images_ && frame_ >= kFramesInFlight) ui_images_->collect(frame_ - kFramesInFlight);
    if (frame_ >= kFramesInFlight) collect_retired(frame_ - kFramesInFlight);
  }
  std::vector<DrawItem> draws_;
  bool imgui_ready_ = false;
  std::unique_ptr<UiImages> ui_images_;  ///< thumbnails drawn inside ImGui's pass (ui_images.h)
  RenderStats stats_;
};

VulkanRenderer::VulkanRenderer(const RendererOptions& opt) : opt_(opt), window_(opt.window) {
  if (const char* f = std::getenv("PARKTWIN_FAULT_DEVICE_LOST_AFTER")) fault_after_frames_ = std::strtoull(f, nullptr, 10);
  std::vector<const char*> exts;
  if (window_) {
    uint32_t n = 0;
    const char** names = glfwGetRequiredInstanceExtensions(&n);
    if (!names) throw vk::Error("glfwGetRequiredInstanceExtensions: the window system offers no Vulkan surface",
                                VK_ERROR_EXTENSION_NOT_PRESENT);
    exts.assign(names, names + n);
  }
  ctx_ = std::make_unique<Context>(opt, exts, window_ != nullptr);
  if (window_) vk::check(glfwCreateWindowSurface(ctx_->instance, window_, nullptr, &surface_), "glfwCreateWindowSurface");
  ctx_->create_device(surface_);
  samples_ = ctx_->info.msaa == 4 ? VK_SAMPLE_COUNT_4_BIT : VK_SAMPLE_COUNT_1_BIT;

  if (surface_) {
    const auto formats = vk::enumerate<VkSurfaceFormatKHR>(
        "vkGetPhysicalDeviceSurfaceFormatsKHR", [this](uint32_t* n, VkSurfaceFormatKHR* p) {
          return vkGetPhysicalDeviceSurfaceFormatsKHR(ctx_->dev.physical, surface_, n, p);
        });
    // UNORM so the window shows exactly what offscreen renders write to PNG.
    color_format_ = formats.empty() ? VK_FORMAT_B8G8R8A8_UNORM : formats[0].format;
    for (const auto& f : formats)
      if (f.format == VK_FORMAT_B8G8R8A8_UNORM || f.format == VK_FORMAT_R8G8B8A8_UNORM) {
        color_format_ = f.format;
        break;
      }
  }
  pass_readback_ = make_render_pass(color_format_, samples_, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
  if (surface_) pass_present_ = make_render_pass(color_format_, samples_, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR);

  VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pi.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pi.queueFamilyIndex = ctx_->queue_family;
  VkCommandPool pool;
  vk::check(vkCreateCommandPool(dev(), &pi, nullptr, &pool), "vkCreateCommandPool");
  cmd_pool_ = vk::CommandPool(dev(), pool);

  make_storage_layouts(1, VK_SHADER_STAGE_VERTEX_BIT, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT,
                       set_layout_, layout_, "styles");

  // Per frame in flight: the style set (1 buffer) and the flow set (4 buffers).
  VkDescriptorPoolSize ps{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kFramesInFlight * 5};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.maxSets = kFramesInFlight * 2;
  dpi.poolSizeCount = 1;
  dpi.pPoolSizes = &ps;
  VkDescriptorPool dp;
  vk::check(vkCreateDescriptorPool(dev(), &dpi, nullptr, &dp), "vkCreateDescriptorPool");
  desc_pool_ = vk::DescriptorPool(dev(), dp);

  create_pipelines();
  create_flow_pipelines();
  create_frame_slots();
  {
    const VkMemoryPropertyFlags direct = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                         VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    const bool unified = ctx_->props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU ||
                         ctx_->props.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
    // PARKTWIN_STAGING_UPLOADS=1 takes the staging path of discrete GPUs anywhere (tests of it).
    const char* staging = std::getenv("PARKTWIN_STAGING_UPLOADS");
    direct_uploads_ = unified && ctx_->dev.find_memory_type(~0u, direct) != UINT32_MAX && !(staging && *staging == '1');
  }
}

VulkanRenderer::~VulkanRenderer() {
  wait_idle();
  shutdown_imgui();
  ui_images_.reset();
  // Members holding device objects go before the context (declared after it, destroyed first),
  // except these, which need the device explicitly.
  for (auto& s : slots_) s = FrameSlot{};
  sc_ = SwapchainState{};
  offscreen_ = Target{};
  gpu_layers_.clear();
  retired_.clear();
  pending_copies_.clear();
  marker_vb_.reset();
  flow_arcs_.reset();
  pipe_flows_.reset();
  pipe_flow_cull_.reset();
  pick_target_ = PickTarget{};
  pipe_pick_fill_.reset();
  pipe_pick_buildings_.reset();
  pipe_pick_markers_.reset();
  pass_pick_.reset();
  flow_layout_.reset();
  flow_set_layout_.reset();
  pipe_fill_.reset();
  pipe_lines_.reset();
  pipe_buildings_.reset();
  pipe_edges_.reset();
  pipe_markers_.reset();
  layout_.reset();
  set_layout_.reset();
  desc_pool_.reset();
  imgui_pool_.reset();
  cmd_pool_.reset();
  pass_readback_.reset();
  pass_present_.reset();
  if (surface_) vkDestroySurfaceKHR(ctx_->instance, surface_, nullptr);
  ctx_.reset();
}

void VulkanRenderer::create_frame_slots() {
  VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  ai.commandPool = cmd_pool_.vk();
  ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  ai.commandBufferCount = 1;
  for (auto& s : slots_) {
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
    VkDescriptorSetAllocateInfo dai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    dai.descriptorPool = desc_pool_.vk();
    dai.descriptorSetCount = 1;
    VkDescriptorSetLayout sl = set_layout_.vk();
    dai.pSetLayouts = &sl;
    vk::check(vkAllocateDescriptorSets(dev(), &dai, &s.set), "vkAllocateDescriptorSets");
    VkDescriptorSetLayout fl = flow_set_layout_.vk();
    dai.pSetLayouts = &fl;
    vk::check(vkAllocateDescriptorSets(dev(), &dai, &s.flow_set), "vkAllocateDescriptorSets (flows)");
  }
}

vk::RenderPass VulkanRenderer::make_render_pass(VkFormat format, VkSampleCountFlagBits samples,
                                                VkImageLayout final_layout) {
  const bool msaa = samples != VK_SAMPLE_COUNT_1_BIT;
  std::vector<VkAttachmentDescription> att;
  VkAttachmentDescription color{};
  color.format = format;
  color.samples = samples;
  color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
  color.storeOp = msaa ? VK_ATTACHMENT_STORE_OP_DONT_CARE : VK_ATTACHMENT_STORE_OP_STORE;
  color.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
  color.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  color.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  color.finalLayout = msaa ? VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL : final_layout;
  att.push_back(color);
  VkAttachmentDescription depth = color;
  depth.format = kDepthFormat;
  depth.storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  depth.finalLayout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL;
  att.push_back(depth);
  if (msaa) {
    VkAttachmentDescription resolve = color;
    resolve.samples = VK_SAMPLE_COUNT_1_BIT;
    resolve.loadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    resolve.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    resolve.finalLayout = final_layout;
    att.push_back(resolve);
  }
  VkAttachmentReference cref{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
  VkAttachmentReference dref{1, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL};
  VkAttachmentReference rref{2, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
  VkSubpassDescription sub{};
  sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
  sub.colorAttachmentCount = 1;
  sub.pColorAttachments = &cref;
  sub.pDepthStencilAttachment = &dref;
  sub.pResolveAttachments = msaa ? &rref : nullptr;
  std::array<VkSubpassDependency, 2> deps{};
  deps[0].srcSubpass = VK_SUBPASS_EXTERNAL;
  deps[0].dstSubpass = 0;
  deps[0].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT |
                         VK_PIPELINE_STAGE_TRANSFER_BIT;
  deps[0].dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT;
  deps[0].srcAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT |
                          VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  deps[0].dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT | VK_ACCESS_COLOR_ATTACHMENT_READ_BIT |
                          VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_READ_BIT;
  deps[1].srcSubpass = 0;
  deps[1].dstSubpass = VK_SUBPASS_EXTERNAL;
  deps[1].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  deps[1].dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT;
  deps[1].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  deps[1].dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  VkRenderPassCreateInfo ri{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
  ri.attachmentCount = static_cast<uint32_t>(att.size());
  ri.pAttachments = att.data();
  ri.subpassCount = 1;
  ri.pSubpasses = &sub;
  ri.dependencyCount = static_cast<uint32_t>(deps.size());
  ri.pDependencies = deps.data();
  VkRenderPass rp;
  vk::check(vkCreateRenderPass(dev(), &ri, nullptr, &rp), "vkCreateRenderPass");
  return vk::RenderPass(dev(), rp);
}

vk::ShaderModule VulkanRenderer::make_shader(const uint32_t* code, size_t bytes) {
  VkShaderModuleCreateInfo si{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  si.codeSize = bytes;
  si.pCode = code;
  VkShaderModule m;
  vk::check(vkCreateShaderModule(dev(), &si, nullptr, &m), "vkCreateShaderModule");
  return vk::ShaderModule(dev(), m);
}

vk::Pipeline VulkanRenderer::make_pipeline(const uint32_t* vs, size_t vs_bytes, const uint32_t* fs, size_t fs_bytes,
                                           DrawKind kind) {
  vk::ShaderModule vm = make_shader(vs, vs_bytes), fm = make_shader(fs, fs_bytes);
  VkPipelineShaderStageCreateInfo stages[2]{};
  stages[0] = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_VERTEX_BIT, vm.vk(), "main", nullptr};
  stages[1] = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_FRAGMENT_BIT, fm.vk(), "main", nullptr};

  std::vector<VkVertexInputBindingDescription> bindings;
  std::vector<VkVertexInputAttributeDescription> attrs;
  const bool pick = kind == DrawKind::PickFill || kind == DrawKind::PickBuildings || kind == DrawKind::PickMarkers;
  const bool building_like = kind == DrawKind::Buildings || kind == DrawKind::Edges || kind == DrawKind::PickBuildings;
  if (kind == DrawKind::PickBuildings) {
    bindings.push_back({0, sizeof(gis::BuildingVertex), VK_VERTEX_INPUT_RATE_VERTEX});
    attrs.push_back({0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(gis::BuildingVertex, x)});
    attrs.push_back({1, 0, VK_FORMAT_R32_SFLOAT, offsetof(gis::BuildingVertex, top)});
    attrs.push_back({2, 0, VK_FORMAT_R32_UINT, offsetof(gis::BuildingVertex, building)});
  } else if (kind == DrawKind::PickFill) {
    bindings.push_back({0, sizeof(gis::FlatVertex), VK_VERTEX_INPUT_RATE_VERTEX});
    attrs.push_back({0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(gis::FlatVertex, x)});
    attrs.push_back({2, 0, VK_FORMAT_R32_UINT, offsetof(gis::FlatVertex, feature)});
  } else if (kind == DrawKind::PickMarkers) {
    bindings.push_back({0, sizeof(MarkerInstance), VK_VERTEX_INPUT_RATE_INSTANCE});
    attrs.push_back({0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(MarkerInstance, x)});
    attrs.push_back({2, 0, VK_FORMAT_R32_SFLOAT, offsetof(MarkerInstance, size_px)});
  } else if (building_like) {
    bindings.push_back({0, sizeof(gis::BuildingVertex), VK_VERTEX_INPUT_RATE_VERTEX});
    attrs.push_back({0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(gis::BuildingVertex, x)});
    attrs.push_back({1, 0, VK_FORMAT_R32_SFLOAT, offsetof(gis::BuildingVertex, top)});
    attrs.push_back({2, 0, VK_FORMAT_R32_UINT, offsetof(gis::BuildingVertex, building)});
    if (kind == DrawKind::Buildings) attrs.push_back({3, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(gis::BuildingVertex, nx)});
  } else if (kind == DrawKind::Markers) {
    bindings.push_back({0, sizeof(MarkerInstance), VK_VERTEX_INPUT_RATE_INSTANCE});
    attrs.push_back({0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(MarkerInstance, x)});
    attrs.push_back({1, 0, VK_FORMAT_R32_UINT, offsetof(MarkerInstance, rgba)});
    attrs.push_back({2, 0, VK_FORMAT_R32_SFLOAT, offsetof(MarkerInstance, size_px)});
  } else if (kind == DrawKind::Flows) {
    // No vertex input: the vertex shader reads the arcs from storage buffers.
  } else {
    bindings.push_back({0, sizeof(gis::FlatVertex), VK_VERTEX_INPUT_RATE_VERTEX});
    attrs.push_back({0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(gis::FlatVertex, x)});
    attrs.push_back({1, 0, VK_FORMAT_R32_UINT, offsetof(gis::FlatVertex, rgba)});
  }
  VkPipelineVertexInputStateCreateInfo vi{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
  vi.vertexBindingDescriptionCount = static_cast<uint32_t>(bindings.size());
  vi.pVertexBindingDescriptions = bindings.data();
  vi.vertexAttributeDescriptionCount = static_cast<uint32_t>(attrs.size());
  vi.pVertexAttributeDescriptions = attrs.data();
  VkPipelineInputAssemblyStateCreateInfo ia{VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
  ia.topology = (kind == DrawKind::Lines || kind == DrawKind::Edges) ? VK_PRIMITIVE_TOPOLOGY_LINE_LIST
                                                                     : VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
  VkPipelineRasterizationStateCreateInfo rs{VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
  rs.polygonMode = VK_POLYGON_MODE_FILL;
  // Extrusions are closed: drop back faces (walls wind CCW seen from outside; the projection flips y).
  rs.cullMode = kind == DrawKind::Buildings || kind == DrawKind::PickBuildings ? VK_CULL_MODE_BACK_BIT : VK_CULL_MODE_NONE;
  rs.frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE;
  rs.lineWidth = 1.0f;
  VkPipelineMultisampleStateCreateInfo ms{VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
  ms.rasterizationSamples = pick ? VK_SAMPLE_COUNT_1_BIT : samples_;
  VkPipelineDepthStencilStateCreateInfo ds{VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO};
  // Ground layers are painted in order under everything (no depth); buildings and their edges use reverse-Z.
  ds.depthTestEnable = building_like || kind == DrawKind::Flows ? VK_TRUE : VK_FALSE;
  ds.depthWriteEnable = kind == DrawKind::Buildings || kind == DrawKind::PickBuildings ? VK_TRUE : VK_FALSE;
  ds.depthCompareOp = VK_COMPARE_OP_GREATER_OR_EQUAL;
  VkPipelineColorBlendAttachmentState blend = vk::over_blending();
  blend.blendEnable = kind == DrawKind::Buildings || pick ? VK_FALSE : VK_TRUE;  // ids are integers: no blending
  VkGraphicsPipelineCreateInfo gi{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
  gi.stageCount = 2;
  gi.pStages = stages;
  gi.pVertexInputState = &vi;
  gi.pInputAssemblyState = &ia;
  gi.pRasterizationState = &rs;
  gi.pMultisampleState = &ms;
  gi.pDepthStencilState = &ds;
  gi.layout = kind == DrawKind::Flows ? flow_layout_.vk() : layout_.vk();
  gi.renderPass = pick ? pass_pick_.vk() : pass_readback_.vk();
  gi.subpass = 0;
  return vk::make_graphics_pipeline(dev(), gi, blend, "vkCreateGraphicsPipelines");
}

void VulkanRenderer::create_pipelines() {
  pipe_fill_ = make_pipeline(kFlatVert, sizeof kFlatVert, kFlatFrag, sizeof kFlatFrag, DrawKind::Fill);
  pipe_lines_ = make_pipeline(kFlatVert, sizeof kFlatVert, kFlatFrag, sizeof kFlatFrag, DrawKind::Lines);
  pipe_buildings_ = make_pipeline(kBuildingsVert, sizeof kBuildingsVert, kBuildingsFrag, sizeof kBuildingsFrag, DrawKind::Buildings);
  pipe_edges_ = make_pipeline(kEdgesVert, sizeof kEdgesVert, kEdgesFrag, sizeof kEdgesFrag, DrawKind::Edges);
  pipe_markers_ = make_pipeline(kMarkersVert, sizeof kMarkersVert, kMarkersFrag, sizeof kMarkersFrag, DrawKind::Markers);
  // Object ids: one sample (integer attachments are not resolved), read back by transfer.
  pass_pick_ = make_render_pass(kPickFormat, VK_SAMPLE_COUNT_1_BIT, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
  pipe_pick_fill_ = make_pipeline(kPickFlatVert, sizeof kPickFlatVert, kPickFrag, sizeof kPickFrag, DrawKind::PickFill);
  pipe_pick_buildings_ =
      make_pipeline(kPickBuildingsVert, sizeof kPickBuildingsVert, kPickFrag, sizeof kPickFrag, DrawKind::PickBuildings);
  pipe_pick_markers_ =
      make_pipeline(kPickMarkersVert, sizeof kPickMarkersVert, kPickFrag, sizeof kPickFrag, DrawKind::PickMarkers);
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

vk::Buffer VulkanRenderer::make_static_buffer(const void* data, size_t bytes, VkBufferUsageFlags usage) {
  const VkMemoryPropertyFlags direct = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                       VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  const bool unified = ctx_->props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU ||
                       ctx_->props.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
  if (unified && ctx_->dev.find_memory_type(~0u, direct) != UINT32_MAX) {
    vk::Buffer b(ctx_->dev, bytes, usage, direct);
    if (bytes) std::memcpy(b.mapped(), data, bytes);
    return b;
  }
  vk::Buffer staging(ctx_->dev, bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                     VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
  if (bytes) std::memcpy(staging.mapped(), data, bytes);
  vk::Buffer b(ctx_->dev, bytes, usage | VK_BUFFER_USAGE_TRANSFER_DST_BIT, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  if (bytes)
    submit_now([&](VkCommandBuffer cmd) {
      VkBufferCopy c{0, 0, bytes};
      vkCmdCopyBuffer(cmd, staging.vk(), b.vk(), 1, &c);
    });
  return b;
}

void VulkanRenderer::make_storage_layouts(uint32_t n, VkShaderStageFlags stages, VkShaderStageFlags push_stages,
                                          vk::DescriptorSetLayout& set_layout, vk::PipelineLayout& layout,
                                          const char* what) {
  std::vector<VkDescriptorSetLayoutBinding> b(n);
  for (uint32_t i = 0; i < n; ++i) b[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, stages, nullptr};
  VkDescriptorSetLayoutCreateInfo li{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  li.bindingCount = n;
  li.pBindings = b.data();
  VkDescriptorSetLayout sl;
  vk::check(vkCreateDescriptorSetLayout(dev(), &li, nullptr, &sl), (std::string("vkCreateDescriptorSetLayout ") + what).c_str());
  set_layout = vk::DescriptorSetLayout(dev(), sl);
  VkPushConstantRange pcr{push_stages, 0, sizeof(DrawConstants)};
  VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  pli.setLayoutCount = 1;
  pli.pSetLayouts = &sl;
  pli.pushConstantRangeCount = 1;
  pli.pPushConstantRanges = &pcr;
  VkPipelineLayout pl;
  vk::check(vkCreatePipelineLayout(dev(), &pli, nullptr, &pl), (std::string("vkCreatePipelineLayout ") + what).c_str());
  layout = vk::PipelineLayout(dev(), pl);
}

void VulkanRenderer::create_flow_pipelines() {
  // One set: arcs, visible lists, indirect commands, live factors; read by the culling compute
  // shader and the ribbon vertex shader.
  make_storage_layouts(4, VK_SHADER_STAGE_COMPUTE_BIT | VK_SHADER_STAGE_VERTEX_BIT,
                       VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT | VK_SHADER_STAGE_COMPUTE_BIT,
                       flow_set_layout_, flow_layout_, "flows");
  VkPipelineLayout pl = flow_layout_.vk();

  vk::ShaderModule cm = make_shader(kFlowsCullComp, sizeof kFlowsCullComp);
  VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_COMPUTE_BIT, cm.vk(), "main", nullptr};
  ci.layout = pl;
  VkPipeline p;
  vk::check(vkCreateComputePipelines(dev(), VK_NULL_HANDLE, 1, &ci, nullptr, &p), "vkCreateComputePipelines (flows)");
  pipe_flow_cull_ = vk::Pipeline(dev(), p);
  pipe_flows_ = make_pipeline(kFlowsVert, sizeof kFlowsVert, kFlowsFrag, sizeof kFlowsFrag, DrawKind::Flows);
}

Result<bool> VulkanRenderer::upload_flows(const scene::Scene& scene) try {
  const std::vector<scene::FlowArc> arcs = scene::build_flow_arcs(scene);
  flow_count_ = static_cast<uint32_t>(arcs.size());
  flow_live_count_ = scene.enterprises.size();
  glm::dvec2 lo(1e300), hi(-1e300);
  for (const auto& a : arcs) lo = glm::min(lo, glm::min(a.a, a.b)), hi = glm::max(hi, glm::max(a.a, a.b));
  flow_origin_ = arcs.empty() ? glm::dvec2(0.0) : (lo + hi) * 0.5;
  std::vector<FlowArcGpu> gpu(std::max<size_t>(1, arcs.size()));
  for (size_t i = 0; i < arcs.size(); ++i) {
    const scene::FlowArc& a = arcs[i];
    FlowArcGpu& g = gpu[i];
    g = FlowArcGpu{};
    g.ax = static_cast<float>(a.a.x - flow_origin_.x);
    g.ay = static_cast<float>(a.a.y - flow_origin_.y);
    g.bx = static_cast<float>(a.b.x - flow_origin_.x);
    g.by = static_cast<float>(a.b.y - flow_origin_.y);
    g.height = static_cast<float>(a.height);
    g.base_z = static_cast<float>(a.base_z);
    g.width_px = a.width_px;
    g.rgba = a.rgba;
    g.packed = (static_cast<uint32_t>(std::max(0, a.chain)) & 15u) | ((static_cast<uint32_t>(a.segment) & 3u) << 4) |
               (a.level == scene::FlowLevel::Park ? 1u << 6 : 0u) | (a.supplier << 8);
    g.len_m = static_cast<float>(glm::length(a.b - a.a));
    g.pad0 = a.value_yuan_per_year > 0.0 ? static_cast<float>(std::log10(a.value_yuan_per_year)) : 0.0f;
  }
  flow_min_log_value_ = kFlowMinLogValueStart;
  flow_arcs_ = make_static_buffer(gpu.data(), gpu.size() * sizeof(FlowArcGpu), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  const size_t n = std::max<size_t>(1, arcs.size());
  for (auto& s : slots_) {
    s.flow_visible = vk::Buffer(ctx_->dev, 3 * n * sizeof(uint32_t), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    // Host-visible: after the frame's fence the CPU reads how many arcs each bin drew (48 bytes).
    s.flow_indirect = vk::Buffer(ctx_->dev, 3 * sizeof(VkDrawIndirectCommand),
                                 VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT |
                                     VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                 VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    s.flow_counts_valid = false;
    s.flow_live = vk::Buffer(ctx_->dev, std::max<size_t>(1, scene.enterprises.size()) * sizeof(float),
                             VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                             VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    s.flow_live_revision = UINT64_MAX;
    std::fill_n(static_cast<float*>(s.flow_live.mapped()), std::max<size_t>(1, scene.enterprises.size()), 1.0f);
    const VkBuffer bufs[4] = {flow_arcs_.vk(), s.flow_visible.vk(), s.flow_indirect.vk(), s.flow_live.vk()};
    std::array<VkDescriptorBufferInfo, 4> info{};
    std::array<VkWriteDescriptorSet, 4> w{};
    for (uint32_t i = 0; i < 4; ++i) {
      info[i] = {bufs[i], 0, VK_WHOLE_SIZE};
      w[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
      w[i].dstSet = s.flow_set;
      w[i].dstBinding = i;
      w[i].descriptorCount = 1;
      w[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      w[i].pBufferInfo = &info[i];
    }
    vkUpdateDescriptorSets(dev(), 4, w.data(), 0, nullptr);
  }
  return true;
} catch (const vk::Error& e) {
  return Failure(Failure::GeneralError, std::string("uploading flow arcs: ") + failed(e));
}

/// The flow constants shared by the culling dispatch and the ribbon draws.
DrawConstants flow_constants(const scene::FrameSnapshot& f, const glm::dmat4& proj_rot, glm::dvec2 origin,
                             uint32_t w, uint32_t h) {
  DrawConstants pc{};
  pc.mvp = f.camera.matrix_for_origin(proj_rot, glm::dvec3(origin, 0.0));
  pc.sun = glm::vec4(static_cast<float>(f.camera.distance), static_cast<float>(scene::kEnterpriseFlowsMaxDistance),
                     static_cast<float>(scene::kParkFlowsMinDistance), 0.0f);
  pc.params = glm::vec4(1.0f, 0.0f, static_cast<float>(w), static_cast<float>(h));
  pc.extra = glm::vec4(static_cast<float>(std::fmod(f.time_s, 3600.0)), std::bit_cast<float>(f.flows.chain_mask),
                       static_cast<float>(f.flows.highlight_chain), std::bit_cast<float>(f.flows.segment_mask));
  return pc;
}

void VulkanRenderer::record_flow_culling(VkCommandBuffer cmd, const FrameInput& in, uint32_t w, uint32_t h,
                                         FrameSlot& slot) {
  const scene::FrameSnapshot& f = *in.frame;
  if (flow_count_ == 0 || !f.flows.visible || !slot.flow_indirect) return;
  adapt_flow_budget(slot);
  // Live pace per enterprise; output_factor and flows.vert both cap it at kOutputFactorCap.
  if (slot.flow_live_revision != f.flows.pace_revision && f.flows.pace) {
    const size_t n = std::min(f.flows.pace->size(), flow_live_count_);
    std::memcpy(slot.flow_live.mapped(), f.flows.pace->data(), n * sizeof(float));
    slot.flow_live_revision = f.flows.pace_revision;
  }
  uint32_t init[12];
  for (uint32_t b = 0; b < 3; ++b) {
    init[b * 4 + 0] = kFlowBinSegments[b] * 6;  // vertices per ribbon
    init[b * 4 + 1] = 0;                        // instances: counted by the compute shader
    init[b * 4 + 2] = 0;
    init[b * 4 + 3] = 0;
  }
  vkCmdUpdateBuffer(cmd, slot.flow_indirect.vk(), 0, sizeof init, init);
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  mb.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0, nullptr, 0,
                       nullptr);
  const glm::dmat4 proj_rot = f.camera.projection(full_aspect(w, h, in), in.subrect) * f.camera.view_rotation();
  DrawConstants pc = flow_constants(f, proj_rot, flow_origin_, w, h);
  pc.params.y = static_cast<float>(flow_min_log_value_);
  if (f.flows.min_value_yuan)  // decided once for all parts of the picture
    pc.params.y = *f.flows.min_value_yuan > 0.0 ? static_cast<float>(std::log10(*f.flows.min_value_yuan))
                                                : static_cast<float>(kFlowMinLogValueStart);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipe_flow_cull_.vk());
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, flow_layout_.vk(), 0, 1, &slot.flow_set, 0, nullptr);
  vkCmdPushConstants(cmd, flow_layout_.vk(),
                     VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT | VK_SHADER_STAGE_COMPUTE_BIT, 0,
                     sizeof pc, &pc);
  vkCmdDispatch(cmd, 1, 1, 1);  // one workgroup keeps the arcs' order (shaders/flows_cull.comp)
  mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_INDIRECT_COMMAND_READ_BIT | VK_ACCESS_SHADER_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_PIPELINE_STAGE_DRAW_INDIRECT_BIT | VK_PIPELINE_STAGE_VERTEX_SHADER_BIT, 0, 1, &mb, 0, nullptr,
                       0, nullptr);
}

void VulkanRenderer::adapt_flow_budget(FrameSlot& slot) {
  // The slot's fence has been waited on: its indirect buffer holds the counts of its last frame.
  if (slot.flow_counts_valid) {
    const auto* cmds = static_cast<const VkDrawIndirectCommand*>(slot.flow_indirect.mapped());
    const uint32_t drawn = cmds[0].instanceCount + cmds[1].instanceCount + cmds[2].instanceCount;
    stats_.flows_drawn = drawn;
    if (drawn > kFlowBudget) {
      flow_min_log_value_ = std::max(flow_min_log_value_, 6.5) + std::min(1.0, 0.3 * std::log2(double(drawn) / kFlowBudget));
    } else if (drawn < kFlowBudget / 2 && flow_min_log_value_ > kFlowMinLogValueStart) {
      flow_min_log_value_ -= 0.1;
      if (flow_min_log_value_ < 6.5) flow_min_log_value_ = kFlowMinLogValueStart;
    }
  }
  stats_.flows_min_value_yuan = flow_min_log_value_ > kFlowMinLogValueStart ? std::pow(10.0, flow_min_log_value_) : 0.0;
  slot.flow_counts_valid = true;
}

void VulkanRenderer::record_flow_draws(VkCommandBuffer cmd, const FrameInput& in, uint32_t w, uint32_t h,
                                       FrameSlot& slot) {
  const scene::FrameSnapshot& f = *in.frame;
  if (flow_count_ == 0 || !f.flows.visible || !slot.flow_indirect) return;
  const glm::dmat4 proj_rot = f.camera.projection(full_aspect(w, h, in), in.subrect) * f.camera.view_rotation();
  DrawConstants pc = flow_constants(f, proj_rot, flow_origin_, w, h);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipe_flows_.vk());
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, flow_layout_.vk(), 0, 1, &slot.flow_set, 0, nullptr);
  for (uint32_t b = 0; b < 3; ++b) {
    pc.sun.w = static_cast<float>(b);
    pc.params.y = static_cast<float>(kFlowBinSegments[b]);
    vkCmdPushConstants(cmd, flow_layout_.vk(),
                       VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT | VK_SHADER_STAGE_COMPUTE_BIT, 0,
                       sizeof pc, &pc);
    vkCmdDrawIndirect(cmd, slot.flow_indirect.vk(), b * sizeof(VkDrawIndirectCommand), 1, sizeof(VkDrawIndirectCommand));
    ++stats_.draw_calls;
  }
}

vk::Buffer VulkanRenderer::make_mesh_buffer(std::initializer_list<std::pair<const void*, size_t>> parts,
                                            VkBufferUsageFlags usage) {
  size_t bytes = 0;
  for (const auto& p : parts) bytes += p.second;
  auto fill = [&](void* dst) {
    auto* d = static_cast<uint8_t*>(dst);
    for (const auto& p : parts)
      if (p.second) std::memcpy(d, p.first, p.second), d += p.second;
  };
  if (direct_uploads_) {
    vk::Buffer b(ctx_->dev, bytes, usage,
                 VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                     VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    fill(b.mapped());
    return b;
  }
  vk::Buffer staging(ctx_->dev, bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                     VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
  fill(staging.mapped());
  vk::Buffer b(ctx_->dev, bytes, usage | VK_BUFFER_USAGE_TRANSFER_DST_BIT, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  pending_copies_.push_back({std::move(staging), b.vk(), bytes});
  return b;
}

void VulkanRenderer::retire(vk::Buffer&& b) {
  if (!b) return;
  // A copy into it that no frame has recorded yet is dropped with it.
  for (auto it = pending_copies_.begin(); it != pending_copies_.end();) {
    if (it->dst == b.vk()) {
      retired_.push_back({frame_, std::move(it->staging)});
      it = pending_copies_.erase(it);
    } else {
      ++it;
    }
  }
  retired_.push_back({frame_, std::move(b)});
}

void VulkanRenderer::collect_retired(uint64_t frames_done) {
  std::erase_if(retired_, [&](const Retired& r) { return r.after <= frames_done; });
}

void VulkanRenderer::record_pending_copies(VkCommandBuffer cmd) {
  if (pending_copies_.empty()) return;
  for (PendingCopy& p : pending_copies_) {
    VkBufferCopy c{0, 0, p.bytes};
    vkCmdCopyBuffer(cmd, p.staging.vk(), p.dst, 1, &c);
  }
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  mb.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_VERTEX_ATTRIBUTE_READ_BIT | VK_ACCESS_INDEX_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_VERTEX_INPUT_BIT, 0, 1, &mb, 0, nullptr, 0,
                       nullptr);
  // This command buffer's frame (already counted in frame_) reads them.
  for (PendingCopy& p : pending_copies_) retired_.push_back({frame_, std::move(p.staging)});
  pending_copies_.clear();
}

void VulkanRenderer::reset_chunk(GpuChunk& g, uint64_t revision) {
  retire(std::move(g.vb));
  retire(std::move(g.ib));
  g.draws.clear();
  g.revision = revision;
}

void VulkanRenderer::upload_ground_chunk(const scene::GroundChunk& c, uint32_t layer, GpuChunk& g) {
  reset_chunk(g, c.revision);
  const auto& f = c.fill;
  const auto& l = c.lines;
  if (f.indices.empty() && l.indices.empty()) return;
  const size_t vbytes = (f.vertices.size() + l.vertices.size()) * sizeof(gis::FlatVertex);
  const size_t ibytes = (f.indices.size() + l.indices.size()) * sizeof(uint32_t);
  g.vb = make_mesh_buffer({{f.vertices.data(), f.vertices.size() * sizeof(gis::FlatVertex)},
                           {l.vertices.data(), l.vertices.size() * sizeof(gis::FlatVertex)}},
                          VK_BUFFER_USAGE_VERTEX_BUFFER_BIT);
  g.ib = make_mesh_buffer({{f.indices.data(), f.indices.size() * sizeof(uint32_t)},
                           {l.indices.data(), l.indices.size() * sizeof(uint32_t)}},
                          VK_BUFFER_USAGE_INDEX_BUFFER_BIT);
  if (!f.indices.empty())
    g.draws.push_back({DrawKind::Fill, layer, f.origin, c.bmin, c.bmax, 0.0, 0, static_cast<uint32_t>(f.indices.size()),
                       0, g.vb.vk(), g.ib.vk()});
  if (!l.indices.empty())
    g.draws.push_back({DrawKind::Lines, layer, l.origin, c.bmin, c.bmax, 0.0, static_cast<uint32_t>(f.indices.size()),
                       static_cast<uint32_t>(l.indices.size()), static_cast<int32_t>(f.vertices.size()), g.vb.vk(),
                       g.ib.vk()});
  ++stats_.chunks_uploaded;
  stats_.bytes_uploaded += vbytes + ibytes;
}

void VulkanRenderer::upload_building_chunk(const scene::BuildingChunk& c, uint32_t layer, GpuChunk& g) {
  reset_chunk(g, c.revision);
  const auto& m = c.mesh;
  if (m.indices.empty()) return;
  const size_t vbytes = m.vertices.size() * sizeof(gis::BuildingVertex);
  const size_t ibytes = (m.indices.size() + m.edge_indices.size()) * sizeof(uint32_t);
  g.vb = make_mesh_buffer({{m.vertices.data(), vbytes}}, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT);
  g.ib = make_mesh_buffer({{m.indices.data(), m.indices.size() * sizeof(uint32_t)},
                           {m.edge_indices.data(), m.edge_indices.size() * sizeof(uint32_t)}},
                          VK_BUFFER_USAGE_INDEX_BUFFER_BIT);
  g.draws.push_back({DrawKind::Buildings, layer, m.origin, c.bmin, c.bmax, c.max_height, 0,
                     static_cast<uint32_t>(m.indices.size()), 0, g.vb.vk(), g.ib.vk()});
  if (!m.edge_indices.empty())
    g.draws.push_back({DrawKind::Edges, layer, m.origin, c.bmin, c.bmax, c.max_height,
                       static_cast<uint32_t>(m.indices.size()), static_cast<uint32_t>(m.edge_indices.size()), 0,
                       g.vb.vk(), g.ib.vk()});
  ++stats_.chunks_uploaded;
  stats_.bytes_uploaded += vbytes + ibytes;
}

void VulkanRenderer::rebuild_draws() {
  // Draw order: ground layers as painted (fills before outlines within a layer), then buildings,
  // their edges, and markers on top.
  draws_.clear();
  for (const GpuLayer& l : gpu_layers_) {
    for (const GpuChunk& c : l.ground)
      for (const DrawItem& d : c.draws)
        if (d.kind == DrawKind::Fill) draws_.push_back(d);
    for (const GpuChunk& c : l.ground)
      for (const DrawItem& d : c.draws)
        if (d.kind == DrawKind::Lines) draws_.push_back(d);
  }
  for (const DrawKind k : {DrawKind::Buildings, DrawKind::Edges})
    for (const GpuLayer& l : gpu_layers_)
      for (const GpuChunk& c : l.buildings)
        for (const DrawItem& d : c.draws)
          if (d.kind == k) draws_.push_back(d);
  draws_.insert(draws_.end(), marker_draws_.begin(), marker_draws_.end());
}

Result<bool> VulkanRenderer::upload_scene(const scene::Scene& scene) try {
  wait_idle();
  retired_.clear();
  pending_copies_.clear();
  gpu_layers_.clear();
  gpu_layers_.resize(scene.layers.size());
  stats_.chunks_uploaded = 0;
  stats_.bytes_uploaded = 0;
  std::vector<MarkerInstance> mv;
  marker_draws_.clear();
  for (uint32_t li = 0; li < scene.layers.size(); ++li) {
    const scene::Layer& l = scene.layers[li];
    GpuLayer& g = gpu_layers_[li];
    g.ground.resize(l.ground.size());
    for (size_t c = 0; c < l.ground.size(); ++c) upload_ground_chunk(l.ground[c], li, g.ground[c]);
    g.buildings.resize(l.building_chunks.size());
    for (size_t c = 0; c < l.building_chunks.size(); ++c) upload_building_chunk(l.building_chunks[c], li, g.buildings[c]);
    if (!l.markers.empty()) {
      glm::dvec2 lo(1e300), hi(-1e300);
      for (const auto& mk : l.markers) {
        lo = glm::min(lo, mk.pos);
        hi = glm::max(hi, mk.pos);
      }
      const glm::dvec2 origin = (lo + hi) * 0.5;
      marker_draws_.push_back({DrawKind::Markers, li, origin, lo, hi, 0.0, static_cast<uint32_t>(mv.size()),
                               static_cast<uint32_t>(l.markers.size()), 0});
      for (const auto& mk : l.markers)
        mv.push_back({static_cast<float>(mk.pos.x - origin.x), static_cast<float>(mk.pos.y - origin.y), mk.rgba, mk.size_px});
    }
  }
  marker_vb_ = make_static_buffer(mv.data(), mv.size() * sizeof(MarkerInstance), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT);
  for (DrawItem& d : marker_draws_) d.vb = marker_vb_.vk();
  if (!pending_copies_.empty()) {  // the first load: one submission for all staging copies
    submit_now([&](VkCommandBuffer cmd) { record_pending_copies(cmd); });
    retired_.clear();  // submit_now waited for the queue
  }
  rebuild_draws();
  for (auto& s : slots_) s.styles_revision = 0;
  return upload_flows(scene);
} catch (const vk::Error& e) {
  return Failure(Failure::GeneralError, std::string("uploading the scene to the GPU: ") + failed(e));
}

Result<bool> VulkanRenderer::update_geometry(const scene::Scene& scene) try {
  if (lost_) return Failure(Failure::GeneralError, "the GPU device was lost earlier; this renderer can no longer draw");
  if (scene.layers.size() != gpu_layers_.size()) return upload_scene(scene);
  stats_.chunks_uploaded = 0;
  stats_.bytes_uploaded = 0;
  bool changed = false;
  for (uint32_t li = 0; li < scene.layers.size(); ++li) {
    const scene::Layer& l = scene.layers[li];
    GpuLayer& g = gpu_layers_[li];
    if (g.ground.size() < l.ground.size()) g.ground.resize(l.ground.size()), changed = true;
    for (size_t c = 0; c < l.ground.size(); ++c)
      if (g.ground[c].revision != l.ground[c].revision) upload_ground_chunk(l.ground[c], li, g.ground[c]), changed = true;
    if (g.buildings.size() < l.building_chunks.size()) g.buildings.resize(l.building_chunks.size()), changed = true;
    for (size_t c = 0; c < l.building_chunks.size(); ++c)
      if (g.buildings[c].revision != l.building_chunks[c].revision)
        upload_building_chunk(l.building_chunks[c], li, g.buildings[c]), changed = true;
  }
  if (changed) rebuild_draws();
  return true;
} catch (const vk::Error& e) {
  return Failure(Failure::GeneralError, std::string("uploading edited geometry to the GPU: ") + failed(e));
}

void VulkanRenderer::sync_styles(FrameSlot& slot, const scene::FrameSnapshot& f) {
  if (slot.styles_revision == f.styles_revision && slot.styles) return;
  static const std::vector<scene::BuildingStyle> kNone;
  const std::vector<scene::BuildingStyle>& styles = f.styles ? *f.styles : kNone;
  const size_t bytes = std::max<size_t>(1, styles.size()) * sizeof(scene::BuildingStyle);
  if (!slot.styles || slot.styles.size() < bytes) {
    slot.styles = vk::Buffer(ctx_->dev, bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                             VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    VkDescriptorBufferInfo info{slot.styles.vk(), 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    w.dstSet = slot.set;
    w.dstBinding = 0;
    w.descriptorCount = 1;
    w.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    w.pBufferInfo = &info;
    vkUpdateDescriptorSets(dev(), 1, &w, 0, nullptr);
  }
  if (!styles.empty())
    std::memcpy(slot.styles.mapped(), styles.data(), styles.size() * sizeof(scene::BuildingStyle));
  slot.styles_revision = f.styles_revision;
}

/// Resets a frame's command buffer and begins recording it for one submission.
void begin_commands(VkCommandBuffer cmd) {
  vk::check(vkResetCommandBuffer(cmd, 0), "vkResetCommandBuffer");
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vk::check(vkBeginCommandBuffer(cmd, &bi), "vkBeginCommandBuffer");
}

/// True when the box (relative coordinates, z in [0, zmax]) is entirely outside one clip plane.
bool outside_frustum(const glm::mat4& m, glm::vec3 lo, glm::vec3 hi) {
  glm::vec4 c[8];
  for (int i = 0; i < 8; ++i)
    c[i] = m * glm::vec4(i & 1 ? hi.x : lo.x, i & 2 ? hi.y : lo.y, i & 4 ? hi.z : lo.z, 1.0f);
  auto all = [&](auto pred) {
    for (const auto& v : c)
      if (!pred(v)) return false;
    return true;
  };
  return all([](const glm::vec4& v) { return v.x < -v.w; }) || all([](const glm::vec4& v) { return v.x > v.w; }) ||
         all([](const glm::vec4& v) { return v.y < -v.w; }) || all([](const glm::vec4& v) { return v.y > v.w; }) ||
         all([](const glm::vec4& v) { return v.w <= 0.0f; });
}

void VulkanRenderer::record_scene(VkCommandBuffer cmd, VkRenderPass pass, VkFramebuffer fb, uint32_t w, uint32_t h,
                                  const FrameInput& in, FrameSlot& slot) {
  const scene::FrameSnapshot& f = *in.frame;
  record_pending_copies(cmd);
  sync_styles(slot, f);
  record_flow_culling(cmd, in, w, h, slot);
  VkClearValue clears[3]{};
  clears[0].color = {{0.80f, 0.85f, 0.90f, 1.0f}};
  clears[1].depthStencil = {0.0f, 0};  // reverse-Z: far is 0
  clears[2].color = clears[0].color;
  VkRenderPassBeginInfo rb{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
  rb.renderPass = pass;  // the pipelines were built with the readback pass; the two differ only in final layout
  rb.framebuffer = fb;
  rb.renderArea = {{0, 0}, {w, h}};
  rb.clearValueCount = samples_ != VK_SAMPLE_COUNT_1_BIT ? 3 : 2;
  rb.pClearValues = clears;
  vkCmdBeginRenderPass(cmd, &rb, VK_SUBPASS_CONTENTS_INLINE);
  VkViewport vp{0.0f, 0.0f, static_cast<float>(w), static_cast<float>(h), 0.0f, 1.0f};
  VkRect2D sc{{0, 0}, {w, h}};
  vkCmdSetViewport(cmd, 0, 1, &vp);
  vkCmdSetScissor(cmd, 0, 1, &sc);

  const scene::Camera& cam = f.camera;
  const glm::dmat4 proj_rot = cam.projection(full_aspect(w, h, in), in.subrect) * cam.view_rotation();
  const glm::dvec3 eye = cam.eye();
  DrawConstants pc{};
  pc.sun = glm::vec4(glm::normalize(glm::vec3(0.45f, -0.55f, 0.70f)), 1.0f);
  // Live metrics scale a building up to 1.4x its static height (see Scene::compute_targets).
  const float hscale = std::max(0.0f, f.height_scale) * 1.4f;
  pc.extra = glm::vec4(static_cast<float>(std::fmod(f.time_s, 3600.0)), 0.0f, 0.0f, 0.0f);

  stats_.draw_calls = 0;
  stats_.triangles = 0;
  stats_.lines = 0;
  stats_.chunks_culled = 0;
  DrawKind bound = static_cast<DrawKind>(255);
  VkBuffer bound_vb = VK_NULL_HANDLE, bound_ib = VK_NULL_HANDLE;
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout_.vk(), 0, 1, &slot.set, 0, nullptr);
  bool flows_done = false;
  for (const DrawItem& d : draws_) {
    if (d.kind == DrawKind::Markers && !flows_done) {
      // Flow arcs go over buildings and under the site markers.
      record_flow_draws(cmd, in, w, h, slot);
      flows_done = true;
      bound = DrawKind::Flows;
    }
    const scene::FrameLayer layer = f.layer(d.layer);
    if (!layer.drawn()) continue;
    const glm::dvec3 origin(d.origin, 0.0);
    if (d.kind == DrawKind::Edges) {
      const glm::dvec2 nearest = glm::clamp(glm::dvec2(eye), d.bmin, d.bmax);
      if (glm::length(glm::dvec3(nearest, 0.0) - eye) > kEdgeMaxDistance) {
        ++stats_.chunks_culled;
        continue;
      }
    }
    pc.mvp = cam.matrix_for_origin(proj_rot, origin);
    if (d.kind != DrawKind::Markers) {
      const glm::vec3 lo(glm::vec2(d.bmin - d.origin), 0.0f);
      const glm::vec3 hi(glm::vec2(d.bmax - d.origin), static_cast<float>(d.zmax) * hscale);
      if (outside_frustum(pc.mvp, lo, hi)) {
        ++stats_.chunks_culled;
        continue;
      }
    }
    if (d.kind != bound) {
      VkPipeline p = d.kind == DrawKind::Fill ? pipe_fill_.vk()
                     : d.kind == DrawKind::Lines ? pipe_lines_.vk()
                     : d.kind == DrawKind::Buildings ? pipe_buildings_.vk()
                     : d.kind == DrawKind::Edges ? pipe_edges_.vk()
                                                 : pipe_markers_.vk();
      vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, p);
      bound = d.kind;
    }
    if (d.vb != bound_vb) {
      const VkDeviceSize zero = 0;
      vkCmdBindVertexBuffers(cmd, 0, 1, &d.vb, &zero);
      bound_vb = d.vb;
    }
    if (d.ib != VK_NULL_HANDLE && d.ib != bound_ib) {
      vkCmdBindIndexBuffer(cmd, d.ib, 0, VK_INDEX_TYPE_UINT32);
      bound_ib = d.ib;
    }
    pc.params = glm::vec4(layer.opacity, 0.0f, static_cast<float>(w), static_cast<float>(h));
    vkCmdPushConstants(cmd, layout_.vk(), VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof pc, &pc);
    if (d.kind == DrawKind::Markers) {
      vkCmdDraw(cmd, 6, d.count, 0, d.first);
      stats_.triangles += 2ull * d.count;
    } else {
      vkCmdDrawIndexed(cmd, d.count, 1, d.first, d.vertex_offset, 0);
      if (d.kind == DrawKind::Lines || d.kind == DrawKind::Edges) stats_.lines += d.count / 2;
      else stats_.triangles += d.count / 3;
    }
    ++stats_.draw_calls;
  }
  if (!flows_done) record_flow_draws(cmd, in, w, h, slot);
  if (in.ui && imgui_ready_) {
    UiImages::Recording images(*ui_images_, cmd, *in.ui);  // ui::image callbacks record into cmd
    ImGui_ImplVulkan_RenderDrawData(in.ui, cmd);
    ++stats_.draw_calls;
  }
  vkCmdEndRenderPass(cmd);
}

void VulkanRenderer::make_target(Target& t, uint32_t w, uint32_t h, bool offscreen) {
  t = Target{};
  t.w = w;
  t.h = h;
  const bool msaa = samples_ != VK_SAMPLE_COUNT_1_BIT;
  if (msaa)
    t.color_msaa = vk::Image(ctx_->dev, w, h, color_format_, samples_,
                             VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT,
                             VK_IMAGE_ASPECT_COLOR_BIT);
  t.depth = vk::Image(ctx_->dev, w, h, kDepthFormat, samples_,
                      VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT,
                      VK_IMAGE_ASPECT_DEPTH_BIT);
  auto make_fb = [&](VkImageView color_target, VkRenderPass pass) {
    std::vector<VkImageView> views;
    if (msaa) views = {t.color_msaa.view(), t.depth.view(), color_target};
    else views = {color_target, t.depth.view()};
    VkFramebufferCreateInfo fi{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
    fi.renderPass = pass;
    fi.attachmentCount = static_cast<uint32_t>(views.size());
    fi.pAttachments = views.data();
    fi.width = w;
    fi.height = h;
    fi.layers = 1;
    VkFramebuffer fb;
    vk::check(vkCreateFramebuffer(dev(), &fi, nullptr, &fb), "vkCreateFramebuffer");
    t.framebuffers.emplace_back(dev(), fb);
  };
  if (offscreen) {
    t.resolve = vk::Image(ctx_->dev, w, h, color_format_, VK_SAMPLE_COUNT_1_BIT,
                          VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT, VK_IMAGE_ASPECT_COLOR_BIT);
    make_fb(t.resolve.view(), pass_readback_.vk());
    t.readback = vk::Buffer(ctx_->dev, VkDeviceSize(w) * h * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                            VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
  } else {
    for (const auto& v : sc_.views) make_fb(v.vk(), pass_present_.vk());
  }
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
    make_target(offscreen_, w, h, true);
  }
  check_device();
  FrameSlot& slot = slots_[frame_++ % kFramesInFlight];
  VkFence fence = slot.fence.vk();
  vk::check(vkWaitForFences(dev(), 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  vk::check(vkResetFences(dev(), 1, &fence), "vkResetFences");
  retire_ui_images();
  const auto t_rec = std::chrono::steady_clock::now();
  begin_commands(slot.cmd);
  record_scene(slot.cmd, pass_readback_.vk(), offscreen_.framebuffers[0].vk(), w, h, in, slot);
  VkBufferImageCopy copy{};
  copy.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  copy.imageExtent = {w, h, 1};
  if (in.read_back)
    vkCmdCopyImageToBuffer(slot.cmd, offscreen_.resolve.vk(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                           offscreen_.readback.vk(), 1, &copy);
  VkBufferMemoryBarrier bar{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
  bar.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  bar.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  bar.srcQueueFamilyIndex = bar.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  bar.buffer = offscreen_.readback.vk();
  bar.size = VK_WHOLE_SIZE;
  vkCmdPipelineBarrier(slot.cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0, nullptr, 1, &bar, 0, nullptr);
  vk::check(vkEndCommandBuffer(slot.cmd), "vkEndCommandBuffer");
  stats_.record_cpu_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_rec).count();
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &slot.cmd;
  vk::check(vkQueueSubmit(ctx_->queue, 1, &si, fence), "vkQueueSubmit");
  vk::check(vkWaitForFences(dev(), 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
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

void VulkanRenderer::recreate_swapchain() {
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(window_, &fw, &fh);
  if (fw <= 0 || fh <= 0) return;  // minimised: keep the old one, skip frames
  wait_idle();
  VkSurfaceCapabilitiesKHR caps;
  vk::check(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(ctx_->dev.physical, surface_, &caps),
            "vkGetPhysicalDeviceSurfaceCapabilitiesKHR");
  VkExtent2D ext = caps.currentExtent;
  if (ext.width == UINT32_MAX) ext = {static_cast<uint32_t>(fw), static_cast<uint32_t>(fh)};
  ext.width = std::clamp(ext.width, caps.minImageExtent.width, caps.maxImageExtent.width);
  ext.height = std::clamp(ext.height, caps.minImageExtent.height, caps.maxImageExtent.height);
  if (ext.width == 0 || ext.height == 0) return;
  uint32_t count = std::max(caps.minImageCount + 1, 3u);
  if (caps.maxImageCount) count = std::min(count, caps.maxImageCount);

  const auto modes = vk::enumerate<VkPresentModeKHR>(
      "vkGetPhysicalDeviceSurfacePresentModesKHR", [this](uint32_t* n, VkPresentModeKHR* p) {
        return vkGetPhysicalDeviceSurfacePresentModesKHR(ctx_->dev.physical, surface_, n, p);
      });
  VkPresentModeKHR mode = VK_PRESENT_MODE_FIFO_KHR;  // always available; vsync
  if (!opt_.vsync)
    for (auto m : modes)
      if (m == VK_PRESENT_MODE_MAILBOX_KHR || m == VK_PRESENT_MODE_IMMEDIATE_KHR) mode = m;

  VkSwapchainCreateInfoKHR ci{VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
  ci.surface = surface_;
  ci.minImageCount = count;
  ci.imageFormat = color_format_;
  ci.imageColorSpace = VK_COLOR_SPACE_SRGB_NONLINEAR_KHR;
  ci.imageExtent = ext;
  ci.imageArrayLayers = 1;
  ci.imageUsage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT |
                  (caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_SRC_BIT);
  ci.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
  ci.preTransform = caps.currentTransform;
  ci.compositeAlpha = (caps.supportedCompositeAlpha & VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR)
                          ? VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR
                          : static_cast<VkCompositeAlphaFlagBitsKHR>(caps.supportedCompositeAlpha & -caps.supportedCompositeAlpha);
  ci.presentMode = mode;
  ci.clipped = VK_TRUE;
  ci.oldSwapchain = sc_.swapchain.vk();
  VkSwapchainPresentBarrierCreateInfoNV barrier{VK_STRUCTURE_TYPE_SWAPCHAIN_PRESENT_BARRIER_CREATE_INFO_NV};
  barrier.presentBarrierEnable = VK_TRUE;
  if (ctx_->info.present_barrier) ci.pNext = &barrier;  // the device has the extension and feature enabled
  VkSwapchainKHR sc;
  vk::check(vkCreateSwapchainKHR(dev(), &ci, nullptr, &sc), "vkCreateSwapchainKHR");
  sc_.target = Target{};
  sc_.views.clear();
  sc_.rendered.clear();
  sc_.held.reset();  // the old swapchain's images go with it, a held one too
  sc_.swapchain = vk::Swapchain(dev(), sc);
  sc_.extent = ext;
  uint32_t n = 0;
  vkGetSwapchainImagesKHR(dev(), sc, &n, nullptr);
  sc_.images.resize(n);
  vkGetSwapchainImagesKHR(dev(), sc, &n, sc_.images.data());
  for (VkImage img : sc_.images) {
    VkImageViewCreateInfo vi{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    vi.image = img;
    vi.viewType = VK_IMAGE_VIEW_TYPE_2D;
    vi.format = color_format_;
    vi.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    VkImageView v;
    vk::check(vkCreateImageView(dev(), &vi, nullptr, &v), "vkCreateImageView");
    sc_.views.emplace_back(dev(), v);
    VkSemaphoreCreateInfo si{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    VkSemaphore s;
    vk::check(vkCreateSemaphore(dev(), &si, nullptr, &s), "vkCreateSemaphore");
    sc_.rendered.emplace_back(dev(), s);
  }
  make_target(sc_.target, ext.width, ext.height, false);
  if (imgui_ready_) ImGui_ImplVulkan_SetMinImageCount(std::max(2u, caps.minImageCount));
  sc_.stale = false;
}

PresentResult VulkanRenderer::render_window(const FrameInput& in) try {
  if (!window_ || !in.frame) return PresentResult::Error;
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(window_, &fw, &fh);
  if (fw <= 0 || fh <= 0) return PresentResult::Skipped;
  if (sc_.stale || static_cast<uint32_t>(fw) != sc_.extent.width || static_cast<uint32_t>(fh) != sc_.extent.height)
    recreate_swapchain();
  if (sc_.stale || !sc_.swapchain) return PresentResult::Skipped;
  check_device();

  FrameSlot& slot = slots_[frame_ % kFramesInFlight];
  VkFence fence = slot.fence.vk();
  vk::check(vkWaitForFences(dev(), 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  uint32_t index = 0;
  // A held frame that was never presented (the wall went on without it): this frame is drawn over
  // it in the same image, which is still ours; the submit waits for the held frame's `rendered`
  // semaphore instead of an acquire and signals it again (it stays held if this frame fails first).
  const bool redraw = sc_.held.has_value();
  if (redraw) {
    index = *sc_.held;
  } else {
    VkResult r = vkAcquireNextImageKHR(dev(), sc_.swapchain.vk(), UINT64_MAX, slot.acquired.vk(), VK_NULL_HANDLE, &index);
    if (r == VK_ERROR_OUT_OF_DATE_KHR) {
      sc_.stale = true;
      return PresentResult::Skipped;
    }
    if (r != VK_SUCCESS && r != VK_SUBOPTIMAL_KHR) vk::check(r, "vkAcquireNextImageKHR");
    if (r == VK_SUBOPTIMAL_KHR) sc_.stale = true;
  }
  ++frame_;
  vk::check(vkResetFences(dev(), 1, &fence), "vkResetFences");
  retire_ui_images();

  const auto t_rec = std::chrono::steady_clock::now();
  begin_commands(slot.cmd);
  record_scene(slot.cmd, pass_present_.vk(), sc_.target.framebuffers[index].vk(), sc_.extent.width,
               sc_.extent.height, in, slot);
  vk::check(vkEndCommandBuffer(slot.cmd), "vkEndCommandBuffer");
  stats_.record_cpu_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_rec).count();
  stats_.gpu_memory_bytes = ctx_->memory.allocated;

  VkPipelineStageFlags wait_stage = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  VkSemaphore rendered = sc_.rendered[index].vk(), acquired = redraw ? rendered : slot.acquired.vk();
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.waitSemaphoreCount = 1;
  si.pWaitSemaphores = &acquired;
  si.pWaitDstStageMask = &wait_stage;
  si.commandBufferCount = 1;
  si.pCommandBuffers = &slot.cmd;
  si.signalSemaphoreCount = 1;
  si.pSignalSemaphores = &rendered;
  vk::check(vkQueueSubmit(ctx_->queue, 1, &si, fence), "vkQueueSubmit");
  sc_.held.reset();
  if (in.hold_present) {
    sc_.held = index;
    return PresentResult::Ok;
  }
  return present(index);
} catch (const vk::Error& e) {
  std::fprintf(stderr, "parktwin: frame failed: %s\n", failed(e).c_str());
  return PresentResult::Error;
}

PresentResult VulkanRenderer::present(uint32_t index) {
  VkSemaphore rendered = sc_.rendered[index].vk();
  VkSwapchainKHR sc = sc_.swapchain.vk();
  VkPresentInfoKHR pi{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
  pi.waitSemaphoreCount = 1;
  pi.pWaitSemaphores = &rendered;
  pi.swapchainCount = 1;
  pi.pSwapchains = &sc;
  pi.pImageIndices = &index;
  const VkResult r = vkQueuePresentKHR(ctx_->queue, &pi);
  if (r == VK_ERROR_OUT_OF_DATE_KHR || r == VK_SUBOPTIMAL_KHR) sc_.stale = true;
  else if (r != VK_SUCCESS) vk::check(r, "vkQueuePresentKHR");
  return PresentResult::Ok;
}

PresentResult VulkanRenderer::present_held() try {
  if (!sc_.held) return PresentResult::Skipped;
  const uint32_t index = *sc_.held;
  sc_.held.reset();
  return present(index);
} catch (const vk::Error& e) {
  std::fprintf(stderr, "parktwin: present failed: %s\n", failed(e).c_str());
  return PresentResult::Error;
}

Result<PickHit> VulkanRenderer::pick(const FrameInput& in, uint32_t w, uint32_t h, uint32_t x, uint32_t y) try {
  if (!in.frame) return Failure(Failure::ConfigurationError, "pick: no frame snapshot");
  if (w == 0 || h == 0 || x >= w || y >= h) return PickHit{};
  const scene::FrameSnapshot& f = *in.frame;
  wait_idle();  // picking is rare (a click, a resting cursor): simplest to own the device meanwhile
  if (pick_target_.w != w || pick_target_.h != h) {
    pick_target_ = PickTarget{};
    pick_target_.w = w;
    pick_target_.h = h;
    pick_target_.id = vk::Image(ctx_->dev, w, h, kPickFormat, VK_SAMPLE_COUNT_1_BIT,
                                VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                                VK_IMAGE_ASPECT_COLOR_BIT);
    pick_target_.depth = vk::Image(ctx_->dev, w, h, kDepthFormat, VK_SAMPLE_COUNT_1_BIT,
                                   VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT, VK_IMAGE_ASPECT_DEPTH_BIT);
    const VkImageView views[2] = {pick_target_.id.view(), pick_target_.depth.view()};
    VkFramebufferCreateInfo fi{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
    fi.renderPass = pass_pick_.vk();
    fi.attachmentCount = 2;
    fi.pAttachments = views;
    fi.width = w;
    fi.height = h;
    fi.layers = 1;
    VkFramebuffer fb;
    vk::check(vkCreateFramebuffer(dev(), &fi, nullptr, &fb), "vkCreateFramebuffer (pick)");
    pick_target_.fb = vk::Framebuffer(dev(), fb);
    pick_target_.readback = vk::Buffer(ctx_->dev, 16, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
  }
  FrameSlot& slot = slots_[0];
  sync_styles(slot, f);
  submit_now([&](VkCommandBuffer cmd) {
    record_pending_copies(cmd);  // edited chunks not drawn by a frame yet
    VkClearValue clears[2]{};
    clears[0].color.uint32[0] = 0;
    clears[1].depthStencil = {0.0f, 0};
    VkRenderPassBeginInfo rb{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
    rb.renderPass = pass_pick_.vk();
    rb.framebuffer = pick_target_.fb.vk();
    rb.renderArea = {{0, 0}, {w, h}};
    rb.clearValueCount = 2;
    rb.pClearValues = clears;
    vkCmdBeginRenderPass(cmd, &rb, VK_SUBPASS_CONTENTS_INLINE);
    VkViewport vp{0.0f, 0.0f, static_cast<float>(w), static_cast<float>(h), 0.0f, 1.0f};
    VkRect2D sc{{static_cast<int32_t>(x), static_cast<int32_t>(y)}, {1, 1}};  // rasterise one pixel
    vkCmdSetViewport(cmd, 0, 1, &vp);
    vkCmdSetScissor(cmd, 0, 1, &sc);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout_.vk(), 0, 1, &slot.set, 0, nullptr);
    const scene::Camera& cam = f.camera;
    const glm::dmat4 proj_rot = cam.projection(full_aspect(w, h, in), in.subrect) * cam.view_rotation();
    const VkDeviceSize zero = 0;
    for (const DrawItem& d : draws_) {
      if (!f.layer(d.layer).drawn()) continue;
      DrawConstants pc{};
      pc.mvp = cam.matrix_for_origin(proj_rot, glm::dvec3(d.origin, 0.0));
      pc.sun = glm::vec4(static_cast<float>(d.layer), static_cast<float>(d.first), 0.0f, 0.0f);
      pc.params = glm::vec4(1.0f, 0.0f, static_cast<float>(w), static_cast<float>(h));
      if (d.kind == DrawKind::Fill) {
        vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipe_pick_fill_.vk());
        vkCmdBindVertexBuffers(cmd, 0, 1, &d.vb, &zero);
        vkCmdBindIndexBuffer(cmd, d.ib, 0, VK_INDEX_TYPE_UINT32);
      } else if (d.kind == DrawKind::Buildings) {
        vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipe_pick_buildings_.vk());
        vkCmdBindVertexBuffers(cmd, 0, 1, &d.vb, &zero);
        vkCmdBindIndexBuffer(cmd, d.ib, 0, VK_INDEX_TYPE_UINT32);
      } else if (d.kind == DrawKind::Markers) {
        vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipe_pick_markers_.vk());
        vkCmdBindVertexBuffers(cmd, 0, 1, &d.vb, &zero);
      } else {
        continue;
      }
      vkCmdPushConstants(cmd, layout_.vk(), VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof pc, &pc);
      if (d.kind == DrawKind::Markers) vkCmdDraw(cmd, 6, d.count, 0, d.first);
      else vkCmdDrawIndexed(cmd, d.count, 1, d.first, d.vertex_offset, 0);
    }
    vkCmdEndRenderPass(cmd);
    VkBufferImageCopy copy{};
    copy.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    copy.imageOffset = {static_cast<int32_t>(x), static_cast<int32_t>(y), 0};
    copy.imageExtent = {1, 1, 1};
    vkCmdCopyImageToBuffer(cmd, pick_target_.id.vk(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, pick_target_.readback.vk(), 1,
                           &copy);
    VkBufferMemoryBarrier bar{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
    bar.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    bar.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    bar.srcQueueFamilyIndex = bar.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    bar.buffer = pick_target_.readback.vk();
    bar.size = VK_WHOLE_SIZE;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0, nullptr, 1, &bar, 0,
                         nullptr);
  });
  uint32_t id = 0;
  std::memcpy(&id, pick_target_.readback.mapped(), sizeof id);
  return decode_pick(id);
} catch (const vk::Error& e) {
  return Failure(Failure::GeneralError, std::string("picking: ") + failed(e));
}

Result<bool> VulkanRenderer::init_imgui() try {
  if (imgui_ready_) return true;
  const VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 16}};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  dpi.maxSets = 16;
  dpi.poolSizeCount = 1;
  dpi.pPoolSizes = sizes;
  VkDescriptorPool dp;
  vk::check(vkCreateDescriptorPool(dev(), &dpi, nullptr, &dp), "vkCreateDescriptorPool (ImGui)");
  imgui_pool_ = vk::DescriptorPool(dev(), dp);
  ImGui_ImplVulkan_InitInfo ii{};
  ii.Instance = ctx_->instance;
  ii.PhysicalDevice = ctx_->dev.physical;
  ii.Device = dev();
  ii.QueueFamily = ctx_->queue_family;
  ii.Queue = ctx_->queue;
  ii.DescriptorPool = imgui_pool_.vk();
  ii.Subpass = 0;
  ii.MinImageCount = 2;
  ii.ImageCount = 3;
  ii.MSAASamples = samples_;
  ii.CheckVkResultFn = [](VkResult r) {
    if (r != VK_SUCCESS) std::fprintf(stderr, "parktwin: ImGui Vulkan backend: %s\n", vk::result_name(r));
  };
  if (!ImGui_ImplVulkan_Init(&ii, pass_readback_.vk()))
    return Failure(Failure::GeneralError, "ImGui_ImplVulkan_Init failed");
  imgui_ready_ = true;
  submit_now([](VkCommandBuffer cmd) { ImGui_ImplVulkan_CreateFontsTexture(cmd); });
  ImGui_ImplVulkan_DestroyFontUploadObjects();
  if (!ui_images_)
    ui_images_ = std::make_unique<UiImages>(
        ctx_->dev, pass_readback_.vk(), samples_, [this](const auto& record) { submit_now(record); }, kUiImageVert,
        sizeof kUiImageVert, kUiImageFrag, sizeof kUiImageFrag);
  return true;
} catch (const vk::Error& e) {
  return Failure(Failure::GeneralError, std::string("setting up the UI renderer: ") + failed(e));
}

Result<uint32_t> VulkanRenderer::ui_image_upload(const Image& img) try {
  if (!ui_images_) return Failure(Failure::ConfigurationError, "UI images need the UI renderer (init_imgui) first");
  return ui_images_->upload(img);
} catch (const vk::Error& e) {
  return Failure(Failure::GeneralError, std::string("uploading a UI image: ") + failed(e));
}

void VulkanRenderer::shutdown_imgui() {
  if (!imgui_ready_) return;
  wait_idle();
  ImGui_ImplVulkan_Shutdown();
  imgui_ready_ = false;
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
