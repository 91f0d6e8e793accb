#pragma once
// Where a panel opens: at its usual place when that is free, else at the nearest spot that covers
// none of the panels already open (and not the attribution lines).
#include <vector>

#include <imgui.h>

namespace parktwin::scene {
class Scene;
}

namespace parktwin::ui {

/// An axis-aligned screen rectangle, pixels, min inclusive.
struct PanelRect {
  ImVec2 min, max;
};

/// The top-left corner for a panel of `size` that overlaps none of `taken` and lies inside `area`,
/// as near `preferred` as possible (`preferred` itself when free). When no spot is free, the one
/// with the least overlap. Candidates are `preferred`, the spots flush with each taken rectangle's
/// sides and a grid of `step` pixels over the area.
ImVec2 free_spot(ImVec2 preferred, ImVec2 size, const std::vector<PanelRect>& taken, PanelRect area,
                 float step = 16.0f);

/// The attribution lines' box in the bottom-right corner (drawn over everything by draw_panels).
PanelRect attribution_rect(const scene::Scene& scene);

/// Call before ImGui::Begin of a panel: when the window `name` was not open last frame (it opens
/// now), puts it at free_spot() among the other open windows and the attribution, starting from
/// where it last was (or `preferred` the first time). An open window stays where it is.
/// `size` is used until the window has a size of its own.
void place_panel(const scene::Scene& scene, const char* name, ImVec2 preferred, ImVec2 size);

/// How much larger than on a desk the UI's text must be on an output seen from `distance_m` metres:
/// text about 1/150 of the viewing distance tall (33 mm at 5 m, what signage guidance gives for
/// reading, not just spotting) over the output's pixel pitch (its width in mm over its pixels),
/// against the 16 px the panels are laid out for. 1 when the size is unknown; between 1 and 8.
double wall_ui_scale(int width_px, int width_mm, double distance_m);

}  // namespace parktwin::ui
