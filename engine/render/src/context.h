#pragma once
// Instance, physical device, logical device and queue: created once per Renderer.
#include <atomic>
#include <string>
#include <vector>

#include "parktwin/render/renderer.h"
#include "vk_util.h"

namespace parktwin::render {

class Context {
 public:
  /// Creates instance and device. `instance_extensions` come from the window system (may be empty).
  Context(const RendererOptions& opt, const std::vector<const char*>& instance_extensions, bool need_present);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  /// After the surface exists: picks the device and creates it (present support checked on `surface`).
  /// With RendererOptions::present_barrier it enables VK_NV_present_barrier where the device and
  /// `surface` offer it, and says so in info.present_barrier.
  void create_device(VkSurfaceKHR surface);

  VkInstance instance = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
  vk::DeviceRef dev;
  VkDevice device() const { return dev.device; }
  VkQueue queue = VK_NULL_HANDLE;
  uint32_t queue_family = 0;
  VkPhysicalDeviceProperties props{};
  DeviceInfo info;
  vk::MemoryStats memory;
  std::atomic<uint32_t> validation_errors{0};
  bool validation_on = false;
  bool need_present = false;

 private:
  std::string hint_;
  uint32_t want_msaa_ = 4;
  bool want_present_barrier_ = false;
  bool surface_caps2_ = false;  ///< VK_KHR_get_surface_capabilities2 enabled (to ask a surface about the barrier)
  /// Whether `pd` offers VK_NV_present_barrier with the feature presentBarrier, and `surface` supports it.
  bool offers_present_barrier(VkPhysicalDevice pd, VkSurfaceKHR surface) const;
};

}  // namespace parktwin::render
