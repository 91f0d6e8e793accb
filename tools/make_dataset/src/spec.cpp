#include "spec.hpp"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace parktwin::dataset {
namespace {

using nlohmann::json;

ZhEn zhEn(const json& j) { return {j.at(0).get<std::string>(), j.at(1).get<std::string>()}; }

template <typename T>
T opt(const json& j, const char* key, T fallback) {
  return j.contains(key) ? j.at(key).get<T>() : fallback;
}

AreaSpec parseArea(const json& j) {
  AreaSpec a;
  a.area_id = j.at("area_id");
  a.name = zhEn(j.at("name"));
  a.lon = j.at("origin").at(0);
  a.lat = j.at("origin").at(1);
  a.centre_u = j.at("centre_offset_m").at(0);
  a.centre_v = j.at("centre_offset_m").at(1);
  a.radius_u = j.at("radius_m").at(0);
  a.radius_v = j.at("radius_m").at(1);
  a.grid_bearing_deg = j.at("grid_bearing_deg");
  a.anchors = opt(j, "anchors", std::vector<std::string>{});
  a.boundary_note = j.at("boundary_note");
  a.arterial_spacing = j.at("arterial_spacing_m");
  a.collectors_per_arterial = j.at("collectors_per_arterial");
  a.max_block = j.at("max_block_m");
  a.parcel_size = j.at("parcel_size_m");
  a.building_scale = opt(j, "building_scale", 1.0);
  a.landuse_mix = j.at("landuse_mix").get<std::map<std::string, double>>();
  a.arterial_names = opt(j, "arterial_names", std::vector<std::string>{});
  a.smelter_anchor = opt(j, "smelter_anchor", std::string{});
  a.stacks = opt(j, "stacks", 0);
  a.smelter_share = opt(j, "smelter_share", 0.0);
  return a;
}

ParkSpec parsePark(const json& j) {
  ParkSpec p;
  p.park_id = j.at("park_id");
  p.name = zhEn(j.at("name"));
  p.cluster = j.at("cluster");
  p.city_adcode = j.at("city_adcode");
  for (const json& a : j.at("areas")) p.areas.push_back(parseArea(a));
  return p;
}

NamedFirm parseNamed(const json& j) {
  NamedFirm f;
  f.enterprise_id = j.at("enterprise_id");
  f.name = zhEn(j.at("name"));
  f.role = opt(j, "role", std::string("member"));
  f.area_id = j.at("area_id");
  f.product = opt(j, "product", std::string{});
  f.weight = j.at("weight");
  f.ref_point = opt(j, "ref_point", std::string{});
  f.source_ref = opt(j, "source_ref", std::string{});
  return f;
}

GroupSpec parseGroup(const json& j) {
  GroupSpec g;
  g.key = j.at("key");
  g.park_id = j.at("park_id");
  g.area_ids = j.at("area_ids").get<std::vector<std::string>>();
  g.chain = j.at("chain");
  g.cluster = j.at("cluster");
  g.segment = j.at("segment");
  g.count = j.at("count");
  g.source_ref = j.at("source_ref");
  g.weight = opt(j, "weight", 1.0);
  for (const json& p : j.at("products")) {
    g.products.push_back({p.at("product"), p.at("unit"), zhEn(p.at("name_word"))});
  }
  for (const json& p : j.at("name_prefixes")) g.name_prefixes.push_back(zhEn(p));
  for (const json& n : opt(j, "named", json::array())) g.named.push_back(parseNamed(n));
  return g;
}

FirmSelector parseSelector(const json& j) {
  return {j.at("park_id"), j.at("products").get<std::vector<std::string>>()};
}

SupplySpec parseSupply(const json& j) {
  SupplySpec s;
  s.share_lo = j.at("in_dataset_share").at(0);
  s.share_hi = j.at("in_dataset_share").at(1);
  s.customer_input_share = j.at("customer_input_share");
  s.size_exponent = j.at("size_exponent");
  s.distance_scale_km = j.at("distance_scale_km");
  for (const json& p : j.at("products")) {
    s.products.push_back({p.at("product"), p.at("flow"), p.at("unit"), p.at("price_yuan_per_unit"), p.at("price_note")});
  }
  for (const json& r : j.at("rules")) {
    SupplyRuleSpec rule;
    rule.key = r.at("key");
    rule.note = r.at("note");
    rule.suppliers = parseSelector(r.at("suppliers"));
    rule.customers = parseSelector(r.at("customers"));
    rule.min_customers = r.at("min_customers");
    rule.max_customers = r.at("max_customers");
    rule.supplier_chance = opt(r, "supplier_chance", 1.0);
    s.rules.push_back(std::move(rule));
  }
  return s;
}

std::map<int, std::string> intKeyed(const json& j) {
  std::map<int, std::string> m;
  for (const auto& [k, v] : j.items()) m[std::stoi(k)] = v.get<std::string>();
  return m;
}

Spec parse(const json& j) {
  Spec s;
  s.seed = j.at("seed");
  s.ogr_current_date = j.at("ogr_current_date");
  s.attribution = j.at("attribution");
  s.admin_source = j.at("admin_source");
  const json& files = j.at("source_files");
  s.province_file = files.at("province");
  s.cities_file = files.at("cities");
  s.districts_file = files.at("districts");
  s.points_file = files.at("reference_points");
  s.city_en = intKeyed(j.at("city_name_en"));
  s.district_en = intKeyed(j.at("district_name_en"));
  s.district_cities = j.at("district_cities").get<std::vector<int>>();
  for (const json& p : j.at("parks")) s.parks.push_back(parsePark(p));
  for (const json& g : j.at("enterprise_groups")) s.groups.push_back(parseGroup(g));
  // Cluster revenues name facts of facts.json (the document's figures); resolved by loadSpec.
  for (const auto& [cluster, fact] : j.at("cluster_revenue_2022_fact").items()) s.cluster_revenue_fact[cluster] = fact;
  for (const json& b : j.at("brand_syllables")) s.brand_syllables.push_back(zhEn(b));
  s.supply = parseSupply(j.at("supply_links"));
  return s;
}

}  // namespace

Spec loadSpec(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot open spec " + path.string() +
                             ": pass --spec assets/dataset_spec.json (relative to the repository root)");
  }
  try {
    Spec s = parse(json::parse(in));
    // The document's figures live in one file beside the spec: facts.json.
    const std::filesystem::path facts_path = path.parent_path() / "facts.json";
    std::ifstream fin(facts_path);
    if (!fin) throw std::runtime_error("cannot open " + facts_path.string() + " (the document's figures, beside the spec)");
    const json facts = json::parse(fin);
    for (const auto& [cluster, id] : s.cluster_revenue_fact) {
      bool found = false;
      for (const json& f : facts.at("facts"))
        if (f.at("id") == id) {
          if (f.at("unit") != "yuan") throw std::runtime_error("fact " + id + " is not in yuan");
          s.cluster_revenue[cluster] = f.at("value").get<double>();
          found = true;
        }
      if (!found) throw std::runtime_error("spec names fact '" + id + "', which " + facts_path.string() + " lacks");
    }
    return s;
  } catch (const json::exception& e) {
    throw std::runtime_error("invalid spec " + path.string() + ": " + e.what() +
                             " (compare with the keys documented in assets/README.md)");
  }
}

}  // namespace parktwin::dataset
