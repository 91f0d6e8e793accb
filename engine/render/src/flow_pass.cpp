// Flow arcs: GPU culling into three level-of-detail bins (shaders/flows_cull.comp), then one
// indirect ribbon draw per bin. The CPU's cost per frame does not depend on the number of arcs.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "gpu_types.h"
#include "parktwin/scene/flows.h"
#include "passes.h"

namespace parktwin::render {
namespace {

const uint32_t kFlowsCullComp[] = {
#include "flows_cull.comp.inc"
};
const uint32_t kFlowsVert[] = {
#include "flows.vert.inc"
};
const uint32_t kFlowsFrag[] = {
#include "flows.frag.inc"
};

/// Segments per ribbon in each level-of-detail bin (shaders/flows_cull.comp picks the bin).
constexpr uint32_t kFlowBinSegments[3] = {3, 8, 24};
constexpr VkShaderStageFlags kFlowStages =
    VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT | VK_SHADER_STAGE_COMPUTE_BIT;

}  // namespace

FlowPass::FlowPass(const PassSetup& s) : ctx_(s.ctx) {
  const VkDevice dev = s.ctx.device();
  // One set: arcs, visible lists, indirect commands, live factors; read by the culling compute
  // shader and the ribbon vertex shader.
  set_layout_ = vk::make_storage_set_layout(dev, 4, VK_SHADER_STAGE_COMPUTE_BIT | VK_SHADER_STAGE_VERTEX_BIT,
                                            "vkCreateDescriptorSetLayout (flows)");
  layout_ = vk::make_pipeline_layout(dev, {set_layout_.vk()}, kFlowStages, sizeof(FlowConstants),
                                     "vkCreatePipelineLayout (flows)");
  pool_ = vk::make_storage_pool(dev, kFramesInFlight, kFramesInFlight * 4, "vkCreateDescriptorPool (flows)");
  for (Slot& sl : slots_) sl.set = vk::allocate_set(dev, pool_.vk(), set_layout_.vk(), "vkAllocateDescriptorSets (flows)");
  cull_ = s.compiler.compute({"flow culling", spirv(kFlowsCullComp), layout_.vk()});
  GraphicsDesc d;
  d.name = "flow ribbons";
  d.vs = spirv(kFlowsVert);  // no vertex input: the vertex shader reads the arcs from storage buffers
  d.fs = spirv(kFlowsFrag);
  d.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_STRIP;  // one strip per arc: 2 vertices a point
  d.depth_test = true;
  d.samples = s.samples;
  d.layout = layout_.vk();
  d.pass = s.pass;
  ribbons_ = s.compiler.graphics(d);
}

void FlowPass::upload(const scene::Scene& scene, GpuScene& gpu) {
  const std::vector<scene::FlowArc> arcs = scene::build_flow_arcs(scene);
  count_ = static_cast<uint32_t>(arcs.size());
  live_count_ = scene.enterprises.size();
  glm::dvec2 lo(1e300), hi(-1e300);
  for (const auto& a : arcs) lo = glm::min(lo, glm::min(a.a, a.b)), hi = glm::max(hi, glm::max(a.a, a.b));
  origin_ = arcs.empty() ? glm::dvec2(0.0) : (lo + hi) * 0.5;
  std::vector<FlowArcGpu> gpu_arcs(std::max<size_t>(1, arcs.size()));
  for (size_t i = 0; i < arcs.size(); ++i) {
    const scene::FlowArc& a = arcs[i];
    FlowArcGpu& g = gpu_arcs[i];
    g = FlowArcGpu{};
    g.ax = static_cast<float>(a.a.x - origin_.x);
    g.ay = static_cast<float>(a.a.y - origin_.y);
    g.bx = static_cast<float>(a.b.x - origin_.x);
    g.by = static_cast<float>(a.b.y - origin_.y);
    g.height = static_cast<float>(a.height);
    g.base_z = static_cast<float>(a.base_z);
    g.width_px = a.width_px;
    g.rgba = a.rgba;
    g.packed = (static_cast<uint32_t>(std::max(0, a.chain)) & 15u) | ((static_cast<uint32_t>(a.segment) & 3u) << 4) |
               (a.level == scene::FlowLevel::Park ? 1u << 6 : 0u) | (a.supplier << 8);
    g.len_m = static_cast<float>(glm::length(a.b - a.a));
    g.pad0 = a.value_yuan_per_year > 0.0 ? static_cast<float>(std::log10(a.value_yuan_per_year)) : 0.0f;
  }
  budget_.reset_cut();
  arcs_ = gpu.make_static_buffer(gpu_arcs.data(), gpu_arcs.size() * sizeof(FlowArcGpu), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  const size_t n = std::max<size_t>(1, arcs.size());
  const size_t enterprises = std::max<size_t>(1, scene.enterprises.size());
  for (Slot& s : slots_) {
    s.visible = vk::Buffer(ctx_.dev, 3 * n * sizeof(uint32_t), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                           VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    // Host-visible: after the frame's fence the CPU reads how many arcs each bin drew (48 bytes).
    s.indirect = vk::Buffer(ctx_.dev, 3 * sizeof(VkDrawIndirectCommand),
                            VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT |
                                VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                            VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    s.counts_valid = false;
    const VkDeviceSize live_bytes = enterprises * sizeof(float);
    if (gpu.direct_uploads()) {
      s.live = vk::Buffer(ctx_.dev, live_bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                          VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                              VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
      s.live_staging = vk::Buffer{};
    } else {
      s.live = vk::Buffer(ctx_.dev, live_bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                          VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
      s.live_staging = vk::Buffer(ctx_.dev, live_bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                                  VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    }
    s.live_revision = UINT64_MAX;
    std::fill_n(static_cast<float*>(live_host(s)), enterprises, 1.0f);  // nominal until a sample paces it
    s.live_copy_due = static_cast<bool>(s.live_staging);
    vk::write_storage_set(ctx_.device(), s.set, {arcs_.vk(), s.visible.vk(), s.indirect.vk(), s.live.vk()});
  }
}

FlowConstants FlowPass::constants(const FrameView& v) const {
  const scene::FrameSnapshot& f = *v.f;
  FlowConstants pc{};
  pc.mvp = f.camera.matrix_for_origin(v.proj_rot, glm::dvec3(origin_, 0.0));
  pc.viewport = glm::vec2(static_cast<float>(v.w), static_cast<float>(v.h));
  pc.time_s = static_cast<float>(std::fmod(f.time_s, 3600.0));
  pc.opacity = 1.0f;
  pc.camera_distance = static_cast<float>(f.camera.distance);
  pc.enterprise_max_distance = static_cast<float>(scene::kEnterpriseFlowsMaxDistance);
  pc.park_min_distance = static_cast<float>(scene::kParkFlowsMinDistance);
  pc.chain_mask = f.flows.chain_mask;
  pc.segment_mask = f.flows.segment_mask;
  pc.highlight_chain = f.flows.highlight_chain;
  return pc;
}

void FlowPass::record_culling(const FrameView& v) {
  const scene::FrameSnapshot& f = *v.f;
  Slot& slot = slots_[v.slot];
  if (count_ == 0 || !f.flows.visible || !slot.indirect) return;
  adapt_budget(slot, *v.stats, v.adaptive_budget);
  // Live pace per enterprise; output_factor and flows.vert both cap it at kOutputFactorCap.
  if (slot.live_revision != f.flows.pace_revision && f.flows.pace) {
    const size_t n = std::min(f.flows.pace->size(), live_count_);
    std::memcpy(live_host(slot), f.flows.pace->data(), n * sizeof(float));
    slot.live_revision = f.flows.pace_revision;
    slot.live_copy_due = static_cast<bool>(slot.live_staging);
  }
  // (The slot's previous frame has finished: its fence was waited for before this one was recorded.)
  if (slot.live_copy_due) {
    const VkBufferCopy c{0, 0, std::max<size_t>(1, live_count_) * sizeof(float)};
    vkCmdCopyBuffer(v.cmd, slot.live_staging.vk(), slot.live.vk(), 1, &c);
    slot.live_copy_due = false;
  }
  uint32_t init[12];
  for (uint32_t b = 0; b < 3; ++b) {
    init[b * 4 + 0] = (kFlowBinSegments[b] + 1) * 2;  // vertices per ribbon (a triangle strip)
    init[b * 4 + 1] = 0;                        // instances: counted by the compute shader
    init[b * 4 + 2] = 0;
    init[b * 4 + 3] = 0;
  }
  vkCmdUpdateBuffer(v.cmd, slot.indirect.vk(), 0, sizeof init, init);
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  mb.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
  vkCmdPipelineBarrier(v.cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,  // the indirect counts, and the live factors' copy
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_VERTEX_SHADER_BIT, 0, 1, &mb, 0,
                       nullptr, 0, nullptr);
  FlowConstants pc = constants(v);
  pc.min_log_value = static_cast<float>(budget_.value_cut());
  // A cut decided for the whole picture (tiles) is not the budget's to move: each tile counts only
  // its part (NaN equals no cut, so its count is not taken).
  slot.cut = f.flows.min_value_yuan ? std::numeric_limits<double>::quiet_NaN() : budget_.value_cut();
  if (f.flows.min_value_yuan)  // decided once for all parts of the picture
    pc.min_log_value = *f.flows.min_value_yuan > 0.0 ? static_cast<float>(std::log10(*f.flows.min_value_yuan))
                                                     : static_cast<float>(FlowBudget::kNoCut);
  vkCmdBindPipeline(v.cmd, VK_PIPELINE_BIND_POINT_COMPUTE, cull_.get());
  vkCmdBindDescriptorSets(v.cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout_.vk(), 0, 1, &slot.set, 0, nullptr);
  vkCmdPushConstants(v.cmd, layout_.vk(), kFlowStages, 0, sizeof pc, &pc);
  vkCmdDispatch(v.cmd, 1, 1, 1);  // one workgroup keeps the arcs' order (shaders/flows_cull.comp)
  mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_INDIRECT_COMMAND_READ_BIT | VK_ACCESS_SHADER_READ_BIT;
  vkCmdPipelineBarrier(v.cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_PIPELINE_STAGE_DRAW_INDIRECT_BIT | VK_PIPELINE_STAGE_VERTEX_SHADER_BIT, 0, 1, &mb, 0, nullptr,
                       0, nullptr);
}

void FlowPass::adapt_budget(Slot& slot, RenderStats& stats, bool adaptive) {
  // The slot's fence has been waited on: its indirect buffer holds the counts of its last frame,
  // and stats.gpu_ms that frame's GPU time.
  if (slot.counts_valid) {
    const auto* cmds = static_cast<const VkDrawIndirectCommand*>(slot.indirect.mapped());
    const uint32_t drawn = cmds[0].instanceCount + cmds[1].instanceCount + cmds[2].instanceCount;
    stats.flows_drawn = drawn;
    budget_.observe(stats.gpu_ms, drawn, adaptive, slot.cut);
  }
  stats.flows_budget = adaptive ? budget_.arcs() : budget_.params().fixed_arcs;
  const double cut = budget_.value_cut();
  stats.flows_min_value_yuan = cut > FlowBudget::kNoCut ? std::pow(10.0, cut) : 0.0;
  slot.counts_valid = true;
}

void FlowPass::record_draws(const FrameView& v) {
  const scene::FrameSnapshot& f = *v.f;
  Slot& slot = slots_[v.slot];
  if (count_ == 0 || !f.flows.visible || !slot.indirect) return;
  FlowConstants pc = constants(v);
  vkCmdBindPipeline(v.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, ribbons_.get());
  vkCmdBindDescriptorSets(v.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout_.vk(), 0, 1, &slot.set, 0, nullptr);
  for (uint32_t b = 0; b < 3; ++b) {
    pc.bin = b;
    pc.segments = static_cast<float>(kFlowBinSegments[b]);
    vkCmdPushConstants(v.cmd, layout_.vk(), kFlowStages, 0, sizeof pc, &pc);
    vkCmdDrawIndirect(v.cmd, slot.indirect.vk(), b * sizeof(VkDrawIndirectCommand), 1, sizeof(VkDrawIndirectCommand));
    ++v.stats->draw_calls;
  }
}

}  // namespace parktwin::render
