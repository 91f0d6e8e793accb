// Triangulation checked by invariants: triangle count, area, orientation, holes left empty, and
// degenerate input that must neither crash nor hang.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "parktwin/gis/synthetic.h"
#include "parktwin/gis/triangulate.h"

using namespace parktwin::gis;

namespace {

Ring square(double x0, double y0, double size, bool ccw = true) {
  Ring r{{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size}};
  if (!ccw) std::reverse(r.begin(), r.end());
  return r;
}

Ring circle(glm::dvec2 c, double radius, int n, bool ccw = true) {
  Ring r;
  for (int k = 0; k < n; ++k) {
    const double t = 2 * std::numbers::pi * k / n * (ccw ? 1 : -1);
    r.push_back(c + radius * glm::dvec2{std::cos(t), std::sin(t)});
  }
  return r;
}

size_t vertex_count(const Polygon& p) {
  size_t n = p.outer.size();
  for (const Ring& h : p.holes) n += h.size();
  return n;
}

struct Triangulated {
  std::vector<glm::dvec2> pts;
  std::vector<uint32_t> idx;
  uint32_t count = 0;
};

Triangulated run(const Polygon& p) {
  Triangulator tri;
  Triangulated t;
  t.count = tri.triangulate(p, t.pts, t.idx);
  return t;
}

/// Every triangle counter-clockwise (non-negative area, relative to its first vertex) and every
/// index in range.
void expect_ccw(const Triangulated& t) {
  ASSERT_EQ(t.idx.size(), 3u * t.count);
  for (size_t k = 0; k < t.idx.size(); k += 3) {
    ASSERT_LT(t.idx[k], t.pts.size());
    ASSERT_LT(t.idx[k + 1], t.pts.size());
    ASSERT_LT(t.idx[k + 2], t.pts.size());
    const glm::dvec2 a = t.pts[t.idx[k]], b = t.pts[t.idx[k + 1]] - a, c = t.pts[t.idx[k + 2]] - a;
    EXPECT_GE(b.x * c.y - b.y * c.x, 0.0) << "triangle " << k / 3;
  }
}

double triangle_area(glm::dvec2 a, glm::dvec2 b, glm::dvec2 c) {
  return 0.5 * std::abs((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x));
}

/// The full set of invariants for a valid polygon. With `general_position` false (vertices of
/// different rings aligned, so a bridge may run along an edge and its collinear ends get dropped)
/// the triangle count may be lower than n - 2 + 2h.
void expect_exact(const Polygon& p, bool general_position = true) {
  const Triangulated t = run(p);
  const size_t full = vertex_count(p) - 2 + 2 * p.holes.size();
  if (general_position) {
    EXPECT_EQ(t.count, full);
  } else {
    EXPECT_LE(t.count, full);
  }
  expect_ccw(t);
  const double area = polygon_area(p);
  EXPECT_NEAR(triangles_area(t.pts, t.idx), area, 1e-6 * area);
  for (size_t k = 0; k < t.idx.size(); k += 3) {
    const glm::dvec2 a = t.pts[t.idx[k]], b = t.pts[t.idx[k + 1]], d = t.pts[t.idx[k + 2]];
    if (triangle_area(a, b, d) < 1e-9 * area) continue;  // a sliver along a bridge: centroid on an edge
    const glm::dvec2 c = (a + b + d) / 3.0;
    for (const Ring& h : p.holes) {
      Polygon hole{h, {}};
      EXPECT_FALSE(polygon_contains(hole, c)) << "triangle " << k / 3 << " lies in a hole";
    }
  }
}

}  // namespace

TEST(Triangulate, Square) {
  const Polygon p{square(0, 0, 10), {}};
  const Triangulated t = run(p);
  EXPECT_EQ(t.count, 2u);
  EXPECT_DOUBLE_EQ(triangles_area(t.pts, t.idx), 100.0);
  expect_exact(p);
}

TEST(Triangulate, ClockwiseInputGivesCounterClockwiseTriangles) {
  expect_exact(Polygon{square(0, 0, 10, false), {}});
}

