#pragma once
// The industrial chains of the "1269" plan and the supply links between enterprises.
// 12 chains and 6 clusters as in the source document; links supplier -> customer with product,
// unit and nominal volume, read from the dataset's `supply_links` layer (generated where the
// document is silent, and saying so); park-to-park flows aggregate them for the province view.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <glm/vec4.hpp>

#include "parktwin/gis/geometry.h"

namespace parktwin::scene {

class Scene;

struct ChainInfo {
  const char* key;      ///< electronic_information, nonferrous_metals, ... (the dataset's `chain`)
  const char* name_zh;
  const char* name_en;
};
struct ClusterInfo {
  const char* key;      ///< electronic_information, copper_based_new_materials, ... (the dataset's `cluster`)
  const char* name_zh;
  const char* name_en;
};
/// The 12 chains, in the document's order.
const std::array<ChainInfo, 12>& chains();
/// The 6 advanced clusters, in the document's order.
const std::array<ClusterInfo, 6>& clusters();
int chain_index(const std::string& key);    ///< -1 when unknown
int cluster_index(const std::string& key);  ///< -1 when unknown

enum class Segment : uint8_t { Upstream = 0, Midstream, Downstream, Unknown };
Segment parse_segment(const std::string& s);
const char* segment_name(Segment s);

/// One supply link between two enterprises (indices into Scene::enterprises).
struct SupplyLink {
  uint32_t supplier = 0, customer = 0;
  int chain = -1;                   ///< index into chains()
  std::string product, unit;        ///< what flows, in the supplier's unit (e.g. "t", "million units")
  double volume_per_year = 0.0;     ///< nominal, in `unit`
  double value_yuan_per_year = 0.0; ///< nominal value of that volume (comparable across products)
  bool generated = true;
  std::string source;               ///< "generated: <rule>" or the document reference
};

/// Links between two parks of one chain and direction, summed (the province view's arcs).
struct ParkFlow {
  int from_park = -1, to_park = -1;  ///< indices into Scene::parks
  int chain = -1;
  double value_yuan_per_year = 0.0;  ///< sum over `links`
  std::vector<uint32_t> links;       ///< indices into ChainModel::links
};

/// What the chain filter shows and highlights (edited by the UI through commands).
struct ChainFilter {
  std::array<bool, 12> chain_on{};    ///< all true by default (set in the constructor)
  std::array<bool, 3> segment_on{};   ///< upstream, midstream, downstream
  int highlight_chain = -1;           ///< -1 = none; a highlighted chain dims the others
  bool flows_visible = true;
  ChainFilter() {
    chain_on.fill(true);
    segment_on.fill(true);
  }
};

struct ChainModel {
  std::vector<SupplyLink> links;
  std::vector<ParkFlow> park_flows;
  ChainFilter filter;
  uint64_t revision = 0;  ///< bumps when links or the filter change

  /// True when a link passes the filter (its chain on, the supplier's segment on).
  bool link_visible(const Scene& s, uint32_t link) const;
  /// Live volume of a link per year: nominal scaled by the supplier's current output relative to
  /// its nominal (1 when there is no live sample).
  double live_factor(const Scene& s, uint32_t link) const;
};

/// An enterprise's current output relative to its nominal (2022 revenue / 8760 h), clamped to
/// [0, kOutputFactorCap] (shaders/shared_constants.h); 1 when it has no live sample. Sets the pace
/// of its flows.
double output_factor(const Scene& s, uint32_t enterprise);
/// The same ratio without the clamp, for figures shown to people (the clamp only paces the
/// animation); empty without a live sample or a nominal revenue.
std::optional<double> output_ratio(const Scene& s, uint32_t enterprise);

/// Reads links from the `supply_links` layer (fields supplier_id, customer_id, chain, product, unit,
/// volume_per_year, value_yuan_per_year, source) into scene.chains and builds park flows.
/// Problems (unknown enterprise ids ...) go to scene.warnings; those links are skipped.
void load_supply_links(Scene& scene, const gis::LayerData& layer);

/// Recomputes ChainModel::park_flows from the links (links within one park are not park flows).
void aggregate_park_flows(Scene& scene);

/// Replaces the scene's links with `n` random ones (benchmarks and tests, not data; each link's
/// source says "generated"): supplier and customer drawn from its enterprises with `seed` (the same
/// links on every run of one build), never one enterprise with itself, the supplier's chain, values
/// spread evenly in log10 over 10^7 to 10^11 yuan a year; then the park flows. Fewer than two
/// enterprises: no links.
void replace_with_random_links(Scene& scene, size_t n, uint64_t seed);

/// Consistency problems of the chain model: every link's ends exist, segments never run
/// downstream -> upstream, every enterprise has a known chain. Empty when consistent.
std::vector<std::string> check_chain_model(const Scene& scene);

}  // namespace parktwin::scene
