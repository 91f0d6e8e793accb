#include "vk_util.h"

#include <sys/mman.h>

#include <cstdint>

namespace parktwin::render::vk {

const char* result_name(VkResult r) {
  switch (r) {
    case VK_SUCCESS: return "VK_SUCCESS";
    case VK_NOT_READY: return "VK_NOT_READY";
    case VK_TIMEOUT: return "VK_TIMEOUT";
    case VK_SUBOPTIMAL_KHR: return "VK_SUBOPTIMAL_KHR";
    case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_LAYER_NOT_PRESENT: return "VK_ERROR_LAYER_NOT_PRESENT";
    case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
    case VK_ERROR_FORMAT_NOT_SUPPORTED: return "VK_ERROR_FORMAT_NOT_SUPPORTED";
    case VK_ERROR_SURFACE_LOST_KHR: return "VK_ERROR_SURFACE_LOST_KHR";
    case VK_ERROR_OUT_OF_DATE_KHR: return "VK_ERROR_OUT_OF_DATE_KHR";
    default: return "VkResult error";
  }
}

Error::Error(const std::string& what, VkResult r)
    : std::runtime_error(what + " failed: " + result_name(r) + " (" + std::to_string(static_cast<int>(r)) + ")"),
      result(r) {}

uint32_t DeviceRef::find_memory_type(uint32_t bits, VkMemoryPropertyFlags required) const {
  for (uint32_t i = 0; i < memory.memoryTypeCount; ++i)
    if ((bits & (1u << i)) && (memory.memoryTypes[i].propertyFlags & required) == required) return i;
  return UINT32_MAX;
}

uint32_t DeviceRef::memory_type(uint32_t bits, VkMemoryPropertyFlags required) const {
  const uint32_t t = find_memory_type(bits, required);
  if (t == UINT32_MAX) throw Error("finding a memory type", VK_ERROR_OUT_OF_DEVICE_MEMORY);
  return t;
}

void DeviceRef::ask_for_huge_pages(VkDeviceMemory mem, VkDeviceSize size) const {
  // The device's memory is the process's (a CPU device): a big allocation, such as a 1920x1080
  // target with 4x MSAA (66 MB of colour and depth), is otherwise first touched one 4 KiB page at a
  // time by the rasteriser threads, about 200 ms of page faults on a 2-core virtual machine.
  // With transparent huge pages in "madvise" mode (Debian's default) the whole 2 MiB blocks inside
  // the allocation can come as one page each. Only a hint: the contents and the mapping are the
  // same either way, and a kernel without huge pages ignores it.
  void* p = nullptr;
  if (vkMapMemory(device, mem, 0, VK_WHOLE_SIZE, 0, &p) != VK_SUCCESS || p == nullptr) return;
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + size) & ~(kHuge - 1);
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  vkUnmapMemory(device, mem);
}

