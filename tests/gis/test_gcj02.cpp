// GCJ-02: a published reference pair, the size of the offset, the inverse's accuracy, identity abroad.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>

#include <gtest/gtest.h>

#include "parktwin/gis/gcj02.h"

using namespace parktwin::gis;

namespace {

double metres_between(glm::dvec2 a, glm::dvec2 b) {
  constexpr double kMetresPerDegree = 6378137.0 * std::numbers::pi / 180.0;
  const double c = std::cos(a.y * std::numbers::pi / 180.0);
  return kMetresPerDegree * std::hypot((b.x - a.x) * c, b.y - a.y);
}

}  // namespace

// The example published with the widely used coordtransform library (wandergis/coordtransform,
// README and test/app.js): wgs84togcj02(116.404, 39.915) = [116.41024449916938, 39.91640428150164].
TEST(Gcj02, ForwardMatchesPublishedExample) {
  const glm::dvec2 g = wgs84_to_gcj02({116.404, 39.915});
  EXPECT_NEAR(g.x, 116.41024449916938, 1e-9);
  EXPECT_NEAR(g.y, 39.91640428150164, 1e-9);
}

TEST(Gcj02, OffsetAroundNanchangIsHalfAKilometre) {
  for (glm::dvec2 p : {glm::dvec2{115.88333, 28.68333}, glm::dvec2{116.014219, 28.710194},
                       glm::dvec2{117.225156, 28.329914}, glm::dvec2{114.4, 27.83333}}) {
    const double d = metres_between(p, wgs84_to_gcj02(p));
    EXPECT_GT(d, 300.0) << p.x << "," << p.y;
    EXPECT_LT(d, 800.0) << p.x << "," << p.y;
  }
}

TEST(Gcj02, InverseRoundTripWithinOneCentimetreOverJiangxi) {
  double worst_m = 0.0, worst_forward_deg = 0.0;
  for (double lat = 24.4; lat <= 30.2; lat += 0.05) {
    for (double lon = 113.5; lon <= 118.6; lon += 0.05) {
      const glm::dvec2 w{lon, lat};
      const glm::dvec2 g = wgs84_to_gcj02(w);
      const glm::dvec2 back = gcj02_to_wgs84(g);
      worst_m = std::max(worst_m, metres_between(w, back));
      // The contract of the inverse: its forward image matches the input to 1e-9 degree.
      const glm::dvec2 again = wgs84_to_gcj02(gcj02_to_wgs84(w));
      worst_forward_deg = std::max({worst_forward_deg, std::abs(again.x - w.x), std::abs(again.y - w.y)});
    }
  }
  EXPECT_LT(worst_m, 0.01);
  EXPECT_LT(worst_forward_deg, 1e-9);
  RecordProperty("worst_round_trip_m", std::to_string(worst_m));
  std::printf("GCJ-02 round trip over Jiangxi: worst %.3g m, forward residual %.3g deg\n", worst_m,
              worst_forward_deg);
}

TEST(Gcj02, InverseBeatsTheOneStepApproximation) {
  // g - delta(g) is off by metres; the iteration must not be.
  const glm::dvec2 w{115.88333, 28.68333};
  const glm::dvec2 g = wgs84_to_gcj02(w);
  const glm::dvec2 one_step = g - (wgs84_to_gcj02(g) - g);
  EXPECT_GT(metres_between(w, one_step), 0.05);
  EXPECT_LT(metres_between(w, gcj02_to_wgs84(g)), 0.001);
}

TEST(Gcj02, IdentityOutsideChina) {
  for (glm::dvec2 p : {glm::dvec2{2.35, 48.85}, glm::dvec2{-74.0, 40.7}, glm::dvec2{139.7, 35.7},
                       glm::dvec2{151.2, -33.9}, glm::dvec2{116.0, 60.0}}) {
    EXPECT_FALSE(gcj02_applies(p));
    EXPECT_EQ(wgs84_to_gcj02(p), p);
    EXPECT_EQ(gcj02_to_wgs84(p), p);
  }
  EXPECT_TRUE(gcj02_applies({115.88333, 28.68333}));
}
