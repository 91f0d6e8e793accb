#pragma once
// Orbit camera in the scene frame, computed in double. The renderer gets, per mesh chunk, a float
// matrix built from (chunk origin - eye) in double ("relative to centre"), so positions stay exact
// to well under 1 cm anywhere in the province and nothing jitters.
#include <optional>

#include <glm/mat4x4.hpp>
#include <glm/vec2.hpp>
#include <glm/vec3.hpp>
#include <glm/vec4.hpp>

namespace parktwin::scene {

struct Camera {
  glm::dvec3 target{0.0};    ///< point looked at (scene frame, metres)
  double distance = 1000.0;  ///< metres from target to eye
  double heading = 0.0;      ///< radians, 0 = looking north, positive = clockwise (towards east)
  double pitch = 0.8;        ///< radians above the horizon the eye sits at (pi/2 = straight down)
  double fov_y = 0.7;        ///< vertical field of view, radians

  static constexpr double kMinPitch = 0.15, kMaxPitch = 1.55;
  static constexpr double kMinDistance = 20.0, kMaxDistance = 2.0e6;

  glm::dvec3 eye() const;
  /// Unit vector from the eye towards the target.
  glm::dvec3 forward() const;
  /// Rotation-only view matrix (the eye at the origin).
  glm::dmat4 view_rotation() const;
  /// Reverse-Z infinite perspective (depth 1 at the near plane, 0 at infinity, Vulkan clip space).
  /// `sub` selects an off-axis sub-rectangle of the full frustum in normalised window units
  /// (x0, y0, x1, y1; y down), for tiled snapshots and multi-screen walls.
  glm::dmat4 projection(double aspect, glm::dvec4 sub = {0.0, 0.0, 1.0, 1.0}) const;
  double near_plane() const;
  /// Full matrix for geometry whose positions are relative to `origin`: P * R * T(origin - eye).
  glm::mat4 matrix_for_origin(const glm::dmat4& proj_rot, glm::dvec3 origin) const;

  /// A camera that frames the box [bmin, bmax] (ground plane) for the given aspect ratio.
  static Camera framing(glm::dvec2 bmin, glm::dvec2 bmax, double aspect, double heading = 0.0, double pitch = 0.9);

  /// The point on the ground plane (z = 0) seen at normalised device coordinates `ndc` (x right,
  /// y down, -1..1), or nothing when that ray does not hit the ground ahead of the eye.
  std::optional<glm::dvec3> ground_at(glm::dvec2 ndc, double aspect) const;
  /// Zooms by `steps` keeping the ground point under `ndc` fixed on screen (zoom to cursor).
  void zoom_at(double steps, glm::dvec2 ndc, double aspect);

  void clamp();
  /// Moves the target by a screen-space drag in pixels (ground plane pan), given the viewport height.
  void pan_pixels(double dx, double dy, double viewport_h);
  /// Multiplies the distance by exp(-steps * 0.15) towards the target.
  void zoom_steps(double steps);
  void orbit(double dheading, double dpitch);
};

/// Projects scene points to window pixels (x right, y down) for one camera and viewport; the
/// matrix is built once, so loops over many points stay cheap.
struct ScreenProjector {
  ScreenProjector(const Camera& camera, glm::dvec2 viewport);
  /// The pixel position of `p`, or nothing when `p` is behind the eye.
  std::optional<glm::dvec2> operator()(glm::dvec3 p) const;
  glm::dmat4 proj_rot;
  glm::dvec3 eye;
  glm::dvec2 viewport;
};

/// Linear interpolation of cameras for fly-to: target linear, distance in log space with a zoom-out
/// arc when travelling far, heading the short way round. `s` in [0, 1] (already eased).
Camera interpolate(const Camera& a, const Camera& b, double s);

/// Smooth step in time for fly-to: ease in and out, C1.
double ease_in_out(double t);

/// A running fly-to: call at(t) every frame; done once t >= start + duration.
struct FlyTo {
  Camera from, to;
  double start = 0.0, duration = 0.0;
  bool active = false;
  void begin(const Camera& a, const Camera& b, double now, double seconds);
  /// The camera at time `now`; clears `active` when finished.
  Camera at(double now);
};

}  // namespace parktwin::scene
