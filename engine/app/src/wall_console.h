#pragma once
// The viewer as a wall's operator console (--wall-layout): each frame it shows is decided once and
// sent to the wall's nodes (FrameState over the wall sync), the nodes present it together, and the
// Wall panel shows how they keep up.
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "parktwin/gis/result.h"
#include "parktwin/scene/camera.h"
#include "parktwin/scene/scene.h"
#include "parktwin/ui/wall_panel.h"
#include "parktwin/wall/layout.h"
#include "parktwin/wall/sync.h"
#include "frame_state.h"

namespace parktwin::app {

class WallConsole {
 public:
  /// Reads the layout and binds the endpoints ("" = tcp://*:5560 and tcp://*:5561).
  static gis::Result<std::unique_ptr<WallConsole>> open(const std::string& layout_path, const std::string& frame_endpoint,
                                                        const std::string& sync_endpoint, int barrier_timeout_ms = 500,
                                                        int drop_after_ms = 1000);
  /// Sends what the console shows as the wall's next frame and waits at the barrier (at most the
  /// barrier timeout). The moment is the scene's (live clock or playback), so every node computes
  /// or reads the same data.
  void frame(const scene::Scene& scene, const scene::Camera& camera, double time_s, double flow_min_value_yuan);
  void fill(ui::WallInfo& info) const;

 private:
  wall::Layout layout_;
  std::string layout_path_;
  std::unique_ptr<wall::Master> master_;
  uint64_t n_ = 0;
  double last_wait_ms_ = 0.0;
  LiveSender live_sender_;  ///< which frames carry the live values
  std::string error_;
};

}  // namespace parktwin::app
