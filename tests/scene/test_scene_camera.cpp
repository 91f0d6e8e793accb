// The orbit camera: framing, relative-to-centre precision far from the frame origin, reverse-Z,
// off-axis sub-frusta, and fly-to paths.
#include <algorithm>
#include <cmath>
#include <vector>

#include <glm/mat4x4.hpp>
#include <gtest/gtest.h>

#include "parktwin/scene/camera.h"
#include "scene_test_support.h"

using namespace parktwin;
using namespace parktwin::scene;

namespace {

constexpr double kDeg = M_PI / 180.0;

/// Clip coordinates of a scene-frame point, all in double.
glm::dvec4 clip_of(const Camera& c, double aspect, glm::dvec3 p, glm::dvec4 sub = {0, 0, 1, 1}) {
  return c.projection(aspect, sub) * c.view_rotation() * glm::dvec4(p - c.eye(), 1.0);
}

/// Pixel position (x right, y down) of clip coordinates in a viewport of w x h pixels.
glm::dvec2 pixel_of(glm::dvec4 clip, double w, double h) {
  return {(clip.x / clip.w * 0.5 + 0.5) * w, (clip.y / clip.w * 0.5 + 0.5) * h};
}

bool inside_ndc(glm::dvec4 q) { return q.w > 0.0 && std::abs(q.x) <= q.w && std::abs(q.y) <= q.w; }

/// Clip coordinates through the float per-chunk matrix, as the vertex shader computes them.
glm::dvec4 clip_rtc(const Camera& c, double aspect, glm::dvec3 origin, glm::vec3 offset) {
  const glm::dmat4 pr = c.projection(aspect) * c.view_rotation();
  const glm::mat4 m = c.matrix_for_origin(pr, origin);
  return glm::dvec4(m * glm::vec4(offset, 1.0f));
}

}  // namespace

TEST(SceneCamera, FramingShowsTheWholeBoxAndNoMore) {
  struct Box { glm::dvec2 lo, hi; };
  const Box boxes[] = {{{-1500, -1500}, {1500, 1500}},
                       {{120000, 70000}, {160000, 80000}},
                       {{-150000, -180000}, {150000, 200000}},
                       {{5000, 5000}, {5600, 9000}}};
  for (const Box& box : boxes)
    for (double aspect : {0.5, 1.0, 16.0 / 9.0, 3.2})
      for (double heading : {0.0, 0.35, 1.3, -2.2, M_PI})
        for (double pitch : {0.3, 0.62, 0.9, 1.4}) {
          const Camera c = Camera::framing(box.lo, box.hi, aspect, heading, pitch);
          SCOPED_TRACE(::testing::Message() << "box " << box.lo.x << "," << box.lo.y << " - " << box.hi.x << ","
                                            << box.hi.y << " aspect " << aspect << " heading " << heading
                                            << " pitch " << pitch << " distance " << c.distance);
          const glm::dvec3 corners[4] = {{box.lo, 0}, {box.hi.x, box.lo.y, 0}, {box.lo.x, box.hi.y, 0}, {box.hi, 0}};
          EXPECT_NEAR(glm::length(glm::dvec2(c.target) - (box.lo + box.hi) * 0.5), 0.0, 1e-6);
          for (const auto& p : corners) EXPECT_TRUE(inside_ndc(clip_of(c, aspect, p)));
          Camera closer = c;
          closer.distance = c.distance * 0.9;
          bool some_outside = false;
          for (const auto& p : corners) some_outside |= !inside_ndc(clip_of(closer, aspect, p));
          EXPECT_TRUE(some_outside) << "the view is not tight";
        }
}

