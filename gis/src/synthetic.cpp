#include "parktwin/gis/synthetic.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace parktwin::gis {

namespace {

/// splitmix64: small, fast and identical on every platform.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double range(double lo, double hi) { return lo + (hi - lo) * unit(); }
  int range_int(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1)); }

 private:
  uint64_t s_;
};

/// Plot size of the layout grid (metres); every footprint fits in a plot with a street around it.
constexpr double kPlot = 100.0;

Ring rect(double x0, double y0, double x1, double y1) { return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}; }

/// Rotates by `angle` about the origin and translates by `at`.
void place(Ring& r, double angle, glm::dvec2 at) {
  const double c = std::cos(angle), s = std::sin(angle);
  for (glm::dvec2& p : r) p = glm::dvec2{c * p.x - s * p.y, s * p.x + c * p.y} + at;
}

/// An axis-aligned rectangle of half-sizes (a, b) with corners rounded by radius `rad`, `seg`
/// arc segments per corner (seg + 1 points per corner).
Ring rounded_rect(double a, double b, double rad, int seg) {
  Ring r;
  r.reserve(static_cast<size_t>(4 * (seg + 1)));
  const glm::dvec2 centres[4] = {{a - rad, -b + rad}, {a - rad, b - rad}, {-a + rad, b - rad}, {-a + rad, -b + rad}};
  for (int c = 0; c < 4; ++c) {
    const double start = (c - 1) * std::numbers::pi / 2;
    for (int k = 0; k <= seg; ++k) {
      const double t = start + (std::numbers::pi / 2) * k / seg;
      r.push_back(centres[c] + rad * glm::dvec2{std::cos(t), std::sin(t)});
    }
  }
  return r;
}

Polygon make_footprint(SplitMix64& rng) {
  Polygon p;
  const double w = rng.range(14.0, 70.0), d = rng.range(12.0, 60.0);
  const double hw = w / 2, hd = d / 2;
  double angle = 0.0;
  const double pick = rng.unit();
  if (pick < 0.28) {  // plain rectangle
    p.outer = rect(-hw, -hd, hw, hd);
  } else if (pick < 0.43) {  // rotated rectangle
    p.outer = rect(-hw, -hd, hw, hd);
    angle = rng.range(0.0, std::numbers::pi);
  } else if (pick < 0.58) {  // L: a rectangle with one quadrant cut away
    const double cx = rng.range(-0.3, 0.3) * w, cy = rng.range(-0.3, 0.3) * d;
    p.outer = {{-hw, -hd}, {hw, -hd}, {hw, cy}, {cx, cy}, {cx, hd}, {-hw, hd}};
    angle = rng.unit() < 0.5 ? 0.0 : rng.range(0.0, 2 * std::numbers::pi);
  } else if (pick < 0.66) {  // T: a bar on top of a stem
    const double sw = rng.range(0.2, 0.45) * w, bar = rng.range(0.25, 0.5) * d;
    p.outer = {{-sw / 2, -hd}, {sw / 2, -hd}, {sw / 2, hd - bar}, {hw, hd - bar},
               {hw, hd},       {-hw, hd},     {-hw, hd - bar},    {-sw / 2, hd - bar}};
    angle = rng.unit() < 0.5 ? 0.0 : rng.range(0.0, 2 * std::numbers::pi);
  } else if (pick < 0.74) {  // U: two wings joined at the bottom
    const double wing = rng.range(0.2, 0.35) * w, base = rng.range(0.25, 0.5) * d;
    p.outer = {{-hw, -hd}, {hw, -hd},           {hw, hd},           {hw - wing, hd},
               {hw - wing, -hd + base}, {-hw + wing, -hd + base}, {-hw + wing, hd}, {-hw, hd}};
    angle = rng.unit() < 0.5 ? 0.0 : rng.range(0.0, 2 * std::numbers::pi);
  } else if (pick < 0.84) {  // courtyard block
    const double t = rng.range(5.0, std::min(hw, hd) * 0.6);
    p.outer = rect(-hw, -hd, hw, hd);
    p.holes.push_back(rect(-hw + t, -hd + t, hw - t, hd - t));
    angle = rng.unit() < 0.7 ? 0.0 : rng.range(0.0, std::numbers::pi);
  } else if (pick < 0.88) {  // two courtyards side by side
    const double t = rng.range(4.0, std::min(hw / 2, hd) * 0.5);
    p.outer = rect(-hw, -hd, hw, hd);
    p.holes.push_back(rect(-hw + t, -hd + t, -t / 2, hd - t));
    p.holes.push_back(rect(t / 2, -hd + t, hw - t, hd - t));
    angle = rng.unit() < 0.7 ? 0.0 : rng.range(0.0, std::numbers::pi);
  } else {  // rounded corners, 12 to 40 vertices
    const int seg = rng.range_int(2, 9);
    p.outer = rounded_rect(hw, hd, rng.range(0.15, 0.45) * std::min(hw, hd), seg);
    angle = rng.unit() < 0.5 ? 0.0 : rng.range(0.0, std::numbers::pi);
  }
  // Holes run clockwise; the shapes above build every ring counter-clockwise.
  for (Ring& h : p.holes) std::reverse(h.begin(), h.end());
  place(p.outer, angle, {});
  for (Ring& h : p.holes) place(h, angle, {});
  return p;
}

}  // namespace

std::vector<Polygon> synthetic_footprints(size_t n, uint64_t seed, glm::dvec2 origin) {
  SplitMix64 rng(seed);
  std::vector<Polygon> out;
  out.reserve(n);
  const auto cols = static_cast<size_t>(std::ceil(std::sqrt(static_cast<double>(n))));
  const double half = 0.5 * kPlot * static_cast<double>(cols);
  for (size_t k = 0; k < n; ++k) {
    Polygon p = make_footprint(rng);
    // Plot centre plus a small jitter that keeps the footprint (at most ~46 m from its centre) inside.
    const glm::dvec2 at = origin +
                          glm::dvec2{(static_cast<double>(k % cols) + 0.5) * kPlot - half,
                                     (static_cast<double>(k / cols) + 0.5) * kPlot - half} +
                          glm::dvec2{rng.range(-2.0, 2.0), rng.range(-2.0, 2.0)};
    for (glm::dvec2& q : p.outer) q += at;
    for (Ring& h : p.holes)
      for (glm::dvec2& q : h) q += at;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace parktwin::gis
