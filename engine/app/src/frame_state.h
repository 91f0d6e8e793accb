#pragma once
// What every node of a wall shows in one frame, decided once by the master (the `parktwin wall`
// master or the viewer as operator console) and sent to the nodes as bytes (docs/wall_sync.md).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "parktwin/gis/result.h"
#include "parktwin/scene/geo_camera.h"
#include "parktwin/scene/labels.h"
#include "parktwin/scene/metrics.h"
#include "parktwin/wall/sync.h"
#include "parktwin/scene/tour.h"
#include "parktwin/ui/alarm_panel.h"

namespace parktwin::app {

/// The live values every node shows, as the master has them (any source: simulator, MQTT, history).
struct LiveSnapshot {
  int64_t time_ms = 0;                 ///< the moment shown (Scene::live_time_ms)
  bool simulated = false;
  std::vector<scene::Metrics> state;   ///< one per enterprise, in the dataset's order
};

/// The text over the picture, laid out once by the master for the WHOLE wall's pixels
/// (wall::wall_pixels: width x height, bezels included): each node lays it out at that size too and
/// draws its panels' part, so a label or caption crossing a seam continues behind the bezel. The
/// park labels and the attribution lines follow from the camera and the wall's size: every node
/// places them alike, they are not sent.
struct WallOverlay {
  double ui_scale = 1.0;   ///< text size for the room: ui::wall_ui_scale of the wall (16 px times this)
  bool english = false;    ///< enterprise labels in Chinese and English (else Chinese)
  /// The enterprise labels the master placed (ui::place_labels), in wall pixels. On the wire in
  /// quarter pixels and alpha in 1/255 (quantize_labels): the master keeps what it sends.
  std::vector<scene::PlacedLabel> labels;
  std::optional<scene::CaptionStep> caption;   ///< the tour caption shown (zh, en, source)
  std::optional<ui::AlarmBannerText> alarm;    ///< the banner of the alarm that has the wall
};

/// Rounds labels to what the bytes carry (quarter pixels, alpha in 1/255; `candidate` is not sent):
/// decode(encode(f)) then gives the labels back exactly.
void quantize_labels(std::vector<scene::PlacedLabel>& labels);

struct FrameState {
  std::string view;                  ///< the view state (docs/viewstate.md) without its camera
  scene::GeoCamera camera;
  double time_s = 0.0;               ///< animation time (flow dashes, alarm pulse)
  double flow_min_value_yuan = 0.0;  ///< the flow budget: enterprise arcs below this give way
  bool counted = true;               ///< false while the master waits for every node (not written offscreen)
  /// Sent when the values changed (and every few seconds for nodes that join): the nodes show the
  /// master's values, not their own subscription, so every panel shows the same numbers.
  std::optional<LiveSnapshot> live;
  std::optional<WallOverlay> overlay;  ///< none: the nodes draw the picture alone
};

/// Which frames carry the live values. A node that falls behind takes the newest frame and skips
/// the ones queued before it, so values sent with one frame only could be missed for good. They go
/// with every frame from a change until each live node has reported ready for a frame that carried
/// them, and again for a node that joins (a restarted node has none).
class LiveSender {
 public:
  /// Whether the next frame must carry the values of `live_revision` (Scene::live_revision).
  bool due(uint64_t live_revision, const std::vector<wall::NodeStatus>& nodes) const;
  /// The frame just sent carried the values of `live_revision` (or nothing when empty), and the
  /// barrier said who had it.
  void sent(std::optional<uint64_t> live_revision, const wall::BarrierReport& report);

 private:
  std::map<std::string, uint64_t> have_;  ///< per node: the revision it has presented
};

/// The bytes of a frame state (JSON, "v": 1).
/// The bytes of a frame state version (JSON "v"); a node refuses any other.
constexpr int kFrameStateVersion = 2;
/// The bytes of a frame state (JSON, "v": kFrameStateVersion; docs/wall_sync.md).
std::string encode(const FrameState& f);
/// Reads them back; fails on another version or damaged bytes.
gis::Result<FrameState> decode(const std::string& bytes);

}  // namespace parktwin::app
