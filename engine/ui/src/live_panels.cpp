// Panels over the live metrics: where the data comes from (Feed), how it drives the buildings
// (Metrics, with legend), which moment is shown (Timeline) and what each park does (Dashboard).
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "parktwin/live/payload.h"
#include "parktwin/ui/panels.h"
#include "parktwin/ui/placement.h"
#include "parktwin/ui/status_text.h"

namespace parktwin::ui {
namespace {

ImVec4 to_imvec(glm::vec4 c) { return ImVec4(c.r, c.g, c.b, c.a); }

/// 1234567 -> "1.23 M", with an SI-like suffix.
std::string human(double v) {
  const char* suffix[] = {"", " k", " M", " bn", " tn"};
  int k = 0;
  double a = std::abs(v);
  while (a >= 1000.0 && k < 4) a /= 1000.0, v /= 1000.0, ++k;
  char buf[48];
  std::snprintf(buf, sizeof buf, a >= 100 ? "%.0f%s" : a >= 10 ? "%.1f%s" : "%.2f%s", v, suffix[k]);
  return buf;
}

void simulated_badge(bool simulated) {
  if (simulated) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(0.95f, 0.65f, 0.2f, 1), "[SIMULATED 模拟数据]");
  }
}

void feed_panel(const scene::Scene& scene, const FrameInfo& fi, PanelState& st) {
  ImGuiIO& io = ImGui::GetIO();
  place_panel(scene, "Feed 数据源", ImVec2(io.DisplaySize.x - 330, io.DisplaySize.y - 230), ImVec2(320, 190));
  ImGui::SetNextWindowSize(ImVec2(320, 190), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Feed 数据源", &st.feed)) return ImGui::End();
  if (!fi.has_feed) {
    ImGui::TextDisabled("no live source");
    return ImGui::End();
  }
  const live::SourceStatus& f = fi.feed;
  ImGui::TextWrapped("%s", f.url.c_str());
  ImGui::Text("%s", f.kind.c_str());
  simulated_badge(f.simulated || scene.live_simulated);  // a broker can carry simulated values too
  const ImVec4 green(0.3f, 0.85f, 0.4f, 1), amber(0.95f, 0.75f, 0.2f, 1), red(0.95f, 0.3f, 0.25f, 1);
  // A connection that delivers nothing is not healthy: judge by the data, as soon as the usual gap
  // between arrivals is missed, not only after the stale period.
  const FeedHealth health = feed_health(fi.feed_silent_s, fi.feed_expected_gap_s, scene.binding.stale_after_s,
                                        fi.feed_any_data);
  const bool connected = f.state == live::ConnectionState::Connected;
  const ImVec4 data_col = health.level == FeedHealth::Silent ? red : health.level == FeedHealth::Late ? amber : green;
  const ImVec4 state_col = f.state == live::ConnectionState::Failed ? red
                           : !connected                             ? amber
                           : fi.feed_following                      ? data_col
                                                                    : green;
  ImGui::TextColored(state_col, "%s", live::connection_state_name(f.state));
  if (f.reconnects) {
    ImGui::SameLine();
    ImGui::TextDisabled("(%u reconnects)", f.reconnects);
  }
  if (fi.feed_following) {
    ImGui::SameLine();
    ImGui::TextColored(data_col, "· %s", health.text.c_str());
  }
  ImGui::Text("%.0f msg/s · received %" PRIu64 " · accepted %" PRIu64, f.messages_per_s, f.received, f.accepted);
  if (f.latency_p99_ms > 0.0) ImGui::Text("latency p50 %.1f ms · p99 %.1f ms", f.latency_p50_ms, f.latency_p99_ms);
  if (f.clock_ms) ImGui::TextDisabled("source clock %s", scene::format_beijing(f.clock_ms).c_str());
  uint64_t rejected = 0;
  for (uint64_t r : f.rejected) rejected += r;
  if (rejected) {
    ImGui::Separator();
    ImGui::Text("rejected %" PRIu64 ":", rejected);
    for (size_t i = 0; i < live::kRejectCount; ++i)
      if (f.rejected[i]) ImGui::BulletText("%s: %" PRIu64, live::reject_name(static_cast<live::Reject>(i)), f.rejected[i]);
  }
  if (!f.last_error.empty()) {
    ImGui::Separator();
    ImGui::TextColored(ImVec4(0.95f, 0.45f, 0.35f, 1), "last error:");
    ImGui::TextWrapped("%s", f.last_error.c_str());
  }
  ImGui::End();
}

void ramp_legend(float width) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  for (int i = 0; i < 32; ++i) {
    const glm::vec4 c = scene::ramp_color(static_cast<float>(i) / 31.0f);
    dl->AddRectFilled(ImVec2(p.x + width * i / 32.0f, p.y), ImVec2(p.x + width * (i + 1) / 32.0f, p.y + 12),
                      ImGui::ColorConvertFloat4ToU32(to_imvec(c)));
  }
  ImGui::Dummy(ImVec2(width, 14));
}

