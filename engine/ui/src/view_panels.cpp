// The Views panel 视图 (saved views with thumbnails) and the Ctrl+B popup that names a new view.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include <imgui.h>

#include "parktwin/ui/image.h"
#include "parktwin/ui/panels.h"
#include "parktwin/ui/placement.h"
#include "parktwin/ui/shortcuts.h"

namespace parktwin::ui {
namespace {

/// Panel names (as ViewState::panels stores them) and their PanelState flags.
struct PanelName {
  const char* name;
  bool PanelState::*flag;
};
constexpr PanelName kPanelNames[] = {
    {"layers", &PanelState::layers},       {"parks", &PanelState::parks},         {"style", &PanelState::style},
    {"stats", &PanelState::stats},         {"messages", &PanelState::warnings},   {"help", &PanelState::help},
    {"feed", &PanelState::feed},           {"metrics", &PanelState::metrics},     {"timeline", &PanelState::timeline},
    {"dashboard", &PanelState::dashboard}, {"chains", &PanelState::chains},       {"chain_diagram", &PanelState::chain_diagram},
    {"clusters", &PanelState::clusters},   {"search", &PanelState::search},       {"inspector", &PanelState::inspector},
    {"views", &PanelState::views},
};

/// Copies `text` into a fixed ImGui text buffer, cut at a UTF-8 character boundary.
void copy_text(char* dst, size_t cap, const std::string& text) {
  size_t n = std::min(text.size(), cap - 1);
  while (n > 0 && n < text.size() && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  std::memcpy(dst, text.data(), n);
  dst[n] = '\0';
}

bool escape_pressed() { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false); }

/// A modal that asks for a name: Enter or the OK button returns true with the name in `buf`.
/// Enter and Esc count from ImGui's key state and from the app's key events (st.name_enter/escape).
bool name_popup(const char* title, const char* prompt, const char* ok, char* buf, size_t cap, bool& open,
                PanelState& st) {
  if (open && !ImGui::IsPopupOpen(title)) ImGui::OpenPopup(title);
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.35f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
    open = false;
    return false;
  }
  ImGui::TextUnformatted(prompt);
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  ImGui::SetNextItemWidth(320);
  bool done = ImGui::InputText("##name", buf, cap, ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_AutoSelectAll);
  ImGui::TextDisabled("Enter: %s   Esc: 取消 cancel", ok);
  if (ImGui::Button(ok, ImVec2(140, 0)) || st.name_enter) done = true;
  ImGui::SameLine();
  const bool cancel = ImGui::Button("取消 Cancel", ImVec2(140, 0)) || escape_pressed() || st.name_escape;
  st.name_enter = st.name_escape = false;
  if (done && buf[0] == '\0') done = false;  // a view needs a name
  if (done || cancel) {
    open = false;
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
  return done;
}

/// One cell of the grid: thumbnail (click recalls), key number and name, context menu.
void view_cell(const ViewsInfo& info, int i, ImVec2 thumb, PanelState& st, std::vector<ViewEdit>& out) {
  const ViewItem& item = info.items[static_cast<size_t>(i)];
  const int n = static_cast<int>(info.items.size());
  ImGui::PushID(i);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  if (ImGui::InvisibleButton("thumb", thumb)) out.push_back({ViewEdit::Recall, i, {}});
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 q(p.x + thumb.x, p.y + thumb.y);
  if (item.thumbnail) {
    image(dl, item.thumbnail, p, q);
  } else {
    dl->AddRectFilled(p, q, ImGui::GetColorU32(ImGuiCol_FrameBg));
    const char* wait = "…";
    const ImVec2 ts = ImGui::CalcTextSize(wait);
    dl->AddText(ImVec2(p.x + (thumb.x - ts.x) * 0.5f, p.y + (thumb.y - ts.y) * 0.5f), ImGui::GetColorU32(ImGuiCol_TextDisabled), wait);
  }
  dl->AddRect(p, q, ImGui::GetColorU32(hovered ? ImGuiCol_ButtonHovered : ImGuiCol_Border), 0.0f, 0, hovered ? 2.0f : 1.0f);
  if (hovered) ImGui::SetTooltip("单击: 调出  Click: recall\n右键: 重命名、覆盖、移动、删除  Right click: rename, overwrite, move, delete");
  if (ImGui::BeginPopupContextItem("menu")) {
    ImGui::TextDisabled("%s", item.name.c_str());
    if (ImGui::MenuItem("调出 Recall")) out.push_back({ViewEdit::Recall, i, {}});
    if (ImGui::MenuItem("重命名 Rename…")) {
      st.rename_view = i;
      copy_text(st.rename_text, sizeof st.rename_text, item.name);
    }
    if (ImGui::MenuItem("用当前视图覆盖 Overwrite with the current view")) out.push_back({ViewEdit::Overwrite, i, {}});
    if (ImGui::MenuItem("上移 Move up", nullptr, false, i > 0)) out.push_back({ViewEdit::MoveUp, i, {}});
    if (ImGui::MenuItem("下移 Move down", nullptr, false, i + 1 < n)) out.push_back({ViewEdit::MoveDown, i, {}});
    ImGui::Separator();
    // Two steps, so a stray click never deletes a view.
    if (ImGui::BeginMenu("删除 Delete")) {
      if (ImGui::MenuItem("确认删除 Delete this view")) out.push_back({ViewEdit::Delete, i, {}});
      ImGui::EndMenu();
    }
    ImGui::EndPopup();
  }
  // Key number and name under the thumbnail, cut to its width.
  const auto key = recall_action(i);
  const char* hint = key ? shortcut_hint(*key) : nullptr;
  ImGui::PushClipRect(ImVec2(p.x, p.y), ImVec2(q.x, q.y + ImGui::GetTextLineHeightWithSpacing() + 4), true);
  if (hint) {
    ImGui::TextColored(ImGui::GetStyleColorVec4(ImGuiCol_PlotHistogram), "%s", hint);
    ImGui::SameLine();
  }
  ImGui::TextUnformatted(item.name.c_str());
  ImGui::PopClipRect();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", item.name.c_str());
  ImGui::PopID();
}

}  // namespace

std::vector<std::string> open_panel_names(const PanelState& st) {
  std::vector<std::string> names;
  for (const PanelName& p : kPanelNames)
    if (st.*p.flag) names.emplace_back(p.name);
  return names;
}

std::vector<std::string> show_panels(const std::vector<std::string>& names, PanelState& st) {
  std::vector<std::string> unknown;
  for (const PanelName& p : kPanelNames) st.*p.flag = false;
  for (const std::string& n : names) {
    const auto it = std::find_if(std::begin(kPanelNames), std::end(kPanelNames), [&](const PanelName& p) { return n == p.name; });
    if (it == std::end(kPanelNames)) unknown.push_back(n);
    else st.*it->flag = true;
  }
  return unknown;
}

void draw_views_panel(const scene::Scene& scene, const ViewsInfo& info, PanelState& st, std::vector<ViewEdit>& out) {
  // Ctrl+B: name the view (prefilled), Enter saves.
  if (st.save_view_asked && !ImGui::IsPopupOpen("保存视图 Save view")) copy_text(st.view_name, sizeof st.view_name, info.suggested_name);
  if (name_popup("保存视图 Save view", "视图名称 Name of the view:", "保存 Save", st.view_name, sizeof st.view_name,
                 st.save_view_asked, st))
    out.push_back({ViewEdit::Save, -1, st.view_name});
  bool renaming = st.rename_view >= 0 && static_cast<size_t>(st.rename_view) < info.items.size();
  if (name_popup("重命名视图 Rename view", "新名称 New name:", "重命名 Rename", st.rename_text, sizeof st.rename_text, renaming,
                 st))
    out.push_back({ViewEdit::Rename, st.rename_view, st.rename_text});
  if (!renaming) st.rename_view = -1;

  if (!st.views) return;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const ImVec2 size(372, 470);
  place_panel(scene, "Views 视图", ImVec2(display.x - size.x - 10, 30), size);
  ImGui::SetNextWindowSize(size, ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Views 视图", &st.views)) return ImGui::End();
  char save_label[64];
  std::snprintf(save_label, sizeof save_label, "保存当前视图 Save current view (%s)", shortcut_hint(Action::SaveView));
  if (ImGui::Button(save_label)) st.save_view_asked = true;
  ImGui::Separator();
  if (info.items.empty()) ImGui::TextWrapped("还没有保存的视图。 No saved views yet: Ctrl+B saves what is on screen.");
  const ImVec2 thumb(160, 90);
  const float cell_w = thumb.x + ImGui::GetStyle().ItemSpacing.x;
  const int columns = std::max(1, static_cast<int>((ImGui::GetContentRegionAvail().x + ImGui::GetStyle().ItemSpacing.x) / cell_w));
  if (!info.items.empty() && ImGui::BeginTable("views", columns, ImGuiTableFlags_SizingFixedFit)) {
    // Columns as wide as a thumbnail: a long name is cut, not widening its column.
    for (int c = 0; c < columns; ++c) ImGui::TableSetupColumn(nullptr, ImGuiTableColumnFlags_WidthFixed, thumb.x);
    for (int i = 0; i < static_cast<int>(info.items.size()); ++i) {
      ImGui::TableNextColumn();
      view_cell(info, i, thumb, st, out);
    }
    ImGui::EndTable();
  }
  if (!info.note.empty()) {
    ImGui::Separator();
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("%s", info.note.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::End();
}

}  // namespace parktwin::ui
