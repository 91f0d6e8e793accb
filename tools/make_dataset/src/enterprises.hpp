#pragma once
/// Enterprises: the firms the source document names, plus generated supporting firms, sited on
/// industrial parcels and holding the firm land of their area around their sites, with nominal 2022
/// revenues that add up to each cluster's reported total.
#include <string>
#include <vector>

#include "layout.hpp"

namespace parktwin::dataset {

/// One enterprise row.
struct Enterprise {
  std::string enterprise_id;
  ZhEn name;
  std::string park_id, area_id, chain, cluster, segment, role, product, unit;
  double weight = 1;  ///< revenue weight before normalisation
  double revenue_2022_yuan = 0;
  std::string site_parcel_id;
  Vec2 lonlat;
  std::string source, source_ref;
  std::string ref_point;  ///< reference point of a real site, if any
};

/// Creates all enterprises, normalises revenues per cluster, assigns each a site parcel and then
/// gives every other developed industrial, warehouse_logistics and office_rnd parcel of its area to
/// one of the area's enterprises (setting Parcel::enterprise_id). Throws std::runtime_error when the spec cannot be satisfied.
std::vector<Enterprise> makeEnterprises(const Spec& spec, std::vector<AreaLayout>& layouts, const RealData& real,
                                        Rng rng);

}  // namespace parktwin::dataset
