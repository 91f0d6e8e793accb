#pragma once
// Vulkan helpers private to the renderer: error type, one RAII owner per handle, buffers and images.
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <vulkan/vulkan.h>

namespace parktwin::render::vk {

/// Thrown inside the renderer on a failed Vulkan call; converted to a Failure at the public API.
struct Error : std::runtime_error {
  VkResult result;
  Error(const std::string& what, VkResult r);
};

inline void check(VkResult r, const char* what) {
  if (r != VK_SUCCESS) throw Error(what, r);
}
const char* result_name(VkResult r);

/// Vulkan's two-call enumeration (the count, then the items) with both results checked; the list
/// growing between the calls (VK_INCOMPLETE) is read again.
template <typename T, typename Call>
std::vector<T> enumerate(const char* what, Call&& call) {
  for (;;) {
    uint32_t n = 0;
    check(call(&n, static_cast<T*>(nullptr)), what);
    std::vector<T> v(n);
    const VkResult r = call(&n, v.data());
    if (r == VK_INCOMPLETE) continue;
    check(r, what);
    v.resize(n);
    return v;
  }
}

/// Owns one handle created from a parent (a VkDevice or a VkInstance); destroyed with `Destroy`
/// when the owner goes away. Move-only: exactly one owner per handle.
template <typename T, typename Parent, void (*Destroy)(Parent, T, const VkAllocationCallbacks*)>
class Child {
 public:
  Child() = default;
  Child(Parent p, T h) : parent_(p), h_(h) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  Child(Child&& o) noexcept : parent_(o.parent_), h_(std::exchange(o.h_, VK_NULL_HANDLE)) {}
  Child& operator=(Child&& o) noexcept {
    if (this != &o) {
      reset();
      parent_ = o.parent_;
      h_ = std::exchange(o.h_, VK_NULL_HANDLE);
    }
    return *this;
  }
  ~Child() { reset(); }
  void reset() {
    if (h_ != VK_NULL_HANDLE) Destroy(parent_, h_, nullptr);
    h_ = VK_NULL_HANDLE;
  }
  T vk() const { return h_; }
  explicit operator bool() const { return h_ != VK_NULL_HANDLE; }

 private:
  Parent parent_ = VK_NULL_HANDLE;
  T h_ = VK_NULL_HANDLE;
};

/// A handle created from a VkDevice.
template <typename T, void (*Destroy)(VkDevice, T, const VkAllocationCallbacks*)>
using Owned = Child<T, VkDevice, Destroy>;

/// Owns a handle that has no parent (the instance, the device); move-only.
template <typename T, void (*Destroy)(T, const VkAllocationCallbacks*)>
class Root {
 public:
  Root() = default;
  explicit Root(T h) : h_(h) {}
  Root(const Root&) = delete;
  Root& operator=(const Root&) = delete;
  Root(Root&& o) noexcept : h_(std::exchange(o.h_, VK_NULL_HANDLE)) {}
  Root& operator=(Root&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, VK_NULL_HANDLE);
    }
    return *this;
  }
  ~Root() { reset(); }
  void reset() {
    if (h_ != VK_NULL_HANDLE) Destroy(h_, nullptr);
    h_ = VK_NULL_HANDLE;
  }
  T vk() const { return h_; }
  explicit operator bool() const { return h_ != VK_NULL_HANDLE; }

 private:
  T h_ = VK_NULL_HANDLE;
};

using Instance = Root<VkInstance, vkDestroyInstance>;
using Device = Root<VkDevice, vkDestroyDevice>;
using Surface = Child<VkSurfaceKHR, VkInstance, vkDestroySurfaceKHR>;

/// Owns the debug-utils messenger (its destroy function comes from the instance at run time).
class DebugMessenger {
 public:
  DebugMessenger() = default;
  DebugMessenger(VkInstance instance, VkDebugUtilsMessengerEXT m);
  DebugMessenger(const DebugMessenger&) = delete;
  DebugMessenger& operator=(const DebugMessenger&) = delete;
  DebugMessenger(DebugMessenger&& o) noexcept { *this = std::move(o); }
  DebugMessenger& operator=(DebugMessenger&& o) noexcept;
  ~DebugMessenger() { reset(); }
  void reset();

 private:
  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT h_ = VK_NULL_HANDLE;
};

using Pipeline = Owned<VkPipeline, vkDestroyPipeline>;
using PipelineLayout = Owned<VkPipelineLayout, vkDestroyPipelineLayout>;
using RenderPass = Owned<VkRenderPass, vkDestroyRenderPass>;
using Framebuffer = Owned<VkFramebuffer, vkDestroyFramebuffer>;
using ImageView = Owned<VkImageView, vkDestroyImageView>;
using ShaderModule = Owned<VkShaderModule, vkDestroyShaderModule>;
using DescriptorSetLayout = Owned<VkDescriptorSetLayout, vkDestroyDescriptorSetLayout>;
using DescriptorPool = Owned<VkDescriptorPool, vkDestroyDescriptorPool>;
using CommandPool = Owned<VkCommandPool, vkDestroyCommandPool>;
using Fence = Owned<VkFence, vkDestroyFence>;
using Semaphore = Owned<VkSemaphore, vkDestroySemaphore>;
using Swapchain = Owned<VkSwapchainKHR, vkDestroySwapchainKHR>;
using QueryPool = Owned<VkQueryPool, vkDestroyQueryPool>;
using Sampler = Owned<VkSampler, vkDestroySampler>;
using PipelineCache = Owned<VkPipelineCache, vkDestroyPipelineCache>;

