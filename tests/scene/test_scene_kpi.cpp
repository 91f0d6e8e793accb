// Cluster KPIs against the "1269" plan: window totals summed per cluster (extrapolated and marked
// when the record is short), rates now from the latest samples, bases and targets checked against
// the transcript of the document, the growth line compounds 9 % a year, and no data gives no value
// (not zero).
#include <gtest/gtest.h>

#include <cmath>

#include "parktwin/scene/kpi.h"
#include "scene_test_support.h"
#include "seed_reader.h"

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

/// Window totals for the small scene: full coverage of a window ending at `end_ms`.
TrailingTotals totals(const Scene& s, int64_t end_ms, TrailingTotals::Basis basis = TrailingTotals::Basis::Simulator) {
  TrailingTotals t;
  t.basis = basis;
  t.start_ms = end_ms - kKpiWindowMs;
  t.end_ms = end_ms;
  t.output_yuan.assign(s.enterprises.size(), 0.0);
  t.production.assign(s.enterprises.size(), 0.0);
  t.covered_ms.assign(s.enterprises.size(), static_cast<double>(kKpiWindowMs));
  return t;
}

TEST(SceneKpi, NoDataGivesNoValue) {
  const Scene s = small_scene();
  const auto kpis = cluster_kpis(s);
  ASSERT_EQ(kpis.size(), 3u);
  for (const ClusterKpis& c : kpis) {
    EXPECT_FALSE(c.year_now.has_value()) << c.cluster;
    for (const KpiIndicator& k : c.indicators) {
      EXPECT_FALSE(k.value.has_value()) << c.cluster << " " << kpi_kind_name(k.kind);
      EXPECT_FALSE(k.rate_now_per_h.has_value());
      EXPECT_FALSE(k.progress.has_value());
      EXPECT_EQ(k.reporting, 0);
      EXPECT_EQ(k.basis, TrailingTotals::Basis::None);
    }
  }
}

TEST(SceneKpi, WindowTotalsAreSummedPerClusterAndRatesStayRates) {
  Scene s = small_scene();
  const int64_t end = 1719878400000;  // 2024-07-02T00:00:00Z
  s.kpi_totals = totals(s, end);
  s.kpi_totals.output_yuan = {40e9, 30e9, 5e9, 200e9, 60e9, 0.0};  // Yichun's cell maker made nothing
  s.kpi_totals.production = {35.0, 25.0, 900.0, 1.1e6, 4e5, 0.0};  // million units, t ...
  s.kpi_totals.covered_ms[5] = 0.0;                                 // and has no data at all
  s.live[0] = sample(2.0e6, 0.004);
  s.live[1] = sample(1.5e6, 0.003);
  const auto kpis = cluster_kpis(s);
  ASSERT_EQ(kpis.size(), 3u);

  const ClusterKpis& nc = kpis[0];
  EXPECT_EQ(nc.park, "nanchang");
  const KpiIndicator* rev = find(nc, KpiKind::Revenue);
  const KpiIndicator* hs = find(nc, KpiKind::Handsets);
  ASSERT_TRUE(rev && hs && rev->value && hs->value);
  EXPECT_DOUBLE_EQ(*rev->value, 75e9);          // 40 + 30 + 5 bn, the LED packager's revenue included
  EXPECT_DOUBLE_EQ(*hs->value, 60e6);           // 35 + 25 million handsets, counted in units; LED not a handset
  EXPECT_EQ(hs->members, 2);
  EXPECT_EQ(rev->window_start_ms, end - 365LL * 86400000);
  EXPECT_EQ(rev->window_end_ms, end);
  EXPECT_FALSE(rev->extrapolated);
  EXPECT_DOUBLE_EQ(rev->coverage, 1.0);
  // The rate now is the latest samples summed, per hour, not annualised.
  ASSERT_TRUE(rev->rate_now_per_h.has_value());
  EXPECT_DOUBLE_EQ(*rev->rate_now_per_h, 3.5e6);
  EXPECT_NEAR(*hs->rate_now_per_h, 7000.0, 1e-6);  // 0.007 million units/h
  ASSERT_TRUE(hs->progress && hs->target_2026);
  EXPECT_NEAR(*hs->progress, 60e6 / *hs->target_2026, 1e-12);
  ASSERT_TRUE(nc.year_now.has_value());
  EXPECT_NEAR(*nc.year_now, 2024.0 + 183.0 / 366.0, 1e-9);  // 2 July of a leap year

  const ClusterKpis& yt = kpis[1];
  EXPECT_DOUBLE_EQ(*find(yt, KpiKind::ElectrolyticCopper)->value, 1.1e6);  // the smelter only
  EXPECT_DOUBLE_EQ(*find(yt, KpiKind::Revenue)->value, 260e9);

  const ClusterKpis& yc = kpis[2];
  EXPECT_FALSE(find(yc, KpiKind::Revenue)->value.has_value()) << "no data is not zero";
  EXPECT_EQ(find(yc, KpiKind::Revenue)->reporting, 0);
}

