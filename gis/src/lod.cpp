// Building levels of detail: footprints recovered from a mesh's walls, simplified within a
// tolerance (lod_simplify.cpp: Douglas-Peucker, narrow holes filled, outlines boxed when the box
// stays close) and re-extruded in the Extruder's order (already as good for the vertex cache as
// meshoptimizer's reordering: tests/gis/test_lod.cpp measures both).
#include "parktwin/gis/lod.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <unordered_map>

#include "lod_detail.h"

namespace parktwin::gis {

namespace {

using glm::dvec2;
using lod_detail::ring_contains;

/// One directed wall edge recovered from a mesh (bottom edge of a wall quad).
struct WallEdge {
  float ax, ay, bx, by;
};

/// Copies the triangles and edge lines of the listed buildings (sorted) from `full` into `out`.
void copy_buildings(const BuildingMesh& full, const std::vector<uint32_t>& buildings, BuildingMesh& out) {
  if (buildings.empty()) return;
  auto in_set = [&](uint32_t v) {
    return std::binary_search(buildings.begin(), buildings.end(), full.vertices[v].building);
  };
  std::vector<uint32_t> remap(full.vertices.size(), ~0u);
  auto map = [&](uint32_t v) {
    if (remap[v] == ~0u) {
      remap[v] = static_cast<uint32_t>(out.vertices.size());
      out.vertices.push_back(full.vertices[v]);
    }
    return remap[v];
  };
  for (size_t t = 0; t + 2 < full.indices.size(); t += 3) {
    if (!in_set(full.indices[t])) continue;
    for (int k = 0; k < 3; ++k) out.indices.push_back(map(full.indices[t + static_cast<size_t>(k)]));
  }
  for (size_t e = 0; e + 1 < full.edge_indices.size(); e += 2) {
    if (!in_set(full.edge_indices[e])) continue;
    out.edge_indices.push_back(map(full.edge_indices[e]));
    out.edge_indices.push_back(map(full.edge_indices[e + 1]));
  }
}

/// Where one building lies in a mesh: its vertices, triangles (indices) and lines, each one run.
struct Span {
  uint32_t v0 = 0, v1 = 0, i0 = 0, i1 = 0, e0 = 0, e1 = 0;
};

/// The spans of the buildings that occupy one run of vertices, one of triangles and one of lines,
/// with every index inside their own vertices (as the Extruder writes them).
std::unordered_map<uint32_t, Span> building_spans(const BuildingMesh& m) {
  std::unordered_map<uint32_t, Span> spans;
  std::unordered_map<uint32_t, uint8_t> seen;  // bit 1: vertices, 2: triangles, 4: lines; 8: not one run each
  auto runs = [&](size_t count, size_t step, uint8_t bit, auto building_at, auto record) {
    for (size_t k = 0; k < count;) {
      const uint32_t b = building_at(k);
      size_t e = k + step;
      while (e < count && building_at(e) == b) e += step;
      uint8_t& flags = seen[b];
      flags |= (flags & bit) ? 8 : bit;
      record(spans[b], static_cast<uint32_t>(k), static_cast<uint32_t>(e));
      k = e;
    }
  };
  const auto& V = m.vertices;
  runs(V.size(), 1, 1, [&](size_t k) { return V[k].building; }, [](Span& s, uint32_t a, uint32_t b) { s.v0 = a, s.v1 = b; });
  runs(m.indices.size() - m.indices.size() % 3, 3, 2, [&](size_t k) { return V[m.indices[k]].building; },
       [](Span& s, uint32_t a, uint32_t b) { s.i0 = a, s.i1 = b; });
  runs(m.edge_indices.size() - m.edge_indices.size() % 2, 2, 4, [&](size_t k) { return V[m.edge_indices[k]].building; },
       [](Span& s, uint32_t a, uint32_t b) { s.e0 = a, s.e1 = b; });
  for (auto it = spans.begin(); it != spans.end();) {
    const Span& s = it->second;
    bool ok = (seen[it->first] & 8) == 0;
    for (uint32_t k = s.i0; ok && k < s.i1; ++k) ok = m.indices[k] >= s.v0 && m.indices[k] < s.v1;
    for (uint32_t k = s.e0; ok && k < s.e1; ++k) ok = m.edge_indices[k] >= s.v0 && m.edge_indices[k] < s.v1;
    it = ok ? std::next(it) : spans.erase(it);
  }
  return spans;
}

/// Appends a building's span of `full` to `out` as it is.
void copy_span(const BuildingMesh& full, const Span& s, BuildingMesh& out) {
  const auto base = static_cast<uint32_t>(out.vertices.size());
  out.vertices.insert(out.vertices.end(), full.vertices.begin() + s.v0, full.vertices.begin() + s.v1);
  for (uint32_t k = s.i0; k < s.i1; ++k) out.indices.push_back(full.indices[k] - s.v0 + base);
  for (uint32_t k = s.e0; k < s.e1; ++k) out.edge_indices.push_back(full.edge_indices[k] - s.v0 + base);
}

/// Whether a simplified polygon kept every point (it keeps a subset, so equal counts suffice).
bool same_points(const Polygon& a, const Polygon& b) {
  if (a.outer.size() != b.outer.size() || a.holes.size() != b.holes.size()) return false;
  for (size_t h = 0; h < a.holes.size(); ++h)
    if (a.holes[h].size() != b.holes[h].size()) return false;
  return true;
}

size_t distinct_buildings(const BuildingMesh& m) {
  std::vector<uint32_t> b;
  b.reserve(m.vertices.size() / 4 + 1);
  for (const BuildingVertex& v : m.vertices)
    if (b.empty() || b.back() != v.building) b.push_back(v.building);
  std::sort(b.begin(), b.end());
  return static_cast<size_t>(std::unique(b.begin(), b.end()) - b.begin());
}

}  // namespace

std::vector<MeshFootprint> mesh_footprints(const BuildingMesh& mesh, std::vector<uint32_t>* unrecovered) {
  const auto& V = mesh.vertices;
  // Wall edges grouped by building, buildings in order of first appearance.
  std::unordered_map<uint32_t, uint32_t> group_of;
  std::vector<uint32_t> group_building;
  std::vector<std::vector<WallEdge>> groups;
  auto group = [&](uint32_t b) -> std::vector<WallEdge>& {
    auto [it, fresh] = group_of.try_emplace(b, static_cast<uint32_t>(groups.size()));
    if (fresh) {
      groups.emplace_back();
      group_building.push_back(b);
    }
    return groups[it->second];
  };
  for (size_t t = 0; t + 2 < mesh.indices.size(); t += 3) {
    const BuildingVertex* v[3] = {&V[mesh.indices[t]], &V[mesh.indices[t + 1]], &V[mesh.indices[t + 2]]};
    bool wall = true;
    int bottoms = 0;
    for (const BuildingVertex* p : v) {
      wall &= !p->roof();
      bottoms += p->top == 0.0f;
    }
    if (!wall) {
      group(v[0]->building);  // a roof: the building exists even if its walls were unusable
      continue;
    }
    if (bottoms != 2) continue;
    // The two bottom vertices in the triangle's (counter-clockwise seen from outside) order.
    const int top = v[0]->top != 0.0f ? 0 : v[1]->top != 0.0f ? 1 : 2;
    const BuildingVertex* a = v[(top + 1) % 3];
    const BuildingVertex* b = v[(top + 2) % 3];
    group(a->building).push_back({a->x, a->y, b->x, b->y});
  }

  std::vector<MeshFootprint> out;
  std::vector<Ring> rings;
  std::vector<uint32_t> by_start;
  std::vector<uint8_t> used;
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::vector<WallEdge>& e = groups[g];
    const uint32_t building = group_building[g];
    const size_t n = e.size();
    by_start.resize(n);
    for (size_t k = 0; k < n; ++k) by_start[k] = static_cast<uint32_t>(k);
    std::sort(by_start.begin(), by_start.end(), [&](uint32_t a, uint32_t b) {
      return e[a].ax < e[b].ax || (e[a].ax == e[b].ax && (e[a].ay < e[b].ay || (e[a].ay == e[b].ay && a < b)));
    });
    used.assign(n, 0);
    rings.clear();
    bool ok = n >= 3;
    for (size_t s = 0; s < n && ok; ++s) {
      if (used[s]) continue;
      Ring ring;
      size_t cur = s;
      used[cur] = 1;
      for (;;) {
        ring.push_back(dvec2{e[cur].ax, e[cur].ay} + mesh.origin);
        if (e[cur].bx == e[s].ax && e[cur].by == e[s].ay) break;
        // Usually the next edge written; else look the end point up among the starts.
        size_t next = n;
        if (cur + 1 < n && !used[cur + 1] && e[cur + 1].ax == e[cur].bx && e[cur + 1].ay == e[cur].by) {
          next = cur + 1;
        } else {
          const float x = e[cur].bx, y = e[cur].by;
          auto it = std::lower_bound(by_start.begin(), by_start.end(), 0u, [&](uint32_t a, uint32_t) {
            return e[a].ax < x || (e[a].ax == x && e[a].ay < y);
          });
          for (; it != by_start.end() && e[*it].ax == x && e[*it].ay == y; ++it)
            if (!used[*it]) {
              next = *it;
              break;
            }
        }
        if (next == n) {
          ok = false;
          break;
        }
        used[next] = 1;
        cur = next;
      }
      if (ok && ring.size() >= 3) rings.push_back(std::move(ring));
    }
    // Outer rings run counter-clockwise, holes clockwise; each hole goes to the smallest outer
    // ring holding it.
    std::vector<Polygon> polys;
    std::vector<double> areas;
    if (ok) {
      for (Ring& r : rings) {
        const double a = ring_signed_area(r);
        if (a > 0.0) {
          polys.push_back(Polygon{std::move(r), {}});
          areas.push_back(a);
        }
      }
      for (Ring& r : rings) {
        if (r.empty() || ring_signed_area(r) >= 0.0) continue;
        size_t best = polys.size();
        for (size_t p = 0; p < polys.size(); ++p) {
          bool inside = false;
          for (const dvec2 q : r)  // a hole vertex may touch the outer ring: any one inside will do
            if (ring_contains(polys[p].outer, q)) {
              inside = true;
              break;
            }
          if (inside && (best == polys.size() || areas[p] < areas[best])) best = p;
        }
        if (best == polys.size()) {
          ok = false;
          break;
        }
        polys[best].holes.push_back(std::move(r));
      }
      ok = ok && !polys.empty();
    }
    if (!ok) {
      if (unrecovered) unrecovered->push_back(building);
      continue;
    }
    for (Polygon& p : polys) out.push_back(MeshFootprint{building, std::move(p)});
  }
  return out;
}