VkDeviceMemory DeviceRef::allocate(const VkMemoryRequirements& req, VkMemoryPropertyFlags props,
                                   const std::string& what, bool huge_pages) const {
  VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  ai.allocationSize = req.size;
  ai.memoryTypeIndex = memory_type(req.memoryTypeBits, props);
  VkDeviceMemory mem = VK_NULL_HANDLE;
  check(vkAllocateMemory(device, &ai, nullptr, &mem), ("vkAllocateMemory (" + what + ")").c_str());
  if (stats) stats->allocated += req.size;
  if (huge_pages && host_backed && req.size >= kHugePageHintBytes &&
      (memory.memoryTypes[ai.memoryTypeIndex].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
    ask_for_huge_pages(mem, req.size);
  return mem;
}

Buffer::Buffer(const DeviceRef& dev, VkDeviceSize size, VkBufferUsageFlags usage, VkMemoryPropertyFlags props)
    : dev_(dev), size_(size) {
  try {
    VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bi.size = size > 0 ? size : 16;
    bi.usage = usage;
    bi.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    check(vkCreateBuffer(dev.device, &bi, nullptr, &buf_), "vkCreateBuffer");
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(dev.device, buf_, &req);
    mem_ = dev.allocate(req, props, "buffer of " + std::to_string(req.size) + " bytes");
    alloc_size_ = req.size;
    check(vkBindBufferMemory(dev.device, buf_, mem_, 0), "vkBindBufferMemory");
    if (props & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
      check(vkMapMemory(dev.device, mem_, 0, VK_WHOLE_SIZE, 0, &mapped_), "vkMapMemory");
  } catch (...) {
    reset();  // a throwing constructor runs no destructor: release what was created
    throw;
  }
}

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    reset();
    dev_ = o.dev_;
    buf_ = std::exchange(o.buf_, VK_NULL_HANDLE);
    mem_ = std::exchange(o.mem_, VK_NULL_HANDLE);
    mapped_ = std::exchange(o.mapped_, nullptr);
    size_ = o.size_;
    alloc_size_ = o.alloc_size_;
  }
  return *this;
}

void Buffer::reset() {
  if (buf_) vkDestroyBuffer(dev_.device, buf_, nullptr);
  if (mem_) {
    vkFreeMemory(dev_.device, mem_, nullptr);
    if (dev_.stats) dev_.stats->allocated -= alloc_size_;
  }
  buf_ = VK_NULL_HANDLE;
  mem_ = VK_NULL_HANDLE;
  mapped_ = nullptr;
}

Image::Image(const DeviceRef& dev, uint32_t w, uint32_t h, VkFormat format, VkSampleCountFlagBits samples,
             VkImageUsageFlags usage, VkImageAspectFlags aspect)
    : dev_(dev) {
  try {
    VkImageCreateInfo ii{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
    ii.imageType = VK_IMAGE_TYPE_2D;
    ii.format = format;
    ii.extent = {w, h, 1};
    ii.mipLevels = 1;
    ii.arrayLayers = 1;
    ii.samples = samples;
    ii.tiling = VK_IMAGE_TILING_OPTIMAL;
    ii.usage = usage;
    ii.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    check(vkCreateImage(dev.device, &ii, nullptr, &img_), "vkCreateImage");
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(dev.device, img_, &req);
    mem_ = dev.allocate(req, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                        "image " + std::to_string(w) + "x" + std::to_string(h), true);
    alloc_size_ = req.size;
    check(vkBindImageMemory(dev.device, img_, mem_, 0), "vkBindImageMemory");
    VkImageViewCreateInfo vi{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    vi.image = img_;
    vi.viewType = VK_IMAGE_VIEW_TYPE_2D;
    vi.format = format;
    vi.subresourceRange = {aspect, 0, 1, 0, 1};
    check(vkCreateImageView(dev.device, &vi, nullptr, &view_), "vkCreateImageView");
  } catch (...) {
    reset();
    throw;
  }
}

Image& Image::operator=(Image&& o) noexcept {
  if (this != &o) {
    reset();
    dev_ = o.dev_;
    img_ = std::exchange(o.img_, VK_NULL_HANDLE);
    view_ = std::exchange(o.view_, VK_NULL_HANDLE);
    mem_ = std::exchange(o.mem_, VK_NULL_HANDLE);
    alloc_size_ = o.alloc_size_;
  }
  return *this;
}

void Image::reset() {
  if (view_) vkDestroyImageView(dev_.device, view_, nullptr);
  if (img_) vkDestroyImage(dev_.device, img_, nullptr);
  if (mem_) {
    vkFreeMemory(dev_.device, mem_, nullptr);
    if (dev_.stats) dev_.stats->allocated -= alloc_size_;
  }
  view_ = VK_NULL_HANDLE;
  img_ = VK_NULL_HANDLE;
  mem_ = VK_NULL_HANDLE;
}

VkPipelineColorBlendAttachmentState over_blending() {
  VkPipelineColorBlendAttachmentState blend{};
  blend.blendEnable = VK_TRUE;
  blend.srcColorBlendFactor = VK_BLEND_FACTOR_SRC_ALPHA;
  blend.dstColorBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
  blend.colorBlendOp = VK_BLEND_OP_ADD;
  blend.srcAlphaBlendFactor = VK_BLEND_FACTOR_ONE;
  blend.dstAlphaBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
  blend.alphaBlendOp = VK_BLEND_OP_ADD;
  blend.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT | VK_COLOR_COMPONENT_B_BIT | VK_COLOR_COMPONENT_A_BIT;
  return blend;
}

Pipeline make_graphics_pipeline(VkDevice dev, VkGraphicsPipelineCreateInfo gi,
                                const VkPipelineColorBlendAttachmentState& blend, const char* what,
                                VkPipelineCache cache) {
  VkPipelineViewportStateCreateInfo vp{VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO};
  vp.viewportCount = 1;
  vp.scissorCount = 1;
  VkPipelineColorBlendStateCreateInfo cb{VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO};
  cb.attachmentCount = 1;
  cb.pAttachments = &blend;
  const VkDynamicState dyn[] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
  VkPipelineDynamicStateCreateInfo dy{VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO};
  dy.dynamicStateCount = 2;
  dy.pDynamicStates = dyn;
  gi.pViewportState = &vp;
  gi.pColorBlendState = &cb;
  gi.pDynamicState = &dy;
  VkPipeline p;
  check(vkCreateGraphicsPipelines(dev, cache, 1, &gi, nullptr, &p), what);
  return Pipeline(dev, p);
}

DebugMessenger::DebugMessenger(VkInstance instance, VkDebugUtilsMessengerEXT m) : instance_(instance), h_(m) {}

DebugMessenger& DebugMessenger::operator=(DebugMessenger&& o) noexcept {
  if (this != &o) {
    reset();
    instance_ = o.instance_;
    h_ = std::exchange(o.h_, VK_NULL_HANDLE);
  }
  return *this;
}

void DebugMessenger::reset() {
  if (h_ != VK_NULL_HANDLE) {
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
    if (destroy) destroy(instance_, h_, nullptr);
  }
  h_ = VK_NULL_HANDLE;
}

ShaderModule make_shader(VkDevice dev, const uint32_t* code, size_t bytes, const char* what) {
  VkShaderModuleCreateInfo si{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  si.codeSize = bytes;
  si.pCode = code;
  VkShaderModule m;
  check(vkCreateShaderModule(dev, &si, nullptr, &m), what);
  return ShaderModule(dev, m);
}

DescriptorSetLayout make_storage_set_layout(VkDevice dev, uint32_t n, VkShaderStageFlags stages, const char* what) {
  std::vector<VkDescriptorSetLayoutBinding> b(n);
  for (uint32_t i = 0; i < n; ++i) b[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, stages, nullptr};
  VkDescriptorSetLayoutCreateInfo li{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  li.bindingCount = n;
  li.pBindings = b.data();
  VkDescriptorSetLayout sl;
  check(vkCreateDescriptorSetLayout(dev, &li, nullptr, &sl), what);
  return DescriptorSetLayout(dev, sl);
}

PipelineLayout make_pipeline_layout(VkDevice dev, std::initializer_list<VkDescriptorSetLayout> sets,
                                    VkShaderStageFlags push_stages, uint32_t push_bytes, const char* what) {
  const std::vector<VkDescriptorSetLayout> s(sets);
  VkPushConstantRange pcr{push_stages, 0, push_bytes};
  VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  pli.setLayoutCount = static_cast<uint32_t>(s.size());
  pli.pSetLayouts = s.data();
  pli.pushConstantRangeCount = push_bytes ? 1 : 0;
  pli.pPushConstantRanges = push_bytes ? &pcr : nullptr;
  VkPipelineLayout pl;
  check(vkCreatePipelineLayout(dev, &pli, nullptr, &pl), what);
  return PipelineLayout(dev, pl);
}

void write_storage_set(VkDevice dev, VkDescriptorSet set, std::initializer_list<VkBuffer> buffers) {
  std::vector<VkDescriptorBufferInfo> info;
  info.reserve(buffers.size());
  std::vector<VkWriteDescriptorSet> w;
  uint32_t i = 0;
  for (VkBuffer b : buffers) {
    info.push_back({b, 0, VK_WHOLE_SIZE});
    VkWriteDescriptorSet wr{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    wr.dstSet = set;
    wr.dstBinding = i++;
    wr.descriptorCount = 1;
    wr.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    w.push_back(wr);
  }
  for (size_t k = 0; k < w.size(); ++k) w[k].pBufferInfo = &info[k];
  vkUpdateDescriptorSets(dev, static_cast<uint32_t>(w.size()), w.data(), 0, nullptr);
}

DescriptorPool make_storage_pool(VkDevice dev, uint32_t sets, uint32_t storage_buffers, const char* what) {
  VkDescriptorPoolSize ps{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, storage_buffers};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.maxSets = sets;
  dpi.poolSizeCount = 1;
  dpi.pPoolSizes = &ps;
  VkDescriptorPool dp;
  check(vkCreateDescriptorPool(dev, &dpi, nullptr, &dp), what);
  return DescriptorPool(dev, dp);
}

VkDescriptorSet allocate_set(VkDevice dev, VkDescriptorPool pool, VkDescriptorSetLayout layout, const char* what) {
  VkDescriptorSetAllocateInfo dai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  dai.descriptorPool = pool;
  dai.descriptorSetCount = 1;
  dai.pSetLayouts = &layout;
  VkDescriptorSet set;
  check(vkAllocateDescriptorSets(dev, &dai, &set), what);
  return set;
}

}  // namespace parktwin::render::vk
