// Building levels of detail, checked independently of the simplifier: points sampled on every
// level's roof triangles must lie within the tolerance of the original footprint of the same
// building (point in polygon plus distance to its rings), every building must stay, vertices keep
// the Extruder format, triangle counts fall, and building twice gives the same bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <numbers>
#include <set>

#include <meshoptimizer.h>

#include "parktwin/gis/extrude.h"
#include "parktwin/gis/lod.h"
#include "parktwin/gis/synthetic.h"

using namespace parktwin::gis;
using glm::dvec2;

namespace {

Ring rect(double x0, double y0, double x1, double y1) { return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}; }

/// The peer harness's shapes (shared/peer/tools/gen_buildings.mjs): rect (10 % with a courtyard),
/// chamfered rect, L, chamfered L and U, 8-24 m, rotated, on a 45 m grid.
std::vector<Polygon> peer_footprints(size_t n, uint32_t seed) {
  uint32_t state = seed;
  auto rnd = [&] {  // mulberry32, as the harness
    state += 0x6d2b79f5u;
    uint32_t r = (state ^ (state >> 15)) * (1u | state);
    r = (r + ((r ^ (r >> 7)) * (61u | r))) ^ r;
    return static_cast<double>(r ^ (r >> 14)) / 4294967296.0;
  };
  const auto cols = static_cast<size_t>(std::ceil(std::sqrt(static_cast<double>(n))));
  std::vector<Polygon> out;
  for (size_t i = 0; i < n; ++i) {
    const dvec2 at{static_cast<double>(i % cols) * 45.0 + (rnd() - 0.5) * 8, static_cast<double>(i / cols) * 45.0 + (rnd() - 0.5) * 8};
    const double w = 8 + rnd() * 16, d = 8 + rnd() * 16, theta = rnd() * std::numbers::pi, pick = rnd();
    rnd();
    const double p1 = rnd(), p2 = rnd(), p3 = rnd();
    const double x = w / 2, y = d / 2;
    Polygon p;
    if (pick < 0.35) {
      p.outer = rect(-x, -y, x, y);
      if (w >= 14 && d >= 14 && p3 < 0.3) {
        const double s = 0.35 + 0.15 * p1;
        Ring h = rect(-x * s, -y * s, x * s, y * s);
        std::reverse(h.begin(), h.end());
        p.holes.push_back(h);
      }
    } else if (pick < 0.5) {
      const double c = std::min(w, d) * (0.15 + 0.2 * p1);
      p.outer = {{-x, -y}, {x, -y}, {x, y - c}, {x - c, y}, {-x, y}};
    } else if (pick < 0.8) {
      const double cx = x - (0.3 + 0.35 * p1) * w, cy = y - (0.3 + 0.35 * p2) * d;
      p.outer = {{-x, -y}, {x, -y}, {x, cy}, {cx, cy}, {cx, y}, {-x, y}};
    } else if (pick < 0.9) {
      const double c = std::min(w, d) * 0.15;
      const double cx = x - (0.3 + 0.3 * p1) * w, cy = y - (0.3 + 0.3 * p2) * d;
      p.outer = {{-x, -y}, {x - c, -y}, {x, -y + c}, {x, cy}, {cx, cy}, {cx, y}, {-x, y}};
    } else {
      const double nx = (0.3 + 0.3 * p1) * w / 2, ny = y - (0.3 + 0.3 * p2) * d;
      p.outer = {{-x, -y}, {x, -y}, {x, y}, {nx, y}, {nx, ny}, {-nx, ny}, {-nx, y}, {-x, y}};
    }
    const double c = std::cos(theta), s = std::sin(theta);
    auto place = [&](Ring& r) {
      for (dvec2& q : r) q = dvec2{q.x * c - q.y * s, q.x * s + q.y * c} + at;
    };
    place(p.outer);
    for (Ring& h : p.holes) place(h);
    out.push_back(std::move(p));
  }
  return out;
}

/// Extrudes footprints as buildings 0..n-1 into one mesh whose origin is near their middle.
BuildingMesh extrude_all(const std::vector<Polygon>& fps) {
  BuildingMesh m;
  m.origin = fps.empty() ? dvec2{0.0} : fps[fps.size() / 2].outer[0];
  Extruder ex;
  for (size_t i = 0; i < fps.size(); ++i) ex.add(fps[i], static_cast<uint32_t>(i), m);
  return m;
}

double seg_dist(dvec2 p, dvec2 a, dvec2 b) {
  const dvec2 d = b - a;
  const double l2 = d.x * d.x + d.y * d.y;
  const double t = l2 > 0 ? std::clamp(((p.x - a.x) * d.x + (p.y - a.y) * d.y) / l2, 0.0, 1.0) : 0.0;
  const dvec2 q = a + t * d - p;
  return std::sqrt(q.x * q.x + q.y * q.y);
}

