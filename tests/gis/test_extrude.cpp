// Extrusion and flat meshes checked by invariants: counts, building index, top flags, outward
// wall normals, roof area, valid edge lines, precision far from the origin, ribbon areas.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

#include <glm/geometric.hpp>

#include "parktwin/gis/extrude.h"
#include "parktwin/gis/synthetic.h"

using namespace parktwin::gis;

namespace {

Ring rect(double x0, double y0, double x1, double y1) { return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}; }

template <typename V>
double mesh_area(const Mesh<V>& m, size_t first_index = 0) {
  double a = 0.0;
  for (size_t k = first_index; k + 2 < m.indices.size(); k += 3) {
    const V &p = m.vertices[m.indices[k]], &q = m.vertices[m.indices[k + 1]], &r = m.vertices[m.indices[k + 2]];
    a += 0.5 * ((double(q.x) - p.x) * (double(r.y) - p.y) - (double(q.y) - p.y) * (double(r.x) - p.x));
  }
  return a;
}

/// Roof area (signed, from the triangles whose three vertices are roof vertices).
double roof_area(const BuildingMesh& m, size_t first_index = 0) {
  double a = 0.0;
  for (size_t k = first_index; k + 2 < m.indices.size(); k += 3) {
    const BuildingVertex &p = m.vertices[m.indices[k]], &q = m.vertices[m.indices[k + 1]], &r = m.vertices[m.indices[k + 2]];
    const bool roof = p.roof() && q.roof() && r.roof();
    if (roof) a += 0.5 * ((double(q.x) - p.x) * (double(r.y) - p.y) - (double(q.y) - p.y) * (double(r.x) - p.x));
  }
  return a;
}

size_t vertex_count(const Polygon& p) {
  size_t n = p.outer.size();
  for (const Ring& h : p.holes) n += h.size();
  return n;
}

}  // namespace

TEST(Extrude, BoxCounts) {
  BuildingMesh m;
  Extruder ex;
  ASSERT_TRUE(ex.add(Polygon{rect(0, 0, 10, 20), {}}, 7, m));
  EXPECT_EQ(ex.input_vertices(), 4u);
  EXPECT_EQ(m.vertices.size(), 4u + 16u);       // roof + 4 per wall
  EXPECT_EQ(m.indices.size(), 3u * (2 + 8));     // 2 roof + 2 per wall
  EXPECT_EQ(m.edge_indices.size(), 2u * (4 + 4));  // 4 roof edges + 4 corners
  size_t tops = 0;
  for (const BuildingVertex& v : m.vertices) {
    EXPECT_EQ(v.building, 7u);
    EXPECT_TRUE(v.top == 0.0f || v.top == 1.0f);
    tops += v.top == 1.0f;
  }
  EXPECT_EQ(tops, 4u + 8u);  // roof + upper wall corners
  EXPECT_NEAR(roof_area(m), 200.0, 1e-9);
  for (const uint32_t i : m.indices) EXPECT_LT(i, m.vertices.size());
}

TEST(Extrude, WallsFaceOutwardAndAreCounterClockwiseFromOutside) {
  BuildingMesh m;
  Extruder ex;
  // Given clockwise: the extruder turns it counter-clockwise.
  Ring r = rect(-5, -3, 5, 3);
  std::reverse(r.begin(), r.end());
  ASSERT_TRUE(ex.add(Polygon{r, {}}, 0, m));
  for (const BuildingVertex& v : m.vertices) {
    if (v.roof()) continue;
    const glm::vec2 n = v.normal();
    EXPECT_NEAR(std::hypot(n.x, n.y), 1.0f, 1e-4f);
    EXPECT_GT(n.x * v.x + n.y * v.y, 0.0f);  // centroid at the origin
  }
  // Each wall triangle, lifted to 3D with height = top, has its normal along the wall normal.
  for (size_t k = 0; k < m.indices.size(); k += 3) {
    const BuildingVertex &a = m.vertices[m.indices[k]], &b = m.vertices[m.indices[k + 1]], &c = m.vertices[m.indices[k + 2]];
    if (a.roof()) {
      EXPECT_GT((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x), 0.0f);  // roof: CCW from above
      continue;
    }
    const float ux = b.x - a.x, uy = b.y - a.y, uz = b.top - a.top;
    const float vx = c.x - a.x, vy = c.y - a.y, vz = c.top - a.top;
    const float nx = uy * vz - uz * vy, ny = uz * vx - ux * vz;
    EXPECT_GT(nx * a.normal().x + ny * a.normal().y, 0.0f);
  }
}

