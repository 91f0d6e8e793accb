// `parktwin kpi`: the cluster dashboard's KPIs as name=value lines, from the same code the panel
// uses (load_kpi_totals -> scene::cluster_kpis -> scene::kpi_lines). Machine output: times in UTC.
#include <iostream>

#include "parktwin/app/app.h"
#include "parktwin/app/live_hub.h"
#include "parktwin/live/payload.h"
#include "parktwin/live/source.h"

namespace parktwin::app {

int run_kpi(const AppOptions& o) {
  const std::string feed = o.feed_given && !o.feed.empty() ? o.feed : "sim://";
  const auto at = moment_of(o);
  if (!at) {
    std::cerr << "parktwin kpi: " << at.error().message << "\n";
    return 2;
  }
  const int64_t t = at->value_or(live::wall_ms());
  if (o.feed_given && o.feed.empty()) {
    std::cerr << "parktwin kpi: --no-live leaves nothing to report; give --feed sim:// or history://FILE\n";
    return 2;
  }
  AppOptions lo = o;
  auto scene = load_scene(lo, std::cerr);
  if (!scene) {
    std::cerr << "parktwin kpi: " << scene.error().message << "\n";
    return 1;
  }
  scene::Scene& s = **scene;
  const bool mqtt = feed.rfind("mqtt", 0) == 0;
  const std::string history = o.history.empty() ? default_history_path(feed) : o.history;
  // The rates now: the simulator or the recording at that moment (a live broker is not asked: its
  // recorded history stands for it, as in the viewer's KPI window).
  const std::string state_feed = mqtt ? "history://" + history : feed;
  if (!(mqtt && history == "none")) {
    if (auto ok = apply_feed_at(s, state_feed, t, std::cerr); !ok) {
      std::cerr << "parktwin kpi: " << ok.error().message << "\n";
      return 1;
    }
  }
  s.live_source = feed;
  s.live_time_ms = t;
  if (auto ok = load_kpi_totals(s, feed, history, t); !ok) {
    std::cerr << "parktwin kpi: " << ok.error().message << "\n";
    return 1;
  }
  std::cout << "at=" << scene::format_utc(t) << "\n";
  std::cout << "feed=" << feed << "\n";
  std::cout << "window_days=" << scene::kKpiWindowMs / 86'400'000 << "\n";
  for (const auto& [name, value] : scene::kpi_lines(scene::cluster_kpis(s))) std::cout << name << "=" << value << "\n";
  return 0;
}

}  // namespace parktwin::app