/// Distance from q to the ground a polygon covers: 0 inside (holes excluded), else to its rings.
double dist_to_polygon(const Polygon& p, dvec2 q) {
  if (polygon_contains(p, q)) return 0.0;
  double best = INFINITY;
  auto ring = [&](const Ring& r) {
    for (size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) best = std::min(best, seg_dist(q, r[j], r[i]));
  };
  ring(p.outer);
  for (const Ring& h : p.holes) ring(h);
  return best;
}

bool is_roof(const BuildingVertex& v) { return v.roof(); }

std::set<uint32_t> buildings_of(const BuildingMesh& m) {
  std::set<uint32_t> s;
  for (const uint32_t i : m.indices) s.insert(m.vertices[i].building);
  return s;
}

/// Roof area per building (from roof triangles).
std::map<uint32_t, double> roof_areas(const BuildingMesh& m) {
  std::map<uint32_t, double> a;
  for (size_t k = 0; k + 2 < m.indices.size(); k += 3) {
    const BuildingVertex &p = m.vertices[m.indices[k]], &q = m.vertices[m.indices[k + 1]], &r = m.vertices[m.indices[k + 2]];
    if (!is_roof(p) || !is_roof(q) || !is_roof(r)) continue;
    a[p.building] += 0.5 * ((double(q.x) - p.x) * (double(r.y) - p.y) - (double(q.y) - p.y) * (double(r.x) - p.x));
  }
  return a;
}

/// Format invariants of an Extruder-style mesh.
void expect_format(const BuildingMesh& m) {
  ASSERT_EQ(m.indices.size() % 3, 0u);
  ASSERT_EQ(m.edge_indices.size() % 2, 0u);
  for (const uint32_t i : m.indices) ASSERT_LT(i, m.vertices.size());
  for (const uint32_t i : m.edge_indices) ASSERT_LT(i, m.vertices.size());
  for (const BuildingVertex& v : m.vertices) {
    ASSERT_TRUE(v.top == 0.0f || v.top == 1.0f);
    if (is_roof(v)) {
      ASSERT_EQ(v.top, 1.0f);  // a roof vertex sits at the roof
    } else {
      ASSERT_NEAR(std::hypot(v.normal().x, v.normal().y), 1.0, 1e-4);
    }
  }
  for (size_t k = 0; k < m.indices.size(); k += 3) {
    const BuildingVertex &a = m.vertices[m.indices[k]], &b = m.vertices[m.indices[k + 1]], &c = m.vertices[m.indices[k + 2]];
    ASSERT_EQ(a.building, b.building);
    ASSERT_EQ(a.building, c.building);
    // A triangle is all roof or all wall: roofs are never mixed with walls or with ground level.
    ASSERT_EQ(is_roof(a), is_roof(b));
    ASSERT_EQ(is_roof(a), is_roof(c));
  }
  for (size_t k = 0; k < m.edge_indices.size(); k += 2)
    ASSERT_EQ(m.vertices[m.edge_indices[k]].building, m.vertices[m.edge_indices[k + 1]].building);
}

/// Largest distance from points sampled on a level's roof triangles to the original footprint of
/// their building (8 subdivisions per side: 45 points per triangle, corners and edges included).
double max_excursion(const BuildingMesh& lod, const std::vector<Polygon>& fps) {
  double worst = 0.0;
  constexpr int kSteps = 8;
  for (size_t k = 0; k + 2 < lod.indices.size(); k += 3) {
    const BuildingVertex &a = lod.vertices[lod.indices[k]], &b = lod.vertices[lod.indices[k + 1]],
                         &c = lod.vertices[lod.indices[k + 2]];
    if (!is_roof(a)) continue;
    const Polygon& fp = fps[a.building];
    const dvec2 pa = dvec2{a.x, a.y} + lod.origin, pb = dvec2{b.x, b.y} + lod.origin, pc = dvec2{c.x, c.y} + lod.origin;
    for (int i = 0; i <= kSteps; ++i)
      for (int j = 0; i + j <= kSteps; ++j) {
        const double s = double(i) / kSteps, t = double(j) / kSteps;
        worst = std::max(worst, dist_to_polygon(fp, pa + s * (pb - pa) + t * (pc - pa)));
      }
  }
  // Wall bottoms are where the ground cover ends: sample them too.
  for (size_t k = 0; k + 2 < lod.indices.size(); k += 3)
    for (int e = 0; e < 3; ++e) {
      const BuildingVertex& v = lod.vertices[lod.indices[k + static_cast<size_t>(e)]];
      if (!is_roof(v)) worst = std::max(worst, dist_to_polygon(fps[v.building], dvec2{v.x, v.y} + lod.origin));
    }
  return worst;
}