TEST(Extrude, WallsOfConvexShapesFaceAwayFromCentroid) {
  BuildingMesh m;
  Extruder ex;
  Ring circle;
  for (int k = 0; k < 37; ++k) {
    const double t = 2 * std::numbers::pi * k / 37;
    circle.push_back({100 + 8 * std::cos(t), 50 + 8 * std::sin(t)});
  }
  m.origin = {100, 50};
  ASSERT_TRUE(ex.add(Polygon{circle, {}}, 3, m));
  for (const BuildingVertex& v : m.vertices)
    if (!v.roof()) {
      EXPECT_GT(v.normal().x * v.x + v.normal().y * v.y, 0.0f);
    }
  // Every ring edge has an outline; a 10-degree turn per vertex gives no vertical lines.
  EXPECT_EQ(m.edge_indices.size(), 2u * 37u);
  EXPECT_NEAR(roof_area(m), polygon_area(Polygon{circle, {}}), 1e-3);
}

TEST(Extrude, HoleWallsFaceIntoTheCourtyard) {
  BuildingMesh m;
  Extruder ex;
  const Polygon p{rect(0, 0, 30, 30), {rect(10, 10, 20, 20)}};  // hole given counter-clockwise
  ASSERT_TRUE(ex.add(p, 1, m));
  EXPECT_EQ(m.vertices.size(), 5u * 8u);
  EXPECT_EQ(m.indices.size(), 3u * (8 - 2 + 2 + 2 * 8));
  EXPECT_NEAR(roof_area(m), 800.0, 1e-6);
  for (const BuildingVertex& v : m.vertices) {
    if (v.roof()) continue;
    const glm::dvec2 from_centre{v.x - 15.0, v.y - 15.0};
    const bool on_hole = std::abs(from_centre.x) <= 5.0 + 1e-6 && std::abs(from_centre.y) <= 5.0 + 1e-6;
    const double d = glm::dot(glm::dvec2(v.normal()), from_centre);
    if (on_hole) {
      EXPECT_LT(d, 0.0);  // towards the courtyard centre
    } else {
      EXPECT_GT(d, 0.0);
    }
  }
}

TEST(Extrude, WallNormalsAreStoredToSixteenBitPrecision) {
  // A 37-gon far from the origin: every wall's stored normal (16-bit) against the direction of the
  // wall's own edge, taken from its footprint in double precision.
  BuildingMesh m;
  Extruder ex;
  Ring ring;
  for (int k = 0; k < 37; ++k) {
    const double t = 2 * std::numbers::pi * k / 37 + 0.1;
    ring.push_back({5000 + 11 * std::cos(t), -3000 + 11 * std::sin(t)});
  }
  ASSERT_TRUE(ex.add(Polygon{ring, {}}, 0, m));
  size_t walls = 0;
  double worst = 0.0;
  for (size_t k = 0; k < ring.size(); ++k) {
    const glm::dvec2 d = ring[(k + 1) % ring.size()] - ring[k];
    const glm::dvec2 want = glm::normalize(glm::dvec2(d.y, -d.x));  // outward of a CCW ring
    for (const BuildingVertex& v : m.vertices) {
      if (v.roof() || v.top != 0.0f) continue;
      const glm::dvec2 p = glm::dvec2(v.x, v.y) + m.origin;
      if (glm::length(p - ring[k]) > 1e-3) continue;  // the bottom-left vertex of wall k
      const glm::vec2 got = v.normal();
      if (glm::dot(glm::dvec2(got), want) < 0.9999) continue;  // not the wall ending here (10 degrees off)
      worst = std::max(worst, glm::length(glm::dvec2(got) - want));
      ++walls;
    }
  }
  EXPECT_EQ(walls, ring.size());
  EXPECT_LT(worst, 5e-5);
}

