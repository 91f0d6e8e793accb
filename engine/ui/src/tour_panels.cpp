// The Tours panel 导览 (player, step list, editor) and the tour caption drawn over the picture.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <imgui.h>

#include "parktwin/live/payload.h"
#include "parktwin/scene/chains.h"
#include "parktwin/scene/geo_camera.h"
#include "parktwin/scene/kpi.h"
#include "parktwin/ui/placement.h"
#include "parktwin/ui/shortcuts.h"
#include "parktwin/ui/tour_panel.h"

namespace parktwin::ui {

void draw_tour_caption(const scene::CaptionStep& c, ImVec2 display, float bottom) {
  const float w = display.x, h = display.y;
  ImFont* font = ImGui::GetFont();
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  struct Line {
    const std::string* text;
    float px;
    ImU32 col;
  };
  const Line lines[] = {{&c.zh, 0.045f * h, IM_COL32(255, 255, 255, 255)},
                        {&c.en, 0.028f * h, IM_COL32(218, 224, 235, 255)},
                        {&c.source, 0.017f * h, IM_COL32(165, 172, 182, 255)}};
  const float wrap = 0.78f * w, pad = 0.014f * h, gap = 0.006f * h;
  float width = 0.0f, height = 0.0f;
  ImVec2 sizes[3];
  for (int i = 0; i < 3; ++i) {
    if (lines[i].text->empty()) continue;
    sizes[i] = font->CalcTextSizeA(lines[i].px, FLT_MAX, wrap, lines[i].text->c_str());
    width = std::max(width, sizes[i].x);
    height += sizes[i].y + (height > 0.0f ? gap : 0.0f);
  }
  if (height <= 0.0f) return;
  const ImVec2 p1(0.5f * (w + width) + pad, bottom * h), p0(p1.x - width - 2 * pad, p1.y - height - 2 * pad);
  dl->AddRectFilled(p0, p1, IM_COL32(18, 22, 28, 190), 0.008f * h);
  float y = p0.y + pad;
  for (int i = 0; i < 3; ++i) {
    if (lines[i].text->empty()) continue;
    dl->AddText(font, lines[i].px, ImVec2(p0.x + pad, y), lines[i].col, lines[i].text->c_str(), nullptr, wrap);
    y += sizes[i].y + gap;
  }
}

const char* tour_state_text(scene::TourPlayer::State s) {
  using S = scene::TourPlayer::State;
  switch (s) {
    case S::Stopped: return "已停止 stopped";
    case S::Playing: return "播放中 playing";
    case S::Paused: return "已暂停 paused";
    case S::AtPauseStep: return "等待讲解人 waiting for the presenter";
    case S::Takeover: return "操作员接管 operator has the camera";
    case S::Finished: return "已结束 finished";
  }
  return "";
}

namespace {

using scene::TourStep;

/// One line saying what a step does.
std::string describe(const scene::Scene& scene, const TourStep& step) {
  char buf[256];
  if (const auto* f = std::get_if<scene::FlyToStep>(&step)) {
    const double d = f->camera.distance_m;
    std::snprintf(buf, sizeof buf, "飞行 fly %.1f s %s → %.4f, %.4f · %.*f %s", f->duration_s,
                  f->mode == scene::FlyMode::Bounce ? "bounce" : "smooth", f->camera.lon, f->camera.lat, d >= 10000 ? 0 : 1,
                  d >= 1000 ? d / 1000.0 : d, d >= 1000 ? "km" : "m");
    return buf;
  }
  if (const auto* w = std::get_if<scene::WaitStep>(&step)) {
    std::snprintf(buf, sizeof buf, "停留 wait %.1f s", w->duration_s);
    return buf;
  }
  if (const auto* c = std::get_if<scene::CaptionStep>(&step)) {
    if (!c->show) return "隐藏字幕 hide caption";
    return "字幕 caption: " + (c->zh.empty() ? c->en : c->zh);
  }
  if (const auto* hl = std::get_if<scene::HighlightStep>(&step)) {
    if (hl->kind == scene::HighlightStep::None) return "取消高亮 clear highlight";
    if (hl->kind == scene::HighlightStep::Chain) {
      const int c = scene::chain_index(hl->key);
      return std::string("高亮产业链 chain: ") + (c >= 0 ? scene::chains()[static_cast<size_t>(c)].name_zh : hl->key.c_str());
    }
    for (const scene::Enterprise& e : scene.enterprises)
      if (e.id == hl->key) return "高亮企业 enterprise: " + e.name_zh;
    return "高亮企业 enterprise: " + hl->key + " (not in this scene)";
  }
  if (const auto* t = std::get_if<scene::TimelineStep>(&step))
    return t->utc_ms ? "时间 moment: " + scene::format_beijing(*t->utc_ms) : std::string("时间 moment: 实时 live");
  return "暂停,等待讲解人 pause for the presenter";
}

void player_controls(TourPanelState& st) {
  using S = scene::TourPlayer::State;
  auto ask = [&](TourOp op, int index = -1) { st.requests.push_back({op, index, {}}); };
  const bool running = st.state == S::Playing;
  const bool held = st.state == S::Paused || st.state == S::AtPauseStep || st.state == S::Takeover;
  if (ImGui::Button("|<")) ask(TourOp::Previous);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("上一步 previous step (%s)", shortcut_hint(Action::TourPrevious));
  ImGui::SameLine();
  if (running) {
    if (ImGui::Button("暂停 Pause")) ask(TourOp::Pause);
  } else if (held) {
    if (ImGui::Button("继续 Resume")) ask(TourOp::Resume);
  } else if (ImGui::Button("播放 Play")) {
    ask(TourOp::Play);
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", shortcut_hint(Action::TourPlayPause));
  ImGui::SameLine();
  if (ImGui::Button(">|")) ask(TourOp::Next);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("下一步 next step (%s)", shortcut_hint(Action::TourNext));
  ImGui::SameLine();
  ImGui::BeginDisabled(st.state == S::Stopped);
  if (ImGui::Button("停止 Stop")) ask(TourOp::Stop);
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::Checkbox("循环 Loop", &st.loop);
  ImGui::SetNextItemWidth(140);
  ImGui::SliderFloat("##resume", &st.resume_after_s, 5.0f, 300.0f, "%.0f s");
  ImGui::SameLine();
  ImGui::TextDisabled("无操作后继续 resume after idle");
  const float frac = st.total_s > 0 ? static_cast<float>(std::clamp(st.t_s / st.total_s, 0.0, 1.0)) : 0.0f;
  char over[64];
  std::snprintf(over, sizeof over, "%.0f / %.0f s", st.t_s, st.total_s);
  ImGui::ProgressBar(frac, ImVec2(-1, 0), over);
  ImGui::TextUnformatted(tour_state_text(st.state));
  if (st.state == S::Takeover) {
    ImGui::SameLine();
    ImGui::TextDisabled("· %.0f s 后继续 resumes in %.0f s", st.takeover_left_s, st.takeover_left_s);
  }
}

/// The step list: the step in progress marked, a click picks a step for the editor, a double
/// click previews from it.
void step_list(const scene::Scene& scene, TourPanelState& st) {
  const std::vector<double> starts = scene::step_starts(st.draft);
  // Shorter while editing, so the step's controls fit under it.
  const float list_h = std::min(st.editing ? 150.0f : 260.0f, 24.0f + 20.0f * static_cast<float>(st.draft.steps.size()));
  ImGui::BeginChild("steps", ImVec2(0, list_h), true);
  for (size_t i = 0; i < st.draft.steps.size(); ++i) {
    const bool current = static_cast<int>(i) == st.step && st.state != scene::TourPlayer::State::Stopped;
    char head[48];
    std::snprintf(head, sizeof head, "%s%2zu  %5.1f s  ", current ? "> " : "  ", i + 1, starts[i]);
    const std::string text = head + describe(scene, st.draft.steps[i]);
    ImGui::PushID(static_cast<int>(i));
    if (current) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.85f, 0.35f, 1.0f));
    if (ImGui::Selectable(text.c_str(), st.edit_step == static_cast<int>(i), ImGuiSelectableFlags_AllowDoubleClick)) {
      st.edit_step = static_cast<int>(i);
      if (ImGui::IsMouseDoubleClicked(0)) st.requests.push_back({TourOp::SeekStep, static_cast<int>(i), {}});
      if (const auto* c = std::get_if<scene::CaptionStep>(&st.draft.steps[i])) {
        std::snprintf(st.caption_zh, sizeof st.caption_zh, "%s", (c->zh_written.empty() ? c->zh : c->zh_written).c_str());
        std::snprintf(st.caption_en, sizeof st.caption_en, "%s", (c->en_written.empty() ? c->en : c->en_written).c_str());
        st.caption_error.clear();
      }
    }
    if (current) {
      ImGui::PopStyleColor();
      if (st.state == scene::TourPlayer::State::Playing) ImGui::SetScrollHereY(0.5f);
    }
    ImGui::PopID();
  }
  ImGui::EndChild();
}

void changed(TourPanelState& st) {
  st.draft_changed = true;
  st.dirty = true;
}

/// Inserts a step after the one being edited (or at the end) and selects it.
void insert_step(TourPanelState& st, TourStep step) {
  const size_t at = st.edit_step >= 0 && static_cast<size_t>(st.edit_step) < st.draft.steps.size()
                        ? static_cast<size_t>(st.edit_step) + 1
                        : st.draft.steps.size();
  st.draft.steps.insert(st.draft.steps.begin() + static_cast<std::ptrdiff_t>(at), std::move(step));
  st.edit_step = static_cast<int>(at);
  changed(st);
}

/// The camera on screen as a fly-to step: a bounce when the flight from the previous camera is long.
scene::FlyToStep current_view_step(const scene::Scene& scene, const scene::Camera& camera, const TourPanelState& st) {
  scene::FlyToStep f;
  f.camera = scene::to_geo(camera, scene.frame());
  f.duration_s = 4.0;
  f.mode = scene::FlyMode::Smooth;
  for (int i = std::min(st.edit_step, static_cast<int>(st.draft.steps.size()) - 1); i >= 0; --i)
    if (const auto* prev = std::get_if<scene::FlyToStep>(&st.draft.steps[static_cast<size_t>(i)])) {
      const scene::Camera a = scene::to_camera(prev->camera, scene.frame());
      const double hop = glm::length(glm::dvec2(a.target - camera.target));
      if (hop > 20000.0) f.mode = scene::FlyMode::Bounce, f.duration_s = 8.0;
      break;
    }
  return f;
}

/// The controls of the step being edited.
void step_editor(const scene::Scene& scene, const scene::Camera& camera, TourPanelState& st) {
  if (st.edit_step < 0 || static_cast<size_t>(st.edit_step) >= st.draft.steps.size()) {
    ImGui::TextDisabled("选择一步进行编辑 pick a step to edit it");
    return;
  }
  const auto i = static_cast<size_t>(st.edit_step);
  TourStep& step = st.draft.steps[i];
  ImGui::Text("第 %zu 步 step %zu · %s", i + 1, i + 1, scene::step_type(step));
  ImGui::SameLine();
  ImGui::BeginDisabled(i == 0);
  if (ImGui::SmallButton("上移 up")) {
    std::swap(st.draft.steps[i], st.draft.steps[i - 1]);
    --st.edit_step;
    changed(st);
    ImGui::EndDisabled();
    return;
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(i + 1 >= st.draft.steps.size());
  if (ImGui::SmallButton("下移 down")) {
    std::swap(st.draft.steps[i], st.draft.steps[i + 1]);
    ++st.edit_step;
    changed(st);
    ImGui::EndDisabled();
    return;
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::SmallButton("删除 delete")) {
    st.draft.steps.erase(st.draft.steps.begin() + static_cast<std::ptrdiff_t>(i));
    st.edit_step = std::min(st.edit_step, static_cast<int>(st.draft.steps.size()) - 1);
    changed(st);
    return;
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("从此预览 preview")) st.requests.push_back({TourOp::SeekStep, st.edit_step, {}});

  if (auto* f = std::get_if<scene::FlyToStep>(&step)) {
    float d = static_cast<float>(f->duration_s);
    if (ImGui::DragFloat("时长 duration (s)", &d, 0.1f, 0.0f, 120.0f, "%.1f")) f->duration_s = d, changed(st);
    int mode = f->mode == scene::FlyMode::Bounce ? 0 : 1;
    const char* modes[] = {"bounce 升降", "smooth 平滑"};
    if (ImGui::Combo("路径 path", &mode, modes, 2)) f->mode = mode == 0 ? scene::FlyMode::Bounce : scene::FlyMode::Smooth, changed(st);
    if (ImGui::Button("设为当前视图 set to the current view")) f->camera = scene::to_geo(camera, scene.frame()), changed(st);
  } else if (auto* w = std::get_if<scene::WaitStep>(&step)) {
    float d = static_cast<float>(w->duration_s);
    if (ImGui::DragFloat("时长 duration (s)", &d, 0.1f, 0.0f, 600.0f, "%.1f")) w->duration_s = d, changed(st);
  } else if (auto* c = std::get_if<scene::CaptionStep>(&step)) {
    bool show = c->show;
    if (ImGui::Checkbox("显示 show (off = hide the caption)", &show)) c->show = show, changed(st);
    if (c->show) {
      ImGui::TextDisabled("数字写作 {fact:ID} figures as {fact:ID}, e.g. {fact:yingtan.copper_revenue_2022}");
      ImGui::InputTextMultiline("中文", st.caption_zh, sizeof st.caption_zh, ImVec2(-60, 54));
      ImGui::InputTextMultiline("English", st.caption_en, sizeof st.caption_en, ImVec2(-60, 40));
      if (ImGui::Button("应用字幕 apply caption")) {
        auto made = scene::make_caption(st.caption_zh, st.caption_en, c->source_written);
        if (made) {
          *c = std::move(*made);
          st.caption_error.clear();
          changed(st);
        } else {
          st.caption_error = made.error().message;
        }
      }
      if (!st.caption_error.empty()) ImGui::TextColored(ImVec4(0.95f, 0.45f, 0.35f, 1), "%s", st.caption_error.c_str());
      if (!c->source.empty()) ImGui::TextWrapped("来源 source: %s", c->source.c_str());
    }
  } else if (auto* hl = std::get_if<scene::HighlightStep>(&step)) {
    int kind = static_cast<int>(hl->kind);
    const char* kinds[] = {"无 none", "企业 enterprise", "产业链 chain"};
    if (ImGui::Combo("高亮 highlight", &kind, kinds, 3)) {
      hl->kind = static_cast<scene::HighlightStep::Kind>(kind);
      hl->key.clear();
      if (hl->kind == scene::HighlightStep::Enterprise && scene.selected_enterprise >= 0)
        hl->key = scene.enterprises[static_cast<size_t>(scene.selected_enterprise)].id;
      if (hl->kind == scene::HighlightStep::Chain) hl->key = scene::chains()[0].key;
      changed(st);
    }
    if (hl->kind == scene::HighlightStep::Enterprise) {
      ImGui::TextWrapped("%s", describe(scene, step).c_str());
      ImGui::BeginDisabled(scene.selected_enterprise < 0);
      if (ImGui::Button("用选中的企业 use the selected enterprise")) {
        hl->key = scene.enterprises[static_cast<size_t>(scene.selected_enterprise)].id;
        changed(st);
      }
      ImGui::EndDisabled();
    } else if (hl->kind == scene::HighlightStep::Chain) {
      int c = std::max(0, scene::chain_index(hl->key));
      if (ImGui::BeginCombo("产业链 chain", scene::chains()[static_cast<size_t>(c)].name_zh)) {
        for (size_t k = 0; k < scene::chains().size(); ++k)
          if (ImGui::Selectable(scene::chains()[k].name_zh, static_cast<int>(k) == c)) hl->key = scene::chains()[k].key, changed(st);
        ImGui::EndCombo();
      }
    }
  } else if (auto* tl = std::get_if<scene::TimelineStep>(&step)) {
    bool live = !tl->utc_ms;
    if (ImGui::Checkbox("实时 live", &live)) {
      if (live) tl->utc_ms.reset();
      else tl->utc_ms = scene.live_time_ms > 0 ? scene.live_time_ms : 0;
      changed(st);
    }
    if (tl->utc_ms) {
      ImGui::TextUnformatted(scene::format_beijing(*tl->utc_ms).c_str());
      ImGui::SetNextItemWidth(240);
      if (ImGui::InputTextWithHint("##utc", "2026-07-01T10:00:00+08:00", st.moment_text, sizeof st.moment_text,
                                   ImGuiInputTextFlags_EnterReturnsTrue)) {
        if (const auto t = live::parse_time(st.moment_text)) tl->utc_ms = *t, changed(st);
        else st.message = std::string("not a time: '") + st.moment_text + "' (RFC 3339, e.g. 2026-07-01T10:00:00+08:00)";
      }
      ImGui::SameLine();
      ImGui::TextDisabled("Enter");
    }
  } else {
    ImGui::TextWrapped("播放到这里时停下,讲解人按 %s 继续;录像中不停留。The player stops here until the presenter "
                       "resumes (%s); a recording runs on.",
                       shortcut_hint(Action::TourPlayPause), shortcut_hint(Action::TourPlayPause));
  }
}

void editor(const scene::Scene& scene, const scene::Camera& camera, std::optional<int64_t> moment_ms, TourPanelState& st) {
  ImGui::TextUnformatted("添加 add:");
  ImGui::SameLine();
  if (ImGui::SmallButton("当前视图 current view")) insert_step(st, current_view_step(scene, camera, st));
  ImGui::SameLine();
  if (ImGui::SmallButton("停留 wait")) insert_step(st, scene::WaitStep{4.0});
  ImGui::SameLine();
  if (ImGui::SmallButton("字幕 caption")) {
    st.caption_zh[0] = st.caption_en[0] = '\0';
    scene::CaptionStep c;
    c.zh = c.zh_written = "字幕";
    c.en = c.en_written = "Caption";
    insert_step(st, c);
    std::snprintf(st.caption_zh, sizeof st.caption_zh, "%s", c.zh.c_str());
    std::snprintf(st.caption_en, sizeof st.caption_en, "%s", c.en.c_str());
  }
  if (ImGui::SmallButton("高亮选中企业 highlight selection")) {
    scene::HighlightStep h;
    if (scene.selected_enterprise >= 0) {
      h.kind = scene::HighlightStep::Enterprise;
      h.key = scene.enterprises[static_cast<size_t>(scene.selected_enterprise)].id;
    } else if (scene.chains.filter.highlight_chain >= 0) {
      h.kind = scene::HighlightStep::Chain;
      h.key = scene::chains()[static_cast<size_t>(scene.chains.filter.highlight_chain)].key;
    }
    insert_step(st, h);
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("当前时间 moment")) insert_step(st, scene::TimelineStep{moment_ms});
  ImGui::SameLine();
  if (ImGui::SmallButton("暂停 pause")) insert_step(st, scene::PauseStep{});
  ImGui::Separator();
  step_editor(scene, camera, st);
  ImGui::Separator();
  // The draft's names: ImGui edits its own copy while a field is active and hands back each change.
  char zh_name[128], en_name[128];
  std::snprintf(zh_name, sizeof zh_name, "%s", st.draft.name_zh.c_str());
  std::snprintf(en_name, sizeof en_name, "%s", st.draft.name_en.c_str());
  if (ImGui::InputText("名称 name (中文)", zh_name, sizeof zh_name)) st.draft.name_zh = zh_name, st.dirty = true;
  if (ImGui::InputText("name (English)", en_name, sizeof en_name)) st.draft.name_en = en_name, st.dirty = true;
  ImGui::SetNextItemWidth(200);
  ImGui::InputTextWithHint("##file", "my_tour.json", st.save_name, sizeof st.save_name);
  ImGui::SameLine();
  if (ImGui::Button("保存 Save")) st.requests.push_back({TourOp::Save, -1, st.save_name});
  ImGui::SameLine();
  if (ImGui::Button("导出 KML")) st.requests.push_back({TourOp::ExportKml, -1, st.save_name});
  ImGui::TextDisabled("%s", st.user_dir.c_str());
}

}  // namespace

void draw_tour_panel(const scene::Scene& scene, const scene::Camera& camera, std::optional<int64_t> moment_ms,
                     PanelState& panels, TourPanelState& st) {
  st.draft_changed = false;
  if (!panels.tours) return;
  ImGuiIO& io = ImGui::GetIO();
  place_panel(scene, "Tours 导览", ImVec2(io.DisplaySize.x - 470, 40), ImVec2(460, 560));
  ImGui::SetNextWindowSize(ImVec2(460, 560), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Tours 导览", &panels.tours)) return ImGui::End();
  const char* shown = st.loaded >= 0 && static_cast<size_t>(st.loaded) < st.entries.size()
                          ? st.entries[static_cast<size_t>(st.loaded)].name_zh.c_str()
                          : "新导览 new tour";
  ImGui::SetNextItemWidth(-70);
  if (ImGui::BeginCombo("##tour", shown)) {
    for (size_t i = 0; i < st.entries.size(); ++i) {
      const TourEntry& e = st.entries[i];
      std::string label = e.name_zh + (e.name_en.empty() ? "" : "  " + e.name_en) + (e.user ? "  (mine)" : "");
      ImGui::BeginDisabled(!e.error.empty());
      if (ImGui::Selectable(label.c_str(), static_cast<int>(i) == st.loaded)) st.requests.push_back({TourOp::Load, static_cast<int>(i), {}});
      ImGui::EndDisabled();
      if (!e.error.empty() && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", e.error.c_str());
    }
    if (ImGui::Selectable("新导览 new tour", st.loaded < 0)) st.requests.push_back({TourOp::Load, -1, {}});
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  if (ImGui::Button("刷新 Rescan")) st.requests.push_back({TourOp::Rescan, -1, {}});
  if (!st.draft.name_en.empty()) ImGui::TextDisabled("%s%s", st.draft.name_en.c_str(), st.dirty ? "  (edited, not saved)" : "");
  player_controls(st);
  step_list(scene, st);
  ImGui::Checkbox("编辑 Edit", &st.editing);
  if (st.editing) editor(scene, camera, moment_ms, st);
  if (!st.message.empty()) ImGui::TextWrapped("%s", st.message.c_str());
  ImGui::End();
}

}  // namespace parktwin::ui
