#include "parktwin/gis/geometry.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace parktwin::gis {

int64_t LoadReport::skipped_total() const {
  int64_t n = 0;
  for (const auto& [reason, count] : skipped) n += count;
  return n;
}

int LayerData::field(const std::string& name) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i] == name) return static_cast<int>(i);
  return -1;
}

std::string attr_string(const Feature& f, int field) {
  if (field < 0 || static_cast<size_t>(field) >= f.attrs.size()) return {};
  const AttrValue& v = f.attrs[static_cast<size_t>(field)];
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  return {};
}

double attr_number(const Feature& f, int field, double fallback) {
  if (field < 0 || static_cast<size_t>(field) >= f.attrs.size()) return fallback;
  const AttrValue& v = f.attrs[static_cast<size_t>(field)];
  if (const auto* d = std::get_if<double>(&v)) return std::isfinite(*d) ? *d : fallback;
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&v)) {
    char* end = nullptr;
    double d = std::strtod(s->c_str(), &end);
    if (end != s->c_str() && std::isfinite(d)) return d;
  }
  return fallback;
}

double ring_signed_area(const Ring& r) {
  const size_t n = r.size();
  if (n < 3) return 0.0;
  // Shoelace relative to the first point keeps precision for rings far from the origin.
  const glm::dvec2 o = r[0];
  double a = 0.0;
  for (size_t i = 1; i + 1 < n; ++i) {
    const glm::dvec2 p = r[i] - o, q = r[i + 1] - o;
    a += p.x * q.y - q.x * p.y;
  }
  return 0.5 * a;
}

double polygon_area(const Polygon& p) {
  double a = std::abs(ring_signed_area(p.outer));
  for (const Ring& h : p.holes) a -= std::abs(ring_signed_area(h));
  return a;
}

static bool ring_contains(const Ring& r, glm::dvec2 q) {
  bool inside = false;
  const size_t n = r.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const glm::dvec2 a = r[i], b = r[j];
    if ((a.y > q.y) != (b.y > q.y) && q.x < (b.x - a.x) * (q.y - a.y) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

bool polygon_contains(const Polygon& p, glm::dvec2 q) {
  if (p.outer.size() < 3 || !ring_contains(p.outer, q)) return false;
  for (const Ring& h : p.holes)
    if (h.size() >= 3 && ring_contains(h, q)) return false;
  return true;
}

CrossingCount count_crossings(const Polygon& p, size_t cap, size_t work) {
  struct Edge {
    glm::dvec2 a, b;
    double x0, x1;
    uint32_t ring, i, n;
  };
  std::vector<Edge> edges;
  auto add_ring = [&](const Ring& r, uint32_t ring) {
    const auto n = static_cast<uint32_t>(r.size());
    if (n < 2) return;
    for (uint32_t i = 0; i < n; ++i) {
      const glm::dvec2 a = r[i], b = r[(i + 1) % n];
      edges.push_back({a, b, std::min(a.x, b.x), std::max(a.x, b.x), ring, i, n});
    }
  };
  add_ring(p.outer, 0);
  for (size_t h = 0; h < p.holes.size(); ++h) add_ring(p.holes[h], static_cast<uint32_t>(h + 1));
  std::sort(edges.begin(), edges.end(), [](const Edge& l, const Edge& r) { return l.x0 < r.x0; });
  auto orient = [](glm::dvec2 a, glm::dvec2 b, glm::dvec2 c) {
    const double v = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
    return (v > 0.0) - (v < 0.0);
  };
  auto neighbours = [](const Edge& e, const Edge& f) {
    if (e.ring != f.ring) return false;
    const uint32_t d = e.i > f.i ? e.i - f.i : f.i - e.i;
    return d <= 1 || d == e.n - 1;
  };
  CrossingCount out;
  size_t tests = 0;
  std::vector<uint32_t> active;  // edges whose x-range may still overlap the sweep position
  for (uint32_t k = 0; k < edges.size(); ++k) {
    const Edge& e = edges[k];
    tests += active.size();
    std::erase_if(active, [&](uint32_t j) { return edges[j].x1 < e.x0; });
    for (uint32_t j : active) {
      const Edge& f = edges[j];
      if (neighbours(e, f)) continue;
      if (orient(e.a, e.b, f.a) * orient(e.a, e.b, f.b) < 0 && orient(f.a, f.b, e.a) * orient(f.a, f.b, e.b) < 0 &&
          ++out.crossings > cap) {
        out.complete = false;
        return out;
      }
    }
    if (tests > work) {
      out.complete = false;
      return out;
    }
    active.push_back(k);
  }
  return out;
}

}  // namespace parktwin::gis
