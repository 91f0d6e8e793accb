// PipelineCompiler: worker threads and the pipeline cache on disk (pipelines.h).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <pthread.h>
#include <unistd.h>

#include "pipelines.h"

namespace parktwin::render {
namespace {

/// The cache file: this header, then the driver's cache data (vkGetPipelineCacheData).
struct CacheFileHeader {
  char magic[8];      // "PTPIPEC1"
  uint64_t bytes;     // of the data that follows
  uint64_t checksum;  // FNV-1a of the data
};
constexpr char kMagic[8] = {'P', 'T', 'P', 'I', 'P', 'E', 'C', '1'};

uint64_t fnv1a(const uint8_t* p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += d[p[i] >> 4], s += d[p[i] & 15];
  return s;
}

/// Whether `data` starts with a pipeline cache header of this device (the driver checks the rest).
bool header_matches(const std::vector<uint8_t>& data, const VkPhysicalDeviceProperties& props) {
  VkPipelineCacheHeaderVersionOne h{};
  if (data.size() < sizeof h) return false;
  std::memcpy(&h, data.data(), sizeof h);
  return h.headerSize >= sizeof h && h.headerVersion == VK_PIPELINE_CACHE_HEADER_VERSION_ONE &&
         h.vendorID == props.vendorID && h.deviceID == props.deviceID &&
         std::memcmp(h.pipelineCacheUUID, props.pipelineCacheUUID, VK_UUID_SIZE) == 0;
}

}  // namespace

std::string PipelineCompiler::default_cache_dir() {
  if (const char* e = std::getenv("PARKTWIN_PIPELINE_CACHE"); e && std::strcmp(e, "0") == 0) return {};
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/parktwin";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/parktwin";
  return {};
}

PipelineCompiler::PipelineCompiler(VkDevice dev, VkPhysicalDevice physical, const std::string& cache_dir, unsigned threads)
    : dev_(dev) {
  VkPhysicalDeviceIDProperties ids{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
  VkPhysicalDeviceProperties2 p2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  p2.pNext = &ids;
  vkGetPhysicalDeviceProperties2(physical, &p2);
  std::vector<uint8_t> data;
  if (!cache_dir.empty()) {
    // One file per device and driver build: another GPU or a driver update starts afresh.
    path_ = cache_dir + "/pipelines-" + hex(ids.deviceUUID, VK_UUID_SIZE) + "-" + hex(ids.driverUUID, VK_UUID_SIZE) + ".bin";
    std::ifstream in(path_, std::ios::binary);
    CacheFileHeader h{};
    if (in && in.read(reinterpret_cast<char*>(&h), sizeof h) && std::memcmp(h.magic, kMagic, sizeof kMagic) == 0 &&
        h.bytes < (uint64_t(1) << 31)) {
      data.resize(h.bytes);
      if (!in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(h.bytes)) ||
          fnv1a(data.data(), data.size()) != h.checksum || !header_matches(data, p2.properties))
        data.clear();  // truncated, corrupt or from another device: ignored
    }
  }
  VkPipelineCacheCreateInfo ci{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
  ci.initialDataSize = data.size();
  ci.pInitialData = data.empty() ? nullptr : data.data();
  VkPipelineCache cache = VK_NULL_HANDLE;
  VkResult r = vkCreatePipelineCache(dev, &ci, nullptr, &cache);
  if (r != VK_SUCCESS && !data.empty()) {  // the driver refused what we had: start empty
    data.clear();
    ci.initialDataSize = 0;
    ci.pInitialData = nullptr;
    r = vkCreatePipelineCache(dev, &ci, nullptr, &cache);
  }
  vk::check(r, "vkCreatePipelineCache");
  cache_ = vk::PipelineCache(dev, cache);
  loaded_ = !data.empty();
  if (threads == 0) threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

PipelineCompiler::~PipelineCompiler() {
  {
    std::lock_guard<std::mutex> lock(m_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();  // the queue is drained first
  save();
}

void PipelineCompiler::save() {
  if (path_.empty() || !compiled_) return;
  size_t n = 0;
  if (vkGetPipelineCacheData(dev_, cache_.vk(), &n, nullptr) != VK_SUCCESS || n == 0) return;
  std::vector<uint8_t> data(n);
  if (vkGetPipelineCacheData(dev_, cache_.vk(), &n, data.data()) != VK_SUCCESS) return;
  data.resize(n);
  CacheFileHeader h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.bytes = data.size();
  h.checksum = fnv1a(data.data(), data.size());
  // Written aside and renamed: a reader (another viewer starting) sees the old file or the new one.
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  const std::string tmp = path_ + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return;
    out.write(reinterpret_cast<const char*>(&h), sizeof h);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    if (!out) {
      out.close();
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, path_, ec);
  if (ec) std::filesystem::remove(tmp, ec);
}

void PipelineCompiler::work() {
  pthread_setname_np(pthread_self(), "parktwin-pipes");  // named for profilers and debuggers
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(m_);
      cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
    std::lock_guard<std::mutex> lock(m_);
    last_done_ = std::chrono::steady_clock::now();
    --pending_;
  }
}

template <typename Build>
PipelineHandle PipelineCompiler::enqueue(Build build) {
  auto promise = std::make_shared<std::promise<vk::Pipeline>>();
  PipelineHandle h(promise->get_future());
  {
    std::lock_guard<std::mutex> lock(m_);
    if (pending_ == 0 && !started_) first_ = std::chrono::steady_clock::now(), started_ = true;
    ++pending_;
    compiled_ = true;
    jobs_.push_back([promise, build = std::move(build)] {
      try {
        promise->set_value(build());
      } catch (...) {
        promise->set_exception(std::current_exception());
      }
    });
  }
  cv_.notify_one();
  return h;
}

PipelineHandle PipelineCompiler::graphics(GraphicsDesc d) {
  return enqueue([this, d = std::move(d)] { return build_graphics(dev_, d, cache_.vk()); });
}

PipelineHandle PipelineCompiler::compute(ComputeDesc d) {
  return enqueue([this, d] { return build_compute(dev_, d, cache_.vk()); });
}

double PipelineCompiler::wall_ms() const {
  std::lock_guard<std::mutex> lock(m_);
  if (!started_) return 0.0;
  const auto end = pending_ > 0 ? std::chrono::steady_clock::now() : last_done_;
  return std::chrono::duration<double, std::milli>(end - first_).count();
}

}  // namespace parktwin::render
