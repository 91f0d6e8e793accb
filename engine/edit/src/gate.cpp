// The validity gate and the GEOS helpers behind it.
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include <glm/geometric.hpp>

#include "geos_util.h"
#include "parktwin/edit/edit.h"

namespace parktwin::edit {
namespace geos {
namespace {

struct Context {
  GEOSContextHandle_t h = nullptr;
  std::string error;
  Context() {
    h = GEOS_init_r();
    GEOSContext_setErrorMessageHandler_r(
        h,
        [](const char* msg, void* user) {
          auto* self = static_cast<Context*>(user);
          if (self->error.empty()) self->error = msg ? msg : "";
        },
        this);
  }
  ~Context() { GEOS_finish_r(h); }
};

Context& context() {
  thread_local Context c;
  return c;
}

GEOSGeometry* ring_of(const gis::Ring& r, bool shell) {
  if (r.size() < 3) return nullptr;
  GEOSCoordSequence* seq = GEOSCoordSeq_create_r(ctx(), static_cast<unsigned>(r.size() + 1), 2);
  if (!seq) return nullptr;
  for (size_t i = 0; i <= r.size(); ++i) {
    const glm::dvec2 p = r[i % r.size()];
    GEOSCoordSeq_setXY_r(ctx(), seq, static_cast<unsigned>(i), p.x, p.y);
  }
  return shell ? GEOSGeom_createLinearRing_r(ctx(), seq) : GEOSGeom_createLinearRing_r(ctx(), seq);
}

gis::Ring ring_from(const GEOSGeometry* ring) {
  gis::Ring out;
  const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx(), ring);
  unsigned n = 0;
  if (!seq || !GEOSCoordSeq_getSize_r(ctx(), seq, &n)) return out;
  for (unsigned i = 0; i < n; ++i) {
    double x = 0, y = 0;
    GEOSCoordSeq_getXY_r(ctx(), seq, i, &x, &y);
    out.emplace_back(x, y);
  }
  if (out.size() > 1 && out.front() == out.back()) out.pop_back();
  return out;
}

}  // namespace

GEOSContextHandle_t ctx() { return context().h; }
std::string take_error() { return std::exchange(context().error, std::string()); }
void GeomDeleter::operator()(GEOSGeometry* g) const {
  if (g) GEOSGeom_destroy_r(ctx(), g);
}

Geom polygon(const gis::Polygon& p) {
  GEOSGeometry* shell = ring_of(p.outer, true);
  if (!shell) return nullptr;
  std::vector<GEOSGeometry*> holes;
  for (const gis::Ring& h : p.holes) {
    GEOSGeometry* g = ring_of(h, false);
    if (!g) {
      GEOSGeom_destroy_r(ctx(), shell);
      for (GEOSGeometry* x : holes) GEOSGeom_destroy_r(ctx(), x);
      return nullptr;
    }
    holes.push_back(g);
  }
  return Geom(GEOSGeom_createPolygon_r(ctx(), shell, holes.data(), static_cast<unsigned>(holes.size())));
}

Geom line(const gis::LineString& l) {
  if (l.size() < 2) return nullptr;
  GEOSCoordSequence* seq = GEOSCoordSeq_create_r(ctx(), static_cast<unsigned>(l.size()), 2);
  for (size_t i = 0; i < l.size(); ++i) GEOSCoordSeq_setXY_r(ctx(), seq, static_cast<unsigned>(i), l[i].x, l[i].y);
  return Geom(GEOSGeom_createLineString_r(ctx(), seq));
}

std::vector<gis::Polygon> polygons(const GEOSGeometry* g) {
  std::vector<gis::Polygon> out;
  if (!g) return out;
  const int type = GEOSGeomTypeId_r(ctx(), g);
  if (type == GEOS_POLYGON) {
    if (GEOSisEmpty_r(ctx(), g)) return out;
    gis::Polygon p;
    p.outer = ring_from(GEOSGetExteriorRing_r(ctx(), g));
    if (gis::ring_signed_area(p.outer) < 0) std::reverse(p.outer.begin(), p.outer.end());
    const int nh = GEOSGetNumInteriorRings_r(ctx(), g);
    for (int i = 0; i < nh; ++i) {
      gis::Ring h = ring_from(GEOSGetInteriorRingN_r(ctx(), g, i));
      if (gis::ring_signed_area(h) > 0) std::reverse(h.begin(), h.end());
      p.holes.push_back(std::move(h));
    }
    out.push_back(std::move(p));
  } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(ctx(), g);
    for (int i = 0; i < n; ++i) {
      auto sub = polygons(GEOSGetGeometryN_r(ctx(), g, i));
      out.insert(out.end(), sub.begin(), sub.end());
    }
  }
  return out;
}

}  // namespace geos

