// Alarm bookkeeping for the command centre (see alarms.h).
#include "parktwin/scene/alarms.h"

#include <algorithm>

#include "parktwin/scene/scene.h"

namespace parktwin::scene {

std::vector<Alarm> AlarmWatch::update(const Scene& scene) {
  std::vector<Alarm> raised;
  const size_t n = std::min(scene.enterprises.size(), scene.live.size());
  for (size_t e = 0; e < n; ++e) {
    const Metrics& m = scene.live[e];
    if (m.ts_ms == 0 || scene.is_stale(static_cast<uint32_t>(e))) continue;  // nothing known now
    const std::string& id = scene.enterprises[e].id;
    auto open = std::find_if(alarms_.begin(), alarms_.end(), [&](const Alarm& a) { return a.enterprise == id && a.active(); });
    if (m.status == Status::Alarm) {
      if (open != alarms_.end()) continue;
      Alarm a;
      a.enterprise = id;
      a.index = static_cast<int>(e);
      a.raised_ms = m.ts_ms;
      alarms_.push_back(a);
      raised.push_back(a);
    } else if (open != alarms_.end() && m.ts_ms >= open->raised_ms) {
      open->cleared_ms = std::max(m.ts_ms, open->raised_ms + 1);
    }
  }
  // Cleared alarms leave the list after a while: sooner when someone has seen them.
  const int64_t now = scene.live_time_ms;
  std::erase_if(alarms_, [&](const Alarm& a) {
    if (a.active()) return false;
    return now - a.cleared_ms > (a.acknowledged ? kKeepClearedMs : 2 * kKeepClearedMs);
  });
  return raised;
}

bool AlarmWatch::acknowledge(const std::string& enterprise) {
  bool any = false;
  for (Alarm& a : alarms_)
    if (a.enterprise == enterprise) a.acknowledged = true, any = true;
  return any;
}

int AlarmWatch::acknowledge_all() {
  int n = 0;
  for (Alarm& a : alarms_)
    if (!a.acknowledged) a.acknowledged = true, ++n;
  return n;
}

std::optional<Alarm> AlarmWatch::takeover() const {
  for (const Alarm& a : alarms_)
    if (a.active() && !a.acknowledged) return a;
  return std::nullopt;
}

int AlarmWatch::active_count() const {
  return static_cast<int>(std::count_if(alarms_.begin(), alarms_.end(), [](const Alarm& a) { return a.active(); }));
}

}  // namespace parktwin::scene
