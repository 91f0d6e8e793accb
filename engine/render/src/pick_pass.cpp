// Object-id picking: ground features, buildings and markers rendered as ids into an R32_UINT
// target of one sample, only at the pixel asked for, then that pixel read back.
#include <cstring>

#include "gpu_types.h"
#include "passes.h"
#include "targets.h"

namespace parktwin::render {
namespace {

const uint32_t kPickBuildingsVert[] = {
#include "pick_buildings.vert.inc"
};
const uint32_t kPickFlatVert[] = {
#include "pick_flat.vert.inc"
};
const uint32_t kPickMarkersVert[] = {
#include "pick_markers.vert.inc"
};
const uint32_t kPickFrag[] = {
#include "pick.frag.inc"
};

}  // namespace

PickPass::PickPass(const PassSetup& s) : ctx_(s.ctx) {
  // Object ids: one sample (integer attachments are not resolved), read back by transfer.
  pass_ = make_render_pass(s.ctx.device(), kPickFormat, VK_SAMPLE_COUNT_1_BIT, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
  layout_ = vk::make_pipeline_layout(s.ctx.device(), {s.styles}, VK_SHADER_STAGE_VERTEX_BIT, sizeof(PickConstants),
                                     "vkCreatePipelineLayout (pick)");
  GraphicsDesc d;
  d.fs = spirv(kPickFrag);
  d.blend = false;  // ids are integers: no blending
  d.layout = layout_.vk();
  d.pass = pass_.vk();

  d.name = "pick fill";
  d.vs = spirv(kPickFlatVert);
  d.vertex.bindings = {{0, sizeof(gis::FlatVertex), VK_VERTEX_INPUT_RATE_VERTEX}};
  d.vertex.attributes = {{0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(gis::FlatVertex, x)},
                         {2, 0, VK_FORMAT_R32_UINT, offsetof(gis::FlatVertex, feature)}};
  fill_ = s.compiler.graphics(d);

  d.name = "pick buildings";
  d.vs = spirv(kPickBuildingsVert);
  d.vertex.bindings = {{0, sizeof(gis::BuildingVertex), VK_VERTEX_INPUT_RATE_VERTEX}};
  d.vertex.attributes = {{0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(gis::BuildingVertex, x)},
                         {1, 0, VK_FORMAT_R32_SFLOAT, offsetof(gis::BuildingVertex, top)},
                         {2, 0, VK_FORMAT_R32_UINT, offsetof(gis::BuildingVertex, building)}};
  d.cull = VK_CULL_MODE_BACK_BIT;
  d.depth_test = d.depth_write = true;
  buildings_ = s.compiler.graphics(d);

  d.name = "pick markers";
  d.vs = spirv(kPickMarkersVert);
  d.vertex.bindings = {{0, sizeof(MarkerInstance), VK_VERTEX_INPUT_RATE_INSTANCE}};
  d.vertex.attributes = {{0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(MarkerInstance, x)},
                         {2, 0, VK_FORMAT_R32_SFLOAT, offsetof(MarkerInstance, size_px)}};
  d.cull = VK_CULL_MODE_NONE;
  d.depth_test = d.depth_write = false;
  markers_ = s.compiler.graphics(d);
}

void PickPass::resize(uint32_t w, uint32_t h) {
  if (target_.w == w && target_.h == h) return;
  target_ = Target{};
  target_.w = w;
  target_.h = h;
  target_.id = vk::Image(ctx_.dev, w, h, kPickFormat, VK_SAMPLE_COUNT_1_BIT,
                         VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT, VK_IMAGE_ASPECT_COLOR_BIT);
  target_.depth = vk::Image(ctx_.dev, w, h, kDepthFormat, VK_SAMPLE_COUNT_1_BIT,
                            VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT, VK_IMAGE_ASPECT_DEPTH_BIT);
  target_.fb = make_framebuffer(ctx_.device(), pass_.vk(), {target_.id.view(), target_.depth.view()}, w, h);
  target_.readback = vk::Buffer(ctx_.dev, 16, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
}

uint32_t PickPass::pick(FrameView v, uint32_t x, uint32_t y, GpuScene& scene, const SubmitNow& submit) {
  resize(v.w, v.h);
  const uint32_t w = v.w, h = v.h;
  scene.sync_styles(v.slot, *v.f);
  submit([&](VkCommandBuffer cmd) {
    scene.record_pending_copies(cmd);  // edited chunks not drawn by a frame yet
    VkClearValue clears[2]{};
    clears[0].color.uint32[0] = 0;
    clears[1].depthStencil = {0.0f, 0};
    VkRenderPassBeginInfo rb{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
    rb.renderPass = pass_.vk();
    rb.framebuffer = target_.fb.vk();
    rb.renderArea = {{0, 0}, {w, h}};
    rb.clearValueCount = 2;
    rb.pClearValues = clears;
    vkCmdBeginRenderPass(cmd, &rb, VK_SUBPASS_CONTENTS_INLINE);
    VkViewport vp{0.0f, 0.0f, static_cast<float>(w), static_cast<float>(h), 0.0f, 1.0f};
    VkRect2D sc{{static_cast<int32_t>(x), static_cast<int32_t>(y)}, {1, 1}};  // rasterise one pixel
    vkCmdSetViewport(cmd, 0, 1, &vp);
    vkCmdSetScissor(cmd, 0, 1, &sc);
    const VkDescriptorSet set = scene.styles_set(v.slot);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout_.vk(), 0, 1, &set, 0, nullptr);
    const VkDeviceSize zero = 0;
    auto draw = [&](const DrawItem& d, VkPipeline pipeline) {
      if (!v.f->layer(d.layer).drawn()) return;
      PickConstants pc{};
      pc.mvp = v.mvp_for(d.origin);
      pc.viewport = glm::vec2(static_cast<float>(w), static_cast<float>(h));
      pc.layer = d.layer;
      pc.first_instance = d.first;
      vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
      vkCmdBindVertexBuffers(cmd, 0, 1, &d.vb, &zero);
      vkCmdPushConstants(cmd, layout_.vk(), VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof pc, &pc);
      if (d.kind == DrawKind::Markers) {
        vkCmdDraw(cmd, 6, d.count, 0, d.first);
      } else {
        vkCmdBindIndexBuffer(cmd, d.ib, 0, VK_INDEX_TYPE_UINT32);
        vkCmdDrawIndexed(cmd, d.count, 1, d.first, d.vertex_offset, 0);
      }
    };
    // Ground fills under everything (no depth), buildings, markers on top.
    for (const DrawItem& d : scene.ground_draws())
      if (d.kind == DrawKind::Fill) draw(d, fill_.get());
    for (const DrawItem& d : scene.building_draws())
      if (!d.blocks) draw(d, buildings_.get());  // blocks stand in for buildings: nothing to pick
    for (const DrawItem& d : scene.marker_draws()) draw(d, markers_.get());
    vkCmdEndRenderPass(cmd);
    VkBufferImageCopy copy{};
    copy.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    copy.imageOffset = {static_cast<int32_t>(x), static_cast<int32_t>(y), 0};
    copy.imageExtent = {1, 1, 1};
    vkCmdCopyImageToBuffer(cmd, target_.id.vk(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, target_.readback.vk(), 1, &copy);
    host_read_barrier(cmd, target_.readback.vk());
  });
  uint32_t id = 0;
  std::memcpy(&id, target_.readback.mapped(), sizeof id);
  return id;
}

}  // namespace parktwin::render
