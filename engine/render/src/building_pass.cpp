// Building faces (BuildingPass) and their edges (EdgePass). Both draw the building clusters the
// BuildingCulling chose: one indexed indirect draw list per layer on the GPU path, the visible
// clusters one by one on the CPU path (where they also write the cluster's matrix).
#include <algorithm>
#include <cmath>

#include "building_clusters.h"
#include "gpu_types.h"
#include "passes.h"

namespace parktwin::render {
namespace {

const uint32_t kBuildingsVert[] = {
#include "buildings.vert.inc"
};
const uint32_t kBuildingsFrag[] = {
#include "buildings.frag.inc"
};
const uint32_t kEdgesVert[] = {
#include "edges.vert.inc"
};
const uint32_t kEdgesFrag[] = {
#include "edges.frag.inc"
};

VertexLayout building_layout(bool normals) {
  VertexLayout l;
  l.bindings.push_back({0, sizeof(gis::BuildingVertex), VK_VERTEX_INPUT_RATE_VERTEX});
  l.attributes.push_back({0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(gis::BuildingVertex, x)});
  l.attributes.push_back({1, 0, VK_FORMAT_R32_SFLOAT, offsetof(gis::BuildingVertex, top)});
  l.attributes.push_back({2, 0, VK_FORMAT_R32_UINT, offsetof(gis::BuildingVertex, building)});
  if (normals) l.attributes.push_back({3, 0, VK_FORMAT_R16G16_SNORM, offsetof(gis::BuildingVertex, nx)});
  return l;
}

/// Live metrics scale a building up to 1.4x its static height (see Scene::compute_targets).
float height_bound_scale(const scene::FrameSnapshot& f) { return std::max(0.0f, f.height_scale) * 1.4f; }

/// Binds the pipeline, the styles and chunk sets, and the shared building buffers.
void bind_buildings(const FrameView& v, VkPipeline pipeline, VkPipelineLayout layout, const GpuScene& scene,
                    const BuildingCulling& culling) {
  vkCmdBindPipeline(v.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
  const VkDescriptorSet sets[2] = {scene.styles_set(v.slot), culling.set(v.slot)};
  vkCmdBindDescriptorSets(v.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout, 0, 2, sets, 0, nullptr);
  const VkBuffer vb = scene.building_vertices();
  const VkDeviceSize zero = 0;
  vkCmdBindVertexBuffers(v.cmd, 0, 1, &vb, &zero);
  vkCmdBindIndexBuffer(v.cmd, scene.building_indices(), 0, VK_INDEX_TYPE_UINT32);
}

/// ChunkCulling::Cpu: whether draw `d` is left out (outside the view; for `edges` also wholly
/// deeper than where edges.vert has faded edges out, as shaders/buildings_cull.comp nearest_depth
/// tests on the GPU path); if not, writes its matrix. One matrix and box for both tests.
bool cpu_culled(const FrameView& v, const DrawItem& d, float hscale, const BuildingCulling& culling, bool edges) {
  const glm::mat4 mvp = v.mvp_for(d.origin);
  const glm::vec3 lo(glm::vec2(d.bmin - d.origin), 0.0f);
  const glm::vec3 hi(glm::vec2(d.bmax - d.origin), static_cast<float>(d.zmax) * hscale);
  const std::array<glm::vec4, 8> c = clip_corners(mvp, lo, hi);
  if (edges && std::all_of(c.begin(), c.end(), [](const glm::vec4& v) { return v.w > kEdgeFadeEndM + kEdgeDepthMarginM; }))
    return true;
  if (outside_frustum(c)) return true;
  culling.cpu_matrices(v.slot)[d.record] = mvp;
  return false;
}

/// Records one building pass, faces or `edges`, with `pc` (its opacity set per layer): one indirect
/// draw list per layer on the GPU path; on the CPU path, the visible clusters one by one (faces:
/// the runs of their wall bins that may face the eye, as the GPU would draw them).
template <typename Constants>
void record_buildings(const FrameView& v, const GpuScene& scene, const BuildingCulling& culling, VkPipeline pipeline,
                      VkPipelineLayout layout, VkShaderStageFlags stages, Constants pc, bool edges) {
  if (scene.building_records().empty()) return;
  RenderStats& st = *v.stats;
  bool bound = false;
  auto bind_for = [&](float opacity) {
    if (!bound) bind_buildings(v, pipeline, layout, scene, culling), bound = true;
    pc.opacity = opacity;
    vkCmdPushConstants(v.cmd, layout, stages, 0, sizeof pc, &pc);
  };
  if (culling.mode() != ChunkCulling::Cpu) {
    const auto& spans = scene.building_layers();
    for (size_t i = 0; i < spans.size(); ++i) {
      const scene::FrameLayer layer = v.f->layer(spans[i].layer);
      if (!layer.drawn()) continue;
      bind_for(layer.opacity);
      culling.draw(v.cmd, v.slot, i, edges);
      ++st.draw_calls;
    }
    return;
  }
  const float hscale = height_bound_scale(*v.f);
  for (const DrawItem& d : edges ? scene.edge_draws() : scene.building_draws()) {
    const scene::FrameLayer layer = v.f->layer(d.layer);
    if (!layer.drawn()) continue;
    if (cpu_culled(v, d, hscale, culling, edges)) {
      ++st.chunks_culled;
      if (!edges) ++st.building_chunks_culled;
      continue;
    }
    bind_for(layer.opacity);
    if (edges) {
      vkCmdDrawIndexed(v.cmd, d.count, 1, d.first, d.vertex_offset, d.record);
      st.lines += d.count / 2;
      ++st.draw_calls;
      continue;
    }
    const BuildingChunkGpu& r = scene.building_records()[d.record];
    std::array<uint32_t, 2> first{}, count{};
    const uint32_t runs = facing_runs(r.index_count, r.roof_count, r.bin_end,
                                      facing_mask(glm::dvec2(v.eye), r.bmin, r.bmax), first, count);
    uint32_t drawn = 0;
    for (uint32_t k = 0; k < runs; ++k) {
      vkCmdDrawIndexed(v.cmd, count[k], 1, d.first + first[k], d.vertex_offset, d.record);
      drawn += count[k];
      ++st.draw_calls;
    }
    st.triangles += drawn / 3;
    st.triangles_facing_away += (r.index_count - drawn) / 3;
    ++st.building_chunks_drawn;
  }
}

}  // namespace

BuildingPass::BuildingPass(const PassSetup& s) {
  layout_ = vk::make_pipeline_layout(s.ctx.device(), {s.styles, s.chunks},
                                     VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, sizeof(BuildingConstants),
                                     "vkCreatePipelineLayout (buildings)");
  GraphicsDesc d;
  d.name = "building faces";
  d.vs = spirv(kBuildingsVert);
  d.fs = spirv(kBuildingsFrag);
  d.vertex = building_layout(true);
  // Extrusions are closed: drop back faces (walls wind CCW seen from outside; the projection flips y).
  d.cull = VK_CULL_MODE_BACK_BIT;
  d.depth_test = d.depth_write = true;
  d.blend = false;
  d.samples = s.samples;
  d.layout = layout_.vk();
  d.pass = s.pass;
  faces_ = s.compiler.graphics(d);
}

void BuildingPass::record(const FrameView& v, const GpuScene& scene, const BuildingCulling& culling) {
  BuildingConstants pc{};
  pc.sun = glm::vec4(glm::normalize(glm::vec3(0.45f, -0.55f, 0.70f)), 1.0f);
  pc.time_s = static_cast<float>(std::fmod(v.f->time_s, 3600.0));
  record_buildings(v, scene, culling, faces_.get(), layout_.vk(), VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT,
                   pc, false);
}

EdgePass::EdgePass(const PassSetup& s) {
  layout_ = vk::make_pipeline_layout(s.ctx.device(), {s.styles, s.chunks}, VK_SHADER_STAGE_FRAGMENT_BIT,
                                     sizeof(EdgeConstants), "vkCreatePipelineLayout (edges)");
  GraphicsDesc d;
  d.name = "building edges";
  d.vs = spirv(kEdgesVert);
  d.fs = spirv(kEdgesFrag);
  d.vertex = building_layout(false);
  d.topology = VK_PRIMITIVE_TOPOLOGY_LINE_LIST;
  d.depth_test = true;
  d.samples = s.samples;
  d.layout = layout_.vk();
  d.pass = s.pass;
  edges_ = s.compiler.graphics(d);
}

void EdgePass::record(const FrameView& v, const GpuScene& scene, const BuildingCulling& culling) {
  record_buildings(v, scene, culling, edges_.get(), layout_.vk(), VK_SHADER_STAGE_FRAGMENT_BIT, EdgeConstants{}, true);
}

}  // namespace parktwin::render
