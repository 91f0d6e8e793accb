// The alarm banner and the Alarms panel 告警.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "parktwin/scene/kpi.h"
#include "parktwin/ui/alarm_panel.h"
#include "parktwin/ui/placement.h"
#include "parktwin/ui/shortcuts.h"

namespace parktwin::ui {

namespace {

const scene::Enterprise* find(const scene::Scene& scene, const std::string& id) {
  for (const scene::Enterprise& e : scene.enterprises)
    if (e.id == id) return &e;
  return nullptr;
}

}  // namespace

AlarmBannerText alarm_banner_text(const scene::Scene& scene, const scene::Alarm& alarm, int active_count) {
  const scene::Enterprise* e = find(scene, alarm.enterprise);
  const std::string who = e ? e->name_zh + "  " + e->name_en : alarm.enterprise;
  char line1[512], line2[256];
  std::snprintf(line1, sizeof line1, "告警 ALARM  %s", who.c_str());
  // Data honesty: an alarm from the simulator, or on a generated enterprise, says so.
  const std::string origin = std::string(scene.live_simulated ? "  ·  模拟数据 simulated data" : "") +
                             (e && e->generated ? "  ·  生成企业 generated enterprise" : "");
  std::snprintf(line2, sizeof line2, "%s%s  ·  %s 确认 acknowledge%s", scene::format_beijing(alarm.raised_ms).c_str(),
                origin.c_str(), shortcut_hint(Action::AcknowledgeAlarm),
                active_count > 1 ? ("  ·  " + std::to_string(active_count) + " 条告警 active").c_str() : "");
  return {alarm.enterprise, line1, line2};
}

void draw_alarm_banner(const scene::Scene& scene, const scene::Alarm& alarm, int active_count, ImVec2 display,
                       double time_s) {
  draw_alarm_banner(alarm_banner_text(scene, alarm, active_count), display, time_s);
}

void draw_alarm_banner(const AlarmBannerText& text, ImVec2 display, double time_s) {
  const char* line1 = text.line1.c_str();
  const char* line2 = text.line2.c_str();
  ImFont* font = ImGui::GetFont();
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  const float h = display.y, big = 0.042f * h, small = 0.024f * h, pad = 0.012f * h;
  const ImVec2 s1 = font->CalcTextSizeA(big, FLT_MAX, 0.0f, line1), s2 = font->CalcTextSizeA(small, FLT_MAX, 0.0f, line2);
  const float w = std::max(s1.x, s2.x) + 2 * pad;
  const ImVec2 p0(0.5f * (display.x - w), 0.05f * h), p1(p0.x + w, p0.y + s1.y + s2.y + 2.5f * pad);
  // Pulses between two reds once a second: seen from the back of the room, not only by reading.
  const float pulse = 0.5f + 0.5f * static_cast<float>(std::sin(time_s * 2.0 * M_PI));
  const auto red = static_cast<int>(150 + 70 * pulse);
  dl->AddRectFilled(p0, p1, IM_COL32(red, 20, 20, 235), 0.01f * h);
  dl->AddRect(p0, p1, IM_COL32(255, 230, 230, 255), 0.01f * h, 0, std::max(2.0f, 0.003f * h));
  dl->AddText(font, big, ImVec2(p0.x + pad, p0.y + pad), IM_COL32(255, 255, 255, 255), line1);
  dl->AddText(font, small, ImVec2(p0.x + pad, p0.y + 1.5f * pad + s1.y), IM_COL32(255, 225, 225, 255), line2);
}

void draw_alarm_panel(const scene::Scene& scene, const scene::AlarmWatch& watch, PanelState& panels,
                      std::vector<AlarmRequest>& out) {
  if (!panels.alarms) return;
  ImGuiIO& io = ImGui::GetIO();
  place_panel(scene, "Alarms 告警", ImVec2(io.DisplaySize.x * 0.5f - 260, io.DisplaySize.y - 330), ImVec2(520, 260));
  ImGui::SetNextWindowSize(ImVec2(520, 260), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Alarms 告警", &panels.alarms)) return ImGui::End();
  ImGui::Text("%d 条告警 active, %zu listed (data time, 北京时间)", watch.active_count(), watch.alarms().size());
  ImGui::SameLine();
  ImGui::BeginDisabled(!watch.takeover());
  if (ImGui::SmallButton("全部确认 acknowledge all")) out.push_back({AlarmRequest::AcknowledgeAll, {}});
  ImGui::EndDisabled();
  if (watch.alarms().empty()) ImGui::TextDisabled("无告警 no alarms");
  // Newest first: the one just raised is at the top.
  const auto& list = watch.alarms();
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    const scene::Alarm& a = *it;
    const scene::Enterprise* e = find(scene, a.enterprise);
    ImGui::PushID(static_cast<int>(std::distance(list.rbegin(), it)));
    const ImVec4 col = a.active() ? (a.acknowledged ? ImVec4(0.95f, 0.65f, 0.2f, 1) : ImVec4(0.95f, 0.3f, 0.25f, 1))
                                  : ImVec4(0.55f, 0.6f, 0.6f, 1);
    ImGui::TextColored(col, "%s", a.active() ? (a.acknowledged ? "已确认 ack" : "告警 ALARM") : "已解除 cleared");
    ImGui::SameLine();
    ImGui::TextUnformatted(e ? e->name_zh.c_str() : a.enterprise.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("%s", scene::format_beijing(a.raised_ms).c_str());
    if (!a.active()) {
      ImGui::SameLine();
      ImGui::TextDisabled("→ %s", scene::format_beijing(a.cleared_ms).c_str());
    }
    ImGui::SameLine();
    if (ImGui::SmallButton("飞往 fly")) out.push_back({AlarmRequest::FlyTo, a.enterprise});
    if (!a.acknowledged) {
      ImGui::SameLine();
      if (ImGui::SmallButton("确认 ack")) out.push_back({AlarmRequest::Acknowledge, a.enterprise});
    }
    ImGui::PopID();
  }
  ImGui::End();
}

}  // namespace parktwin::ui
