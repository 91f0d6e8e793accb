// The KPI window of the simulator. Hours are evaluated once at their midpoint and kept in running
// sums; sums that slide for a long time are rebuilt now and then so rounding cannot drift.
#include "parktwin/live/kpi_window.h"

#include <algorithm>

namespace parktwin::live {

namespace {
constexpr int64_t kHourMs = 3'600'000;
/// Rebuild the running sums from scratch after this many hours added or removed.
constexpr uint64_t kRecomputeAfter = 20'000;

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
}  // namespace

SimKpiWindow::SimKpiWindow(const Simulator& sim) : sim_(sim) {
  const size_t n = sim_.registry().size();
  full_output_.assign(n, 0.0);
  full_production_.assign(n, 0.0);
  totals_.basis = scene::TrailingTotals::Basis::Simulator;
  totals_.simulated = true;
  totals_.output_yuan.assign(n, 0.0);
  totals_.production.assign(n, 0.0);
  totals_.covered_ms.assign(n, 0.0);
}

void SimKpiWindow::add_hour(int64_t hour, double sign) {
  for (uint32_t e = 0; e < full_output_.size(); ++e) {
    const scene::Metrics m = sim_.hour_mean(e, hour * kHourMs);
    // Rates are per hour, so one hour contributes its rate.
    full_output_[e] += sign * m.value(scene::Metric::Output);
    full_production_[e] += sign * m.value(scene::Metric::Production);
  }
}

void SimKpiWindow::recompute(int64_t first, int64_t last) {
  std::fill(full_output_.begin(), full_output_.end(), 0.0);
  std::fill(full_production_.begin(), full_production_.end(), 0.0);
  for (int64_t h = first; h < last; ++h) add_hour(h, 1.0);
  first_ = first;
  last_ = last;
  steps_since_recompute_ = 0;
}

const scene::TrailingTotals& SimKpiWindow::at(int64_t t_ms) {
  const int64_t t0 = t_ms - scene::kKpiWindowMs;
  // Whole hours inside [t0, t_ms), and the hours cut by each end.
  const int64_t first = floor_div(t0 + kHourMs - 1, kHourMs);  // first hour starting at or after t0
  const int64_t last = floor_div(t_ms, kHourMs);                // the hour holding t_ms (not whole)
  const bool overlap = last_ > first_ && first < last_ && last > first_;
  const uint64_t moves = overlap ? static_cast<uint64_t>(std::abs(first - first_) + std::abs(last - last_)) : 0;
  if (!overlap || moves > static_cast<uint64_t>(last - first) || steps_since_recompute_ + moves > kRecomputeAfter) {
    recompute(first, last);
  } else {
    for (int64_t h = first_; h < first; ++h) add_hour(h, -1.0);  // left the window
    for (int64_t h = first; h < first_; ++h) add_hour(h, 1.0);   // entered (moving back in time)
    for (int64_t h = last_; h < last; ++h) add_hour(h, 1.0);
    for (int64_t h = last; h < last_; ++h) add_hour(h, -1.0);
    first_ = first;
    last_ = last;
    steps_since_recompute_ += moves;
  }
  // The two cut hours, each with the share of it inside the window.
  const double head = static_cast<double>(first * kHourMs - t0) / kHourMs;    // of hour first - 1
  const double tail = static_cast<double>(t_ms - last * kHourMs) / kHourMs;   // of hour last
  for (uint32_t e = 0; e < full_output_.size(); ++e) {
    double out = full_output_[e], prod = full_production_[e];
    if (head > 0.0) {
      const scene::Metrics m = sim_.hour_mean(e, (first - 1) * kHourMs);
      out += head * m.value(scene::Metric::Output);
      prod += head * m.value(scene::Metric::Production);
    }
    if (tail > 0.0) {
      const scene::Metrics m = sim_.hour_mean(e, last * kHourMs);
      out += tail * m.value(scene::Metric::Output);
      prod += tail * m.value(scene::Metric::Production);
    }
    totals_.output_yuan[e] = out;
    totals_.production[e] = prod;
    totals_.covered_ms[e] = static_cast<double>(scene::kKpiWindowMs);
  }
  totals_.start_ms = t0;
  totals_.end_ms = t_ms;
  return totals_;
}

}  // namespace parktwin::live
