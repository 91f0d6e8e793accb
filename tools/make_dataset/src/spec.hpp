#pragma once
/// The dataset specification (assets/dataset_spec.json) as plain structs.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace parktwin::dataset {

/// A Chinese text with its English rendering.
struct ZhEn {
  std::string zh;
  std::string en;
};

/// One generated park area (a contiguous polygon) of a park.
struct AreaSpec {
  std::string area_id;
  ZhEn name;
  double lon = 0, lat = 0;                  ///< origin of the street grid (an anchor or the area centre)
  double centre_u = 0, centre_v = 0;        ///< boundary centre relative to the origin, grid metres
  double radius_u = 0, radius_v = 0;        ///< boundary half-extent along/across the grid, metres
  double grid_bearing_deg = 0;              ///< street grid rotation, counter-clockwise from east
  std::vector<std::string> anchors;         ///< reference_points ids the boundary must contain
  std::string boundary_note;                ///< how the boundary was placed (goes into `source`)
  double arterial_spacing = 1200;           ///< metres between arterials
  int collectors_per_arterial = 3;          ///< blocks between two arterials
  double max_block = 420;                   ///< blocks longer than this get local/service roads
  double parcel_size = 240;                 ///< longest side of an industrial parcel
  double building_scale = 1.0;              ///< multiplies building slot sizes (fewer, larger buildings when > 1)
  std::map<std::string, double> landuse_mix;  ///< landuse -> weight for blocks
  std::vector<std::string> arterial_names;  ///< name_zh given to arterials in order
  std::string smelter_anchor;               ///< anchor whose parcel holds the smelter and stacks
  int stacks = 0;                           ///< number of stacks at the smelter
  double smelter_share = 0;                 ///< share of industrial parcels built as smelting works
};

/// One park (park_id) with its areas.
struct ParkSpec {
  std::string park_id;
  ZhEn name;
  std::string cluster;
  int city_adcode = 0;
  std::vector<AreaSpec> areas;
};

/// A firm named by the source document.
struct NamedFirm {
  std::string enterprise_id;
  ZhEn name;
  std::string role = "member";
  std::string area_id;
  std::string product;   ///< overrides the group's product when set
  double weight = 1;     ///< revenue weight relative to generated firms of weight ~1
  std::string ref_point; ///< reference_points id of its real site, if any
  std::string source_ref;
};

/// A product line a group's firms make, with the words used in generated company names.
struct ProductSpec {
  std::string product;
  std::string unit;
  ZhEn name_word;  ///< industry word of a company name, e.g. 光电 / Optoelectronics
};

/// A group of enterprises of one chain segment (e.g. "84 supporting supply-chain enterprises").
struct GroupSpec {
  std::string key;
  std::string park_id;
  std::vector<std::string> area_ids;
  std::string chain, cluster, segment;
  int count = 0;                        ///< total firms in the group, named ones included
  std::string source_ref;
  double weight = 1;                    ///< mean revenue weight of generated members
  std::vector<ProductSpec> products;
  std::vector<ZhEn> name_prefixes;      ///< place prefixes of generated names
  std::vector<NamedFirm> named;
};

/// What flows from the firms of one product line, in which unit, at which assumed price.
struct SupplyProductSpec {
  std::string product;             ///< the supplier's `product` in the enterprises layer
  std::string flow;                ///< what a link carries (e.g. "cathode copper")
  std::string unit;                ///< unit of volume_per_year (t, GWh, million units, ...)
  double price_yuan_per_unit = 0;  ///< generated assumption turning value into volume
  std::string price_note;
};

/// Firms chosen by park and product line.
struct FirmSelector {
  std::string park_id;
  std::vector<std::string> products;
};

/// One chain rule: which firms supply which.
struct SupplyRuleSpec {
  std::string key;
  std::string note;                ///< goes into `source` as "generated: <note> (...)"
  FirmSelector suppliers, customers;
  int min_customers = 1, max_customers = 1;  ///< per supplier, by supplier size
  double supplier_chance = 1;      ///< share of the matching suppliers that take part
};

/// Parameters of the supply_links layer.
struct SupplySpec {
  double share_lo = 0.5, share_hi = 0.8;  ///< share of a supplier's revenue sold inside the dataset
  double customer_input_share = 0.8;      ///< a customer buys at most this share of its revenue in links
  double size_exponent = 0.7;             ///< customer weight ~ revenue^exponent
  double distance_scale_km = 30;          ///< customer weight ~ 1 / (1 + km / scale)
  std::vector<SupplyProductSpec> products;
  std::vector<SupplyRuleSpec> rules;
};

/// The whole specification.
struct Spec {
  std::uint64_t seed = 0;
  std::string ogr_current_date;
  std::string attribution;
  std::string admin_source;
  std::string province_file, cities_file, districts_file, points_file;
  std::map<int, std::string> city_en;
  std::map<int, std::string> district_en;
  std::vector<int> district_cities;
  std::vector<ParkSpec> parks;
  std::vector<GroupSpec> groups;
  std::map<std::string, std::string> cluster_revenue_fact;  ///< cluster -> id of its 2022 revenue in facts.json
  std::map<std::string, double> cluster_revenue;             ///< cluster -> yuan, resolved from facts.json
  std::vector<ZhEn> brand_syllables;
  SupplySpec supply;
};

/// Reads and validates the spec; throws std::runtime_error naming the file and the bad key.
Spec loadSpec(const std::filesystem::path& path);

}  // namespace parktwin::dataset
