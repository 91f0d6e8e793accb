#pragma once
// The viewer's edit mode: planners edit the default dataset's parcels and buildings. It holds the
// edit session (engine/edit), the tool state machine fed by the mouse and keys, snapping, the
// previews drawn over the 3D view, plans A/B, and the indicators and zoning after every edit.
// The panels are ui::draw_edit_panels; this file carries out what they ask.
//
// Plans: each plan owns copies of the two layers and its own session (its own undo history); the
// scene's layers show the active plan, copied feature by feature after every edit.
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include <glm/vec2.hpp>

#include "parktwin/edit/edit.h"
#include "parktwin/edit/indicators.h"
#include "parktwin/scene/camera.h"
#include "parktwin/scene/scene.h"

namespace parktwin::app {

class EditMode {
 public:
  /// Called after every edit, undo, redo or plan switch with what changed, as indices into the
  /// scene's layers and their features (the scene's layer data is already updated).
  using GeometryChanged = std::function<void(const std::vector<edit::Touched>&)>;
  /// Asked to fly the camera to look at a point from a distance (metres).
  using FlyTo = std::function<void(glm::dvec2, double)>;

  /// What is drawn at a window pixel: {scene layer index, feature index}, or {-1, -1} (the
  /// renderer's object-id pass: a click on a roof selects its building at any camera angle).
  using Pick = std::function<std::pair<int, long>(float x, float y)>;

  EditMode(scene::Scene& scene, GeometryChanged on_geometry, FlyTo fly, Pick pick = {});
  ~EditMode();
  EditMode(const EditMode&) = delete;
  EditMode& operator=(const EditMode&) = delete;

  bool active() const;
  /// Enters edit mode (first time: sessions over copies of the scene's parcels and buildings
  /// layers, zoning rules from assets/zoning_rules.json when present) or leaves it (the edits stay).
  /// Returns "" or why it cannot enter (the scene has no parcels or buildings layer).
  std::string set_active(bool on);

  /// A key press (GLFW codes and modifier bits); true when the editor used it. `typing`: a text
  /// field has the keyboard.
  bool on_key(int key, int mods, bool typing);
  /// One frame, after ImGui::NewFrame: mouse input for the current tool (unless ImGui wants the
  /// mouse), previews and the snap marker on the foreground draw list, then the panels.
  void frame(const scene::Camera& cam, double aspect, double now_s);
  /// True while the left mouse button belongs to the editor (the camera must not pan with it).
  bool uses_left_mouse() const;
  /// Highlights the buildings of parcels that break a zoning rule (scene styles, kFlagHighlighted);
  /// call every frame before the snapshot: a restyle elsewhere clears the flags.
  void decorate_styles();

  /// Applies edit commands from a JSON file (edit_json.h), entering edit mode first. Returns how
  /// many were applied; refusals are reported on `log`, a file that cannot be read is a failure.
  gis::Result<int> apply_script(const std::string& path, std::ostream& log);

  const edit::PlanIndicators& indicators() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace parktwin::app
