// The live layer's enterprise registry: the scene's enterprises by stable id.
#include "parktwin/live/registry.h"

#include <utility>

namespace parktwin::live {

namespace {

/// The dataset gives annual capacities ("t/a", "million units/a"); samples carry production per
/// hour, so the unit a sample speaks of is the dataset's without the "/a".
std::string hourly_unit(std::string_view dataset_unit) {
  constexpr std::string_view kPerYear = "/a";
  if (dataset_unit.size() >= kPerYear.size() && dataset_unit.ends_with(kPerYear))
    dataset_unit.remove_suffix(kPerYear.size());
  return std::string(dataset_unit);
}

}  // namespace

Registry::Registry(const scene::Scene& scene) {
  list_.reserve(scene.enterprises.size());
  index_.reserve(scene.enterprises.size());
  for (const scene::Enterprise& se : scene.enterprises) {
    EnterpriseInfo e;
    e.id = se.id;
    e.park = se.park;
    e.chain = se.chain;
    e.segment = se.segment;
    e.role = se.role;
    e.product = se.product;
    e.unit = hourly_unit(se.unit);
    e.revenue_2022 = se.revenue_2022;
    // Every scene enterprise gets an entry, even a malformed one, so that index i here stays
    // index i in scene.enterprises (samples address buildings by that index).
    add(std::move(e));
  }
}

std::optional<uint32_t> Registry::find(std::string_view id) const {
  // The map's declared hash is not transparent, so lookup needs a std::string key; ids are a few
  // dozen bytes, and find() serves validation at message rate, not a per-frame loop.
  const auto it = index_.find(std::string(id));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

void Registry::add(EnterpriseInfo e) {
  const auto i = static_cast<uint32_t>(list_.size());
  // A repeated id keeps its first index: lookups stay stable, and the entry still takes its place
  // in the list so that indices keep matching the scene.
  index_.try_emplace(e.id, i);
  list_.push_back(std::move(e));
}

}  // namespace parktwin::live
