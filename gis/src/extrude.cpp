// Building extrusion (roof + walls + outline edges) and flat ground meshes (filled polygons and
// stroked lines). Vertices are written in place into storage sized once per call.
#include "parktwin/gis/extrude.h"

#include <algorithm>
#include <cmath>
#include <span>

namespace parktwin::gis {

namespace {

/// Points closer than this (metres, squared) count as repeats.
constexpr double kRepeatDist2 = 1e-12;
/// Three points whose turn has |sin| below this count as collinear.
constexpr double kCollinearSin2 = 1e-18;
/// A ring vertex whose wall turns by more than 20 degrees gets a vertical edge line.
const double kCornerCos = std::cos(20.0 * 3.14159265358979323846 / 180.0);
/// Joins whose mitre would exceed this many half-widths are bevelled.
constexpr double kMitreLimit = 4.0;

double cross2(glm::dvec2 a, glm::dvec2 b) { return a.x * b.y - a.y * b.x; }
double len2(glm::dvec2 a) { return a.x * a.x + a.y * a.y; }

/// Whether b is redundant between a and c: a repeat, or on the line through them (spikes included).
bool redundant(glm::dvec2 a, glm::dvec2 b, glm::dvec2 c) {
  const glm::dvec2 u = b - a, v = c - b;
  const double lu = len2(u), lv = len2(v);
  if (lu <= kRepeatDist2 || lv <= kRepeatDist2) return true;
  const double x = cross2(u, v);
  return x * x <= kCollinearSin2 * lu * lv;
}

/// Appends `ring` to `pts` without repeated or collinear points, oriented counter-clockwise when
/// `ccw` (else clockwise). Returns false (appending nothing) when fewer than three points remain,
/// the area is zero or a coordinate is not finite.
bool append_clean_ring(const Ring& ring, bool ccw, std::vector<glm::dvec2>& pts) {
  const size_t s = pts.size();
  for (const glm::dvec2 p : ring) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
      pts.resize(s);
      return false;
    }
    if (pts.size() > s && len2(p - pts.back()) <= kRepeatDist2) continue;
    while (pts.size() - s >= 2 && redundant(pts[pts.size() - 2], pts.back(), p)) pts.pop_back();
    pts.push_back(p);
  }
  // Close the ring: trim at the seam until both the last and the first point are needed.
  while (pts.size() - s >= 3) {
    const size_t e = pts.size();
    if (redundant(pts[e - 2], pts[e - 1], pts[s])) {
      pts.pop_back();
    } else if (redundant(pts[e - 1], pts[s], pts[s + 1])) {
      pts.erase(pts.begin() + static_cast<std::ptrdiff_t>(s));
    } else {
      break;
    }
  }
  if (pts.size() - s < 3) {
    pts.resize(s);
    return false;
  }
  const glm::dvec2 o = pts[s];
  double area = 0.0;
  for (size_t k = s + 1; k + 1 < pts.size(); ++k) area += cross2(pts[k] - o, pts[k + 1] - o);
  if (area == 0.0) {
    pts.resize(s);
    return false;
  }
  if ((area > 0.0) != ccw) std::reverse(pts.begin() + static_cast<std::ptrdiff_t>(s), pts.end());
  return true;
}

}  // namespace

bool Extruder::add(const Polygon& footprint, uint32_t building, BuildingMesh& mesh) {
  size_t seen = footprint.outer.size();
  for (const Ring& h : footprint.holes) seen += h.size();
  input_vertices_ += seen;

  pts_.clear();
  starts_.clear();
  if (!append_clean_ring(footprint.outer, true, pts_)) return false;
  starts_.push_back(0);
  for (const Ring& h : footprint.holes) {
    const auto start = static_cast<uint32_t>(pts_.size());
    if (append_clean_ring(h, false, pts_)) starts_.push_back(start);
  }
  idx_.clear();
  if (tri_.triangulate(pts_, starts_, idx_) == 0) return false;

  const size_t n = pts_.size();
  const auto base = static_cast<uint32_t>(mesh.vertices.size());
  const auto wall0 = static_cast<uint32_t>(base + n);

  // Roof: one vertex per footprint point, the triangulation as is. Walls follow (4 per edge).
  mesh.vertices.resize(base + 5 * n);
  BuildingVertex* v = mesh.vertices.data() + base;
  const glm::dvec2 origin = mesh.origin;
  for (size_t k = 0; k < n; ++k) {
    const glm::dvec2 p = pts_[k] - origin;
    v[k] = BuildingVertex{static_cast<float>(p.x), static_cast<float>(p.y), 1.0f, building, 0, 0};
  }
  BuildingVertex* w = v + n;
  {
    const size_t i0 = mesh.indices.size();
    mesh.indices.resize(i0 + idx_.size() + 6 * n);
    uint32_t* out = mesh.indices.data() + i0;
    for (const uint32_t i : idx_) *out++ = base + i;
    // Walls: quad k spans ring edge k with vertices b0, b1 (bottom), t1, t0 (top); seen from
    // outside, edge direction points right, so (b0, b1, t1) and (b0, t1, t0) are counter-clockwise.
    for (uint32_t q = wall0, e = static_cast<uint32_t>(wall0 + 4 * n); q < e; q += 4) {
      out[0] = q;
      out[1] = q + 1;
      out[2] = q + 2;
      out[3] = q;
      out[4] = q + 2;
      out[5] = q + 3;
      out += 6;
    }
  }

  // At most two lines per ring vertex; trimmed to what was written at the end.
  const size_t e0 = mesh.edge_indices.size();
  mesh.edge_indices.resize(e0 + 4 * n);
  uint32_t* edge = mesh.edge_indices.data() + e0;
  const size_t rings = starts_.size();
  for (size_t r = 0; r < rings; ++r) {
    const uint32_t s = starts_[r];
    const auto e = static_cast<uint32_t>(r + 1 < rings ? starts_[r + 1] : n);
    // Direction of the edge that ends at the ring's first vertex, for its corner test.
    glm::dvec2 prev_d = pts_[s] - pts_[e - 1];
    double prev_len = std::sqrt(len2(prev_d));
    for (uint32_t k = s; k < e; ++k) {
      const uint32_t k1 = k + 1 < e ? k + 1 : s;
      const glm::dvec2 d = pts_[k1] - pts_[k];
      const double len = std::sqrt(len2(d));
      const int16_t nx = BuildingVertex::snorm(d.y / len), ny = BuildingVertex::snorm(-d.x / len);
      const float ax = v[k].x, ay = v[k].y, bx = v[k1].x, by = v[k1].y;
      BuildingVertex* q = w + 4 * k;
      q[0] = BuildingVertex{ax, ay, 0.0f, building, nx, ny};
      q[1] = BuildingVertex{bx, by, 0.0f, building, nx, ny};
      q[2] = BuildingVertex{bx, by, 1.0f, building, nx, ny};
      q[3] = BuildingVertex{ax, ay, 1.0f, building, nx, ny};
      // Outline: the roof edge, and a vertical line where the wall turns sharply.
      *edge++ = base + k;
      *edge++ = base + k1;
      if (prev_d.x * d.x + prev_d.y * d.y < kCornerCos * prev_len * len) {
        *edge++ = wall0 + 4 * k;
        *edge++ = wall0 + 4 * k + 3;
      }
      prev_d = d;
      prev_len = len;
    }
  }
  mesh.edge_indices.resize(static_cast<size_t>(edge - mesh.edge_indices.data()));
  return true;
}

