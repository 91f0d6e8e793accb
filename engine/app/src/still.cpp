// Headless rendering: the same renderer as the window, an offscreen target, and an ImGui context
// of its own so stills carry the caption and the attribution line.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <optional>

#include <imgui.h>

#include "parktwin/app/app.h"
#include "parktwin/app/live_hub.h"
#include "parktwin/live/payload.h"
#include "parktwin/scene/residency.h"
#include "parktwin/scene/view_state.h"
#include "parktwin/ui/panels.h"
#include "ui_layer.h"

namespace parktwin::app {

Result<std::unique_ptr<StillRenderer>> StillRenderer::create(const scene::Scene& s, const AppOptions& o, float font_px) {
  render::RendererOptions ro;
  ro.msaa = o.msaa;
  ro.validation = o.validation;
  auto r = render::Renderer::create(ro);
  if (!r) return r.error();
  std::unique_ptr<StillRenderer> sr(new StillRenderer());
  sr->renderer_ = std::move(*r);
  if (auto up = sr->renderer_->upload_scene(s); !up) return up.error();
  std::vector<std::string> texts = o.extra_text;
  texts.push_back(o.caption);
  auto ui = UiLayer::create(s, *sr->renderer_, font_px, std::move(texts));
  if (!ui) return ui.error();
  sr->ui_ = std::move(*ui);
  return sr;
}

Result<bool> StillRenderer::set_font_px(const scene::Scene& s, float font_px) { return ui_->set_font_px(s, font_px); }

float StillRenderer::font_px() const { return ui_->font_px(); }

StillRenderer::~StillRenderer() = default;

Result<render::Image> StillRenderer::render(const scene::Scene& s, const scene::Camera& cam, uint32_t w, uint32_t h,
                                            const std::string& caption, bool read_back,
                                            const std::function<void()>& draw_ui) {
  const auto t0 = std::chrono::steady_clock::now();
  // Overlay text grows with the image beyond 1080 lines, so a wall-size still stays legible.
  ui_->begin(static_cast<float>(w), static_cast<float>(h), std::clamp(static_cast<float>(h) / 1080.0f, 1.0f, 4.0f));
  if (!caption.empty()) {
    ui::draw_still_overlay(s, cam, caption);
    ui::PanelState ps;
    ps.label_fade_in = false;
    ps.english_labels = english_labels_;
    ui::FrameInfo fi;
    fi.camera = cam;
    ui::draw_labels(s, cam, fi, ps, labels_);
  }
  if (draw_ui) draw_ui();
  ImDrawData* dd = ui_->end();
  last_ui_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  render::FrameInput in;
  in.ui = caption.empty() && !draw_ui ? nullptr : dd;
  in.read_back = read_back;
  const uint32_t tile = max_tile();
  if (w <= tile && h <= tile) {
    const auto snap = snapshots_.build(s, cam, 0.0);
    in.frame = snap.get();
    return renderer_->render_offscreen(in, w, h);
  }

  // Larger than one image: render tiles of the same view (off-axis sub-frusta of the full
  // projection) and stitch them. The overlay is laid out once for the full size and each tile
  // draws its part (ImGui's display rectangle moved to the tile).
  render::Image full;
  full.width = w;
  full.height = h;
  if (read_back) full.rgba.resize(size_t(w) * h * 4);
  // One snapshot, and so one flow budget, for every tile: the renderer's adapts between frames,
  // which would let tiles of one picture keep different arcs.
  const auto snap = snapshots_.build(s, cam, 0.0, renderer_->stats().flows_min_value_yuan);
  in.frame = snap.get();
  for (uint32_t y0 = 0; y0 < h; y0 += tile) {
    for (uint32_t x0 = 0; x0 < w; x0 += tile) {
      const uint32_t tw = std::min(tile, w - x0), th = std::min(tile, h - y0);
      auto img = render_piece(in, x0, y0, tw, th, w, h);
      if (!img) return img.error();
      if (!read_back) continue;
      for (uint32_t row = 0; row < th; ++row)
        std::memcpy(&full.rgba[(size_t(y0 + row) * w + x0) * 4], &img->rgba[size_t(row) * tw * 4], size_t(tw) * 4);
    }
  }
  return full;
}

Result<render::Image> StillRenderer::render_piece(render::FrameInput in, uint32_t x0, uint32_t y0,
                                                  uint32_t pw, uint32_t ph, uint32_t w, uint32_t h) {
  in.subrect = glm::dvec4(double(x0) / w, double(y0) / h, double(x0 + pw) / w, double(y0 + ph) / h);
  ImDrawData* dd = in.ui;
  const ImVec2 pos0 = dd ? dd->DisplayPos : ImVec2(0, 0), size0 = dd ? dd->DisplaySize : ImVec2(0, 0);
  if (dd) {
    dd->DisplayPos = ImVec2(static_cast<float>(x0), static_cast<float>(y0));
    dd->DisplaySize = ImVec2(static_cast<float>(pw), static_cast<float>(ph));
  }
  auto img = renderer_->render_offscreen(in, pw, ph);
  if (dd) dd->DisplayPos = pos0, dd->DisplaySize = size0;
  return img;
}

Result<std::vector<render::Image>> StillRenderer::render_parts(const render::FrameInput& in,
                                                               uint32_t w, uint32_t h,
                                                               const std::vector<wall::PixelRect>& parts,
                                                               float font_scale, const std::function<void()>& draw_ui) {
  const auto t0 = std::chrono::steady_clock::now();
  ui_->begin(static_cast<float>(w), static_cast<float>(h), font_scale);
  if (draw_ui) draw_ui();
  ImDrawData* dd = ui_->end();
  last_ui_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  render::FrameInput base = in;
  base.ui = draw_ui ? dd : nullptr;
  std::vector<render::Image> out;
  for (const wall::PixelRect& r : parts) {
    if (r.x < 0 || r.y < 0 || uint64_t(r.x) + r.w > w || uint64_t(r.y) + r.h > h || r.w == 0 || r.h == 0)
      return Failure(Failure::InvalidData, "a part outside the picture");
    auto img = render_piece(base, static_cast<uint32_t>(r.x), static_cast<uint32_t>(r.y), r.w, r.h, w, h);
    if (!img) return img.error();
    out.push_back(std::move(*img));
  }
  return out;
}

uint32_t StillRenderer::max_tile() const {
  // Tiles of at most 4096 px a side keep the multisampled targets within a CPU driver's heap.
  return std::min<uint32_t>(tile_limit_ ? tile_limit_ : 4096u, renderer_->device_info().max_image_dimension);
}

int run_render(const AppOptions& o, const std::string& out_png) {
  int failures = 0;
  auto scene = load_scene(o, std::cerr, &failures);
  if (!scene) {
    std::cerr << "parktwin render: " << scene.error().message << "\n";
    return 1;
  }
  // A saved view state gives the camera, layers, style, filter, selection, language and moment;
  // --feed, --at and --caption on the command line still win.
  std::optional<scene::ViewState> state;
  if (!o.state.empty()) {
    auto st = scene::read_view_state(o.state);
    if (!st) {
      std::cerr << "parktwin render: " << st.error().message << "\n";
      return 2;
    }
    state = std::move(*st);
  }
  const std::string feed = o.feed_given ? o.feed : state ? state->source : std::string();
  if (!o.at.empty() && feed.empty()) {
    std::cerr << "parktwin render: --at " << o.at << " needs a feed to read at that moment: add --feed sim:// or "
              << "--feed history://FILE\n";
    return 2;
  }
  if (!feed.empty()) {
    const auto at = moment_of(o);
    if (!at) {
      std::cerr << "parktwin render: " << at.error().message << "\n";
      return 2;
    }
    const int64_t t = at->value_or(state && state->moment_ms ? *state->moment_ms : live::wall_ms());
    if (auto ok = apply_feed_at(**scene, feed, t, std::cerr); !ok) {
      std::cerr << "parktwin render: " << ok.error().message << "\n";
      return 1;
    }
  }
  const double aspect = static_cast<double>(o.width) / o.height;
  Result<scene::Camera> cam = scene::Camera{};
  if (state) {
    for (const std::string& w : scene::apply(*state, **scene, *cam))
      std::cerr << "parktwin render: " << o.state << ": " << w << "\n";
  } else {
    cam = view_camera(**scene, o.view, aspect);
    if (!cam) {
      std::cerr << "parktwin render: " << cam.error().message << "\n";
      return 2;
    }
  }
  const std::string view_name = state ? state->name : o.view;
  const bool english = state && state->language == "en";
  if (!o.save_state.empty()) {
    scene::ViewContext ctx;
    ctx.name = view_name;
    ctx.language = english ? "en" : "zh";
    // A still shows one fixed moment: the time the feed was read at (none without a feed).
    if (!feed.empty()) ctx.moment_ms = (*scene)->live_time_ms;
    scene::ViewState saved = scene::capture(**scene, *cam, ctx);
    // The camera came from the state: keep its geographic values as given (the way back from the
    // scene frame would round the last digit).
    if (state) saved.camera = state->camera;
    if (auto w = scene::write_view_state(saved, o.save_state); !w) {
      std::cerr << "parktwin render: " << w.error().message << "\n";
      return 1;
    }
    // Render the camera as the file gives it back, so rendering the file repeats this still exactly.
    *cam = scene::to_camera(saved.camera, (*scene)->frame());
  }
  if (o.mesh_budget_mb) {  // the meshes nearest to where this still looks
    scene::MeshResidency residency(**scene, o.mesh_budget_mb << 20);
    residency.finish(**scene, glm::dvec2(cam->target));
    const scene::ResidencyStats rs = residency.stats(**scene);
    std::cerr << "parktwin render: building meshes within " << o.mesh_budget_mb << " MiB: " << rs.chunks_resident
              << " chunks kept, " << rs.chunks_evicted << " far ones shown as blocks\n";
    if (!residency.error().empty()) std::cerr << "parktwin render: " << residency.error() << "\n";
  }
  auto still = StillRenderer::create(**scene, o);
  if (!still) {
    std::cerr << "parktwin render: " << still.error().message << "\n";
    return 1;
  }
  (*still)->set_english_labels(english);
  std::string caption = !o.overlay ? std::string() : !o.caption.empty()  ? o.caption
                        : view_name.empty() ? std::string("ParkTwin")
                                            : "ParkTwin · " + view_name;
  if (!caption.empty() && !feed.empty())
    caption += "  ·  " + scene::format_beijing((*scene)->live_time_ms) + ((*scene)->live_simulated ? "  (simulated)" : "");
  auto img = (*still)->render(**scene, *cam, o.width, o.height, caption);
  if (!img) {
    std::cerr << "parktwin render: " << img.error().message << "\n";
    return 1;
  }
  if (auto w = render::write_png(*img, out_png); !w) {
    std::cerr << "parktwin render: " << w.error().message << "\n";
    return 1;
  }
  const auto& info = (*still)->renderer().device_info();
  const auto& st = (*still)->renderer().stats();
  const uint32_t tile = (*still)->max_tile();
  const uint32_t tiles = ((o.width + tile - 1) / tile) * ((o.height + tile - 1) / tile);
  std::cout << "wrote " << out_png << " (" << o.width << "x" << o.height << ", view " << view_name << ", " << info.name;
  if (tiles > 1) std::cout << ", " << tiles << " tiles of up to " << tile << " px)\n";
  else std::cout << ", " << st.triangles << " triangles, " << st.draw_calls << " draws)\n";
  const uint32_t verrs = (*still)->renderer().validation_errors();
  if (o.validation) std::cout << "validation_errors=" << verrs << "\n";
  if (verrs > 0) return 1;
  return failures > 0 ? 1 : 0;
}

}  // namespace parktwin::app
