// Building faces (BuildingPass) and their edges (EdgePass), per building chunk.
#include <algorithm>
#include <cmath>

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

/// Edges of chunks farther than this from the eye are not drawn (edges.vert fades them out by then).
constexpr double kEdgeMaxDistance = 9000.0;

VertexLayout building_layout(bool normals) {
  VertexLayout l;
  l.bindings.push_back({0, sizeof(gis::BuildingVertex), VK_VERTEX_INPUT_RATE_VERTEX});
  l.attributes.push_back({0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(gis::BuildingVertex, x)});
  l.attributes.push_back({1, 0, VK_FORMAT_R32_SFLOAT, offsetof(gis::BuildingVertex, top)});
  l.attributes.push_back({2, 0, VK_FORMAT_R32_UINT, offsetof(gis::BuildingVertex, building)});
  if (normals) l.attributes.push_back({3, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(gis::BuildingVertex, nx)});
  return l;
}

/// Live metrics scale a building up to 1.4x its static height (see Scene::compute_targets).
float height_bound_scale(const scene::FrameSnapshot& f) { return std::max(0.0f, f.height_scale) * 1.4f; }

/// Binds the chunk's buffers when they differ from the last ones bound.
void bind_chunk(VkCommandBuffer cmd, const DrawItem& d, VkBuffer& bound_vb, VkBuffer& bound_ib) {
  if (d.vb != bound_vb) {
    const VkDeviceSize zero = 0;
    vkCmdBindVertexBuffers(cmd, 0, 1, &d.vb, &zero);
    bound_vb = d.vb;
  }
  if (d.ib != bound_ib) {
    vkCmdBindIndexBuffer(cmd, d.ib, 0, VK_INDEX_TYPE_UINT32);
    bound_ib = d.ib;
  }
}

}  // namespace

BuildingPass::BuildingPass(const PassSetup& s) {
  layout_ = vk::make_pipeline_layout(s.ctx.device(), {s.styles}, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT,
                                     sizeof(BuildingConstants), "vkCreatePipelineLayout (buildings)");
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

void BuildingPass::record(const FrameView& v, const GpuScene& scene) {
  RenderStats& st = *v.stats;
  const float hscale = height_bound_scale(*v.f);
  BuildingConstants pc{};
  pc.sun = glm::vec4(glm::normalize(glm::vec3(0.45f, -0.55f, 0.70f)), 1.0f);
  pc.time_s = static_cast<float>(std::fmod(v.f->time_s, 3600.0));
  bool bound = false;
  VkBuffer bound_vb = VK_NULL_HANDLE, bound_ib = VK_NULL_HANDLE;
  for (const DrawItem& d : scene.building_draws()) {
    const scene::FrameLayer layer = v.f->layer(d.layer);
    if (!layer.drawn()) continue;
    pc.mvp = v.mvp_for(d.origin);
    const glm::vec3 lo(glm::vec2(d.bmin - d.origin), 0.0f);
    const glm::vec3 hi(glm::vec2(d.bmax - d.origin), static_cast<float>(d.zmax) * hscale);
    if (outside_frustum(pc.mvp, lo, hi)) {
      ++st.chunks_culled;
      continue;
    }
    if (!bound) {
      vkCmdBindPipeline(v.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, faces_.get());
      const VkDescriptorSet set = scene.styles_set(v.slot);
      vkCmdBindDescriptorSets(v.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout_.vk(), 0, 1, &set, 0, nullptr);
      bound = true;
    }
    bind_chunk(v.cmd, d, bound_vb, bound_ib);
    pc.opacity = layer.opacity;
    vkCmdPushConstants(v.cmd, layout_.vk(), VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof pc, &pc);
    vkCmdDrawIndexed(v.cmd, d.count, 1, d.first, d.vertex_offset, 0);
    st.triangles += d.count / 3;
    ++st.draw_calls;
  }
}

EdgePass::EdgePass(const PassSetup& s) {
  layout_ = vk::make_pipeline_layout(s.ctx.device(), {s.styles}, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT,
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

void EdgePass::record(const FrameView& v, const GpuScene& scene) {
  RenderStats& st = *v.stats;
  const float hscale = height_bound_scale(*v.f);
  EdgeConstants pc{};
  bool bound = false;
  VkBuffer bound_vb = VK_NULL_HANDLE, bound_ib = VK_NULL_HANDLE;
  for (const DrawItem& d : scene.edge_draws()) {
    const scene::FrameLayer layer = v.f->layer(d.layer);
    if (!layer.drawn()) continue;
    const glm::dvec2 nearest = glm::clamp(glm::dvec2(v.eye), d.bmin, d.bmax);
    if (glm::length(glm::dvec3(nearest, 0.0) - v.eye) > kEdgeMaxDistance) {
      ++st.chunks_culled;
      continue;
    }
    pc.mvp = v.mvp_for(d.origin);
    const glm::vec3 lo(glm::vec2(d.bmin - d.origin), 0.0f);
    const glm::vec3 hi(glm::vec2(d.bmax - d.origin), static_cast<float>(d.zmax) * hscale);
    if (outside_frustum(pc.mvp, lo, hi)) {
      ++st.chunks_culled;
      continue;
    }
    if (!bound) {
      vkCmdBindPipeline(v.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, edges_.get());
      const VkDescriptorSet set = scene.styles_set(v.slot);
      vkCmdBindDescriptorSets(v.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout_.vk(), 0, 1, &set, 0, nullptr);
      bound = true;
    }
    bind_chunk(v.cmd, d, bound_vb, bound_ib);
    pc.opacity = layer.opacity;
    vkCmdPushConstants(v.cmd, layout_.vk(), VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof pc, &pc);
    vkCmdDrawIndexed(v.cmd, d.count, 1, d.first, d.vertex_offset, 0);
    st.lines += d.count / 2;
    ++st.draw_calls;
  }
}

}  // namespace parktwin::render