TEST(Extrude, EdgeLinesAreValidPairs) {
  BuildingMesh m;
  Extruder ex;
  const auto fps = synthetic_footprints(500, 11);
  for (size_t k = 0; k < fps.size(); ++k) ex.add(fps[k], static_cast<uint32_t>(k), m);
  ASSERT_EQ(m.edge_indices.size() % 2, 0u);
  for (size_t k = 0; k < m.edge_indices.size(); k += 2) {
    ASSERT_LT(m.edge_indices[k], m.vertices.size());
    ASSERT_LT(m.edge_indices[k + 1], m.vertices.size());
    const BuildingVertex &a = m.vertices[m.edge_indices[k]], &b = m.vertices[m.edge_indices[k + 1]];
    EXPECT_EQ(a.building, b.building);
    if (a.top == 1.0f && b.top == 1.0f) {
      EXPECT_TRUE(a.x != b.x || a.y != b.y);  // a roof outline segment
    } else {
      EXPECT_EQ(a.x, b.x);  // a vertical corner line
      EXPECT_EQ(a.y, b.y);
      EXPECT_NE(a.top, b.top);
    }
  }
}

TEST(Extrude, SyntheticFootprintsPerBuilding) {
  const auto fps = synthetic_footprints(3000, 99);
  BuildingMesh m;
  Extruder ex;
  uint64_t seen = 0;
  for (size_t k = 0; k < fps.size(); ++k) {
    const Polygon& p = fps[k];
    const size_t v0 = m.vertices.size(), i0 = m.indices.size();
    ASSERT_TRUE(ex.add(p, static_cast<uint32_t>(k), m));
    seen += vertex_count(p);
    const size_t n = vertex_count(p);  // synthetic rings have no repeated or collinear points
    ASSERT_EQ(m.vertices.size() - v0, 5 * n);
    const size_t tris = (m.indices.size() - i0) / 3;
    EXPECT_LE(tris, n - 2 + 2 * p.holes.size() + 2 * n);
    EXPECT_GE(tris, n - 2 + 2 * n);
    for (size_t j = v0; j < m.vertices.size(); ++j) ASSERT_EQ(m.vertices[j].building, k);
    for (size_t j = i0; j < m.indices.size(); ++j) ASSERT_GE(m.indices[j], v0);
    const double area = polygon_area(p);
    EXPECT_NEAR(roof_area(m, i0), area, 1e-4 * area) << "footprint " << k;
  }
  EXPECT_EQ(ex.input_vertices(), seen);
}

TEST(Extrude, PositionsRelativeToOriginFarAway) {
  const glm::dvec2 off{3.1e5, -2.7e5};
  BuildingMesh m;
  m.origin = off + glm::dvec2{500, 500};
  Extruder ex;
  const auto fps = synthetic_footprints(100, 5, off + glm::dvec2{500, 500});
  for (size_t k = 0; k < fps.size(); ++k) {
    const size_t v0 = m.vertices.size();
    ASSERT_TRUE(ex.add(fps[k], static_cast<uint32_t>(k), m));
    // The roof vertices are the footprint's points in order (outer then holes, orientation kept).
    const Polygon& p = fps[k];
    std::vector<glm::dvec2> pts(p.outer.begin(), p.outer.end());
    for (const Ring& h : p.holes) pts.insert(pts.end(), h.begin(), h.end());
    for (size_t j = 0; j < pts.size(); ++j) {
      const BuildingVertex& v = m.vertices[v0 + j];
      EXPECT_NEAR(v.x + m.origin.x, pts[j].x, 1e-3);
      EXPECT_NEAR(v.y + m.origin.y, pts[j].y, 1e-3);
    }
  }
}

TEST(Extrude, RepeatedAndCollinearPointsDropped) {
  BuildingMesh m;
  Extruder ex;
  const Polygon p{{{0, 0}, {0, 0}, {5, 0}, {10, 0}, {10, 10}, {10, 10}, {0, 10}, {0, 5}, {0, 0}}, {}};
  ASSERT_TRUE(ex.add(p, 0, m));
  EXPECT_EQ(m.vertices.size(), 5u * 4u);
  EXPECT_NEAR(roof_area(m), 100.0, 1e-9);
}

TEST(Extrude, DegenerateFootprints) {
  BuildingMesh m;
  Extruder ex;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(ex.add(Polygon{}, 0, m));
  EXPECT_FALSE(ex.add(Polygon{{{0, 0}, {1, 1}}, {}}, 0, m));
  EXPECT_FALSE(ex.add(Polygon{{{0, 0}, {1, 1}, {2, 2}, {3, 3}}, {}}, 0, m));
  EXPECT_FALSE(ex.add(Polygon{{{0, 0}, {1, 0}, {nan, 1}}, {}}, 0, m));
  EXPECT_TRUE(m.vertices.empty());
  EXPECT_TRUE(m.indices.empty());
  EXPECT_TRUE(m.edge_indices.empty());
  // A degenerate hole is dropped; the building stays.
  EXPECT_TRUE(ex.add(Polygon{rect(0, 0, 10, 10), {{{1, 1}, {2, 2}, {3, 3}}}}, 0, m));
  EXPECT_NEAR(roof_area(m), 100.0, 1e-9);
  // A bow-tie does not crash; whatever is appended is consistent.
  BuildingMesh b;
  ex.add(Polygon{{{0, 0}, {10, 10}, {10, 0}, {0, 10}}, {}}, 0, b);
  for (const uint32_t i : b.indices) EXPECT_LT(i, b.vertices.size());
}