bool metric_combo(const char* label, scene::Metric& m) {
  int v = static_cast<int>(m);
  const char* names[scene::kMetricCount];
  for (size_t i = 0; i < scene::kMetricCount; ++i) names[i] = scene::metric_label(static_cast<scene::Metric>(i));
  if (!ImGui::Combo(label, &v, names, static_cast<int>(scene::kMetricCount))) return false;
  m = static_cast<scene::Metric>(v);
  return true;
}

void metrics_panel(const scene::Scene& scene, PanelState& st, std::vector<scene::Command>& out) {
  ImGuiIO& io = ImGui::GetIO();
  place_panel(scene, "Metrics 指标", ImVec2(10, 400), ImVec2(340, 330));
  ImGui::SetNextWindowSize(ImVec2(340, 330), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Metrics 指标", &st.metrics)) return ImGui::End();
  scene::MetricBinding b = scene.binding;
  bool changed = ImGui::Checkbox("Buildings follow live metrics", &b.enabled);
  simulated_badge(scene.live_simulated);
  changed |= metric_combo("Height 高度", b.height_metric);
  changed |= metric_combo("Colour 颜色", b.color_metric);
  changed |= ImGui::Checkbox("Log colour scale", &b.color_log);
  changed |= ImGui::SliderFloat("Transition s", &b.transition_s, 0.0f, 5.0f, "%.1f");
  float stale_min = static_cast<float>(b.stale_after_s / 60.0);
  if (ImGui::SliderFloat("Stale after min", &stale_min, 1.0f, 120.0f, "%.0f")) {
    b.stale_after_s = stale_min * 60.0;
    changed = true;
  }
  if (changed) out.push_back(scene::SetBinding{b});

  ImGui::Separator();
  const auto range = scene.live_range(b.color_metric);
  ImGui::Text("Colour: %s (%s%s)", scene::metric_label(b.color_metric),
              b.color_metric == scene::Metric::Production ? "each enterprise's unit" : scene::metric_unit(b.color_metric),
              b.color_metric != scene::Metric::Utilisation && b.color_log ? ", log" : "");
  ramp_legend(ImGui::GetContentRegionAvail().x);
  if (const std::string note = colour_ramp_note(scene); !note.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("%s", note.c_str());
    ImGui::PopStyleColor();
  } else if (b.color_metric == scene::Metric::Utilisation) {
    ImGui::Text("0 %%%*s100 %%", 40, "");
  } else {
    ImGui::Text("%s%*s%s", human(range.first).c_str(), 30, "", human(range.second).c_str());
    ImGui::TextDisabled("from each enterprise's latest sample");
  }
  ImGui::TextWrapped("Height: %s relative to %s; buildings keep 20 %% of their height at zero.",
                     scene::metric_label(b.height_metric),
                     b.height_metric == scene::Metric::Utilisation ? "100 %" : "each enterprise's peak so far");
  const struct { const char* name; ImVec4 col; } status[] = {
      {"alarm (pulsing)", ImVec4(0.95f, 0.1f, 0.05f, 1)}, {"maintenance (hatched)", ImVec4(0.62f, 0.62f, 0.64f, 1)},
      {"stopped", ImVec4(0.32f, 0.32f, 0.34f, 1)}, {"stale (washed out)", ImVec4(0.85f, 0.85f, 0.85f, 1)}};
  for (const auto& s : status) {
    ImGui::ColorButton(s.name, s.col, ImGuiColorEditFlags_NoTooltip, ImVec2(12, 12));
    ImGui::SameLine();
    ImGui::TextUnformatted(s.name);
  }

  std::vector<uint32_t> stale;
  for (uint32_t e = 0; e < scene.live.size(); ++e)
    if (scene.is_stale(e)) stale.push_back(e);
  ImGui::Separator();
  if (ImGui::TreeNode("stale", "Stale enterprises: %zu", stale.size())) {
    for (uint32_t e : stale) {
      const scene::Enterprise& en = scene.enterprises[e];
      const int64_t ts = scene.live[e].ts_ms;
      if (ts > 0)
        ImGui::BulletText("%s %s — %.0f min", en.name_zh.c_str(), en.name_en.c_str(),
                          static_cast<double>(scene.live_time_ms - ts) / 60000.0);
      else
        ImGui::BulletText("%s %s — no data", en.name_zh.c_str(), en.name_en.c_str());
    }
    ImGui::TreePop();
  }
  (void)io;
  ImGui::End();
}

void timeline_panel(const scene::Scene& scene, const FrameInfo& fi, PanelState& st, std::vector<scene::Command>& out) {
  ImGuiIO& io = ImGui::GetIO();
  place_panel(scene, "Timeline 时间轴", ImVec2(io.DisplaySize.x * 0.5f - 330, io.DisplaySize.y - 120), ImVec2(660, 86));
  ImGui::SetNextWindowSize(ImVec2(660, 86), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Timeline 时间轴", &st.timeline)) return ImGui::End();
  const TimelineInfo& t = fi.timeline;
  if (t.live) ImGui::TextColored(ImVec4(0.3f, 0.85f, 0.4f, 1), "LIVE");
  else ImGui::TextColored(ImVec4(0.95f, 0.75f, 0.2f, 1), t.playing ? "PLAYBACK" : "PAUSED");
  ImGui::SameLine();
  ImGui::Text("%s", t.t_ms ? scene::format_beijing(t.t_ms).c_str() : "—");
  ImGui::SameLine();
  if (!t.live && ImGui::SmallButton("Go live")) out.push_back(scene::TimelineLive{});
  if (!t.has_history || t.last_ms <= t.first_ms) {
    ImGui::TextDisabled("no history yet");
    return ImGui::End();
  }
  ImGui::SameLine();
  if (ImGui::SmallButton(t.playing ? "Pause" : "Play"))
    out.push_back(scene::TimelineSeek{t.t_ms, !t.playing || t.live, t.speed});
  const double speeds[] = {1, 10, 60, 600, 3600};
  for (double sp : speeds) {
    ImGui::SameLine();
    char label[16];
    std::snprintf(label, sizeof label, "%gx", sp);
    const bool current = !t.live && t.speed == sp;
    if (current) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.3f, 0.5f, 0.8f, 1));
    if (ImGui::SmallButton(label)) out.push_back(scene::TimelineSeek{t.t_ms, true, sp});
    if (current) ImGui::PopStyleColor();
  }
  // Scrub over what the history holds, in minutes from its start.
  const float span_min = static_cast<float>(static_cast<double>(t.last_ms - t.first_ms) / 60000.0);
  float pos = static_cast<float>(static_cast<double>(std::clamp(t.t_ms, t.first_ms, t.last_ms) - t.first_ms) / 60000.0);
  ImGui::SetNextItemWidth(-1);
  if (ImGui::SliderFloat("##scrub", &pos, 0.0f, span_min, "")) {
    out.push_back(scene::TimelineSeek{t.first_ms + static_cast<int64_t>(static_cast<double>(pos) * 60000.0), false, t.speed});
  }
  ImGui::End();
}

