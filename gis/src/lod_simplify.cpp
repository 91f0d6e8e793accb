// Building footprints simplified within a tolerance for the levels of detail (lod.h): Douglas-
// Peucker, narrow holes filled, outlines boxed when the box stays close; each result checked
// against the original before it is kept.
#include "parktwin/gis/lod.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "lod_detail.h"

namespace parktwin::gis {

namespace lod_detail {

using glm::dvec2;

bool ring_contains(const Ring& r, dvec2 q) {
  bool in = false;
  for (size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
    const dvec2 a = r[i], b = r[j];
    if ((a.y > q.y) != (b.y > q.y) && q.x < (b.x - a.x) * (q.y - a.y) / (b.y - a.y) + a.x) in = !in;
  }
  return in;
}

}  // namespace lod_detail

namespace {

using lod_detail::ring_contains;

using glm::dvec2;

double cross2(dvec2 a, dvec2 b) { return a.x * b.y - a.y * b.x; }
double dot2(dvec2 a, dvec2 b) { return a.x * b.x + a.y * b.y; }

/// Squared distance from p to the segment ab.
double seg_dist2(dvec2 p, dvec2 a, dvec2 b) {
  const dvec2 d = b - a, w = p - a;
  const double l2 = dot2(d, d);
  double s = l2 > 0.0 ? dot2(w, d) / l2 : 0.0;
  s = std::clamp(s, 0.0, 1.0);
  const dvec2 q = w - s * d;
  return dot2(q, q);
}

/// Distance from q to the region a ring encloses (0 inside).
double dist_to_ring_region(const Ring& r, dvec2 q) {
  bool in = false;
  double best = INFINITY;
  for (size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
    const dvec2 a = r[i], b = r[j];
    if ((a.y > q.y) != (b.y > q.y) && q.x < (b.x - a.x) * (q.y - a.y) / (b.y - a.y) + a.x) in = !in;
    best = std::min(best, seg_dist2(q, a, b));
  }
  return in ? 0.0 : std::sqrt(best);
}

/// Douglas-Peucker on a closed ring: a subset of its points, every dropped point within `tol` of
/// the kept segment that replaces it. At least three points are kept (when the ring has them).
Ring simplify_ring(const Ring& r, double tol) {
  const size_t n = r.size();
  if (n <= 3) return r;
  std::vector<uint8_t> keep(n, 0);
  size_t far = 0;
  double far_d = -1.0;
  for (size_t k = 1; k < n; ++k) {
    const double d = dot2(r[k] - r[0], r[k] - r[0]);
    if (d > far_d) far_d = d, far = k;
  }
  keep[0] = keep[far] = 1;
  const double tol2 = tol * tol;
  // Spans [i, j] over indices modulo n (j may be n, meaning point 0 again).
  std::vector<std::pair<size_t, size_t>> stack{{0, far}, {far, n}};
  // The farthest point of each half from its span, forced in when the ring would collapse.
  size_t half_far[2] = {0, 0};
  bool first_span[2] = {true, true};
  while (!stack.empty()) {
    const auto [i, j] = stack.back();
    stack.pop_back();
    if (j - i < 2) continue;
    const dvec2 a = r[i % n], b = r[j % n];
    size_t best = i + 1;
    double best_d = -1.0;
    for (size_t k = i + 1; k < j; ++k) {
      const double d = seg_dist2(r[k], a, b);
      if (d > best_d) best_d = d, best = k;
    }
    const int half = i < far ? 0 : 1;
    if (first_span[half] && ((i == 0 && j == far) || (i == far && j == n))) {
      half_far[half] = best;
      first_span[half] = false;
    }
    if (best_d > tol2) {
      keep[best] = 1;
      stack.push_back({i, best});
      stack.push_back({best, j});
    }
  }
  size_t kept = 0;
  for (uint8_t k : keep) kept += k;
  if (kept < 3) {
    for (size_t h : half_far)
      if (h != 0) keep[h] = 1;
  }
  Ring out;
  out.reserve(n);
  for (size_t k = 0; k < n; ++k)
    if (keep[k]) out.push_back(r[k]);
  return out;
}

/// Whether every point of the ring's interior is within `tol` of its boundary: its width across
/// one of its edges' directions is at most 2 tol (an upper bound on twice its inradius).
bool ring_narrow(const Ring& r, double tol) {
  const size_t n = r.size();
  if (n < 3 || n > 128) return false;
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const dvec2 d = r[i] - r[j];
    const double l = std::sqrt(dot2(d, d));
    if (l <= 0.0) continue;
    const dvec2 nrm{-d.y / l, d.x / l};
    double lo = INFINITY, hi = -INFINITY;
    for (const dvec2 p : r) {
      const double s = dot2(p, nrm);
      lo = std::min(lo, s);
      hi = std::max(hi, s);
    }
    if (hi - lo <= 2.0 * tol) return true;
  }
  return false;
}

/// Convex hull (Andrew's monotone chain), counter-clockwise.
std::vector<dvec2> convex_hull(std::vector<dvec2> p) {
  std::sort(p.begin(), p.end(), [](dvec2 a, dvec2 b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  p.erase(std::unique(p.begin(), p.end()), p.end());
  if (p.size() < 3) return p;
  std::vector<dvec2> h(2 * p.size());
  size_t k = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    while (k >= 2 && cross2(h[k - 1] - h[k - 2], p[i] - h[k - 2]) <= 0.0) --k;
    h[k++] = p[i];
  }
  for (size_t i = p.size() - 1, t = k + 1; i-- > 0;) {
    while (k >= t && cross2(h[k - 1] - h[k - 2], p[i] - h[k - 2]) <= 0.0) --k;
    h[k++] = p[i];
  }
  h.resize(k - 1);
  return h;
}

/// The minimum-area bounding rectangle of `outer` (over its hull's edge directions), when every
/// point of it lies within `tol` of the region `outer` encloses; written counter-clockwise.
bool box_within(const Ring& outer, double tol, Ring& box) {
  const std::vector<dvec2> hull = convex_hull(outer);
  if (hull.size() < 3) return false;
  double best = INFINITY;
  dvec2 bu{1, 0}, bv{0, 1};
  double u0 = 0, u1 = 0, v0 = 0, v1 = 0;
  for (size_t i = 0, j = hull.size() - 1; i < hull.size(); j = i++) {
    const dvec2 d = hull[i] - hull[j];
    const double l = std::sqrt(dot2(d, d));
    if (l <= 0.0) continue;
    const dvec2 u = d / l, v{-u.y, u.x};
    double a0 = INFINITY, a1 = -INFINITY, b0 = INFINITY, b1 = -INFINITY;
    for (const dvec2 p : hull) {
      const double s = dot2(p, u), t = dot2(p, v);
      a0 = std::min(a0, s), a1 = std::max(a1, s), b0 = std::min(b0, t), b1 = std::max(b1, t);
    }
    const double area = (a1 - a0) * (b1 - b0);
    if (area < best) best = area, bu = u, bv = v, u0 = a0, u1 = a1, v0 = b0, v1 = b1;
  }
  // Cheap rejection: what the box adds lies within tol of the outline's edges that are not on the
  // box (edges on it have nothing of the box beyond them), so its area is bounded by their length.
  const double lu = u1 - u0, lv = v1 - v0;
  const double eps = 1e-9 * (lu + lv);
  auto on_box = [&](dvec2 a, dvec2 b) {
    const double sa = dot2(a, bu), sb = dot2(b, bu), ta = dot2(a, bv), tb = dot2(b, bv);
    return (std::abs(sa - u0) <= eps && std::abs(sb - u0) <= eps) || (std::abs(sa - u1) <= eps && std::abs(sb - u1) <= eps) ||
           (std::abs(ta - v0) <= eps && std::abs(tb - v0) <= eps) || (std::abs(ta - v1) <= eps && std::abs(tb - v1) <= eps);
  };
  double inner = 0.0;
  for (size_t i = 0, j = outer.size() - 1; i < outer.size(); j = i++)
    if (!on_box(outer[j], outer[i])) inner += std::sqrt(dot2(outer[i] - outer[j], outer[i] - outer[j]));
  const double added = best - std::abs(ring_signed_area(outer));
  if (added > inner * tol + std::numbers::pi * tol * tol) return false;

  // Exact-conservative check by cells of side at most tol, in the box's frame: a cell whose
  // centre is d from the region and whose half-diagonal is h holds no point farther than d + h.
  // Cells whose centre is inside (d = 0, h <= tol / sqrt 2) pass; a scanline per row finds them
  // without a distance query. Undecided cells split, a few times.
  const auto nu = static_cast<size_t>(std::ceil(lu / tol)), nv = static_cast<size_t>(std::ceil(lv / tol));
  if (nu * nv > 16384) return false;
  Ring local(outer.size());
  for (size_t k = 0; k < outer.size(); ++k) local[k] = dvec2{dot2(outer[k], bu) - u0, dot2(outer[k], bv) - v0};
  struct Cell { double cu, cv, hu, hv; int depth; };
  std::vector<Cell> cells;
  std::vector<double> xs;
  const double hu0 = 0.5 * lu / static_cast<double>(std::max<size_t>(nu, 1));
  const double hv0 = 0.5 * lv / static_cast<double>(std::max<size_t>(nv, 1));
  for (size_t b = 0; b < nv; ++b) {
    const double cv = (2.0 * static_cast<double>(b) + 1.0) * hv0;
    xs.clear();
    for (size_t i = 0, j = local.size() - 1; i < local.size(); j = i++) {
      const dvec2 p = local[i], q = local[j];
      if ((p.y > cv) != (q.y > cv)) xs.push_back((q.x - p.x) * (cv - p.y) / (q.y - p.y) + p.x);
    }
    std::sort(xs.begin(), xs.end());
    size_t passed = 0;
    for (size_t a = 0; a < nu; ++a) {
      const double cu = (2.0 * static_cast<double>(a) + 1.0) * hu0;
      while (passed < xs.size() && xs[passed] <= cu) ++passed;
      if (passed % 2 == 0) cells.push_back({cu, cv, hu0, hv0, 0});  // centre outside the outline
    }
  }
  size_t work = 0;
  while (!cells.empty()) {
    const Cell c = cells.back();
    cells.pop_back();
    if (++work > 4096) return false;
    const double d = dist_to_ring_region(local, dvec2{c.cu, c.cv});
    const double h = std::sqrt(c.hu * c.hu + c.hv * c.hv);
    if (d + h <= tol) continue;
    if (d > tol || c.depth >= 6) return false;
    const double qu = 0.5 * c.hu, qv = 0.5 * c.hv;
    for (int s = -1; s <= 1; s += 2)
      for (int t = -1; t <= 1; t += 2) cells.push_back({c.cu + s * qu, c.cv + t * qv, qu, qv, c.depth + 1});
  }
  box = {u0 * bu + v0 * bv, u1 * bu + v0 * bv, u1 * bu + v1 * bv, u0 * bu + v1 * bv};
  return true;
}

/// Whether a simplified polygon is usable in place of `orig`: rings of three or more points with
/// the original orientations, no crossing edges, every hole inside the outer ring.
bool valid_simplification(const Polygon& p, const Polygon& orig) {
  const double oa = ring_signed_area(orig.outer), sa = ring_signed_area(p.outer);
  if (p.outer.size() < 3 || sa == 0.0 || (sa > 0.0) != (oa > 0.0)) return false;
  for (const Ring& h : p.holes) {
    const double ha = ring_signed_area(h);
    if (h.size() < 3 || ha == 0.0 || (ha > 0.0) == (sa > 0.0)) return false;
    if (!ring_contains(p.outer, h[0])) return false;
  }
  const CrossingCount cc = count_crossings(p, 0, 1u << 20);
  return cc.crossings == 0 && cc.complete;
}

size_t vertex_count(const Polygon& p) {
  size_t n = p.outer.size();
  for (const Ring& h : p.holes) n += h.size();
  return n;
}

/// Rings with repeated points (closing repeat included) removed.
Ring dedup(const Ring& r) {
  Ring out;
  out.reserve(r.size());
  for (const dvec2 p : r)
    if (out.empty() || p != out.back()) out.push_back(p);
  while (out.size() > 1 && out.back() == out.front()) out.pop_back();
  return out;
}

Polygon simplify_at(const Polygon& orig, double tol, size_t& holes_filled) {
  Polygon p;
  p.outer = simplify_ring(orig.outer, tol);
  holes_filled = 0;
  for (const Ring& h : orig.holes) {
    if (ring_narrow(h, tol)) {
      ++holes_filled;
      continue;
    }
    p.holes.push_back(simplify_ring(h, tol));
  }
  return p;
}

}  // namespace

Polygon simplify_footprint(const Polygon& footprint, double tolerance_m, LodStats* stats) {
  LodStats local;
  LodStats& st = stats ? *stats : local;
  ++st.polygons;
  // Four points or fewer and no hole (a rectangle, say): nothing a level could drop.
  if (footprint.holes.empty() && footprint.outer.size() <= 4) return footprint;
  Polygon orig;
  orig.outer = dedup(footprint.outer);
  for (const Ring& h : footprint.holes) orig.holes.push_back(dedup(h));
  bool finite = std::isfinite(tolerance_m);
  for (const dvec2 q : orig.outer) finite = finite && std::isfinite(q.x) && std::isfinite(q.y);
  for (const Ring& h : orig.holes)
    for (const dvec2 q : h) finite = finite && std::isfinite(q.x) && std::isfinite(q.y);
  if (orig.outer.size() < 3 || !(tolerance_m > 0.0) || !finite) {
    ++st.kept;
    return footprint;
  }
  // Douglas-Peucker at the tolerance; when the rings cross or a hole leaves, at finer ones.
  Polygon best;
  size_t filled = 0;
  bool found = false;
  for (double t = tolerance_m; t >= tolerance_m / 8.0 && !found; t *= 0.5) {
    best = simplify_at(orig, t, filled);
    // Nothing dropped: the rings are the input's (a rectangle, say), valid as they were.
    found = (filled == 0 && vertex_count(best) == vertex_count(orig)) || valid_simplification(best, orig);
  }
  if (!found) {
    best = orig;
    filled = 0;
  }
  // The oriented bounding box when it stays within the tolerance of the outline.
  Ring box;
  if (best.outer.size() > 4 && box_within(orig.outer, tolerance_m, box)) {
    if (ring_signed_area(orig.outer) < 0.0) std::reverse(box.begin(), box.end());
    Polygon boxed{box, best.holes};
    if (valid_simplification(boxed, orig)) {
      best = std::move(boxed);
      ++st.boxed;
      found = true;
    }
  }
  if (!found) {
    ++st.kept;
    return footprint;
  }
  st.holes_filled += filled;
  if (vertex_count(best) < vertex_count(orig)) ++st.simplified;
  else ++st.kept;
  return best;
}

}  // namespace parktwin::gis
