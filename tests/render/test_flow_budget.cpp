// The flow arc budget follows the GPU frame time: fed synthetic frames from simple device models
// (a fixed cost per frame plus a cost per arc), it must let a fast device draw every arc, keep a
// slow one near its target without hunting, and never go under its floor.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "parktwin/render/flow_budget.h"

namespace parktwin::render {
namespace {

/// A device: each frame costs `fixed_ms` plus `per_arc_us` per arc drawn; `visible` arcs are in view.
struct Device {
  double fixed_ms, per_arc_us;
  uint32_t visible;
  /// Runs `frames` frames; returns the arcs drawn in each.
  std::vector<uint32_t> run(FlowBudget& b, int frames, std::vector<double>* times = nullptr) const {
    std::vector<uint32_t> drawn;
    for (int i = 0; i < frames; ++i) {
      const uint32_t n = std::min(visible, b.arcs());
      const double ms = fixed_ms + per_arc_us * n / 1000.0;
      b.observe(ms, n);
      drawn.push_back(n);
      if (times) times->push_back(ms);
    }
    return drawn;
  }
};

TEST(FlowBudget, AFastDeviceDrawsEveryArc) {
  FlowBudget b;  // target 33.3 ms
  // 100k arcs at 0.01 us each and 2 ms of everything else: 3 ms per frame with all of them.
  const auto drawn = Device{2.0, 0.01, 100000}.run(b, 40);
  EXPECT_EQ(drawn.back(), 100000u);
  EXPECT_GE(b.arcs(), 100000u);
}

TEST(FlowBudget, ASlowDeviceSettlesNearTheTarget) {
  FlowBudget b;
  // 10 ms fixed and 1 us per arc: the target of 33.3 ms allows about 23k arcs. The budget settles
  // anywhere between 0.8 and 1.1 of the target (the band where it holds).
  std::vector<double> ms;
  const auto drawn = Device{10.0, 1.0, 100000}.run(b, 80, &ms);
  const double target = b.params().target_ms;
  for (int i = 60; i < 80; ++i) {
    EXPECT_GE(ms[i], 0.5 * target) << "frame " << i;
    EXPECT_LE(ms[i], 1.15 * target) << "frame " << i;
  }
  // Settled: the last 10 frames draw within 10 % of each other.
  const auto [lo, hi] = std::minmax_element(drawn.end() - 10, drawn.end());
  EXPECT_LE(*hi, *lo * 1.1);
  EXPECT_GT(*lo, 12000u);
  EXPECT_LT(*hi, 24000u);
}

TEST(FlowBudget, AnOverloadedDeviceKeepsTheFloor) {
  FlowBudget b;
  // Every frame takes 400 ms whatever the arcs (lavapipe at 4K): the budget sinks to the floor,
  // and stays there.
  const auto drawn = Device{400.0, 0.0, 100000}.run(b, 30);
  EXPECT_EQ(b.arcs(), b.params().min_arcs);
  EXPECT_EQ(drawn.back(), 2000u);
}

TEST(FlowBudget, FewerArcsThanTheBudgetDoNotGrowIt) {
  FlowBudget b;
  // Only 1,000 arcs in view on a fast device: the budget (4,000) is not what limits them, so it
  // does not grow without bound while nothing tests it.
  Device{1.0, 0.01, 1000}.run(b, 50);
  EXPECT_EQ(b.arcs(), 4000u);
}

TEST(FlowBudget, UnmeasuredFramesChangeNothing) {
  FlowBudget b;
  for (int i = 0; i < 20; ++i) b.observe(0.0, 4000);
  EXPECT_EQ(b.arcs(), 4000u);
  b.observe(-1.0, 4000);
  EXPECT_EQ(b.arcs(), 4000u);
}

}  // namespace
}  // namespace parktwin::render