void print_level(const char* set, size_t n, const BuildingLod& l) {
  const LodStats& s = l.stats;
  std::printf("[lod] %s n=%zu tol=%.1f m: triangles %zu -> %zu (%.1f %% fewer), vertices %zu -> %zu; "
              "polygons %zu simplified %zu boxed %zu holes_filled %zu kept %zu copied %zu\n",
              set, n, l.error_m, s.triangles_full, s.triangles,
              100.0 * (1.0 - double(s.triangles) / double(s.triangles_full)), s.vertices_full, s.vertices,
              s.polygons, s.simplified, s.boxed, s.holes_filled, s.kept, s.copied);
}

/// The checks every footprint set goes through.
void check_levels(const char* set, const std::vector<Polygon>& fps) {
  const BuildingMesh full = extrude_all(fps);
  const std::vector<BuildingLod> levels = building_lods(full, kBuildingLodTolerances);
  ASSERT_EQ(levels.size(), std::size(kBuildingLodTolerances));
  const std::set<uint32_t> all = buildings_of(full);
  const std::map<uint32_t, double> full_area = roof_areas(full);
  size_t prev = full.indices.size() / 3;
  double prev_tol = 0.0;
  for (const BuildingLod& l : levels) {
    SCOPED_TRACE(l.error_m);
    print_level(set, fps.size(), l);
    EXPECT_GT(l.error_m, prev_tol);
    prev_tol = l.error_m;
    EXPECT_EQ(l.mesh.origin, full.origin);
    expect_format(l.mesh);
    EXPECT_EQ(buildings_of(l.mesh), all);
    EXPECT_EQ(l.stats.buildings, all.size());
    EXPECT_EQ(l.stats.copied, 0u);
    const size_t tris = l.mesh.indices.size() / 3;
    EXPECT_LT(tris, prev);
    prev = tris;
    // Float positions relative to the origin: a millimetre of slack.
    EXPECT_LE(max_excursion(l.mesh, fps), l.error_m + 1e-3);
    // The roof keeps its area within a band of the tolerance around the outline.
    const std::map<uint32_t, double> area = roof_areas(l.mesh);
    for (const auto& [b, a] : full_area) {
      const Polygon& fp = fps[b];
      double perimeter = 0.0;
      auto ring = [&](const Ring& r) {
        for (size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) perimeter += std::hypot(r[i].x - r[j].x, r[i].y - r[j].y);
      };
      ring(fp.outer);
      for (const Ring& h : fp.holes) ring(h);
      ASSERT_TRUE(area.count(b));
      EXPECT_NEAR(area.at(b), a, perimeter * l.error_m + std::numbers::pi * l.error_m * l.error_m) << "building " << b;
      EXPECT_GT(area.at(b), 0.0) << "building " << b;
    }
  }
}

}  // namespace

TEST(Lod, RecoversFootprintsFromWalls) {
  const std::vector<Polygon> fps = synthetic_footprints(500, 7, {1.0e5, -2.0e5});
  const BuildingMesh full = extrude_all(fps);
  std::vector<uint32_t> bad;
  const std::vector<MeshFootprint> got = mesh_footprints(full, &bad);
  EXPECT_TRUE(bad.empty());
  ASSERT_EQ(got.size(), fps.size());
  for (const MeshFootprint& f : got) {
    const Polygon& o = fps[f.building];
    EXPECT_EQ(f.polygon.holes.size(), o.holes.size());
    EXPECT_EQ(f.polygon.outer.size(), o.outer.size());
    EXPECT_NEAR(polygon_area(f.polygon), polygon_area(o), 1e-3 * polygon_area(o));
    EXPECT_GT(ring_signed_area(f.polygon.outer), 0.0);
    for (const Ring& h : f.polygon.holes) EXPECT_LT(ring_signed_area(h), 0.0);
  }
}

TEST(Lod, SyntheticFootprints) { check_levels("synthetic", synthetic_footprints(3000, 11, {3.0e4, 4.0e4})); }

TEST(Lod, PeerFootprints) { check_levels("peer", peer_footprints(3000, 42)); }