TEST(SceneCamera, RelativeToCentreMatchesDoublePrecisionFarFromTheOrigin) {
  // A chunk 300 km from the frame origin, a camera 200 m from a point near one of its vertices.
  const glm::dvec3 origin(212132.0, -212132.0, 0.0);
  const glm::vec3 offsets[] = {{1234.5678f, -765.4321f, 0.0f}, {1234.5678f, -765.4321f, 35.25f},
                               {1190.125f, -790.5f, 12.0f}, {1260.0f, -700.75f, 0.0f}};
  Camera c;
  c.target = origin + glm::dvec3(1234.5678 + 3.0, -765.4321 + 4.0, 0.0);
  c.distance = 200.0;
  c.heading = 0.7;
  c.pitch = 0.5;
  const double aspect = 3840.0 / 2160.0;
  for (const glm::vec3& v : offsets) {
    const glm::dvec3 p = origin + glm::dvec3(v);
    const glm::dvec4 exact = clip_of(c, aspect, p);
    const glm::dvec4 rtc = clip_rtc(c, aspect, origin, v);
    ASSERT_GT(exact.w, 0.0);
    for (int k = 0; k < 4; ++k)
      EXPECT_NEAR(rtc[k], exact[k], 1e-5 * std::max(1.0, std::abs(exact.w))) << "component " << k;
    const glm::dvec2 a = pixel_of(exact, 3840, 2160), b = pixel_of(rtc, 3840, 2160);
    EXPECT_LT(glm::length(a - b), 0.05) << "at 4k: " << a.x << "," << a.y << " vs " << b.x << "," << b.y;
    EXPECT_TRUE(a.x > 0 && a.x < 3840 && a.y > 0 && a.y < 2160) << "the vertex is in view";
  }
}

TEST(SceneCamera, MillimetreTargetStepsMoveTheProjectionSmoothly) {
  const glm::dvec3 origin(-180000.0, 240000.0, 0.0);  // 300 km out
  const glm::vec3 v(812.25f, -455.5f, 18.0f);
  Camera c;
  c.target = origin + glm::dvec3(v) + glm::dvec3(2.0, 1.0, -18.0);
  c.distance = 200.0;
  c.heading = 0.0;  // looking north: an eastward step moves the point left on screen
  c.pitch = 0.6;
  const double aspect = 16.0 / 9.0;
  std::vector<double> xs;
  for (int i = 0; i <= 100; ++i) {
    Camera s = c;
    s.target.x += 0.001 * i;
    xs.push_back(clip_rtc(s, aspect, origin, v).x / clip_rtc(s, aspect, origin, v).w);
  }
  // The exact shift over the whole 10 cm, in double.
  Camera end = c;
  end.target.x += 0.1;
  const double exact_total = clip_of(end, aspect, origin + glm::dvec3(v)).x / clip_of(end, aspect, origin + glm::dvec3(v)).w -
                             clip_of(c, aspect, origin + glm::dvec3(v)).x / clip_of(c, aspect, origin + glm::dvec3(v)).w;
  ASSERT_LT(exact_total, 0.0);
  const double step = exact_total / 100.0;
  for (int i = 1; i <= 100; ++i) {
    const double d = xs[i] - xs[i - 1];
    EXPECT_LT(d, 0.0) << "step " << i << " is not monotonic";
    EXPECT_NEAR(d, step, 0.25 * std::abs(step)) << "step " << i << ": a quantisation jump";
  }
  EXPECT_NEAR(xs[10] - xs[0], exact_total / 10.0, 0.05 * std::abs(exact_total / 10.0)) << "1 cm";
  EXPECT_NEAR(xs[100] - xs[0], exact_total, 0.02 * std::abs(exact_total));
}

