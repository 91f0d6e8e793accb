#include "parktwin/render/flow_budget.h"

#include <algorithm>
#include <cmath>

namespace parktwin::render {
namespace {
/// Under this (log10 yuan a year) the cut holds nothing back that matters: it is switched off.
constexpr double kLowestCut = 6.5;
}  // namespace

FlowBudget::FlowBudget(const Params& p) : p_(p), arcs_(std::clamp(p.start_arcs, p.min_arcs, p.max_arcs)) {}

void FlowBudget::adapt_arcs(double gpu_ms, uint32_t arcs_drawn) {
  if (!(gpu_ms > 0.0)) return;
  const double target = p_.target_ms;
  // The budget is what holds the arcs back when the cut is in force (the cut keeps the count
  // between 0.8 and 1 of the budget) or when the count reached it.
  const bool held = cut_ > kNoCut ? arcs_drawn >= 0.75 * arcs_ : arcs_drawn >= 0.9 * arcs_;
  if (gpu_ms > target * 1.1) {
    // Over: scale what was drawn by how far over (at most halve it per frame). The frame may be
    // slow for other reasons (buildings); then the arcs still give way, down to the floor.
    const double base = std::min(arcs_, static_cast<double>(arcs_drawn));
    arcs_ = base * std::clamp(target / gpu_ms, 0.5, 0.9);
  } else if (gpu_ms < target * 0.8 && held) {
    // Under, and the budget is what holds the arcs back: grow, faster the more room there is.
    arcs_ *= std::clamp(0.9 * target / gpu_ms, 1.05, 1.5);
  }  // in between: hold, so that the budget does not hunt around the target
  arcs_ = std::clamp(arcs_, static_cast<double>(p_.min_arcs), static_cast<double>(p_.max_arcs));
}

void FlowBudget::observe(double gpu_ms, uint32_t arcs_drawn, bool adaptive, double cut_drawn_with) {
  if (adaptive) adapt_arcs(gpu_ms, arcs_drawn);
  // A frame drawn before the cut last moved says nothing about where it is now.
  if (cut_drawn_with != cut_) return;
  const double budget = adaptive ? arcs_ : static_cast<double>(p_.fixed_arcs);
  const double drawn = static_cast<double>(arcs_drawn);
  // The count falls as the cut rises, but by how much depends on the arcs in view. The cut holds
  // while the count is between 0.8 and 1 of the budget; else it aims at 0.9 of it: between the
  // last two counts when they lie on both sides (interpolated), otherwise in steps that grow
  // while they keep one direction and halve when the count crosses over.
  int dir = 0;
  if (drawn > budget) dir = 1;
  else if (cut_ > kNoCut && drawn < 0.8 * budget) dir = -1;
  const double here = std::max(cut_, kLowestCut);  // no cut counts the same as the lowest one
  const double goal = 0.9 * budget;
  const bool bracketed = seen_ && seen_cut_ != here && (seen_drawn_ - goal) * (drawn - goal) < 0.0;
  const double seen_cut = seen_cut_, seen_drawn = seen_drawn_;
  seen_ = true;
  seen_cut_ = here;
  seen_drawn_ = drawn;
  if (dir == 0) return;
  double next;
  if (bracketed) {
    next = here + (seen_cut - here) * (drawn - goal) / (drawn - seen_drawn);
    step_ = std::max(std::abs(next - here), 0.01);
  } else {
    if (last_dir_ == 0)  // the first move: in proportion to how far over the count is
      step_ = dir > 0 ? std::clamp(0.3 * std::log2(drawn / budget), kFirstStep, 1.0) : kFirstStep;
    else
      step_ = last_dir_ == -dir ? std::max(step_ * 0.5, 0.01) : std::min(step_ * 1.5, 1.0);
    next = here + dir * step_;
  }
  last_dir_ = dir;
  cut_ = next;
  if (cut_ < kLowestCut) {
    cut_ = kNoCut;
    last_dir_ = 0;
    step_ = kFirstStep;
  }
}

}  // namespace parktwin::render
