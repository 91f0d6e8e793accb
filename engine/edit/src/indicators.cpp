// Planning indicators and zoning checks (see indicators.h for the definitions).
#include "parktwin/edit/indicators.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace parktwin::edit {
namespace {

using gis::Failure;

constexpr double kFloorHeight = 3.5;  ///< metres per floor when a building has only a height

const char* const kRuleKeys[] = {"far_min",      "far_max",   "coverage_min", "coverage_max",
                                 "green_min",    "green_max", "height_max_m", "setback_m"};

double* rule_field(ZoningRule& r, const std::string& key) {
  if (key == "far_min") return &r.far_min;
  if (key == "far_max") return &r.far_max;
  if (key == "coverage_min") return &r.coverage_min;
  if (key == "coverage_max") return &r.coverage_max;
  if (key == "green_min") return &r.green_min;
  if (key == "green_max") return &r.green_max;
  if (key == "height_max_m") return &r.height_max_m;
  if (key == "setback_m") return &r.setback_m;
  return nullptr;
}

/// Fills the unset limits of `into` from `from`.
void inherit(ZoningRule& into, const ZoningRule& from) {
  for (const char* k : kRuleKeys) {
    double* a = rule_field(into, k);
    const double* b = rule_field(const_cast<ZoningRule&>(from), k);
    if (std::isnan(*a) && !std::isnan(*b)) *a = *b;
  }
  if (into.source.empty()) into.source = from.source;
}

std::string fmt(const char* f, double a, double b) {
  char buf[96];
  std::snprintf(buf, sizeof buf, f, a, b);
  return buf;
}

double footprint(const gis::Feature& f) {
  double a = 0.0;
  for (const auto& p : f.geom.polygons) a += gis::polygon_area(p);
  return a;
}

}  // namespace

Result<ZoningRules> parse_zoning_rules(const std::string& text, const std::string& where) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    return Failure(Failure::InvalidData, where + ": not JSON (" + e.what() + ")");
  }
  if (!j.is_object()) return Failure(Failure::InvalidData, where + ": a rules file is a JSON object (docs/editing.md)");
  ZoningRules out;
  auto read_rule = [&](const nlohmann::json& o, const std::string& ctx, const std::string& source) -> Result<ZoningRule> {
    if (!o.is_object()) return Failure(Failure::InvalidData, where + ": " + ctx + " must be an object of limits");
    ZoningRule r;
    r.source = source;
    for (auto it = o.begin(); it != o.end(); ++it) {
      double* f = rule_field(r, it.key());
      if (!f)
        return Failure(Failure::InvalidData, where + ": " + ctx + ": unknown limit '" + it.key() +
                                                  "' (known: far_min, far_max, coverage_min, coverage_max, green_min, "
                                                  "green_max, height_max_m, setback_m)");
      if (!it.value().is_number() || !std::isfinite(it.value().get<double>()) || it.value().get<double>() < 0)
        return Failure(Failure::InvalidData, where + ": " + ctx + ": '" + it.key() + "' must be a number >= 0");
      *f = it.value().get<double>();
    }
    return r;
  };
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "provenance") {
      if (!it.value().is_string()) return Failure(Failure::InvalidData, where + ": provenance must be text");
      out.provenance = it.value().get<std::string>();
    } else if (it.key() == "landuse" || it.key() == "parcels") {
      if (!it.value().is_object()) return Failure(Failure::InvalidData, where + ": '" + it.key() + "' must be an object");
      const bool lu = it.key() == "landuse";
      for (auto e = it.value().begin(); e != it.value().end(); ++e) {
        auto r = read_rule(e.value(), it.key() + "." + e.key(),
                           std::string(lu ? "rules file, land use " : "rules file, parcel ") + e.key());
        if (!r) return r.error();
        (lu ? out.by_landuse : out.by_parcel)[e.key()] = *r;
      }
    } else if (it.key() != "format" && it.key() != "comment") {
      return Failure(Failure::InvalidData, where + ": unknown key '" + it.key() +
                                               "' (known: format, provenance, comment, landuse, parcels)");
    }
  }
  return out;
}

Result<ZoningRules> read_zoning_rules(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Failure(Failure::ResourceUnavailable, "cannot read zoning rules " + path + ": no such file or no permission");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_zoning_rules(ss.str(), path);
}

