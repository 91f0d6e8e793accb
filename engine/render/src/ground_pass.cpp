// Ground fills and outlines (GroundPass) and site markers (MarkerPass): flat geometry without
// depth, painted in order.
#include <algorithm>
#include <cmath>

#include "gpu_types.h"
#include "passes.h"

namespace parktwin::render {
namespace {

const uint32_t kFlatVert[] = {
#include "flat.vert.inc"
};
const uint32_t kFlatFrag[] = {
#include "flat.frag.inc"
};
const uint32_t kMarkersVert[] = {
#include "markers.vert.inc"
};
const uint32_t kMarkersFrag[] = {
#include "markers.frag.inc"
};

VertexLayout flat_layout() {
  VertexLayout l;
  l.bindings.push_back({0, sizeof(gis::FlatVertex), VK_VERTEX_INPUT_RATE_VERTEX});
  l.attributes.push_back({0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(gis::FlatVertex, x)});
  l.attributes.push_back({1, 0, VK_FORMAT_R32_UINT, offsetof(gis::FlatVertex, rgba)});
  return l;
}

}  // namespace

GroundPass::GroundPass(const PassSetup& s) {
  layout_ = vk::make_pipeline_layout(s.ctx.device(), {}, VK_SHADER_STAGE_VERTEX_BIT, sizeof(GroundConstants),
                                     "vkCreatePipelineLayout (ground)");
  GraphicsDesc d;
  d.name = "ground fill";
  d.vs = spirv(kFlatVert);
  d.fs = spirv(kFlatFrag);
  d.vertex = flat_layout();
  d.samples = s.samples;
  d.layout = layout_.vk();
  d.pass = s.pass;
  fill_ = s.compiler.graphics(d);
  d.name = "ground outlines";
  d.topology = VK_PRIMITIVE_TOPOLOGY_LINE_LIST;
  lines_ = s.compiler.graphics(d);
}

void GroundPass::record(const FrameView& v, const std::vector<DrawItem>& draws) {
  RenderStats& st = *v.stats;
  DrawKind bound = DrawKind::Markers;  // none of ours
  VkBuffer bound_vb = VK_NULL_HANDLE, bound_ib = VK_NULL_HANDLE;
  for (const DrawItem& d : draws) {
    const scene::FrameLayer layer = v.f->layer(d.layer);
    if (!layer.drawn()) continue;
    GroundConstants pc{};
    pc.mvp = v.mvp_for(d.origin);
    const glm::vec3 lo(glm::vec2(d.bmin - d.origin), 0.0f), hi(glm::vec2(d.bmax - d.origin), 0.0f);
    if (outside_frustum(pc.mvp, lo, hi)) {
      ++st.chunks_culled;
      continue;
    }
    if (d.kind != bound) {
      vkCmdBindPipeline(v.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, d.kind == DrawKind::Fill ? fill_.get() : lines_.get());
      bound = d.kind;
    }
    if (d.vb != bound_vb) {
      const VkDeviceSize zero = 0;
      vkCmdBindVertexBuffers(v.cmd, 0, 1, &d.vb, &zero);
      bound_vb = d.vb;
    }
    if (d.ib != bound_ib) {
      vkCmdBindIndexBuffer(v.cmd, d.ib, 0, VK_INDEX_TYPE_UINT32);
      bound_ib = d.ib;
    }
    pc.opacity = layer.opacity;
    pc.z_offset = 0.0f;
    pc.viewport = glm::vec2(static_cast<float>(v.w), static_cast<float>(v.h));
    vkCmdPushConstants(v.cmd, layout_.vk(), VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof pc, &pc);
    vkCmdDrawIndexed(v.cmd, d.count, 1, d.first, d.vertex_offset, 0);
    if (d.kind == DrawKind::Lines) st.lines += d.count / 2;
    else st.triangles += d.count / 3;
    ++st.draw_calls;
  }
}

MarkerPass::MarkerPass(const PassSetup& s) {
  layout_ = vk::make_pipeline_layout(s.ctx.device(), {}, VK_SHADER_STAGE_VERTEX_BIT, sizeof(MarkerConstants),
                                     "vkCreatePipelineLayout (markers)");
  GraphicsDesc d;
  d.name = "markers";
  d.vs = spirv(kMarkersVert);
  d.fs = spirv(kMarkersFrag);
  d.vertex.bindings.push_back({0, sizeof(MarkerInstance), VK_VERTEX_INPUT_RATE_INSTANCE});
  d.vertex.attributes.push_back({0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(MarkerInstance, x)});
  d.vertex.attributes.push_back({1, 0, VK_FORMAT_R32_UINT, offsetof(MarkerInstance, rgba)});
  d.vertex.attributes.push_back({2, 0, VK_FORMAT_R32_SFLOAT, offsetof(MarkerInstance, size_px)});
  d.samples = s.samples;
  d.layout = layout_.vk();
  d.pass = s.pass;
  markers_ = s.compiler.graphics(d);
}

void MarkerPass::record(const FrameView& v, const std::vector<DrawItem>& draws) {
  bool bound = false;
  for (const DrawItem& d : draws) {
    const scene::FrameLayer layer = v.f->layer(d.layer);
    if (!layer.drawn()) continue;
    if (!bound) {
      vkCmdBindPipeline(v.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, markers_.get());
      const VkDeviceSize zero = 0;
      vkCmdBindVertexBuffers(v.cmd, 0, 1, &d.vb, &zero);  // one buffer holds every layer's markers
      bound = true;
    }
    MarkerConstants pc{};
    pc.mvp = v.mvp_for(d.origin);
    pc.opacity = layer.opacity;
    pc.z_offset = 0.0f;
    pc.viewport = glm::vec2(static_cast<float>(v.w), static_cast<float>(v.h));
    vkCmdPushConstants(v.cmd, layout_.vk(), VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof pc, &pc);
    vkCmdDraw(v.cmd, 6, d.count, 0, d.first);
    v.stats->triangles += 2ull * d.count;
    ++v.stats->draw_calls;
  }
}

}  // namespace parktwin::render
