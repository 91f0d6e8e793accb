#pragma once
// What the passes share while recording one frame: the frame-in-flight constants and a FrameView
// (command buffer, snapshot, size, camera matrices, stats) handed to each pass in turn.
#include <array>
#include <cstdint>

#include <glm/mat4x4.hpp>
#include <glm/vec2.hpp>
#include <glm/vec3.hpp>
#include <vulkan/vulkan.h>

#include "parktwin/render/renderer.h"

namespace parktwin::render {

constexpr uint32_t kFramesInFlight = 2;
constexpr VkFormat kDepthFormat = VK_FORMAT_D32_SFLOAT;
constexpr VkFormat kPickFormat = VK_FORMAT_R32_UINT;

/// Aspect ratio of the full view when the target shows only its sub-rectangle `in.subrect`.
double full_aspect(uint32_t w, uint32_t h, const FrameInput& in);

/// The 8 corners of the box [lo, hi] through `m` (corner i takes hi.x when bit 0 is set, hi.y for
/// bit 1, hi.z for bit 2).
std::array<glm::vec4, 8> clip_corners(const glm::mat4& m, glm::vec3 lo, glm::vec3 hi);
/// Whether the box with these clip-space corners lies wholly outside one clip plane or behind the eye.
bool outside_frustum(const std::array<glm::vec4, 8>& c);
/// True when the box (relative coordinates) lies entirely outside one clip plane of `m`.
inline bool outside_frustum(const glm::mat4& m, glm::vec3 lo, glm::vec3 hi) { return outside_frustum(clip_corners(m, lo, hi)); }

/// One frame (or one pick) being recorded.
struct FrameView {
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  uint32_t slot = 0;  ///< frame-in-flight index: selects per-frame buffers
  const FrameInput* in = nullptr;
  const scene::FrameSnapshot* f = nullptr;
  uint32_t w = 0, h = 0;
  glm::dmat4 proj_rot{1.0};  ///< projection (with FrameInput::subrect) times the view rotation
  glm::dvec3 eye{0.0};
  RenderStats* stats = nullptr;
  /// The flow budget follows the measured frame time (window frames); otherwise it is a fixed
  /// count of arcs, so that stills, tiles and recordings come out the same on every run.
  bool adaptive_budget = false;

  /// Sets the camera matrices for `in` at size w x h.
  void set_camera(const FrameInput& input, uint32_t width, uint32_t height);
  /// projection * rotation * translate(origin - eye), in double, for geometry relative to `origin`.
  glm::mat4 mvp_for(glm::dvec2 origin) const;
};

/// Sets the full-target viewport and scissor.
void set_viewport(VkCommandBuffer cmd, uint32_t w, uint32_t h);

}  // namespace parktwin::render
