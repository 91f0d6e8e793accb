#include "frame.h"

#include <algorithm>

namespace parktwin::render {

double full_aspect(uint32_t w, uint32_t h, const FrameInput& in) {
  const double sub_w = std::max(1e-9, in.subrect.z - in.subrect.x), sub_h = std::max(1e-9, in.subrect.w - in.subrect.y);
  return static_cast<double>(w) / std::max(1u, h) * (sub_h / sub_w);
}

std::array<glm::vec4, 8> clip_corners(const glm::mat4& m, glm::vec3 lo, glm::vec3 hi) {
  std::array<glm::vec4, 8> c;
  for (int i = 0; i < 8; ++i)
    c[i] = m * glm::vec4(i & 1 ? hi.x : lo.x, i & 2 ? hi.y : lo.y, i & 4 ? hi.z : lo.z, 1.0f);
  return c;
}

bool outside_frustum(const std::array<glm::vec4, 8>& c) {
  auto all = [&](auto pred) {
    for (const auto& v : c)
      if (!pred(v)) return false;
    return true;
  };
  return all([](const glm::vec4& v) { return v.x < -v.w; }) || all([](const glm::vec4& v) { return v.x > v.w; }) ||
         all([](const glm::vec4& v) { return v.y < -v.w; }) || all([](const glm::vec4& v) { return v.y > v.w; }) ||
         all([](const glm::vec4& v) { return v.w <= 0.0f; });
}

void FrameView::set_camera(const FrameInput& input, uint32_t width, uint32_t height) {
  in = &input;
  f = input.frame;
  w = width;
  h = height;
  proj_rot = f->camera.projection(full_aspect(w, h, input), input.subrect) * f->camera.view_rotation();
  eye = f->camera.eye();
}

glm::mat4 FrameView::mvp_for(glm::dvec2 origin) const {
  return f->camera.matrix_for_origin(proj_rot, glm::dvec3(origin, 0.0));
}

void set_viewport(VkCommandBuffer cmd, uint32_t w, uint32_t h) {
  VkViewport vp{0.0f, 0.0f, static_cast<float>(w), static_cast<float>(h), 0.0f, 1.0f};
  VkRect2D sc{{0, 0}, {w, h}};
  vkCmdSetViewport(cmd, 0, 1, &vp);
  vkCmdSetScissor(cmd, 0, 1, &sc);
}

}  // namespace parktwin::render
