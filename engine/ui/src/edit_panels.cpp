#include "parktwin/ui/edit_panels.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <imgui.h>
#include <imgui_stdlib.h>

namespace parktwin::ui {
namespace {

const ImVec4 kRed(1.0f, 0.35f, 0.3f, 1.0f);
const ImVec4 kGreen(0.45f, 0.9f, 0.5f, 1.0f);

constexpr EditTool kTools[] = {EditTool::Select,  EditTool::Move,         EditTool::Rotate,     EditTool::Scale,
                               EditTool::Reshape, EditTool::DrawBuilding, EditTool::DrawParcel, EditTool::Split};

bool drawing_tool(EditTool t) { return t == EditTool::DrawBuilding || t == EditTool::DrawParcel || t == EditTool::Split; }

/// A number with its unit, "n/a" for NaN; areas ("%.0f m²") with thousands separated by commas.
std::string fmt(double v, const char* format) {
  if (!std::isfinite(v)) return "n/a";
  char b[64];
  std::snprintf(b, sizeof b, format, v);
  const std::string s = b;
  if (std::string(format).find(".0f m") == std::string::npos) return s;
  const size_t end = std::min(s.find(' '), s.size());
  const size_t first = s[0] == '-' || s[0] == '+' ? 1 : 0;
  std::string out = s.substr(0, first);
  for (size_t k = first; k < end; ++k) {
    if (k > first && (end - k) % 3 == 0) out += ',';
    out += s[k];
  }
  return out + s.substr(end);
}

/// The rows every indicator table shows: name, unit, value getter.
struct Row {
  const char* name;
  const char* format;
  double (*get)(const edit::Indicators&);
};
const Row kRows[] = {
    {"Site area", "%.0f m\xc2\xb2", [](const edit::Indicators& i) { return i.site_area_m2; }},
    {"GFA", "%.0f m\xc2\xb2", [](const edit::Indicators& i) { return i.gfa_m2; }},
    {"FAR", "%.2f", [](const edit::Indicators& i) { return i.far; }},
    {"Coverage", "%.1f %%", [](const edit::Indicators& i) { return i.coverage * 100.0; }},
    {"Green ratio", "%.1f %%", [](const edit::Indicators& i) { return i.green_ratio * 100.0; }},
    {"Max height", "%.1f m", [](const edit::Indicators& i) { return i.height_max_m; }},
};

void tool_bar(const edit::EditSession& s, EditUiState& st, std::vector<EditRequest>& out) {
  ImGui::SetNextWindowPos(ImVec2(8, 28), ImGuiCond_FirstUseEver);
  bool open = true;
  // Sized to its content: the result line below must always show.
  if (!ImGui::Begin("Edit tools", &open, ImGuiWindowFlags_AlwaysAutoResize)) return ImGui::End();
  if (!open) out.push_back({EditRequest::Exit});
  for (size_t i = 0; i < std::size(kTools); ++i) {
    const EditTool t = kTools[i];
    if (i % 4) ImGui::SameLine();
    const bool on = st.tool == t;
    if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::Button(edit_tool_name(t), ImVec2(100, 0))) {
      EditRequest r{EditRequest::SetTool};
      r.tool = t;
      out.push_back(r);
    }
    if (on) ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", edit_tool_hint(t));
  }
  const bool any = !st.selection.empty();
  const bool parcels = st.layer == "parcels";
  ImGui::BeginDisabled(!(any && parcels && st.selection.size() >= 2));
  if (ImGui::Button("Merge")) out.push_back({EditRequest::Apply, edit::MergeParcels{st.layer, st.selection}});
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!any);
  if (ImGui::Button("Delete")) out.push_back({EditRequest::Apply, edit::DeleteFeatures{st.layer, st.selection}});
  ImGui::SameLine();
  if (ImGui::Button("Copy")) out.push_back({EditRequest::Apply, edit::CopyFeatures{st.layer, st.selection, {10.0, -10.0}}});
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("copies the selection 10 m east and 10 m south");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!s.can_undo());
  if (ImGui::Button(("Undo (" + std::to_string(st.undo_depth) + ")").c_str())) out.push_back({EditRequest::Undo});
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Ctrl+Z");
  ImGui::SameLine();
  ImGui::BeginDisabled(!s.can_redo());
  if (ImGui::Button(("Redo (" + std::to_string(st.redo_depth) + ")").c_str())) out.push_back({EditRequest::Redo});
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Ctrl+Y or Ctrl+Shift+Z");
  ImGui::SameLine();
  ImGui::BeginDisabled(!s.dirty());
  if (ImGui::Button("Save")) out.push_back({EditRequest::Save});
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("writes this plan's changes back to the dataset it was read from (one transaction; "
                      "another planner's newer save is reported as a conflict and nothing is written)");
  ImGui::Checkbox("Snap (S)", &st.snapping);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(80);
  ImGui::InputFloat("grid m", &st.grid_m, 0.0f, 0.0f, "%.1f");
  if (st.grid_m < 0.0f) st.grid_m = 0.0f;
  ImGui::SameLine();
  ImGui::TextDisabled("%s", st.snap_kind.empty() ? "" : st.snap_kind.c_str());
  ImGui::TextDisabled("%s", edit_tool_hint(st.tool));
  if (drawing_tool(st.tool)) {
    ImGui::Text("%zu vertices", st.drawn_vertices);
    ImGui::SetNextItemWidth(70);
    ImGui::InputText("length m", st.seg_length, sizeof st.seg_length, ImGuiInputTextFlags_CharsDecimal);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(70);
    ImGui::InputText("angle \xc2\xb0", st.seg_angle, sizeof st.seg_angle, ImGuiInputTextFlags_CharsScientific);
    ImGui::SameLine();
    ImGui::BeginDisabled(st.drawn_vertices == 0);
    if (ImGui::Button("Add")) out.push_back({EditRequest::SegmentTyped});
    ImGui::SameLine();
    if (ImGui::Button("Finish")) out.push_back({EditRequest::FinishDrawing});
    ImGui::EndDisabled();
  }
  ImGui::Checkbox("Indicators", &st.indicators);
  ImGui::SameLine();
  ImGui::Checkbox("Zoning", &st.zoning);
  ImGui::SameLine();
  ImGui::Checkbox("Attributes", &st.attributes);
  ImGui::SameLine();
  ImGui::Checkbox("Plans A/B", &st.plans);
  // Select by attribute.
  ImGui::SetNextItemWidth(110);
  ImGui::InputTextWithHint("##wf", "field", st.where_field, sizeof st.where_field);
  ImGui::SameLine();
  ImGui::TextUnformatted("=");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(140);
  const bool go = ImGui::InputTextWithHint("##wv", "value", st.where_value, sizeof st.where_value,
                                           ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (ImGui::Button("Select") || go) out.push_back({EditRequest::SelectWhere});
  if (any) ImGui::Text("%zu selected in %s", st.selection.size(), st.layer.c_str());
  else ImGui::TextDisabled("nothing selected");
  if (!st.message.empty() && st.now_s < st.message_until_s) {
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + 420.0f);
    ImGui::TextColored(st.refused ? kRed : kGreen, "%s", st.message.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::End();
}

/// The text of a value as the editor shows it.
std::string value_text(const gis::AttrValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    char b[64];
    std::snprintf(b, sizeof b, "%.10g", *d);
    return b;
  }
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return "";
}

