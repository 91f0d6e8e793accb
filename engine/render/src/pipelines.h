#pragma once
// Pipeline creation for the passes. A pass describes each pipeline (GraphicsDesc, ComputeDesc) and
// gets a PipelineHandle back; the handle's get() gives the VkPipeline, waiting for it if it is still
// being compiled. The PipelineCompiler owns how and where pipelines are compiled.
#include <cstddef>
#include <cstdint>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <vulkan/vulkan.h>

#include "vk_util.h"

namespace parktwin::render {

struct ShaderCode {
  const uint32_t* words = nullptr;
  size_t bytes = 0;
};
/// The SPIR-V array `a` (shaders/*.inc included into a `const uint32_t[]`).
template <size_t N>
constexpr ShaderCode spirv(const uint32_t (&a)[N]) {
  return {a, sizeof a};
}

struct VertexLayout {
  std::vector<VkVertexInputBindingDescription> bindings;
  std::vector<VkVertexInputAttributeDescription> attributes;
};

/// A graphics pipeline with one colour attachment, dynamic viewport and scissor.
struct GraphicsDesc {
  const char* name = "pipeline";
  ShaderCode vs, fs;
  VertexLayout vertex;
  VkPrimitiveTopology topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
  VkCullModeFlags cull = VK_CULL_MODE_NONE;
  bool depth_test = false, depth_write = false;
  bool blend = true;  ///< straight-alpha "over" (vk::over_blending)
  VkSampleCountFlagBits samples = VK_SAMPLE_COUNT_1_BIT;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkRenderPass pass = VK_NULL_HANDLE;  ///< any pass compatible with the ones it draws in
};

struct ComputeDesc {
  const char* name = "compute pipeline";
  ShaderCode cs;
  VkPipelineLayout layout = VK_NULL_HANDLE;
};

/// One pipeline, possibly still compiling. Move-only; its owner is the pass that asked for it.
class PipelineHandle {
 public:
  PipelineHandle() = default;
  explicit PipelineHandle(std::future<vk::Pipeline> f) : pending_(std::move(f)) {}
  PipelineHandle(PipelineHandle&&) noexcept = default;
  PipelineHandle& operator=(PipelineHandle&&) noexcept = default;
  ~PipelineHandle() {
    if (pending_.valid()) pending_.wait();  // the compile uses the owner's layout: let it finish
  }
  /// The pipeline, waiting for its compilation; throws vk::Error if it failed.
  VkPipeline get() {
    if (pending_.valid()) ready_ = pending_.get();
    return ready_.vk();
  }

 private:
  std::future<vk::Pipeline> pending_;
  vk::Pipeline ready_;
};

/// Compiles the pipelines the passes describe on worker threads, through a VkPipelineCache kept on
/// disk: graphics() and compute() return at once, and a frame waits only for the pipelines it
/// records (PipelineHandle::get). The cache file is one per device and driver build (named by
/// their UUIDs) and is ignored when it is truncated, corrupt or not this device's; it is written
/// back, atomically, when the compiler goes.
class PipelineCompiler {
 public:
  /// `cache_dir` empty: no disk cache. `threads` 0: one per core, at most 4.
  PipelineCompiler(VkDevice dev, VkPhysicalDevice physical, const std::string& cache_dir, unsigned threads = 0);
  /// Finishes what is queued, then saves the cache.
  ~PipelineCompiler();
  PipelineCompiler(const PipelineCompiler&) = delete;
  PipelineCompiler& operator=(const PipelineCompiler&) = delete;

  PipelineHandle graphics(GraphicsDesc d);
  PipelineHandle compute(ComputeDesc d);
  /// Wall time from the first pipeline asked for to the last one compiled (so far, while some are
  /// still compiling), in milliseconds.
  double wall_ms() const;
  /// Whether the cache started from the file on disk.
  bool cache_loaded() const { return loaded_; }
  /// $XDG_CACHE_HOME/parktwin, else ~/.cache/parktwin; empty with PARKTWIN_PIPELINE_CACHE=0.
  static std::string default_cache_dir();

 private:
  template <typename Build>
  PipelineHandle enqueue(Build build);
  void work();
  void save();

  VkDevice dev_;
  std::string path_;
  vk::PipelineCache cache_;
  bool loaded_ = false;
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stop_ = false, started_ = false, compiled_ = false;
  int pending_ = 0;
  std::chrono::steady_clock::time_point first_, last_done_;
  std::vector<std::thread> workers_;  ///< last: started once everything above exists
};

/// Compiles `d` now (on the calling thread).
vk::Pipeline build_graphics(VkDevice dev, const GraphicsDesc& d, VkPipelineCache cache);
vk::Pipeline build_compute(VkDevice dev, const ComputeDesc& d, VkPipelineCache cache);

}  // namespace parktwin::render