TEST(Triangulate, ConcaveShapes) {
  // L, U, comb and a star.
  expect_exact(Polygon{{{0, 0}, {10, 0}, {10, 4}, {4, 4}, {4, 10}, {0, 10}}, {}});
  expect_exact(Polygon{{{0, 0}, {30, 0}, {30, 20}, {22, 20}, {22, 6}, {8, 6}, {8, 20}, {0, 20}}, {}});
  Ring comb{{0, 0}, {50, 0}, {50, 5}};
  for (int j = 9; j >= 0; --j) {
    comb.push_back({j * 5 + 2.5, 5});
    comb.push_back({j * 5 + 2.5, 20});
    comb.push_back({j * 5.0, 20});
    comb.push_back({j * 5.0, 5});
  }
  comb.pop_back();  // (0, 5) would be collinear with (0, 20) and (0, 0)
  expect_exact(Polygon{comb, {}});
  Ring star;
  for (int k = 0; k < 24; ++k) {
    const double t = 2 * std::numbers::pi * k / 24, r = k % 2 ? 3.0 : 10.0;
    star.push_back({r * std::cos(t), r * std::sin(t)});
  }
  expect_exact(Polygon{star, {}});
}

TEST(Triangulate, OneHole) { expect_exact(Polygon{square(0, 0, 10), {square(3, 3, 4, false)}}); }

TEST(Triangulate, HoleOrientationDoesNotMatter) { expect_exact(Polygon{square(0, 0, 10), {square(3, 3, 4, true)}}); }

TEST(Triangulate, SeveralHoles) {
  Polygon p{square(0, 0, 100), {}};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j)
      p.holes.push_back(square(5 + i * 19 + 0.1 * j, 5 + j * 24 + 0.37 * i, 10 + (i + j) % 3 + 0.01 * j, false));
  p.holes.push_back(circle({50, 97}, 1.5, 9, false));
  expect_exact(p);
}

TEST(Triangulate, AlignedHoles) {
  // Rows and columns of holes sharing coordinates: bridges run along hole edges.
  Polygon p{square(0, 0, 100), {}};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j) p.holes.push_back(square(5 + i * 19, 5 + j * 24, 10, false));
  expect_exact(p, false);
}

TEST(Triangulate, MultiPolygonIntoOneBuffer) {
  // Parts of a multipolygon triangulated one after the other into shared buffers.
  Triangulator tri;
  std::vector<glm::dvec2> pts;
  std::vector<uint32_t> idx;
  const Polygon parts[] = {{square(0, 0, 10), {}},
                           {square(20, 0, 10), {square(23, 3, 4, false)}},
                           {{{40, 0}, {50, 0}, {50, 4}, {44, 4}, {44, 10}, {40, 10}}, {}}};
  double area = 0.0;
  for (const Polygon& p : parts) {
    const size_t base = pts.size(), first = idx.size();
    const uint32_t n = tri.triangulate(p, pts, idx);
    EXPECT_EQ(n, vertex_count(p) - 2 + 2 * p.holes.size());
    for (size_t k = first; k < idx.size(); ++k) idx[k] += static_cast<uint32_t>(base);
    area += polygon_area(p);
  }
  EXPECT_NEAR(triangles_area(pts, idx), area, 1e-9 * area);
}

TEST(Triangulate, FlatPointsAndRingStarts) {
  const std::vector<glm::dvec2> pts{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {4, 4}, {4, 6}, {6, 6}, {6, 4}};
  const std::vector<uint32_t> starts{0, 4};
  Triangulator tri;
  std::vector<uint32_t> idx;
  EXPECT_EQ(tri.triangulate(pts, starts, idx), 8u);
  EXPECT_NEAR(triangles_area(pts, idx), 96.0, 1e-12);
}