/// Alpha blending "over" with straight alpha, as every blended pipeline of the renderer draws.
VkPipelineColorBlendAttachmentState over_blending();
/// Creates a graphics pipeline drawing into one colour attachment with `blend`, with a dynamic
/// viewport and scissor (one each); `gi` brings the rest (stages, vertex input, assembly,
/// rasterisation, multisampling, depth, layout, render pass). Throws naming `what`.
Pipeline make_graphics_pipeline(VkDevice dev, VkGraphicsPipelineCreateInfo gi,
                                const VkPipelineColorBlendAttachmentState& blend, const char* what,
                                VkPipelineCache cache = VK_NULL_HANDLE);
/// A shader module from SPIR-V words; throws naming `what`.
ShaderModule make_shader(VkDevice dev, const uint32_t* code, size_t bytes, const char* what = "vkCreateShaderModule");
/// A set layout of `n` storage buffers (bindings 0..n-1) for `stages`.
DescriptorSetLayout make_storage_set_layout(VkDevice dev, uint32_t n, VkShaderStageFlags stages, const char* what);
/// A pipeline layout with `sets` and one push-constant range of `push_bytes` (none when 0) for `push_stages`.
PipelineLayout make_pipeline_layout(VkDevice dev, std::initializer_list<VkDescriptorSetLayout> sets,
                                    VkShaderStageFlags push_stages, uint32_t push_bytes, const char* what);
/// Writes storage buffers (whole range) into bindings 0..n-1 of `set`.
void write_storage_set(VkDevice dev, VkDescriptorSet set, std::initializer_list<VkBuffer> buffers);
/// A descriptor pool of `sets` sets holding `storage_buffers` storage buffers in all.
DescriptorPool make_storage_pool(VkDevice dev, uint32_t sets, uint32_t storage_buffers, const char* what);
/// Allocates one set of `layout` from `pool`.
VkDescriptorSet allocate_set(VkDevice dev, VkDescriptorPool pool, VkDescriptorSetLayout layout, const char* what);

/// Device memory bookkeeping shared by all allocations of a renderer.
struct MemoryStats {
  uint64_t allocated = 0;
};

struct DeviceRef {
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkPhysicalDeviceMemoryProperties memory{};
  MemoryStats* stats = nullptr;
  /// The device's memory is host memory (a CPU device such as lavapipe): big images ask the
  /// kernel for huge pages (ask_for_huge_pages).
  bool host_backed = false;
  /// Images from this size up get the huge-page hint on a host-backed device.
  static constexpr VkDeviceSize kHugePageHintBytes = VkDeviceSize{4} << 20;
  /// A memory type index with all `required` flags among `bits`, or throws.
  uint32_t memory_type(uint32_t bits, VkMemoryPropertyFlags required) const;
  /// Allocates memory for `req` with `props`, counted in `stats`; throws naming `what` on failure.
  /// `huge_pages`: the huge-page hint for a big allocation on a host-backed device. Images (render
  /// targets, first touched by the rasteriser's threads) take it; buffers do not: the building
  /// buffers are faulted in by a worker (GpuScene), and in 2 MiB pages that worker zeroed 2 GB at
  /// 1M footprints while the other threads' page faults waited, in a VM whose host had taken the
  /// memory back (the first frame 2.9-3.4 s instead of 0.9-1.1 s right after an idle minute).
  VkDeviceMemory allocate(const VkMemoryRequirements& req, VkMemoryPropertyFlags props, const std::string& what,
                          bool huge_pages = false) const;
  /// madvise(MADV_HUGEPAGE) over the whole 2 MiB blocks of `mem` (mapped for the call), before
  /// anything touches it.
  void ask_for_huge_pages(VkDeviceMemory mem, VkDeviceSize size) const;
  /// Like memory_type but returns UINT32_MAX instead of throwing.
  uint32_t find_memory_type(uint32_t bits, VkMemoryPropertyFlags required) const;
};

/// A buffer with its own memory; host-visible buffers stay mapped.
class Buffer {
 public:
  Buffer() = default;
  Buffer(const DeviceRef& dev, VkDeviceSize size, VkBufferUsageFlags usage, VkMemoryPropertyFlags props);
  Buffer(Buffer&& o) noexcept { *this = std::move(o); }
  Buffer& operator=(Buffer&& o) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { reset(); }
  void reset();
  VkBuffer vk() const { return buf_; }
  void* mapped() const { return mapped_; }
  VkDeviceSize size() const { return size_; }
  explicit operator bool() const { return buf_ != VK_NULL_HANDLE; }

 private:
  DeviceRef dev_{};
  VkBuffer buf_ = VK_NULL_HANDLE;
  VkDeviceMemory mem_ = VK_NULL_HANDLE;
  void* mapped_ = nullptr;
  VkDeviceSize size_ = 0, alloc_size_ = 0;
};

/// A 2D image with its own memory and one view.
class Image {
 public:
  Image() = default;
  Image(const DeviceRef& dev, uint32_t w, uint32_t h, VkFormat format, VkSampleCountFlagBits samples,
        VkImageUsageFlags usage, VkImageAspectFlags aspect);
  Image(Image&& o) noexcept { *this = std::move(o); }
  Image& operator=(Image&& o) noexcept;
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;
  ~Image() { reset(); }
  void reset();
  VkImage vk() const { return img_; }
  VkImageView view() const { return view_; }
  explicit operator bool() const { return img_ != VK_NULL_HANDLE; }

 private:
  DeviceRef dev_{};
  VkImage img_ = VK_NULL_HANDLE;
  VkImageView view_ = VK_NULL_HANDLE;
  VkDeviceMemory mem_ = VK_NULL_HANDLE;
  VkDeviceSize alloc_size_ = 0;
};

}  // namespace parktwin::render::vk
