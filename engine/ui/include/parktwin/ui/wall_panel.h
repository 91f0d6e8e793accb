#pragma once
// The Wall panel 墙面 of the operator console: every node of the wall with its state, frame rate,
// latency and drops, and the barrier's figures. Filled by the app from the wall sync's status.
#include <string>
#include <vector>

#include "parktwin/scene/scene.h"
#include "parktwin/ui/panels.h"

namespace parktwin::ui {

struct WallNodeRow {
  std::string id;
  std::string state;          ///< absent | joining | live | dropped
  double frames_per_s = 0.0;
  double latency_p50_ms = 0.0, latency_p99_ms = 0.0;
  double last_heard_ms = -1.0;  ///< -1 = never
  unsigned drops = 0, rejoins = 0;
};

struct WallInfo {
  std::string layout;          ///< the layout's name and file
  std::string endpoints;       ///< where the nodes connect
  std::vector<WallNodeRow> nodes;
  unsigned long long frames = 0, timeouts = 0;
  double barrier_p50_ms = 0.0, barrier_p99_ms = 0.0;
  double last_wait_ms = 0.0;
  std::string error;           ///< the last failure of the sync ("" = none)
};

/// Draws the Wall panel when `panels.wall` is open.
void draw_wall_panel(const scene::Scene& scene, const WallInfo& info, PanelState& panels);

}  // namespace parktwin::ui
