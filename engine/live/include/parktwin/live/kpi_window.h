#pragma once
// The KPI window (the trailing 365 days ending at a moment) for each kind of source:
//   - the simulator: integrated directly, since it is a pure function of time (no history needed);
//   - recorded samples: from the history, with the covered share of the window.
// Both give scene::TrailingTotals, which scene::cluster_kpis() sums per cluster.
#include <cstdint>

#include "parktwin/live/simulator.h"
#include "parktwin/scene/kpi.h"

namespace parktwin::live {

/// How long one recorded sample stands for its enterprise when the next one is late: a feed that
/// stops does not keep adding to the year.
constexpr int64_t kKpiSampleHoldMs = 15LL * 60 * 1000;

/// Integrates the simulator over [t − 365 d, t). The time axis is cut into the UTC hours; each
/// hour's rate is Simulator::hour_mean (the rule the calibration uses), and the two
/// hours cut by the window's ends count with the share of them inside. Between two calls, hours
/// still inside the window are not evaluated again, so following a moving clock costs a few
/// simulator calls per enterprise for each new hour.
class SimKpiWindow {
 public:
  explicit SimKpiWindow(const Simulator& sim);
  /// Totals of the window ending at t_ms (basis Simulator, full coverage).
  const scene::TrailingTotals& at(int64_t t_ms);

 private:
  void add_hour(int64_t hour, double sign);
  void recompute(int64_t first, int64_t last);
  const Simulator& sim_;
  scene::TrailingTotals totals_;
  int64_t first_ = 0, last_ = -1;  ///< whole hours [first_, last_) summed in full_*
  std::vector<double> full_output_, full_production_;
  uint64_t steps_since_recompute_ = 0;
};

}  // namespace parktwin::live