TEST(Triangulate, SyntheticFootprints) {
  const auto fps = synthetic_footprints(5000, 42);
  Triangulator tri;
  std::vector<glm::dvec2> pts;
  std::vector<uint32_t> idx;
  size_t vertices = 0;
  for (size_t k = 0; k < fps.size(); ++k) {
    const Polygon& p = fps[k];
    pts.clear();
    idx.clear();
    const uint32_t n = tri.triangulate(p, pts, idx);
    ASSERT_LE(n, vertex_count(p) - 2 + 2 * p.holes.size()) << "footprint " << k;
    if (p.holes.empty()) {
      ASSERT_EQ(n, vertex_count(p) - 2) << "footprint " << k;
    }
    const double area = polygon_area(p);
    ASSERT_NEAR(triangles_area(pts, idx), area, 1e-6 * area) << "footprint " << k;
    vertices += vertex_count(p);
  }
  const double mean = static_cast<double>(vertices) / static_cast<double>(fps.size());
  EXPECT_GE(mean, 7.5);
  EXPECT_LE(mean, 10.5);
}

TEST(Triangulate, SyntheticFootprintsAreDeterministic) {
  const auto a = synthetic_footprints(300, 7), b = synthetic_footprints(300, 7), c = synthetic_footprints(300, 8);
  ASSERT_EQ(a.size(), 300u);
  bool differs = false;
  for (size_t k = 0; k < a.size(); ++k) {
    ASSERT_EQ(a[k].outer, b[k].outer);
    ASSERT_EQ(a[k].holes.size(), b[k].holes.size());
    differs |= a[k].outer != c[k].outer;
    EXPECT_GT(ring_signed_area(a[k].outer), 0.0);
    for (const Ring& h : a[k].holes) EXPECT_LT(ring_signed_area(h), 0.0);
  }
  EXPECT_TRUE(differs);
}

TEST(Triangulate, LargeCircleWithHole) {
  // Over the hashing threshold: exercises the z-order path.
  expect_exact(Polygon{circle({0, 0}, 100, 1000), {circle({10, -5}, 30, 200, false)}});
}

TEST(Triangulate, LargeConcaveRing) {
  // A 2000-vertex saw-tooth ring (many reflex vertices) through the hashed path.
  Ring r;
  for (int k = 0; k <= 1000; ++k) r.push_back({k * 1.0, (k % 2) ? 3.0 : 0.0});
  for (int k = 1000; k >= 0; --k) r.push_back({k * 1.0, (k % 2) ? 7.0 : 10.0});
  expect_exact(Polygon{r, {}});
}

TEST(Triangulate, FarFromOrigin) {
  const glm::dvec2 off{3.2e5, 2.9e5};
  Polygon p{square(off.x, off.y, 20), {square(off.x + 5, off.y + 5, 3, false), square(off.x + 12, off.y + 4, 2, false)}};
  expect_exact(p);
  expect_exact(Polygon{circle(off, 50, 1000), {circle(off + glm::dvec2{5, 5}, 10, 100, false)}});
  for (const Polygon& f : synthetic_footprints(500, 3, off)) expect_exact(f, f.holes.empty());
}

TEST(Triangulate, FewerThanThreePoints) {
  Triangulator tri;
  std::vector<glm::dvec2> pts;
  std::vector<uint32_t> idx;
  EXPECT_EQ(tri.triangulate(Polygon{}, pts, idx), 0u);
  EXPECT_EQ(tri.triangulate(Polygon{{{1, 1}}, {}}, pts, idx), 0u);
  EXPECT_EQ(tri.triangulate(Polygon{{{1, 1}, {2, 2}}, {}}, pts, idx), 0u);
  EXPECT_TRUE(idx.empty());
}

TEST(Triangulate, CollinearAndZeroArea) {
  EXPECT_EQ(run(Polygon{{{0, 0}, {1, 1}, {2, 2}, {3, 3}}, {}}).count, 0u);
  EXPECT_EQ(run(Polygon{{{5, 5}, {5, 5}, {5, 5}}, {}}).count, 0u);
  EXPECT_EQ(run(Polygon{{{0, 0}, {10, 0}, {5, 0}}, {}}).count, 0u);
}

TEST(Triangulate, NotFiniteCoordinates) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(run(Polygon{{{0, 0}, {10, 0}, {nan, 10}, {0, 10}}, {}}).count, 0u);
  EXPECT_EQ(run(Polygon{{{0, 0}, {inf, 0}, {10, 10}}, {}}).count, 0u);
  EXPECT_EQ(run(Polygon{square(0, 0, 10), {{{2, 2}, {nan, nan}, {3, 3}}}}).count, 0u);
}