TEST(SceneCamera, ReverseZDepthIsOneAtTheNearPlaneAndFallsWithDistance) {
  for (double pitch : {0.2, 0.8, 1.5})
    for (double distance : {50.0, 2000.0, 400000.0}) {
      Camera c;
      c.target = glm::dvec3(1000.0, -2000.0, 0.0);
      c.distance = distance;
      c.pitch = pitch;
      c.heading = 0.4;
      const double n = c.near_plane();
      ASSERT_GT(n, 0.0);
      double last = 2.0;
      for (double along : {n, n * 1.5, n * 4.0, distance, distance * 3.0, 1e7}) {
        const glm::dvec4 q = clip_of(c, 1.5, c.eye() + c.forward() * along);
        const double depth = q.z / q.w;
        if (along == n) {
          EXPECT_NEAR(depth, 1.0, 1e-12) << "pitch " << pitch << " distance " << distance;
        }
        EXPECT_GT(depth, 0.0);
        EXPECT_LE(depth, 1.0 + 1e-12);
        EXPECT_LT(depth, last) << "depth must fall with distance (" << along << " m)";
        last = depth;
      }
    }
}

TEST(SceneCamera, QuadrantSubFrustaMapPointsToTheSamePixels) {
  Camera c;
  c.target = glm::dvec3(5000.0, 7000.0, 0.0);
  c.distance = 1500.0;
  c.heading = -0.6;
  c.pitch = 0.7;
  const double W = 1920.0, H = 1080.0, aspect = W / H;
  const glm::dvec4 quads[] = {{0.0, 0.0, 0.5, 0.5}, {0.5, 0.0, 1.0, 0.5}, {0.0, 0.5, 0.5, 1.0}, {0.5, 0.5, 1.0, 1.0}};
  const glm::dvec3 points[] = {{5000, 7000, 0}, {5300, 7200, 40}, {4700, 7100, 0}, {5200, 6800, 0}, {4800, 6900, 25}};
  for (const glm::dvec3& p : points) {
    const glm::dvec2 full = pixel_of(clip_of(c, aspect, p), W, H);
    int containing = 0;
    for (const glm::dvec4& q : quads) {
      const double tw = (q.z - q.x) * W, th = (q.w - q.y) * H;
      const glm::dvec2 in_tile = pixel_of(clip_of(c, aspect, p, q), tw, th);
      const glm::dvec2 back = in_tile + glm::dvec2(q.x * W, q.y * H);
      EXPECT_NEAR(back.x, full.x, 1e-6) << "point " << p.x << "," << p.y;
      EXPECT_NEAR(back.y, full.y, 1e-6) << "point " << p.x << "," << p.y;
      containing += in_tile.x >= 0 && in_tile.x < tw && in_tile.y >= 0 && in_tile.y < th;
    }
    if (full.x >= 0 && full.x < W && full.y >= 0 && full.y < H) {
      EXPECT_EQ(containing, 1) << "one tile holds each pixel";
    }
  }
  // The target is at the centre of the full view and at a corner of every quadrant.
  const glm::dvec2 centre = pixel_of(clip_of(c, aspect, c.target), W, H);
  EXPECT_NEAR(centre.x, W / 2, 1e-6);
  EXPECT_NEAR(centre.y, H / 2, 1e-6);
  // y runs down: a point beyond the target (farther north when looking north) is higher on screen.
  Camera north = c;
  north.heading = 0.0;
  EXPECT_LT(pixel_of(clip_of(north, aspect, c.target + glm::dvec3(0, 300, 0)), W, H).y, H / 2);
}

