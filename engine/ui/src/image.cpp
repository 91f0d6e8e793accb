#include "parktwin/ui/image.h"

#include <imgui_internal.h>

#include "parktwin/render/renderer.h"

namespace parktwin::ui {

void image(ImDrawList* list, uint32_t id, ImVec2 min, ImVec2 max) {
  if (id == 0 || !list || max.x <= min.x || max.y <= min.y) return;
  // First callback: the image rectangle travels as its clip rect (not intersected with the
  // current one); second: drawn under the clip rect in force; then ImGui restores its own state.
  list->PushClipRect(min, max, false);
  list->AddCallback(render::ui_image_callback, render::ui_image_callback_data(id, true));
  list->PopClipRect();
  list->AddCallback(render::ui_image_callback, render::ui_image_callback_data(id, false));
  list->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
}

void image(uint32_t id, ImVec2 size) {
  ImGuiWindow* window = ImGui::GetCurrentWindow();
  if (window->SkipItems) return;
  const ImRect bb(window->DC.CursorPos, ImVec2(window->DC.CursorPos.x + size.x, window->DC.CursorPos.y + size.y));
  ImGui::ItemSize(bb);
  if (!ImGui::ItemAdd(bb, 0)) return;
  if (id == 0) {
    window->DrawList->AddRectFilled(bb.Min, bb.Max, ImGui::GetColorU32(ImGuiCol_FrameBg));
    window->DrawList->AddRect(bb.Min, bb.Max, ImGui::GetColorU32(ImGuiCol_Border));
    return;
  }
  image(window->DrawList, id, bb.Min, bb.Max);
}

}  // namespace parktwin::ui
