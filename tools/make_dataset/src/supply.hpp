#pragma once
/// Supply links: supplier -> customer links between enterprises following the chain rules of the
/// spec (`supply_links`), with nominal yearly value and volume.
#include <string>
#include <vector>

#include "enterprises.hpp"

namespace parktwin::dataset {

/// One link row.
struct SupplyLink {
  std::string link_id;
  std::size_t supplier = 0, customer = 0;  ///< indices into the enterprises
  std::size_t rule = 0;                    ///< index into SupplySpec::rules
  const SupplyProductSpec* product = nullptr;
  double weight = 0;                       ///< share weight among the supplier's links
  double value_yuan = 0, volume = 0;
};

/// Links for every rule of spec.supply: each supplier picks customers among the rule's firms
/// (weighted towards larger and nearer ones), every enterprise gets at least one link, and each
/// supplier's in-dataset share of its revenue is split over its links by weight; customers whose
/// inflow exceeds customer_input_share of their revenue have their inflow scaled down. Throws
/// std::runtime_error when a rule names no firm, a product has no price, a rule would run a
/// segment backwards (downstream -> midstream/upstream, midstream -> upstream) or a firm is left
/// without a link.
std::vector<SupplyLink> makeSupplyLinks(const Spec& spec, const std::vector<Enterprise>& firms, Rng rng);

}  // namespace parktwin::dataset
