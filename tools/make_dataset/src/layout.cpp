#include "layout.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <stdexcept>

namespace parktwin::dataset {
namespace {

constexpr double kSidewalk = 4.0;      ///< verge between carriageway edge and block edge, metres
constexpr double kRoadOverrun = 11.0;  ///< local roads run on into the bounding roads, metres
constexpr int kBoundaryVertices = 32;

/// Road class attributes.
struct RoadClass {
  const char* cls;
  double width;
  int lanes;
};
constexpr RoadClass kArterial{"arterial", 40, 6};
constexpr RoadClass kCollector{"collector", 24, 4};
constexpr RoadClass kLocal{"local", 14, 2};
constexpr RoadClass kService{"service", 8, 1};

/// One street-grid line at a fixed u (or v).
struct GridLine {
  double pos;
  RoadClass cls;
};

std::string numbered(const std::string& prefix, char tag, std::size_t n, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*zu", digits, n);
  return prefix + "-" + tag + buf;
}

/// Smooth radius factor of the boundary at angle t.
struct Wobble {
  double amp[3];
  double phase[3];
  static constexpr int kHarmonic[3] = {2, 3, 5};
  [[nodiscard]] double at(double t) const {
    double r = 1;
    for (int i = 0; i < 3; ++i) r += amp[i] * std::cos(kHarmonic[i] * t + phase[i]);
    return r;
  }
};

Shape parkBoundary(const AreaSpec& a, const std::vector<Vec2>& anchors, Rng& rng) {
  Wobble w{};
  for (int i = 0; i < 3; ++i) {
    w.amp[i] = rng.range(0.03, 0.08);
    w.phase[i] = rng.range(0, 2 * std::numbers::pi);
  }
  double scale = 1;
  for (const Vec2& p : anchors) {
    const double x = (p.x - a.centre_u) / a.radius_u;
    const double y = (p.y - a.centre_v) / a.radius_v;
    scale = std::max(scale, std::hypot(x, y) / (0.8 * w.at(std::atan2(y, x))));
  }
  Shape s;
  for (int i = 0; i < kBoundaryVertices; ++i) {
    const double t = 2 * std::numbers::pi * i / kBoundaryVertices;
    const double r = scale * (w.at(t) + rng.range(-0.025, 0.025));
    s.outer.push_back({a.centre_u + a.radius_u * r * std::cos(t), a.centre_v + a.radius_v * r * std::sin(t)});
  }
  return s;
}

std::vector<GridLine> gridLines(double lo, double hi, const AreaSpec& a, Rng& rng) {
  const int n = std::max(1, a.collectors_per_arterial);
  const double c = a.arterial_spacing / n;
  std::vector<GridLine> lines;
  const int k0 = static_cast<int>(std::floor(lo / c)) - 1;
  const int k1 = static_cast<int>(std::ceil(hi / c)) + 1;
  for (int k = k0; k <= k1; ++k) {
    const bool arterial = ((k % n) + n) % n == 0;
    lines.push_back({(k + 0.5) * c + rng.range(-0.1, 0.1) * c, arterial ? kArterial : kCollector});
  }
  return lines;
}

void bounds(const Ring& r, double& u0, double& v0, double& u1, double& v1) {
  u0 = v0 = 1e300;
  u1 = v1 = -1e300;
  for (const Vec2& p : r) {
    u0 = std::min(u0, p.x);
    v0 = std::min(v0, p.y);
    u1 = std::max(u1, p.x);
    v1 = std::max(v1, p.y);
  }
}

/// Collects roads while clipping them to the boundary and converting them to lon/lat.
class RoadBuilder {
public:
  RoadBuilder(AreaLayout& layout, const OGRPolygon& boundary) : layout_(layout), boundary_(boundary) {}

