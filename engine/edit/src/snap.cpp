#include "parktwin/edit/snap.h"

#include <algorithm>
#include <cmath>

#include <glm/geometric.hpp>

namespace parktwin::edit {
namespace {

uint64_t cell_key(int64_t cx, int64_t cy) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(cx)) << 32) | static_cast<uint32_t>(cy);
}

}  // namespace

const char* snap_kind_name(SnapKind k) {
  switch (k) {
    case SnapKind::Vertex: return "vertex";
    case SnapKind::Edge: return "edge";
    case SnapKind::Perpendicular: return "perpendicular";
    case SnapKind::Parallel: return "parallel";
    case SnapKind::Grid: return "grid";
    default: return "none";
  }
}

glm::dvec2 closest_on_segment(glm::dvec2 p, glm::dvec2 a, glm::dvec2 b) {
  const glm::dvec2 d = b - a;
  const double len2 = glm::dot(d, d);
  if (len2 <= 0.0) return a;
  return a + d * std::clamp(glm::dot(p - a, d) / len2, 0.0, 1.0);
}

SnapIndex::SnapIndex(double cell_m) : cell_(cell_m > 0.0 ? cell_m : 50.0) {}

void SnapIndex::clear() {
  segments_.clear();
  cells_.clear();
  stamp_.clear();
}

void SnapIndex::add_polygon(int layer, int64_t fid, int part, const gis::Polygon& p) {
  auto add_ring = [&](const gis::Ring& r, int ring) {
    const size_t n = r.size();
    if (n < 2) return;
    for (size_t i = 0; i < n; ++i) {
      SnapSegment s{r[i], r[(i + 1) % n], layer, fid, part, ring, static_cast<int>(i)};
      const auto id = static_cast<uint32_t>(segments_.size());
      segments_.push_back(s);
      const glm::dvec2 lo = glm::min(s.a, s.b), hi = glm::max(s.a, s.b);
      const auto x0 = static_cast<int64_t>(std::floor(lo.x / cell_)), x1 = static_cast<int64_t>(std::floor(hi.x / cell_));
      const auto y0 = static_cast<int64_t>(std::floor(lo.y / cell_)), y1 = static_cast<int64_t>(std::floor(hi.y / cell_));
      // A very long edge (a province outline) would fill thousands of cells: such layers are not
      // edited, but keep the cost bounded anyway by skipping edges over 256 cells.
      if ((x1 - x0 + 1) * (y1 - y0 + 1) > 256) continue;
      for (int64_t cx = x0; cx <= x1; ++cx)
        for (int64_t cy = y0; cy <= y1; ++cy) cells_[cell_key(cx, cy)].push_back(id);
    }
  };
  add_ring(p.outer, 0);
  for (size_t h = 0; h < p.holes.size(); ++h) add_ring(p.holes[h], static_cast<int>(h + 1));
}

void SnapIndex::add_layer(int layer, const gis::LayerData& data, const std::set<int64_t>& skip) {
  for (const gis::Feature& f : data.features) {
    if (skip.count(f.fid)) continue;
    for (size_t k = 0; k < f.geom.polygons.size(); ++k) add_polygon(layer, f.fid, static_cast<int>(k), f.geom.polygons[k]);
  }
}

void SnapIndex::query(glm::dvec2 lo, glm::dvec2 hi, std::vector<uint32_t>& out) const {
  out.clear();
  if (stamp_.size() < segments_.size()) stamp_.resize(segments_.size(), 0);
  if (++query_no_ == 0) {  // wrapped: forget the old stamps
    std::fill(stamp_.begin(), stamp_.end(), 0);
    query_no_ = 1;
  }
  const auto x0 = static_cast<int64_t>(std::floor(lo.x / cell_)), x1 = static_cast<int64_t>(std::floor(hi.x / cell_));
  const auto y0 = static_cast<int64_t>(std::floor(lo.y / cell_)), y1 = static_cast<int64_t>(std::floor(hi.y / cell_));
  if ((x1 - x0 + 1) * (y1 - y0 + 1) > 4096) {  // a huge box (zoomed far out): scan everything
    for (uint32_t i = 0; i < segments_.size(); ++i) out.push_back(i);
    return;
  }
  for (int64_t cx = x0; cx <= x1; ++cx)
    for (int64_t cy = y0; cy <= y1; ++cy) {
      auto it = cells_.find(cell_key(cx, cy));
      if (it == cells_.end()) continue;
      for (uint32_t id : it->second) {
        if (stamp_[id] == query_no_) continue;
        stamp_[id] = query_no_;
        const SnapSegment& s = segments_[id];
        const glm::dvec2 slo = glm::min(s.a, s.b), shi = glm::max(s.a, s.b);
        if (shi.x < lo.x || slo.x > hi.x || shi.y < lo.y || slo.y > hi.y) continue;
        out.push_back(id);
      }
    }
}