namespace {

/// Flies from `from` to `to` and checks the ends and every 1/60 s frame in between.
void check_flight(const Camera& from, const Camera& to, double duration) {
  const double hop = glm::length(glm::dvec2(to.target - from.target));
  FlyTo fly;
  const double start = 0.0;  // see FlyToIsDoneAtStartPlusDurationWhateverTheClock for other starts
  fly.begin(from, to, start, duration);
  const Camera first = fly.at(start);
  EXPECT_TRUE(fly.active);
  EXPECT_NEAR(glm::length(first.eye() - from.eye()), 0.0, 1e-6);
  EXPECT_NEAR(first.distance, from.distance, 1e-9 * from.distance);
  EXPECT_EQ(first.target, from.target);
  EXPECT_EQ(first.heading, from.heading);
  EXPECT_EQ(first.pitch, from.pitch);

  // The ease moves at most 1.5x its average speed; the target follows it.
  const double target_step = 1.5 * hop / (duration * 60.0);
  Camera last = first;
  double peak = 0.0;
  const int frames = static_cast<int>(std::ceil(duration * 60.0));
  for (int i = 1; i <= frames; ++i) {
    const Camera c = fly.at(start + i / 60.0);
    const double moved = glm::length(c.eye() - last.eye());
    EXPECT_LT(moved, 0.05 * std::max(last.distance, c.distance) + target_step) << "frame " << i << ": the eye jumped";
    EXPECT_LE(glm::length(c.target - last.target), target_step * 1.0001) << "frame " << i;
    EXPECT_LT(std::abs(std::log(c.distance / last.distance)), 0.1) << "frame " << i << ": the zoom jumped";
    EXPECT_GE(c.distance, std::min(from.distance, to.distance) * 0.999) << "frame " << i;
    peak = std::max(peak, c.distance);
    last = c;
  }
  if (hop > 10.0 * std::max(from.distance, to.distance)) {
    EXPECT_GT(peak, 0.5 * hop) << "a long hop rises so both ends stay in view";
  }
  const Camera end = fly.at(start + duration);
  EXPECT_FALSE(fly.active);
  EXPECT_EQ(end.target, to.target);
  EXPECT_EQ(end.distance, to.distance);
  EXPECT_EQ(end.heading, to.heading);
  EXPECT_EQ(end.pitch, to.pitch);
  EXPECT_EQ(end.eye(), to.eye());
  EXPECT_EQ(fly.at(start + duration + 5.0).eye(), to.eye()) << "stays at the end";
}

}  // namespace

TEST(SceneCamera, FlyToFromNanchangToYichunStartsAndEndsExactlyAndNeverJumps) {
  const auto frame = gis::SceneFrame::jiangxi();
  const glm::dvec2 nanchang = frame.from_wgs84({116.08356, 28.73628});    // Yaohu
  const glm::dvec2 yichun = frame.from_wgs84({114.367177, 27.868002});    // Yichun ETDZ
  const glm::dvec2 half(1500.0, 1500.0);
  const double aspect = 16.0 / 9.0;
  // Park views as the viewer frames them, and the viewer's 3 s for a long hop.
  const Camera from = Camera::framing(nanchang - half, nanchang + half, aspect, 0.35, 0.62);
  const Camera to = Camera::framing(yichun - half, yichun + half, aspect, 0.35, 0.62);
  const double hop = glm::length(glm::dvec2(to.target - from.target));
  ASSERT_GT(hop, 150000.0);
  ASSERT_LT(hop, 200000.0);
  {
    SCOPED_TRACE("there");
    check_flight(from, to, 3.0);
  }
  {
    SCOPED_TRACE("and back");
    check_flight(to, from, 3.0);
  }
  {
    SCOPED_TRACE("turning and tilting");
    Camera a = from, b = to;
    a.heading = 350.0 * kDeg;
    b.heading = 10.0 * kDeg;
    b.pitch = 1.2;
    check_flight(a, b, 3.0);
  }
  {
    SCOPED_TRACE("a short hop");
    Camera b = from;
    b.target += glm::dvec3(800.0, -300.0, 0.0);
    b.distance *= 0.5;
    check_flight(from, b, 1.6);
  }
}

TEST(SceneCamera, FlyToIsDoneAtStartPlusDurationWhateverTheClock) {
  // The viewer passes glfwGetTime(): a flight may start at any time, and its durations are 1.6 s and 3 s.
  Camera a, b;
  b.target = glm::dvec3(1000.0, 500.0, 0.0);
  b.distance = 3000.0;
  for (double start : {0.0, 0.1, 100.0, 12345.678})
    for (double duration : {1.6, 3.0}) {
      FlyTo fly;
      fly.begin(a, b, start, duration);
      const Camera end = fly.at(start + duration);
      EXPECT_FALSE(fly.active) << "start " << start << " duration " << duration;
      EXPECT_EQ(end.eye(), b.eye()) << "start " << start << " duration " << duration;
    }
}

