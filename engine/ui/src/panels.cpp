#include <algorithm>
#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include <imgui.h>
#include <imgui_internal.h>

#include "parktwin/ui/panels.h"
#include "parktwin/ui/placement.h"
#include "parktwin/ui/shortcuts.h"
#include "parktwin/ui/status_text.h"
#include "shared_constants.h"

namespace parktwin::ui {
namespace {

ImVec4 to_imvec(glm::vec4 c) { return ImVec4(c.r, c.g, c.b, c.a); }

void menu_bar(PanelState& st) {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("View 视图")) {
    // Hints come from the shortcut table the viewer acts on.
    ImGui::MenuItem("Layers 图层", shortcut_hint(Action::Layers), &st.layers);
    ImGui::MenuItem("Parks 园区", shortcut_hint(Action::Parks), &st.parks);
    ImGui::MenuItem("Style 样式", nullptr, &st.style);
    ImGui::MenuItem("Stats 统计", shortcut_hint(Action::Stats), &st.stats);
    ImGui::MenuItem("Messages 消息", nullptr, &st.warnings);
    ImGui::Separator();
    ImGui::MenuItem("Feed 数据源", nullptr, &st.feed);
    ImGui::MenuItem("Metrics 指标", nullptr, &st.metrics);
    ImGui::MenuItem("Timeline 时间轴", nullptr, &st.timeline);
    ImGui::MenuItem("Dashboard 园区看板", nullptr, &st.dashboard);
    ImGui::Separator();
    ImGui::MenuItem("Chains 产业链", nullptr, &st.chains);
    ImGui::MenuItem("Chain diagram 产业链图谱", nullptr, &st.chain_diagram);
    ImGui::MenuItem("Clusters 集群看板", nullptr, &st.clusters);
    ImGui::Separator();
    ImGui::MenuItem("Labels 标签", nullptr, &st.labels);
    ImGui::MenuItem("English labels 英文标签", shortcut_hint(Action::EnglishLabels), &st.english_labels);
    if (ImGui::MenuItem("Search 搜索", shortcut_hint(Action::Search), &st.search) && st.search) st.focus_search = true;
    ImGui::MenuItem("Inspector 详情", nullptr, &st.inspector);
    ImGui::MenuItem("Tours 导览", shortcut_hint(Action::Tours), &st.tours);
    ImGui::MenuItem("Alarms 告警", shortcut_hint(Action::Alarms), &st.alarms);
    ImGui::MenuItem("Wall 墙面", nullptr, &st.wall);
    ImGui::Separator();
    ImGui::MenuItem("Views 视图", shortcut_hint(Action::Views), &st.views);
    if (ImGui::MenuItem("Save view… 保存视图", shortcut_hint(Action::SaveView))) st.save_view_asked = true;
    ImGui::Separator();
    ImGui::MenuItem("Help 帮助", shortcut_hint(Action::Help), &st.help);
    if (ImGui::MenuItem("Quit 退出", shortcut_hint(Action::Quit))) st.quit_asked = true;
    ImGui::EndMenu();
  }
  if (ImGui::MenuItem("Edit", "E", st.edit_mode)) st.edit_mode = !st.edit_mode;
  ImGui::TextDisabled("  ParkTwin · Jiangxi 1269 industrial clusters");
  ImGui::EndMainMenuBar();
}

void layers_panel(const scene::Scene& scene, PanelState& st, std::vector<scene::Command>& out) {
  place_panel(scene, "Layers 图层", ImVec2(360, 30), ImVec2(340, 300));
  ImGui::SetNextWindowSize(ImVec2(340, 300), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Layers 图层", &st.layers)) return ImGui::End();
  if (ImGui::BeginTable("layers", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    for (size_t i = 0; i < scene.layers.size(); ++i) {
      const scene::Layer& l = scene.layers[i];
      ImGui::PushID(static_cast<int>(i));
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      bool vis = l.style.visible;
      if (ImGui::Checkbox("##vis", &vis)) out.push_back(scene::SetLayerVisible{static_cast<int>(i), vis});
      ImGui::SameLine();
      ImGui::TextUnformatted(l.title.c_str());
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s\n%zu features · %s\nsource: %s", l.data.source.c_str(), l.data.features.size(),
                          scene::layer_kind_name(l.kind), l.provenance.c_str());
      ImGui::TableNextColumn();
      if (l.generated) ImGui::TextColored(ImVec4(0.95f, 0.65f, 0.2f, 1), "generated");
      else ImGui::TextDisabled("real");
      ImGui::TableNextColumn();
      float op = l.style.opacity;
      ImGui::SetNextItemWidth(-1);
      if (ImGui::SliderFloat("##op", &op, 0.0f, 1.0f, "%.2f")) out.push_back(scene::SetLayerOpacity{static_cast<int>(i), op});
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

void parks_panel(const scene::Scene& scene, PanelState& st, std::vector<scene::Command>& out) {
  place_panel(scene, "Parks 园区", ImVec2(10, 30), ImVec2(340, 360));
  ImGui::SetNextWindowSize(ImVec2(340, 360), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Parks 园区", &st.parks)) return ImGui::End();
  if (ImGui::Button("Province 全省")) out.push_back(scene::FlyToProvince{});
  ImGui::SameLine();
  if (ImGui::Button("Fit loaded data")) out.push_back(scene::FlyToFit{});
  for (size_t i = 0; i < scene.parks.size(); ++i) {
    const scene::Park& p = scene.parks[i];
    ImGui::PushID(static_cast<int>(i));
    ImGui::Separator();
    ImGui::TextColored(to_imvec(scene::park_color(p.id)), "%s  %s", p.name_zh.c_str(), p.name_en.c_str());
    ImGui::SameLine(ImGui::GetWindowWidth() - 80);
    if (ImGui::SmallButton("Fly to 飞往")) out.push_back(scene::FlyToPark{static_cast<int>(i)});
    ImGui::TextDisabled("%s · %s", p.cluster_zh.c_str(), p.cluster_en.c_str());
    if (ImGui::TreeNode("facts", "数据 Figures (%zu)", p.facts.size())) {
      for (const scene::Fact& f : p.facts) {
        ImGui::Bullet();
        ImGui::TextWrapped("%s · %s: %s", f.zh.c_str(), f.en.c_str(), scene::fact_display(f).c_str());
        if (ImGui::IsItemHovered()) {
          ImGui::BeginTooltip();
          ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
          ImGui::TextWrapped("原文 「%s」", f.quote.c_str());
          ImGui::TextWrapped("source: %s", scene::plan_facts().source_en.c_str());
          ImGui::PopTextWrapPos();
          ImGui::EndTooltip();
        }
      }
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextDisabled("来源 Source: %s", scene::plan_facts().source_zh.c_str());
      ImGui::TextDisabled("%s", scene::plan_facts().source_short.c_str());
      ImGui::PopTextWrapPos();
      ImGui::TreePop();
    }
    if (ImGui::TreeNode("areas", "Areas (%zu)", p.area_names.size())) {
      for (const std::string& a : p.area_names) ImGui::BulletText("%s", a.c_str());
      ImGui::TextDisabled("Boundaries generated around real anchor points");
      ImGui::TreePop();
    }
    ImGui::PopID();
  }
  ImGui::End();
}

void style_panel(const scene::Scene& scene, PanelState& st, std::vector<scene::Command>& out) {
  place_panel(scene, "Style 样式", ImVec2(360, 340), ImVec2(320, 190));
  ImGui::SetNextWindowSize(ImVec2(320, 190), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Style 样式", &st.style)) return ImGui::End();
  float scale = scene.style_params.height_scale;
  if (ImGui::SliderFloat("Height ×", &scale, 0.0f, 5.0f, "%.2f")) out.push_back(scene::SetHeightScale{scale});
  int mode = static_cast<int>(scene.style_params.color_by);
  const char* names[] = {scene::color_by_name(scene::ColorBy::Kind), scene::color_by_name(scene::ColorBy::Chain),
                         scene::color_by_name(scene::ColorBy::Height), scene::color_by_name(scene::ColorBy::Revenue),
                         scene::color_by_name(scene::ColorBy::Uniform)};
  // Say what is in force: the live binding wins over the static choice for enterprise buildings.
  const std::string overridden = colour_override_note(scene);
  if (!overridden.empty()) {
    ImGui::TextColored(ImVec4(0.95f, 0.75f, 0.2f, 1), "Colour: live %s", scene::metric_label(scene.binding.color_metric));
    ImGui::PushStyleVar(ImGuiStyleVar_Alpha, ImGui::GetStyle().Alpha * 0.5f);
  }
  if (ImGui::Combo("Colour by", &mode, names, IM_ARRAYSIZE(names)))
    out.push_back(scene::SetColorBy{static_cast<scene::ColorBy>(mode)});
  if (!overridden.empty()) {
    ImGui::PopStyleVar();
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("%s", overridden.c_str());
    ImGui::PopStyleColor();
  }
  if (scene.style_params.color_by == scene::ColorBy::Chain) {
    for (const char* c : {"electronic_information", "nonferrous_metals", "new_energy"}) {
      ImGui::ColorButton(c, to_imvec(scene::chain_color(c)), ImGuiColorEditFlags_NoTooltip, ImVec2(12, 12));
      ImGui::SameLine();
      ImGui::TextUnformatted(c);
    }
  } else if (scene.style_params.color_by == scene::ColorBy::Height ||
             scene.style_params.color_by == scene::ColorBy::Revenue) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x;
    for (int i = 0; i < 32; ++i) {
      const glm::vec4 c = scene::ramp_color(static_cast<float>(i) / 31.0f);
      dl->AddRectFilled(ImVec2(p.x + w * i / 32.0f, p.y), ImVec2(p.x + w * (i + 1) / 32.0f, p.y + 12),
                        ImGui::ColorConvertFloat4ToU32(to_imvec(c)));
    }
    ImGui::Dummy(ImVec2(w, 14));
    if (scene.style_params.color_by == scene::ColorBy::Height)
      ImGui::Text("0 m%*s%.0f m+", 30, "", static_cast<double>(kHeightRampTopM));  // shaders/shared_constants.h
    else ImGui::Text("10 M yuan%*slargest enterprise (log)", 8, "");
  }
  ImGui::TextDisabled("%zu buildings restyled without re-triangulation", scene.buildings.size());
  ImGui::End();
}

void stats_panel(const scene::Scene& scene, const FrameInfo& fi, PanelState& st) {
  ImGuiIO& io = ImGui::GetIO();
  place_panel(scene, "Stats 统计", ImVec2(io.DisplaySize.x - 680, io.DisplaySize.y - 230), ImVec2(420, 210));
  ImGui::SetNextWindowBgAlpha(0.75f);
  if (!ImGui::Begin("Stats 统计", &st.stats, ImGuiWindowFlags_AlwaysAutoResize)) return ImGui::End();
  ImGui::Text("frame %.1f ms (%.0f fps) · CPU %.2f ms", fi.frame_ms, fi.frame_ms > 0 ? 1000.0 / fi.frame_ms : 0.0, fi.cpu_ms);
  ImGui::Text("draw calls %u · culled chunks %u", fi.draw_calls, fi.chunks_culled);
  ImGui::Text("triangles %" PRIu64 " · lines %" PRIu64, fi.triangles, fi.lines);
  ImGui::Text("GPU memory %.1f MiB", static_cast<double>(fi.gpu_memory_bytes) / (1024.0 * 1024.0));
  ImGui::Text("features %zu · buildings %zu · enterprises %zu", scene.feature_count(), scene.buildings.size(),
              scene.enterprises.size());
  ImGui::TextDisabled("%s", fi.device.c_str());
  ImGui::TextDisabled("generated layout · real boundaries and anchors");
  const auto& c = fi.camera;
  ImGui::TextDisabled("camera %.0f m · heading %.0f° · pitch %.0f°", c.distance, c.heading * 57.2958, c.pitch * 57.2958);
  if (fi.cursor_valid) ImGui::TextDisabled("cursor %.5f° E, %.5f° N (WGS84)", fi.cursor_lonlat.x, fi.cursor_lonlat.y);
  ImGui::End();
}

void warnings_panel(const scene::Scene& scene, PanelState& st) {
  if (scene.warnings.empty()) return;
  ImGuiIO& io = ImGui::GetIO();
  place_panel(scene, "Messages 消息", ImVec2(360, io.DisplaySize.y - 180), ImVec2(560, 140));
  ImGui::SetNextWindowSize(ImVec2(560, 140), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Messages 消息", &st.warnings)) return ImGui::End();
  for (const std::string& w : scene.warnings) ImGui::TextWrapped("%s", w.c_str());
  ImGui::End();
}

void help_panel(const scene::Scene& scene, PanelState& st) {
  // A fixed width that fits the window and wrapped cells: nothing is cut off on a small screen.
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const ImVec2 size(std::min(760.0f, std::max(320.0f, display.x - 40.0f)), std::min(560.0f, std::max(200.0f, display.y - 120.0f)));
  place_panel(scene, "Help 帮助", ImVec2((display.x - size.x) * 0.5f, 80), size);
  ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
  if (!ImGui::Begin("Help 帮助", &st.help)) return ImGui::End();
  if (ImGui::BeginTable("help", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerV)) {
    ImGui::TableSetupColumn("按键 Keys", ImGuiTableColumnFlags_WidthStretch, 0.9f);
    ImGui::TableSetupColumn("中文", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn("English", ImGuiTableColumnFlags_WidthStretch, 1.3f);
    ImGui::TableHeadersRow();
    auto row = [](const char* keys, const char* zh, const char* en) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", keys);
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", zh);
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", en);
    };
    for (const HelpRow& r : continuous_help_rows()) row(r.keys, r.zh, r.en);
    for (const HelpRow& r : grouped_help_rows()) row(r.keys, r.zh, r.en);
    for (const KeyBinding& b : key_bindings())
      if (b.listed) row(b.hint, b.zh, b.en);
    ImGui::EndTable();
  }
  ImGui::End();
}

/// Esc asks before the viewer quits (a wall or a presentation must not close on a stray key).
void quit_dialog(PanelState& st) {
  const char* name = "Quit ParkTwin? 退出?";
  if (st.quit_asked && !ImGui::IsPopupOpen(name)) ImGui::OpenPopup(name);
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.4f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal(name, nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
    st.quit_asked = false;
    return;
  }
  ImGui::TextUnformatted("退出 ParkTwin？");
  ImGui::TextUnformatted("Quit ParkTwin?");
  ImGui::TextDisabled("Esc / Enter: 退出 quit");
  ImGui::Spacing();
  if (ImGui::Button("退出 Quit", ImVec2(120, 0))) st.quit_confirmed = true;
  ImGui::SameLine();
  if (ImGui::Button("取消 Cancel", ImVec2(120, 0))) {
    st.quit_asked = false;
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

}  // namespace

void draw_attribution(const scene::Scene& scene) {
  // One line per source, right-aligned, stacked up from the bottom edge.
  ImGuiIO& io = ImGui::GetIO();
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  // On a wall (text scaled up for the room) the sources stay at most twice the desk size: they are
  // read up close, and must not cover the picture.
  ImFont* font = ImGui::GetFont();
  const float px = std::min(ImGui::GetFontSize(), 2.0f * 16.0f);
  float y = io.DisplaySize.y - 2.0f;
  for (auto it = scene.attributions.rbegin(); it != scene.attributions.rend(); ++it) {
    ImVec2 sz = font->CalcTextSizeA(px, FLT_MAX, 0.0f, it->c_str());
    sz.x = std::floor(sz.x + 0.99999f);  // whole pixels, as ImGui::CalcTextSize gives them
    y -= sz.y + 2.0f;
    const ImVec2 p(std::max(4.0f, io.DisplaySize.x - sz.x - 8.0f), y);
    dl->AddRectFilled(ImVec2(p.x - 4, y - 1), ImVec2(io.DisplaySize.x, y + sz.y + 2), IM_COL32(255, 255, 255, 180));
    dl->AddText(font, px, p, IM_COL32(40, 40, 40, 255), it->c_str());
  }
}

namespace {

/// Where a park's label goes at this camera: its text, top-left text position and box; false when
/// the park is not labelled (close up) or behind the eye.
bool park_label_layout(const scene::Park& p, const scene::Camera& cam, ImVec2 display, std::string& text, ImVec2& at,
                       ImVec2& min, ImVec2& max) {
  const double w = display.x, h = display.y;
  if (w <= 0 || h <= 0) return false;
  // Label each area far away (one label per park when its areas merge on screen), never up close.
  const double span = glm::length(p.bmax - p.bmin);
  if (cam.distance < 4.0 * std::max(3000.0, span * 0.25)) return false;
  const auto px = scene::ScreenProjector(cam, {w, h})(glm::dvec3(p.center, 0.0));
  if (!px) return false;
  const ImVec2 s(static_cast<float>(px->x), static_cast<float>(px->y));
  text = p.name_zh + "  " + p.name_en;
  const ImVec2 sz = ImGui::CalcTextSize(text.c_str());
  at = ImVec2(s.x - sz.x * 0.5f, s.y - sz.y - 14.0f);
  min = ImVec2(at.x - 5, at.y - 3);
  max = ImVec2(at.x + sz.x + 5, at.y + sz.y + 3);
  return true;
}

}  // namespace

bool park_label_box(const scene::Park& park, const scene::Camera& camera, ImVec2 display, ImVec2& min, ImVec2& max) {
  std::string text;
  ImVec2 at;
  return park_label_layout(park, camera, display, text, at, min, max);
}

void draw_park_labels(const scene::Scene& scene, const scene::Camera& cam) {
  ImDrawList* dl = ImGui::GetBackgroundDrawList();  // under the panels
  std::string text;
  for (const scene::Park& p : scene.parks) {
    ImVec2 at, lo, hi;
    if (!park_label_layout(p, cam, ImGui::GetIO().DisplaySize, text, at, lo, hi)) continue;
    const glm::vec4 c = scene::park_color(p.id);
    dl->AddRectFilled(lo, hi, IM_COL32(255, 255, 255, 215), 3.0f);
    dl->AddRect(lo, hi, ImGui::ColorConvertFloat4ToU32(to_imvec(c)), 3.0f, 0, 1.5f);
    dl->AddText(at, IM_COL32(25, 25, 25, 255), text.c_str());
  }
}

void draw_flow_tooltip(const scene::Scene& scene, const FrameInfo& info) {
  if (!info.has_hovered_flow) return;
  const scene::FlowArc& a = info.hovered_flow;
  const scene::ChainModel& m = scene.chains;
  const char* chain = a.chain >= 0 ? scene::chains()[static_cast<size_t>(a.chain)].name_en : "?";
  ImGui::BeginTooltip();
  if (a.level == scene::FlowLevel::Enterprise && a.source < m.links.size()) {
    const scene::SupplyLink& l = m.links[a.source];
    const scene::Enterprise& s = scene.enterprises[l.supplier];
    const scene::Enterprise& c = scene.enterprises[l.customer];
    ImGui::Text("%s  %s", s.name_zh.c_str(), s.name_en.c_str());
    ImGui::Text("  → %s  %s", c.name_zh.c_str(), c.name_en.c_str());
    ImGui::Text("%s · %s", l.product.c_str(), chain);
    ImGui::Text("nominal %.4g %s/yr (%.3g bn yuan/yr), 2022", l.volume_per_year, l.unit.c_str(), l.value_yuan_per_year / 1e9);
    // A rate stays a rate: the hour now, against the 2022 hourly average, never annualised.
    if (const auto f = scene::output_ratio(scene, l.supplier))
      ImGui::Text("now %.4g %s/h at the supplier's current output (%.2fx its 2022 hourly average)%s",
                  l.volume_per_year / 8760.0 * *f, l.unit.c_str(), *f, scene.live_simulated ? ", simulated" : "");
    else
      ImGui::TextDisabled("now: no live sample from the supplier");
    ImGui::TextDisabled("%s", l.source.c_str());
  } else if (a.level == scene::FlowLevel::Park && a.source < m.park_flows.size()) {
    const scene::ParkFlow& pf = m.park_flows[a.source];
    const scene::Park& from = scene.parks[static_cast<size_t>(pf.from_park)];
    const scene::Park& to = scene.parks[static_cast<size_t>(pf.to_park)];
    ImGui::Text("%s %s → %s %s", from.name_zh.c_str(), from.name_en.c_str(), to.name_zh.c_str(), to.name_en.c_str());
    ImGui::Text("%s: %zu supply links, %.3g bn yuan/yr nominal", chain, pf.links.size(), pf.value_yuan_per_year / 1e9);
    double live = 0.0;
    for (uint32_t li : pf.links)
      live += m.links[li].value_yuan_per_year / 8760.0 * scene::output_ratio(scene, m.links[li].supplier).value_or(1.0);
    ImGui::Text("now %.3g m yuan/h (2022 hourly average %.3g m yuan/h)%s", live / 1e6, pf.value_yuan_per_year / 8760.0 / 1e6,
                scene.live_simulated ? ", simulated" : "");
    ImGui::TextDisabled("links generated from chain logic (see assets/README.md)");
  }
  ImGui::EndTooltip();
}

void close_panels(PanelState& st) {
  for (bool* open : {&st.layers, &st.parks, &st.style, &st.stats, &st.warnings, &st.help, &st.feed, &st.metrics,
                     &st.timeline, &st.dashboard, &st.chains, &st.chain_diagram, &st.clusters, &st.search, &st.inspector,
                     &st.views, &st.alarms, &st.wall})
    *open = false;
}

void draw_panels(const scene::Scene& scene, const FrameInfo& info, PanelState& st, std::vector<scene::Command>& out,
                 scene::LabelState* labels) {
  if (st.menu_bar) menu_bar(st);
  if (st.layers) layers_panel(scene, st, out);
  if (st.parks) parks_panel(scene, st, out);
  if (st.style) style_panel(scene, st, out);
  if (st.stats) stats_panel(scene, info, st);
  if (st.warnings) warnings_panel(scene, st);
  if (st.help) help_panel(scene, st);
  draw_live_panels(scene, info, st, out);
  draw_chain_panels(scene, info, st, out);
  draw_label_panels(scene, info, st, out);
  draw_flow_tooltip(scene, info);
  draw_attribution(scene);
  if (labels && st.labels) draw_labels(scene, info.camera, info, st, *labels);  // after the panels: their rects are known
  quit_dialog(st);
}

void draw_still_overlay(const scene::Scene& scene, const scene::Camera& camera, const std::string& caption) {
  draw_park_labels(scene, camera);
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  if (!caption.empty()) {
    const ImVec2 sz = ImGui::CalcTextSize(caption.c_str());
    dl->AddRectFilled(ImVec2(6, 6), ImVec2(sz.x + 18, sz.y + 14), IM_COL32(255, 255, 255, 200), 4.0f);
    dl->AddText(ImVec2(12, 10), IM_COL32(30, 30, 30, 255), caption.c_str());
  }
  draw_attribution(scene);
}

void draw_stream_progress(const std::string& layer_title, const scene::StreamProgress& p) {
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + vp->WorkSize.y - 12.0f),
                          ImGuiCond_Always, ImVec2(0.5f, 1.0f));
  ImGui::SetNextWindowBgAlpha(0.85f);
  const std::string id = "##stream " + layer_title;
  if (ImGui::Begin(id.c_str(), nullptr,
                   ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings |
                       ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav)) {
    // Above the panels that share the bottom of the screen (the timeline), without taking focus.
    ImGui::BringWindowToDisplayFront(ImGui::GetCurrentWindow());
    ImGui::Text("加载中 Loading %s", layer_title.c_str());
    // While a big GeoJSON's head is shown and GDAL parses the whole file, the head's tiles are all
    // there is to count: the bar says what is going on instead.
    const bool counted = p.tiles_total > 0 && !p.whole_pending;
    // By features where the source declares them: a one-pass read announces its tiles batch by
    // batch, so its tile count reaches its total long before the end.
    const float frac = !counted ? 0.0f
                       : p.features_expected > 0
                           ? std::min(1.0f, static_cast<float>(p.features) / static_cast<float>(p.features_expected))
                           : static_cast<float>(p.tiles_done) / static_cast<float>(p.tiles_total);
    char overlay[96];
    if (counted && p.features_expected > 0) std::snprintf(overlay, sizeof overlay, "%zu tiles, %.0f %%", p.tiles_done, 100.0 * frac);
    else if (counted) std::snprintf(overlay, sizeof overlay, "%zu / %zu tiles", p.tiles_done, p.tiles_total);
    else std::snprintf(overlay, sizeof overlay, p.whole_pending ? "reading the whole file" : "reading the source");
    ImGui::ProgressBar(frac, ImVec2(360.0f, 0.0f), overlay);
    if (p.whole_pending)
      ImGui::Text("%lld features, the first of the file", static_cast<long long>(p.features));
    else if (p.features_expected > 0)
      ImGui::Text("%lld of %lld features%s", static_cast<long long>(p.features), static_cast<long long>(p.features_expected),
                  p.tiles_from_cache > 0 ? " (from the tile cache)" : "");
    else
      ImGui::Text("%lld features%s", static_cast<long long>(p.features), p.tiles_from_cache > 0 ? " (from the tile cache)" : "");
    if (!p.error.empty()) ImGui::TextColored(ImVec4(0.9f, 0.3f, 0.2f, 1.0f), "%s", p.error.c_str());
  }
  ImGui::End();
}

void draw_mesh_budget_note(const scene::ResidencyStats& st) {
  if (st.chunks_evicted == 0) return;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  // Top centre: the bottom belongs to the timeline and the loading progress.
  ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + 8.0f), ImGuiCond_Always,
                          ImVec2(0.5f, 0.0f));
  ImGui::SetNextWindowBgAlpha(0.75f);
  if (ImGui::Begin("##mesh budget", nullptr,
                   ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings |
                       ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoInputs)) {
    const size_t all = st.chunks_resident + st.chunks_evicted;
    ImGui::Text("远处建筑以体块显示 Far buildings shown as blocks: %zu of %zu chunks (memory budget %.0f MiB)", st.chunks_evicted, all,
                static_cast<double>(st.budget_bytes) / (1024.0 * 1024.0));
    if (st.chunks_restoring > 0) ImGui::Text("重建中 Rebuilding %zu chunks near the view", st.chunks_restoring);
  }
  ImGui::End();
}

}  // namespace parktwin::ui