TEST(SceneKpi, AShortHistoryIsExtrapolatedAndSaysSo) {
  Scene s = small_scene();
  const int64_t end = 1719878400000;
  s.kpi_totals = totals(s, end, TrailingTotals::Basis::History);
  const double thirty_days = 30.0 * 86400000.0;
  for (double& c : s.kpi_totals.covered_ms) c = thirty_days;
  s.kpi_totals.covered_ms[3] = 3.0 * thirty_days;  // the smelter recorded longer
  s.kpi_totals.output_yuan[3] = 30e9;               // in 90 days
  s.kpi_totals.production[3] = 3e5;
  const auto kpis = cluster_kpis(s);
  const KpiIndicator* cu = find(kpis[1], KpiKind::ElectrolyticCopper);
  ASSERT_TRUE(cu && cu->value);
  EXPECT_NEAR(*cu->value, 3e5 * 365.0 / 90.0, 1e-6);  // its rate over what it recorded, for 365 days
  EXPECT_TRUE(cu->extrapolated);
  EXPECT_NEAR(cu->coverage, 90.0 / 365.0, 1e-12);
  const KpiIndicator* rev = find(kpis[1], KpiKind::Revenue);
  EXPECT_NEAR(rev->coverage, (90.0 + 30.0) / (2 * 365.0), 1e-12);
  EXPECT_EQ(rev->basis, TrailingTotals::Basis::History);
  // Scripts see it too.
  bool said = false;
  for (const auto& [name, value] : kpi_lines(kpis))
    if (name == "yingtan_copper_t_extrapolated") said = value == "1";
  EXPECT_TRUE(said);
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

TEST(SceneKpi, BasesAndTargetsAreTheDocumentsFiguresReadFromTheSeedText) {
  // Each base and target carries the document's words; the words must be in the transcript, and
  // the figure they name, read by the tests' own reader, must be the number the dashboard uses.
  const std::string doc = parktwin::scene::testing::transcript();
  ASSERT_GT(doc.size(), 10000u);
  const auto kpis = cluster_kpis(small_scene());
  ASSERT_EQ(kpis.size(), 3u);
  auto check = [&](const std::string& source, double used, const std::string& unit) {
    SCOPED_TRACE(source);
    const std::string quote = parktwin::scene::testing::quote_of_source(source), figure = parktwin::scene::testing::figure_of_source(source);
    ASSERT_FALSE(quote.empty());
    EXPECT_NE(doc.find(quote), std::string::npos) << "not in the document: " << quote;
    EXPECT_NE(quote.find(figure), std::string::npos);
    const auto r = parktwin::scene::testing::read_figure(figure);
    ASSERT_TRUE(r.has_value()) << figure;
    const auto k = parktwin::scene::testing::factor(r->dimension, unit);
    ASSERT_TRUE(k.has_value()) << figure << " in " << unit;
    EXPECT_NEAR(used, r->number * *k, 1e-9 * used) << figure;
  };
  int from_document = 0, derived = 0;
  for (const ClusterKpis& c : kpis)
    for (const KpiIndicator& k : c.indicators) {
      check(k.base_source, k.base_2022, k.unit);
      if (k.target_2026 && k.target_from_document) {
        check(k.target_source, *k.target_2026, k.unit);
        ++from_document;
      } else if (k.target_2026) {
        // No target in the document: the base along the plan's line, whose rate is the document's "9%".
        const std::string growth_source = k.target_source.substr(k.target_source.find('('));
        const auto g = parktwin::scene::testing::read_figure(parktwin::scene::testing::figure_of_source(growth_source));
        ASSERT_TRUE(g.has_value()) << k.target_source;
        EXPECT_NEAR(*k.target_2026, k.base_2022 * std::pow(1.0 + g->number / 100.0, 4), 1e-9 * k.base_2022);
        EXPECT_NE(k.target_source.find("derived"), std::string::npos);
        ++derived;
      }
      if (k.stretch_2026) check(k.stretch_source, *k.stretch_2026, k.unit);
    }
  EXPECT_EQ(from_document, 2);  // Nanchang handsets, Yichun revenue
  EXPECT_EQ(derived, 3);        // Nanchang revenue, Yingtan revenue and copper
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

TEST(SceneKpi, TimesForPeopleAreBeijingTimeAndForMachinesUtc) {
  // 2023-01-01 00:00 in Beijing is 2022-12-31 16:00 UTC (1672502400000 ms).
  EXPECT_EQ(format_utc(1672502400000), "2022-12-31T16:00:00Z");
  EXPECT_EQ(format_beijing(1672502400000), "2023-01-01 00:00 北京时间 (UTC+8)");
  EXPECT_EQ(format_utc(951782400000), "2000-02-29T00:00:00Z");  // a leap day of a century leap year
  EXPECT_EQ(format_utc(-1000), "1969-12-31T23:59:59Z");
}

TEST(SceneKpi, DefaultDatasetHasSixHandsetMakersAndThreeSmelters) {
  auto s = parktwin::scene::testing::load_default_scene();
  ASSERT_TRUE(s);
  int handsets = 0, smelters = 0;
  for (uint32_t e = 0; e < s->enterprises.size(); ++e) {
    handsets += is_handset_maker(*s, e);
    smelters += is_copper_smelter(*s, e);
  }
  int salts = 0;
  for (uint32_t e = 0; e < s->enterprises.size(); ++e) salts += is_lithium_salt_maker(*s, e);
  EXPECT_EQ(handsets, plan_facts().value("nanchang.handset_makers"));  // the document: 6 complete-device makers
  EXPECT_EQ(salts, plan_facts().value("yichun.lithium_salt_firms"));   // and 14 lithium-salt producers
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
