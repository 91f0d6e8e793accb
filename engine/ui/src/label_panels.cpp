// Enterprise labels on the map, Search 搜索 and the Inspector 详情 of the selected enterprise.
// Like every panel, functions of the scene that append commands; the labels' memory between frames
// (what was placed, fade-in) is the app's LabelState.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>
#include <imgui_internal.h>

#include "parktwin/scene/labels.h"
#include "parktwin/scene/search.h"
#include "parktwin/ui/panels.h"
#include "parktwin/ui/placement.h"

namespace parktwin::ui {
namespace {

ImVec4 to_imvec(glm::vec4 c) { return ImVec4(c.r, c.g, c.b, c.a); }

const ImVec4 kGeneratedCol(0.95f, 0.65f, 0.2f, 1);
const ImVec4 kMasterCol(0.98f, 0.78f, 0.25f, 1);
constexpr double kLabelMaxDistance = 25000.0;  ///< labels show within this camera distance (park scale)

/// A name without its parenthesised qualifier and company-form suffix: "华勤技术（南昌生产基地）" ->
/// "华勤技术", "江西联博电路有限公司" -> "江西联博电路", "CATL (Yichun)" -> "CATL". Labels are short;
/// search and the inspector show the full names.
std::string short_name(const std::string& s) {
  std::string out = s;
  const size_t cut = std::min(out.find("（"), out.find(" ("));
  if (cut != std::string::npos && cut > 0) out.resize(cut);
  for (const char* suffix : {"股份有限公司", "有限责任公司", "有限公司", " Co., Ltd.", " Corporation", " Co., Ltd"}) {
    const std::string_view sv(suffix);
    if (out.size() > sv.size() + 3 && out.compare(out.size() - sv.size(), sv.size(), sv) == 0) {
      out.resize(out.size() - sv.size());
      if (!out.empty() && out.back() == ',') out.pop_back();
      break;
    }
  }
  return out;
}

/// A label's text: the short Chinese name, with `english` the short English name after it.
std::string label_text(const scene::Enterprise& e, bool english) {
  std::string t = short_name(e.name_zh);
  if (english) t += "  " + short_name(e.name_en);
  return t;
}

/// The space between a label's text and its box.
const ImVec2 kLabelPad(5.0f, 2.0f);

/// "1.23 bn" / "456 M" yuan.
std::string yuan(double v) {
  char buf[48];
  if (std::abs(v) >= 1e9) std::snprintf(buf, sizeof buf, "%.2f bn", v / 1e9);
  else if (std::abs(v) >= 1e6) std::snprintf(buf, sizeof buf, "%.1f M", v / 1e6);
  else std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

/// A live value with the digits that mean something: 0.007489 -> "0.0075", 5.678 -> "5.68", 12345.6 -> "12346".
std::string live_number(double v) {
  char buf[48];
  const double a = std::abs(v);
  std::snprintf(buf, sizeof buf, a >= 1000.0 ? "%.0f" : a >= 1.0 ? "%.3g" : "%.2g", v);
  return buf;
}

const char* chain_label(const std::string& key, bool zh) {
  const int c = scene::chain_index(key);
  if (c < 0) return key.c_str();
  return zh ? scene::chains()[static_cast<size_t>(c)].name_zh : scene::chains()[static_cast<size_t>(c)].name_en;
}

/// The rectangles of the ImGui windows open this frame (panels, menus, tooltips, the menu bar).
std::vector<scene::LabelRect> open_window_rects() {
  std::vector<scene::LabelRect> out;
  ImGuiContext& g = *ImGui::GetCurrentContext();
  for (ImGuiWindow* w : g.Windows) {
    if (!w->Active || w->Hidden || (w->Flags & ImGuiWindowFlags_ChildWindow)) continue;
    out.push_back({{w->Pos.x, w->Pos.y}, {w->Pos.x + w->Size.x, w->Pos.y + w->Size.y}});
  }
  return out;
}

// ---- Search --------------------------------------------------------------------------------

void search_panel(const scene::Scene& scene, PanelState& st, std::vector<scene::Command>& out) {
  ImGuiIO& io = ImGui::GetIO();
  place_panel(scene, "Search 搜索", ImVec2(io.DisplaySize.x * 0.5f - 300, 40), ImVec2(600, 320));
  ImGui::SetNextWindowSize(ImVec2(600, 320), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Search 搜索", &st.search)) return ImGui::End();
  if (st.focus_search) {
    ImGui::SetKeyboardFocusHere();
    st.focus_search = false;
  }
  ImGui::SetNextItemWidth(-1);
  const bool enter = ImGui::InputTextWithHint("##query", "name 名称, English name or id (Ctrl+F)", st.search_text,
                                              sizeof st.search_text, ImGuiInputTextFlags_EnterReturnsTrue);
  const auto hits = scene::search(scene, st.search_text, 60);
  if (st.search_text[0] == '\0') {
    ImGui::TextDisabled("Chinese or English, any part of a name: 华勤, catl, copper foil ...");
    return ImGui::End();
  }
  ImGui::TextDisabled("%zu results%s · click: select and fly there · Enter: the first", hits.size(),
                      hits.size() >= 60 ? "+" : "");
  auto choose = [&](const scene::SearchHit& h) {
    if (h.kind == scene::SearchKind::Park) out.push_back(scene::FlyToPark{h.index});
    else {
      out.push_back(scene::SelectEnterprise{h.index});
      st.inspector = true;
    }
  };
  if (enter && !hits.empty()) choose(hits.front());
  if (ImGui::BeginTable("hits", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("名称", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn("English", ImGuiTableColumnFlags_WidthStretch, 1.2f);
    ImGui::TableSetupColumn("Park 园区", ImGuiTableColumnFlags_WidthFixed, 72.0f);
    ImGui::TableSetupColumn("Chain 产业链", ImGuiTableColumnFlags_WidthFixed, 96.0f);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < hits.size(); ++i) {
      const scene::SearchHit& h = hits[i];
      ImGui::PushID(static_cast<int>(i));
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (h.kind == scene::SearchKind::Park) {
        const scene::Park& p = scene.parks[static_cast<size_t>(h.index)];
        ImGui::PushStyleColor(ImGuiCol_Text, to_imvec(scene::park_color(p.id)));
        if (ImGui::Selectable(p.name_zh.c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) choose(h);
        ImGui::PopStyleColor();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(p.name_en.c_str());
        ImGui::TableNextColumn();
        ImGui::TextDisabled("park 园区");
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(p.cluster_zh.c_str());
      } else {
        const scene::Enterprise& e = scene.enterprises[static_cast<size_t>(h.index)];
        const bool master = e.role == "chain_master";
        if (master) ImGui::PushStyleColor(ImGuiCol_Text, kMasterCol);
        if (ImGui::Selectable(e.name_zh.c_str(), scene.selected_enterprise == h.index, ImGuiSelectableFlags_SpanAllColumns))
          choose(h);
        if (master) ImGui::PopStyleColor();
        if (ImGui::IsItemHovered())
          ImGui::SetTooltip("%s\n%s · %s%s", e.id.c_str(), e.segment.c_str(), e.product.c_str(),
                            master ? "\nchain master 链主" : "");
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(e.name_en.c_str());
        ImGui::TableNextColumn();
        const int p = scene.park_index(e.park);
        ImGui::TextUnformatted(p >= 0 ? scene.parks[static_cast<size_t>(p)].name_zh.c_str() : e.park.c_str());
        ImGui::TableNextColumn();
        ImGui::TextColored(to_imvec(scene::chain_color(e.chain)), "%s", chain_label(e.chain, true));
      }
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  if (hits.empty()) ImGui::TextDisabled("no enterprise or park matches");
  ImGui::End();
}

// ---- Inspector -----------------------------------------------------------------------------

/// One table of supply links of the inspected enterprise (incoming: its suppliers; outgoing: customers).
void links_table(const scene::Scene& scene, uint32_t e, bool incoming, std::vector<scene::Command>& out) {
  std::vector<uint32_t> rows;
  for (uint32_t i = 0; i < scene.chains.links.size(); ++i) {
    const scene::SupplyLink& l = scene.chains.links[i];
    if ((incoming ? l.customer : l.supplier) == e) rows.push_back(i);
  }
  std::sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
    return scene.chains.links[a].value_yuan_per_year > scene.chains.links[b].value_yuan_per_year;
  });
  if (!ImGui::TreeNodeEx(incoming ? "in" : "out", ImGuiTreeNodeFlags_DefaultOpen, "%s (%zu)",
                         incoming ? "Suppliers (links in)" : "Customers (links out)", rows.size()))
    return;
  if (rows.empty()) ImGui::TextDisabled("none");
  else if (ImGui::BeginTable(incoming ? "tin" : "tout", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn(incoming ? "supplier" : "customer");
    ImGui::TableSetupColumn("product");
    ImGui::TableSetupColumn("yuan/yr", ImGuiTableColumnFlags_WidthFixed, 70.0f);
    ImGui::TableHeadersRow();
    for (uint32_t li : rows) {
      const scene::SupplyLink& l = scene.chains.links[li];
      const uint32_t other = incoming ? l.supplier : l.customer;
      const scene::Enterprise& o = scene.enterprises[other];
      ImGui::PushID(static_cast<int>(li));
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (ImGui::Selectable(o.name_zh.c_str())) out.push_back(scene::SelectEnterprise{static_cast<int>(other)});
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s\n%.4g %s/yr nominal%s\n%s\nclick: select and fly there", o.name_en.c_str(),
                          l.volume_per_year, l.unit.c_str(), l.generated ? " (generated)" : "", l.source.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(l.product.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(yuan(l.value_yuan_per_year).c_str());
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  ImGui::TreePop();
}

void inspector_panel(const scene::Scene& scene, const FrameInfo& info, PanelState& st, std::vector<scene::Command>& out) {
  // Next to the left column (parks, metrics): clear of the clusters panel open on the right at start.
  place_panel(scene, "Inspector 详情", ImVec2(360, 300), ImVec2(420, 560));
  ImGui::SetNextWindowSize(ImVec2(420, 560), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Inspector 详情", &st.inspector)) return ImGui::End();
  const int sel = scene.selected_enterprise;
  if ((sel < 0 || static_cast<size_t>(sel) >= scene.enterprises.size()) && scene.selected_layer >= 0) {
    // A parcel or another feature: its layer and every attribute, the parcel's essentials first.
    const scene::Layer& l = scene.layers[static_cast<size_t>(scene.selected_layer)];
    const gis::Feature& f = l.data.features[static_cast<size_t>(scene.selected_feature)];
    ImGui::Text("%s · feature %d", l.title.c_str(), scene.selected_feature);
    if (l.kind == scene::LayerKind::Parcels) {
      ImGui::Text("land use %s", gis::attr_string(f, l.data.field("landuse")).c_str());
      ImGui::Text("area %.0f m² · plot ratio %.2f", gis::attr_number(f, l.data.field("area_m2"), 0.0),
                  gis::attr_number(f, l.data.field("plot_ratio"), 0.0));
    }
    ImGui::Separator();
    if (ImGui::BeginTable("attrs", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
      for (size_t i = 0; i < l.data.fields.size(); ++i) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextDisabled("%s", l.data.fields[i].c_str());
        ImGui::TableNextColumn();
        ImGui::TextWrapped("%s", gis::attr_string(f, static_cast<int>(i)).c_str());
      }
      ImGui::EndTable();
    }
    if (ImGui::SmallButton("Clear")) out.push_back(scene::SelectFeature{-1, -1});
    return ImGui::End();
  }
  if (sel < 0 || static_cast<size_t>(sel) >= scene.enterprises.size()) {
    ImGui::TextDisabled("Nothing selected: click a building or parcel, or pick an enterprise in Search 搜索.");
    return ImGui::End();
  }
  const auto e = static_cast<uint32_t>(sel);
  const scene::Enterprise& en = scene.enterprises[e];
  const bool master = en.role == "chain_master";
  ImGui::TextUnformatted(en.name_zh.c_str());
  ImGui::TextUnformatted(en.name_en.c_str());
  ImGui::TextDisabled("id %s", en.id.c_str());
  ImGui::SameLine();
  if (ImGui::SmallButton("Clear")) out.push_back(scene::SelectEnterprise{-1});
  ImGui::Separator();
  if (ImGui::BeginTable("facts", 2, ImGuiTableFlags_SizingStretchProp)) {
    auto row = [](const char* k) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", k);
      ImGui::TableNextColumn();
    };
    const int p = scene.park_index(en.park);
    row("Park 园区");
    if (p >= 0) {
      const scene::Park& pk = scene.parks[static_cast<size_t>(p)];
      ImGui::TextColored(to_imvec(scene::park_color(pk.id)), "%s %s", pk.name_zh.c_str(), pk.name_en.c_str());
    } else {
      ImGui::TextUnformatted(en.park.c_str());
    }
    row("Chain 产业链");
    ImGui::TextColored(to_imvec(scene::chain_color(en.chain)), "%s %s", chain_label(en.chain, true),
                       chain_label(en.chain, false));
    row("Segment 环节");
    const scene::Segment seg = scene::parse_segment(en.segment);
    static const char* kSegZh[] = {"上游", "中游", "下游", ""};
    ImGui::Text("%s %s", kSegZh[static_cast<int>(seg)], en.segment.c_str());
    row("Role");
    if (master) ImGui::TextColored(kMasterCol, "链主 chain master");
    else ImGui::TextUnformatted(en.role.c_str());
    row("Product");
    ImGui::TextWrapped("%s", en.product.c_str());
    row("Production unit");
    ImGui::TextUnformatted(en.unit.c_str());  // the dataset's unit of annual figures
    row("Revenue 2022");
    ImGui::Text("%s yuan (nominal)", yuan(en.revenue_2022).c_str());
    row("Source");
    if (en.generated) ImGui::TextColored(kGeneratedCol, "generated · %s", en.source.c_str());
    else ImGui::Text("real · %s", en.source.c_str());
    if (!en.source_ref.empty()) {
      row("Reference");
      ImGui::TextWrapped("%s", en.source_ref.c_str());
    }
    ImGui::EndTable();
  }

  ImGui::Spacing();
  ImGui::TextDisabled("Live now");
  ImGui::Separator();
  if (e < scene.live.size() && scene.live[e].ts_ms > 0) {
    const scene::Metrics& m = scene.live[e];
    const bool stale = scene.is_stale(e);
    ImGui::Text("status: %s", scene::status_name(m.status));
    ImGui::SameLine();
    if (stale)
      ImGui::TextColored(ImVec4(0.95f, 0.45f, 0.35f, 1), "· stale (%.0f min old)",
                         static_cast<double>(scene.live_time_ms - m.ts_ms) / 60000.0);
    else ImGui::TextDisabled("· fresh (%.0f s old)", static_cast<double>(scene.live_time_ms - m.ts_ms) / 1000.0);
    if (m.simulated || scene.live_simulated) {
      ImGui::SameLine();
      ImGui::TextColored(kGeneratedCol, "[SIMULATED 模拟数据]");
    }
    // Samples are rates at the moment shown: production per hour, never the annual unit.
    const std::string production_unit = scene::production_rate_unit(en.unit);
    for (size_t i = 0; i < scene::kMetricCount; ++i) {
      const auto metric = static_cast<scene::Metric>(i);
      const char* unit = metric == scene::Metric::Production ? production_unit.c_str() : scene::metric_unit(metric);
      ImGui::BulletText("%s: %s %s, now", scene::metric_label(metric), live_number(m.value(metric)).c_str(), unit);
    }
    const ParkSeries& ss = info.selected_series;
    if (ss.park == en.id && ss.output_yuan_h.size() > 1) {
      const auto [lo, hi] = std::minmax_element(ss.output_yuan_h.begin(), ss.output_yuan_h.end());
      char overlay[64];
      std::snprintf(overlay, sizeof overlay, "output yuan/h, last %.0f h", static_cast<double>(ss.t1_ms - ss.t0_ms) / 3.6e6);
      ImGui::PlotLines("##enterprise_spark", ss.output_yuan_h.data(), static_cast<int>(ss.output_yuan_h.size()), 0, overlay,
                       *lo * 0.95f, *hi * 1.05f + 1.0f, ImVec2(-1, 48));
    }
  } else {
    ImGui::TextDisabled("no live data for this enterprise");
  }

  ImGui::Spacing();
  ImGui::TextDisabled("Supply links");
  ImGui::Separator();
  links_table(scene, e, true, out);
  links_table(scene, e, false, out);

  // Buildings: count, kinds, floor area (footprint times floors; floors from the data, else height / 4 m).
  size_t count = 0;
  double floor_area = 0.0;
  std::map<std::string, int> kinds;
  // The enterprise's own buildings from the scene's index: no scan of every building per frame.
  const auto [first, last] = scene.buildings_of(static_cast<size_t>(sel));
  for (const uint32_t* it = first; it != last; ++it) {
    const scene::Building& b = scene.buildings[*it];
    ++count;
    if (b.kind < scene.building_kinds.size()) ++kinds[scene.building_kinds[b.kind]];
    if (b.layer >= scene.layers.size()) continue;
    const gis::LayerData& ld = scene.layers[b.layer].data;
    if (b.feature >= ld.features.size()) continue;
    const gis::Feature& f = ld.features[b.feature];
    double area = 0.0;
    for (const gis::Polygon& poly : f.geom.polygons) area += gis::polygon_area(poly);
    const double floors = gis::attr_number(f, ld.field("floors"), std::max(1.0, std::round(b.height_m / 4.0)));
    floor_area += area * std::max(1.0, floors);
  }
  ImGui::Spacing();
  ImGui::TextDisabled("Buildings");
  ImGui::Separator();
  ImGui::Text("%zu buildings · floor area %.0f m²", count, floor_area);
  std::string k;
  for (const auto& [name, n] : kinds) k += (k.empty() ? "" : ", ") + name + " " + std::to_string(n);
  if (!k.empty()) ImGui::TextWrapped("%s", k.c_str());
  ImGui::End();
}

}  // namespace

std::vector<scene::PlacedLabel> place_labels(const scene::Scene& scene, const scene::Camera& cam, bool english,
                                             bool fade_in, const std::vector<scene::LabelRect>& keep_out,
                                             scene::LabelState& state) {
  ImGuiIO& io = ImGui::GetIO();
  const double w = io.DisplaySize.x, h = io.DisplaySize.y;
  if (w <= 0 || h <= 0 || scene.enterprises.empty()) return {};
  if (cam.distance > kLabelMaxDistance) {
    // Province scale: the park labels speak; forget placements so labels fade in again on return.
    std::fill(state.last.begin(), state.last.end(), 0);
    std::fill(state.fade.begin(), state.fade.end(), 0);
    return {};
  }
  const auto& anchors = scene::cached_label_anchors(scene, state);
  const std::vector<float> priority = scene::label_priorities(scene);
  const scene::ScreenProjector project(cam, {w, h});

  std::vector<scene::LabelCandidate> cand;
  cand.reserve(scene.enterprises.size());
  for (uint32_t e = 0; e < scene.enterprises.size(); ++e) {
    const auto px = project(anchors[e]);
    if (!px) continue;
    const glm::vec2 s(*px);
    if (s.x < 0 || s.y < 0 || s.x >= w || s.y >= h) continue;
    const ImVec2 sz = ImGui::CalcTextSize(label_text(scene.enterprises[e], english).c_str());
    scene::LabelCandidate c;
    c.id = e;
    c.anchor = s;
    c.size = {sz.x + 2 * kLabelPad.x, sz.y + 2 * kLabelPad.y};
    c.priority = priority[e];
    c.distance = static_cast<float>(glm::length(anchors[e] - project.eye));
    cand.push_back(c);
  }

  std::vector<scene::LabelRect> keep = keep_out;
  // The attribution lines in the bottom right corner (drawn on the foreground by draw_panels).
  if (const PanelRect attr = attribution_rect(scene); attr.max.x > attr.min.x)
    keep.push_back({{attr.min.x, attr.min.y}, {attr.max.x, attr.max.y}});
  for (const scene::Park& p : scene.parks) {
    ImVec2 lo, hi;
    if (park_label_box(p, cam, io.DisplaySize, lo, hi)) keep.push_back({{lo.x, lo.y}, {hi.x, hi.y}});
  }
  scene::LabelParams params;
  params.viewport = {static_cast<float>(w), static_cast<float>(h)};
  if (!fade_in) params.fade_in_frames = 1;
  params.fade_near_m = static_cast<float>(std::max(1500.0, cam.distance * 1.2));
  params.fade_far_m = params.fade_near_m * 3.0f;
  return scene::declutter_labels(cand, keep, params, &state);
}

void draw_placed_labels(const scene::Scene& scene, const std::vector<scene::PlacedLabel>& placed, bool english) {
  ImDrawList* dl = ImGui::GetBackgroundDrawList();  // under the panels
  for (auto it = placed.rbegin(); it != placed.rend(); ++it) {  // lowest priority first, the best on top
    const scene::PlacedLabel& pl = *it;
    if (pl.id >= scene.enterprises.size()) continue;  // a list from another dataset (a wall's master)
    const scene::Enterprise& en = scene.enterprises[pl.id];
    const float a = std::clamp(pl.alpha, 0.0f, 1.0f);
    if (a <= 0.02f) continue;
    const bool selected = static_cast<int>(pl.id) == scene.selected_enterprise;
    const bool master = en.role == "chain_master";
    glm::vec4 cc = scene::chain_color(en.chain);
    cc.a = a;
    const ImU32 border = ImGui::ColorConvertFloat4ToU32(to_imvec(cc));
    const ImVec2 lo(pl.rect.min.x, pl.rect.min.y), hi(pl.rect.max.x, pl.rect.max.y);
    const ImVec2 foot((lo.x + hi.x) * 0.5f, hi.y), anchor(pl.anchor.x, pl.anchor.y);
    dl->AddLine(foot, anchor, IM_COL32(40, 40, 40, static_cast<int>(200 * a)), 1.0f);
    dl->AddCircleFilled(anchor, 2.5f, border, 8);
    const ImU32 fill = selected ? IM_COL32(255, 244, 200, static_cast<int>(235 * a))
                                : IM_COL32(255, 255, 255, static_cast<int>(215 * a));
    dl->AddRectFilled(lo, hi, fill, 3.0f);
    dl->AddRect(lo, hi, border, 3.0f, 0, selected ? 2.5f : master ? 2.0f : 1.2f);
    dl->AddText(ImVec2(lo.x + kLabelPad.x, lo.y + kLabelPad.y), IM_COL32(25, 25, 25, static_cast<int>(255 * a)),
                label_text(en, english).c_str());
  }
}

void draw_labels(const scene::Scene& scene, const scene::Camera& cam, const FrameInfo& info, const PanelState& st,
                 scene::LabelState& state) {
  (void)info;
  draw_placed_labels(scene, place_labels(scene, cam, st.english_labels, st.label_fade_in, open_window_rects(), state),
                     st.english_labels);
}

void draw_label_panels(const scene::Scene& scene, const FrameInfo& info, PanelState& st,
                       std::vector<scene::Command>& out) {
  if (st.search) search_panel(scene, st, out);
  if (st.inspector) inspector_panel(scene, info, st, out);
}

}  // namespace parktwin::ui
