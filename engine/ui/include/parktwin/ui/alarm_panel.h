#pragma once
// Alarms on screen: the banner of the alarm that has the wall (large, on top of everything, sized
// from the display so it reads across a room) and the Alarms panel 告警 (every listed alarm with
// its enterprise, when it was raised and cleared, acknowledge and fly-to buttons).
#include <string>
#include <vector>

#include <imgui.h>

#include "parktwin/scene/alarms.h"
#include "parktwin/scene/scene.h"
#include "parktwin/ui/panels.h"

namespace parktwin::ui {

/// What the Alarms panel asks the app to do.
struct AlarmRequest {
  enum Kind { Acknowledge, AcknowledgeAll, FlyTo } kind = Acknowledge;
  std::string enterprise;  ///< Enterprise::id (Acknowledge, FlyTo)
};

/// What the banner of an alarm says: the enterprise (Chinese and English) in large type, then when
/// it was raised (Beijing time), whether data or enterprise are simulated or generated, the key that
/// acknowledges it and how many alarms are active.
struct AlarmBannerText {
  std::string enterprise;    ///< Enterprise::id of the alarm
  std::string line1, line2;  ///< the large line and the small one
};
AlarmBannerText alarm_banner_text(const scene::Scene& scene, const scene::Alarm& alarm, int active_count);

/// The banner across the top of the display, pulsing with `time_s`; sizes are shares of the display's height.
void draw_alarm_banner(const AlarmBannerText& text, ImVec2 display, double time_s);
/// The banner of `alarm`: draw_alarm_banner(alarm_banner_text(...), ...).
void draw_alarm_banner(const scene::Scene& scene, const scene::Alarm& alarm, int active_count, ImVec2 display,
                       double time_s);

/// The Alarms panel (when `panels.alarms` is open).
void draw_alarm_panel(const scene::Scene& scene, const scene::AlarmWatch& watch, PanelState& panels,
                      std::vector<AlarmRequest>& out);

}  // namespace parktwin::ui
