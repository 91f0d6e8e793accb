// Snapping (engine/edit snap.h): preference order, the pixel tolerance scaling with zoom,
// perpendicular and parallel through the anchor, the grid. Expected points are written out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include <glm/geometric.hpp>

#include "parktwin/edit/snap.h"

namespace parktwin::edit {
namespace {

gis::LayerData square_layer() {
  // One 100 m square parcel (fid 7) at the origin and a triangle (fid 9) 1 km east.
  gis::LayerData d;
  d.name = "parcels";
  gis::Feature f;
  f.fid = 7;
  f.geom.kind = gis::GeomKind::Polygon;
  f.geom.polygons.push_back({{{0, 0}, {100, 0}, {100, 100}, {0, 100}}, {}});
  d.features.push_back(f);
  gis::Feature g;
  g.fid = 9;
  g.geom.kind = gis::GeomKind::Polygon;
  // A triangle whose first edge runs at 30 degrees; its other edges at 164 and 100 degrees.
  const glm::dvec2 p0(1000.0, 0.0);
  const glm::dvec2 p1 = p0 + 50.0 * glm::dvec2(std::cos(M_PI / 6), std::sin(M_PI / 6));
  const glm::dvec2 p2 = p0 + 40.0 * glm::dvec2(std::cos(M_PI * 100 / 180), std::sin(M_PI * 100 / 180));
  g.geom.polygons.push_back({{p0, p1, p2}, {}});
  d.features.push_back(g);
  return d;
}

SnapQuery query(glm::dvec2 cursor, double metres_per_pixel) {
  SnapQuery q;
  q.cursor = cursor;
  q.metres_per_pixel = metres_per_pixel;
  return q;
}

TEST(Snap, VertexBeatsEdgeWithinTolerance) {
  SnapIndex idx(20.0);
  idx.add_layer(0, square_layer());
  // 0.5 m per pixel: tolerance 6 m. The cursor is 3 m from the edge x=100 and 4 m from the corner
  // (100, 100): the vertex wins although the edge is nearer.
  SnapQuery q = query({97.5, 97.0}, 0.5);  // 2.5 m from the edge, hypot(2.5, 3) = 3.9 m from the corner
  const SnapResult r = snap(idx, q);
  EXPECT_EQ(r.kind, SnapKind::Vertex);
  EXPECT_EQ(r.fid, 7);
  EXPECT_EQ(r.index, 2);
  EXPECT_DOUBLE_EQ(r.point.x, 100.0);
  EXPECT_DOUBLE_EQ(r.point.y, 100.0);
  EXPECT_NEAR(r.distance_px, std::hypot(2.5, 3.0) / 0.5, 1e-9);
}

TEST(Snap, EdgeWhenNoVertexIsNear) {
  SnapIndex idx(20.0);
  idx.add_layer(0, square_layer());
  const SnapResult r = snap(idx, query({50.0, 3.0}, 0.5));  // 3 m above the bottom edge, 50 m from corners
  EXPECT_EQ(r.kind, SnapKind::Edge);
  EXPECT_EQ(r.fid, 7);
  EXPECT_EQ(r.index, 0);
  EXPECT_DOUBLE_EQ(r.point.x, 50.0);
  EXPECT_DOUBLE_EQ(r.point.y, 0.0);
}

TEST(Snap, ClosingEdgeVertexIsVertexZero) {
  SnapIndex idx(20.0);
  idx.add_layer(0, square_layer());
  const SnapResult r = snap(idx, query({1.0, -1.0}, 1.0));
  EXPECT_EQ(r.kind, SnapKind::Vertex);
  EXPECT_EQ(r.index, 0);
}

TEST(Snap, NothingBeyondTheTolerance_WhichScalesWithZoom) {
  SnapIndex idx(20.0);
  idx.add_layer(0, square_layer());
  // 8 m from the bottom edge. Zoomed in (0.5 m/px): 16 px away, beyond 12 px: nothing.
  SnapResult r = snap(idx, query({50.0, -8.0}, 0.5));
  EXPECT_EQ(r.kind, SnapKind::None);
  EXPECT_DOUBLE_EQ(r.point.x, 50.0);
  EXPECT_DOUBLE_EQ(r.point.y, -8.0);
  // Zoomed out (1 m/px): the same 8 m are 8 px: the edge.
  r = snap(idx, query({50.0, -8.0}, 1.0));
  EXPECT_EQ(r.kind, SnapKind::Edge);
  EXPECT_DOUBLE_EQ(r.point.y, 0.0);
  // A smaller tolerance in pixels.
  SnapOptions o;
  o.tolerance_px = 5.0;
  EXPECT_EQ(snap(idx, query({50.0, -8.0}, 1.0), o).kind, SnapKind::None);
}

TEST(Snap, SkippedFeaturesDoNotSnap) {
  SnapIndex idx(20.0);
  idx.add_layer(0, square_layer(), {7});
  EXPECT_EQ(snap(idx, query({50.0, 1.0}, 1.0)).kind, SnapKind::None);
}

TEST(Snap, PerpendicularThroughTheAnchor) {
  SnapIndex idx(20.0);
  idx.add_layer(0, square_layer());
  // Drawing near the triangle (edge 0 along 30 degrees). The cursor is near the line through the
  // anchor at 120 degrees (perpendicular to edge 0).
  const glm::dvec2 A(1060.0, 100.0);
  const glm::dvec2 n(std::cos(2 * M_PI / 3), std::sin(2 * M_PI / 3));
  const glm::dvec2 on = A + 60.0 * n;
  const glm::dvec2 u(std::cos(M_PI / 6), std::sin(M_PI / 6));
  SnapQuery q = query(on + 2.0 * u, 0.5);  // 2 m (4 px) off the perpendicular
  q.anchor = A;
  SnapOptions o;
  o.vertex = o.edge = false;  // keep the test about directions
  const SnapResult r = snap(idx, q, o);
  ASSERT_EQ(r.kind, SnapKind::Perpendicular);
  EXPECT_EQ(r.fid, 9);
  EXPECT_NEAR(r.point.x, on.x, 1e-9);
  EXPECT_NEAR(r.point.y, on.y, 1e-9);
  // The snapped direction makes a right angle with the reference edge.
  const glm::dvec2 dir = r.point - A, ref = r.ref_b - r.ref_a;
  EXPECT_NEAR(glm::dot(dir, ref) / glm::length(dir) / glm::length(ref), 0.0, 1e-12);
}

TEST(Snap, ParallelThroughTheAnchor) {
  SnapIndex idx(20.0);
  idx.add_layer(0, square_layer());
  const glm::dvec2 A(1060.0, 100.0);
  const glm::dvec2 u(std::cos(M_PI / 6), std::sin(M_PI / 6)), n(-u.y, u.x);
  const glm::dvec2 on = A + 80.0 * u;
  SnapQuery q = query(on + 3.0 * n, 0.5);  // 6 px off the parallel
  q.anchor = A;
  SnapOptions o;
  o.vertex = o.edge = false;
  const SnapResult r = snap(idx, q, o);
  ASSERT_EQ(r.kind, SnapKind::Parallel);
  EXPECT_NEAR(r.point.x, on.x, 1e-9);
  EXPECT_NEAR(r.point.y, on.y, 1e-9);
  const glm::dvec2 dir = r.point - A, ref = r.ref_b - r.ref_a;
  EXPECT_NEAR(std::abs(dir.x * ref.y - dir.y * ref.x) / glm::length(dir) / glm::length(ref), 0.0, 1e-12);
}

TEST(Snap, PerpendicularToTheOutlineBeingDrawn) {
  SnapIndex idx;  // empty: only the extra segment gives a direction
  SnapQuery q = query({10.0 + 0.4, 25.0}, 0.1);  // 4 px off x = 10
  q.anchor = glm::dvec2(10.0, 0.0);
  q.extra = {{{0.0, 0.0}, {10.0, 0.0}}};  // the segment just drawn, along x
  SnapOptions o;
  o.vertex = o.edge = false;
  const SnapResult r = snap(idx, q, o);
  ASSERT_EQ(r.kind, SnapKind::Perpendicular);
  EXPECT_NEAR(r.point.x, 10.0, 1e-12);
  EXPECT_NEAR(r.point.y, 25.0, 1e-12);
}

TEST(Snap, GridLast) {
  SnapIndex idx(20.0);
  idx.add_layer(0, square_layer());
  SnapOptions o;
  o.grid_m = 5.0;
  SnapResult r = snap(idx, query({212.0, 309.0}, 0.5), o);  // nearest node (210, 310), 2.2 m = 4.5 px
  EXPECT_EQ(r.kind, SnapKind::Grid);
  EXPECT_DOUBLE_EQ(r.point.x, 210.0);
  EXPECT_DOUBLE_EQ(r.point.y, 310.0);
  // Near an edge the edge wins over the grid.
  r = snap(idx, query({52.0, 1.0}, 0.5), o);
  EXPECT_EQ(r.kind, SnapKind::Edge);
  // Zoomed in far: the node is beyond the tolerance.
  EXPECT_EQ(snap(idx, query({212.0, 309.0}, 0.05), o).kind, SnapKind::None);
}

TEST(Snap, IndexQueryFindsOnlyNearbyEdges) {
  SnapIndex idx(20.0);
  idx.add_layer(0, square_layer());
  EXPECT_EQ(idx.size(), 7u);
  std::vector<uint32_t> out;
  idx.query({-1, -1}, {1, 1}, out);
  EXPECT_EQ(out.size(), 2u);  // the two edges at the corner (0, 0)
  idx.query({400, 400}, {500, 500}, out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace parktwin::edit
