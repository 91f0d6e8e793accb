#include "parktwin/ui/status_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "parktwin/scene/scene.h"

namespace parktwin::ui {

void ArrivalWatch::arrived(double t_s) {
  if (last_s_ >= 0.0 && t_s > last_s_) {
    gaps_.push_back(t_s - last_s_);
    if (gaps_.size() > kGaps) gaps_.pop_front();
  }
  last_s_ = std::max(last_s_, t_s);
}

double ArrivalWatch::silent_s(double now_s) const { return std::max(0.0, now_s - (last_s_ >= 0.0 ? last_s_ : started_s_)); }

double ArrivalWatch::expected_gap_s() const {
  if (gaps_.size() < 3) return kUnknown_s;
  std::vector<double> g(gaps_.begin(), gaps_.end());
  std::nth_element(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(g.size() / 2), g.end());
  return std::max(kFloor_s, 3.0 * g[g.size() / 2]);
}

void ArrivalWatch::reset(double t_s) {
  gaps_.clear();
  last_s_ = -1.0;
  started_s_ = t_s;
}

FeedHealth feed_health(double silent_s, double expected_gap_s, double stale_after_s, bool any_data) {
  FeedHealth h;
  char buf[128];
  const double late = std::max(0.0, expected_gap_s);
  const double silent = std::min(3.0 * late, stale_after_s > 0.0 ? stale_after_s : 3.0 * late);
  if (silent_s >= silent && silent_s >= late) h.level = FeedHealth::Silent;
  else if (silent_s >= late) h.level = FeedHealth::Late;
  if (!any_data)
    std::snprintf(buf, sizeof buf, "no data yet (%.0f s)", silent_s);
  else if (h.level == FeedHealth::Ok)
    std::snprintf(buf, sizeof buf, "data %.1f s ago", silent_s);
  else
    std::snprintf(buf, sizeof buf, "no data for %.0f s (expected within %.0f s)", silent_s, late);
  h.text = buf;
  return h;
}

namespace {

// The same rule as Scene::restyle: the binding colours the buildings of enterprises with a sample.
bool live_colours_bound(const scene::Scene& scene) {
  return scene.binding.enabled && !scene.enterprises.empty() && scene.live.size() == scene.enterprises.size();
}

bool any_sample(const scene::Scene& scene) {
  return std::any_of(scene.live.begin(), scene.live.end(), [](const scene::Metrics& m) { return m.ts_ms > 0; });
}

}  // namespace

std::string colour_ramp_note(const scene::Scene& scene) {
  if (!live_colours_bound(scene))
    return "live colours are off: the buildings show the Style panel's colours (tick \"Buildings follow live metrics\")";
  if (!any_sample(scene)) return "no sample yet: the buildings keep the Style panel's colours until the first one arrives";
  return {};
}

std::string colour_override_note(const scene::Scene& scene) {
  if (!live_colours_bound(scene) || !any_sample(scene)) return {};
  return std::string("overridden by live metric ") + scene::metric_label(scene.binding.color_metric) +
         " (Metrics 指标) for enterprise buildings with data; the choice here colours the other buildings";
}

}  // namespace parktwin::ui