SnapResult snap(const SnapIndex& index, const SnapQuery& q, const SnapOptions& o) {
  SnapResult r;
  r.point = q.cursor;
  const double mpp = q.metres_per_pixel > 0.0 ? q.metres_per_pixel : 1.0;
  const double tol = o.tolerance_px * mpp;
  const glm::dvec2 c = q.cursor;
  auto done = [&](SnapKind k, glm::dvec2 p) {
    r.kind = k;
    r.point = p;
    r.distance_px = glm::length(p - c) / mpp;
    return r;
  };
  auto from_segment = [&](const SnapSegment& s) {
    r.layer = s.layer, r.fid = s.fid, r.part = s.part, r.ring = s.ring;
    r.ref_a = s.a, r.ref_b = s.b;
  };

  std::vector<uint32_t> near;
  index.query(c - glm::dvec2(tol), c + glm::dvec2(tol), near);
  std::vector<SnapSegment> extra;
  for (const auto& [a, b] : q.extra) extra.push_back({a, b, -1, -1, 0, 0, static_cast<int>(extra.size())});
  auto each_near = [&](auto&& fn) {
    for (uint32_t id : near) fn(index.segments()[id]);
    for (const SnapSegment& s : extra) fn(s);
  };

  if (o.vertex) {
    double best = tol;
    const SnapSegment* hit = nullptr;
    glm::dvec2 at(0.0);
    int vi = -1;
    each_near([&](const SnapSegment& s) {
      // Both ends: the extra segments are an open polyline whose last end starts no segment.
      const double da = glm::length(s.a - c), db = glm::length(s.b - c);
      if (da <= best) best = da, hit = &s, at = s.a, vi = s.index;
      if (db < best) best = db, hit = &s, at = s.b, vi = s.index + 1;
    });
    if (hit) {
      from_segment(*hit);
      r.index = vi;
      // The closing edge's end is vertex 0 of its ring.
      if (hit->fid >= 0 && hit->b == at) {
        for (uint32_t id : near) {
          const SnapSegment& s = index.segments()[id];
          if (s.fid == hit->fid && s.part == hit->part && s.ring == hit->ring && s.a == at) r.index = s.index;
        }
      }
      return done(SnapKind::Vertex, at);
    }
  }
  if (o.edge) {
    double best = tol;
    const SnapSegment* hit = nullptr;
    glm::dvec2 at(0.0);
    each_near([&](const SnapSegment& s) {
      const glm::dvec2 p = closest_on_segment(c, s.a, s.b);
      if (const double d = glm::length(p - c); d <= best) best = d, hit = &s, at = p;
    });
    if (hit) {
      from_segment(*hit);
      r.index = hit->index;
      return done(SnapKind::Edge, at);
    }
  }
  if (q.anchor && (o.perpendicular || o.parallel) && glm::length(c - *q.anchor) > tol) {
    const glm::dvec2 A = *q.anchor;
    const double reach = o.reference_radius_px * mpp;
    std::vector<uint32_t> refs, more;
    index.query(c - glm::dvec2(reach), c + glm::dvec2(reach), refs);
    index.query(A - glm::dvec2(reach), A + glm::dvec2(reach), more);
    refs.insert(refs.end(), more.begin(), more.end());
    double best = tol;
    const SnapSegment* hit = nullptr;
    glm::dvec2 at(0.0);
    SnapKind kind = SnapKind::None;
    auto consider = [&](const SnapSegment& s) {
      const glm::dvec2 d = s.b - s.a;
      const double len = glm::length(d);
      if (len <= 1e-9) return;
      const glm::dvec2 u = d / len, n(-u.y, u.x);
      if (o.perpendicular) {
        const glm::dvec2 p = A + n * glm::dot(c - A, n);
        if (const double dist = glm::length(p - c); dist < best) best = dist, hit = &s, at = p, kind = SnapKind::Perpendicular;
      }
      if (o.parallel) {
        const glm::dvec2 p = A + u * glm::dot(c - A, u);
        if (const double dist = glm::length(p - c); dist < best) best = dist, hit = &s, at = p, kind = SnapKind::Parallel;
      }
    };
    for (uint32_t id : refs) consider(index.segments()[id]);
    for (const SnapSegment& s : extra) consider(s);
    if (hit) {
      from_segment(*hit);
      r.index = hit->index;
      return done(kind, at);
    }
  }
  if (o.grid_m > 0.0) {
    const glm::dvec2 g = o.grid_origin + glm::round((c - o.grid_origin) / o.grid_m) * o.grid_m;
    if (glm::length(g - c) <= tol) return done(SnapKind::Grid, g);
  }
  return r;
}

}  // namespace parktwin::edit
