#pragma once
// Where frames go: render passes, the offscreen target (read back) and the window's swapchain.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

#include "context.h"
#include "vk_util.h"

struct GLFWwindow;

namespace parktwin::render {

/// A one-subpass pass: colour (multisampled when `samples` > 1, then resolved), reverse-Z depth.
vk::RenderPass make_render_pass(VkDevice dev, VkFormat color, VkSampleCountFlagBits samples, VkImageLayout final_layout);
vk::Framebuffer make_framebuffer(VkDevice dev, VkRenderPass pass, std::initializer_list<VkImageView> views, uint32_t w,
                                 uint32_t h);
/// Makes transfer writes into `buffer` visible to the host.
void host_read_barrier(VkCommandBuffer cmd, VkBuffer buffer);

/// Images and framebuffers of one render size.
struct Target {
  uint32_t w = 0, h = 0;
  vk::Image color_msaa, depth, resolve;
  std::vector<vk::Framebuffer> framebuffers;
  vk::Buffer readback;
};

/// The offscreen target: resolve image and readback buffer, one framebuffer for `pass`.
Target make_offscreen_target(const vk::DeviceRef& dev, VkRenderPass pass, VkFormat color, VkSampleCountFlagBits samples,
                             uint32_t w, uint32_t h);

/// The window's swapchain, its image views, per-image semaphores and framebuffers.
class WindowSwapchain {
 public:
  WindowSwapchain(Context& ctx, GLFWwindow* window, VkFormat color, VkSampleCountFlagBits samples, bool vsync);
  /// The surface format the window draws in (UNORM where offered: the window shows what PNGs hold).
  static VkFormat pick_format(const Context& ctx);
  void set_pass(VkRenderPass pass) { pass_ = pass; }

  /// True when the swapchain must be (re)created before the next frame (stale or resized).
  bool needs_recreate() const;
  /// Recreates it at the window's size (waits for the device first); returns the minimum image
  /// count of the surface (for ImGui), 0 when nothing was made (minimised).
  uint32_t recreate();
  bool usable() const { return !stale_ && swapchain_; }
  void mark_stale() { stale_ = true; }
  VkSwapchainKHR vk() const { return swapchain_.vk(); }
  VkExtent2D extent() const { return extent_; }
  VkFramebuffer framebuffer(uint32_t image) const { return target_.framebuffers[image].vk(); }
  VkSemaphore rendered(uint32_t image) const { return rendered_[image].vk(); }
  /// Presents `image` after its `rendered` semaphore.
  void present(uint32_t image);

  /// A frame rendered with FrameInput::hold_present waits for present_held() in this image
  /// (acquired, its `rendered` semaphore signalled); empty = none held.
  std::optional<uint32_t> held;

 private:
  Context& ctx_;
  GLFWwindow* window_;
  VkFormat color_;
  VkSampleCountFlagBits samples_;
  bool vsync_;
  VkRenderPass pass_ = VK_NULL_HANDLE;
  vk::Swapchain swapchain_;
  VkExtent2D extent_{0, 0};
  std::vector<VkImage> images_;
  std::vector<vk::ImageView> views_;
  std::vector<vk::Semaphore> rendered_;
  Target target_;
  bool stale_ = true;
};

}  // namespace parktwin::render
