// The flow arc budget follows the GPU frame time, and a value cut holds the arcs drawn to it: fed
// synthetic frames from simple device models (a fixed cost per frame plus a cost per arc, with arcs
// whose values spread over four decades, as in `parktwin bench flows`), the pair must let a fast
// device draw every arc, keep a slow one near its target without hunting, never go under the floor,
// and keep the stills' budget fixed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "parktwin/render/flow_budget.h"

namespace parktwin::render {
namespace {

/// A device: each frame costs `fixed_ms` plus `per_arc_us` per arc drawn. `visible` arcs are in
/// view, worth 10^7 to 10^11 yuan a year, evenly spread in log10; the GPU draws those at or above
/// the cut (all of them without one), as shaders/flows_cull.comp does.
struct Device {
  double fixed_ms, per_arc_us;
  uint32_t visible;

  uint32_t drawn_at(double cut) const {
    if (cut <= FlowBudget::kNoCut) return visible;
    uint32_t n = 0;
    for (uint32_t i = 0; i < visible; ++i)
      if (7.0 + 4.0 * (i + 0.5) / visible >= cut) ++n;
    return n;
  }
  /// Runs `frames` frames; returns the arcs drawn in each. As in the renderer, with two frames in
  /// flight, what a frame observes is the frame before last: the frame just before has not finished.
  std::vector<uint32_t> run(FlowBudget& b, int frames, std::vector<double>* times = nullptr,
                            bool adaptive = true) const {
    std::vector<uint32_t> drawn;
    std::vector<double> ms, cut;
    for (int i = 0; i < frames; ++i) {
      if (i >= 2) b.observe(ms[i - 2], drawn[i - 2], adaptive, cut[i - 2]);
      cut.push_back(b.value_cut());
      const uint32_t n = drawn_at(cut.back());
      drawn.push_back(n);
      ms.push_back(fixed_ms + per_arc_us * n / 1000.0);
    }
    if (times) *times = ms;
    return drawn;
  }
};

TEST(FlowBudget, AFastDeviceDrawsEveryArc) {
  FlowBudget b;  // target 33.3 ms
  // 100k arcs at 0.01 us each and 2 ms of everything else: 3 ms per frame with all of them.
  const Device fast{2.0, 0.01, 100000};
  const auto drawn = fast.run(b, 40);
  EXPECT_EQ(drawn.back(), 100000u);
  EXPECT_EQ(b.value_cut(), FlowBudget::kNoCut);
  EXPECT_GE(b.arcs(), 100000u);
}

TEST(FlowBudget, AFastDeviceDrawsEveryArcAfterStills) {
  FlowBudget b;
  const Device fast{2.0, 0.01, 100000};
  // Stills first (the fixed budget of 4,000): the cut rises until about that many are drawn.
  fast.run(b, 20, nullptr, false);
  ASSERT_GT(b.value_cut(), FlowBudget::kNoCut);
  ASSERT_LE(fast.drawn_at(b.value_cut()), 4000u * 1.05);
  // Then window frames: the budget grows with the room the device leaves and the cut comes down
  // until it holds nothing back.
  const auto drawn = fast.run(b, 60);
  EXPECT_EQ(drawn.back(), 100000u);
  EXPECT_EQ(b.value_cut(), FlowBudget::kNoCut);
}

TEST(FlowBudget, ADeviceSlowAtArcsFillsItsTarget) {
  // As measured on an NVIDIA H200 (bench flows, park view, 1080p, MSAA 4x): 4.4 ms without arcs
  // and about 1.7 us per arc. With 50k arcs in view the target allows about
  // 17k. Starting from the stills' cut, the window frames must come up to the target, not stall
  // between a budget that waits for the count and a cut that waits for the budget.
  FlowBudget b;
  const Device gpu{4.4, 1.7, 50000};
  gpu.run(b, 20, nullptr, false);
  std::vector<double> ms;
  const auto drawn = gpu.run(b, 80, &ms);
  const double target = b.params().target_ms;
  const double allowed = (target - gpu.fixed_ms) / (gpu.per_arc_us / 1000.0);
  for (int i = 60; i < 80; ++i) {
    EXPECT_GE(drawn[i], 0.6 * allowed) << "frame " << i;
    EXPECT_LE(ms[i], 1.15 * target) << "frame " << i;
  }
  const auto [lo, hi] = std::minmax_element(drawn.end() - 10, drawn.end());
  EXPECT_LE(*hi, *lo * 1.1);
}

TEST(FlowBudget, ASlowDeviceSettlesNearTheTarget) {
  FlowBudget b;
  // 10 ms fixed and 1 us per arc: the target of 33.3 ms allows about 23k arcs. The frames settle
  // anywhere between 0.5 and 1.15 of the target (the bands where budget and cut hold).
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
  // Every frame takes 400 ms whatever the arcs (lavapipe at 4K): the budget sinks to the floor and
  // stays there; the cut holds the arcs drawn to between 0.8 and 1 of it.
  const auto drawn = Device{400.0, 0.0, 100000}.run(b, 40);
  EXPECT_EQ(b.arcs(), b.params().min_arcs);
  EXPECT_LE(drawn.back(), b.params().min_arcs * 1.05);
  EXPECT_GE(drawn.back(), b.params().min_arcs * 0.75);
}

TEST(FlowBudget, FewerArcsThanTheBudgetDoNotGrowIt) {
  FlowBudget b;
  // Only 1,000 arcs in view on a fast device: the budget (4,000) is not what limits them, so it
  // does not grow without bound while nothing tests it, and no cut comes up.
  const auto drawn = Device{1.0, 0.01, 1000}.run(b, 50);
  EXPECT_EQ(b.arcs(), 4000u);
  EXPECT_EQ(b.value_cut(), FlowBudget::kNoCut);
  EXPECT_EQ(drawn.back(), 1000u);
}

TEST(FlowBudget, StillsKeepTheFixedBudget) {
  FlowBudget b;
  // Frames that do not adapt: however slow or fast, the budget stays; the cut holds the stills'
  // count of arcs.
  const Device slow{400.0, 1.0, 100000};
  const auto drawn = slow.run(b, 30, nullptr, false);
  EXPECT_EQ(b.arcs(), b.params().start_arcs);
  EXPECT_LE(drawn.back(), b.params().fixed_arcs * 1.05);
  EXPECT_GE(drawn.back(), b.params().fixed_arcs * 0.75);
  b.reset_cut();
  EXPECT_EQ(b.value_cut(), FlowBudget::kNoCut);
}

TEST(FlowBudget, StillsSettleInTwentyFrames) {
  // A recorded tour's first frames: 40k arcs in view, the stills' budget of 4,000.
  FlowBudget b;
  const auto drawn = Device{4.4, 1.7, 40000}.run(b, 20, nullptr, false);
  EXPECT_GE(drawn.back(), b.params().fixed_arcs * 0.75);
  EXPECT_LE(drawn.back(), b.params().fixed_arcs * 1.05);
}

TEST(FlowBudget, AViewChangeIsFollowed) {
  // 10 ms fixed and 1 us per arc (about 23k arcs fit the target): a view with 100k arcs, then one
  // with 20k (all of them fit: the cut must let every one through), then the first again (it must
  // come back).
  FlowBudget b;
  const Device wide{10.0, 1.0, 100000}, park{10.0, 1.0, 20000};
  wide.run(b, 60);
  ASSERT_GT(b.value_cut(), FlowBudget::kNoCut);
  const auto in_park = park.run(b, 40);
  EXPECT_EQ(in_park.back(), 20000u);
  EXPECT_LT(b.value_cut(), 7.0);  // off, or under every arc's value
  std::vector<double> ms;
  const auto back = wide.run(b, 60, &ms);
  const double target = b.params().target_ms;
  for (int i = 40; i < 60; ++i) {
    EXPECT_LE(ms[i], 1.15 * target) << "frame " << i;
    EXPECT_GE(back[i], 12000u) << "frame " << i;
  }
}

TEST(FlowBudget, UnmeasuredFramesChangeNothing) {
  FlowBudget b;
  for (int i = 0; i < 20; ++i) b.observe(0.0, 4000, true, b.value_cut());
  EXPECT_EQ(b.arcs(), 4000u);
  b.observe(-1.0, 4000, true, b.value_cut());
  EXPECT_EQ(b.arcs(), 4000u);
  EXPECT_EQ(b.value_cut(), FlowBudget::kNoCut);
}

}  // namespace
}  // namespace parktwin::render
