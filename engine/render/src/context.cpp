#include "context.h"

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace parktwin::render {
namespace {

VKAPI_ATTR VkBool32 VKAPI_CALL on_debug_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                VkDebugUtilsMessageTypeFlagsEXT,
                                                const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  auto* ctx = static_cast<Context*>(user);
  if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) {
    const uint32_t n = ++ctx->validation_errors;
    if (n <= 20) std::fprintf(stderr, "vulkan validation error: %s\n", data->pMessage);
  } else if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) {
    std::fprintf(stderr, "vulkan validation warning: %s\n", data->pMessage);
  }
  return VK_FALSE;
}

bool has_layer(const char* name) {
  const auto v = vk::enumerate<VkLayerProperties>(
      "vkEnumerateInstanceLayerProperties", [](uint32_t* n, VkLayerProperties* p) { return vkEnumerateInstanceLayerProperties(n, p); });
  return std::any_of(v.begin(), v.end(), [&](const VkLayerProperties& p) { return std::strcmp(p.layerName, name) == 0; });
}

bool has_instance_extension(const char* name) {
  const auto v = vk::enumerate<VkExtensionProperties>("vkEnumerateInstanceExtensionProperties", [](uint32_t* n, VkExtensionProperties* p) {
    return vkEnumerateInstanceExtensionProperties(nullptr, n, p);
  });
  return std::any_of(v.begin(), v.end(),
                     [&](const VkExtensionProperties& p) { return std::strcmp(p.extensionName, name) == 0; });
}

const char* type_name(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "CPU";
    default: return "other";
  }
}

int type_score(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 1;
    default: return 0;
  }
}

bool has_device_extension(VkPhysicalDevice pd, const char* name) {
  const auto v = vk::enumerate<VkExtensionProperties>("vkEnumerateDeviceExtensionProperties", [pd](uint32_t* n, VkExtensionProperties* p) {
    return vkEnumerateDeviceExtensionProperties(pd, nullptr, n, p);
  });
  return std::any_of(v.begin(), v.end(),
                     [&](const VkExtensionProperties& p) { return std::strcmp(p.extensionName, name) == 0; });
}

}  // namespace

bool Context::offers_present_barrier(VkPhysicalDevice pd, VkSurfaceKHR surface) const {
  if (!want_present_barrier_ || !surface || !surface_caps2_ || !has_device_extension(pd, VK_NV_PRESENT_BARRIER_EXTENSION_NAME))
    return false;
  VkPhysicalDevicePresentBarrierFeaturesNV feature{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PRESENT_BARRIER_FEATURES_NV};
  VkPhysicalDeviceFeatures2 f2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  f2.pNext = &feature;
  vkGetPhysicalDeviceFeatures2(pd, &f2);
  if (!feature.presentBarrier) return false;
  auto caps2 = reinterpret_cast<PFN_vkGetPhysicalDeviceSurfaceCapabilities2KHR>(
      vkGetInstanceProcAddr(instance_.vk(), "vkGetPhysicalDeviceSurfaceCapabilities2KHR"));
  if (!caps2) return false;
  VkSurfaceCapabilitiesPresentBarrierNV surface_barrier{VK_STRUCTURE_TYPE_SURFACE_CAPABILITIES_PRESENT_BARRIER_NV};
  VkSurfaceCapabilities2KHR c2{VK_STRUCTURE_TYPE_SURFACE_CAPABILITIES_2_KHR};
  c2.pNext = &surface_barrier;
  VkPhysicalDeviceSurfaceInfo2KHR si{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SURFACE_INFO_2_KHR};
  si.surface = surface;
  return caps2(pd, &si, &c2) == VK_SUCCESS && surface_barrier.presentBarrierSupported;
}