double building_floors(const gis::LayerData& b, const gis::Feature& f) {
  const double fl = gis::attr_number(f, b.field("floors"), -1.0);
  if (fl > 0.0) return fl;
  const double h = gis::attr_number(f, b.field("height_m"), -1.0);
  if (h > 0.0) return std::max(1.0, std::round(h / kFloorHeight));
  return 1.0;
}

PlanIndicators compute_indicators(const gis::LayerData& parcels, const gis::LayerData& buildings,
                                  const ZoningRules& rules, const std::set<int64_t>& deleted_parcels,
                                  const std::set<int64_t>& deleted_buildings) {
  PlanIndicators out;
  const int pid = parcels.field("parcel_id"), ppark = parcels.field("park_id"), plu = parcels.field("landuse");
  const int pgreen = parcels.field("green_ratio");
  std::map<std::string, size_t> by_id;
  for (const auto& f : parcels.features) {
    if (deleted_parcels.count(f.fid) || f.geom.polygons.empty()) continue;
    ParcelIndicators p;
    p.fid = f.fid;
    p.parcel_id = gis::attr_string(f, pid);
    p.park_id = gis::attr_string(f, ppark);
    p.landuse = gis::attr_string(f, plu);
    p.ind.site_area_m2 = footprint(f);
    if (p.landuse == "green") p.ind.green_ratio = 1.0;
    else if (pgreen >= 0) p.ind.green_ratio = gis::attr_number(f, pgreen, kNoValue);
    // The rule: the rules file's entry for the parcel, then its own fields, then its land use's default.
    if (auto it = rules.by_parcel.find(p.parcel_id); it != rules.by_parcel.end()) inherit(p.rule, it->second);
    ZoningRule own;
    for (const char* k : kRuleKeys) {
      const int fi = parcels.field(k);
      if (fi >= 0) *rule_field(own, k) = gis::attr_number(f, fi, kNoValue);
    }
    own.source = "parcel fields";
    bool any_own = false;
    for (const char* k : kRuleKeys) any_own |= !std::isnan(*rule_field(own, k));
    if (any_own) inherit(p.rule, own);
    if (auto it = rules.by_landuse.find(p.landuse); it != rules.by_landuse.end()) inherit(p.rule, it->second);
    by_id[p.parcel_id] = out.parcels.size();
    out.parcels.push_back(std::move(p));
  }
  const int bpar = buildings.field("parcel_id"), bh = buildings.field("height_m"), bid = buildings.field("building_id");
  std::map<size_t, std::vector<const gis::Feature*>> on_parcel;
  for (const auto& f : buildings.features) {
    if (deleted_buildings.count(f.fid) || f.geom.polygons.empty()) continue;
    auto it = by_id.find(gis::attr_string(f, bpar));
    if (bpar < 0 || it == by_id.end()) {
      out.unassigned_buildings.push_back(f.fid);
      continue;
    }
    Indicators& ind = out.parcels[it->second].ind;
    const double a = footprint(f);
    ind.footprint_m2 += a;
    ind.gfa_m2 += a * building_floors(buildings, f);
    ind.height_max_m = std::max(ind.height_max_m, gis::attr_number(f, bh, building_floors(buildings, f) * kFloorHeight));
    ++ind.buildings;
    on_parcel[it->second].push_back(&f);
  }
  double green_area = 0.0, green_known_area = 0.0;
  std::map<std::string, std::pair<double, double>> park_green;  // park -> (green m², site m² with a known ratio)
  auto add = [](Indicators& to, const Indicators& p) {
    to.site_area_m2 += p.site_area_m2;
    to.footprint_m2 += p.footprint_m2;
    to.gfa_m2 += p.gfa_m2;
    to.height_max_m = std::max(to.height_max_m, p.height_max_m);
    to.buildings += p.buildings;
  };
  for (size_t i = 0; i < out.parcels.size(); ++i) {
    ParcelIndicators& p = out.parcels[i];
    Indicators& ind = p.ind;
    if (ind.site_area_m2 > 0) {
      ind.far = ind.gfa_m2 / ind.site_area_m2;
      ind.coverage = ind.footprint_m2 / ind.site_area_m2;
    }
    add(out.parks[p.park_id], ind);
    add(out.total, ind);
    if (!std::isnan(ind.green_ratio)) {
      park_green[p.park_id].first += ind.green_ratio * ind.site_area_m2;
      park_green[p.park_id].second += ind.site_area_m2;
      green_area += ind.green_ratio * ind.site_area_m2;
      green_known_area += ind.site_area_m2;
    }
    // Zoning.
    const ZoningRule& r = p.rule;
    const std::string who = "parcel " + (p.parcel_id.empty() ? "fid " + std::to_string(p.fid) : p.parcel_id);
    const std::string src = r.source.empty() ? std::string() : " (" + r.source + ")";
    auto violate = [&](const char* rule, double value, double limit, std::string msg, int64_t building = -1) {
      out.violations.push_back({p.fid, p.parcel_id, building, rule, value, limit, who + ": " + msg + src});
    };
    if (!std::isnan(r.far_max) && ind.far > r.far_max + 1e-9) violate("far_max", ind.far, r.far_max, fmt("plot ratio %.2f above %.2f", ind.far, r.far_max));
    if (!std::isnan(r.far_min) && ind.far < r.far_min - 1e-9) violate("far_min", ind.far, r.far_min, fmt("plot ratio %.2f below %.2f", ind.far, r.far_min));
    if (!std::isnan(r.coverage_max) && ind.coverage > r.coverage_max + 1e-9)
      violate("coverage_max", ind.coverage, r.coverage_max, fmt("coverage %.1f %% above %.1f %%", 100 * ind.coverage, 100 * r.coverage_max));
    if (!std::isnan(r.coverage_min) && ind.coverage < r.coverage_min - 1e-9)
      violate("coverage_min", ind.coverage, r.coverage_min, fmt("coverage %.1f %% below %.1f %%", 100 * ind.coverage, 100 * r.coverage_min));
    if (!std::isnan(ind.green_ratio)) {
      if (!std::isnan(r.green_max) && ind.green_ratio > r.green_max + 1e-9)
        violate("green_max", ind.green_ratio, r.green_max, fmt("green ratio %.1f %% above %.1f %%", 100 * ind.green_ratio, 100 * r.green_max));
      if (!std::isnan(r.green_min) && ind.green_ratio < r.green_min - 1e-9)
        violate("green_min", ind.green_ratio, r.green_min, fmt("green ratio %.1f %% below %.1f %%", 100 * ind.green_ratio, 100 * r.green_min));
    }
    const bool heights = !std::isnan(r.height_max_m), setbacks = !std::isnan(r.setback_m) && r.setback_m > 0;
    if (!heights && !setbacks) continue;
    const gis::Feature* parcel = nullptr;
    for (const auto& f : parcels.features)
      if (f.fid == p.fid) parcel = &f;
    for (const gis::Feature* b : on_parcel[i]) {
      const std::string bname = bid >= 0 && !gis::attr_string(*b, bid).empty() ? gis::attr_string(*b, bid) : "fid " + std::to_string(b->fid);
      const double h = gis::attr_number(*b, bh, building_floors(buildings, *b) * kFloorHeight);
      if (heights && h > r.height_max_m + 1e-9)
        violate("height_max_m", h, r.height_max_m, "building " + bname + fmt(" is %.1f m tall, above %.1f m", h, r.height_max_m), b->fid);
      if (setbacks && parcel) {
        double d = 1e300;
        for (const auto& bp : b->geom.polygons)
          for (const auto& pp : parcel->geom.polygons) d = std::min(d, distance_to_boundary(bp, pp));
        if (d < r.setback_m - 1e-6)
          violate("setback_m", d, r.setback_m, "building " + bname + fmt(" is %.1f m from the parcel edge, setback %.1f m", d, r.setback_m), b->fid);
      }
    }
  }
  auto finish = [](Indicators& ind) {
    if (ind.site_area_m2 > 0) {
      ind.far = ind.gfa_m2 / ind.site_area_m2;
      ind.coverage = ind.footprint_m2 / ind.site_area_m2;
    }
  };
  for (auto& [park, ind] : out.parks) {
    finish(ind);
    const auto g = park_green[park];
    if (g.second > 0) ind.green_ratio = g.first / ind.site_area_m2;
  }
  finish(out.total);
  if (green_known_area > 0) out.total.green_ratio = green_area / out.total.site_area_m2;
  return out;
}

PlanIndicators compute_indicators(const EditSession& s, const ZoningRules& rules) {
  const int pl = s.layer_index("parcels"), bl = s.layer_index("buildings");
  static const gis::LayerData kEmpty;
  const gis::LayerData& parcels = pl >= 0 ? *s.layers()[pl] : kEmpty;
  const gis::LayerData& buildings = bl >= 0 ? *s.layers()[bl] : kEmpty;
  // Tombstones have no geometry and are skipped by compute_indicators.
  return compute_indicators(parcels, buildings, rules);
}

}  // namespace parktwin::edit
