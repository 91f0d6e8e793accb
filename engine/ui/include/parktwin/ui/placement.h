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

}  // namespace parktwin::ui
