// Cluster KPIs against the "1269" plan: window totals summed per cluster. The document's figures
// come from assets/facts.json (plan_facts()), each source quoting the document's own words.
#include "parktwin/scene/kpi.h"

#include <cmath>
#include <cstdio>
#include <string_view>

#include "parktwin/scene/chains.h"
#include "parktwin/scene/facts.h"
#include "parktwin/scene/scene.h"

namespace parktwin::scene {

namespace {

bool contains(std::string_view s, std::string_view what) { return s.find(what) != std::string_view::npos; }

/// The dataset gives annual units ("t/a"); samples speak per hour ("t"). Compares without the "/a".
bool unit_is(std::string_view unit, std::string_view hourly) {
  if (unit.ends_with("/a")) unit.remove_suffix(2);
  return unit == hourly;
}

/// Factor from an enterprise's production unit to the indicator's ("million units" -> units).
double unit_scale(std::string_view unit) { return unit.starts_with("million ") ? 1e6 : 1.0; }

/// An indicator with its 2022 base from the document.
KpiIndicator indicator(KpiKind kind, const char* key, const char* unit, const char* base_fact) {
  const Fact& f = plan_facts().get(base_fact);
  KpiIndicator k;
  k.kind = kind;
  k.key = key;
  k.unit = unit;
  k.base_2022 = f.value;
  k.base_source = fact_source(f);
  return k;
}

/// The document's 2026 target.
KpiIndicator with_target(KpiIndicator k, const char* target_fact) {
  const Fact& f = plan_facts().get(target_fact);
  k.target_2026 = f.value;
  k.target_from_document = true;
  k.target_source = fact_source(f);
  return k;
}

/// A derived 2026 target: the base along the plan's 9 %/yr line.
KpiIndicator with_derived_target(KpiIndicator k) {
  k.target_2026 = plan_growth_line(k.base_2022, kPlanTargetYear);
  k.target_from_document = false;
  k.target_source = "derived: the document gives no 2026 target; the 2022 base carried along the plan's ~9 %/yr line (" +
                    fact_source(plan_facts().get("plan.growth_per_year")) + ")";
  return k;
}

/// The document's indicators of a cluster, without values.
std::vector<KpiIndicator> plan_indicators(std::string_view cluster) {
  if (cluster == "electronic_information")
    return {
        with_derived_target(indicator(KpiKind::Revenue, "revenue_yuan", "yuan", "nanchang.electronics_revenue_2022")),
        with_target(indicator(KpiKind::Handsets, "handsets", "units", "nanchang.handsets_2022"), "nanchang.handsets_target_2026"),
    };
  if (cluster == "copper_based_new_materials")
    return {
        with_derived_target(indicator(KpiKind::Revenue, "revenue_yuan", "yuan", "yingtan.copper_revenue_2022")),
        with_derived_target(indicator(KpiKind::ElectrolyticCopper, "copper_t", "t", "yingtan.electrolytic_copper_2022")),
    };
  if (cluster == "lithium_pv_new_energy") {
    KpiIndicator rev = with_target(indicator(KpiKind::Revenue, "revenue_yuan", "yuan", "yichun.lithium_revenue_2022"),
                                   "yichun.lithium_revenue_target_2026");
    const Fact& stretch = plan_facts().get("yichun.lithium_revenue_stretch_2026");
    rev.stretch_2026 = stretch.value;
    rev.stretch_source = fact_source(stretch);
    KpiIndicator salts = indicator(KpiKind::LithiumSalts, "lithium_salts_t", "t", "yichun.lithium_carbonate_2022");
    salts.target_source = "the document gives no 2026 target for lithium salts";
    return {rev, salts};
  }
  return {};
}

/// Does enterprise e contribute to indicator k?
bool counts_for(const Scene& s, uint32_t e, KpiKind k) {
  switch (k) {
    case KpiKind::Revenue: return true;
    case KpiKind::Handsets: return is_handset_maker(s, e);
    case KpiKind::ElectrolyticCopper: return is_copper_smelter(s, e);
    case KpiKind::LithiumSalts: return is_lithium_salt_maker(s, e);
  }
  return false;
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

struct Civil {
  int64_t y;
  int m, d, hh, mm, ss;
};
/// Calendar fields of a UTC millisecond count (days-to-civil of the proleptic Gregorian calendar).
Civil civil(int64_t t_ms) {
  constexpr int64_t kDayMs = 86'400'000;
  const int64_t day = floor_div(t_ms, kDayMs);
  const int64_t ms = t_ms - day * kDayMs;
  const int64_t z = day + 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return {y, m, d, static_cast<int>(ms / 3'600'000), static_cast<int>(ms / 60'000 % 60), static_cast<int>(ms / 1000 % 60)};
}

std::string number(double v) {
  char buf[64];
  if (std::abs(v) >= 1e4 || v == std::floor(v)) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

double plan_growth_per_year() { return plan_facts().value("plan.growth_per_year"); }

const char* basis_name(TrailingTotals::Basis b) {
  switch (b) {
    case TrailingTotals::Basis::None: return "none";
    case TrailingTotals::Basis::Simulator: return "simulator";
    case TrailingTotals::Basis::History: return "history";
  }
  return "?";
}

const char* kpi_kind_name(KpiKind k) {
  switch (k) {
    case KpiKind::Revenue: return "operating revenue";
    case KpiKind::Handsets: return "handsets";
    case KpiKind::ElectrolyticCopper: return "electrolytic copper";
    case KpiKind::LithiumSalts: return "lithium salts (LCE)";
  }
  return "?";
}

const char* kpi_kind_zh(KpiKind k) {
  switch (k) {
    case KpiKind::Revenue: return "营业收入";
    case KpiKind::Handsets: return "手机出货量";
    case KpiKind::ElectrolyticCopper: return "电解铜产量";
    case KpiKind::LithiumSalts: return "锂盐产量(碳酸锂当量)";
  }
  return "";
}

double plan_growth_line(double base_2022, double year) {
  return base_2022 * std::pow(1.0 + plan_growth_per_year(), year - kPlanBaseYear);
}

double straight_path(const KpiIndicator& k, double year) {
  if (!k.target_2026) return k.base_2022;
  const double f = (year - kPlanBaseYear) / static_cast<double>(kPlanTargetYear - kPlanBaseYear);
  return k.base_2022 + (*k.target_2026 - k.base_2022) * f;
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

std::string format_beijing(int64_t t_ms) {
  const Civil c = civil(t_ms + kBeijingOffsetMs);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d %02d:%02d 北京时间 (UTC+8)", static_cast<long long>(c.y), c.m, c.d, c.hh, c.mm);
  return buf;
}

std::string format_utc(int64_t t_ms) {
  const Civil c = civil(t_ms);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02dZ", static_cast<long long>(c.y), c.m, c.d, c.hh, c.mm, c.ss);
  return buf;
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

bool is_lithium_salt_maker(const Scene& s, uint32_t e) {
  if (e >= s.enterprises.size()) return false;
  const Enterprise& en = s.enterprises[e];
  return en.cluster == "lithium_pv_new_energy" && unit_is(en.unit, "t") &&
         (contains(en.product, "lithium carbonate") || contains(en.product, "lithium hydroxide"));
}

std::vector<ClusterKpis> cluster_kpis(const Scene& s) {
  const TrailingTotals& tt = s.kpi_totals;
  const bool have_window = tt.basis != TrailingTotals::Basis::None && tt.end_ms > tt.start_ms;
  const double window = static_cast<double>(tt.end_ms - tt.start_ms);
  std::vector<ClusterKpis> out;
  for (const char* key : {"electronic_information", "copper_based_new_materials", "lithium_pv_new_energy"}) {
    ClusterKpis c;
    c.cluster = key;
    c.cluster_index = cluster_index(key);
    c.simulated = s.live_simulated || (have_window && tt.simulated);
    c.indicators = plan_indicators(key);
    std::vector<double> covered(c.indicators.size(), 0.0);
    for (uint32_t e = 0; e < s.enterprises.size(); ++e) {
      const Enterprise& en = s.enterprises[e];
      if (en.cluster != key) continue;
      if (c.park.empty()) c.park = en.park;
      ++c.enterprises;
      const bool live = e < s.live.size() && s.live[e].ts_ms > 0;
      if (live && s.live[e].simulated) c.simulated = true;
      const double cov = have_window && e < tt.covered_ms.size() ? std::min(tt.covered_ms[e], window) : 0.0;
      for (size_t i = 0; i < c.indicators.size(); ++i) {
        KpiIndicator& k = c.indicators[i];
        if (!counts_for(s, e, k.kind)) continue;
        ++k.members;
        const double scale = k.kind == KpiKind::Revenue ? 1.0 : unit_scale(en.unit);
        const Metric m = k.kind == KpiKind::Revenue ? Metric::Output : Metric::Production;
        if (live) k.rate_now_per_h = k.rate_now_per_h.value_or(0.0) + s.live[e].value(m) * scale;
        if (cov <= 0.0) continue;
        ++k.reporting;
        covered[i] += cov;
        const double total = (k.kind == KpiKind::Revenue ? tt.output_yuan[e] : tt.production[e]) * scale;
        // A shorter record stands for the whole window at the rate it shows.
        k.value = k.value.value_or(0.0) + total * (window / cov);
      }
    }
    if (c.enterprises == 0) continue;
    if (have_window) c.year_now = decimal_year(tt.end_ms);
    for (size_t i = 0; i < c.indicators.size(); ++i) {
      KpiIndicator& k = c.indicators[i];
      if (have_window) {
        k.window_start_ms = tt.start_ms;
        k.window_end_ms = tt.end_ms;
        k.basis = tt.basis;
        k.coverage = k.members > 0 ? covered[i] / (window * k.members) : 0.0;
        k.extrapolated = k.value && k.coverage < 0.999;
      }
      if (k.value && k.target_2026 && *k.target_2026 > 0.0) k.progress = *k.value / *k.target_2026;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> kpi_lines(const std::vector<ClusterKpis>& kpis) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const ClusterKpis& c : kpis)
    for (const KpiIndicator& k : c.indicators) {
      const std::string name = c.park + "_" + k.key;
      out.emplace_back(name, k.value ? number(*k.value) : "");
      out.emplace_back(name + "_window", k.window_end_ms > k.window_start_ms
                                             ? format_utc(k.window_start_ms) + "/" + format_utc(k.window_end_ms)
                                             : "");
      out.emplace_back(name + "_basis", basis_name(k.basis));
      char cov[32];
      std::snprintf(cov, sizeof cov, "%.4f", k.coverage);
      out.emplace_back(name + "_coverage", cov);
      out.emplace_back(name + "_extrapolated", k.extrapolated ? "1" : "0");
      out.emplace_back(name + "_simulated", c.simulated ? "1" : "0");
      out.emplace_back(name + "_rate_now_per_h", k.rate_now_per_h ? number(*k.rate_now_per_h) : "");
      out.emplace_back(name + "_target_2026", k.target_2026 ? number(*k.target_2026) : "");
    }
  return out;
}

}  // namespace parktwin::scene
