// GPU-driven building chunks: the culling dispatch and its per-frame buffers (BuildingCulling).
// The CPU's cost per frame is one write of the view and of one entry per building layer, whatever
// the number of chunks or buildings; the chunk records are copied only when geometry changed.
#include <algorithm>
#include <cstring>

#include "building_clusters.h"
#include "passes.h"

namespace parktwin::render {
namespace {

const uint32_t kBuildingsCullComp[] = {
#include "buildings_cull.comp.inc"
};

constexpr uint32_t kBindings = 7;  // chunks, view, layers, face draws, edge draws, counts, matrices
/// Per layer, written by the culling: face draws, edge draws, face indices, edge indices, clusters
/// with faces drawn, face indices of drawn clusters left out as facing away, clusters drawn at a
/// level of detail (and room to spare).
constexpr size_t kCounts = 8;
constexpr VkMemoryPropertyFlags kHost = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;

}  // namespace

BuildingCulling::BuildingCulling(Context& ctx, PipelineCompiler& compiler, VkSampleCountFlagBits samples,
                                 ChunkCulling mode)
    : ctx_(ctx), compiler_(compiler), mode_(mode) {
  if (!ctx.gpu_chunk_culling) mode_ = ChunkCulling::Cpu;
  // On a CPU device every memory type is host memory: host-visible matrices cost nothing there.
  host_matrices_ = mode_ == ChunkCulling::Cpu || ctx.props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
  // Where a box can draw: the sample positions of the target (standard locations, Vulkan spec
  // "Multisampling"); without standard locations the test by size is left out.
  if (samples == VK_SAMPLE_COUNT_4_BIT) {
    sample_x_ = {0.375f, 0.875f, 0.125f, 0.625f};
    sample_y_ = {0.125f, 0.375f, 0.625f, 0.875f};
    sample_count_ = 4;
  }
  size_culling_ = samples == VK_SAMPLE_COUNT_1_BIT || ctx.props.limits.standardSampleLocations;
  const VkDevice dev = ctx.device();
  set_layout_ = vk::make_storage_set_layout(dev, kBindings, VK_SHADER_STAGE_COMPUTE_BIT | VK_SHADER_STAGE_VERTEX_BIT,
                                            "vkCreateDescriptorSetLayout (building chunks)");
  // Set 1, as the vertex shaders see it (set 0 holds their styles); no push constants: the view
  // is a buffer (it holds doubles).
  no_set_ = vk::make_storage_set_layout(dev, 0, VK_SHADER_STAGE_COMPUTE_BIT, "vkCreateDescriptorSetLayout (empty)");
  layout_ = vk::make_pipeline_layout(dev, {no_set_.vk(), set_layout_.vk()}, VK_SHADER_STAGE_COMPUTE_BIT, 0,
                                     "vkCreatePipelineLayout (building culling)");
  pool_ = vk::make_storage_pool(dev, kFramesInFlight, kFramesInFlight * kBindings, "vkCreateDescriptorPool (building chunks)");
  for (Slot& s : slots_) s.set = vk::allocate_set(dev, pool_.vk(), set_layout_.vk(), "vkAllocateDescriptorSets (building chunks)");
}

void BuildingCulling::compile() {
  if (mode_ == ChunkCulling::Cpu || compile_asked_) return;
  compile_asked_ = true;
  cull_ = compiler_.compute({"building culling", spirv(kBuildingsCullComp), layout_.vk()});
}

void BuildingCulling::reallocate(Slot& s, const GpuScene& scene) {
  const auto& records = scene.building_records();
  s.spans = scene.building_layers();
  s.edge_chunks.assign(s.spans.size(), 0);
  for (size_t i = 0; i < s.spans.size(); ++i)
    for (uint32_t r = s.spans[i].first; r < s.spans[i].first + s.spans[i].count; ++r)
      if (records[r].edge_count) ++s.edge_chunks[i];
  s.drawn.assign(s.spans.size(), 0);
  s.counts_valid = false;
  const size_t n = std::max<size_t>(1, records.size()), layers = std::max<size_t>(1, s.spans.size());
  const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  const VkBufferUsageFlags draws = storage | VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT;
  if (!s.chunks || s.chunks.size() < n * sizeof(BuildingChunkGpu)) {
    s.chunks = vk::Buffer(ctx_.dev, n * sizeof(BuildingChunkGpu), storage, kHost);
    // Up to two face draws per cluster (the runs of its drawn wall bins), one edge draw.
    s.face_draws = vk::Buffer(ctx_.dev, 2 * n * sizeof(VkDrawIndexedIndirectCommand), draws, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    s.edge_draws = vk::Buffer(ctx_.dev, n * sizeof(VkDrawIndexedIndirectCommand), draws, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    // The CPU writes the matrices itself in ChunkCulling::Cpu (and in frames cull_on_cpu_first chose).
    s.matrices = vk::Buffer(ctx_.dev, n * sizeof(glm::mat4), storage,
                            host_matrices_ ? kHost : VkMemoryPropertyFlags{VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT});
  }
  if (!s.layers || s.layers.size() < layers * sizeof(BuildingLayerRange)) {
    s.layers = vk::Buffer(ctx_.dev, layers * sizeof(BuildingLayerRange), storage, kHost);
    s.counts = vk::Buffer(ctx_.dev, layers * kCounts * sizeof(uint32_t), draws, kHost);  // read back for the stats
  }
  std::memset(s.counts.mapped(), 0, layers * kCounts * sizeof(uint32_t));
  if (!s.view) s.view = vk::Buffer(ctx_.dev, sizeof(BuildingCullView), storage, kHost);
  if (!records.empty()) std::memcpy(s.chunks.mapped(), records.data(), records.size() * sizeof(BuildingChunkGpu));
  // The slot's fence has been waited on: no frame in flight uses its set.
  vk::write_storage_set(ctx_.device(), s.set,
                        {s.chunks.vk(), s.view.vk(), s.layers.vk(), s.face_draws.vk(), s.edge_draws.vk(), s.counts.vk(),
                         s.matrices.vk()});
  s.revision = scene.buildings_revision();
}

bool BuildingCulling::compiles_at_first_draw() const {
  // (host_matrices_ holds there: the CPU path can write the matrices)
  return mode_ == ChunkCulling::Gpu && ctx_.compiles_at_first_draw();
}

bool BuildingCulling::cull_on_cpu_first(uint32_t frames) {
  if (!compiles_at_first_draw()) return false;
  cpu_frames_ = frames;
  return true;
}

void BuildingCulling::record(const FrameView& v, const GpuScene& scene) {
  Slot& s = slots_[v.slot];
  if (s.revision != scene.buildings_revision()) reallocate(s, scene);
  cpu_this_frame_ = false;
  if (s.spans.empty()) return;
  if (cpu_frames_ > 0) {  // (only ever set in ChunkCulling::Gpu)
    --cpu_frames_;
    cpu_this_frame_ = true;
    s.counts_valid = false;  // the passes count what they draw themselves
    v.stats->buildings_culled_on_cpu = true;
  }
  if (cpu_this_frame_ || mode_ == ChunkCulling::Cpu) return;
  auto* layers = static_cast<BuildingLayerRange*>(s.layers.mapped());
  for (size_t i = 0; i < s.spans.size(); ++i) {
    s.drawn[i] = v.f->layer(s.spans[i].layer).drawn() ? 1 : 0;
    layers[i] = {s.spans[i].first, s.spans[i].count, s.drawn[i], 0};
  }
  BuildingCullView view{};
  view.proj_rot = v.proj_rot;
  view.eye = glm::dvec4(v.eye, 1.0);
  view.viewport = glm::vec2(static_cast<float>(v.w), static_cast<float>(v.h));
  // Live metrics scale a building up to 1.4x its static height (see Scene::compute_targets).
  view.height_scale = std::max(0.0f, v.f->height_scale) * 1.4f;
  view.flags = mode_ == ChunkCulling::Gpu ? kCullFrustum | kCullFacing | kCullLod | (size_culling_ ? kCullSize : 0u) : 0u;
  view.sample_x = sample_x_;
  view.sample_y = sample_y_;
  view.sample_count = sample_count_;
  const auto& normals = facing_normals();
  for (uint32_t j = 0; j < kFacingBins / 2; ++j)
    view.facing_normals[j] = glm::vec4(normals[2 * j], normals[2 * j + 1]);
  std::memcpy(s.view.mapped(), &view, sizeof view);

  const VkDescriptorSet set = s.set;
  compile();  // (asked for already, unless a warm-up put it off and no one asked since)
  vkCmdBindPipeline(v.cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cull_.get());
  vkCmdBindDescriptorSets(v.cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout_.vk(), 1, 1, &set, 0, nullptr);
  vkCmdDispatch(v.cmd, static_cast<uint32_t>(s.spans.size()), 1, 1);  // one workgroup per layer keeps the order
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_INDIRECT_COMMAND_READ_BIT | VK_ACCESS_SHADER_READ_BIT;
  vkCmdPipelineBarrier(v.cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_PIPELINE_STAGE_DRAW_INDIRECT_BIT | VK_PIPELINE_STAGE_VERTEX_SHADER_BIT, 0, 1, &mb, 0, nullptr,
                       0, nullptr);
  s.counts_valid = true;
}

void BuildingCulling::draw(VkCommandBuffer cmd, uint32_t slot, size_t span, bool edges) const {
  const Slot& s = slots_[slot];
  const BuildingLayerSpan& sp = s.spans[span];
  const VkBuffer draws = edges ? s.edge_draws.vk() : s.face_draws.vk();
  const uint32_t per = edges ? 1 : 2;  // draw slots per cluster
  const VkDeviceSize offset = VkDeviceSize(sp.first) * per * sizeof(VkDrawIndexedIndirectCommand);
  if (ctx_.draw_indirect_count)
    vkCmdDrawIndexedIndirectCount(cmd, draws, offset, s.counts.vk(), (span * kCounts + (edges ? 1 : 0)) * sizeof(uint32_t),
                                  sp.count * per, sizeof(VkDrawIndexedIndirectCommand));
  else  // the culling wrote empty draws after the visible ones
    vkCmdDrawIndexedIndirect(cmd, draws, offset, sp.count * per, sizeof(VkDrawIndexedIndirectCommand));
}

void BuildingCulling::collect_stats(uint32_t slot, RenderStats& stats) {
  Slot& s = slots_[slot];
  if (mode_ == ChunkCulling::Cpu || !s.counts_valid) return;  // (a frame on the CPU path left them invalid)
  const auto* counts = static_cast<const uint32_t*>(s.counts.mapped());
  for (size_t i = 0; i < s.spans.size(); ++i) {
    if (!s.drawn[i]) continue;
    const uint32_t* c = counts + i * kCounts;
    stats.building_chunks_drawn += c[4];
    stats.building_chunks_culled += s.spans[i].count - c[4];
    stats.chunks_culled += (s.spans[i].count - c[4]) + (s.edge_chunks[i] - c[1]);
    stats.triangles += c[2] / 3;
    stats.lines += c[3] / 2;
    stats.triangles_facing_away += c[5] / 3;
    stats.building_clusters_lod += c[6];
  }
}

}  // namespace parktwin::render
