// count_crossings against shapes whose crossings are known by construction: a regular star polygon
// {n/m} (n points on a circle, each joined to the m-th next) has n(m-1) crossings.
#include <gtest/gtest.h>

#include <cmath>

#include "parktwin/gis/geometry.h"

namespace parktwin::gis {
namespace {

Ring star(int n, int m, glm::dvec2 c = {0.0, 0.0}, double r = 100.0) {
  Ring ring;
  const double pi = std::acos(-1.0);
  for (int k = 0; k < n; ++k) {
    const double a = 2.0 * pi * static_cast<double>((k * m) % n) / n + 0.1;  // no vertical edges
    ring.push_back(c + r * glm::dvec2(std::cos(a), std::sin(a)));
  }
  return ring;
}

TEST(Crossings, StarPolygonsHaveNTimesMMinusOne) {
  for (auto [n, m] : {std::pair{5, 2}, {7, 2}, {7, 3}, {11, 4}, {13, 5}, {101, 50}}) {
    const CrossingCount c = count_crossings(Polygon{star(n, m), {}}, 1'000'000, 1'000'000'000);
    EXPECT_TRUE(c.complete);
    EXPECT_EQ(c.crossings, static_cast<size_t>(n * (m - 1))) << "{" << n << "/" << m << "}";
  }
}

TEST(Crossings, SimpleShapesBowTieAndHoles) {
  const Ring square = {{0, 0}, {10, 0}, {10, 10}, {0, 10}};
  EXPECT_EQ(count_crossings(Polygon{square, {}}, 10, 1000).crossings, 0u);
  const Ring bowtie = {{0, 0}, {10, 10}, {10, 0}, {0, 10}};
  EXPECT_EQ(count_crossings(Polygon{bowtie, {}}, 10, 1000).crossings, 1u);
  // A hole poking out through the right side of the shell: its top and bottom edges cross it.
  const Ring hole = {{5, 4}, {15, 4}, {15, 6}, {5, 6}};
  EXPECT_EQ(count_crossings(Polygon{square, {hole}}, 10, 1000).crossings, 2u);
  // A convex regular polygon of many points: none.
  EXPECT_EQ(count_crossings(Polygon{star(1000, 1), {}}, 10, 100'000'000).crossings, 0u);
}

TEST(Crossings, StopsAtTheCapAndTheWorkBudget) {
  const Polygon big{star(2001, 1000), {}};  // 2001 * 999 crossings
  const CrossingCount capped = count_crossings(big, 1000, 1'000'000'000);
  EXPECT_FALSE(capped.complete);
  EXPECT_EQ(capped.crossings, 1001u);
  // With a tiny work budget it stops before finding them all, and says so.
  const CrossingCount tired = count_crossings(Polygon{star(101, 50), {}}, 1'000'000, 100);
  EXPECT_FALSE(tired.complete);
  EXPECT_LT(tired.crossings, 101u * 49u);
}

}  // namespace
}  // namespace parktwin::gis
