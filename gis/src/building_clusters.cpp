#include "parktwin/gis/building_clusters.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <unordered_map>

#include <glm/geometric.hpp>

namespace parktwin::gis {
namespace {

/// One building's share of a chunk: its triangles and lines (runs in the mesh's own order).
struct Unit {
  uint32_t building = 0;
  std::vector<std::pair<uint32_t, uint32_t>> tris, lines;  ///< [begin, end) in triangles / lines
  glm::vec2 lo{1e30f}, hi{-1e30f};
  uint64_t morton = 0;
};

uint64_t spread_bits(uint32_t v) {
  uint64_t x = v & 0xFFFFu;
  x = (x | (x << 8)) & 0x00FF00FFull;
  x = (x | (x << 4)) & 0x0F0F0F0Full;
  x = (x | (x << 2)) & 0x33333333ull;
  x = (x | (x << 1)) & 0x55555555ull;
  return x;
}

/// The bin of a wall triangle: from the horizontal normal of its vertices' float positions (what
/// the rasterizer sees), oriented like the wall's stored outward normal.
uint32_t wall_bin(const BuildingVertex& a, const BuildingVertex& b, const BuildingVertex& c) {
  // Two of the three vertices share a footprint point (a wall quad's bottom and top); the other
  // two points span the wall.
  glm::dvec2 p(a.x, a.y), q(b.x, b.y);
  if (p == q) q = glm::dvec2(c.x, c.y);
  glm::dvec2 n(q.y - p.y, p.x - q.x);
  const glm::dvec2 stored(a.normal());
  if (glm::dot(n, stored) < 0.0) n = -n;
  if (n == glm::dvec2(0.0)) n = stored;  // no area: never drawn, any bin will do
  const double angle = std::atan2(n.y, n.x);  // [-pi, pi]
  const double k = std::floor((angle + std::numbers::pi) / (2.0 * std::numbers::pi) * kFacingBins);
  return static_cast<uint32_t>(std::clamp(k, 0.0, double(kFacingBins - 1)));
}

/// The buildings of `mesh` in its order of first appearance, with their runs of triangles and lines.
std::vector<Unit> units_of(const BuildingMesh& mesh) {
  const auto& V = mesh.vertices;
  std::vector<Unit> units;
  std::unordered_map<uint32_t, uint32_t> slot;  // building -> unit
  auto unit_of = [&](uint32_t building) -> Unit& {
    if (!units.empty() && units.back().building == building) return units.back();  // the usual case
    auto [it, fresh] = slot.try_emplace(building, static_cast<uint32_t>(units.size()));
    if (fresh) units.push_back(Unit{building});
    return units[it->second];
  };
  auto add_runs = [&](const std::vector<uint32_t>& idx, uint32_t per, bool lines) {
    const auto n = static_cast<uint32_t>(idx.size() / per);
    for (uint32_t t = 0; t < n;) {
      const uint32_t b = V[idx[size_t(t) * per]].building;
      uint32_t e = t + 1;
      while (e < n && V[idx[size_t(e) * per]].building == b) ++e;
      Unit& u = unit_of(b);
      (lines ? u.lines : u.tris).emplace_back(t, e);
      for (size_t k = size_t(t) * per; k < size_t(e) * per; ++k) {
        u.lo = glm::min(u.lo, glm::vec2(V[idx[k]].x, V[idx[k]].y));
        u.hi = glm::max(u.hi, glm::vec2(V[idx[k]].x, V[idx[k]].y));
      }
      t = e;
    }
  };
  add_runs(mesh.indices, 3, false);
  add_runs(mesh.edge_indices, 2, true);
  return units;
}

/// Lays out `units` grouped as `groups` ([begin, end) in units): per cluster its roofs, then its
/// walls bin by bin; every cluster's edges after all faces.
ClusteredMesh emit(const BuildingMesh& mesh, const std::vector<Unit>& units,
                   const std::vector<std::pair<size_t, size_t>>& groups) {
  const auto& V = mesh.vertices;
  const auto& I = mesh.indices;
  const auto& E = mesh.edge_indices;
  ClusteredMesh out;
  out.indices.reserve(I.size() + E.size());
  std::array<std::vector<uint32_t>, kFacingBins> bins;
  for (const auto& [gb, ge] : groups) {
    BuildingCluster c;
    c.first_index = static_cast<uint32_t>(out.indices.size());
    c.lo = glm::vec2(1e30f);
    c.hi = glm::vec2(-1e30f);
    for (auto& b : bins) b.clear();
    for (size_t u = gb; u < ge; ++u) {
      c.lo = glm::min(c.lo, units[u].lo);
      c.hi = glm::max(c.hi, units[u].hi);
      out.buildings.push_back(units[u].building);
      for (const auto& [tb, te] : units[u].tris)
        for (uint32_t t = tb; t < te; ++t) {
          const uint32_t* tri = &I[size_t(t) * 3];
          if (V[tri[0]].roof()) {
            out.indices.insert(out.indices.end(), tri, tri + 3);
          } else {
            auto& bin = bins[wall_bin(V[tri[0]], V[tri[1]], V[tri[2]])];
            bin.insert(bin.end(), tri, tri + 3);
          }
        }
    }
    out.cluster_end.push_back(static_cast<uint32_t>(out.buildings.size()));
    c.roof_count = static_cast<uint32_t>(out.indices.size()) - c.first_index;
    for (uint32_t k = 0; k < kFacingBins; ++k) {
      out.indices.insert(out.indices.end(), bins[k].begin(), bins[k].end());
      c.bin_end[k] = static_cast<uint32_t>(out.indices.size()) - c.first_index;
    }
    c.index_count = c.bin_end[kFacingBins - 1];
    out.clusters.push_back(c);
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    BuildingCluster& c = out.clusters[g];
    c.edge_first = static_cast<uint32_t>(out.indices.size());
    for (size_t u = groups[g].first; u < groups[g].second; ++u)
      for (const auto& [lb, le] : units[u].lines) out.indices.insert(out.indices.end(), &E[size_t(lb) * 2], &E[size_t(le) * 2]);
    c.edge_count = static_cast<uint32_t>(out.indices.size()) - c.edge_first;
  }
  return out;
}

}  // namespace

ClusteredMesh cluster_building_mesh(const BuildingMesh& mesh, uint32_t cluster_triangles) {
  std::vector<Unit> units = units_of(mesh);
  if (units.empty()) return {};
  // Morton order of the buildings' centres over the chunk's bounds (ties: mesh order).
  glm::vec2 lo(1e30f), hi(-1e30f);
  for (const Unit& u : units) lo = glm::min(lo, u.lo), hi = glm::max(hi, u.hi);
  const glm::vec2 span = glm::max(hi - lo, glm::vec2(1e-3f));
  for (Unit& u : units) {
    const glm::vec2 c = ((u.lo + u.hi) * 0.5f - lo) / span * 65535.0f;
    u.morton = spread_bits(static_cast<uint32_t>(std::clamp(c.x, 0.0f, 65535.0f))) |
               spread_bits(static_cast<uint32_t>(std::clamp(c.y, 0.0f, 65535.0f))) << 1;
  }
  std::stable_sort(units.begin(), units.end(), [](const Unit& a, const Unit& b) { return a.morton < b.morton; });
  // Clusters of consecutive buildings.
  std::vector<std::pair<size_t, size_t>> groups;
  for (size_t u = 0; u < units.size();) {
    size_t e = u;
    uint32_t tris = 0;
    while (e < units.size() && (e == u || tris < cluster_triangles)) {
      for (const auto& r : units[e].tris) tris += r.second - r.first;
      ++e;
    }
    groups.emplace_back(u, e);
    u = e;
  }
  return emit(mesh, units, groups);
}

ClusteredMesh cluster_like(const BuildingMesh& level, const ClusteredMesh& like) {
  std::vector<Unit> found = units_of(level);
  std::vector<std::pair<uint32_t, size_t>> where;  // (building, index in found), sorted
  where.reserve(found.size());
  for (size_t i = 0; i < found.size(); ++i) where.emplace_back(found[i].building, i);
  std::sort(where.begin(), where.end());
  std::vector<uint8_t> taken(found.size(), 0);
  std::vector<Unit> units;
  std::vector<std::pair<size_t, size_t>> groups;
  size_t b = 0;
  for (size_t g = 0; g < like.cluster_end.size(); ++g) {
    const size_t begin = units.size();
    for (; b < like.cluster_end[g]; ++b) {
      auto it = std::lower_bound(where.begin(), where.end(), std::make_pair(like.buildings[b], size_t{0}));
      if (it == where.end() || it->first != like.buildings[b] || taken[it->second]) continue;
      taken[it->second] = 1;
      units.push_back(std::move(found[it->second]));
    }
    groups.emplace_back(begin, units.size());
  }
  // A building the level has and `like` has not (none, by gis/lod.h's guarantees) joins the last cluster.
  for (size_t i = 0; i < found.size(); ++i)
    if (!taken[i]) units.push_back(std::move(found[i]));
  if (!groups.empty()) groups.back().second = units.size();
  return emit(level, units, groups);
}

}  // namespace parktwin::gis
