// Planning indicators and zoning on the fixture park, against figures worked out by hand from its
// rectangles (tests/edit/fixture.h), and how they follow edits.
#include <gtest/gtest.h>

#include "fixture.h"
#include "parktwin/edit/indicators.h"

using namespace parktwin;
using namespace parktwin::edit;

namespace {

const ParcelIndicators& parcel(const PlanIndicators& p, const std::string& id) {
  for (const auto& x : p.parcels)
    if (x.parcel_id == id) return x;
  static ParcelIndicators none;
  ADD_FAILURE() << "no parcel " << id;
  return none;
}

std::vector<std::string> rules_broken(const PlanIndicators& p) {
  std::vector<std::string> out;
  for (const auto& v : p.violations) out.push_back(v.parcel_id + ":" + v.rule + (v.building_fid >= 0 ? ":" + std::to_string(v.building_fid) : ""));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(Indicators, ParcelAndParkFiguresMatchTheHandComputedOnes) {
  const gis::LayerData parcels = fixture::parcels(), buildings = fixture::buildings();
  const PlanIndicators p = compute_indicators(parcels, buildings, {});
  ASSERT_EQ(p.parcels.size(), 3u);
  // P1: 100 x 50 = 5000 m²; B1 20 x 10 = 200 m² x 3 floors; B2 10 x 10 = 100 m², no floors, 21 m / 3.5 = 6 floors.
  const Indicators& p1 = parcel(p, "P1").ind;
  EXPECT_DOUBLE_EQ(p1.site_area_m2, 5000.0);
  EXPECT_DOUBLE_EQ(p1.footprint_m2, 300.0);
  EXPECT_DOUBLE_EQ(p1.gfa_m2, 200.0 * 3 + 100.0 * 6);
  EXPECT_DOUBLE_EQ(p1.far, 1200.0 / 5000.0);
  EXPECT_DOUBLE_EQ(p1.coverage, 300.0 / 5000.0);
  EXPECT_DOUBLE_EQ(p1.height_max_m, 21.0);
  EXPECT_EQ(p1.buildings, 2);
  EXPECT_TRUE(std::isnan(p1.green_ratio)) << "an industrial parcel without a green_ratio field has no known green share";
  // P2: B3 30 x 20 = 600 m² x 10 floors.
  const Indicators& p2 = parcel(p, "P2").ind;
  EXPECT_DOUBLE_EQ(p2.far, 6000.0 / 5000.0);
  EXPECT_DOUBLE_EQ(p2.height_max_m, 40.0);
  EXPECT_DOUBLE_EQ(parcel(p, "G1").ind.green_ratio, 1.0);
  // The park: 11600 m² of parcels, 7200 m² GFA, 900 m² footprint, 1600 m² green.
  const Indicators& park = p.parks.at("nanchang");
  EXPECT_DOUBLE_EQ(park.site_area_m2, 11600.0);
  EXPECT_DOUBLE_EQ(park.gfa_m2, 7200.0);
  EXPECT_DOUBLE_EQ(park.far, 7200.0 / 11600.0);
  EXPECT_DOUBLE_EQ(park.coverage, 900.0 / 11600.0);
  EXPECT_DOUBLE_EQ(park.green_ratio, 1600.0 / 11600.0);
  EXPECT_DOUBLE_EQ(park.height_max_m, 40.0);
  EXPECT_EQ(park.buildings, 3);
  EXPECT_TRUE(p.violations.empty());
}

TEST(Indicators, ZoningRulesFromFileAndFieldsFlagEachViolation) {
  auto rules = parse_zoning_rules(R"({
    "provenance": "test rules",
    "landuse": {"industrial": {"far_max": 0.2, "setback_m": 12},
                "office_rnd": {"height_max_m": 30, "coverage_max": 0.5}},
    "parcels": {"P2": {"height_max_m": 45}}})", "test");
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  gis::LayerData parcels = fixture::parcels(), buildings = fixture::buildings();
  PlanIndicators p = compute_indicators(parcels, buildings, *rules);
  // P1: FAR 0.24 > 0.2; B1 (fid 10) stands 10 m from the edge (< 12 m); B2 is 20 m away.
  // P2: the parcel's own rule (45 m) wins over its land use's 30 m, so B3's 40 m is allowed.
  EXPECT_EQ(rules_broken(p), (std::vector<std::string>{"P1:far_max", "P1:setback_m:10"}));
  for (const auto& v : p.violations) EXPECT_NE(v.message.find("P1"), std::string::npos) << v.message;
  EXPECT_EQ(parcel(p, "P2").rule.height_max_m, 45.0);
  EXPECT_EQ(parcel(p, "P2").rule.coverage_max, 0.5) << "unset limits come from the land use";

  // A limit in the parcel's own fields applies when the file has no entry for the parcel.
  parcels.fields.push_back("height_max_m");
  parcels.field_types.push_back(gis::FieldType::Real);
  parcels.features[0].attrs.push_back(15.0);
  p = compute_indicators(parcels, buildings, *rules);
  EXPECT_EQ(rules_broken(p), (std::vector<std::string>{"P1:far_max", "P1:height_max_m:11", "P1:setback_m:10"}));
}

TEST(Indicators, FollowEveryEdit) {
  gis::SceneFrame frame = gis::SceneFrame::jiangxi();
  gis::LayerData parcels = fixture::parcels(), buildings = fixture::buildings();
  EditSession s(frame, {&parcels, &buildings});
  auto rules = parse_zoning_rules(R"({"landuse": {"office_rnd": {"far_max": 1.0}}})", "test");
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(rules_broken(compute_indicators(s, *rules)), (std::vector<std::string>{"P2:far_max"}));  // 1.2 > 1.0
  ASSERT_TRUE(s.apply(SetAttribute{"buildings", 12, "floors", int64_t{8}}).ok());
  PlanIndicators p = compute_indicators(s, *rules);
  EXPECT_DOUBLE_EQ(parcel(p, "P2").ind.far, 600.0 * 8 / 5000.0);
  EXPECT_TRUE(p.violations.empty());
  // A second building on P2 (20 x 20 m, 2 floors) adds 800 m² GFA.
  ASSERT_TRUE(s.apply(AddFeature{"buildings", fixture::rect(160, 10, 180, 30), {{"floors", int64_t{2}}}}).ok());
  p = compute_indicators(s, *rules);
  EXPECT_DOUBLE_EQ(parcel(p, "P2").ind.gfa_m2, 4800.0 + 800.0);
  EXPECT_EQ(parcel(p, "P2").ind.buildings, 2);
  // Deleting B2 drops it from P1.
  ASSERT_TRUE(s.apply(DeleteFeatures{"buildings", {11}}).ok());
  EXPECT_DOUBLE_EQ(parcel(compute_indicators(s, *rules), "P1").ind.gfa_m2, 600.0);
  // Split P1 at x = 40: the western 2000 m² holds B1.
  ASSERT_TRUE(s.apply(SplitParcel{"parcels", 1, {{40, -10}, {40, 60}}}).ok());
  p = compute_indicators(s, *rules);
  EXPECT_EQ(p.parcels.size(), 4u);
  EXPECT_DOUBLE_EQ(p.parks.at("nanchang").site_area_m2, 11600.0) << "a split keeps the park's area";
  EXPECT_DOUBLE_EQ(parcel(p, "P1").ind.gfa_m2, 0.0);
  // Undo everything: the first figures again.
  while (s.undo()) {
  }
  p = compute_indicators(s, *rules);
  EXPECT_DOUBLE_EQ(p.parks.at("nanchang").gfa_m2, 7200.0);
  EXPECT_EQ(rules_broken(p), (std::vector<std::string>{"P2:far_max"}));
}

TEST(Indicators, BadRulesFilesAreRefusedWithTheReason) {
  for (const char* bad : {"[1,2]", "{\"landuse\": {\"industrial\": {\"far_maximum\": 2}}}",
                          "{\"landuse\": {\"industrial\": {\"far_max\": \"two\"}}}",
                          "{\"landuse\": {\"industrial\": {\"far_max\": -1}}}", "{\"zones\": {}}", "{not json"}) {
    auto r = parse_zoning_rules(bad, "rules.json");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message.rfind("rules.json", 0), 0u) << r.error().message;
  }
}
