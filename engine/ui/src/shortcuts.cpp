#include "parktwin/ui/shortcuts.h"

#include "parktwin/ui/panels.h"

namespace parktwin::ui {

const std::vector<KeyBinding>& key_bindings() {
  static const std::vector<KeyBinding> table = {
      {Action::FlyPark1, '1', false, "1", "飞往南昌", "fly to Nanchang"},
      {Action::FlyPark2, '2', false, "2", "飞往鹰潭", "fly to Yingtan"},
      {Action::FlyPark3, '3', false, "3", "飞往宜春", "fly to Yichun"},
      {Action::FlyProvince, '0', false, "0", "全省", "province"},
      {Action::FlyFit, key::Home, false, "Home", "显示全部已加载数据", "fit loaded data"},
      {Action::Search, 'F', true, "Ctrl+F", "搜索企业和园区", "search enterprises and parks", true},
      {Action::EnglishLabels, 'T', false, "T", "地图标签显示英文", "English labels on the map"},
      {Action::Layers, 'L', false, "L", "图层", "layers"},
      {Action::Parks, 'P', false, "P", "园区", "parks"},
      {Action::Tours, 'G', false, "G", "导览 (播放、编辑)", "tours (play, edit)"},
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
      {"Q E", "转向", "turn"},
      {"R F", "俯仰", "tilt"},
      {"+ -", "缩放", "zoom"},
      {"单击 Click", "选择建筑、企业或地块 (详情)", "select a building, enterprise or parcel (Inspector)"},
  };
  return rows;
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
    case Action::Stats: st.stats = !st.stats; return true;
    case Action::Help: st.help = !st.help; return true;
    case Action::EnglishLabels: st.english_labels = !st.english_labels; return true;
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
