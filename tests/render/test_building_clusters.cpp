// Building clusters (engine/render/src/building_clusters.h): a chunk's indices regrouped into
// clusters of nearby buildings, roofs first and walls in bins by facing. Checked by independent
// routes: the regrouped indices hold exactly the mesh's triangles and lines; every wall triangle
// in a bin that facing_mask leaves out for an eye is back-facing from that eye by the 3D cross
// product of its own vertices; far eyes leave out a good share of walls (so the culling is worth
// its keep); and facing_runs covers exactly the parts it must for every mask.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <random>
#include <set>
#include <tuple>

#include <glm/geometric.hpp>
#include <glm/vec3.hpp>

#include "building_clusters.h"
#include "parktwin/gis/extrude.h"
#include "parktwin/gis/lod.h"

namespace parktwin::render {
namespace {

constexpr float kHeight = 25.0f;  // every building's height for the 3D test (top = 1)

/// A chunk of `n` footprints: rotated rectangles, L shapes and courtyards (a hole), spread over
/// about 1.5 km around `origin`.
gis::BuildingMesh make_chunk(uint32_t n, uint32_t seed, glm::dvec2 origin = {5000.0, -3000.0}) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  gis::BuildingMesh mesh;
  mesh.origin = origin;
  gis::Extruder ex;
  for (uint32_t b = 0; b < n; ++b) {
    const glm::dvec2 c = origin + glm::dvec2(u(rng) - 0.5, u(rng) - 0.5) * 1500.0;
    const double a = u(rng) * 2.0 * std::numbers::pi, w = 8.0 + u(rng) * 40.0, h = 8.0 + u(rng) * 30.0;
    const glm::dvec2 ex_(std::cos(a), std::sin(a)), ey(-std::sin(a), std::cos(a));
    auto at = [&](double x, double y) { return c + ex_ * x + ey * y; };
    gis::Polygon p;
    switch (b % 3) {
      case 0:
        p.outer = {at(0, 0), at(w, 0), at(w, h), at(0, h)};
        break;
      case 1:
        p.outer = {at(0, 0), at(w, 0), at(w, h * 0.4), at(w * 0.4, h * 0.4), at(w * 0.4, h), at(0, h)};
        break;
      default:
        p.outer = {at(0, 0), at(w, 0), at(w, h), at(0, h)};
        p.holes.push_back({at(w * 0.3, h * 0.3), at(w * 0.3, h * 0.7), at(w * 0.7, h * 0.7), at(w * 0.7, h * 0.3)});
    }
    ex.add(p, 100 + b * 7, mesh);  // building ids need not be dense
  }
  return mesh;
}

using Tri = std::array<uint32_t, 3>;

std::multiset<Tri> triangles(const uint32_t* idx, size_t n) {
  std::multiset<Tri> s;
  for (size_t i = 0; i + 2 < n; i += 3) s.insert({idx[i], idx[i + 1], idx[i + 2]});
  return s;
}

glm::vec3 pos(const gis::BuildingVertex& v) { return {v.x, v.y, v.top * kHeight}; }

/// Whether the triangle faces away from `eye` (chunk-relative): its normal by the right-hand rule
/// (counter-clockwise seen from outside) against the direction to the eye.
bool back_facing(const gis::BuildingMesh& m, const uint32_t* t, glm::dvec3 eye) {
  const glm::dvec3 a = pos(m.vertices[t[0]]), b = pos(m.vertices[t[1]]), c = pos(m.vertices[t[2]]);
  return glm::dot(glm::cross(b - a, c - a), eye - a) < 0.0;
}

TEST(BuildingClusters, SameTrianglesAndLinesRegroupedByBuilding) {
  const gis::BuildingMesh m = make_chunk(900, 1);
  const ClusteredMesh c = cluster_building_mesh(m, 2000);
  ASSERT_EQ(c.indices.size(), m.indices.size() + m.edge_indices.size());
  ASSERT_GT(c.clusters.size(), 3u) << "900 buildings at 2,000 triangles a cluster";
  std::multiset<Tri> faces;
  std::multiset<std::pair<uint32_t, uint32_t>> lines, want_lines;
  std::map<uint32_t, size_t> cluster_of;  // building -> cluster
  size_t next_face = 0;
  for (size_t k = 0; k < c.clusters.size(); ++k) {
    const BuildingCluster& cl = c.clusters[k];
    EXPECT_EQ(cl.first_index, next_face) << "clusters' faces follow one another";
    next_face += cl.index_count;
    EXPECT_EQ(cl.bin_end[kFacingBins - 1], cl.index_count);
    const auto f = triangles(&c.indices[cl.first_index], cl.index_count);
    faces.insert(f.begin(), f.end());
    for (uint32_t i = cl.edge_first; i + 1 < cl.edge_first + cl.edge_count; i += 2) lines.insert({c.indices[i], c.indices[i + 1]});
    // Its bounds hold every vertex it draws; a building lies in one cluster only.
    for (uint32_t i = cl.first_index; i < cl.first_index + cl.index_count; ++i) {
      const gis::BuildingVertex& v = m.vertices[c.indices[i]];
      EXPECT_TRUE(v.x >= cl.lo.x && v.x <= cl.hi.x && v.y >= cl.lo.y && v.y <= cl.hi.y);
      auto [it, fresh] = cluster_of.emplace(v.building, k);
      EXPECT_EQ(it->second, k) << "building " << v.building << " split across clusters";
    }
    // Roofs first (normal (0, 0)), then walls.
    for (uint32_t i = 0; i < cl.index_count; ++i) {
      const gis::BuildingVertex& v = m.vertices[c.indices[cl.first_index + i]];
      EXPECT_EQ(i < cl.roof_count, v.roof());
    }
  }
  EXPECT_EQ(next_face, m.indices.size());
  EXPECT_EQ(faces, triangles(m.indices.data(), m.indices.size()));
  for (size_t i = 0; i + 1 < m.edge_indices.size(); i += 2) want_lines.insert({m.edge_indices[i], m.edge_indices[i + 1]});
  EXPECT_EQ(lines, want_lines);
  EXPECT_EQ(cluster_of.size(), 900u);
}

TEST(BuildingClusters, WallsLeftOutAreBackFacingFromThatEyeAndFarEyesLeaveOutManyWalls) {
  const gis::BuildingMesh m = make_chunk(600, 2);
  const ClusteredMesh c = cluster_building_mesh(m, 1500);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  size_t walls_seen = 0, walls_left_out = 0, far_walls = 0, far_left_out = 0;
  for (int trial = 0; trial < 300; ++trial) {
    // Eyes near (inside the chunk), at the chunk's edge and far away, low and high.
    const double reach = trial % 3 == 0 ? 600.0 : trial % 3 == 1 ? 2500.0 : 12000.0;
    const glm::dvec3 eye(u(rng) * reach, u(rng) * reach, 2.0 + (u(rng) + 1.0) * 0.5 * reach);
    for (const BuildingCluster& cl : c.clusters) {
      const glm::dvec2 bmin = m.origin + glm::dvec2(cl.lo), bmax = m.origin + glm::dvec2(cl.hi);
      const uint32_t mask = facing_mask(m.origin + glm::dvec2(eye), bmin, bmax);
      for (uint32_t k = 0; k < kFacingBins; ++k) {
        const uint32_t b = k == 0 ? cl.roof_count : cl.bin_end[k - 1], e = cl.bin_end[k];
        for (uint32_t i = b; i < e; i += 3) {
          const uint32_t* t = &c.indices[cl.first_index + i];
          ++walls_seen;
          if (trial % 3 == 2) ++far_walls;
          if (mask >> k & 1u) continue;
          ++walls_left_out;
          if (trial % 3 == 2) ++far_left_out;
          ASSERT_TRUE(back_facing(m, t, eye)) << "a wall left out for eye (" << eye.x << ", " << eye.y << ", " << eye.z
                                              << ") faces it (bin " << k << ")";
        }
      }
    }
  }
  ASSERT_GT(walls_left_out, 0u);
  // From far away a cluster is seen from one side: about three bins of eight face away.
  EXPECT_GT(double(far_left_out) / double(far_walls), 0.25) << far_left_out << " of " << far_walls;
  std::printf("walls left out: %zu of %zu (far eyes: %.1f %%)\n", walls_left_out, walls_seen,
              100.0 * double(far_left_out) / double(far_walls));
}

TEST(BuildingClusters, LevelsOfDetailKeepTheClustersBuildings) {
  const gis::BuildingMesh m = make_chunk(700, 3);
  const ClusteredMesh full = cluster_building_mesh(m, 1800);
  const gis::BuildingLod lod = gis::building_lod(m, 8.0);
  ASSERT_LT(lod.mesh.indices.size(), m.indices.size()) << "the level should be coarser";
  const ClusteredMesh level = cluster_like(lod.mesh, full);
  ASSERT_EQ(level.clusters.size(), full.clusters.size());
  EXPECT_EQ(level.indices.size(), lod.mesh.indices.size() + lod.mesh.edge_indices.size());
  EXPECT_EQ(triangles(level.indices.data(), lod.mesh.indices.size()), triangles(lod.mesh.indices.data(), lod.mesh.indices.size()));
  // Cluster i draws the same buildings at both levels (read from the vertices each draws).
  auto buildings = [](const gis::BuildingMesh& mesh, const ClusteredMesh& c, size_t k) {
    std::set<uint32_t> b;
    const BuildingCluster& cl = c.clusters[k];
    for (uint32_t i = cl.first_index; i < cl.first_index + cl.index_count; ++i) b.insert(mesh.vertices[c.indices[i]].building);
    return b;
  };
  for (size_t k = 0; k < full.clusters.size(); ++k) {
    EXPECT_EQ(buildings(lod.mesh, level, k), buildings(m, full, k)) << "cluster " << k;
    // Its bounds hold the level's vertices too (the renderer culls with the union of both).
    const BuildingCluster& cl = level.clusters[k];
    for (uint32_t i = cl.first_index; i < cl.first_index + cl.index_count; ++i) {
      const gis::BuildingVertex& v = lod.mesh.vertices[level.indices[i]];
      EXPECT_TRUE(v.x >= cl.lo.x && v.x <= cl.hi.x && v.y >= cl.lo.y && v.y <= cl.hi.y);
    }
  }
}

TEST(BuildingClusters, RunsCoverTheDrawnPartsForEveryMask) {
  BuildingCluster c;
  c.roof_count = 30;
  const uint32_t sizes[kFacingBins] = {12, 0, 6, 18, 6, 0, 24, 12, 3, 9, 0, 6, 15, 0, 3, 6};  // four bins empty
  uint32_t end = c.roof_count;
  for (uint32_t k = 0; k < kFacingBins; ++k) c.bin_end[k] = end += sizes[k];
  c.index_count = end;
  for (uint32_t mask = 0; mask < (1u << kFacingBins); ++mask) {
    std::array<uint32_t, 2> first{}, count{};
    const uint32_t runs = facing_runs(c, mask, first, count);
    ASSERT_LE(runs, 2u);
    std::vector<int> covered(c.index_count, 0);
    for (uint32_t r = 0; r < runs; ++r) {
      EXPECT_GT(count[r], 0u);
      for (uint32_t i = first[r]; i < first[r] + count[r]; ++i) ++covered[i];
      if (r == 1) {
        EXPECT_GT(first[1], first[0] + count[0] - 1) << "runs in order, apart";
      }
    }
    // Must: roofs and every bin in the mask, once. May: more (merged gaps), never twice.
    bool arc = false;  // the drawn non-empty bins form one circular run (what eyes produce)
    {
      int transitions = 0;
      for (uint32_t k = 0; k < kFacingBins; ++k) {
        const bool a = (mask >> k & 1u) || sizes[k] == 0, b = (mask >> ((k + 1) % kFacingBins) & 1u) || sizes[(k + 1) % kFacingBins] == 0;
        transitions += a != b;
      }
      arc = transitions <= 2;
    }
    for (uint32_t i = 0; i < c.index_count; ++i) {
      uint32_t part = 0;  // 0 roofs, k + 1 bin k
      if (i >= c.roof_count)
        for (part = 1; i >= c.bin_end[part - 1];) ++part;
      const bool must = part == 0 || (mask >> (part - 1) & 1u);
      EXPECT_LE(covered[i], 1) << "mask " << mask << " index " << i;
      if (must) {
        EXPECT_EQ(covered[i], 1) << "mask " << mask << " index " << i << " part " << part;
      } else if (arc) {
        EXPECT_EQ(covered[i], 0) << "mask " << mask << ": a circular run of bins draws nothing more";
      }
    }
  }
}

}  // namespace
}  // namespace parktwin::render
