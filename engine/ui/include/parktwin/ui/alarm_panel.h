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

/// The banner of `alarm` across the top of the display, pulsing with `time_s`.
void draw_alarm_banner(const scene::Scene& scene, const scene::Alarm& alarm, int active_count, ImVec2 display,
                       double time_s);

/// The Alarms panel (when `panels.alarms` is open).
void draw_alarm_panel(const scene::Scene& scene, const scene::AlarmWatch& watch, PanelState& panels,
                      std::vector<AlarmRequest>& out);

}  // namespace parktwin::ui
