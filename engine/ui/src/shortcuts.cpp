#include "parktwin/ui/shortcuts.h"

#include "parktwin/ui/panels.h"

namespace parktwin::ui {

const std::vector<KeyBinding>& key_bindings() {
  static const std::vector<KeyBinding> table = {
      // Digits recall the saved views in the Views panel's order; the shipped list starts with the
      // three parks, so 1, 2 and 3 fly to Nanchang, Yingtan and Yichun until the user reorders it.
      {Action::RecallView1, '1', false, "1", "视图 1", "saved view 1", false, false},
      {Action::RecallView2, '2', false, "2", "视图 2", "saved view 2", false, false},
      {Action::RecallView3, '3', false, "3", "视图 3", "saved view 3", false, false},
      {Action::RecallView4, '4', false, "4", "视图 4", "saved view 4", false, false},
      {Action::RecallView5, '5', false, "5", "视图 5", "saved view 5", false, false},
      {Action::RecallView6, '6', false, "6", "视图 6", "saved view 6", false, false},
      {Action::RecallView7, '7', false, "7", "视图 7", "saved view 7", false, false},
      {Action::RecallView8, '8', false, "8", "视图 8", "saved view 8", false, false},
      {Action::RecallView9, '9', false, "9", "视图 9", "saved view 9", false, false},
      {Action::FlyProvince, '0', false, "0", "全省", "province"},
      {Action::SaveView, 'B', true, "Ctrl+B", "保存当前视图", "save the current view"},
      {Action::Views, 'V', false, "V", "视图面板", "Views panel"},
      {Action::FlyFit, key::Home, false, "Home", "显示全部已加载数据", "fit loaded data"},
      {Action::Search, 'F', true, "Ctrl+F", "搜索企业和园区", "search enterprises and parks", true},
      {Action::EnglishLabels, 'T', false, "T", "地图标签显示英文", "English labels on the map"},
      {Action::Layers, 'L', false, "L", "图层", "layers"},
      {Action::Parks, 'P', false, "P", "园区", "parks"},
      {Action::Tours, 'G', false, "G", "导览 (播放、编辑)", "tours (play, edit)"},
      {Action::Alarms, key::F3, false, "F3", "告警列表", "alarm list"},
      {Action::AcknowledgeAlarm, 'K', false, "K", "确认告警 (墙面恢复)", "acknowledge the alarm (the wall goes back)"},
      {Action::TourPlayPause, key::Space, false, "Space", "导览 播放/暂停/继续", "tour: play, pause, resume"},
      {Action::TourNext, key::PageDown, false, "PgDn", "导览 下一步", "tour: next step"},
      {Action::TourPrevious, key::PageUp, false, "PgUp", "导览 上一步", "tour: previous step"},
      {Action::Undo, 'Z', true, "Ctrl+Z", "撤销样式修改", "undo style edits"},
      {Action::Redo, 'Y', true, "Ctrl+Y", "重做", "redo"},
      {Action::Help, key::F1, false, "F1", "帮助", "help"},
      {Action::Stats, key::F2, false, "F2", "统计", "stats"},
      {Action::Fullscreen, key::F11, false, "F11", "全屏", "fullscreen"},
      {Action::Screenshot, key::F12, false, "F12", "截图 (PNG)", "screenshot (PNG)"},
      {Action::Quit, key::Escape, false, "Esc", "退出 (需确认)", "quit (asks first)"},
  };
  return table;
}

const std::vector<HelpRow>& continuous_help_rows() {
  static const std::vector<HelpRow> rows = {
      {"左键拖动 Left drag", "平移", "pan"},
      {"右键拖动 / Shift+左键", "旋转视角", "orbit (right drag or Shift+left drag)"},
      {"滚轮 Wheel", "缩放", "zoom"},
      {"W A S D / ↑←↓→", "平移", "pan"},
      {"Q", "转向", "turn"},
      {"E", "编辑模式 (地块、建筑)", "edit mode: parcels and buildings (middle drag pans while editing)"},
      {"R F", "俯仰", "tilt"},
      {"+ -", "缩放", "zoom"},
      {"单击 Click", "选择建筑、企业或地块 (详情)", "select a building, enterprise or parcel (Inspector)"},
  };
  return rows;
}

const std::vector<HelpRow>& grouped_help_rows() {
  static const std::vector<HelpRow> rows = {
      {"1-9", "调出保存的视图 (视图面板中的顺序; 默认 1 南昌, 2 鹰潭, 3 宜春)",
       "recall saved views in the Views panel's order (shipped: 1 Nanchang, 2 Yingtan, 3 Yichun)"},
  };
  return rows;
}

int recalled_view(Action a) {
  const int i = static_cast<int>(a) - static_cast<int>(Action::RecallView1);
  return i >= 0 && i < 9 ? i : -1;
}

std::optional<Action> recall_action(int index) {
  if (index < 0 || index >= 9) return std::nullopt;
  return static_cast<Action>(static_cast<int>(Action::RecallView1) + index);
}

const char* shortcut_hint(Action a) {
  for (const KeyBinding& b : key_bindings())
    if (b.action == a) return b.hint;
  return nullptr;
}

std::optional<Action> action_for_key(int key, int mods, bool typing) {
  const bool ctrl = (mods & kModCtrl) != 0;
  if (mods & kModAlt) return std::nullopt;
  for (const KeyBinding& b : key_bindings())
    if (b.key == key && b.ctrl == ctrl && (!typing || b.while_typing)) return b.action;
  return std::nullopt;
}

bool apply_panel_action(Action a, PanelState& st) {
  switch (a) {
    case Action::Layers: st.layers = !st.layers; return true;
    case Action::Parks: st.parks = !st.parks; return true;
    case Action::Tours: st.tours = !st.tours; return true;
    case Action::Alarms: st.alarms = !st.alarms; return true;
    case Action::Stats: st.stats = !st.stats; return true;
    case Action::Help: st.help = !st.help; return true;
    case Action::EnglishLabels: st.english_labels = !st.english_labels; return true;
    case Action::Views: st.views = !st.views; return true;
    case Action::SaveView: st.save_view_asked = true; return true;  // the name popup (draw_views_panel)
    case Action::Search:  // opens (never closes) and gives the search box the keyboard
      st.search = true;
      st.focus_search = true;
      return true;
    default: return false;
  }
}

void KeyQueue::on_key(int key, int action, int mods) {
  if (action == kKeyPress) presses_.push_back({key, mods});
}

std::vector<KeyPress> KeyQueue::take() {
  std::vector<KeyPress> out;
  out.swap(presses_);
  return out;
}

}  // namespace parktwin::ui
