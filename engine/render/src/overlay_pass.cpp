// The UI on top of the scene: Dear ImGui's Vulkan backend, and UI images drawn from inside its
// pass (ui_images.h).
#include <cstdio>

#include <imgui.h>
#include <backends/imgui_impl_vulkan.h>

#include "passes.h"
#include "ui_images.h"

namespace parktwin::render {
namespace {

const uint32_t kUiImageVert[] = {
#include "ui_image.vert.inc"
};
const uint32_t kUiImageFrag[] = {
#include "ui_image.frag.inc"
};

}  // namespace

OverlayPass::OverlayPass(Context& ctx, VkRenderPass pass, VkSampleCountFlagBits samples, SubmitNow submit)
    : ctx_(ctx), pass_(pass), samples_(samples), submit_(std::move(submit)) {}

OverlayPass::~OverlayPass() {
  shutdown();
  images_.reset();
}

void OverlayPass::init() {
  if (ready_) return;
  const VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 16}};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  dpi.maxSets = 16;
  dpi.poolSizeCount = 1;
  dpi.pPoolSizes = sizes;
  VkDescriptorPool dp;
  vk::check(vkCreateDescriptorPool(ctx_.device(), &dpi, nullptr, &dp), "vkCreateDescriptorPool (ImGui)");
  pool_ = vk::DescriptorPool(ctx_.device(), dp);
  ImGui_ImplVulkan_InitInfo ii{};
  ii.Instance = ctx_.instance();
  ii.PhysicalDevice = ctx_.dev.physical;
  ii.Device = ctx_.device();
  ii.QueueFamily = ctx_.queue_family;
  ii.Queue = ctx_.queue;
  ii.DescriptorPool = pool_.vk();
  ii.Subpass = 0;
  ii.MinImageCount = 2;
  ii.ImageCount = 3;
  ii.MSAASamples = samples_;
  ii.CheckVkResultFn = [](VkResult r) {
    if (r != VK_SUCCESS) std::fprintf(stderr, "parktwin: ImGui Vulkan backend: %s\n", vk::result_name(r));
  };
  if (!ImGui_ImplVulkan_Init(&ii, pass_)) throw vk::Error("ImGui_ImplVulkan_Init", VK_ERROR_INITIALIZATION_FAILED);
  ready_ = true;
  submit_([](VkCommandBuffer cmd) { ImGui_ImplVulkan_CreateFontsTexture(cmd); });
  ImGui_ImplVulkan_DestroyFontUploadObjects();
  if (!images_)
    images_ = std::make_unique<UiImages>(ctx_.dev, pass_, samples_, submit_, kUiImageVert, sizeof kUiImageVert,
                                         kUiImageFrag, sizeof kUiImageFrag);
}

void OverlayPass::shutdown() {
  if (!ready_) return;
  ImGui_ImplVulkan_Shutdown();
  ready_ = false;
}

void OverlayPass::new_frame() {
  if (ready_) ImGui_ImplVulkan_NewFrame();
}

void OverlayPass::set_min_image_count(uint32_t n) {
  if (ready_ && n) ImGui_ImplVulkan_SetMinImageCount(n);
}

void OverlayPass::record(VkCommandBuffer cmd, ImDrawData* ui, RenderStats& stats) {
  if (!ui || !ready_) return;
  UiImages::Recording images(*images_, cmd, *ui);  // ui::image callbacks record into cmd
  ImGui_ImplVulkan_RenderDrawData(ui, cmd);
  ++stats.draw_calls;
}

void OverlayPass::collect(uint64_t frames_done) {
  if (images_) images_->collect(frames_done);
}

}  // namespace parktwin::render