TEST(Extrude, FillPolygon) {
  FlatMesh m;
  m.origin = {1000, 1000};
  Triangulator tri;
  ASSERT_TRUE(fill_polygon(Polygon{rect(1000, 1000, 1010, 1010), {rect(1002, 1002, 1004, 1004)}}, 0xff00ff00u, 9, m, tri));
  ASSERT_TRUE(fill_polygon(Polygon{rect(1020, 1000, 1030, 1005), {}}, 0xff0000ffu, 10, m, tri));
  EXPECT_EQ(m.vertices.size(), 12u);
  EXPECT_NEAR(mesh_area(m), 96.0 + 50.0, 1e-4);
  for (const FlatVertex& v : m.vertices) EXPECT_TRUE(v.feature == 9u || v.feature == 10u);
  EXPECT_EQ(m.vertices[0].rgba, 0xff00ff00u);
  EXPECT_FALSE(fill_polygon(Polygon{{{0, 0}, {1, 1}, {2, 2}}, {}}, 0, 0, m, tri));
}

TEST(Stroke, StraightLineArea) {
  FlatMesh m;
  stroke_line({{0, 0}, {10, 0}, {30, 0}}, 2.0, 0xffffffffu, 4, m);
  EXPECT_NEAR(mesh_area(m), 30.0 * 2.0, 1e-4);
  for (const FlatVertex& v : m.vertices) {
    EXPECT_EQ(v.feature, 4u);
    EXPECT_LE(std::abs(v.y), 1.0f + 1e-6f);
  }
}

TEST(Stroke, LShapeAreaWithMitre) {
  FlatMesh m;
  m.origin = {3e5, 3e5};
  const glm::dvec2 o = m.origin;
  stroke_line({o + glm::dvec2{0, 0}, o + glm::dvec2{20, 0}, o + glm::dvec2{20, 15}}, 3.0, 0, 0, m);
  // A mitred join covers exactly centre-line length times width.
  EXPECT_NEAR(mesh_area(m), 35.0 * 3.0, 1e-3);
  for (size_t k = 0; k < m.indices.size(); k += 3) {
    const FlatVertex &a = m.vertices[m.indices[k]], &b = m.vertices[m.indices[k + 1]], &c = m.vertices[m.indices[k + 2]];
    EXPECT_GE((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x), 0.0f);
  }
}

TEST(Stroke, SharpTurnIsBevelled) {
  FlatMesh m;
  // Nearly reversing: a mitre would reach far beyond 4 half-widths.
  stroke_line({{0, 0}, {20, 0}, {0, 1}}, 2.0, 0, 0, m);
  for (const FlatVertex& v : m.vertices) EXPECT_LE(std::hypot(v.x - 20.0f, v.y), 25.0f);
  for (const FlatVertex& v : m.vertices) EXPECT_LE(v.x, 21.0f + 1e-4f);
  for (size_t k = 0; k < m.indices.size(); k += 3) {
    const FlatVertex &a = m.vertices[m.indices[k]], &b = m.vertices[m.indices[k + 1]], &c = m.vertices[m.indices[k + 2]];
    EXPECT_GE((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x), -1e-4f);
  }
}

TEST(Stroke, SkipsZeroLengthSegmentsAndDegenerateLines) {
  FlatMesh m;
  stroke_line({{0, 0}, {0, 0}, {10, 0}, {10, 0}}, 1.0, 0, 0, m);
  EXPECT_NEAR(mesh_area(m), 10.0, 1e-5);
  FlatMesh e;
  stroke_line({{5, 5}, {5, 5}}, 1.0, 0, 0, e);
  stroke_line({}, 1.0, 0, 0, e);
  stroke_line({{0, 0}, {1, 0}}, 0.0, 0, 0, e);
  EXPECT_TRUE(e.vertices.empty());
  EXPECT_TRUE(e.indices.empty());
}
