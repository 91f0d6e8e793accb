// Panels over the supply chains and the plan's clusters: which chains, segments and flows show
// (Chain filter), one chain's enterprises from upstream to downstream (Chain diagram) and each
// cluster against the "1269" plan's 2022 bases and 2026 targets (Cluster dashboard).
// Like every panel, they are functions of the scene that append commands. The Cluster dashboard
// is in cluster_panel.cpp.
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

namespace parktwin::ui {

using namespace chain_detail;

namespace {

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

}  // namespace

void draw_chain_panels(const scene::Scene& scene, const FrameInfo& info, PanelState& st,
                       std::vector<scene::Command>& out) {
  (void)info;
  if (st.chains) chain_filter_panel(scene, st, out);
  if (st.chain_diagram) chain_diagram_panel(scene, st, out);
  if (st.clusters) clusters_panel(scene, st);
}

}  // namespace parktwin::ui
