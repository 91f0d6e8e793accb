#pragma once
// Keyboard shortcuts: one table gives the bindings the viewer acts on, the hints in the menus and
// the rows of the Help panel, so the three cannot disagree. Key presses arrive as events (KeyQueue)
// so a tap shorter than a frame still acts once.
#include <cstdint>
#include <optional>
#include <vector>

namespace parktwin::ui {

struct PanelState;

/// Key codes as GLFW reports them (ImGui 1.86's GLFW backend indexes KeysDown by the same codes);
/// letters and digits are their ASCII codes. The viewer checks these against GLFW's own constants.
namespace key {
constexpr int Space = 32, PageUp = 266, PageDown = 267;  ///< presenter clickers send PageUp/PageDown
constexpr int Escape = 256, Enter = 257, Home = 268, F1 = 290, F2 = 291, F3 = 292, F11 = 300, F12 = 301, KeypadEnter = 335;
}
constexpr int kModCtrl = 0x0002;   ///< GLFW_MOD_CONTROL
constexpr int kModAlt = 0x0004;    ///< GLFW_MOD_ALT
constexpr int kKeyPress = 1;       ///< GLFW_PRESS
constexpr int kKeyRelease = 0;     ///< GLFW_RELEASE
constexpr int kKeyRepeat = 2;      ///< GLFW_REPEAT

/// What a shortcut does.
enum class Action : uint8_t {
  Layers, Parks, Stats, Help, Search, EnglishLabels, Views, SaveView, Tours, Alarms,  // panels (apply_panel_action)
  RecallView1, RecallView2, RecallView3, RecallView4, RecallView5,     // saved views in list order (the viewer's)
  RecallView6, RecallView7, RecallView8, RecallView9,
  FlyProvince, FlyFit, Fullscreen, Screenshot, Quit, Undo, Redo,       // the viewer's
  TourPlayPause, TourNext, TourPrevious,                              // the tour player's
  AcknowledgeAlarm,                                                   // the alarm on the wall
};

/// The saved view (0-based index in the Views panel's order) a RecallView action recalls, or -1.
int recalled_view(Action a);
/// The action that recalls saved view `index` (0-based) by a digit key, if it has one (views 1 to 9).
std::optional<Action> recall_action(int index);

struct KeyBinding {
  Action action;
  int key;                  ///< key code (see `key`)
  bool ctrl = false;        ///< with Ctrl held
  const char* hint;         ///< as menus show it: "L", "Ctrl+F", "F2"
  const char* zh;           ///< what it does, Chinese (Help)
  const char* en;           ///< what it does, English (Help)
  bool while_typing = false;///< also acts while a text field has the keyboard
  bool listed = true;       ///< has its own Help row (the digits 1-9 share one: grouped_help_rows)
};

/// Every one-shot shortcut, in the order Help lists them.
const std::vector<KeyBinding>& key_bindings();

/// The menu hint of an action ("L", "Ctrl+F"), or nullptr when no key is bound to it.
const char* shortcut_hint(Action a);

/// The action a key press triggers: `mods` are GLFW modifier bits; `typing` = a text field has the
/// keyboard (only bindings marked while_typing act then).
std::optional<Action> action_for_key(int key, int mods, bool typing);

/// Applies a panel action to the panel state; false for actions the viewer carries out itself.
bool apply_panel_action(Action a, PanelState& st);

/// A Help row for input that is not a one-shot shortcut (mouse, held keys).
struct HelpRow {
  const char* keys;
  const char* zh;
  const char* en;
};
/// Mouse and held-key rows of Help (held keys are polled by the viewer's camera control).
const std::vector<HelpRow>& continuous_help_rows();
/// Help rows that stand for several bindings not listed one by one (the digits 1-9).
const std::vector<HelpRow>& grouped_help_rows();

/// One key press as the window system reported it.
struct KeyPress {
  int key = 0;
  int mods = 0;
};

/// Presses between two frames, in order. Fed by the window's key callback; a press and its release
/// within one frame still count once, and auto-repeat does not count.
class KeyQueue {
 public:
  /// From the key callback: `action` is kKeyPress, kKeyRelease or kKeyRepeat.
  void on_key(int key, int action, int mods);
  /// The presses since the last call, oldest first; empties the queue.
  std::vector<KeyPress> take();
  bool empty() const { return presses_.empty(); }

 private:
  std::vector<KeyPress> presses_;
};

}  // namespace parktwin::ui
