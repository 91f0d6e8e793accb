// Building footprints inside developed parcels. Every parcel's buildable area (the parcel minus a
// setback) is cut into disjoint slots separated by fire/access gaps; each slot holds at most one
// building whose footprint lies within the slot, so buildings can never overlap.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "layout.hpp"

namespace parktwin::dataset {
namespace {

/// How a landuse cuts its buildable area into slots.
struct SlotRule {
  double maxLong;   ///< slots longer than this are split
  double maxShort;  ///< slots wider than this across are split
  double gapMin, gapMax;
  double emptyShare;  ///< share of slots left as yards, parking or lawns
};

SlotRule slotRule(const std::string& landuse, double scale) {
  SlotRule r{200, 110, 14, 22, 0.10};
  if (landuse == "warehouse_logistics") r = {210, 90, 16, 26, 0.10};
  if (landuse == "office_rnd") r = {90, 75, 14, 22, 0.12};
  if (landuse == "residential_dormitory") r = {95, 36, 16, 22, 0.06};
  if (landuse == "commercial") r = {80, 60, 12, 18, 0.12};
  if (landuse == "utility") r = {45, 35, 8, 12, 0.25};
  r.maxLong *= scale;
  r.maxShort *= scale;
  return r;
}

void splitSlots(const Rect& r, const SlotRule& rule, Rng& rng, std::vector<Rect>& out) {
  const bool wide = r.width() >= r.height();
  const double along = wide ? r.width() : r.height();
  const double across = wide ? r.height() : r.width();
  // Split the dimension that exceeds its limit the most; a short side may be the u or v one.
  const double overLong = along / rule.maxLong;
  const double overShort = across / rule.maxShort;
  if (std::max(overLong, overShort) <= 1) {
    out.push_back(r);
    return;
  }
  const bool splitU = (overLong >= overShort) == wide;
  const double gap = rng.range(rule.gapMin, rule.gapMax);
  const double f = rng.range(0.4, 0.6);
  const double size = splitU ? r.width() : r.height();
  if (size * std::min(f, 1 - f) - gap / 2 < 12) {
    out.push_back(r);
    return;
  }
  if (splitU) {
    const double s = r.u0 + f * r.width();
    splitSlots({r.u0, r.v0, s - gap / 2, r.v1}, rule, rng, out);
    splitSlots({s + gap / 2, r.v0, r.u1, r.v1}, rule, rng, out);
  } else {
    const double s = r.v0 + f * r.height();
    splitSlots({r.u0, r.v0, r.u1, s - gap / 2}, rule, rng, out);
    splitSlots({r.u0, s + gap / 2, r.u1, r.v1}, rule, rng, out);
  }
}

/// A footprint box of size along x across, placed at random inside the slot, long side along the slot.
Rect placeBox(const Rect& slot, double along, double across, Rng& rng) {
  const bool wide = slot.width() >= slot.height();
  const double w = wide ? along : across;
  const double h = wide ? across : along;
  const double u = slot.u0 + rng.uniform() * std::max(0.0, slot.width() - w);
  const double v = slot.v0 + rng.uniform() * std::max(0.0, slot.height() - h);
  return {u, v, u + w, v + h};
}

/// The box minus one corner: an L.
Ring lShape(const Rect& b, Rng& rng) {
  const double cw = b.width() * rng.range(0.35, 0.6);
  const double ch = b.height() * rng.range(0.35, 0.6);
  Ring r = {{b.u0, b.v0}, {b.u1, b.v0}, {b.u1, b.v1 - ch}, {b.u1 - cw, b.v1 - ch}, {b.u1 - cw, b.v1}, {b.u0, b.v1}};
  // Rotate the cut to one of the four corners by mirroring.
  const int corner = rng.integer(0, 3);
  for (Vec2& p : r) {
    if (corner & 1) p.x = b.u0 + b.u1 - p.x;
    if (corner & 2) p.y = b.v0 + b.v1 - p.y;
  }
  if (signedArea(r) < 0) std::reverse(r.begin(), r.end());
  return r;
}

/// The box with a notch in the middle of its long side: a U.
Ring uShape(const Rect& b, Rng& rng) {
  const bool wide = b.width() >= b.height();
  const double nw = (wide ? b.width() : b.height()) * rng.range(0.3, 0.5);
  const double nd = (wide ? b.height() : b.width()) * rng.range(0.35, 0.55);
  Ring r;
  if (wide) {
    const double m = (b.u0 + b.u1) / 2;
    r = {{b.u0, b.v0}, {b.u1, b.v0}, {b.u1, b.v1}, {m + nw / 2, b.v1}, {m + nw / 2, b.v1 - nd},
         {m - nw / 2, b.v1 - nd}, {m - nw / 2, b.v1}, {b.u0, b.v1}};
  } else {
    const double m = (b.v0 + b.v1) / 2;
    r = {{b.u0, b.v0}, {b.u1, b.v0}, {b.u1, m - nw / 2}, {b.u1 - nd, m - nw / 2}, {b.u1 - nd, m + nw / 2},
         {b.u1, m + nw / 2}, {b.u1, b.v1}, {b.u0, b.v1}};
  }
  if (rng.chance(0.5)) {
    for (Vec2& p : r) {
      if (wide) p.y = b.v0 + b.v1 - p.y; else p.x = b.u0 + b.u1 - p.x;
    }
    std::reverse(r.begin(), r.end());
  }
  return r;
}

/// The box with an inner courtyard (a hole), or a plain box when too small for one.
Shape courtyard(const Rect& b, Rng& rng) {
  Shape s{b.ring(), {}};
  const double t = rng.range(12, 18);
  const Rect inner = b.inset(t);
  if (inner.shorter() >= 10) {
    Ring h = inner.ring();
    std::reverse(h.begin(), h.end());
    s.holes.push_back(std::move(h));
  }
  return s;
}

struct Made {
  std::string kind;
  int floors;
  double height;
  Shape shape;
};

Made hall(const Rect& slot, const char* kind, double hMin, double hMax, int maxFloors, Rng& rng) {
  const double along = std::min(slot.longer() * rng.range(0.82, 0.98), 250.0);
  const double across = std::min(slot.shorter() * rng.range(0.78, 0.96), 120.0);
  const Rect b = placeBox(slot, along, across, rng);
  Shape s{b.ring(), {}};
  const double pick = rng.uniform();
  if (pick < 0.2) {
    s.outer = lShape(b, rng);
  } else if (pick < 0.32) {
    s.outer = uShape(b, rng);
  } else if (pick < 0.36 && b.shorter() >= 60) {
    s = courtyard(b, rng);
  }
  return {kind, rng.integer(1, maxFloors), rng.range(hMin, hMax), std::move(s)};
}

Made smallBuilding(const Rect& slot, const char* kind, double maxAlong, double maxAcross, int fMin, int fMax,
                   double storey, Rng& rng) {
  const double along = std::min(slot.longer() * rng.range(0.7, 0.95), maxAlong);
  const double across = std::min(slot.shorter() * rng.range(0.7, 0.95), maxAcross);
  const int floors = rng.integer(fMin, fMax);
  return {kind, floors, floors * storey, {placeBox(slot, along, across, rng).ring(), {}}};
}

Made office(const Rect& slot, Rng& rng) { return smallBuilding(slot, "office", 70, 24, 3, 8, 3.9, rng); }
Made canteen(const Rect& slot, Rng& rng) { return smallBuilding(slot, "canteen", 50, 30, 2, 3, 4.5, rng); }
Made utility(const Rect& slot, Rng& rng) { return smallBuilding(slot, "utility", 36, 22, 1, 1, 6.5, rng); }
Made lab(const Rect& slot, Rng& rng) { return smallBuilding(slot, "lab", 70, 28, 3, 6, 4.2, rng); }
Made dormitory(const Rect& slot, Rng& rng) { return smallBuilding(slot, "dormitory", 100, 16, 6, 18, 3.0, rng); }
Made warehouse(const Rect& slot, Rng& rng) {
  Made m = hall(slot, "warehouse", 9, 14, 2, rng);
  return m;
}

Made tower(const Rect& slot, Rng& rng) {
  const double side = std::min(slot.shorter() * 0.9, rng.range(24, 40));
  const int floors = rng.integer(15, 32);
  return {"office", floors, floors * 3.8, {placeBox(slot, side, side, rng).ring(), {}}};
}

Made courtyardOffice(const Rect& slot, Rng& rng) {
  // One draw per statement: the order of a call's arguments is unspecified (gcc and clang differ),
  // and the dataset must not depend on the compiler. This order is the one the shipped file has.
  const double across = rng.range(0.8, 0.95);
  const double along = rng.range(0.8, 0.95);
  const Rect b = placeBox(slot, slot.longer() * along, slot.shorter() * across, rng);
  const int floors = rng.integer(4, 7);
  return {"office", floors, floors * 3.9, courtyard(b, rng)};
}

/// Picks among small buildings for slots too small for the landuse's main type.
Made ancillary(const Rect& slot, Rng& rng) {
  const double p = rng.uniform();
  if (p < 0.35) return office(slot, rng);
  if (p < 0.55) return canteen(slot, rng);
  if (p < 0.85) return utility(slot, rng);
  return lab(slot, rng);
}

std::optional<Made> makeBuilding(const Parcel& parcel, const Rect& slot, Rng& rng) {
  const std::string& lu = parcel.landuse;
  const bool big = slot.longer() >= 64 && slot.shorter() >= 34;
  if (lu == "industrial") {
    if (!big) return rng.chance(0.15) && slot.longer() >= 50 ? dormitory(slot, rng) : ancillary(slot, rng);
    if (parcel.smelter) return hall(slot, "smelter", 18, 36, 3, rng);
    return hall(slot, "factory_hall", 10, 24, 2, rng);
  }
  if (lu == "warehouse_logistics") return big ? warehouse(slot, rng) : ancillary(slot, rng);
  if (lu == "office_rnd") {
    if (slot.shorter() >= 55) {
      const double p = rng.uniform();
      if (p < 0.45) return courtyardOffice(slot, rng);
      if (p < 0.7) return tower(slot, rng);
    }
    return rng.chance(0.5) ? lab(slot, rng) : office(slot, rng);
  }
  if (lu == "residential_dormitory") return slot.longer() >= 40 ? dormitory(slot, rng) : canteen(slot, rng);
  if (lu == "commercial") return rng.chance(0.7) ? office(slot, rng) : canteen(slot, rng);
  if (lu == "utility") return utility(slot, rng);
  return std::nullopt;
}

/// Cuts a strip along one long edge of the buildable area for stacks; returns the rest.
Rect placeStacks(const Rect& b, int count, Rng& rng, std::vector<Made>& out) {
  constexpr double kStrip = 28;
  const bool wide = b.width() >= b.height();
  const Rect strip = wide ? Rect{b.u0, b.v0, b.u1, b.v0 + kStrip} : Rect{b.u0, b.v0, b.u0 + kStrip, b.v1};
  const double len = wide ? strip.width() : strip.height();
  for (int i = 0; i < count; ++i) {
    const double t = (i + 0.5) / count * len;
    const Vec2 c = wide ? Vec2{strip.u0 + t, strip.v0 + kStrip / 2} : Vec2{strip.u0 + kStrip / 2, strip.v0 + t};
    out.push_back({"stack", 1, rng.range(90, 240), {circleRing(c, rng.range(4, 7.5), 20), {}}});
  }
  return wide ? Rect{b.u0, b.v0 + kStrip + 14, b.u1, b.v1} : Rect{b.u0 + kStrip + 14, b.v0, b.u1, b.v1};
}

std::vector<Made> parcelBuildings(const Parcel& p, double scale, Rng& rng) {
  std::vector<Made> out;
  if (!p.developed || p.landuse == "green" || p.landuse == "reserve") return out;
  Rect b = p.rect.inset(rng.range(8, 14));
  if (b.shorter() < 14) return out;
  if (p.stacks > 0) b = placeStacks(b, p.stacks, rng, out);
  const SlotRule rule = slotRule(p.landuse, scale);
  std::vector<Rect> slots;
  splitSlots(b, rule, rng, slots);
  for (const Rect& slot : slots) {
    if (slot.shorter() < 10 || rng.chance(rule.emptyShare)) continue;
    if (auto m = makeBuilding(p, slot, rng)) out.push_back(std::move(*m));
  }
  return out;
}

}  // namespace

void placeBuildings(AreaLayout& layout, Rng rng) {
  for (std::size_t i = 0; i < layout.parcels.size(); ++i) {
    Parcel& parcel = layout.parcels[i];
    for (Made& m : parcelBuildings(parcel, layout.area->building_scale, rng)) {
      Building b;
      char buf[16];
      std::snprintf(buf, sizeof buf, "-B%05zu", layout.buildings.size() + 1);
      b.building_id = layout.area->area_id + buf;
      b.parcel = i;
      b.kind = std::move(m.kind);
      b.floors = m.floors;
      b.height_m = std::round(m.height * 10) / 10;
      b.shape = std::move(m.shape);
      parcel.floor_area_m2 += shapeArea(b.shape) * b.floors;
      layout.buildings.push_back(std::move(b));
    }
  }
}

}  // namespace parktwin::dataset
