#pragma once
// A video wall's overlay (labels, caption, alarm banner, attribution). The master lays it out once
// for the whole wall's pixels (WallOverlayLayout: an ImGui context of its own with the fonts the
// nodes build, no renderer) and sends it in the frame state; every node lays it out again at the
// whole wall's size and draws only its panels' part (render_wall_parts), as the tiles of a large
// still do. Labels placed per panel would disagree at the seams: cut in half, or shown twice.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <imgui.h>

#include "parktwin/app/app.h"
#include "parktwin/scene/camera.h"
#include "parktwin/scene/labels.h"
#include "parktwin/scene/scene.h"
#include "parktwin/wall/layout.h"
#include "frame_state.h"

namespace parktwin::app {

/// The text scale of a wall: `ui_scale` when > 0, else ui::wall_ui_scale over the whole wall's
/// pixels and millimetres for an audience `viewing_distance_m` away.
double wall_text_scale(const wall::Layout& layout, double ui_scale, double viewing_distance_m);
/// The size a wall's font atlas is built at for that scale: 16 px times it, at most 48 px (sharp),
/// scaled beyond, as the viewer's --wall output does.
float wall_font_px(double text_scale);
/// The ImGui font scale that shows an atlas of wall_font_px(text_scale) at that text scale.
float wall_font_scale(double text_scale);

/// The texts a wall's captions may show (the shipped and the user's tours, and `tour` when given):
/// their characters go into the nodes' font atlas, so a rare one does not show as □.
std::vector<std::string> wall_caption_texts(const scene::Scene& s, const std::string& tour);

/// Where a wall's master places the enterprise labels: an ImGui context sized as the whole wall,
/// with the fonts and text scale the nodes draw with, and the declutter's memory between frames.
class WallOverlayLayout {
 public:
  static gis::Result<std::unique_ptr<WallOverlayLayout>> create(const scene::Scene& s, uint32_t width, uint32_t height,
                                                                double text_scale);
  ~WallOverlayLayout();
  WallOverlayLayout(const WallOverlayLayout&) = delete;
  WallOverlayLayout& operator=(const WallOverlayLayout&) = delete;

  /// The labels for `camera` over the whole wall (ui::place_labels at width x height; hysteresis and
  /// fade-in carried from the last call), rounded as the frame state carries them. The ImGui context
  /// current before the call is current again after it.
  std::vector<scene::PlacedLabel> place_labels(const scene::Scene& s, const scene::Camera& camera, bool english);
  double text_scale() const { return text_scale_; }

 private:
  WallOverlayLayout() = default;
  ImGuiContext* ctx_ = nullptr;
  ImVector<ImWchar> ranges_;
  scene::LabelState labels_;
  double text_scale_ = 1.0;
};

/// Draws `overlay` over the display ImGui lays out now (the whole wall): park labels (placed from
/// the camera), the enterprise labels, the attribution lines, the tour caption and the alarm banner
/// (pulsing with `time_s`).
void draw_wall_overlay(const scene::Scene& s, const scene::Camera& camera, const WallOverlay& overlay, double time_s);

/// Renders the rectangles `parts` of the whole wall `wp` for frame `f`: each its sub-frustum of the
/// view and, when the frame carries an overlay, its part of the overlay laid out at the wall's size
/// (text at the frame's scale; the renderer's atlas is built again first when that scale wants
/// another size, wall_font_px).
gis::Result<std::vector<render::Image>> render_wall_parts(StillRenderer& still, const scene::Scene& s,
                                                          const FrameState& f, const wall::WallPixels& wp,
                                                          const std::vector<wall::PixelRect>& parts);

}  // namespace parktwin::app