bool fill_polygon(const Polygon& poly, uint32_t rgba, uint32_t feature, FlatMesh& mesh, Triangulator& tri) {
  thread_local std::vector<glm::dvec2> pts;
  thread_local std::vector<uint32_t> idx;
  pts.clear();
  idx.clear();
  if (tri.triangulate(poly, pts, idx) == 0) return false;
  const auto base = static_cast<uint32_t>(mesh.vertices.size());
  for (const glm::dvec2 p : pts) {
    const glm::dvec2 r = p - mesh.origin;
    mesh.vertices.push_back(FlatVertex{static_cast<float>(r.x), static_cast<float>(r.y), rgba, feature});
  }
  for (const uint32_t i : idx) mesh.indices.push_back(base + i);
  return true;
}

void stroke_line(const LineString& line, double width, uint32_t rgba, uint32_t feature, FlatMesh& mesh) {
  if (!(width > 0.0) || !std::isfinite(width)) return;
  thread_local std::vector<glm::dvec2> pts;
  pts.clear();
  for (const glm::dvec2 p : line) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    if (!pts.empty() && len2(p - pts.back()) <= kRepeatDist2) continue;  // zero-length segment
    pts.push_back(p);
  }
  if (pts.size() < 2) return;

  const double h = 0.5 * width;
  auto vertex = [&](glm::dvec2 p) {
    const glm::dvec2 r = p - mesh.origin;
    mesh.vertices.push_back(FlatVertex{static_cast<float>(r.x), static_cast<float>(r.y), rgba, feature});
    return static_cast<uint32_t>(mesh.vertices.size() - 1);
  };
  auto tri = [&](uint32_t a, uint32_t b, uint32_t c) {
    mesh.indices.push_back(a);
    mesh.indices.push_back(b);
    mesh.indices.push_back(c);
  };
  auto left_normal = [](glm::dvec2 a, glm::dvec2 b) {
    const glm::dvec2 d = b - a;
    const double l = std::sqrt(len2(d));
    return glm::dvec2{-d.y / l, d.x / l};
  };

  // A strip of (left, right) pairs; quads between consecutive pairs, bevel triangles at sharp joins.
  glm::dvec2 n0 = left_normal(pts[0], pts[1]);
  uint32_t pl = vertex(pts[0] + h * n0), pr = vertex(pts[0] - h * n0);
  auto quad_to = [&](uint32_t l, uint32_t r) {
    tri(pr, r, l);
    tri(pr, l, pl);
    pl = l;
    pr = r;
  };
  for (size_t k = 1; k + 1 < pts.size(); ++k) {
    const glm::dvec2 p = pts[k];
    const glm::dvec2 n1 = left_normal(p, pts[k + 1]);
    const glm::dvec2 m = n0 + n1;
    const double ml = std::sqrt(len2(m));
    // cos of half the turn; the mitre reaches h / cos from the centre line.
    const double c = ml * 0.5;
    if (c * kMitreLimit >= 1.0) {
      const glm::dvec2 off = m * (h / (ml * c));
      quad_to(vertex(p + off), vertex(p - off));
    } else {
      quad_to(vertex(p + h * n0), vertex(p - h * n0));
      const uint32_t centre = vertex(p);
      const uint32_t l1 = vertex(p + h * n1), r1 = vertex(p - h * n1);
      const glm::dvec2 d0{n0.y, -n0.x}, d1{n1.y, -n1.x};
      if (cross2(d0, d1) >= 0.0) tri(centre, pr, r1);  // left turn: the gap opens on the right
      else tri(centre, l1, pl);
      pl = l1;
      pr = r1;
    }
    n0 = n1;
  }
  const glm::dvec2 last = pts.back();
  quad_to(vertex(last + h * n0), vertex(last - h * n0));
}

}  // namespace parktwin::gis
