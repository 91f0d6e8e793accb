#include "wall_overlay.h"

#include <algorithm>
#include <cmath>

#include "parktwin/scene/geo_camera.h"
#include "parktwin/ui/alarm_panel.h"
#include "parktwin/ui/panels.h"
#include "parktwin/ui/placement.h"
#include "parktwin/ui/tour_panel.h"
#include "tour_session.h"

namespace parktwin::app {

namespace {

/// Makes an ImGui context current for a scope and puts the previous one back.
class ContextScope {
 public:
  explicit ContextScope(ImGuiContext* ctx) : prev_(ImGui::GetCurrentContext()) { ImGui::SetCurrentContext(ctx); }
  ~ContextScope() { ImGui::SetCurrentContext(prev_); }
  ContextScope(const ContextScope&) = delete;
  ContextScope& operator=(const ContextScope&) = delete;

 private:
  ImGuiContext* prev_;
};

/// The desk size of the UI's text, which a wall's scale multiplies (as in the viewer's --wall).
constexpr double kDeskTextPx = 16.0;

}  // namespace

double wall_text_scale(const wall::Layout& layout, double ui_scale, double viewing_distance_m) {
  if (ui_scale > 0.0) return ui_scale;
  const wall::WallPixels wp = wall::wall_pixels(layout);
  const glm::dvec2 mm = wall::wall_extent_mm(layout);
  return ui::wall_ui_scale(static_cast<int>(wp.width), static_cast<int>(std::lround(mm.x)), viewing_distance_m);
}

float wall_font_px(double text_scale) { return static_cast<float>(std::min(48.0, kDeskTextPx * text_scale)); }

float wall_font_scale(double text_scale) {
  return static_cast<float>(kDeskTextPx * text_scale / wall_font_px(text_scale));
}

std::vector<std::string> wall_caption_texts(const scene::Scene& s, const std::string& tour) {
  TourSession tours;
  tours.scan(s);
  if (!tour.empty()) (void)tours.load_file(tour, s);
  return tours.texts();
}

gis::Result<std::unique_ptr<WallOverlayLayout>> WallOverlayLayout::create(const scene::Scene& s, uint32_t width,
                                                                          uint32_t height, double text_scale) {
  if (width == 0 || height == 0 || !(text_scale > 0.0))
    return gis::Failure(gis::Failure::ConfigurationError, "a wall overlay needs a size and a text scale");
  std::unique_ptr<WallOverlayLayout> l(new WallOverlayLayout());
  l->text_scale_ = text_scale;
  l->ctx_ = ImGui::CreateContext();
  ContextScope scope(l->ctx_);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.LogFilename = nullptr;
  const float px = wall_font_px(text_scale);
  // The same fonts as the nodes' renderers (StillRenderer with wall_font_px): text measured here is
  // the text they draw. Only the CPU atlas is built; nothing is uploaded.
  (void)ui::load_fonts(s, px, l->ranges_);
  io.Fonts->Build();
  io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
  io.FontGlobalScale = static_cast<float>(kDeskTextPx * text_scale / px);
  return l;
}

WallOverlayLayout::~WallOverlayLayout() {
  if (ctx_) ImGui::DestroyContext(ctx_);
}

std::vector<scene::PlacedLabel> WallOverlayLayout::place_labels(const scene::Scene& s, const scene::Camera& camera,
                                                                bool english) {
  std::vector<scene::PlacedLabel> placed;
  {
    ContextScope scope(ctx_);
    ImGui::GetIO().DeltaTime = 1.0f / 60.0f;
    ImGui::NewFrame();
    // No windows on a wall: the keep-outs are the attribution lines and the park labels.
    placed = ui::place_labels(s, camera, english, true, {}, labels_);
    ImGui::EndFrame();
  }
  quantize_labels(placed);
  return placed;
}

void draw_wall_overlay(const scene::Scene& s, const scene::Camera& camera, const WallOverlay& overlay, double time_s) {
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ui::draw_park_labels(s, camera);
  ui::draw_placed_labels(s, overlay.labels, overlay.english);
  ui::draw_attribution(s);
  if (overlay.caption) ui::draw_tour_caption(*overlay.caption, display);
  if (overlay.alarm) ui::draw_alarm_banner(*overlay.alarm, display, time_s);
}

gis::Result<std::vector<render::Image>> render_wall_parts(StillRenderer& still, const scene::Scene& s,
                                                          const FrameState& f, const wall::WallPixels& wp,
                                                          const std::vector<wall::PixelRect>& parts) {
  const scene::Camera camera = scene::to_camera(f.camera, s.frame());
  const auto snap = still.snapshots().build(s, camera, f.time_s, f.flow_min_value_yuan);
  render::FrameInput in;
  in.frame = snap.get();
  if (!f.overlay) return still.render_parts(in, wp.width, wp.height, parts, 1.0f, {});
  // The master's text scale may want another atlas than this node guessed from its own options.
  if (auto ok = still.set_font_px(s, wall_font_px(f.overlay->ui_scale)); !ok) return ok.error();
  const float scale = static_cast<float>(kDeskTextPx * f.overlay->ui_scale / still.font_px());
  return still.render_parts(in, wp.width, wp.height, parts, scale,
                            [&] { draw_wall_overlay(s, camera, *f.overlay, f.time_s); });
}

}  // namespace parktwin::app