TEST(SceneCamera, InterpolationTurnsTheShortWayRound) {
  Camera a, b;
  a.heading = 350.0 * kDeg;
  b.heading = 10.0 * kDeg;
  b.target = glm::dvec3(100.0, 0.0, 0.0);
  auto off_north = [](double h) { return std::abs(std::remainder(h, 2.0 * M_PI)); };
  for (const auto& [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
    double closest = 1e9;
    for (int i = 0; i <= 100; ++i) {
      const double h = interpolate(x, y, i / 100.0).heading;
      EXPECT_LE(off_north(h), 10.0 * kDeg + 1e-9) << "s = " << i / 100.0 << " heading " << h / kDeg;
      closest = std::min(closest, off_north(h));
    }
    EXPECT_LT(closest, 1e-9) << "passes through north";
  }
  EXPECT_NEAR(off_north(interpolate(a, b, 0.5).heading), 0.0, 1e-9);
}

TEST(SceneCamera, EaseInOutIsClampedSymmetricAndMonotonic) {
  EXPECT_EQ(ease_in_out(0.0), 0.0);
  EXPECT_EQ(ease_in_out(1.0), 1.0);
  EXPECT_EQ(ease_in_out(-3.0), 0.0);
  EXPECT_EQ(ease_in_out(7.0), 1.0);
  EXPECT_NEAR(ease_in_out(0.5), 0.5, 1e-15);
  double last = 0.0;
  for (int i = 1; i <= 100; ++i) {
    const double t = i / 100.0, e = ease_in_out(t);
    EXPECT_GT(e, last);
    EXPECT_NEAR(e + ease_in_out(1.0 - t), 1.0, 1e-12);
    last = e;
  }
}

TEST(SceneCamera, ClampKeepsPitchDistanceAndHeadingInRange) {
  Camera c;
  c.pitch = 3.0;
  c.distance = 1.0;
  c.heading = 7.5 * M_PI;
  c.clamp();
  EXPECT_EQ(c.pitch, Camera::kMaxPitch);
  EXPECT_EQ(c.distance, Camera::kMinDistance);
  EXPECT_LE(std::abs(c.heading), M_PI + 1e-12);
  EXPECT_NEAR(std::cos(c.heading), std::cos(7.5 * M_PI), 1e-12);
  c.zoom_steps(-1000.0);
  EXPECT_EQ(c.distance, Camera::kMaxDistance);
  c.orbit(0.0, -5.0);
  EXPECT_EQ(c.pitch, Camera::kMinPitch);
}

TEST(SceneCamera, GroundUnderTheCentreIsTheTargetAndZoomAtKeepsTheCursorPoint) {
  Camera c;
  c.target = glm::dvec3(250000.0, -80000.0, 0.0);
  c.distance = 1800.0;
  c.heading = 0.7;
  c.pitch = 0.6;
  const double aspect = 16.0 / 9.0;
  const auto centre = c.ground_at({0.0, 0.0}, aspect);
  ASSERT_TRUE(centre.has_value());
  EXPECT_NEAR(glm::length(*centre - c.target), 0.0, 1e-3);

  const glm::dvec2 cursor(0.4, 0.3);
  const auto before = c.ground_at(cursor, aspect);
  ASSERT_TRUE(before.has_value());
  c.zoom_at(3.0, cursor, aspect);
  EXPECT_LT(c.distance, 1800.0);
  const auto after = c.ground_at(cursor, aspect);
  ASSERT_TRUE(after.has_value());
  EXPECT_NEAR(glm::length(*after - *before), 0.0, 1e-3);

  // Above the horizon there is no ground.
  c.pitch = Camera::kMinPitch;
  EXPECT_FALSE(c.ground_at({0.0, -1.0}, aspect).has_value());
}