Context::Context(const RendererOptions& opt, const std::vector<const char*>& instance_extensions, bool present)
    : need_present(present) {
  dev.stats = &memory;
  hint_ = opt.device_hint;
  if (const char* e = std::getenv("PARKTWIN_DEVICE"); e && *e) hint_ = e;
  want_msaa_ = opt.msaa;
  const char* env_val = std::getenv("PARKTWIN_VALIDATION");
  const bool want_validation = opt.validation || (env_val && std::strcmp(env_val, "1") == 0);

  std::vector<const char*> exts = instance_extensions;
  const bool debug_utils = has_instance_extension(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  if (debug_utils) exts.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  // VK_NV_present_barrier needs VK_KHR_get_surface_capabilities2 to ask a surface whether it has one.
  want_present_barrier_ = opt.present_barrier && present;
  if (want_present_barrier_ && has_instance_extension(VK_KHR_GET_SURFACE_CAPABILITIES_2_EXTENSION_NAME)) {
    exts.push_back(VK_KHR_GET_SURFACE_CAPABILITIES_2_EXTENSION_NAME);
    surface_caps2_ = true;
  }
  std::vector<const char*> layers;
  if (want_validation) {
    if (has_layer("VK_LAYER_KHRONOS_validation")) layers.push_back("VK_LAYER_KHRONOS_validation");
    else std::fprintf(stderr, "parktwin: validation requested but VK_LAYER_KHRONOS_validation is not installed "
                              "(Debian package vulkan-validationlayers); going on without it\n");
  }
  validation_on = !layers.empty();

  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "ParkTwin";
  app.applicationVersion = VK_MAKE_VERSION(0, 1, 0);
  app.pEngineName = "ParkTwin";
  app.apiVersion = VK_API_VERSION_1_2;
  VkInstanceCreateInfo ci{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  ci.pApplicationInfo = &app;
  ci.enabledExtensionCount = static_cast<uint32_t>(exts.size());
  ci.ppEnabledExtensionNames = exts.data();
  ci.enabledLayerCount = static_cast<uint32_t>(layers.size());
  ci.ppEnabledLayerNames = layers.data();
  VkDebugUtilsMessengerCreateInfoEXT mi{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  mi.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT;
  mi.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                   VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  mi.pfnUserCallback = on_debug_message;
  mi.pUserData = this;
  if (debug_utils) ci.pNext = &mi;  // also catches messages from instance creation itself
  VkInstance instance = VK_NULL_HANDLE;
  vk::check(vkCreateInstance(&ci, nullptr, &instance), "vkCreateInstance");
  instance_ = vk::Instance(instance);
  if (debug_utils) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT"));
    VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
    if (create && create(instance, &mi, nullptr, &messenger) == VK_SUCCESS) messenger_ = vk::DebugMessenger(instance, messenger);
  }
}

void Context::create_device(VkSurfaceKHR surface) {
  const auto pds = vk::enumerate<VkPhysicalDevice>("vkEnumeratePhysicalDevices", [this](uint32_t* n, VkPhysicalDevice* p) {
    return vkEnumeratePhysicalDevices(instance_.vk(), n, p);
  });
  if (pds.empty())
    throw vk::Error("no Vulkan device found (install mesa-vulkan-drivers for the CPU driver lavapipe);"
                    " vkEnumeratePhysicalDevices", VK_ERROR_INITIALIZATION_FAILED);
  int best = -1;
  uint32_t best_family = 0, best_timestamp_bits = 0;
  for (size_t i = 0; i < pds.size(); ++i) {
    VkPhysicalDeviceProperties p;
    vkGetPhysicalDeviceProperties(pds[i], &p);
    if (p.apiVersion < VK_API_VERSION_1_2) continue;
    uint32_t qn = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(pds[i], &qn, nullptr);
    std::vector<VkQueueFamilyProperties> qf(qn);
    vkGetPhysicalDeviceQueueFamilyProperties(pds[i], &qn, qf.data());
    int family = -1;
    for (uint32_t q = 0; q < qn && family < 0; ++q) {
      if (!(qf[q].queueFlags & VK_QUEUE_GRAPHICS_BIT)) continue;
      VkBool32 present_ok = VK_TRUE;
      if (surface) vkGetPhysicalDeviceSurfaceSupportKHR(pds[i], q, surface, &present_ok);
      if (present_ok) family = static_cast<int>(q);
    }
    if (family < 0) continue;
    int score = type_score(p.deviceType) * 10;
    if (!hint_.empty() && std::strstr(p.deviceName, hint_.c_str())) score += 1000;
    if (best < 0 || score > best) {
      best = score;
      dev.physical = pds[i];
      best_family = static_cast<uint32_t>(family);
      best_timestamp_bits = qf[static_cast<uint32_t>(family)].timestampValidBits;
    }
  }
  if (!dev.physical)
    throw vk::Error("no Vulkan 1.2 device with a graphics queue" + std::string(surface ? " that can present" : ""),
                    VK_ERROR_INITIALIZATION_FAILED);
  queue_family = best_family;
  timestamp_bits = best_timestamp_bits;
  vkGetPhysicalDeviceProperties(dev.physical, &props);
  vkGetPhysicalDeviceMemoryProperties(dev.physical, &dev.memory);
  dev.host_backed = props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
#ifdef __GLIBC__
  // A CPU device's frames malloc and free tens of MB of host memory each (the rasteriser's bins and
  // vertex buffers). glibc gives the top of a heap back to the kernel once more than 128 KiB is
  // free there, and the next frame faults it in again one page at a time: at 10k buildings,
  // 1920x1080 with 4x MSAA, a steady frame took 133-186 ms that way and 58-69 ms with the free
  // top kept (measured with GLIBC_TUNABLES=glibc.malloc.trim_threshold). Kept up to 256 MiB for
  // the process (mallopt is process-wide; it also stops the adaptive mmap threshold).
  if (dev.host_backed) mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif

  const float prio = 1.0f;
  VkDeviceQueueCreateInfo qi{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  qi.queueFamilyIndex = queue_family;
  qi.queueCount = 1;
  qi.pQueuePriorities = &prio;
  std::vector<const char*> exts;
  if (need_present) exts.push_back(VK_KHR_SWAPCHAIN_EXTENSION_NAME);
  VkPhysicalDevicePresentBarrierFeaturesNV barrier{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PRESENT_BARRIER_FEATURES_NV};
  info.present_barrier = offers_present_barrier(dev.physical, surface);
  if (info.present_barrier) {
    exts.push_back(VK_NV_PRESENT_BARRIER_EXTENSION_NAME);
    barrier.presentBarrier = VK_TRUE;
  }
  // Features of the GPU-driven building chunks, where offered (render/src/building_cull.cpp).
  VkPhysicalDeviceVulkan12Features have12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  VkPhysicalDeviceFeatures2 have{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  have.pNext = &have12;
  vkGetPhysicalDeviceFeatures2(dev.physical, &have);
  VkPhysicalDeviceVulkan12Features want12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  VkPhysicalDeviceFeatures2 want{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  want.pNext = &want12;
  gpu_chunk_culling = have.features.shaderFloat64 && have.features.multiDrawIndirect &&
                      have.features.drawIndirectFirstInstance;
  if (gpu_chunk_culling) {
    want.features.shaderFloat64 = VK_TRUE;
    want.features.multiDrawIndirect = VK_TRUE;
    want.features.drawIndirectFirstInstance = VK_TRUE;
  }
  // Mesa 22.3's lavapipe leaves the count buffer of vkCmdDrawIndexedIndirectCount in force for later
  // plain indirect draws of the command buffer (the flow ribbons then drew nothing whenever the
  // edge count before them was 0): there the building draws take the fallback path.
  VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
  VkPhysicalDeviceMaintenance3Properties m3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
  driver.pNext = &m3;
  VkPhysicalDeviceProperties2 props2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  props2.pNext = &driver;
  vkGetPhysicalDeviceProperties2(dev.physical, &props2);
  // The largest single allocation the device promises (lavapipe: 2 GiB; it also addresses vertices
  // with 32-bit byte offsets, so a vertex past 2 GiB of one buffer faults). PARKTWIN_MAX_BUFFER_MB
  // lowers it, for the tests of what does not fit.
  max_allocation_bytes = m3.maxMemoryAllocationSize > 0 ? m3.maxMemoryAllocationSize : UINT64_MAX;
  if (const char* e = std::getenv("PARKTWIN_MAX_BUFFER_MB"); e && std::atoll(e) > 0)
    max_allocation_bytes = std::min<uint64_t>(max_allocation_bytes, static_cast<uint64_t>(std::atoll(e)) << 20);
  draw_indirect_count = have12.drawIndirectCount == VK_TRUE && driver.driverID != VK_DRIVER_ID_MESA_LLVMPIPE;
  want12.drawIndirectCount = have12.drawIndirectCount;
  if (info.present_barrier) want12.pNext = &barrier;
  VkDeviceCreateInfo di{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  di.pNext = &want;
  di.queueCreateInfoCount = 1;
  di.pQueueCreateInfos = &qi;
  di.enabledExtensionCount = static_cast<uint32_t>(exts.size());
  di.ppEnabledExtensionNames = exts.data();
  vk::check(vkCreateDevice(dev.physical, &di, nullptr, &dev.device), "vkCreateDevice");
  device_ = vk::Device(dev.device);
  vkGetDeviceQueue(dev.device, queue_family, 0, &queue);

  info.name = props.deviceName;
  info.type = type_name(props.deviceType);
  info.api_version = std::to_string(VK_API_VERSION_MAJOR(props.apiVersion)) + "." +
                     std::to_string(VK_API_VERSION_MINOR(props.apiVersion)) + "." +
                     std::to_string(VK_API_VERSION_PATCH(props.apiVersion));
  info.driver = std::to_string(props.driverVersion);
  info.max_image_dimension = props.limits.maxImageDimension2D;
  VkPhysicalDeviceMemoryProperties mem{};
  vkGetPhysicalDeviceMemoryProperties(dev.physical, &mem);
  for (uint32_t h = 0; h < mem.memoryHeapCount; ++h)
    if (mem.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
      info.device_local_bytes = std::max<uint64_t>(info.device_local_bytes, mem.memoryHeaps[h].size);
  info.max_allocation_bytes = max_allocation_bytes;
  info.uses_host_memory =
      props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU || props.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
  info.timestamps = timestamp_bits > 0;
  const VkSampleCountFlags counts =
      props.limits.framebufferColorSampleCounts & props.limits.framebufferDepthSampleCounts;
  info.msaa = (want_msaa_ >= 4 && (counts & VK_SAMPLE_COUNT_4_BIT)) ? 4 : 1;
}

}  // namespace parktwin::render