/// The typed text as a value of the field's type (the type of the value it has now); text that
/// does not parse as that type goes as what it is, for the session to refuse with its message.
gis::AttrValue parse_value(const std::string& text, const gis::AttrValue& now) {
  if (text.empty()) return std::monostate{};
  char* end = nullptr;
  const long long i = std::strtoll(text.c_str(), &end, 10);
  const bool is_int = end && *end == '\0';
  const double d = std::strtod(text.c_str(), &end);
  const bool is_num = end && *end == '\0';
  if (std::holds_alternative<std::string>(now)) return text;
  if (std::holds_alternative<int64_t>(now)) return is_int ? gis::AttrValue(static_cast<int64_t>(i)) : is_num ? gis::AttrValue(d) : gis::AttrValue(text);
  if (std::holds_alternative<double>(now)) return is_num ? gis::AttrValue(d) : gis::AttrValue(text);
  return is_int ? gis::AttrValue(static_cast<int64_t>(i)) : is_num ? gis::AttrValue(d) : gis::AttrValue(text);
}

void attributes_panel(const edit::EditSession& s, EditUiState& st, std::vector<EditRequest>& out) {
  ImGui::SetNextWindowPos(ImVec2(8, 330), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(360, 300), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Attributes", &st.attributes)) return ImGui::End();
  const int li = s.layer_index(st.layer);
  if (st.selection.empty() || li < 0) {
    ImGui::TextDisabled("select one feature to edit its attributes");
    return ImGui::End();
  }
  const int64_t fid = st.selection.front();
  const edit::FeatureState f = s.feature(st.layer, fid);
  if (!f.exists) {
    ImGui::TextDisabled("feature %" PRId64 " was deleted", fid);
    return ImGui::End();
  }
  const gis::LayerData& d = *s.layers()[static_cast<size_t>(li)];
  ImGui::Text("%s  fid %" PRId64 "%s", st.layer.c_str(), fid, st.selection.size() > 1 ? "  (first of the selection)" : "");
  st.attr_text.resize(d.fields.size());
  if (ImGui::BeginTable("attrs", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY)) {
    for (size_t k = 0; k < d.fields.size(); ++k) {
      const gis::AttrValue now = k < f.feature.attrs.size() ? f.feature.attrs[k] : gis::AttrValue{};
      ImGui::PushID(static_cast<int>(k));
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(d.fields[k].c_str());
      ImGui::TableNextColumn();
      const char* type = std::holds_alternative<int64_t>(now)  ? "int"
                         : std::holds_alternative<double>(now) ? "real"
                         : std::holds_alternative<std::string>(now) ? "text" : "null";
      ImGui::TextDisabled("%s", type);
      ImGui::TableNextColumn();
      ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue;
      if (std::holds_alternative<int64_t>(now)) flags |= ImGuiInputTextFlags_CharsDecimal;
      if (std::holds_alternative<double>(now)) flags |= ImGuiInputTextFlags_CharsScientific;
      ImGui::SetNextItemWidth(-1);
      if (ImGui::InputText("##v", &st.attr_text[k], flags) && st.attr_text[k] != value_text(now))
        out.push_back({EditRequest::Apply, edit::SetAttribute{st.layer, fid, d.fields[k], parse_value(st.attr_text[k], now)}});
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

/// Indicator rows for a set of columns.
void indicator_table(const char* id, const std::vector<std::pair<std::string, const edit::Indicators*>>& cols) {
  if (!ImGui::BeginTable(id, static_cast<int>(cols.size()) + 1, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders |
                                                                     ImGuiTableFlags_SizingStretchProp))
    return;
  ImGui::TableSetupColumn("indicator");
  for (const auto& c : cols) ImGui::TableSetupColumn(c.first.c_str());
  ImGui::TableHeadersRow();
  for (const Row& r : kRows) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(r.name);
    for (const auto& c : cols) {
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(c.second ? fmt(r.get(*c.second), r.format).c_str() : "");
    }
  }
  ImGui::EndTable();
}

void indicators_panel(const edit::PlanIndicators& ind, EditUiState& st) {
  const ImVec2 disp = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(disp.x - 570, 28), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(560, 230), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Plan indicators", &st.indicators)) return ImGui::End();
  ImGui::Text("%s", st.plan_names[st.plan].c_str());
  // The selected parcel beside its park, else every park.
  std::vector<std::pair<std::string, const edit::Indicators*>> cols;
  const edit::ParcelIndicators* p =
      st.layer == "parcels" && !st.selection.empty() ? parcel_indicators(ind, st.selection.front()) : nullptr;
  if (p) {
    ImGui::SameLine();
    ImGui::TextDisabled("  parcel %s (%s)", p->parcel_id.empty() ? std::to_string(p->fid).c_str() : p->parcel_id.c_str(),
                        p->landuse.c_str());
    cols.push_back({"parcel", &p->ind});
    if (auto it = ind.parks.find(p->park_id); it != ind.parks.end()) cols.push_back({"park " + it->first, &it->second});
  } else {
    for (const auto& [park, i] : ind.parks) cols.push_back({park, &i});
  }
  if (ind.parks.size() != 1) cols.push_back({"all parks", &ind.total});
  indicator_table("ind", cols);
  if (!ind.unassigned_buildings.empty())
    ImGui::TextDisabled("%zu buildings stand in no parcel (not counted)", ind.unassigned_buildings.size());
  ImGui::End();
}

void zoning_panel(const edit::PlanIndicators& ind, EditUiState& st, std::vector<EditRequest>& out) {
  const ImVec2 disp = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(disp.x - 570, 266), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(560, 200), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Zoning", &st.zoning)) return ImGui::End();
  if (ind.violations.empty()) ImGui::TextColored(kGreen, "no zoning violations");
  else ImGui::TextColored(kRed, "%zu violations (click: fly to the parcel)", ind.violations.size());
  if (!st.rules_provenance.empty()) ImGui::TextDisabled("rules: %s", st.rules_provenance.c_str());
  // The selected parcel's violations first.
  const int64_t sel = st.layer == "parcels" && !st.selection.empty() ? st.selection.front() : -2;
  std::vector<size_t> order;
  for (int pass = 0; pass < 2; ++pass)
    for (size_t i = 0; i < ind.violations.size(); ++i)
      if ((ind.violations[i].parcel_fid == sel) == (pass == 0)) order.push_back(i);
  for (size_t i : order) {
    const edit::Violation& v = ind.violations[i];
    ImGui::PushID(static_cast<int>(i));
    ImGui::PushStyleColor(ImGuiCol_Text, kRed);
    const bool clicked = ImGui::Selectable(v.message.c_str(), v.parcel_fid == sel);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", v.message.c_str());
    if (clicked) {
      EditRequest fly{EditRequest::FlyToParcel};
      fly.fid = v.parcel_fid;
      out.push_back(fly);
      EditRequest sel{EditRequest::SelectParcel};
      sel.fid = v.parcel_fid;
      out.push_back(sel);
    }
    ImGui::PopStyleColor();
    ImGui::PopID();
  }
  ImGui::End();
}

void plans_panel(const edit::PlanIndicators& ind, const edit::PlanIndicators* other, EditUiState& st,
                 std::vector<EditRequest>& out) {
  ImGui::SetNextWindowPos(ImVec2(380, ImGui::GetIO().DisplaySize.y - 300), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(520, 260), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Plans A/B", &st.plans)) return ImGui::End();
  for (int p = 0; p < 2; ++p) {
    if (p) ImGui::SameLine();
    if (ImGui::RadioButton(st.plan_names[p].c_str(), st.plan == p) && st.plan != p) {
      EditRequest r{EditRequest::SwitchPlan};
      r.plan = p;
      out.push_back(r);
    }
  }
  ImGui::SameLine();
  if (ImGui::Button(st.plan == 0 ? "Copy B to A" : "Copy A to B")) {
    EditRequest r{EditRequest::ResetPlan};
    r.plan = st.plan;
    out.push_back(r);
  }
  if (!other) return ImGui::End();
  const edit::PlanIndicators& a = st.plan == 0 ? ind : *other;
  const edit::PlanIndicators& b = st.plan == 0 ? *other : ind;
  if (ImGui::BeginTable("ab", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) {
    for (const char* h : {"park", "indicator", "A", "B", "B - A"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    auto rows = [&](const std::string& park, const edit::Indicators& ia, const edit::Indicators& ib) {
      for (const Row& r : kRows) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(&r == kRows ? park.c_str() : "");
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(r.name);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(fmt(r.get(ia), r.format).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(fmt(r.get(ib), r.format).c_str());
        ImGui::TableNextColumn();
        const double delta = r.get(ib) - r.get(ia);
        const std::string t = fmt(delta, ("%+" + std::string(r.format + 1)).c_str());
        if (std::isfinite(delta) && std::abs(delta) > 1e-9) ImGui::TextColored(delta > 0 ? kGreen : kRed, "%s", t.c_str());
        else ImGui::TextDisabled("%s", t.c_str());
      }
    };
    for (const auto& [park, ia] : a.parks) {
      const auto it = b.parks.find(park);
      rows(park, ia, it != b.parks.end() ? it->second : edit::Indicators{});
    }
    rows("all", a.total, b.total);
    ImGui::EndTable();
  }
  ImGui::Text("violations: A %zu, B %zu", a.violations.size(), b.violations.size());
  ImGui::End();
}

}  // namespace

const char* edit_tool_name(EditTool t) {
  switch (t) {
    case EditTool::Select: return "Select";
    case EditTool::Move: return "Move";
    case EditTool::Rotate: return "Rotate";
    case EditTool::Scale: return "Scale";
    case EditTool::Reshape: return "Reshape";
    case EditTool::DrawBuilding: return "Draw building";
    case EditTool::DrawParcel: return "Draw parcel";
    case EditTool::Split: return "Split parcel";
  }
  return "";
}

const char* edit_tool_hint(EditTool t) {
  switch (t) {
    case EditTool::Select: return "click a building or parcel; drag a box; Ctrl+click adds";
    case EditTool::Move: return "drag the selection; arrows nudge 1 m (Shift 10 m)";
    case EditTool::Rotate: return "drag around the selection's centre";
    case EditTool::Scale: return "drag away from / towards the selection's centre";
    case EditTool::Reshape: return "drag a vertex; click an edge inserts one; Del or right click deletes";
    case EditTool::DrawBuilding: return "click vertices; Enter or double click closes; Backspace undoes a vertex";
    case EditTool::DrawParcel: return "click vertices; Enter or double click closes; Backspace undoes a vertex";
    case EditTool::Split: return "select a parcel, click a line across it, Enter splits";
  }
  return "";
}

const edit::ParcelIndicators* parcel_indicators(const edit::PlanIndicators& ind, int64_t fid) {
  for (const edit::ParcelIndicators& p : ind.parcels)
    if (p.fid == fid) return &p;
  return nullptr;
}

void draw_edit_panels(const edit::EditSession& session, const edit::PlanIndicators& ind, const edit::PlanIndicators* other,
                      EditUiState& st, std::vector<EditRequest>& out) {
  tool_bar(session, st, out);
  if (st.attributes) attributes_panel(session, st, out);
  if (st.indicators) indicators_panel(ind, st);
  if (st.zoning) zoning_panel(ind, st, out);
  if (st.plans) plans_panel(ind, other, st, out);
}

}  // namespace parktwin::ui
