#pragma once
// How many flow arcs a frame may draw, and the value cut that holds them to it. No Vulkan here:
// the policy is tested against simulated devices (tests/render/test_flow_budget.cpp).
//
// The GPU draws every arc in view worth at least 10^value_cut() yuan a year
// (shaders/flows_cull.comp); the cut is the only thing that holds arcs back. After each finished
// frame, observe(its GPU time, the arcs it drew, adaptive) moves the budget and then the cut:
// - the budget: window frames (adaptive) follow the measured GPU time: a device that draws its
//   frames well under the target lets it grow until every arc is drawn, one over it sees it shrink,
//   down to a floor that still shows the largest flows. Stills keep a fixed budget, so that they
//   draw the same arcs on every device.
// - the cut: up when more arcs were drawn than the budget, down when fewer than 0.8 of it were
//   while it holds some back, aiming at 0.9 of it: interpolated between the last two counts when
//   they lie on both sides, else in steps that grow while they keep one direction and halve when
//   the count crosses over; off altogether once it is under every value the arcs have (10^6.5 yuan).
#include <cstdint>

namespace parktwin::render {

class FlowBudget {
 public:
  struct Params {
    double target_ms = 1000.0 / 30.0;  ///< GPU time per frame to stay under
    uint32_t start_arcs = 4000;        ///< before anything was measured
    uint32_t min_arcs = 2000;          ///< never fewer
    uint32_t max_arcs = 1u << 24;      ///< never more (in practice: every arc)
    uint32_t fixed_arcs = 4000;        ///< the budget of frames that do not adapt (stills)
  };
  /// value_cut() when no arc is held back.
  static constexpr double kNoCut = 0.0;

  FlowBudget() : FlowBudget(Params{}) {}
  explicit FlowBudget(const Params& p);

  /// One finished frame: its GPU time in ms (<= 0: not measured; the budget does not move), the
  /// arcs it drew, whether the budget follows the GPU time (window frames) or is fixed, and the
  /// cut it was drawn with (value_cut() when it was recorded). With frames in flight the finished
  /// one can be older than the last move of the cut; its count then leaves the cut where it is.
  void observe(double gpu_ms, uint32_t arcs_drawn, bool adaptive, double cut_drawn_with);
  /// Arcs the next adaptive frame may draw.
  uint32_t arcs() const { return static_cast<uint32_t>(arcs_); }
  /// Arcs worth less than 10^value_cut() yuan a year give way in the next frame (kNoCut: none).
  double value_cut() const { return cut_; }
  /// New arcs (a new scene): no cut until a frame has counted them. The budget stays: it is the device's.
  void reset_cut() {
    cut_ = kNoCut;
    step_ = kFirstStep;
    last_dir_ = 0;
    seen_ = false;
  }
  const Params& params() const { return p_; }

 private:
  void adapt_arcs(double gpu_ms, uint32_t arcs_drawn);
  Params p_;
  double arcs_;
  double cut_ = kNoCut;
  static constexpr double kFirstStep = 0.25;  ///< decades
  double step_ = kFirstStep;  ///< the cut's next step, in decades
  int last_dir_ = 0;          ///< the cut's last move: +1 up, -1 down, 0 none yet
  bool seen_ = false;         ///< a count was taken at seen_cut_ (the last one)
  double seen_cut_ = 0.0, seen_drawn_ = 0.0;
};

}  // namespace parktwin::render
