#pragma once
// Planning indicators and zoning checks, per parcel and per park, computed from the parcels and
// buildings layers as they stand (so they follow every edit).
//
//   site area        parcel polygon area (m²)
//   footprint        sum of the parcel's building footprint areas (m²)
//   GFA              gross floor area: sum of footprint × floors (floors field, else height / 3.5 m)
//   FAR              plot ratio = GFA / site area
//   coverage         building coverage = footprint / site area
//   green ratio      green area / site area: 1 for a parcel whose land use is green, else the
//                    parcel's `green_ratio` field when it has one (NaN = not known); per park, the
//                    area of green parcels plus each parcel's green share over all parcel area
//   height           tallest building (m)
//
// Zoning rules per parcel come, in this order of precedence, from a rules file entry for the
// parcel id, from the parcel's own fields (far_max, coverage_max, height_max_m, setback_m, ...),
// and from the rules file's default for its land use. Rules files: docs/editing.md.
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "parktwin/edit/edit.h"

namespace parktwin::edit {

constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

struct Indicators {
  double site_area_m2 = 0.0, footprint_m2 = 0.0, gfa_m2 = 0.0;
  double far = 0.0, coverage = 0.0;
  double green_ratio = kNoValue;
  double height_max_m = 0.0;
  int buildings = 0;
};

/// Limits for one parcel; NaN = no rule.
struct ZoningRule {
  double far_min = kNoValue, far_max = kNoValue;
  double coverage_min = kNoValue, coverage_max = kNoValue;
  double green_min = kNoValue, green_max = kNoValue;
  double height_max_m = kNoValue;
  double setback_m = kNoValue;
  std::string source;  ///< where the rule came from ("rules file: parcel P-1", "parcel fields", ...)
};

struct ZoningRules {
  std::map<std::string, ZoningRule> by_landuse;  ///< defaults per land use
  std::map<std::string, ZoningRule> by_parcel;   ///< per parcel id
  std::string provenance;                        ///< shown with the violations (e.g. "illustrative rules, generated")
};
/// Reads a rules file (JSON, docs/editing.md). Unknown keys and non-numeric limits are refused.
Result<ZoningRules> read_zoning_rules(const std::string& path);
Result<ZoningRules> parse_zoning_rules(const std::string& json_text, const std::string& where);

struct Violation {
  int64_t parcel_fid = -1;
  std::string parcel_id;
  int64_t building_fid = -1;   ///< for setbacks and heights: the building at fault, else -1
  std::string rule;            ///< "far_max", "coverage_max", "height_max_m", "setback_m", ...
  double value = 0.0, limit = 0.0;
  std::string message;         ///< "parcel P-12: plot ratio 2.31 above 2.00 (rules file: industrial)"
};

struct ParcelIndicators {
  int64_t fid = -1;
  std::string parcel_id, park_id, landuse;
  Indicators ind;
  ZoningRule rule;
};

struct PlanIndicators {
  std::vector<ParcelIndicators> parcels;     ///< one per live parcel, in layer order
  std::map<std::string, Indicators> parks;   ///< per park id, over its parcels
  Indicators total;                          ///< over every parcel
  std::vector<Violation> violations;
  std::vector<int64_t> unassigned_buildings; ///< buildings in no parcel (not counted)
};

/// Computes everything from the session's parcels and buildings layers. Cost is linear in the
/// features plus one GEOS distance per building with a setback rule.
PlanIndicators compute_indicators(const EditSession& s, const ZoningRules& rules);

/// Same from plain layers (parcels, buildings), for a plan without a session.
PlanIndicators compute_indicators(const gis::LayerData& parcels, const gis::LayerData& buildings,
                                  const ZoningRules& rules, const std::set<int64_t>& deleted_parcels = {},
                                  const std::set<int64_t>& deleted_buildings = {});

/// The floors a building counts for in GFA: its `floors` field when positive, else
/// max(1, round(height / 3.5 m)).
double building_floors(const gis::LayerData& buildings, const gis::Feature& f);

}  // namespace parktwin::edit