TEST(Lod, Deterministic) {
  const BuildingMesh full = extrude_all(synthetic_footprints(800, 3));
  const auto a = building_lods(full, kBuildingLodTolerances);
  const auto b = building_lods(full, kBuildingLodTolerances);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].mesh.vertices.size(), b[i].mesh.vertices.size());
    EXPECT_EQ(0, std::memcmp(a[i].mesh.vertices.data(), b[i].mesh.vertices.data(),
                             a[i].mesh.vertices.size() * sizeof(BuildingVertex)));
    EXPECT_EQ(a[i].mesh.indices, b[i].mesh.indices);
    EXPECT_EQ(a[i].mesh.edge_indices, b[i].mesh.edge_indices);
  }
}

TEST(Lod, RoundedCornersLoseVertices) {
  // A 40 x 30 m rectangle with 8 m corner arcs of 10 segments: 44 points.
  Ring r;
  const double a = 20, b = 15, rad = 8;
  const dvec2 centres[4] = {{a - rad, -b + rad}, {a - rad, b - rad}, {-a + rad, b - rad}, {-a + rad, -b + rad}};
  for (int c = 0; c < 4; ++c)
    for (int k = 0; k <= 10; ++k) {
      const double t = (c - 1) * std::numbers::pi / 2 + (std::numbers::pi / 2) * k / 10;
      r.push_back(centres[c] + rad * dvec2{std::cos(t), std::sin(t)});
    }
  LodStats st;
  const Polygon fine = simplify_footprint(Polygon{r, {}}, 0.5, &st);
  EXPECT_LT(fine.outer.size(), r.size() / 2);
  EXPECT_GT(fine.outer.size(), 4u);
  EXPECT_EQ(st.simplified, 1u);
  // At 8 m the arcs (sagitta 8 (1 - cos 45°) = 2.3 m) are gone: the box is within tolerance.
  const Polygon coarse = simplify_footprint(Polygon{r, {}}, 8.0, &st);
  EXPECT_EQ(coarse.outer.size(), 4u);
}

TEST(Lod, NotchFilledOnlyWithinTolerance) {
  // A 40 x 30 m block with a slot 3 m wide and 20 m deep cut into one side: every point of the
  // slot is within 1.5 m of the building, so at 2 m it becomes its box; at 1 m the slot stays.
  // (Douglas-Peucker alone keeps the slot: its bottom is 20 m from the side it is cut into.)
  const Polygon slot{{{0, 0}, {40, 0}, {40, 30}, {21.5, 30}, {21.5, 10}, {18.5, 10}, {18.5, 30}, {0, 30}}, {}};
  LodStats st;
  EXPECT_EQ(simplify_footprint(slot, 2.0, &st).outer.size(), 4u);
  EXPECT_EQ(st.boxed, 1u);
  EXPECT_EQ(simplify_footprint(slot, 1.0, &st).outer.size(), 8u);
  EXPECT_EQ(st.boxed, 1u);
  // A courtyard-wide notch (20 x 20 m) is kept at 8 m: its middle is 10 m from the building.
  const Polygon wide{{{0, 0}, {40, 0}, {40, 30}, {30, 30}, {30, 10}, {10, 10}, {10, 30}, {0, 30}}, {}};
  EXPECT_EQ(simplify_footprint(wide, 8.0, &st).outer.size(), 8u);
  EXPECT_EQ(st.boxed, 1u);
}

TEST(Lod, NarrowHolesFilledWideKept) {
  Ring narrow = rect(10, 10, 13, 40);  // 3 m wide: within 2 m of the walls everywhere
  Ring wide = rect(20, 10, 40, 40);
  std::reverse(narrow.begin(), narrow.end());
  std::reverse(wide.begin(), wide.end());
  LodStats st;
  const Polygon p = simplify_footprint(Polygon{rect(0, 0, 50, 50), {narrow, wide}}, 2.0, &st);
  ASSERT_EQ(p.holes.size(), 1u);
  EXPECT_EQ(p.holes[0].size(), 4u);
  EXPECT_EQ(st.holes_filled, 1u);
  EXPECT_EQ(simplify_footprint(Polygon{rect(0, 0, 50, 50), {narrow, wide}}, 1.0).holes.size(), 2u);
}

TEST(Lod, TinyAndThinBuildingsStay) {
  // A 1 x 0.5 m kiosk and a 30 x 0.8 m wall-like building at 8 m: both stay, as 4-point rings.
  std::vector<Polygon> fps = {Polygon{rect(0, 0, 1, 0.5), {}}, Polygon{rect(10, 0, 40, 0.8), {}},
                              Polygon{{{50, 0}, {51, 0}, {51.5, 0.2}, {52, 0}, {53, 0}, {53, 1}, {50, 1}}, {}}};
  const BuildingMesh full = extrude_all(fps);
  const BuildingLod l = building_lod(full, 8.0);
  EXPECT_EQ(buildings_of(l.mesh), buildings_of(full));
  EXPECT_LE(max_excursion(l.mesh, fps), 8.0 + 1e-3);
  expect_format(l.mesh);
}

