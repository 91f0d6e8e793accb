#pragma once
// Instance, window surface, physical device, logical device and queue: created once per Renderer.
// Each handle has one RAII owner here (vk::Instance, vk::DebugMessenger, vk::Surface, vk::Device),
// declared so that they go in the reverse order of creation: device, surface, messenger, instance.
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
  ~Context() = default;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  /// After the surface exists: picks the device and creates it (present support checked on `surface`).
  /// With RendererOptions::present_barrier it enables VK_NV_present_barrier where the device and
  /// `surface` offer it, and says so in info.present_barrier.
  void create_device(VkSurfaceKHR surface);

  /// Takes ownership of a window surface made from instance() (before create_device).
  void adopt_surface(VkSurfaceKHR surface) { surface_ = vk::Surface(instance_.vk(), surface); }
  VkInstance instance() const { return instance_.vk(); }
  VkSurfaceKHR surface() const { return surface_.vk(); }

 private:
  vk::Instance instance_;
  vk::DebugMessenger messenger_;
  vk::Surface surface_;
  vk::Device device_;

 public:
  vk::DeviceRef dev;  ///< non-owning view of the device (device_ owns it)
  VkDevice device() const { return dev.device; }
  VkQueue queue = VK_NULL_HANDLE;
  uint32_t queue_family = 0;
  VkPhysicalDeviceProperties props{};
  DeviceInfo info;
  vk::MemoryStats memory;
  std::atomic<uint32_t> validation_errors{0};
  bool validation_on = false;
  bool need_present = false;
  /// GPU-driven building chunks can run: shaderFloat64 (exact chunk matrices), multiDrawIndirect
  /// and drawIndirectFirstInstance are enabled.
  bool gpu_chunk_culling = false;
  /// Valid bits of the queue's timestamps (0: no timestamps, RenderStats::gpu_ms from the host clock).
  uint32_t timestamp_bits = 0;
  /// The largest buffer the renderer makes (maxMemoryAllocationSize; PARKTWIN_MAX_BUFFER_MB lowers it).
  uint64_t max_allocation_bytes = UINT64_MAX;
  /// vkCmdDrawIndexedIndirectCount is available (Vulkan 1.2 feature drawIndirectCount, enabled).
  bool draw_indirect_count = false;
  /// Shader variants are compiled when a pipeline first draws, on the queue's thread, rather than
  /// at pipeline creation (a CPU device: lavapipe JIT-compiles them with LLVM).
  bool compiles_at_first_draw() const { return props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU; }

 private:
  std::string hint_;
  uint32_t want_msaa_ = 4;
  bool want_present_barrier_ = false;
  bool surface_caps2_ = false;  ///< VK_KHR_get_surface_capabilities2 enabled (to ask a surface about the barrier)
  /// Whether `pd` offers VK_NV_present_barrier with the feature presentBarrier, and `surface` supports it.
  bool offers_present_barrier(VkPhysicalDevice pd, VkSurfaceKHR surface) const;
};

}  // namespace parktwin::render
