// Headless rendering: the same renderer as the window, an offscreen target, and an ImGui context
// of its own so stills carry the caption and the attribution line.
#include <chrono>
#include <iostream>

#include <imgui.h>

#include "parktwin/app/app.h"
#include "parktwin/app/live_hub.h"
#include "parktwin/live/payload.h"
#include "parktwin/ui/panels.h"

namespace parktwin::app {

Result<std::unique_ptr<StillRenderer>> StillRenderer::create(const scene::Scene& s, const AppOptions& o) {
  render::RendererOptions ro;
  ro.msaa = o.msaa;
  ro.validation = o.validation;
  auto r = render::Renderer::create(ro);
  if (!r) return r.error();
  std::unique_ptr<StillRenderer> sr(new StillRenderer());
  sr->renderer_ = std::move(*r);
  if (auto up = sr->renderer_->upload_scene(s); !up) return up.error();
  sr->imgui_ = ImGui::CreateContext();
  ImGui::SetCurrentContext(sr->imgui_);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.LogFilename = nullptr;
  const std::string font_msg = ui::load_fonts(s, 15.0f, sr->glyph_ranges_, {o.caption});
  if (!font_msg.empty()) std::cerr << "parktwin: " << font_msg << "\n";
  io.Fonts->Build();
  if (auto ok = sr->renderer_->init_imgui(); !ok) return ok.error();
  return sr;
}

StillRenderer::~StillRenderer() {
  if (renderer_) renderer_->shutdown_imgui();
  if (imgui_) ImGui::DestroyContext(imgui_);
}

Result<render::Image> StillRenderer::render(const scene::Scene& s, const scene::Camera& cam, uint32_t w, uint32_t h,
                                            const std::string& caption, bool read_back,
                                            const std::function<void()>& draw_ui) {
  const auto t0 = std::chrono::steady_clock::now();
  ImGui::SetCurrentContext(imgui_);
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(w), static_cast<float>(h));
  io.DeltaTime = 1.0f / 60.0f;
  renderer_->imgui_new_frame();
  ImGui::NewFrame();
  if (!caption.empty()) ui::draw_still_overlay(s, cam, caption);
  if (draw_ui) draw_ui();
  ImGui::Render();
  last_ui_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  render::FrameInput in;
  in.camera = cam;
  in.ui = caption.empty() && !draw_ui ? nullptr : ImGui::GetDrawData();
  in.read_back = read_back;
  return renderer_->render_offscreen(s, in, w, h);
}

int run_render(const AppOptions& o, const std::string& out_png) {
  int failures = 0;
  auto scene = load_scene(o, std::cerr, &failures);
  if (!scene) {
    std::cerr << "parktwin render: " << scene.error().message << "\n";
    return 1;
  }
  if (o.feed_given && !o.feed.empty()) {
    int64_t t = live::wall_ms();
    if (!o.at.empty()) {
      auto parsed = live::parse_time(o.at);
      if (!parsed) {
        std::cerr << "parktwin render: --at wants an RFC 3339 time like 2026-11-25T10:00:00Z or ms since 1970 (got '"
                  << o.at << "')\n";
        return 2;
      }
      t = *parsed;
    }
    if (auto ok = apply_feed_at(**scene, o.feed, t, std::cerr); !ok) {
      std::cerr << "parktwin render: " << ok.error().message << "\n";
      return 1;
    }
  }
  const double aspect = static_cast<double>(o.width) / o.height;
  auto cam = view_camera(**scene, o.view, aspect);
  if (!cam) {
    std::cerr << "parktwin render: " << cam.error().message << "\n";
    return 2;
  }
  auto still = StillRenderer::create(**scene, o);
  if (!still) {
    std::cerr << "parktwin render: " << still.error().message << "\n";
    return 1;
  }
  std::string caption = !o.overlay ? std::string() : !o.caption.empty() ? o.caption : "ParkTwin · " + o.view;
  if (!caption.empty() && o.feed_given && !o.feed.empty())
    caption += "  ·  " + live::format_time((*scene)->live_time_ms) + ((*scene)->live_simulated ? "  (simulated)" : "");
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
  std::cout << "wrote " << out_png << " (" << o.width << "x" << o.height << ", view " << o.view << ", " << info.name
            << ", " << st.triangles << " triangles, " << st.draw_calls << " draws)\n";
  const uint32_t verrs = (*still)->renderer().validation_errors();
  if (o.validation) std::cout << "validation_errors=" << verrs << "\n";
  if (verrs > 0) return 1;
  return failures > 0 ? 1 : 0;
}

}  // namespace parktwin::app
