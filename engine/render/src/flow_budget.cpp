#include "parktwin/render/flow_budget.h"

#include <algorithm>

namespace parktwin::render {

FlowBudget::FlowBudget(const Params& p) : p_(p), arcs_(std::clamp(p.start_arcs, p.min_arcs, p.max_arcs)) {}

void FlowBudget::observe(double gpu_ms, uint32_t arcs_drawn) {
  if (!(gpu_ms > 0.0)) return;
  const double target = p_.target_ms;
  if (gpu_ms > target * 1.1) {
    // Over: scale what was drawn by how far over (at most halve it per frame). The frame may be
    // slow for other reasons (buildings); then the arcs still give way, down to the floor.
    const double base = std::min(arcs_, static_cast<double>(arcs_drawn));
    arcs_ = base * std::clamp(target / gpu_ms, 0.5, 0.9);
  } else if (gpu_ms < target * 0.8 && arcs_drawn >= 0.9 * arcs_) {
    // Under, and the budget is what holds the arcs back: grow, faster the more room there is.
    arcs_ *= std::clamp(0.9 * target / gpu_ms, 1.05, 1.5);
  }  // in between: hold, so that the budget does not hunt around the target
  arcs_ = std::clamp(arcs_, static_cast<double>(p_.min_arcs), static_cast<double>(p_.max_arcs));
}

}  // namespace parktwin::render