TEST(Triangulate, DuplicatePoints) {
  const Polygon p{{{0, 0}, {0, 0}, {10, 0}, {10, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 10}, {0, 0}}, {}};
  const Triangulated t = run(p);
  EXPECT_EQ(t.count, 2u);
  expect_ccw(t);
  EXPECT_NEAR(triangles_area(t.pts, t.idx), 100.0, 1e-9);
}

TEST(Triangulate, CollinearPointsOnEdges) {
  const Polygon p{{{0, 0}, {5, 0}, {10, 0}, {10, 5}, {10, 10}, {5, 10}, {0, 10}, {0, 5}}, {}};
  const Triangulated t = run(p);
  expect_ccw(t);
  EXPECT_NEAR(triangles_area(t.pts, t.idx), 100.0, 1e-9);
}

TEST(Triangulate, SelfIntersectingBowTie) {
  const Triangulated t = run(Polygon{{{0, 0}, {10, 10}, {10, 0}, {0, 10}}, {}});
  EXPECT_LE(t.count, 2u);
  ASSERT_EQ(t.idx.size(), 3u * t.count);
  // Whatever comes out stays within the bounding box and covers at most the two lobes.
  EXPECT_LE(triangles_area(t.pts, t.idx), 50.0 + 1e-9);
}

TEST(Triangulate, ConvexRingsAndWindingTwice) {
  // A convex ring (fan path) and a pentagram: every turn is to the left, but it winds twice, so
  // it must not be taken for convex.
  expect_exact(Polygon{circle({3, 4}, 10, 40), {}});
  Ring pentagram;
  for (int k = 0; k < 5; ++k) {
    const double t = 2 * std::numbers::pi * (2 * k) / 5;
    pentagram.push_back({10 * std::cos(t), 10 * std::sin(t)});
  }
  const Triangulated t = run(Polygon{pentagram, {}});
  ASSERT_EQ(t.idx.size(), 3u * t.count);
  EXPECT_LT(triangles_area(t.pts, t.idx), 2.0 * 3.1416 * 100.0);
}

TEST(Triangulate, GarbageNeverHangs) {
  // Random point soups, spikes and holes outside the outer ring: only termination and sane
  // indices are required.
  uint64_t s = 12345;
  auto rnd = [&s] {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 40) / static_cast<double>(1ull << 24);
  };
  Triangulator tri;
  for (int iter = 0; iter < 300; ++iter) {
    Polygon p;
    const int n = 3 + iter % 60;
    for (int k = 0; k < n; ++k) p.outer.push_back({std::floor(rnd() * 10), std::floor(rnd() * 10)});
    if (iter % 3 == 0) p.holes.push_back({{rnd() * 20 - 5, rnd() * 20 - 5}, {rnd() * 20, rnd() * 20}, {rnd() * 10, 15}});
    if (iter % 5 == 0) p.holes.push_back(p.outer);
    std::vector<glm::dvec2> pts;
    std::vector<uint32_t> idx;
    const uint32_t count = tri.triangulate(p, pts, idx);
    ASSERT_EQ(idx.size(), 3u * count);
    for (const uint32_t i : idx) ASSERT_LT(i, pts.size());
  }
}

TEST(Triangulate, HoleTouchingOuterRing) {
  // The hole shares a vertex with the outer ring.
  const Polygon p{square(0, 0, 10), {{{0, 5}, {3, 3}, {3, 7}}}};
  const Triangulated t = run(p);
  expect_ccw(t);
  EXPECT_NEAR(triangles_area(t.pts, t.idx), polygon_area(p), 1e-9);
}

TEST(Triangulate, ScratchIsReused) {
  Triangulator tri;
  std::vector<glm::dvec2> pts;
  std::vector<uint32_t> idx;
  const Polygon big{circle({0, 0}, 10, 500), {}}, small{square(0, 0, 1), {}};
  EXPECT_EQ(tri.triangulate(big, pts, idx), 498u);
  pts.clear();
  idx.clear();
  EXPECT_EQ(tri.triangulate(small, pts, idx), 2u);
  EXPECT_EQ(idx.size(), 6u);
}
