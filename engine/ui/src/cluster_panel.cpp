// The Cluster dashboard: each cluster against the "1269" plan's 2022 bases and 2026 targets, with
// the window, the unit and the source of every figure (drawn by draw_chain_panels).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <imgui.h>

#include "parktwin/scene/kpi.h"
#include "parktwin/ui/panels.h"
#include "parktwin/ui/placement.h"
#include "chain_panels.h"

namespace parktwin::ui::chain_detail {
namespace {

/// A value of indicator kind k in readable units (yuan, units and t as the KPIs count them).
std::string format_value(scene::KpiKind k, double v) {
  char buf[64];
  switch (k) {
    case scene::KpiKind::Revenue: std::snprintf(buf, sizeof buf, "%.1f bn yuan", v / 1e9); break;
    case scene::KpiKind::Handsets: std::snprintf(buf, sizeof buf, "%.1f million", v / 1e6); break;
    case scene::KpiKind::ElectrolyticCopper: std::snprintf(buf, sizeof buf, "%.4f Mt", v / 1e6); break;
    case scene::KpiKind::LithiumSalts: std::snprintf(buf, sizeof buf, "%.1f kt", v / 1e3); break;
  }
  return buf;
}

/// An hourly rate of indicator kind k.
std::string format_rate(scene::KpiKind k, double v) {
  char buf[64];
  switch (k) {
    case scene::KpiKind::Revenue: std::snprintf(buf, sizeof buf, "%.2f m yuan/h", v / 1e6); break;
    case scene::KpiKind::Handsets: std::snprintf(buf, sizeof buf, "%.0f units/h", v); break;
    case scene::KpiKind::ElectrolyticCopper: std::snprintf(buf, sizeof buf, "%.0f t/h", v); break;
    case scene::KpiKind::LithiumSalts: std::snprintf(buf, sizeof buf, "%.1f t/h", v); break;
  }
  return buf;
}

/// Trajectory 2022 -> 2026: the plan's 9 %/yr line, the straight path to the target, the target
/// (and stretch) at 2026 and the trailing-year total at the window's end.
void trajectory_plot(const scene::KpiIndicator& k, std::optional<double> year_now, glm::vec4 park_col) {
  const float w = std::max(120.0f, ImGui::GetContentRegionAvail().x), h = 96.0f;
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##plot", ImVec2(w, h));
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const double x0 = scene::kPlanBaseYear;
  const double x1 = std::max<double>(scene::kPlanTargetYear, year_now ? std::ceil(*year_now) : 0.0);
  double lo = k.base_2022, hi = std::max(k.target_2026.value_or(k.base_2022), scene::plan_growth_line(k.base_2022, x1));
  if (k.stretch_2026) hi = std::max(hi, *k.stretch_2026);
  if (k.value) lo = std::min(lo, *k.value), hi = std::max(hi, *k.value);
  const double pad = (hi - lo) * 0.12 + 1e-9;
  lo -= pad, hi += pad;
  const float left = 8.0f, right = 8.0f, top = 6.0f, bottom = 16.0f;
  auto X = [&](double y) { return p0.x + left + static_cast<float>((y - x0) / (x1 - x0)) * (w - left - right); };
  auto Y = [&](double v) { return p0.y + top + static_cast<float>((hi - v) / (hi - lo)) * (h - top - bottom); };
  dl->AddRectFilled(p0, ImVec2(p0.x + w, p0.y + h), IM_COL32(20, 24, 30, 200), 3.0f);
  for (int y = static_cast<int>(x0); y <= static_cast<int>(x1); ++y) {
    const float x = X(y);
    dl->AddLine(ImVec2(x, p0.y + top), ImVec2(x, p0.y + h - bottom), IM_COL32(255, 255, 255, 28));
    char label[16];
    std::snprintf(label, sizeof label, "%d", y);
    const float tw = ImGui::CalcTextSize(label).x;
    dl->AddText(ImVec2(std::clamp(x - tw * 0.5f, p0.x + 2, p0.x + w - tw - 2), p0.y + h - bottom + 1),
                IM_COL32(170, 170, 170, 255), label);
  }
  // The value range: top left and bottom right, where the rising lines leave room.
  const std::string hi_text = format_value(k.kind, hi), lo_text = format_value(k.kind, lo);
  dl->AddText(ImVec2(p0.x + 4, p0.y + 2), IM_COL32(150, 150, 150, 255), hi_text.c_str());
  dl->AddText(ImVec2(p0.x + w - ImGui::CalcTextSize(lo_text.c_str()).x - 4, p0.y + h - bottom - ImGui::GetTextLineHeight()),
              IM_COL32(150, 150, 150, 255), lo_text.c_str());
  const ImU32 growth_col = IM_COL32(80, 200, 210, 255), path_col = IM_COL32(240, 160, 60, 255);
  // 9 %/yr line.
  ImVec2 pts[33];
  for (int i = 0; i <= 32; ++i) {
    const double y = x0 + (x1 - x0) * i / 32.0;
    pts[i] = ImVec2(X(y), Y(scene::plan_growth_line(k.base_2022, y)));
  }
  dl->AddPolyline(pts, 33, growth_col, 0, 1.5f);
  const ImVec2 a(X(x0), Y(k.base_2022));
  if (k.target_2026) {
    // Straight path to the target, dashed.
    const ImVec2 b(X(scene::kPlanTargetYear), Y(*k.target_2026));
    for (int i = 0; i < 16; i += 2) {
      const float t0 = i / 16.0f, t1 = (i + 1) / 16.0f;
      dl->AddLine(ImVec2(a.x + (b.x - a.x) * t0, a.y + (b.y - a.y) * t0),
                  ImVec2(a.x + (b.x - a.x) * t1, a.y + (b.y - a.y) * t1), path_col, 1.5f);
    }
    dl->AddCircleFilled(b, 4.0f, path_col);
  }
  dl->AddCircleFilled(a, 3.5f, IM_COL32(230, 230, 230, 255));
  if (k.stretch_2026) dl->AddCircle(ImVec2(X(scene::kPlanTargetYear), Y(*k.stretch_2026)), 4.5f, path_col, 12, 1.5f);
  if (k.value && year_now) {
    const ImVec2 c(X(*year_now), Y(*k.value));
    dl->AddCircleFilled(c, 5.5f, to_u32(park_col));
    dl->AddCircle(c, 5.5f, IM_COL32(255, 255, 255, 230), 12, 1.5f);
  }
  if (hovered) {
    ImGui::BeginTooltip();
    ImGui::TextColored(ImVec4(0.31f, 0.78f, 0.82f, 1), "— plan's ~9 %%/yr growth line from the 2022 base");
    if (k.target_2026)
      ImGui::TextColored(ImVec4(0.94f, 0.63f, 0.24f, 1), "- - straight path from the 2022 base to the 2026 target%s",
                         k.target_from_document ? "" : " (derived)");
    if (k.stretch_2026) ImGui::TextColored(ImVec4(0.94f, 0.63f, 0.24f, 1), "○ striving-for figure %s",
                                           format_value(k.kind, *k.stretch_2026).c_str());
    if (k.value && year_now)
      ImGui::Text("● trailing 365 days %s, ending %s", format_value(k.kind, *k.value).c_str(),
                  scene::format_beijing(k.window_end_ms).c_str());
    else ImGui::TextDisabled("no value: no data for the window");
    ImGui::EndTooltip();
  }
}

void indicator_block(const scene::ClusterKpis& c, const scene::KpiIndicator& k, glm::vec4 park_col) {
  ImGui::PushID(static_cast<int>(k.kind));
  ImGui::Text("%s %s", scene::kpi_kind_zh(k.kind), scene::kpi_kind_name(k.kind));
  if (k.target_2026 && !k.target_from_document) {
    ImGui::SameLine();
    ImGui::TextDisabled("(target derived †)");
  }
  if (ImGui::BeginTable("figures", 3, ImGuiTableFlags_SizingStretchSame)) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled("近365天 trailing 365 d");
    if (k.value) {
      if (k.extrapolated) ImGui::TextColored(kSimulatedCol, "%s *", format_value(k.kind, *k.value).c_str());
      else ImGui::Text("%s", format_value(k.kind, *k.value).c_str());
    } else {
      ImGui::TextDisabled("— no data");
    }
    if (ImGui::IsItemHovered()) {
      if (k.value)
        ImGui::SetTooltip("%s over %s – %s\n%s, %d of %d enterprises%s%s", scene::kpi_kind_name(k.kind),
                          scene::format_beijing(k.window_start_ms).c_str(), scene::format_beijing(k.window_end_ms).c_str(),
                          k.basis == scene::TrailingTotals::Basis::Simulator
                              ? "integrated from the built-in simulator (hourly)"
                              : "summed from the recorded history",
                          k.reporting, k.members,
                          k.extrapolated ? "\n* EXTRAPOLATED: the history covers only part of the window; each enterprise's "
                                           "total is scaled to the whole window"
                                         : "",
                          c.simulated ? "\nSIMULATED values (built-in simulator, calibrated to 2022)" : "");
      else ImGui::SetTooltip("no data for the window from any of the %d enterprises", k.members);
    }
    ImGui::TableNextColumn();
    ImGui::TextDisabled("2022 base 基数");
    ImGui::Text("%s", format_value(k.kind, k.base_2022).c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("source: %s", k.base_source.c_str());
    ImGui::TableNextColumn();
    ImGui::TextDisabled("2026 target 目标");
    if (k.target_2026) ImGui::Text("%s%s", format_value(k.kind, *k.target_2026).c_str(), k.target_from_document ? "" : " †");
    else ImGui::TextDisabled("none in the document");
    if (ImGui::IsItemHovered()) {
      if (k.stretch_2026)
        ImGui::SetTooltip("source: %s\nstriving for %s — %s", k.target_source.c_str(),
                          format_value(k.kind, *k.stretch_2026).c_str(), k.stretch_source.c_str());
      else ImGui::SetTooltip("%s", k.target_source.c_str());
    }
    if (k.stretch_2026) {
      ImGui::TextDisabled("striving %s", format_value(k.kind, *k.stretch_2026).c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("source: %s", k.stretch_source.c_str());
    }
    ImGui::EndTable();
  }
  if (k.extrapolated)
    ImGui::TextColored(kSimulatedCol, "* extrapolated 外推: history covers %.1f %% of the window", k.coverage * 100.0);
  if (k.rate_now_per_h) ImGui::TextDisabled("now, per hour 当前每小时: %s", format_rate(k.kind, *k.rate_now_per_h).c_str());
  if (k.target_2026) {
    char overlay[96];
    if (k.progress) std::snprintf(overlay, sizeof overlay, "trailing year = %.0f %% of the 2026 target", *k.progress * 100.0);
    else std::snprintf(overlay, sizeof overlay, "no data");
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, to_imvec(park_col * glm::vec4(0.85f, 0.85f, 0.85f, 1.0f)));
    ImGui::ProgressBar(k.progress ? static_cast<float>(std::clamp(*k.progress, 0.0, 1.0)) : 0.0f, ImVec2(-1, 0), overlay);
    ImGui::PopStyleColor();
    if (ImGui::IsItemHovered() && k.value && c.year_now) {
      const double line = scene::plan_growth_line(k.base_2022, *c.year_now);
      ImGui::SetTooltip("trailing-365-day total / 2026 target\n9 %%/yr line at %.2f: %s (trailing year %+.1f %%)", *c.year_now,
                        format_value(k.kind, line).c_str(), (*k.value / line - 1.0) * 100.0);
    }
  }
  trajectory_plot(k, c.year_now, park_col);
  ImGui::PopID();
}

/// The window the figures cover and where they come from, once above the clusters.
void window_header(const std::vector<scene::ClusterKpis>& kpis) {
  const scene::KpiIndicator* k = nullptr;
  for (const auto& c : kpis)
    for (const auto& i : c.indicators)
      if (!k && i.window_end_ms > i.window_start_ms) k = &i;
  if (!k) {
    ImGui::TextDisabled("统计区间 Window: none — no live source or history for the trailing 365 days");
    return;
  }
  ImGui::TextWrapped("统计区间 Window: the 365 days %s – %s", scene::format_beijing(k->window_start_ms).c_str(),
                     scene::format_beijing(k->window_end_ms).c_str());
  if (k->basis == scene::TrailingTotals::Basis::Simulator)
    ImGui::TextColored(kSimulatedCol, "模拟 SIMULATED: integrated from the built-in simulator (calibrated to 2022)");
  else
    ImGui::TextWrapped("来源 From the recorded history; where it covers less than the window, figures marked * are extrapolated.");
}

}  // namespace

void clusters_panel(const scene::Scene& scene, PanelState& st) {
  ImGui::SetNextWindowPos(ImVec2(ImGui::GetIO().DisplaySize.x - 520, 30), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(510, std::max(300.0f, ImGui::GetIO().DisplaySize.y - 270)), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Clusters 集群看板", &st.clusters)) return ImGui::End();
  const std::vector<scene::ClusterKpis> kpis = scene::cluster_kpis(scene);
  ImGui::TextWrapped("The 1269 plan: totals of the trailing 365 days against the 2022 bases and 2026 targets, with the "
                     "~9 %%/yr growth line.");
  window_header(kpis);
  if (kpis.empty()) {
    ImGui::TextDisabled("none of the plan's clusters has enterprises in this scene");
    return ImGui::End();
  }
  ImGui::TextColored(ImVec4(0.31f, 0.78f, 0.82f, 1), "— 9 %%/yr line");
  ImGui::SameLine();
  ImGui::TextColored(ImVec4(0.94f, 0.63f, 0.24f, 1), "- - path to target  ○ striving for");
  ImGui::SameLine();
  ImGui::TextUnformatted("● trailing year");
  for (const scene::ClusterKpis& c : kpis) {
    const auto& info = scene::clusters()[static_cast<size_t>(c.cluster_index)];
    const int pi = scene.park_index(c.park);
    const glm::vec4 col = scene::park_color(c.park);
    char header[192];
    std::snprintf(header, sizeof header, "%s %s · %s###%s", info.name_zh, info.name_en,
                  pi >= 0 ? scene.parks[static_cast<size_t>(pi)].name_zh.c_str() : c.park.c_str(), c.cluster.c_str());
    ImGui::PushStyleColor(ImGuiCol_Text, to_imvec(col));
    const bool open = ImGui::CollapsingHeader(header, ImGuiTreeNodeFlags_DefaultOpen);
    ImGui::PopStyleColor();
    if (!open) continue;
    ImGui::PushID(c.cluster.c_str());
    ImGui::TextDisabled("%s · %d enterprises", pi >= 0 ? scene.parks[static_cast<size_t>(pi)].name_en.c_str() : c.park.c_str(),
                        c.enterprises);
    if (c.simulated) {
      ImGui::SameLine();
      ImGui::TextColored(kSimulatedCol, "[SIMULATED 模拟数据]");
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("the figures come from the built-in simulator (calibrated to the 2022 figures), not from the enterprises");
    }
    for (const scene::KpiIndicator& k : c.indicators) indicator_block(c, k, col);
    ImGui::PopID();
    ImGui::Spacing();
  }
  ImGui::Separator();
  ImGui::TextWrapped("Sources: 2022 bases and 2026 targets from the %s (assets/facts.json, quoted); hover a figure "
                     "for the document's words. † no 2026 target in the document: the 2022 base along the plan's ~9 %%/yr "
                     "line. Trailing 365 d: output value and production summed over the window; now, per hour: the "
                     "latest samples summed.",
                     scene::plan_facts().source_short.c_str());
  ImGui::End();
}

}  // namespace parktwin::ui::chain_detail