  void add(Vec2 a, Vec2 b, const RoadClass& cls, const std::string& name) {
    OGRLineString line;
    line.addPoint(a.x, a.y);
    line.addPoint(b.x, b.y);
    std::unique_ptr<OGRGeometry> clipped(boundary_.Intersection(&line));
    if (!clipped) return;
    for (auto& part : lineParts(*clipped)) {
      if (part->toLineString()->get_Length() < 30) continue;
      Road r;
      r.road_id = numbered(layout_.area->area_id, 'R', layout_.roads.size() + 1, 4);
      r.cls = cls.cls;
      r.name_zh = name;
      r.width_m = cls.width;
      r.lanes = cls.lanes;
      gridToLonLat(*part, layout_.frame);
      r.geometry = std::move(part);
      layout_.roads.push_back(std::move(r));
    }
  }

private:
  static std::vector<std::unique_ptr<OGRGeometry>> lineParts(const OGRGeometry& g) {
    std::vector<std::unique_ptr<OGRGeometry>> out;
    const auto type = wkbFlatten(g.getGeometryType());
    if (type == wkbLineString) {
      out.emplace_back(g.clone());
    } else if (OGR_GT_IsSubClassOf(type, wkbGeometryCollection)) {
      for (const OGRGeometry* p : *g.toGeometryCollection()) {
        auto sub = lineParts(*p);
        for (auto& s : sub) out.push_back(std::move(s));
      }
    }
    return out;
  }
  AreaLayout& layout_;
  const OGRPolygon& boundary_;
};

double maxParcelSide(const std::string& landuse, const AreaSpec& a) {
  if (landuse == "industrial") return a.parcel_size;
  if (landuse == "warehouse_logistics") return 0.9 * a.parcel_size;
  if (landuse == "office_rnd") return 150;
  if (landuse == "residential_dormitory") return 170;
  if (landuse == "commercial") return 120;
  if (landuse == "utility") return 90;
  return 1e9;
}

/// Splits into parcels along the longer side until every parcel fits the landuse's size.
void splitParcels(const Rect& r, double maxSide, Rng& rng, std::vector<Rect>& out) {
  if (r.longer() <= maxSide || r.longer() < 80) {
    out.push_back(r);
    return;
  }
  const double f = rng.range(0.38, 0.62);
  if (r.width() >= r.height()) {
    const double s = r.u0 + f * r.width();
    splitParcels({r.u0, r.v0, s, r.v1}, maxSide, rng, out);
    splitParcels({s, r.v0, r.u1, r.v1}, maxSide, rng, out);
  } else {
    const double s = r.v0 + f * r.height();
    splitParcels({r.u0, r.v0, r.u1, s}, maxSide, rng, out);
    splitParcels({r.u0, s, r.u1, r.v1}, maxSide, rng, out);
  }
}

class BlockBuilder {
public:
  BlockBuilder(AreaLayout& layout, RoadBuilder& roads, Rng& rng) : layout_(layout), roads_(roads), rng_(rng) {
    for (const auto& [k, w] : layout.area->landuse_mix) {
      landuses_.push_back(k);
      weights_.push_back(w);
    }
  }

  /// A block fully inside the boundary: local/service roads, then parcels.
  void developed(const Rect& block) {
    const std::string landuse = drawLanduse();
    split(block, 0, landuse);
  }

  /// A cell cut by the boundary: its inside part becomes open land.
  void edge(const OGRGeometry& inside) {
    for (Shape& s : shapesOf(inside)) {
      const double area = shapeArea(s);
      if (area < 1500) continue;
      Parcel p;
      p.landuse = rng_.chance(0.5) ? "green" : "reserve";
      p.area_m2 = area;
      p.shape = std::move(s);
      addParcel(std::move(p));
    }
  }

private:
  std::string drawLanduse() { return landuses_[rng_.weighted(weights_)]; }

  void split(const Rect& r, int depth, const std::string& landuse) {
    if (r.longer() <= layout_.area->max_block || r.shorter() < 60) {
      parcels(r, rng_.chance(0.25) ? drawLanduse() : landuse);
      return;
    }
    const RoadClass& cls = depth == 0 ? kLocal : kService;
    const double gap = cls.width / 2 + kSidewalk;
    const double f = rng_.range(0.4, 0.6);
    if (r.width() >= r.height()) {
      const double s = r.u0 + f * r.width();
      roads_.add({s, r.v0 - kRoadOverrun}, {s, r.v1 + kRoadOverrun}, cls, "");
      split({r.u0, r.v0, s - gap, r.v1}, depth + 1, landuse);
      split({s + gap, r.v0, r.u1, r.v1}, depth + 1, landuse);
    } else {
      const double s = r.v0 + f * r.height();
      roads_.add({r.u0 - kRoadOverrun, s}, {r.u1 + kRoadOverrun, s}, cls, "");
      split({r.u0, r.v0, r.u1, s - gap}, depth + 1, landuse);
      split({r.u0, s + gap, r.u1, r.v1}, depth + 1, landuse);
    }
  }

  void parcels(const Rect& block, const std::string& landuse) {
    std::vector<Rect> rects;
    splitParcels(block, maxParcelSide(landuse, *layout_.area), rng_, rects);
    for (const Rect& r : rects) {
      Parcel p;
      p.landuse = landuse;
      if (r.area() < 2500 && landuse != "green" && landuse != "reserve") p.landuse = rng_.chance(0.5) ? "green" : "utility";
      p.rect = r;
      p.shape.outer = r.ring();
      p.area_m2 = r.area();
      p.developed = true;
      addParcel(std::move(p));
    }
  }

  void addParcel(Parcel p) {
    p.parcel_id = numbered(layout_.area->area_id, 'P', layout_.parcels.size() + 1, 4);
    layout_.parcels.push_back(std::move(p));
  }