void dashboard_panel(const scene::Scene& scene, const FrameInfo& fi, PanelState& st) {
  ImGuiIO& io = ImGui::GetIO();
  place_panel(scene, "Dashboard 园区看板", ImVec2(io.DisplaySize.x - 910, 30), ImVec2(380, 440));
  ImGui::SetNextWindowSize(ImVec2(380, 440), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Dashboard 园区看板", &st.dashboard)) return ImGui::End();
  if (scene.live.empty()) {
    ImGui::TextDisabled("no live data yet");
    return ImGui::End();
  }
  if (scene.live_simulated) ImGui::TextColored(ImVec4(0.95f, 0.65f, 0.2f, 1), "Simulated values, calibrated to the 2022 figures");
  for (const scene::Park& p : scene.parks) {
    double output = 0, power = 0, util = 0;
    int n = 0, counts[5] = {0, 0, 0, 0, 0}, stale = 0;
    for (uint32_t e = 0; e < scene.enterprises.size() && e < scene.live.size(); ++e) {
      if (scene.enterprises[e].park != p.id) continue;
      const scene::Metrics& m = scene.live[e];
      if (scene.is_stale(e)) ++stale;
      if (m.ts_ms <= 0) continue;
      output += m.value(scene::Metric::Output);
      power += m.value(scene::Metric::Power);
      util += m.value(scene::Metric::Utilisation);
      ++counts[static_cast<int>(m.status)];
      ++n;
    }
    ImGui::Separator();
    ImGui::TextColored(to_imvec(scene::park_color(p.id)), "%s  %s", p.name_zh.c_str(), p.name_en.c_str());
    ImGui::Text("output %s yuan/h  (≈ %s yuan/yr)", human(output).c_str(), human(output * 8760.0).c_str());
    ImGui::Text("power %.1f MW · utilisation %.0f %%", power / 1000.0, n ? util / n : 0.0);
    ImGui::Text("running %d · maintenance %d · stopped %d", counts[1], counts[2], counts[3]);
    ImGui::SameLine();
    ImGui::TextColored(counts[4] ? ImVec4(0.95f, 0.3f, 0.25f, 1) : ImVec4(0.6f, 0.6f, 0.6f, 1), "alarm %d", counts[4]);
    ImGui::Text("stale %d (no sample for %.0f min)", stale, scene.binding.stale_after_s / 60.0);
    for (const ParkSeries& s : fi.park_series) {
      if (s.park != p.id || s.output_yuan_h.empty()) continue;
      const auto [lo, hi] = std::minmax_element(s.output_yuan_h.begin(), s.output_yuan_h.end());
      char overlay[64];
      std::snprintf(overlay, sizeof overlay, "output, last %.0f h", static_cast<double>(s.t1_ms - s.t0_ms) / 3.6e6);
      ImGui::PlotLines("##spark", s.output_yuan_h.data(), static_cast<int>(s.output_yuan_h.size()), 0, overlay,
                       *lo * 0.95f, *hi * 1.05f + 1.0f, ImVec2(-1, 42));
    }
  }
  ImGui::End();
}

}  // namespace

void draw_live_panels(const scene::Scene& scene, const FrameInfo& info, PanelState& st,
                      std::vector<scene::Command>& out) {
  if (st.feed) feed_panel(scene, info, st);
  if (st.metrics) metrics_panel(scene, st, out);
  if (st.timeline) timeline_panel(scene, info, st, out);
  if (st.dashboard) dashboard_panel(scene, info, st);
}

}  // namespace parktwin::ui
