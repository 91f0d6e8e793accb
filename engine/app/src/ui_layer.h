#pragma once
// An ImGui context bound to one renderer: the fonts for a scene's texts at one size, the renderer's
// ImGui backend, and a frame at any display size. Stills, recordings and wall nodes (one per
// window) draw their overlays through one each.
#include <memory>
#include <string>
#include <vector>

#include <imgui.h>

#include "parktwin/gis/result.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/scene.h"

namespace parktwin::app {

class UiLayer {
 public:
  /// Builds the font atlas at `font_px` with the glyphs of the scene and `texts`, and sets up the
  /// renderer's ImGui backend with it. The renderer must outlive the layer.
  static gis::Result<std::unique_ptr<UiLayer>> create(const scene::Scene& s, render::Renderer& r, float font_px,
                                                      std::vector<std::string> texts);
  ~UiLayer();
  UiLayer(const UiLayer&) = delete;
  UiLayer& operator=(const UiLayer&) = delete;

  /// Builds the atlas again at `font_px` (same glyphs) and uploads it; nothing when it is that size.
  gis::Result<bool> set_font_px(const scene::Scene& s, float font_px);
  float font_px() const { return font_px_; }
  /// Makes the context current and starts a frame of a w x h display, text `font_scale` times the atlas.
  void begin(float w, float h, float font_scale);
  /// Ends the frame started by begin(): its draw data, valid until the next begin().
  ImDrawData* end();

 private:
  UiLayer(render::Renderer& r) : renderer_(r) {}
  render::Renderer& renderer_;
  ImGuiContext* ctx_ = nullptr;
  ImVector<ImWchar> glyph_ranges_;
  std::vector<std::string> texts_;  ///< the extra texts the atlas covers
  float font_px_ = 15.0f;
};

}  // namespace parktwin::app