  AreaLayout& layout_;
  RoadBuilder& roads_;
  Rng& rng_;
  std::vector<std::string> landuses_;
  std::vector<double> weights_;
};

void addGridRoads(const std::vector<GridLine>& us, const std::vector<GridLine>& vs, RoadBuilder& roads,
                  const AreaSpec& a) {
  std::size_t named = 0;
  auto nameFor = [&](const RoadClass& c) {
    if (std::string(c.cls) != "arterial" || named >= a.arterial_names.size()) return std::string{};
    return a.arterial_names[named++];
  };
  const double vlo = vs.front().pos, vhi = vs.back().pos, ulo = us.front().pos, uhi = us.back().pos;
  for (const GridLine& l : us) roads.add({l.pos, vlo}, {l.pos, vhi}, l.cls, nameFor(l.cls));
  for (const GridLine& l : vs) roads.add({ulo, l.pos}, {uhi, l.pos}, l.cls, nameFor(l.cls));
}

void addBlocks(const std::vector<GridLine>& us, const std::vector<GridLine>& vs, const OGRPolygon& boundary,
               BlockBuilder& blocks) {
  for (std::size_t i = 0; i + 1 < us.size(); ++i) {
    for (std::size_t j = 0; j + 1 < vs.size(); ++j) {
      const Rect cell{us[i].pos + us[i].cls.width / 2 + kSidewalk, vs[j].pos + vs[j].cls.width / 2 + kSidewalk,
                      us[i + 1].pos - us[i + 1].cls.width / 2 - kSidewalk,
                      vs[j + 1].pos - vs[j + 1].cls.width / 2 - kSidewalk};
      if (cell.shorter() < 40) continue;
      auto poly = gridPolygon({cell.ring(), {}});
      if (poly->Within(&boundary)) {
        blocks.developed(cell);
      } else if (poly->Intersects(&boundary)) {
        std::unique_ptr<OGRGeometry> inside(poly->Intersection(&boundary));
        if (inside) blocks.edge(*inside);
      }
    }
  }
}

void checkBoundary(const AreaLayout& l, const std::vector<std::string>& anchorIds, const RealData& real) {
  auto lonlat = lonLatPolygon(l.boundary, l.frame);
  for (const std::string& id : anchorIds) {
    const Vec2 p = real.points.at(id);
    OGRPoint pt(p.x, p.y);
    if (!lonlat->Contains(&pt)) {
      throw std::runtime_error("park area " + l.area->area_id + " does not contain anchor " + id +
                               ": enlarge radius_m or move centre_offset_m in the dataset spec");
    }
  }
  const auto city = real.city_shapes.find(l.park->city_adcode);
  if (city == real.city_shapes.end()) {
    throw std::runtime_error("city " + std::to_string(l.park->city_adcode) + " of park " + l.park->park_id +
                             " is missing from the cities file");
  }
  if (!lonlat->Within(city->second.get())) {
    throw std::runtime_error("park area " + l.area->area_id + " leaves the polygon of city " +
                             std::to_string(l.park->city_adcode) +
                             ": shrink radius_m or move the origin in the dataset spec");
  }
}

void markSmelters(AreaLayout& l, const RealData& real, Rng& rng) {
  const AreaSpec& a = *l.area;
  for (Parcel& p : l.parcels) {
    if (p.developed && p.landuse == "industrial") p.smelter = rng.chance(a.smelter_share);
  }
  if (a.smelter_anchor.empty()) return;
  Parcel& main = l.parcels.at(parcelAt(l, l.frame.toGrid(real.points.at(a.smelter_anchor))));
  main.landuse = "industrial";
  main.smelter = true;
  main.stacks = a.stacks;
}

}  // namespace

std::size_t parcelAt(const AreaLayout& layout, Vec2 g) {
  std::size_t best = 0;
  double bestDist = 1e300;
  for (std::size_t i = 0; i < layout.parcels.size(); ++i) {
    const Parcel& p = layout.parcels[i];
    if (!p.developed) continue;
    const Rect& r = p.rect;
    if (g.x >= r.u0 && g.x <= r.u1 && g.y >= r.v0 && g.y <= r.v1) return i;
    const Vec2 c = r.centre();
    const double d = std::hypot(c.x - g.x, c.y - g.y);
    if (d < bestDist) {
      bestDist = d;
      best = i;
    }
  }
  if (bestDist == 1e300) throw std::runtime_error("park area " + layout.area->area_id + " has no developed parcel");
  return best;
}

AreaLayout layoutArea(const ParkSpec& park, const AreaSpec& area, const RealData& real, Rng rng) {
  AreaLayout l;
  l.park = &park;
  l.area = &area;
  l.frame = AreaFrame(area.lon, area.lat, area.grid_bearing_deg);
  std::vector<Vec2> anchors;
  for (const std::string& id : area.anchors) {
    const auto it = real.points.find(id);
    if (it == real.points.end()) {
      throw std::runtime_error("anchor " + id + " of area " + area.area_id + " is not in the reference points file");
    }
    anchors.push_back(l.frame.toGrid(it->second));
  }
  l.boundary = parkBoundary(area, anchors, rng);
  checkBoundary(l, area.anchors, real);

  double u0, v0, u1, v1;
  bounds(l.boundary.outer, u0, v0, u1, v1);
  const auto us = gridLines(u0, u1, area, rng);
  const auto vs = gridLines(v0, v1, area, rng);
  const auto boundary = gridPolygon(l.boundary);
  RoadBuilder roads(l, *boundary);
  addGridRoads(us, vs, roads, area);
  BlockBuilder blocks(l, roads, rng);
  addBlocks(us, vs, *boundary, blocks);
  markSmelters(l, real, rng);
  return l;
}

}  // namespace parktwin::dataset
