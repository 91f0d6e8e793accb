#pragma once
// Cluster KPIs against the "1269" plan: for each of the three clusters in the scene (electronic
// information / Nanchang, copper-based new materials / Yingtan, lithium-battery and PV new energy /
// Yichun) the total of each indicator over the trailing 365 days ending at the moment the scene
// shows, next to the 2022 base and the 2026 target of the source document, the plan's ~9 %/yr
// growth line and the progress to target.
//
// The window totals per enterprise come from engine/live (the simulator integrated over the window,
// or the recorded history) in `TrailingTotals`; this file only sums them per cluster, so the panel
// and `parktwin kpi` show the same numbers from the same code. Every document figure is read from
// assets/facts.json (scene::plan_facts()) with its quote. Where the document names no 2026 target
// for an indicator with a revenue base, the target shown is the 2022 base carried along the plan's
// 9 %/yr line to 2026, and says so (`target_from_document` false); lithium salts have no target.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace parktwin::scene {

class Scene;

constexpr int kPlanBaseYear = 2022;
constexpr int kPlanTargetYear = 2026;
/// The KPI window: the trailing 365 days (one calendar year of 2022, the calibration year).
constexpr int64_t kKpiWindowMs = 365LL * 24 * 3600 * 1000;
/// Beijing time (China Standard Time, UTC+8, no daylight saving): times shown to people.
constexpr int64_t kBeijingOffsetMs = 8LL * 3600 * 1000;

/// The plan's growth a year (the "9" of "1269", from the facts file: 0.09).
double plan_growth_per_year();

/// Per-enterprise totals over one window, handed to the scene by engine/live.
struct TrailingTotals {
  enum class Basis : uint8_t {
    None,       ///< nothing computed (no live source)
    Simulator,  ///< the built-in simulator integrated over the window (complete by construction)
    History,    ///< recorded samples; each holds until the next one of its enterprise, at most a hold time
  };
  Basis basis = Basis::None;
  int64_t start_ms = 0, end_ms = 0;  ///< the window [start, end), UTC ms since 1970
  std::vector<double> output_yuan;   ///< per enterprise: output value in the window, yuan
  std::vector<double> production;    ///< per enterprise: production in the window, in the enterprise's unit
  std::vector<double> covered_ms;    ///< per enterprise: time of the window covered by data
  bool simulated = false;            ///< the values are simulated (simulator, or simulated samples in the history)
};
const char* basis_name(TrailingTotals::Basis b);  ///< "none", "simulator", "history"

/// What an indicator measures.
enum class KpiKind : uint8_t {
  Revenue,             ///< operating revenue of the cluster, yuan (sum of output value)
  Handsets,            ///< handset shipments, units (the handset makers' production)
  ElectrolyticCopper,  ///< electrolytic copper output, t (the smelters' production)
  LithiumSalts,        ///< lithium salts as lithium carbonate equivalent, t (the lithium-salt makers' production)
};
const char* kpi_kind_name(KpiKind k);  ///< "operating revenue", "handsets", "electrolytic copper", "lithium salts"
const char* kpi_kind_zh(KpiKind k);    ///< "营业收入", ...

/// One indicator of one cluster.
struct KpiIndicator {
  KpiKind kind = KpiKind::Revenue;
  std::string key;                  ///< machine name after the park: revenue_yuan, handsets, copper_t, lithium_salts_t
  std::string unit;                 ///< of every value below: "yuan", "units", "t"
  /// Total over the window [window_start_ms, window_end_ms). From history shorter than the window
  /// it is extrapolated (each enterprise's total / its covered share) and `extrapolated` is set.
  /// Empty when no member has data for the window (no data is not zero).
  std::optional<double> value;
  int64_t window_start_ms = 0, window_end_ms = 0;
  TrailingTotals::Basis basis = TrailingTotals::Basis::None;
  double coverage = 0.0;            ///< covered share of members × window (1 for the simulator)
  bool extrapolated = false;
  /// The instantaneous rate: the latest live sample of each member, summed, per hour.
  std::optional<double> rate_now_per_h;
  int members = 0;                  ///< enterprises that contribute to this indicator
  int reporting = 0;                ///< of those, how many have data in the window
  double base_2022 = 0.0;
  std::string base_source;          ///< with the document's own words
  std::optional<double> target_2026;  ///< the document's target, or the 9 %/yr line's 2026 value; none for lithium salts
  std::string target_source;
  bool target_from_document = false;  ///< false: derived from the base along the 9 %/yr line (or none)
  std::optional<double> stretch_2026;  ///< "striving for" figure, where the document gives one
  std::string stretch_source;
  std::optional<double> progress;   ///< value / target_2026
};

/// The KPIs of one cluster.
struct ClusterKpis {
  std::string cluster;      ///< key as in clusters(): electronic_information, copper_based_new_materials, ...
  int cluster_index = -1;   ///< index into clusters()
  std::string park;         ///< park id of its enterprises: nanchang, yingtan, yichun
  int enterprises = 0;      ///< enterprises of the cluster in the scene
  bool simulated = false;   ///< the values are simulated
  std::optional<double> year_now;  ///< the window's end as a decimal year; empty without data
  std::vector<KpiIndicator> indicators;  ///< revenue first
};

/// Value of the plan's growth line from a 2022 base in (decimal) year y: base × 1.09^(y − 2022).
double plan_growth_line(double base_2022, double year);
/// The straight path from the 2022 base to the 2026 target (the base where there is no target), in (decimal) year y.
double straight_path(const KpiIndicator& k, double year);
/// Milliseconds since 1970-01-01 UTC as a decimal year (2024-07-02 ≈ 2024.5).
double decimal_year(int64_t t_ms);
/// A moment for people: "2026-07-01 18:00 北京时间 (UTC+8)".
std::string format_beijing(int64_t t_ms);
/// A moment for machines: "2026-07-01T10:00:00Z".
std::string format_utc(int64_t t_ms);

/// True for enterprises whose production counts as handsets (the Nanchang complete-device makers:
/// product names smartphones or handsets, unit "million units").
bool is_handset_maker(const Scene& s, uint32_t enterprise);
/// True for enterprises whose production counts as electrolytic copper (Yingtan upstream smelters, unit t).
bool is_copper_smelter(const Scene& s, uint32_t enterprise);
/// True for the Yichun lithium-salt makers (carbonate or hydroxide, counted as carbonate equivalent, unit t).
bool is_lithium_salt_maker(const Scene& s, uint32_t enterprise);

/// The KPIs of each of the three plan clusters that has enterprises in the scene, in clusters()
/// order, from `s.kpi_totals` (window totals) and `s.live` (rates now).
std::vector<ClusterKpis> cluster_kpis(const Scene& s);

/// The KPIs as `name=value` lines for scripts (`parktwin kpi`): per indicator `<park>_<key>` with
/// `_window` (UTC interval), `_basis`, `_coverage`, `_extrapolated`, `_rate_now_per_h`, `_target_2026`.
std::vector<std::pair<std::string, std::string>> kpi_lines(const std::vector<ClusterKpis>& kpis);

}  // namespace parktwin::scene
