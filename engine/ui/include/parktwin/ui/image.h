#pragma once
// UI images (thumbnails) in panels. The renderer holds the textures and names them by id
// (render::Renderer::ui_image_upload); these helpers put them in ImGui's draw lists as callbacks
// the renderer carries out, so the UI never touches a GPU type.
#include <cstdint>

#include <imgui.h>

namespace parktwin::ui {

/// Draws image `id` filling [min, max] on `list`, clipped by the list's clip rect in force.
/// id 0 draws nothing.
void image(ImDrawList* list, uint32_t id, ImVec2 min, ImVec2 max);

/// Draws image `id` as an item of `size` pixels at the cursor (like ImGui::Image); a placeholder
/// frame when id is 0 (no thumbnail yet).
void image(uint32_t id, ImVec2 size);

}  // namespace parktwin::ui
