#pragma once
// The built-in metric simulator ("sim://"): deterministic from a seed, a pure function of
// (enterprise, time), so any moment can be rendered, replayed or scrubbed without history.
// Calibrated to the source document: annualised totals per cluster match the 2022 figures
// (Yingtan copper 372.45 bn yuan and 1.2926 Mt electrolytic copper; Yichun lithium 111.7 bn and
// 140 kt lithium carbonate; Nanchang electronics 150 bn and 120 million handsets), growing toward
// the 2026 targets. Everything it produces is simulated and says so.
#include <cstdint>
#include <vector>

#include "parktwin/live/registry.h"
#include "parktwin/scene/metrics.h"

namespace parktwin::live {

namespace detail {
struct Profile;  ///< how one enterprise runs over the day, week and year (simulator.cpp)
}

struct SimulatorOptions {
  uint64_t seed = 20230714;
  int64_t base_year_start_ms = 1640995200000;  ///< 2022-01-01T00:00:00Z: the calibration year
  double alarm_rate_per_day = 0.02;            ///< per enterprise
  double outages_per_year = 2.0;               ///< planned maintenance outages per enterprise
};

/// The years the simulator answers for: 2000-01-01T00:00:00Z up to 2100-01-01T00:00:00Z (its growth
/// lines mean nothing far from the plan's years, and overflow centuries away).
inline constexpr int64_t kSimFirstMs = 946684800000;
inline constexpr int64_t kSimEndMs = 4102444800000;
inline bool sim_covers(int64_t t_ms) { return t_ms >= kSimFirstMs && t_ms < kSimEndMs; }
/// "the simulator covers 2000-01-01 to 2100-01-01 (UTC)", for messages.
const char* sim_range_text();

class Simulator {
 public:
  Simulator(const Registry& reg, SimulatorOptions opt = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;
  /// The metrics of enterprise `e` at time `t_ms` (ms since epoch, UTC). Deterministic. Outside
  /// sim_covers() (or should a value not be finite) no sample: ts_ms 0, status Unknown.
  scene::Metrics at(uint32_t e, int64_t t_ms) const;
  /// The mean of each metric over the UTC hour starting at `hour_start_ms`, by a two-point rule
  /// (values at :15 and :45). The calibration uses the same rule, so hours summed this way give
  /// the document's 2022 figures; shift changes fall on the hour and are weighed correctly (a
  /// sample on the hour would land on every changeover dip).
  scene::Metrics hour_mean(uint32_t e, int64_t hour_start_ms) const;
  /// Growth factor of enterprise `e`'s output value (and power) relative to 2022 at time t (mean 1.0 over 2022).
  double growth(uint32_t e, int64_t t_ms) const;
  /// Growth factor of its production (the handset makers' follows the handset target; the rest as growth()).
  double production_growth(uint32_t e, int64_t t_ms) const;
  const Registry& registry() const { return reg_; }

 private:
  const Registry& reg_;
  SimulatorOptions opt_;
  std::vector<double> nominal_output_yuan_h_, nominal_power_kw_, nominal_production_h_;
  double compound(double growth_per_year, int64_t t_ms) const;
  std::vector<double> growth_per_year_;             ///< per enterprise: output value growth a year
  std::vector<double> production_growth_per_year_;  ///< per enterprise: production growth a year
  std::vector<detail::Profile> profiles_;  ///< per enterprise
};

}  // namespace parktwin::live
