#include "parktwin/gis/gcj02.h"

#include <cmath>
#include <numbers>

namespace parktwin::gis {

namespace {

// GCJ-02 is defined on the Krasovsky 1940 ellipsoid.
constexpr double kA = 6378245.0;                  // semi-major axis, metres
constexpr double kEE = 0.00669342162296594323;    // first eccentricity squared
constexpr double kPi = std::numbers::pi;

// The box of the published algorithm; outside it the forward transform is the identity.
constexpr double kMinLon = 72.004, kMaxLon = 137.8347;
constexpr double kMinLat = 0.8293, kMaxLat = 55.8271;

// The inverse stops when the forward image of its estimate is this close to the input (degrees,
// about 0.1 mm); the offset's derivative is ~1e-4 per degree, so fixed-point iteration converges
// by roughly four decimal places per step and 3-4 steps suffice. The cap only guards against NaN.
constexpr double kInverseTolerance = 1e-9;
constexpr int kMaxInverseIterations = 30;

// The two series of the published algorithm, in degrees relative to (105 E, 35 N); the results
// are offsets in metres-like units that delta() scales by the ellipsoid's radii of curvature.
double transform_lat(double x, double y) {
  double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(y * kPi) + 40.0 * std::sin(y / 3.0 * kPi)) * 2.0 / 3.0;
  r += (160.0 * std::sin(y / 12.0 * kPi) + 320.0 * std::sin(y * kPi / 30.0)) * 2.0 / 3.0;
  return r;
}

double transform_lon(double x, double y) {
  double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(x * kPi) + 40.0 * std::sin(x / 3.0 * kPi)) * 2.0 / 3.0;
  r += (150.0 * std::sin(x / 12.0 * kPi) + 300.0 * std::sin(x / 30.0 * kPi)) * 2.0 / 3.0;
  return r;
}

// The GCJ-02 offset (degrees) at a WGS84 position inside the box.
glm::dvec2 delta(glm::dvec2 lonlat) {
  const double x = lonlat.x - 105.0, y = lonlat.y - 35.0;
  double dlat = transform_lat(x, y);
  double dlon = transform_lon(x, y);
  const double rad_lat = lonlat.y / 180.0 * kPi;
  const double s = std::sin(rad_lat);
  const double magic = 1.0 - kEE * s * s;
  const double sqrt_magic = std::sqrt(magic);
  // Meridian radius a(1-e²)/W³ and prime-vertical radius a/W turn the series into degrees.
  dlat = (dlat * 180.0) / ((kA * (1.0 - kEE)) / (magic * sqrt_magic) * kPi);
  dlon = (dlon * 180.0) / (kA / sqrt_magic * std::cos(rad_lat) * kPi);
  return {dlon, dlat};
}

}  // namespace

bool gcj02_applies(glm::dvec2 lonlat) {
  return lonlat.x >= kMinLon && lonlat.x <= kMaxLon && lonlat.y >= kMinLat && lonlat.y <= kMaxLat;
}

glm::dvec2 wgs84_to_gcj02(glm::dvec2 lonlat) {
  if (!gcj02_applies(lonlat)) return lonlat;
  return lonlat + delta(lonlat);
}

glm::dvec2 gcj02_to_wgs84(glm::dvec2 lonlat) {
  if (!gcj02_applies(lonlat)) return lonlat;
  // Fixed-point iteration w <- w - (F(w) - g), starting from g itself. The offset varies slowly
  // (its Jacobian is close to zero), so this converges quickly to the exact inverse of the
  // forward algorithm, which the usual one-step "g - delta(g)" approximation (1-2 m off) does not.
  glm::dvec2 w = lonlat;
  for (int i = 0; i < kMaxInverseIterations; ++i) {
    const glm::dvec2 err = wgs84_to_gcj02(w) - lonlat;
    if (!std::isfinite(err.x) || !std::isfinite(err.y)) break;
    w -= err;
    if (std::abs(err.x) < kInverseTolerance && std::abs(err.y) < kInverseTolerance) break;
  }
  return w;
}

}  // namespace parktwin::gis
