#include "targets.h"

#include <algorithm>
#include <array>

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>

#include "frame.h"

namespace parktwin::render {
namespace {

/// The multisampled colour (when samples > 1) and depth images of a target of w x h.
void make_attachments(Target& t, const vk::DeviceRef& dev, VkFormat color, VkSampleCountFlagBits samples, uint32_t w,
                      uint32_t h) {
  t = Target{};
  t.w = w;
  t.h = h;
  if (samples != VK_SAMPLE_COUNT_1_BIT)
    t.color_msaa = vk::Image(dev, w, h, color, samples,
                             VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT,
                             VK_IMAGE_ASPECT_COLOR_BIT);
  t.depth = vk::Image(dev, w, h, kDepthFormat, samples,
                      VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT,
                      VK_IMAGE_ASPECT_DEPTH_BIT);
}

/// A framebuffer of `t` whose final colour goes to `color_target`.
void add_framebuffer(Target& t, VkDevice dev, VkRenderPass pass, VkImageView color_target) {
  if (t.color_msaa) t.framebuffers.push_back(make_framebuffer(dev, pass, {t.color_msaa.view(), t.depth.view(), color_target}, t.w, t.h));
  else t.framebuffers.push_back(make_framebuffer(dev, pass, {color_target, t.depth.view()}, t.w, t.h));
}

}  // namespace

vk::RenderPass make_render_pass(VkDevice dev, VkFormat format, VkSampleCountFlagBits samples, VkImageLayout final_layout) {
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
  vk::check(vkCreateRenderPass(dev, &ri, nullptr, &rp), "vkCreateRenderPass");
  return vk::RenderPass(dev, rp);
}

vk::Framebuffer make_framebuffer(VkDevice dev, VkRenderPass pass, std::initializer_list<VkImageView> views, uint32_t w,
                                 uint32_t h) {
  const std::vector<VkImageView> v(views);
  VkFramebufferCreateInfo fi{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
  fi.renderPass = pass;
  fi.attachmentCount = static_cast<uint32_t>(v.size());
  fi.pAttachments = v.data();
  fi.width = w;
  fi.height = h;
  fi.layers = 1;
  VkFramebuffer fb;
  vk::check(vkCreateFramebuffer(dev, &fi, nullptr, &fb), "vkCreateFramebuffer");
  return vk::Framebuffer(dev, fb);
}

void host_read_barrier(VkCommandBuffer cmd, VkBuffer buffer) {
  VkBufferMemoryBarrier bar{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
  bar.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  bar.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  bar.srcQueueFamilyIndex = bar.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  bar.buffer = buffer;
  bar.size = VK_WHOLE_SIZE;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0, nullptr, 1, &bar, 0, nullptr);
}

Target make_offscreen_target(const vk::DeviceRef& dev, VkRenderPass pass, VkFormat color, VkSampleCountFlagBits samples,
                             uint32_t w, uint32_t h) {
  Target t;
  make_attachments(t, dev, color, samples, w, h);
  t.resolve = vk::Image(dev, w, h, color, VK_SAMPLE_COUNT_1_BIT,
                        VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT, VK_IMAGE_ASPECT_COLOR_BIT);
  add_framebuffer(t, dev.device, pass, t.resolve.view());
  t.readback = vk::Buffer(dev, VkDeviceSize(w) * h * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                          VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
  return t;
}

WindowSwapchain::WindowSwapchain(Context& ctx, GLFWwindow* window, VkFormat color, VkSampleCountFlagBits samples,
                                 bool vsync)
    : ctx_(ctx), window_(window), color_(color), samples_(samples), vsync_(vsync) {}

VkFormat WindowSwapchain::pick_format(const Context& ctx) {
  const auto formats = vk::enumerate<VkSurfaceFormatKHR>(
      "vkGetPhysicalDeviceSurfaceFormatsKHR", [&ctx](uint32_t* n, VkSurfaceFormatKHR* p) {
        return vkGetPhysicalDeviceSurfaceFormatsKHR(ctx.dev.physical, ctx.surface(), n, p);
      });
  // UNORM so the window shows exactly what offscreen renders write to PNG.
  VkFormat format = formats.empty() ? VK_FORMAT_B8G8R8A8_UNORM : formats[0].format;
  for (const auto& f : formats)
    if (f.format == VK_FORMAT_B8G8R8A8_UNORM || f.format == VK_FORMAT_R8G8B8A8_UNORM) return f.format;
  return format;
}

bool WindowSwapchain::needs_recreate() const {
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(window_, &fw, &fh);
  return stale_ || static_cast<uint32_t>(fw) != extent_.width || static_cast<uint32_t>(fh) != extent_.height;
}

uint32_t WindowSwapchain::recreate() {
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(window_, &fw, &fh);
  if (fw <= 0 || fh <= 0) return 0;  // minimised: keep the old one, skip frames
  if (vkDeviceWaitIdle(ctx_.device()) == VK_ERROR_DEVICE_LOST) throw vk::Error("vkDeviceWaitIdle", VK_ERROR_DEVICE_LOST);
  const VkSurfaceKHR surface = ctx_.surface();
  VkSurfaceCapabilitiesKHR caps;
  vk::check(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(ctx_.dev.physical, surface, &caps),
            "vkGetPhysicalDeviceSurfaceCapabilitiesKHR");
  VkExtent2D ext = caps.currentExtent;
  if (ext.width == UINT32_MAX) ext = {static_cast<uint32_t>(fw), static_cast<uint32_t>(fh)};
  ext.width = std::clamp(ext.width, caps.minImageExtent.width, caps.maxImageExtent.width);
  ext.height = std::clamp(ext.height, caps.minImageExtent.height, caps.maxImageExtent.height);
  if (ext.width == 0 || ext.height == 0) return 0;
  uint32_t count = std::max(caps.minImageCount + 1, 3u);
  if (caps.maxImageCount) count = std::min(count, caps.maxImageCount);

  const auto modes = vk::enumerate<VkPresentModeKHR>(
      "vkGetPhysicalDeviceSurfacePresentModesKHR", [&](uint32_t* n, VkPresentModeKHR* p) {
        return vkGetPhysicalDeviceSurfacePresentModesKHR(ctx_.dev.physical, surface, n, p);
      });
  VkPresentModeKHR mode = VK_PRESENT_MODE_FIFO_KHR;  // always available; vsync
  if (!vsync_)
    for (auto m : modes)
      if (m == VK_PRESENT_MODE_MAILBOX_KHR || m == VK_PRESENT_MODE_IMMEDIATE_KHR) mode = m;

  VkSwapchainCreateInfoKHR ci{VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
  ci.surface = surface;
  ci.minImageCount = count;
  ci.imageFormat = color_;
  ci.imageColorSpace = VK_COLOR_SPACE_SRGB_NONLINEAR_KHR;
  ci.imageExtent = ext;
  ci.imageArrayLayers = 1;
  ci.imageUsage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | (caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_SRC_BIT);
  ci.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
  ci.preTransform = caps.currentTransform;
  ci.compositeAlpha = (caps.supportedCompositeAlpha & VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR)
                          ? VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR
                          : static_cast<VkCompositeAlphaFlagBitsKHR>(caps.supportedCompositeAlpha & -caps.supportedCompositeAlpha);
  ci.presentMode = mode;
  ci.clipped = VK_TRUE;
  ci.oldSwapchain = swapchain_.vk();
  VkSwapchainPresentBarrierCreateInfoNV barrier{VK_STRUCTURE_TYPE_SWAPCHAIN_PRESENT_BARRIER_CREATE_INFO_NV};
  barrier.presentBarrierEnable = VK_TRUE;
  if (ctx_.info.present_barrier) ci.pNext = &barrier;  // the device has the extension and feature enabled
  const VkDevice dev = ctx_.device();
  VkSwapchainKHR sc;
  vk::check(vkCreateSwapchainKHR(dev, &ci, nullptr, &sc), "vkCreateSwapchainKHR");
  target_ = Target{};
  views_.clear();
  rendered_.clear();
  held.reset();  // the old swapchain's images go with it, a held one too
  swapchain_ = vk::Swapchain(dev, sc);
  extent_ = ext;
  images_ = vk::enumerate<VkImage>("vkGetSwapchainImagesKHR", [&](uint32_t* n, VkImage* p) {
    return vkGetSwapchainImagesKHR(dev, sc, n, p);
  });
  for (VkImage img : images_) {
    VkImageViewCreateInfo vi{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    vi.image = img;
    vi.viewType = VK_IMAGE_VIEW_TYPE_2D;
    vi.format = color_;
    vi.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    VkImageView v;
    vk::check(vkCreateImageView(dev, &vi, nullptr, &v), "vkCreateImageView");
    views_.emplace_back(dev, v);
    VkSemaphoreCreateInfo si{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    VkSemaphore s;
    vk::check(vkCreateSemaphore(dev, &si, nullptr, &s), "vkCreateSemaphore");
    rendered_.emplace_back(dev, s);
  }
  make_attachments(target_, ctx_.dev, color_, samples_, ext.width, ext.height);
  for (const auto& v : views_) add_framebuffer(target_, dev, pass_, v.vk());
  stale_ = false;
  return std::max(2u, caps.minImageCount);
}

void WindowSwapchain::present(uint32_t index) {
  VkSemaphore rendered = rendered_[index].vk();
  VkSwapchainKHR sc = swapchain_.vk();
  VkPresentInfoKHR pi{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
  pi.waitSemaphoreCount = 1;
  pi.pWaitSemaphores = &rendered;
  pi.swapchainCount = 1;
  pi.pSwapchains = &sc;
  pi.pImageIndices = &index;
  const VkResult r = vkQueuePresentKHR(ctx_.queue, &pi);
  if (r == VK_ERROR_OUT_OF_DATE_KHR || r == VK_SUBOPTIMAL_KHR) stale_ = true;
  else if (r != VK_SUCCESS) vk::check(r, "vkQueuePresentKHR");
}

}  // namespace parktwin::render
