#include "ui_layer.h"

#include <iostream>

#include "parktwin/ui/panels.h"

namespace parktwin::app {

gis::Result<std::unique_ptr<UiLayer>> UiLayer::create(const scene::Scene& s, render::Renderer& r, float font_px,
                                                      std::vector<std::string> texts) {
  std::unique_ptr<UiLayer> l(new UiLayer(r));
  l->ctx_ = ImGui::CreateContext();
  ImGui::SetCurrentContext(l->ctx_);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.LogFilename = nullptr;
  l->texts_ = std::move(texts);
  l->font_px_ = font_px;
  const std::string font_msg = ui::load_fonts(s, font_px, l->glyph_ranges_, l->texts_);
  if (!font_msg.empty()) std::cerr << "parktwin: " << font_msg << "\n";
  io.Fonts->Build();
  if (auto ok = r.init_imgui(); !ok) return ok.error();
  return l;
}

UiLayer::~UiLayer() {
  if (!ctx_) return;
  ImGui::SetCurrentContext(ctx_);
  renderer_.shutdown_imgui();
  ImGui::DestroyContext(ctx_);
}

gis::Result<bool> UiLayer::set_font_px(const scene::Scene& s, float font_px) {
  if (font_px == font_px_) return true;
  ImGui::SetCurrentContext(ctx_);
  renderer_.shutdown_imgui();  // the backend's font texture goes with it
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  font_px_ = font_px;
  (void)ui::load_fonts(s, font_px, glyph_ranges_, texts_);  // what it could not load was said at create
  io.Fonts->Build();
  return renderer_.init_imgui();
}

void UiLayer::begin(float w, float h, float font_scale) {
  ImGui::SetCurrentContext(ctx_);
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(w, h);
  io.DeltaTime = 1.0f / 60.0f;
  io.FontGlobalScale = font_scale;
  renderer_.imgui_new_frame();
  ImGui::NewFrame();
}

ImDrawData* UiLayer::end() {
  ImGui::SetCurrentContext(ctx_);
  ImGui::Render();
  return ImGui::GetDrawData();
}

}  // namespace parktwin::app
