#pragma once
// Cluster KPIs against the "1269" plan: for each of the three clusters in the scene (electronic
// information / Nanchang, copper-based new materials / Yingtan, lithium-battery and PV new energy /
// Yichun) the current annualised value of its indicators from the live metrics, next to the 2022
// base and the 2026 target of the source document, the plan's ~9 %/yr growth line and the progress
// to target. Pure functions of the scene; nothing is cached.
//
// Every figure of the document is quoted from FACTS.md (the transcript of the Jiangxi "1269" plan
// press conference, Nanchang, 2023-07-14) and carries that source with the item it comes from.
// Where the document names no 2026 target, the target shown is the 2022 base carried along the
// plan's 9 %/yr line to 2026, and says so (`target_from_document` false).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parktwin::scene {

class Scene;

constexpr int kPlanBaseYear = 2022;
constexpr int kPlanTargetYear = 2026;
/// The "9" of "1269": about 9 % average annual growth of above-scale industrial operating revenue to 2026.
constexpr double kPlanGrowthPerYear = 0.09;
/// Hours in the annualisation of an hourly rate (365 days).
constexpr double kHoursPerYear = 8760.0;
/// Where every document figure comes from.
constexpr const char* kPlanSource = "Jiangxi '1269' plan press conference, 2023-07-14";

/// What an indicator measures.
enum class KpiKind : uint8_t {
  Revenue,             ///< operating revenue of the cluster, yuan per year (live: output yuan/h × 8760)
  Handsets,            ///< handset shipments, million units per year (live: the handset makers' production)
  ElectrolyticCopper,  ///< electrolytic copper output, t per year (live: the smelters' production)
};
const char* kpi_kind_name(KpiKind k);  ///< "operating revenue", "handsets", "electrolytic copper"

/// One indicator of one cluster.
struct KpiIndicator {
  KpiKind kind = KpiKind::Revenue;
  std::string unit;                 ///< of every value below: "yuan", "million units", "t"
  /// Current annualised value: the latest live sample of each member enterprise, summed, × 8760.
  /// Empty when no member has a sample (no data is not zero).
  std::optional<double> current;
  int members = 0;                  ///< enterprises that contribute to this indicator
  int reporting = 0;                ///< of those, how many have a live sample
  double base_2022 = 0.0;
  std::string base_source;
  double target_2026 = 0.0;         ///< the document's target, or the 9 %/yr line's 2026 value
  std::string target_source;
  bool target_from_document = false;  ///< false: derived from the base along the 9 %/yr line
  std::optional<double> stretch_2026;  ///< "striving for" figure, where the document gives one
  std::string stretch_source;
  /// current / target_2026 (the share of the 2026 target the current rate reaches); empty without a current value.
  std::optional<double> progress;
};

/// The KPIs of one cluster.
struct ClusterKpis {
  std::string cluster;      ///< key as in clusters(): electronic_information, copper_based_new_materials, ...
  int cluster_index = -1;   ///< index into clusters()
  std::string park;         ///< park id of its enterprises: nanchang, yingtan, yichun
  int enterprises = 0;      ///< enterprises of the cluster in the scene
  bool simulated = false;   ///< the live values are simulated (scene.live_simulated or a simulated sample)
  std::optional<double> year_now;  ///< the moment the scene shows as a decimal year; empty without live data
  std::vector<KpiIndicator> indicators;  ///< revenue first
};

/// Value of the plan's growth line from a 2022 base in (decimal) year y: base × 1.09^(y − 2022).
double plan_growth_line(double base_2022, double year);
/// The straight path from the 2022 base to the 2026 target, in (decimal) year y.
double straight_path(const KpiIndicator& k, double year);
/// Milliseconds since 1970-01-01 UTC as a decimal year (2024-07-02 ≈ 2024.5).
double decimal_year(int64_t t_ms);

/// True for enterprises whose production counts as handsets (the Nanchang complete-device makers:
/// product names smartphones or handsets, unit "million units").
bool is_handset_maker(const Scene& s, uint32_t enterprise);
/// True for enterprises whose production counts as electrolytic copper (Yingtan upstream smelters, unit t).
bool is_copper_smelter(const Scene& s, uint32_t enterprise);

/// The KPIs of each of the three plan clusters that has enterprises in the scene, in clusters() order.
std::vector<ClusterKpis> cluster_kpis(const Scene& s);

}  // namespace parktwin::scene
