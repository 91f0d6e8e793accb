#include "ui_images.h"

#include <algorithm>
#include <cstring>

#include <imgui.h>

#include "pipelines.h"

namespace parktwin::render {

namespace {

/// shaders/ui_image.vert `UiImageConstants`.
struct UiImageConstants {
  /*  0 */ float rect[4];  // NDC x0, y0, x1, y1
  /* 16 */ float tint[4];
};
static_assert(sizeof(UiImageConstants) == 32);

constexpr uint32_t kMaxImages = 256;

}  // namespace

UiImages::UiImages(const vk::DeviceRef& dev, VkRenderPass pass, VkSampleCountFlagBits samples, Submit submit,
                   const uint32_t* vs, size_t vs_bytes, const uint32_t* fs, size_t fs_bytes)
    : dev_(dev), submit_(std::move(submit)) {
  const VkDevice d = dev.device;
  VkSamplerCreateInfo si{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
  si.magFilter = si.minFilter = VK_FILTER_LINEAR;
  si.mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST;
  si.addressModeU = si.addressModeV = si.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
  si.maxLod = 0.0f;
  VkSampler s;
  vk::check(vkCreateSampler(d, &si, nullptr, &s), "vkCreateSampler (UI images)");
  sampler_ = vk::Sampler(d, s);

  VkDescriptorSetLayoutBinding b{0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, VK_SHADER_STAGE_FRAGMENT_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo li{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  li.bindingCount = 1;
  li.pBindings = &b;
  VkDescriptorSetLayout sl;
  vk::check(vkCreateDescriptorSetLayout(d, &li, nullptr, &sl), "vkCreateDescriptorSetLayout (UI images)");
  set_layout_ = vk::DescriptorSetLayout(d, sl);

  VkDescriptorPoolSize ps{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, kMaxImages};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  dpi.maxSets = kMaxImages;
  dpi.poolSizeCount = 1;
  dpi.pPoolSizes = &ps;
  VkDescriptorPool dp;
  vk::check(vkCreateDescriptorPool(d, &dpi, nullptr, &dp), "vkCreateDescriptorPool (UI images)");
  pool_ = vk::DescriptorPool(d, dp);

  layout_ = vk::make_pipeline_layout(d, {sl}, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT,
                                     sizeof(UiImageConstants), "vkCreatePipelineLayout (UI images)");
  // Like ImGui's own pipeline: no vertex buffer, no depth test, over everything in draw order,
  // alpha blended, in the pass (and sample count) ImGui draws in.
  GraphicsDesc g;
  g.name = "UI images";
  g.vs = {vs, vs_bytes};
  g.fs = {fs, fs_bytes};
  g.samples = samples;
  g.layout = layout_.vk();
  g.pass = pass;
  pipeline_ = build_graphics(d, g, VK_NULL_HANDLE);
}

UiImages::~UiImages() {
  // The owner waits for the device first; descriptor sets go with the pool.
  images_.clear();
  retired_.clear();
}

void UiImages::destroy(Entry& e) {
  if (e.set != VK_NULL_HANDLE) vkFreeDescriptorSets(dev_.device, pool_.vk(), 1, &e.set);
  e.set = VK_NULL_HANDLE;
  e.image.reset();
}

uint32_t UiImages::upload(const Image& img) {
  if (img.width == 0 || img.height == 0 || img.rgba.size() != size_t(img.width) * img.height * 4)
    throw vk::Error("UI image upload (empty or inconsistent image)", VK_ERROR_FORMAT_NOT_SUPPORTED);
  if (images_.size() + retired_.size() >= kMaxImages)
    throw vk::Error("UI image upload (more than " + std::to_string(kMaxImages) + " images)", VK_ERROR_OUT_OF_POOL_MEMORY);
  Entry e;
  e.image = vk::Image(dev_, img.width, img.height, VK_FORMAT_R8G8B8A8_UNORM, VK_SAMPLE_COUNT_1_BIT,
                      VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT, VK_IMAGE_ASPECT_COLOR_BIT);
  vk::Buffer staging(dev_, img.rgba.size(), VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                     VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
  std::memcpy(staging.mapped(), img.rgba.data(), img.rgba.size());
  submit_([&](VkCommandBuffer cmd) {
    VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
    b.srcAccessMask = 0;
    b.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    b.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    b.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
    b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.image = e.image.vk();
    b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, nullptr, 0,
                         nullptr, 1, &b);
    VkBufferImageCopy copy{};
    copy.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    copy.imageExtent = {img.width, img.height, 1};
    vkCmdCopyBufferToImage(cmd, staging.vk(), e.image.vk(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &copy);
    b.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    b.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
    b.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
    b.newLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, 0, 0, nullptr, 0,
                         nullptr, 1, &b);
  });
  VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  ai.descriptorPool = pool_.vk();
  ai.descriptorSetCount = 1;
  VkDescriptorSetLayout sl = set_layout_.vk();
  ai.pSetLayouts = &sl;
  vk::check(vkAllocateDescriptorSets(dev_.device, &ai, &e.set), "vkAllocateDescriptorSets (UI image)");
  VkDescriptorImageInfo ii{sampler_.vk(), e.image.view(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
  VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
  w.dstSet = e.set;
  w.dstBinding = 0;
  w.descriptorCount = 1;
  w.descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
  w.pImageInfo = &ii;
  vkUpdateDescriptorSets(dev_.device, 1, &w, 0, nullptr);
  const uint32_t id = next_id_++;
  images_.emplace(id, std::move(e));
  return id;
}

void UiImages::release(uint32_t id, uint64_t frames_started) {
  auto it = images_.find(id);
  if (it == images_.end()) return;
  retired_.push_back({std::move(it->second), frames_started});
  images_.erase(it);
}

void UiImages::collect(uint64_t frames_done) {
  for (auto it = retired_.begin(); it != retired_.end();) {
    if (it->after <= frames_done) {
      destroy(it->entry);
      it = retired_.erase(it);
    } else {
      ++it;
    }
  }
}

UiImages::Recording::Recording(UiImages& images, VkCommandBuffer cmd, const ImDrawData& dd)
    : images_(images), cmd_(cmd) {
  pos_[0] = dd.DisplayPos.x;
  pos_[1] = dd.DisplayPos.y;
  scale_[0] = dd.FramebufferScale.x;
  scale_[1] = dd.FramebufferScale.y;
  // The framebuffer ImGui's backend sets its viewport to.
  fb_w_ = static_cast<uint32_t>(std::max(0.0f, dd.DisplaySize.x * dd.FramebufferScale.x));
  fb_h_ = static_cast<uint32_t>(std::max(0.0f, dd.DisplaySize.y * dd.FramebufferScale.y));
  ImGuiIO& io = ImGui::GetIO();
  saved_user_data_ = io.UserData;
  io.UserData = this;
}

UiImages::Recording::~Recording() { ImGui::GetIO().UserData = saved_user_data_; }

void UiImages::Recording::draw(uint32_t id, bool rect_phase, const float clip[4]) {
  if (rect_phase) {
    std::copy(clip, clip + 4, rect_);
    return;
  }
  auto it = images_.images_.find(id);
  if (it == images_.images_.end() || fb_w_ == 0 || fb_h_ == 0) return;
  // The clip rectangle in framebuffer pixels, clamped to it (vkCmdSetScissor refuses negative offsets).
  const float x0 = std::clamp((clip[0] - pos_[0]) * scale_[0], 0.0f, static_cast<float>(fb_w_));
  const float y0 = std::clamp((clip[1] - pos_[1]) * scale_[1], 0.0f, static_cast<float>(fb_h_));
  const float x1 = std::clamp((clip[2] - pos_[0]) * scale_[0], 0.0f, static_cast<float>(fb_w_));
  const float y1 = std::clamp((clip[3] - pos_[1]) * scale_[1], 0.0f, static_cast<float>(fb_h_));
  if (x1 <= x0 || y1 <= y0) return;
  // Truncated as ImGui's backend does for its own draws, so an image clips exactly like text beside it.
  const VkRect2D sc{{static_cast<int32_t>(x0), static_cast<int32_t>(y0)},
                    {static_cast<uint32_t>(x1 - x0), static_cast<uint32_t>(y1 - y0)}};
  UiImageConstants pc{};
  for (int k = 0; k < 4; ++k) {
    const int axis = k & 1;
    const float fb = static_cast<float>(axis ? fb_h_ : fb_w_);
    pc.rect[k] = (rect_[k] - pos_[axis]) * scale_[axis] / fb * 2.0f - 1.0f;
  }
  pc.tint[0] = pc.tint[1] = pc.tint[2] = pc.tint[3] = 1.0f;
  const VkViewport vp{0.0f, 0.0f, static_cast<float>(fb_w_), static_cast<float>(fb_h_), 0.0f, 1.0f};
  vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_GRAPHICS, images_.pipeline_.vk());
  vkCmdBindDescriptorSets(cmd_, VK_PIPELINE_BIND_POINT_GRAPHICS, images_.layout_.vk(), 0, 1, &it->second.set, 0, nullptr);
  vkCmdPushConstants(cmd_, images_.layout_.vk(), VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof pc, &pc);
  vkCmdSetViewport(cmd_, 0, 1, &vp);
  vkCmdSetScissor(cmd_, 0, 1, &sc);
  vkCmdDraw(cmd_, 6, 1, 0, 0);
}

void ui_image_callback(const ImDrawList*, const ImDrawCmd* cmd) {
  auto* rec = static_cast<UiImages::Recording*>(ImGui::GetIO().UserData);
  if (!rec || !cmd) return;  // not inside a renderer's ImGui pass (another backend): draw nothing
  const auto data = reinterpret_cast<uintptr_t>(cmd->UserCallbackData);
  const float clip[4] = {cmd->ClipRect.x, cmd->ClipRect.y, cmd->ClipRect.z, cmd->ClipRect.w};
  rec->draw(static_cast<uint32_t>(data >> 1), (data & 1u) != 0, clip);
}

}  // namespace parktwin::render
