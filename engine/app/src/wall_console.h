#pragma once
// The viewer as a wall's operator console (--wall-layout): each frame it shows is decided once and
// sent to the wall's nodes (FrameState over the wall sync) with the overlay laid out for the whole
// wall, the nodes present it together, and the Wall panel shows how they keep up.
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "parktwin/gis/result.h"
#include "parktwin/scene/alarms.h"
#include "parktwin/scene/camera.h"
#include "parktwin/scene/scene.h"
#include "parktwin/scene/tour.h"
#include "parktwin/ui/wall_panel.h"
#include "parktwin/wall/layout.h"
#include "parktwin/wall/sync.h"
#include "frame_state.h"

namespace parktwin::app {

class WallOverlayLayout;

class WallConsole {
 public:
  /// Reads the layout, binds the endpoints ("" = tcp://*:5560 and tcp://*:5561) and builds the fonts
  /// the wall's labels are measured with. The wall's text scale: `ui_scale` when > 0, else for an
  /// audience `viewing_distance_m` away (wall_text_scale).
  static gis::Result<std::unique_ptr<WallConsole>> open(const scene::Scene& scene, const std::string& layout_path,
                                                        const std::string& frame_endpoint,
                                                        const std::string& sync_endpoint, int barrier_timeout_ms = 500,
                                                        int drop_after_ms = 1000, double ui_scale = 0.0,
                                                        double viewing_distance_m = 4.0);
  ~WallConsole();
  /// What the console shows over the picture, for the wall's overlay.
  struct Overlay {
    bool labels = true;                         ///< enterprise labels shown (placed for the wall's size)
    bool english = false;                       ///< in Chinese and English
    std::optional<scene::CaptionStep> caption;  ///< the tour caption shown
    std::optional<scene::Alarm> alarm;          ///< the alarm that has the wall (its banner)
    int active_alarms = 0;
  };
  /// Sends what the console shows as the wall's next frame and waits at the barrier (at most the
  /// barrier timeout). The moment is the scene's (live clock or playback), so every node computes
  /// or reads the same data. The labels are placed here for the whole wall's pixels, not the
  /// console's window; call outside the viewer's ImGui frame (its context is current again after).
  void frame(const scene::Scene& scene, const scene::Camera& camera, double time_s, double flow_min_value_yuan,
             const Overlay& overlay);
  void fill(ui::WallInfo& info) const;

 private:
  wall::Layout layout_;
  std::string layout_path_;
  std::unique_ptr<WallOverlayLayout> overlay_;
  std::unique_ptr<wall::Master> master_;
  uint64_t n_ = 0;
  double last_wait_ms_ = 0.0;
  LiveSender live_sender_;  ///< which frames carry the live values
  std::string error_;
};

}  // namespace parktwin::app
