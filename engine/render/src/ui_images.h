#pragma once
// Images for the UI (thumbnails): textures the panels draw through an ImGui draw-list callback.
// ImGui 1.86's Vulkan backend binds only its font texture whatever ImTextureID says, so an image is
// drawn by our own small pipeline from inside ImGui's draw pass: ui::image adds a callback whose
// data is the image id, the renderer stashes the command buffer (Recording) before it calls
// ImGui_ImplVulkan_RenderDrawData, and the callback draws one textured quad under the clip rect.
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include <vulkan/vulkan.h>

#include "parktwin/render/renderer.h"
#include "vk_util.h"

struct ImDrawData;

namespace parktwin::render {

class UiImages {
 public:
  using Submit = std::function<void(const std::function<void(VkCommandBuffer)>&)>;
  /// `pass` and `samples`: the render pass (and its sample count) ImGui draws in; `submit` runs a
  /// one-time command buffer and waits for it (uploads).
  UiImages(const vk::DeviceRef& dev, VkRenderPass pass, VkSampleCountFlagBits samples, Submit submit,
           const uint32_t* vs, size_t vs_bytes, const uint32_t* fs, size_t fs_bytes);
  ~UiImages();
  UiImages(const UiImages&) = delete;
  UiImages& operator=(const UiImages&) = delete;

  /// Uploads an RGBA8 image; returns its id (> 0). Throws vk::Error.
  uint32_t upload(const Image& img);
  /// Forgets `id`; its GPU objects go once the frames started before `frames_started` are done.
  void release(uint32_t id, uint64_t frames_started);
  /// Destroys released images no frame can still use: every frame before `frames_done` has finished.
  void collect(uint64_t frames_done);
  size_t count() const { return images_.size(); }

  /// While alive, ui::image callbacks met in ImGui's draw data record into `cmd` (set through
  /// ImGuiIO::UserData, restored on destruction).
  class Recording {
   public:
    Recording(UiImages& images, VkCommandBuffer cmd, const ImDrawData& draw_data);
    ~Recording();
    Recording(const Recording&) = delete;
    Recording& operator=(const Recording&) = delete;
    void draw(uint32_t id, bool rect_phase, const float clip[4]);

   private:
    UiImages& images_;
    VkCommandBuffer cmd_;
    float pos_[2], scale_[2];
    uint32_t fb_w_, fb_h_;
    float rect_[4] = {0, 0, 0, 0};  ///< the image's rectangle, from the first callback of a pair
    void* saved_user_data_;
  };

 private:
  struct Entry {
    vk::Image image;
    VkDescriptorSet set = VK_NULL_HANDLE;
  };
  struct Retired {
    Entry entry;
    uint64_t after;  ///< destroy once this many frames are done
  };
  void destroy(Entry& e);

  vk::DeviceRef dev_;
  Submit submit_;
  vk::Sampler sampler_;
  vk::DescriptorSetLayout set_layout_;
  vk::DescriptorPool pool_;
  vk::PipelineLayout layout_;
  vk::Pipeline pipeline_;
  std::unordered_map<uint32_t, Entry> images_;
  std::vector<Retired> retired_;
  uint32_t next_id_ = 1;
};

}  // namespace parktwin::render