std::vector<BuildingLod> building_lods(const BuildingMesh& full, std::span<const double> tolerances_m) {
  std::vector<uint32_t> unrecovered;
  const std::vector<MeshFootprint> fps = mesh_footprints(full, &unrecovered);
  const size_t buildings = distinct_buildings(full);
  const std::unordered_map<uint32_t, Span> spans = building_spans(full);
  std::vector<BuildingLod> levels;
  levels.reserve(tolerances_m.size());
  Extruder ex;
  std::vector<Polygon> simplified;
  for (const double tol : tolerances_m) {
    BuildingLod lod;
    lod.error_m = tol;
    lod.mesh.origin = full.origin;
    lod.mesh.vertices.reserve(full.vertices.size());
    lod.mesh.indices.reserve(full.indices.size());
    lod.mesh.edge_indices.reserve(full.edge_indices.size());
    LodStats& st = lod.stats;
    st.buildings = buildings;
    std::vector<uint32_t> copy = unrecovered;
    for (size_t i = 0; i < fps.size();) {
      // All polygons of one building: unchanged, it is copied from the full mesh as it lies there;
      // if any fails to extrude, the building is copied whole.
      size_t j = i;
      while (j < fps.size() && fps[j].building == fps[i].building) ++j;
      const uint32_t building = fps[i].building;
      simplified.clear();
      bool unchanged = true;
      for (size_t k = i; k < j; ++k) {
        simplified.push_back(simplify_footprint(fps[k].polygon, tol, &st));
        unchanged = unchanged && same_points(simplified.back(), fps[k].polygon);
      }
      const auto span = spans.find(building);
      if (unchanged && span != spans.end()) {
        copy_span(full, span->second, lod.mesh);
        i = j;
        continue;
      }
      const size_t v0 = lod.mesh.vertices.size(), i0 = lod.mesh.indices.size(), e0 = lod.mesh.edge_indices.size();
      bool ok = true;
      for (size_t k = i; k < j && ok; ++k)
        ok = ex.add(simplified[k - i], building, lod.mesh) || ex.add(fps[k].polygon, building, lod.mesh);
      if (!ok) {
        lod.mesh.vertices.resize(v0);
        lod.mesh.indices.resize(i0);
        lod.mesh.edge_indices.resize(e0);
        copy.push_back(building);
      }
      i = j;
    }
    std::sort(copy.begin(), copy.end());
    copy.erase(std::unique(copy.begin(), copy.end()), copy.end());
    st.copied = copy.size();
    copy_buildings(full, copy, lod.mesh);
    st.triangles_full = full.indices.size() / 3;
    st.triangles = lod.mesh.indices.size() / 3;
    st.vertices_full = full.vertices.size();
    st.vertices = lod.mesh.vertices.size();
    levels.push_back(std::move(lod));
  }
  return levels;
}

BuildingLod building_lod(const BuildingMesh& full, double tolerance_m) {
  return std::move(building_lods(full, std::span<const double>(&tolerance_m, 1)).front());
}

}  // namespace parktwin::gis
