// The chain model: static tables of the plan's chains and clusters, supply links read from the
// dataset, their aggregation into park-to-park flows, and consistency checks.
#include "parktwin/scene/chains.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <unordered_map>

#include "parktwin/scene/scene.h"
#include "shared_constants.h"

namespace parktwin::scene {

const std::array<ChainInfo, 12>& chains() {
  static const std::array<ChainInfo, 12> kChains = {{
      {"electronic_information", "电子信息", "Electronic information"},
      {"nonferrous_metals", "有色金属", "Nonferrous metals"},
      {"equipment_manufacturing", "装备制造", "Equipment manufacturing"},
      {"new_energy", "新能源", "New energy"},
      {"petrochemical_chemical", "石化化工", "Petrochemical and chemical"},
      {"building_materials", "建材", "Building materials"},
      {"steel", "钢铁", "Steel"},
      {"aviation", "航空", "Aviation"},
      {"food", "食品", "Food"},
      {"textiles_garments", "纺织服装", "Textiles and garments"},
      {"pharmaceuticals", "医药", "Pharmaceuticals"},
      {"modern_furniture", "现代家具", "Modern furniture"},
  }};
  return kChains;
}

const std::array<ClusterInfo, 6>& clusters() {
  static const std::array<ClusterInfo, 6> kClusters = {{
      {"electronic_information", "电子信息", "Electronic information"},
      {"copper_based_new_materials", "铜基新材料", "Copper-based new materials"},
      {"lithium_pv_new_energy", "锂电和光伏新能源", "Lithium-battery and PV new energy"},
      {"tungsten_rare_earth", "钨和稀土金属新材料", "Tungsten and rare-earth new materials"},
      {"aviation", "航空", "Aviation"},
      {"refining_chemical_materials", "炼化一体化和化工新材料", "Integrated refining and new chemical materials"},
  }};
  return kClusters;
}

int chain_index(const std::string& key) {
  const auto& c = chains();
  for (size_t i = 0; i < c.size(); ++i)
    if (key == c[i].key) return static_cast<int>(i);
  return -1;
}

int cluster_index(const std::string& key) {
  const auto& c = clusters();
  for (size_t i = 0; i < c.size(); ++i)
    if (key == c[i].key) return static_cast<int>(i);
  return -1;
}

Segment parse_segment(const std::string& s) {
  if (s == "upstream") return Segment::Upstream;
  if (s == "midstream") return Segment::Midstream;
  if (s == "downstream") return Segment::Downstream;
  return Segment::Unknown;
}

const char* segment_name(Segment s) {
  switch (s) {
    case Segment::Upstream: return "upstream";
    case Segment::Midstream: return "midstream";
    case Segment::Downstream: return "downstream";
    case Segment::Unknown: break;
  }
  return "unknown";
}

bool ChainModel::link_visible(const Scene& s, uint32_t i) const {
  if (i >= links.size()) return false;
  const SupplyLink& l = links[i];
  if (l.chain < 0 || !filter.chain_on[static_cast<size_t>(l.chain)]) return false;
  const Segment seg = parse_segment(s.enterprises[l.supplier].segment);
  return seg == Segment::Unknown || filter.segment_on[static_cast<size_t>(seg)];
}

std::optional<double> output_ratio(const Scene& s, uint32_t e) {
  if (e >= s.live.size() || e >= s.enterprises.size() || s.live[e].ts_ms <= 0) return std::nullopt;
  const double nominal_h = s.enterprises[e].revenue_2022 / 8760.0;
  if (!(nominal_h > 0.0)) return std::nullopt;
  return s.live[e].value(Metric::Output) / nominal_h;
}

double output_factor(const Scene& s, uint32_t e) {
  const auto r = output_ratio(s, e);
  return r ? std::clamp(*r, 0.0, static_cast<double>(kOutputFactorCap)) : 1.0;
}

double ChainModel::live_factor(const Scene& s, uint32_t i) const {
  return i < links.size() ? output_factor(s, links[i].supplier) : 1.0;
}

void load_supply_links(Scene& scene, const gis::LayerData& d) {
  std::unordered_map<std::string, uint32_t> index;
  for (uint32_t i = 0; i < scene.enterprises.size(); ++i) index[scene.enterprises[i].id] = i;
  auto s = [&](const gis::Feature& f, const char* name) { return gis::attr_string(f, d.field(name)); };
  ChainModel& m = scene.chains;
  m.links.clear();
  size_t skipped = 0;
  for (const gis::Feature& f : d.features) {
    const auto sup = index.find(s(f, "supplier_id")), cus = index.find(s(f, "customer_id"));
    if (sup == index.end() || cus == index.end()) {
      if (++skipped <= 10)
        scene.warnings.push_back("supply link " + s(f, "link_id") + " of " + d.source + " names an unknown enterprise (" +
                                 s(f, "supplier_id") + " -> " + s(f, "customer_id") + "); skipped");
      continue;
    }
    SupplyLink l;
    l.supplier = sup->second;
    l.customer = cus->second;
    l.chain = chain_index(s(f, "chain"));
    if (l.chain < 0) l.chain = chain_index(scene.enterprises[l.supplier].chain);
    l.product = s(f, "product");
    l.unit = s(f, "unit");
    l.volume_per_year = gis::attr_number(f, d.field("volume_per_year"), 0.0);
    l.value_yuan_per_year = gis::attr_number(f, d.field("value_yuan_per_year"), 0.0);
    l.source = s(f, "source");
    l.generated = l.source.rfind("generated", 0) == 0;
    m.links.push_back(std::move(l));
  }
  if (skipped > 10) scene.warnings.push_back(std::to_string(skipped) + " supply links skipped in all");
  aggregate_park_flows(scene);
}

void aggregate_park_flows(Scene& scene) {
  ChainModel& m = scene.chains;
  std::unordered_map<std::string, int> park;
  for (size_t i = 0; i < scene.parks.size(); ++i) park[scene.parks[i].id] = static_cast<int>(i);
  std::map<std::tuple<int, int, int>, size_t> slot;
  m.park_flows.clear();
  for (uint32_t i = 0; i < m.links.size(); ++i) {
    const SupplyLink& l = m.links[i];
    const auto a = park.find(scene.enterprises[l.supplier].park), b = park.find(scene.enterprises[l.customer].park);
    if (a == park.end() || b == park.end() || a->second == b->second) continue;
    auto [it, inserted] = slot.try_emplace({a->second, b->second, l.chain}, m.park_flows.size());
    if (inserted) m.park_flows.push_back({a->second, b->second, l.chain, 0.0, {}});
    ParkFlow& pf = m.park_flows[it->second];
    pf.value_yuan_per_year += l.value_yuan_per_year;
    pf.links.push_back(i);
  }
  ++m.revision;
}

std::vector<std::string> check_chain_model(const Scene& scene) {
  std::vector<std::string> problems;
  const auto n = static_cast<uint32_t>(scene.enterprises.size());
  for (size_t i = 0; i < scene.chains.links.size(); ++i) {
    const SupplyLink& l = scene.chains.links[i];
    const std::string id = "link " + std::to_string(i);
    if (l.supplier >= n || l.customer >= n) {
      problems.push_back(id + ": an end does not exist");
      continue;
    }
    if (l.supplier == l.customer) problems.push_back(id + ": supplier and customer are the same enterprise");
    if (l.chain < 0) problems.push_back(id + ": unknown chain");
    const Segment a = parse_segment(scene.enterprises[l.supplier].segment);
    const Segment b = parse_segment(scene.enterprises[l.customer].segment);
    if (a != Segment::Unknown && b != Segment::Unknown && static_cast<int>(a) > static_cast<int>(b))
      problems.push_back(id + " (" + scene.enterprises[l.supplier].id + " -> " + scene.enterprises[l.customer].id +
                         "): runs " + segment_name(a) + " -> " + segment_name(b));
    if (!(l.value_yuan_per_year >= 0.0) || !(l.volume_per_year >= 0.0)) problems.push_back(id + ": negative volume");
  }
  for (const Enterprise& e : scene.enterprises)
    if (chain_index(e.chain) < 0) problems.push_back("enterprise " + e.id + " has no known chain ('" + e.chain + "')");
  return problems;
}

void replace_with_random_links(Scene& scene, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);  // fixed engine: the same links for a seed on every run of one build
  const auto ne = static_cast<uint32_t>(scene.enterprises.size());
  scene.chains.links.clear();
  if (ne >= 2) {
    scene.chains.links.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      SupplyLink l;
      l.supplier = static_cast<uint32_t>(rng() % ne);
      l.customer = static_cast<uint32_t>(rng() % ne);
      if (l.customer == l.supplier) l.customer = (l.customer + 1) % ne;
      l.chain = chain_index(scene.enterprises[l.supplier].chain);
      l.value_yuan_per_year = std::pow(10.0, 7.0 + 4.0 * static_cast<double>(rng() % 1000) / 1000.0);
      l.product = "synthetic";
      l.source = "generated: random links (benchmark or test)";
      scene.chains.links.push_back(l);
    }
  }
  aggregate_park_flows(scene);
}

}  // namespace parktwin::scene