std::string where(const gis::SceneFrame& frame, glm::dvec2 p) {
  const glm::dvec2 ll = frame.to_wgs84(p);
  if (!std::isfinite(ll.x) || !std::isfinite(ll.y)) return "scene (" + std::to_string(p.x) + ", " + std::to_string(p.y) + ") m";
  char buf[80];
  std::snprintf(buf, sizeof buf, "%.6f %c, %.6f %c", std::fabs(ll.y), ll.y >= 0 ? 'N' : 'S', std::fabs(ll.x),
                ll.x >= 0 ? 'E' : 'W');
  return buf;
}

namespace {
double ring_length(const gis::Ring& r) {
  double s = 0.0;
  for (size_t i = 0; i < r.size(); ++i) s += glm::distance(r[i], r[(i + 1) % r.size()]);
  return s;
}
std::string fmt(const char* f, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}
}  // namespace

std::string polygon_problem(const gis::Polygon& p, const gis::SceneFrame& frame, const GateOptions& gate) {
  auto finite = [](const gis::Ring& r) {
    for (auto q : r)
      if (!std::isfinite(q.x) || !std::isfinite(q.y)) return false;
    return true;
  };
  if (!finite(p.outer)) return "a corner has no finite position";
  for (const auto& h : p.holes)
    if (!finite(h)) return "a hole's corner has no finite position";
  auto distinct = [](const gis::Ring& r) {
    size_t n = 0;
    for (size_t i = 0; i < r.size(); ++i)
      if (r[i] != r[(i + 1) % r.size()]) ++n;
    return n;
  };
  if (distinct(p.outer) < 3) return "the outline needs at least 3 distinct corners";
  for (const auto& h : p.holes)
    if (distinct(h) < 3) return "a hole needs at least 3 distinct corners";
  geos::Geom g = geos::polygon(p);
  if (!g) return "not a polygon GEOS accepts: " + geos::take_error();
  char* reason = nullptr;
  GEOSGeometry* location = nullptr;
  const char valid = GEOSisValidDetail_r(geos::ctx(), g.get(), 0, &reason, &location);
  if (valid != 1) {
    std::string why = reason ? reason : "invalid geometry";
    if (reason) GEOSFree_r(geos::ctx(), reason);
    std::string at;
    if (location) {
      double x = 0, y = 0;
      if (GEOSGeomGetX_r(geos::ctx(), location, &x) && GEOSGeomGetY_r(geos::ctx(), location, &y))
        at = " at " + where(frame, {x, y});
      GEOSGeom_destroy_r(geos::ctx(), location);
    }
    for (auto& c : why) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return why + at;
  }
  const double area = gis::polygon_area(p);
  if (area < gate.min_area_m2) return fmt("too small: %.2f m² (at least %.2f m²)", area, gate.min_area_m2);
  double perimeter = ring_length(p.outer);
  for (const auto& h : p.holes) perimeter += ring_length(h);
  const double thinness = 4.0 * M_PI * area / (perimeter * perimeter);
  if (thinness < gate.min_thinness)
    return fmt("a sliver: %.1f m² inside a %.1f m outline (4πA/P² = %.3f, at least %.3f)", area, perimeter, thinness,
               gate.min_thinness);
  return {};
}

bool polygon_within(const gis::Polygon& inner, const gis::Polygon& outer, double tolerance_m) {
  geos::Geom a = geos::polygon(inner), b = geos::polygon(outer);
  if (!a || !b) return false;
  geos::Geom grown(tolerance_m > 0 ? GEOSBuffer_r(geos::ctx(), b.get(), tolerance_m, 4) : nullptr);
  const char r = GEOSCovers_r(geos::ctx(), grown ? grown.get() : b.get(), a.get());
  return r == 1;
}

double distance_to_boundary(const gis::Polygon& building, const gis::Polygon& parcel) {
  geos::Geom a = geos::polygon(building), b = geos::polygon(parcel);
  if (!a || !b) return 0.0;
  if (GEOSCovers_r(geos::ctx(), b.get(), a.get()) != 1) return 0.0;
  geos::Geom edge(GEOSBoundary_r(geos::ctx(), b.get()));
  double d = 0.0;
  if (!edge || !GEOSDistance_r(geos::ctx(), a.get(), edge.get(), &d)) return 0.0;
  return d;
}

}  // namespace parktwin::edit
