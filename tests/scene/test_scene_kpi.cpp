// Cluster KPIs against the "1269" plan: current values are the annualised sums of hand-set live
// samples, bases and targets are the document's figures, the growth line compounds 9 % a year, and
// no live data gives no current value (not zero).
#include <gtest/gtest.h>

#include <cmath>

#include "parktwin/scene/kpi.h"
#include "scene_test_support.h"

using namespace parktwin;
using namespace parktwin::scene;

namespace {

Enterprise make(const char* id, const char* park, const char* cluster, const char* segment, const char* product,
                const char* unit) {
  Enterprise e;
  e.id = id;
  e.park = park;
  e.cluster = cluster;
  e.segment = segment;
  e.product = product;
  e.unit = unit;
  return e;
}

Metrics sample(double output_yuan_h, double production_h, bool simulated = false) {
  Metrics m;
  m.ts_ms = 1719878400000;  // 2024-07-02T00:00:00Z
  m.v[static_cast<size_t>(Metric::Output)] = output_yuan_h;
  m.v[static_cast<size_t>(Metric::Production)] = production_h;
  m.status = Status::Running;
  m.simulated = simulated;
  return m;
}

/// A small scene: two handset makers and an LED packager in Nanchang, a smelter and a rolling mill
/// in Yingtan, one cell maker in Yichun.
Scene small_scene() {
  Scene s(gis::SceneFrame::jiangxi());
  s.enterprises = {
      make("h1", "nanchang", "electronic_information", "downstream", "smartphones and mobile smart terminals (ODM)",
           "million units/a"),
      make("h2", "nanchang", "electronic_information", "downstream", "handsets", "million units/a"),
      make("led", "nanchang", "electronic_information", "midstream", "LED packaging", "million units/a"),
      make("smelter", "yingtan", "copper_based_new_materials", "upstream", "cathode copper (electrolytic copper)", "t/a"),
      make("rolling", "yingtan", "copper_based_new_materials", "midstream", "copper strip", "t/a"),
      make("cells", "yichun", "lithium_pv_new_energy", "downstream", "lithium-ion cells", "GWh/a"),
  };
  s.live.assign(s.enterprises.size(), Metrics{});
  return s;
}

const KpiIndicator* find(const ClusterKpis& c, KpiKind k) {
  for (const KpiIndicator& i : c.indicators)
    if (i.kind == k) return &i;
  return nullptr;
}

TEST(SceneKpi, NoLiveDataGivesNoCurrentValue) {
  const Scene s = small_scene();
  const auto kpis = cluster_kpis(s);
  ASSERT_EQ(kpis.size(), 3u);
  for (const ClusterKpis& c : kpis) {
    EXPECT_FALSE(c.year_now.has_value()) << c.cluster;
    for (const KpiIndicator& k : c.indicators) {
      EXPECT_FALSE(k.current.has_value()) << c.cluster << " " << kpi_kind_name(k.kind);
      EXPECT_FALSE(k.progress.has_value());
      EXPECT_EQ(k.reporting, 0);
    }
  }
}

TEST(SceneKpi, CurrentValuesAreTheAnnualisedSumsOfTheLiveSamples) {
  Scene s = small_scene();
  s.live_time_ms = 1719878400000;
  s.live[0] = sample(2.0e6, 0.004);   // h1: yuan/h, million units/h
  s.live[1] = sample(1.5e6, 0.003);   // h2
  s.live[2] = sample(0.25e6, 0.5);    // LED: revenue only, its production is not handsets
  s.live[3] = sample(20e6, 150.0);    // smelter: t/h
  s.live[4] = sample(5e6, 40.0);      // rolling mill: revenue only
  // Yichun has no sample.
  const auto kpis = cluster_kpis(s);
  ASSERT_EQ(kpis.size(), 3u);

  const ClusterKpis& nc = kpis[0];
  EXPECT_EQ(nc.cluster, "electronic_information");
  EXPECT_EQ(nc.park, "nanchang");
  EXPECT_EQ(nc.enterprises, 3);
  const KpiIndicator* rev = find(nc, KpiKind::Revenue);
  const KpiIndicator* hs = find(nc, KpiKind::Handsets);
  ASSERT_TRUE(rev && hs);
  ASSERT_TRUE(rev->current.has_value());
  EXPECT_DOUBLE_EQ(*rev->current, (2.0e6 + 1.5e6 + 0.25e6) * 8760.0);
  ASSERT_TRUE(hs->current.has_value());
  EXPECT_NEAR(*hs->current, (0.004 + 0.003) * 8760.0, 1e-9);
  EXPECT_EQ(hs->members, 2);
  EXPECT_EQ(hs->reporting, 2);
  EXPECT_NEAR(*hs->progress, (0.007 * 8760.0) / 200.0, 1e-12);
  ASSERT_TRUE(nc.year_now.has_value());
  EXPECT_NEAR(*nc.year_now, 2024.0 + 183.0 / 366.0, 1e-9);  // 2 July of a leap year

  const ClusterKpis& yt = kpis[1];
  EXPECT_EQ(yt.cluster, "copper_based_new_materials");
  const KpiIndicator* cu = find(yt, KpiKind::ElectrolyticCopper);
  ASSERT_TRUE(cu && cu->current.has_value());
  EXPECT_DOUBLE_EQ(*cu->current, 150.0 * 8760.0);
  EXPECT_EQ(cu->members, 1);
  EXPECT_DOUBLE_EQ(*find(yt, KpiKind::Revenue)->current, 25e6 * 8760.0);

  const ClusterKpis& yc = kpis[2];
  EXPECT_EQ(yc.cluster, "lithium_pv_new_energy");
  EXPECT_FALSE(find(yc, KpiKind::Revenue)->current.has_value());
  EXPECT_FALSE(yc.year_now.has_value());
  EXPECT_FALSE(yc.simulated);
}

TEST(SceneKpi, SimulatedIsMarked) {
  Scene s = small_scene();
  s.live[5] = sample(1e6, 0.001, true);
  auto kpis = cluster_kpis(s);
  EXPECT_FALSE(kpis[0].simulated);
  EXPECT_TRUE(kpis[2].simulated);
  s.live_simulated = true;
  kpis = cluster_kpis(s);
  EXPECT_TRUE(kpis[0].simulated);
}

TEST(SceneKpi, BasesAndTargetsAreTheDocumentsFigures) {
  const auto kpis = cluster_kpis(small_scene());
  ASSERT_EQ(kpis.size(), 3u);
  const KpiIndicator& nc_rev = *find(kpis[0], KpiKind::Revenue);
  const KpiIndicator& nc_hs = *find(kpis[0], KpiKind::Handsets);
  const KpiIndicator& yt_rev = *find(kpis[1], KpiKind::Revenue);
  const KpiIndicator& yt_cu = *find(kpis[1], KpiKind::ElectrolyticCopper);
  const KpiIndicator& yc_rev = *find(kpis[2], KpiKind::Revenue);

  EXPECT_DOUBLE_EQ(nc_rev.base_2022, 150e9);
  EXPECT_DOUBLE_EQ(nc_hs.base_2022, 120.0);
  EXPECT_DOUBLE_EQ(nc_hs.target_2026, 200.0);
  EXPECT_TRUE(nc_hs.target_from_document);
  EXPECT_DOUBLE_EQ(yt_rev.base_2022, 372.45e9);
  EXPECT_DOUBLE_EQ(yt_cu.base_2022, 1.2926e6);
  EXPECT_DOUBLE_EQ(yc_rev.base_2022, 111.7e9);
  EXPECT_DOUBLE_EQ(yc_rev.target_2026, 350e9);
  EXPECT_TRUE(yc_rev.target_from_document);
  ASSERT_TRUE(yc_rev.stretch_2026.has_value());
  EXPECT_DOUBLE_EQ(*yc_rev.stretch_2026, 450e9);

  // No 2026 target in the document: the base along the 9 %/yr line, marked as derived.
  for (const KpiIndicator* k : {&nc_rev, &yt_rev, &yt_cu}) {
    EXPECT_FALSE(k->target_from_document);
    EXPECT_NEAR(k->target_2026, k->base_2022 * std::pow(1.09, 4), 1e-9 * k->base_2022);
    EXPECT_NE(k->target_source.find("derived"), std::string::npos);
  }
  // Every figure names the press conference.
  for (const ClusterKpis& c : kpis)
    for (const KpiIndicator& k : c.indicators) {
      EXPECT_NE(k.base_source.find("'1269' plan press conference, 2023-07-14"), std::string::npos) << k.base_source;
      EXPECT_NE(k.target_source.find("'1269' plan press conference, 2023-07-14"), std::string::npos) << k.target_source;
    }
  EXPECT_NE(yc_rev.base_source.find("111.7 bn"), std::string::npos);
  EXPECT_NE(yc_rev.target_source.find("350 bn"), std::string::npos);
  EXPECT_NE(yc_rev.stretch_source.find("450 bn"), std::string::npos);
  EXPECT_NE(nc_hs.target_source.find("200 million"), std::string::npos);
  EXPECT_NE(yt_cu.base_source.find("1.2926 Mt"), std::string::npos);
}

TEST(SceneKpi, GrowthLineAndStraightPath) {
  EXPECT_DOUBLE_EQ(plan_growth_line(100.0, 2022.0), 100.0);
  EXPECT_NEAR(plan_growth_line(100.0, 2023.0), 109.0, 1e-12);
  EXPECT_NEAR(plan_growth_line(100.0, 2026.0), 100.0 * 1.09 * 1.09 * 1.09 * 1.09, 1e-9);
  EXPECT_NEAR(plan_growth_line(372.45e9, 2024.5), 372.45e9 * std::pow(1.09, 2.5), 1.0);
  KpiIndicator k;
  k.base_2022 = 120.0;
  k.target_2026 = 200.0;
  EXPECT_DOUBLE_EQ(straight_path(k, 2022.0), 120.0);
  EXPECT_DOUBLE_EQ(straight_path(k, 2024.0), 160.0);
  EXPECT_DOUBLE_EQ(straight_path(k, 2026.0), 200.0);
}

TEST(SceneKpi, DecimalYear) {
  EXPECT_DOUBLE_EQ(decimal_year(1640995200000), 2022.0);  // 2022-01-01T00:00:00Z
  EXPECT_DOUBLE_EQ(decimal_year(1672531200000), 2023.0);
  EXPECT_NEAR(decimal_year(1640995200000 + 73LL * 86400000), 2022.2, 1e-12);
  EXPECT_DOUBLE_EQ(decimal_year(0), 1970.0);
}

TEST(SceneKpi, DefaultDatasetHasSixHandsetMakersAndThreeSmelters) {
  auto s = parktwin::scene::testing::load_default_scene();
  ASSERT_TRUE(s);
  int handsets = 0, smelters = 0;
  for (uint32_t e = 0; e < s->enterprises.size(); ++e) {
    handsets += is_handset_maker(*s, e);
    smelters += is_copper_smelter(*s, e);
  }
  EXPECT_EQ(handsets, 6);  // the document: 6 complete-device makers
  EXPECT_EQ(smelters, 3);
  const auto kpis = cluster_kpis(*s);
  ASSERT_EQ(kpis.size(), 3u);
  EXPECT_EQ(kpis[0].park, "nanchang");
  EXPECT_EQ(kpis[1].park, "yingtan");
  EXPECT_EQ(kpis[2].park, "yichun");
  // The dataset's nominal revenues sum to the document's 2022 bases.
  for (const ClusterKpis& c : kpis) {
    double nominal = 0.0;
    for (const Enterprise& e : s->enterprises)
      if (e.cluster == c.cluster) nominal += e.revenue_2022;
    EXPECT_NEAR(nominal, c.indicators.front().base_2022, 0.01 * c.indicators.front().base_2022) << c.cluster;
  }
}

}  // namespace
