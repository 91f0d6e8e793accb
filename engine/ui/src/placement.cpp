#include "parktwin/ui/placement.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <imgui_internal.h>

#include "parktwin/scene/scene.h"

namespace parktwin::ui {
namespace {

float overlap_area(const PanelRect& a, const PanelRect& b) {
  const float w = std::min(a.max.x, b.max.x) - std::max(a.min.x, b.min.x);
  const float h = std::min(a.max.y, b.max.y) - std::max(a.min.y, b.min.y);
  return w > 0.0f && h > 0.0f ? w * h : 0.0f;
}

}  // namespace

ImVec2 free_spot(ImVec2 preferred, ImVec2 size, const std::vector<PanelRect>& taken, PanelRect area, float step) {
  const float x_hi = std::max(area.min.x, area.max.x - size.x), y_hi = std::max(area.min.y, area.max.y - size.y);
  auto clamp = [&](ImVec2 p) { return ImVec2(std::clamp(p.x, area.min.x, x_hi), std::clamp(p.y, area.min.y, y_hi)); };
  std::vector<ImVec2> cand;
  cand.push_back(clamp(preferred));
  constexpr float gap = 4.0f;
  for (const PanelRect& t : taken) {
    // Flush with each side of a taken rectangle, aligned with the preferred spot or the rectangle.
    for (float y : {preferred.y, t.min.y, t.max.y - size.y}) {
      cand.push_back(clamp(ImVec2(t.max.x + gap, y)));
      cand.push_back(clamp(ImVec2(t.min.x - gap - size.x, y)));
    }
    for (float x : {preferred.x, t.min.x, t.max.x - size.x}) {
      cand.push_back(clamp(ImVec2(x, t.max.y + gap)));
      cand.push_back(clamp(ImVec2(x, t.min.y - gap - size.y)));
    }
  }
  step = std::max(step, 2.0f);
  for (float y = area.min.y; y <= y_hi; y += step)
    for (float x = area.min.x; x <= x_hi; x += step) cand.push_back(ImVec2(x, y));

  ImVec2 best = cand.front();
  float best_overlap = std::numeric_limits<float>::max(), best_dist = std::numeric_limits<float>::max();
  for (const ImVec2& c : cand) {
    const PanelRect r{c, ImVec2(c.x + size.x, c.y + size.y)};
    float ov = 0.0f;
    for (const PanelRect& t : taken) ov += overlap_area(r, t);
    const float dist = std::hypot(c.x - preferred.x, c.y - preferred.y);
    if (ov < best_overlap || (ov == best_overlap && dist < best_dist)) best = c, best_overlap = ov, best_dist = dist;
  }
  return best;
}

PanelRect attribution_rect(const scene::Scene& scene) {
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  float w = 0.0f, h = 0.0f;
  for (const std::string& a : scene.attributions) {
    const ImVec2 sz = ImGui::CalcTextSize(a.c_str());
    w = std::max(w, sz.x + 12.0f);
    h += sz.y + 2.0f;
  }
  if (h <= 0.0f) return {display, display};
  return {ImVec2(display.x - w, display.y - h - 4.0f), display};
}

void place_panel(const scene::Scene& scene, const char* name, ImVec2 preferred, ImVec2 size) {
  const ImGuiWindow* self = ImGui::FindWindowByName(name);
  if (self && self->WasActive) return;  // open since last frame: stays where it is (or was moved to)
  if (self) {
    preferred = self->Pos;
    if (self->Size.x > 0.0f && self->Size.y > 0.0f) size = self->Size;
  }
  std::vector<PanelRect> taken;
  const ImGuiContext& g = *ImGui::GetCurrentContext();
  for (const ImGuiWindow* w : g.Windows) {
    if (w == self || !(w->Active || w->WasActive) || w->Hidden) continue;
    if (w->Flags & (ImGuiWindowFlags_ChildWindow | ImGuiWindowFlags_Tooltip | ImGuiWindowFlags_Popup)) continue;
    taken.push_back({w->Pos, ImVec2(w->Pos.x + w->Size.x, w->Pos.y + w->Size.y)});
  }
  const PanelRect attr = attribution_rect(scene);
  if (attr.max.x > attr.min.x) taken.push_back(attr);
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float top = ImGui::GetFrameHeight();  // below the main menu bar
  ImGui::SetNextWindowPos(free_spot(preferred, size, taken, {ImVec2(0.0f, top), display}), ImGuiCond_Always);
}

double wall_ui_scale(int width_px, int width_mm, double distance_m) {
  if (width_px <= 0 || width_mm <= 0 || !(distance_m > 0.0)) return 1.0;
  const double pitch_mm = static_cast<double>(width_mm) / width_px;
  const double text_mm = distance_m * 1000.0 / 150.0;
  return std::clamp(text_mm / pitch_mm / 16.0, 1.0, 8.0);
}

}  // namespace parktwin::ui