TEST(Lod, BadInputReturnedAsIs) {
  // Crossing rings, non-finite points and a non-positive tolerance: the input comes back, counted as kept.
  const Polygon bowtie{{{0, 0}, {15, 15.5}, {30, 30}, {30, 0}, {0, 30}}, {}};  // crossing edges
  const Polygon nan{{{0, 0}, {30, 0}, {30, std::nan("")}, {15, 31}, {0, 30}}, {}};
  const Polygon ok{{{0, 0}, {30, 0}, {30, 30}, {15, 31}, {0, 30}}, {}};
  LodStats st;
  EXPECT_EQ(simplify_footprint(bowtie, 2.0, &st).outer.size(), bowtie.outer.size());
  EXPECT_EQ(simplify_footprint(nan, 2.0, &st).outer.size(), nan.outer.size());
  EXPECT_EQ(simplify_footprint(ok, 0.0, &st).outer.size(), ok.outer.size());
  EXPECT_EQ(simplify_footprint(ok, std::nan(""), &st).outer.size(), ok.outer.size());
  EXPECT_EQ(st.kept, 4u);
  EXPECT_EQ(simplify_footprint(ok, 2.0, &st).outer.size(), 4u);  // the 1 m gable goes
}

TEST(Lod, UnrecoverableBuildingCopied) {
  // Building 5 has a roof and no walls: it cannot be recovered and is copied as it is.
  BuildingMesh full = extrude_all({Polygon{rect(0, 0, 10, 10), {}}});
  const auto base = static_cast<uint32_t>(full.vertices.size());
  full.vertices.push_back({20, 0, 1, 5, 0, 0});
  full.vertices.push_back({30, 0, 1, 5, 0, 0});
  full.vertices.push_back({30, 10, 1, 5, 0, 0});
  full.indices.insert(full.indices.end(), {base, base + 1, base + 2});
  const BuildingLod l = building_lod(full, 2.0);
  EXPECT_EQ(l.stats.copied, 1u);
  EXPECT_EQ(buildings_of(l.mesh), (std::set<uint32_t>{0, 5}));
  expect_format(l.mesh);
}

TEST(Lod, VertexCacheOrderAsGoodAsMeshoptimizer) {
  // Levels are written building after building like the full mesh; meshoptimizer's reordering for
  // a 16-entry vertex cache gains nothing on them (walls share no vertices), so none is applied.
  const BuildingMesh full = extrude_all(synthetic_footprints(1600, 5));
  for (const BuildingLod& l : building_lods(full, kBuildingLodTolerances)) {
    const BuildingMesh& m = l.mesh;
    std::vector<uint32_t> opt(m.indices.size());
    meshopt_optimizeVertexCache(opt.data(), m.indices.data(), m.indices.size(), m.vertices.size());
    const double as_is = meshopt_analyzeVertexCache(m.indices.data(), m.indices.size(), m.vertices.size(), 16, 0, 0).acmr;
    const double best = meshopt_analyzeVertexCache(opt.data(), opt.size(), m.vertices.size(), 16, 0, 0).acmr;
    std::printf("[lod] tol=%.1f m: ACMR as written %.3f, after meshopt_optimizeVertexCache %.3f\n", l.error_m, as_is, best);
    EXPECT_LE(as_is, best * 1.01);
  }
}

TEST(Lod, TwentyThousandSyntheticReduction) {
  // Prints the reduction and the time next to plain extrusion (20k: the sanitized run stays short).
  const std::vector<Polygon> fps = synthetic_footprints(20000, 1);
  // Thread CPU time: the machines are shared, wall time swings with the neighbours.
  auto cpu_ms = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
  };
  const double t0 = cpu_ms();
  const BuildingMesh full = extrude_all(fps);
  const double t1 = cpu_ms();
  const std::vector<BuildingLod> levels = building_lods(full, kBuildingLodTolerances);
  const double t2 = cpu_ms();
  std::printf("[lod] 20k synthetic: extrusion %.0f ms, both levels %.0f ms CPU (one mesh, one thread)\n", t1 - t0, t2 - t1);
  size_t prev = full.indices.size();
  for (const BuildingLod& l : levels) {
    print_level("synthetic", fps.size(), l);
    EXPECT_LT(l.mesh.indices.size(), prev);
    EXPECT_EQ(l.stats.copied, 0u);
    prev = l.mesh.indices.size();
  }
}
