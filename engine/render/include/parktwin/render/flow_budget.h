#pragma once
// How many flow arcs a window frame may draw, from the measured GPU frame time. No Vulkan here:
// the policy is tested with synthetic frame times (tests/render/test_flow_budget.cpp).
//
// Usage: after each finished frame, observe(its GPU time, the arcs it drew); the next frame draws
// at most arcs() (the smallest by value give way first, shaders/flows_cull.comp). A device that
// draws its frames well under the target lets the budget grow until every arc is drawn; one that
// is over it sees the budget shrink, down to a floor that still shows the largest flows.
#include <cstdint>

namespace parktwin::render {

class FlowBudget {
 public:
  struct Params {
    double target_ms = 1000.0 / 30.0;  ///< GPU time per frame to stay under
    uint32_t start_arcs = 4000;        ///< before anything was measured
    uint32_t min_arcs = 2000;          ///< never fewer
    uint32_t max_arcs = 1u << 24;      ///< never more (in practice: every arc)
  };
  FlowBudget() : FlowBudget(Params{}) {}
  explicit FlowBudget(const Params& p);

  /// One finished frame: its GPU time in ms (<= 0: not measured, nothing changes) and the arcs it drew.
  void observe(double gpu_ms, uint32_t arcs_drawn);
  /// Arcs the next frame may draw.
  uint32_t arcs() const { return static_cast<uint32_t>(arcs_); }
  const Params& params() const { return p_; }

 private:
  Params p_;
  double arcs_;
};

}  // namespace parktwin::render
