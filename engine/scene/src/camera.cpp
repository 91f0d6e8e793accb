#include "parktwin/scene/camera.h"

#include <algorithm>
#include <cmath>

#include <glm/gtc/matrix_transform.hpp>
#include <glm/matrix.hpp>

namespace parktwin::scene {

glm::dvec3 Camera::forward() const {
  // Horizontal direction of view: heading 0 looks north (+y), heading pi/2 looks east (+x).
  const double ch = std::cos(pitch);
  return glm::dvec3(std::sin(heading) * ch, std::cos(heading) * ch, -std::sin(pitch));
}

glm::dvec3 Camera::eye() const { return target - forward() * distance; }

glm::dmat4 Camera::view_rotation() const {
  const glm::dvec3 f = forward();
  return glm::lookAt(glm::dvec3(0.0), f, glm::dvec3(0.0, 0.0, 1.0));
}

double Camera::near_plane() const {
  // The eye's height above ground bounds how close geometry can be; a generous near plane keeps
  // reverse-Z precision high without clipping roofs.
  const double h = std::max(1.0, eye().z);
  return std::clamp(h * 0.05, 0.25, 2000.0);
}

glm::dmat4 Camera::projection(double aspect, glm::dvec4 sub) const {
  const double n = near_plane();
  const double t = n * std::tan(fov_y * 0.5);
  const double r = t * aspect;
  // Full frustum at the near plane is [-r, r] x [-t, t]; pick the sub-rectangle (y down in sub).
  const double l0 = -r + 2.0 * r * sub.x, r0 = -r + 2.0 * r * sub.z;
  const double t0 = t - 2.0 * t * sub.y, b0 = t - 2.0 * t * sub.w;
  glm::dmat4 p(0.0);
  p[0][0] = 2.0 * n / (r0 - l0);
  p[1][1] = -2.0 * n / (t0 - b0);  // Vulkan: clip y points down
  p[2][0] = (r0 + l0) / (r0 - l0);
  p[2][1] = -(t0 + b0) / (t0 - b0);
  // Reverse-Z, infinite far plane: z_clip = n, w_clip = -z_view -> depth = n / -z_view.
  p[2][2] = 0.0;
  p[2][3] = -1.0;
  p[3][2] = n;
  return p;
}

glm::mat4 Camera::matrix_for_origin(const glm::dmat4& proj_rot, glm::dvec3 origin) const {
  const glm::dvec3 rel = origin - eye();
  return glm::mat4(proj_rot * glm::translate(glm::dmat4(1.0), rel));
}

Camera Camera::framing(glm::dvec2 bmin, glm::dvec2 bmax, double aspect, double heading, double pitch) {
  Camera c;
  c.heading = heading;
  c.pitch = pitch;
  const glm::dvec2 mid = (bmin + bmax) * 0.5;
  c.target = glm::dvec3(mid, 0.0);
  // Find the smallest distance at which all four ground corners project inside the view (with a
  // 4 % margin): bisection on the real projection works for any heading and pitch.
  const glm::dvec3 corners[4] = {{bmin.x, bmin.y, 0}, {bmax.x, bmin.y, 0}, {bmin.x, bmax.y, 0}, {bmax.x, bmax.y, 0}};
  auto fits = [&](double d) {
    c.distance = d;
    const glm::dmat4 m = c.projection(aspect) * c.view_rotation();
    const glm::dvec3 eye = c.eye();
    for (const auto& p : corners) {
      const glm::dvec4 q = m * glm::dvec4(p - eye, 1.0);
      if (q.w <= 0.0 || std::abs(q.x) > 0.96 * q.w || std::abs(q.y) > 0.96 * q.w) return false;
    }
    return true;
  };
  double lo = kMinDistance, hi = kMaxDistance;
  if (fits(lo)) hi = lo;
  for (int i = 0; i < 60 && hi / lo > 1.001; ++i) {
    const double mid_d = std::sqrt(lo * hi);
    (fits(mid_d) ? hi : lo) = mid_d;
  }
  c.distance = hi;
  c.clamp();
  return c;
}

void Camera::clamp() {
  pitch = std::clamp(pitch, kMinPitch, kMaxPitch);
  distance = std::clamp(distance, kMinDistance, kMaxDistance);
  heading = std::remainder(heading, 2.0 * M_PI);
}

void Camera::pan_pixels(double dx, double dy, double viewport_h) {
  // Metres per pixel at the target, then move along the ground-projected camera axes.
  const double mpp = 2.0 * distance * std::tan(fov_y * 0.5) / std::max(1.0, viewport_h);
  const glm::dvec2 right(std::cos(heading), -std::sin(heading));
  const glm::dvec2 ahead(std::sin(heading), std::cos(heading));
  const double ahead_scale = 1.0 / std::max(0.3, std::sin(pitch));
  const glm::dvec2 d = (-dx * right + dy * ahead * ahead_scale) * mpp;
  target.x += d.x;
  target.y += d.y;
}

void Camera::zoom_steps(double steps) {
  distance *= std::exp(-steps * 0.15);
  clamp();
}

std::optional<glm::dvec3> Camera::ground_at(glm::dvec2 ndc, double aspect) const {
  // Unproject a point on the near plane and intersect the eye ray with z = 0.
  const glm::dmat4 inv = glm::inverse(projection(aspect) * view_rotation());
  const glm::dvec4 p = inv * glm::dvec4(ndc.x, ndc.y, 1.0, 1.0);
  if (p.w == 0.0) return std::nullopt;
  const glm::dvec3 dir = glm::dvec3(p) / p.w;  // relative to the eye
  const glm::dvec3 e = eye();
  if (dir.z >= -1e-12) return std::nullopt;  // looking at or above the horizon
  const double t = -e.z / dir.z;
  if (t <= 0.0) return std::nullopt;
  return e + dir * t;
}

void Camera::zoom_at(double steps, glm::dvec2 ndc, double aspect) {
  const auto before = ground_at(ndc, aspect);
  zoom_steps(steps);
  const auto after = ground_at(ndc, aspect);
  if (before && after) target += glm::dvec3(glm::dvec2(*before - *after), 0.0);
}

void Camera::orbit(double dheading, double dpitch) {
  heading += dheading;
  pitch += dpitch;
  clamp();
}

ScreenProjector::ScreenProjector(const Camera& c, glm::dvec2 vp)
    : proj_rot(c.projection(vp.x / std::max(1.0, vp.y)) * c.view_rotation()), eye(c.eye()), viewport(vp) {}

std::optional<glm::dvec2> ScreenProjector::operator()(glm::dvec3 p) const {
  const glm::dvec4 q = proj_rot * glm::dvec4(p - eye, 1.0);
  if (q.w <= 0.0) return std::nullopt;
  return glm::dvec2((q.x / q.w * 0.5 + 0.5) * viewport.x, (q.y / q.w * 0.5 + 0.5) * viewport.y);
}

static double shortest_angle(double from, double to) { return std::remainder(to - from, 2.0 * M_PI); }

Camera interpolate(const Camera& a, const Camera& b, double s) {
  Camera c = b;
  c.target = a.target + (b.target - a.target) * s;
  // Log-space zoom with an arc: when the hop is long relative to both distances, rise so both ends
  // stay in view mid-flight (a simplified van Wijk & Nuij path).
  const double la = std::log(a.distance), lb = std::log(b.distance);
  const double travel = glm::length(glm::dvec2(b.target - a.target));
  const double peak = std::max({a.distance, b.distance, travel * 0.9});
  const double lift = std::log(peak) - std::max(la, lb);
  c.distance = std::exp(la + (lb - la) * s + lift * 4.0 * s * (1.0 - s));
  c.heading = a.heading + shortest_angle(a.heading, b.heading) * s;
  c.pitch = a.pitch + (b.pitch - a.pitch) * s;
  c.fov_y = a.fov_y + (b.fov_y - a.fov_y) * s;
  return c;
}

double ease_in_out(double t) {
  t = std::clamp(t, 0.0, 1.0);
  return t * t * (3.0 - 2.0 * t);
}

void FlyTo::begin(const Camera& a, const Camera& b, double now, double seconds) {
  from = a;
  to = b;
  start = now;
  duration = std::max(0.0, seconds);
  active = true;
}

Camera FlyTo::at(double now) {
  // Compare times, not the ratio: (start + d - start) / d can round to just below 1.
  if (!active || duration <= 0.0 || now >= start + duration) {
    active = false;
    return to;
  }
  return interpolate(from, to, ease_in_out((now - start) / duration));
}

}  // namespace parktwin::scene
