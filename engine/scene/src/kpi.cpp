// Cluster KPIs against the "1269" plan. The document figures below are quoted from FACTS.md, the
// summary of the transcript of the Jiangxi "1269" plan press conference (Nanchang, 2023-07-14);
// each carries the item it comes from. Current values are sums of live samples, annualised.
#include "parktwin/scene/kpi.h"

#include <cmath>
#include <string_view>

#include "parktwin/scene/chains.h"
#include "parktwin/scene/scene.h"

namespace parktwin::scene {

namespace {

bool contains(std::string_view s, std::string_view what) { return s.find(what) != std::string_view::npos; }

/// The dataset gives annual units ("t/a"); samples speak per hour ("t"). Compares without the "/a".
bool unit_is(std::string_view unit, std::string_view hourly) {
  if (unit.ends_with("/a")) unit.remove_suffix(2);
  return unit == hourly;
}

std::string source(const char* item) { return std::string(kPlanSource) + ": " + item; }

/// An indicator with its 2022 base from the document.
KpiIndicator indicator(KpiKind kind, const char* unit, double base_2022, const char* base_item) {
  KpiIndicator k;
  k.kind = kind;
  k.unit = unit;
  k.base_2022 = base_2022;
  k.base_source = source(base_item);
  return k;
}

/// The document's 2026 target.
KpiIndicator with_target(KpiIndicator k, double target_2026, const char* target_item) {
  k.target_2026 = target_2026;
  k.target_from_document = true;
  k.target_source = source(target_item);
  return k;
}

/// A derived 2026 target: the base along the plan's 9 %/yr line.
KpiIndicator with_derived_target(KpiIndicator k, const char* base_item) {
  k.target_2026 = plan_growth_line(k.base_2022, kPlanTargetYear);
  k.target_from_document = false;
  k.target_source = std::string("derived: no 2026 target in the document; ") + base_item +
                    " carried along the plan's ~9 %/yr growth line (" + kPlanSource +
                    ": '9', about 9 % average annual growth to 2026)";
  return k;
}

/// The document's indicators of a cluster, without current values.
std::vector<KpiIndicator> plan_indicators(std::string_view cluster) {
  if (cluster == "electronic_information")
    return {
        with_derived_target(indicator(KpiKind::Revenue, "yuan", 150e9,
                                      "Nanchang High-tech Zone electronics revenue 150 bn yuan (2022), from 30 bn (2017)"),
                            "Nanchang electronics revenue 150 bn (2022)"),
        with_target(indicator(KpiKind::Handsets, "million units", 120.0,
                              "Nanchang mobile smart terminals, 2022 shipments 120 million handsets (1.2 亿部)"),
                    200.0, "Nanchang mobile smart terminals, 2026 target 200 million (2 亿台)"),
    };
  if (cluster == "copper_based_new_materials")
    return {
        with_derived_target(indicator(KpiKind::Revenue, "yuan", 372.45e9,
                                      "Yingtan 2022 copper-industry operating revenue 372.45 bn yuan (3724.5 亿元), 78 % of the province"),
                            "Yingtan copper revenue 372.45 bn (2022)"),
        with_derived_target(indicator(KpiKind::ElectrolyticCopper, "t", 1.2926e6,
                                      "Yingtan 2022 electrolytic copper output 1.2926 Mt (129.26 万吨)"),
                            "Yingtan electrolytic copper 1.2926 Mt (2022)"),
    };
  if (cluster == "lithium_pv_new_energy") {
    KpiIndicator rev = with_target(
        indicator(KpiKind::Revenue, "yuan", 111.7e9, "Yichun lithium-battery new energy, 2022 operating revenue 111.7 bn yuan (1117 亿元)"),
        350e9, "Yichun lithium-battery new energy, 2026 target over 350 bn yuan (3500 亿)");
    rev.stretch_2026 = 450e9;
    rev.stretch_source = source("Yichun lithium-battery new energy, 2026 striving for 450 bn yuan (4500 亿)");
    return {rev};
  }
  return {};
}

/// Does enterprise e contribute to indicator k?
bool counts_for(const Scene& s, uint32_t e, KpiKind k) {
  switch (k) {
    case KpiKind::Revenue: return true;
    case KpiKind::Handsets: return is_handset_maker(s, e);
    case KpiKind::ElectrolyticCopper: return is_copper_smelter(s, e);
  }
  return false;
}

/// The hourly live value that indicator k sums.
double hourly_value(const Metrics& m, KpiKind k) {
  return m.value(k == KpiKind::Revenue ? Metric::Output : Metric::Production);
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

/// Days from 1970-01-01 to 1 January of y (proleptic Gregorian).
int64_t days_before_year(int64_t y) {
  auto leaps = [](int64_t yy) { return floor_div(yy, 4) - floor_div(yy, 100) + floor_div(yy, 400); };
  return 365 * (y - 1970) + leaps(y - 1) - leaps(1969);
}

}  // namespace

const char* kpi_kind_name(KpiKind k) {
  switch (k) {
    case KpiKind::Revenue: return "operating revenue";
    case KpiKind::Handsets: return "handsets";
    case KpiKind::ElectrolyticCopper: return "electrolytic copper";
  }
  return "?";
}

double plan_growth_line(double base_2022, double year) {
  return base_2022 * std::pow(1.0 + kPlanGrowthPerYear, year - kPlanBaseYear);
}

double straight_path(const KpiIndicator& k, double year) {
  const double f = (year - kPlanBaseYear) / static_cast<double>(kPlanTargetYear - kPlanBaseYear);
  return k.base_2022 + (k.target_2026 - k.base_2022) * f;
}

double decimal_year(int64_t t_ms) {
  constexpr int64_t kDayMs = 86'400'000;
  const int64_t day = floor_div(t_ms, kDayMs);
  int64_t y = 1970 + floor_div(day * 400, 146097);
  while (days_before_year(y) > day) --y;
  while (days_before_year(y + 1) <= day) ++y;
  const double start = static_cast<double>(days_before_year(y)) * kDayMs;
  const double len = static_cast<double>(days_before_year(y + 1) - days_before_year(y)) * kDayMs;
  return static_cast<double>(y) + (static_cast<double>(t_ms) - start) / len;
}

bool is_handset_maker(const Scene& s, uint32_t e) {
  if (e >= s.enterprises.size()) return false;
  const Enterprise& en = s.enterprises[e];
  return en.cluster == "electronic_information" && unit_is(en.unit, "million units") &&
         (contains(en.product, "smartphone") || contains(en.product, "handset"));
}

bool is_copper_smelter(const Scene& s, uint32_t e) {
  if (e >= s.enterprises.size()) return false;
  const Enterprise& en = s.enterprises[e];
  return en.cluster == "copper_based_new_materials" && en.segment == "upstream" && unit_is(en.unit, "t");
}

std::vector<ClusterKpis> cluster_kpis(const Scene& s) {
  std::vector<ClusterKpis> out;
  for (const char* key : {"electronic_information", "copper_based_new_materials", "lithium_pv_new_energy"}) {
    ClusterKpis c;
    c.cluster = key;
    c.cluster_index = cluster_index(key);
    c.simulated = s.live_simulated;
    c.indicators = plan_indicators(key);
    bool any_live = false;
    for (uint32_t e = 0; e < s.enterprises.size(); ++e) {
      if (s.enterprises[e].cluster != key) continue;
      if (c.park.empty()) c.park = s.enterprises[e].park;
      ++c.enterprises;
      const bool live = e < s.live.size() && s.live[e].ts_ms > 0;
      if (live && s.live[e].simulated) c.simulated = true;
      any_live |= live;
      for (KpiIndicator& k : c.indicators) {
        if (!counts_for(s, e, k.kind)) continue;
        ++k.members;
        if (!live) continue;
        ++k.reporting;
        k.current = k.current.value_or(0.0) + hourly_value(s.live[e], k.kind) * kHoursPerYear;
      }
    }
    if (c.enterprises == 0) continue;
    if (any_live && s.live_time_ms > 0) c.year_now = decimal_year(s.live_time_ms);
    for (KpiIndicator& k : c.indicators)
      if (k.current && k.target_2026 > 0.0) k.progress = *k.current / k.target_2026;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace parktwin::scene
