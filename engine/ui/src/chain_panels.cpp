// Panels over the supply chains and the plan's clusters: which chains, segments and flows show
// (Chain filter), one chain's enterprises from upstream to downstream (Chain diagram) and each
// cluster against the "1269" plan's 2022 bases and 2026 targets (Cluster dashboard).
// Like every panel, they are functions of the scene that append commands.
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

namespace parktwin::ui {
namespace {

ImVec4 to_imvec(glm::vec4 c) { return ImVec4(c.r, c.g, c.b, c.a); }
ImU32 to_u32(glm::vec4 c) { return ImGui::ColorConvertFloat4ToU32(to_imvec(c)); }

const ImVec4 kSimulatedCol(0.95f, 0.65f, 0.2f, 1);
const ImVec4 kMasterCol(0.98f, 0.78f, 0.25f, 1);
// Live status dots of the chain diagram (as the buildings show them: alarm red, maintenance grey,
// stopped dark, stale washed out).
constexpr ImU32 kRunningCol = IM_COL32(70, 200, 90, 255), kAlarmCol = IM_COL32(240, 40, 25, 255),
                kMaintenanceCol = IM_COL32(158, 158, 163, 255), kStoppedCol = IM_COL32(70, 70, 75, 255),
                kStaleCol = IM_COL32(215, 215, 215, 200), kNoDataCol = IM_COL32(150, 150, 150, 200);

const char* segment_zh(int s) {
  static const char* kNames[] = {"上游", "中游", "下游"};
  return s >= 0 && s < 3 ? kNames[s] : "";
}
const char* segment_en(int s) {
  static const char* kNames[] = {"Upstream", "Midstream", "Downstream"};
  return s >= 0 && s < 3 ? kNames[s] : "";
}

/// Counts of the chain model, recomputed each frame (hundreds of enterprises, about a thousand links).
struct ChainCounts {
  std::array<int, 12> links{}, enterprises{};
  std::array<std::array<bool, 12>, 6> cluster_chain{};  ///< cluster i has enterprises on chain j
  std::array<int, 6> cluster_enterprises{};
};

ChainCounts count_chains(const scene::Scene& scene) {
  ChainCounts c;
  for (const scene::SupplyLink& l : scene.chains.links)
    if (l.chain >= 0 && l.chain < 12) ++c.links[static_cast<size_t>(l.chain)];
  for (const scene::Enterprise& e : scene.enterprises) {
    const int ch = scene::chain_index(e.chain), cl = scene::cluster_index(e.cluster);
    if (ch >= 0) ++c.enterprises[static_cast<size_t>(ch)];
    if (cl >= 0) {
      ++c.cluster_enterprises[static_cast<size_t>(cl)];
      if (ch >= 0) c.cluster_chain[static_cast<size_t>(cl)][static_cast<size_t>(ch)] = true;
    }
  }
  return c;
}

/// A titled separator (ImGui 1.86 has no SeparatorText).
void section(const char* title) {
  ImGui::Spacing();
  ImGui::TextDisabled("%s", title);
  ImGui::Separator();
}

void swatch(const char* id, glm::vec4 c) {
  ImGui::ColorButton(id, to_imvec(c), ImGuiColorEditFlags_NoTooltip | ImGuiColorEditFlags_NoDragDrop, ImVec2(12, 12));
}

// ---- Chain filter --------------------------------------------------------------------------

void chain_filter_panel(const scene::Scene& scene, PanelState& st, std::vector<scene::Command>& out) {
  place_panel(scene, "Chains 产业链", ImVec2(360, 370), ImVec2(390, 590));
  ImGui::SetNextWindowSize(ImVec2(390, 590), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Chains 产业链", &st.chains)) return ImGui::End();
  const auto& chains = scene::chains();
  const auto& clusters = scene::clusters();
  const ChainCounts counts = count_chains(scene);
  scene::ChainFilter f = scene.chains.filter;
  bool changed = false;

  if (ImGui::SmallButton("All 全部")) f.chain_on.fill(true), changed = true;
  ImGui::SameLine();
  if (ImGui::SmallButton("None 全不选")) f.chain_on.fill(false), changed = true;
  ImGui::SameLine();
  if (ImGui::SmallButton("Reset 重置")) f = scene::ChainFilter{}, changed = true;

  section("Industrial chains 产业链 (12)");
  if (ImGui::BeginTable("chains", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("chain", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("links", ImGuiTableColumnFlags_WidthFixed, 52.0f);
    for (size_t i = 0; i < chains.size(); ++i) {
      const bool present = counts.enterprises[i] > 0;
      ImGui::PushID(static_cast<int>(i));
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (!present) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
      bool on = f.chain_on[i];
      if (ImGui::Checkbox("##on", &on)) f.chain_on[i] = on, changed = true;
      ImGui::SameLine();
      swatch("##c", scene::chain_color(chains[i].key));
      ImGui::SameLine();
      ImGui::Text("%s %s", chains[i].name_zh, chains[i].name_en);
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s %s\n%d enterprises · %d supply links in this dataset%s", chains[i].name_zh, chains[i].name_en,
                          counts.enterprises[i], counts.links[i],
                          present ? "" : "\nno enterprise of this chain in the three parks");
      ImGui::TableNextColumn();
      if (present) ImGui::Text("%d", counts.links[i]);
      else ImGui::TextUnformatted("—");
      if (!present) ImGui::PopStyleColor();
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  ImGui::TextDisabled("right column: supply links");

  section("Clusters 先进制造业集群 (6)");
  for (size_t c = 0; c < clusters.size(); ++c) {
    ImGui::PushID(100 + static_cast<int>(c));
    // A cluster's chains are those of its enterprises; it is on while all of them are.
    bool any = false, all = true;
    for (size_t i = 0; i < chains.size(); ++i)
      if (counts.cluster_chain[c][i]) any = true, all = all && f.chain_on[i];
    bool on = any && all;
    ImGui::BeginDisabled(!any);
    if (ImGui::Checkbox("##cl", &on)) {
      for (size_t i = 0; i < chains.size(); ++i)
        if (counts.cluster_chain[c][i]) f.chain_on[i] = on;
      changed = true;
    }
    ImGui::SameLine();
    ImGui::Text("%s %s", clusters[c].name_zh, clusters[c].name_en);
    ImGui::EndDisabled();
    if (any) {
      std::string tip = std::string(clusters[c].name_zh) + " " + clusters[c].name_en + "\n" +
                        std::to_string(counts.cluster_enterprises[c]) + " enterprises; toggles the chain";
      for (size_t i = 0; i < chains.size(); ++i)
        if (counts.cluster_chain[c][i]) tip += std::string(" ") + chains[i].name_zh + " " + chains[i].name_en;
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tip.c_str());
    } else {
      ImGui::SameLine();
      ImGui::TextDisabled("(no chain here)");
      if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("A cluster of the plan with no enterprise in this dataset (three parks: Nanchang, Yingtan, Yichun)");
    }
    ImGui::PopID();
  }

  section("Segments 环节");
  for (int s = 0; s < 3; ++s) {
    ImGui::PushID(200 + s);
    if (s) ImGui::SameLine();
    bool on = f.segment_on[static_cast<size_t>(s)];
    char label[48];
    std::snprintf(label, sizeof label, "%s %s", segment_zh(s), segment_en(s));
    if (ImGui::Checkbox(label, &on)) f.segment_on[static_cast<size_t>(s)] = on, changed = true;
    ImGui::PopID();
  }
  ImGui::TextDisabled("a link shows when its supplier's segment is on");

  section("Map 地图");
  changed |= ImGui::Checkbox("Flows on the map 流向", &f.flows_visible);
  std::string preview = f.highlight_chain >= 0 && f.highlight_chain < 12
                            ? std::string(chains[static_cast<size_t>(f.highlight_chain)].name_zh) + " " +
                                  chains[static_cast<size_t>(f.highlight_chain)].name_en
                            : std::string("none 无");
  ImGui::SetNextItemWidth(-90);
  if (ImGui::BeginCombo("Highlight 高亮", preview.c_str())) {
    if (ImGui::Selectable("none 无", f.highlight_chain < 0)) f.highlight_chain = -1, changed = true;
    for (size_t i = 0; i < chains.size(); ++i) {
      ImGui::PushID(static_cast<int>(i));
      swatch("##c", scene::chain_color(chains[i].key));
      ImGui::SameLine();
      char label[96];
      std::snprintf(label, sizeof label, "%s %s", chains[i].name_zh, chains[i].name_en);
      ImGui::BeginDisabled(counts.links[i] == 0);
      if (ImGui::Selectable(label, f.highlight_chain == static_cast<int>(i)))
        f.highlight_chain = static_cast<int>(i), changed = true;
      ImGui::EndDisabled();
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
  if (f.highlight_chain >= 0) ImGui::TextDisabled("the other chains are dimmed");

  if (changed) out.push_back(scene::SetChainFilter{f});
  ImGui::End();
}

// ---- Chain diagram -------------------------------------------------------------------------

/// The dot colour of an enterprise's live status; `filled` false for stale or missing data.
ImU32 status_color(const scene::Scene& scene, uint32_t e, bool& filled) {
  filled = true;
  if (e >= scene.live.size() || scene.live[e].ts_ms <= 0) {
    filled = false;
    return kNoDataCol;
  }
  if (scene.is_stale(e)) {
    filled = false;
    return kStaleCol;
  }
  switch (scene.live[e].status) {
    case scene::Status::Running: return kRunningCol;
    case scene::Status::Maintenance: return kMaintenanceCol;
    case scene::Status::Stopped: return kStoppedCol;
    case scene::Status::Alarm: return kAlarmCol;
    case scene::Status::Unknown: break;
  }
  filled = false;
  return kNoDataCol;
}

/// A status dot in front of the next item, one text line high.
void status_dot(ImU32 col, bool filled) {
  const float h = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos(), c(p.x + 5.0f, p.y + h * 0.5f);
  if (filled) ImGui::GetWindowDrawList()->AddCircleFilled(c, 4.5f, col, 12);
  else ImGui::GetWindowDrawList()->AddCircle(c, 4.0f, col, 12, 1.5f);
  ImGui::Dummy(ImVec2(12.0f, h));
  ImGui::SameLine(0.0f, 2.0f);
}

const char* status_text(const scene::Scene& scene, uint32_t e) {
  if (e >= scene.live.size() || scene.live[e].ts_ms <= 0) return "no live data";
  if (scene.is_stale(e)) return "stale";
  return scene::status_name(scene.live[e].status);
}

int default_diagram_chain(const scene::Scene& scene, const PanelState& st, const ChainCounts& counts) {
  if (st.diagram_chain >= 0 && st.diagram_chain < 12) return st.diagram_chain;
  if (scene.chains.filter.highlight_chain >= 0 && scene.chains.filter.highlight_chain < 12)
    return scene.chains.filter.highlight_chain;
  for (size_t i = 0; i < counts.links.size(); ++i)
    if (counts.links[i] > 0) return static_cast<int>(i);
  return 0;
}

void enterprise_cell(const scene::Scene& scene, uint32_t e, const std::vector<int>& supplies,
                     const std::vector<int>& buys, std::vector<scene::Command>& out) {
  const scene::Enterprise& en = scene.enterprises[e];
  bool filled = true;
  const ImU32 col = status_color(scene, e, filled);
  status_dot(col, filled);
  const bool master = en.role == "chain_master";
  char label[320];
  std::snprintf(label, sizeof label, "%s%s  %s##e%u", master ? "[链主] " : "", en.name_zh.c_str(), en.name_en.c_str(), e);
  if (master) ImGui::PushStyleColor(ImGuiCol_Text, kMasterCol);
  if (ImGui::Selectable(label, scene.selected_enterprise == static_cast<int>(e)))
    out.push_back(scene::SelectEnterprise{static_cast<int>(e)});
  if (master) ImGui::PopStyleColor();
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::Text("%s  %s", en.name_zh.c_str(), en.name_en.c_str());
    if (master) ImGui::TextColored(kMasterCol, "chain master 链主");
    ImGui::TextDisabled("%s · %s · %s", en.park.c_str(), en.segment.c_str(), en.generated ? "generated" : "real");
    ImGui::Text("product: %s (%s)", en.product.c_str(), en.unit.c_str());
    ImGui::Text("supplies %d · buys from %d (links of this chain)", supplies[e], buys[e]);
    ImGui::Text("live: %s", status_text(scene, e));
    if (e < scene.live.size() && scene.live[e].ts_ms > 0) {
      const scene::Metrics& m = scene.live[e];
      ImGui::Text("output %.2f M yuan/h · utilisation %.0f %%", m.value(scene::Metric::Output) / 1e6,
                  m.value(scene::Metric::Utilisation));
      if (m.simulated) ImGui::TextColored(kSimulatedCol, "simulated 模拟数据");
    }
    ImGui::TextDisabled("click: select and fly there");
    ImGui::EndTooltip();
  }
}

/// The status dots as the diagram draws them, with their meaning.
void status_legend() {
  const struct { const char* name; ImU32 col; bool filled; } kItems[] = {
      {"running", kRunningCol, true},         {"alarm", kAlarmCol, true}, {"maintenance", kMaintenanceCol, true},
      {"stopped", kStoppedCol, true},         {"stale", kStaleCol, false}, {"no data", kNoDataCol, false}};
  for (const auto& it : kItems) {
    status_dot(it.col, it.filled);
    ImGui::TextDisabled("%s", it.name);
    ImGui::SameLine(0.0f, 12.0f);
  }
  ImGui::TextColored(kMasterCol, "[链主] chain master");
  ImGui::SameLine(0.0f, 12.0f);
  ImGui::TextDisabled("· click: select");
}

void chain_diagram_panel(const scene::Scene& scene, PanelState& st, std::vector<scene::Command>& out) {
  place_panel(scene, "Chain diagram 产业链图谱", ImVec2(700, 400), ImVec2(900, 480));
  ImGui::SetNextWindowSize(ImVec2(900, 480), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Chain diagram 产业链图谱", &st.chain_diagram)) return ImGui::End();
  const auto& chains = scene::chains();
  const ChainCounts counts = count_chains(scene);
  const int chain = default_diagram_chain(scene, st, counts);
  const auto ci = static_cast<size_t>(chain);

  char preview[96];
  std::snprintf(preview, sizeof preview, "%s %s", chains[ci].name_zh, chains[ci].name_en);
  ImGui::SetNextItemWidth(300);
  if (ImGui::BeginCombo("Chain 产业链", preview)) {
    for (size_t i = 0; i < chains.size(); ++i) {
      char label[96];
      std::snprintf(label, sizeof label, "%s %s (%d)", chains[i].name_zh, chains[i].name_en, counts.enterprises[i]);
      ImGui::BeginDisabled(counts.enterprises[i] == 0);
      if (ImGui::Selectable(label, i == ci)) st.diagram_chain = static_cast<int>(i);
      ImGui::EndDisabled();
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  swatch("##chain", scene::chain_color(chains[ci].key));
  if (st.diagram_chain >= 0) {
    ImGui::SameLine();
    if (ImGui::SmallButton("Follow highlight")) st.diagram_chain = -1;
  }

  // The chain's enterprises by tier (largest first) and its links between tiers.
  std::array<std::vector<uint32_t>, 3> tier;
  int unknown_segment = 0;
  for (uint32_t e = 0; e < scene.enterprises.size(); ++e) {
    if (scene::chain_index(scene.enterprises[e].chain) != chain) continue;
    const scene::Segment s = scene::parse_segment(scene.enterprises[e].segment);
    if (s == scene::Segment::Unknown) ++unknown_segment;
    else tier[static_cast<size_t>(s)].push_back(e);
  }
  for (auto& t : tier)
    std::stable_sort(t.begin(), t.end(), [&](uint32_t a, uint32_t b) {
      const bool ma = scene.enterprises[a].role == "chain_master", mb = scene.enterprises[b].role == "chain_master";
      if (ma != mb) return ma;
      return scene.enterprises[a].revenue_2022 > scene.enterprises[b].revenue_2022;
    });
  std::vector<int> supplies(scene.enterprises.size(), 0), buys(scene.enterprises.size(), 0);
  int between[3][3] = {};
  double value = 0.0;
  int links = 0;
  for (const scene::SupplyLink& l : scene.chains.links) {
    if (l.chain != chain) continue;
    ++links;
    value += l.value_yuan_per_year;
    ++supplies[l.supplier];
    ++buys[l.customer];
    const auto a = scene::parse_segment(scene.enterprises[l.supplier].segment);
    const auto b = scene::parse_segment(scene.enterprises[l.customer].segment);
    if (a != scene::Segment::Unknown && b != scene::Segment::Unknown) ++between[static_cast<int>(a)][static_cast<int>(b)];
  }
  const size_t firms = tier[0].size() + tier[1].size() + tier[2].size() + static_cast<size_t>(unknown_segment);
  ImGui::Text("%zu enterprises · %d supply links · nominal %.1f bn yuan/yr", firms, links, value / 1e9);
  if (firms == 0) {
    ImGui::TextDisabled("no enterprise of this chain in the dataset");
    return ImGui::End();
  }
  ImGui::TextDisabled("links: upstream→midstream %d · midstream→downstream %d · upstream→downstream %d · within a tier %d",
                      between[0][1], between[1][2], between[0][2], between[0][0] + between[1][1] + between[2][2]);

  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_SizingStretchSame;
  if (ImGui::BeginTable("tiers", 5, flags, ImVec2(0, ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing()))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    for (int c = 0; c < 5; ++c) {
      if (c % 2) ImGui::TableSetupColumn("##arrow", ImGuiTableColumnFlags_WidthFixed, 54.0f);
      else ImGui::TableSetupColumn(segment_en(c / 2), ImGuiTableColumnFlags_WidthStretch);
    }
    // Header: tier names and sizes, arrows with the link counts between neighbouring tiers.
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    for (int c = 0; c < 5; ++c) {
      ImGui::TableSetColumnIndex(c);
      if (c % 2 == 0) {
        const int s = c / 2;
        ImGui::Text("%s %s (%zu)", segment_zh(s), segment_en(s), tier[static_cast<size_t>(s)].size());
      } else {
        const int s = c / 2;
        ImGui::Text("→ %d", between[s][s + 1]);
        if (ImGui::IsItemHovered())
          ImGui::SetTooltip("%d supply links %s → %s", between[s][s + 1], segment_en(s), segment_en(s + 1));
      }
    }
    const size_t rows = std::max({tier[0].size(), tier[1].size(), tier[2].size()});
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows));
    while (clipper.Step()) {
      for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
        ImGui::TableNextRow();
        for (int s = 0; s < 3; ++s) {
          ImGui::TableSetColumnIndex(2 * s);
          const auto& t = tier[static_cast<size_t>(s)];
          if (static_cast<size_t>(r) < t.size()) enterprise_cell(scene, t[static_cast<size_t>(r)], supplies, buys, out);
        }
      }
    }
    ImGui::EndTable();
  }
  status_legend();
  ImGui::End();
}

// ---- Cluster dashboard ---------------------------------------------------------------------

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

}  // namespace

void draw_chain_panels(const scene::Scene& scene, const FrameInfo& info, PanelState& st,
                       std::vector<scene::Command>& out) {
  (void)info;
  if (st.chains) chain_filter_panel(scene, st, out);
  if (st.chain_diagram) chain_diagram_panel(scene, st, out);
  if (st.clusters) clusters_panel(scene, st);
}

}  // namespace parktwin::ui
