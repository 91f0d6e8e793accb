#pragma once
// ViewState: one value for what is on screen — camera, layers, style and metric binding, chain
// filter, selection, label language, the moment shown and the open panels. Saved views, tours and
// `parktwin render --state` use it; it names layers and enterprises by id, never by index, so a
// state outlives the scene it was captured from. The schema is in docs/viewstate.md.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parktwin/gis/frame.h"
#include "parktwin/gis/result.h"
#include "parktwin/scene/camera.h"
#include "parktwin/scene/chains.h"
#include "parktwin/scene/geo_camera.h"
#include "parktwin/scene/metrics.h"
#include "parktwin/scene/scene.h"

namespace parktwin::scene {

/// The version string of the JSON form; from_json refuses any other.
inline constexpr const char* kViewStateVersion = "parktwin.viewstate/1";

/// How one layer is shown, keyed by its id (Layer::id).
struct LayerView {
  std::string id;
  bool visible = true;
  float opacity = 1.0f;  ///< 0..1
};

struct ViewState {
  std::string name;                    ///< what the view is called (a still's caption uses it); may be empty
  GeoCamera camera;
  std::vector<LayerView> layers;       ///< in scene order when captured; layers not listed are left alone
  StyleParams style;                   ///< height scale, colour mode
  MetricBinding binding;               ///< which metric drives height and colour, log scale, timings
  ChainFilter chains;                  ///< chains and segments shown, highlighted chain, flows on/off
  std::string selected_enterprise;     ///< Enterprise::id, "" = none
  std::string language = "zh";         ///< labels: "zh" (Chinese names) or "en" (Chinese and English)
  std::optional<int64_t> moment_ms;    ///< the moment shown, ms since 1970 UTC; empty = live
  std::string source;                  ///< the live source the moment refers to (sim://..., history://...), "" = none
  std::vector<std::string> panels;     ///< names of the open panels (the app maps them to its own state)
};

bool operator==(const ViewState& a, const ViewState& b);

/// What a ViewState holds beyond the scene and camera, supplied by whoever shows it.
struct ViewContext {
  std::string name;
  std::string language = "zh";
  std::optional<int64_t> moment_ms;  ///< empty = following the live source
  std::vector<std::string> panels;
};

/// The state of `scene` seen through `camera` (source taken from scene.live_source).
ViewState capture(const Scene& scene, const Camera& camera, const ViewContext& context = {});

/// Sets the scene and camera to the state: layer visibility and opacity by id, style, binding,
/// chain filter and the selected enterprise by id (a selected feature is cleared), then restyles at
/// once. Edits the scene directly — no command, so nothing is pushed on any undo stack. Language,
/// moment, source and panels are for the caller. Ids the scene lacks are skipped and reported in
/// the returned warnings; a state never makes apply fail.
std::vector<std::string> apply(const ViewState& state, Scene& scene, Camera& camera);

/// The state between `a` (s = 0) and `b` (s = 1): the camera by scene::interpolate on the scene
/// cameras of `frame` (the endpoints are returned exactly), opacity, height scale and two set
/// moments linearly; every other field is a's below s = 0.5 and b's from s = 0.5.
ViewState lerp(const ViewState& a, const ViewState& b, double s, const gis::SceneFrame& frame);

/// The JSON form (pretty-printed, with "version": "parktwin.viewstate/1").
std::string to_json(const ViewState& state);
/// Parses the JSON form; fails with a message naming the field on malformed input or another version.
gis::Result<ViewState> from_json(std::string_view text);

/// Reads and parses a state file (the message names the file).
gis::Result<ViewState> read_view_state(const std::string& path);
/// Writes a state file.
gis::Result<bool> write_view_state(const ViewState& state, const std::string& path);

/// Names used in the JSON form.
const char* color_by_key(ColorBy c);  ///< kind | chain | height | revenue | uniform
std::optional<ColorBy> parse_color_by(std::string_view key);
std::optional<Metric> parse_metric_key(std::string_view key);  ///< inverse of metric_key

}  // namespace parktwin::scene
