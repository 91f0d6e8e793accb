#pragma once
// The viewer's panels. Each is a function of (scene, frame info) that draws with ImGui and appends
// commands; no panel keeps state of its own (ImGui keeps window positions) and none applies edits.
#include <string>
#include <vector>

#include <imgui.h>

#include "parktwin/live/source.h"
#include "parktwin/scene/camera.h"
#include "parktwin/scene/commands.h"
#include "parktwin/scene/flows.h"
#include "parktwin/scene/labels.h"
#include "parktwin/scene/residency.h"
#include "parktwin/scene/scene.h"
#include "parktwin/scene/stream.h"

namespace parktwin::ui {

/// The timeline's state (owned by the app).
struct TimelineInfo {
  bool live = true;          ///< following the source's clock
  bool playing = false;      ///< playback running
  double speed = 1.0;        ///< playback speed (1 .. 3600)
  int64_t t_ms = 0;          ///< the moment shown
  int64_t first_ms = 0, last_ms = 0;  ///< what the history holds
  bool has_history = false;
};

/// A park's output over a recent window, for the dashboard's sparkline.
struct ParkSeries {
  std::string park;
  std::vector<float> output_yuan_h;  ///< summed over the park's enterprises, oldest first
  int64_t t0_ms = 0, t1_ms = 0;
};

/// What the panels show about the running frame (filled by the app).
struct FrameInfo {
  double frame_ms = 0.0;       ///< wall time of the last frame
  double cpu_ms = 0.0;         ///< CPU time of the last frame outside the driver's wait
  uint32_t draw_calls = 0;
  uint64_t triangles = 0;
  uint64_t lines = 0;
  uint32_t chunks_culled = 0;
  uint64_t gpu_memory_bytes = 0;
  std::string device;          ///< device name and type
  scene::Camera camera;
  glm::dvec2 cursor_lonlat{0.0};
  bool cursor_valid = false;
  bool has_feed = false;
  live::SourceStatus feed;
  bool feed_following = false;    ///< the scene follows the feed (live, not playback)
  bool feed_any_data = false;     ///< data has arrived since the source started
  double feed_silent_s = 0.0;     ///< wall seconds since data last arrived
  double feed_expected_gap_s = 0.0;  ///< the longest normal gap between arrivals (ArrivalWatch)
  TimelineInfo timeline;
  std::vector<ParkSeries> park_series;
  ParkSeries selected_series;      ///< output of the selected enterprise over the last 24 h (park = its id)
  bool has_hovered_flow = false;  ///< the cursor is over a flow arc (found by the app)
  scene::FlowArc hovered_flow;
};

/// Which panels are open (owned by the app, toggled from the menu bar).
struct PanelState {
  // Open at start: what a wall shows unattended (parks, legend, cluster targets, feed, timeline).
  bool layers = false, parks = true, style = false, stats = false, warnings = true, help = false;
  bool feed = true, metrics = true, timeline = true, dashboard = false;
  bool chains = false, chain_diagram = false, clusters = true;
  int diagram_chain = -1;  ///< chain shown by the chain diagram (index into scene::chains()); -1 = the highlighted one
  bool labels = true;            ///< enterprise labels on the map (park scale)
  bool label_fade_in = true;     ///< new labels fade in over a few frames (stills show them at once)
  bool english_labels = false;   ///< labels show "zh en" instead of the Chinese name (T toggles)
  bool search = false, inspector = false;
  bool tours = false;            ///< the Tours panel 导览 (player, steps, editor)
  bool alarms = false;           ///< the Alarms panel 告警 (every listed alarm, acknowledge, fly to)
  bool wall = false;             ///< the Wall panel 墙面 (the console's nodes; open when the viewer drives a wall)
  bool menu_bar = true;          ///< the menu bar (a wall's clean output has none)
  bool focus_search = false;     ///< Ctrl+F: the search box takes the keyboard next frame
  char search_text[128] = {};    ///< the search box's text (UTF-8)
  bool quit_asked = false;       ///< the quit confirmation is open (Esc, or View > Quit)
  bool quit_confirmed = false;   ///< the user confirmed: the viewer closes
  bool views = false;            ///< the Views panel 视图 (saved views; V)
  bool edit_mode = false;        ///< edit mode (E; the menu bar's Edit): the editor's panels show
  bool save_view_asked = false;  ///< Ctrl+B: the popup asking the new view's name is open
  char view_name[128] = {};      ///< the name typed in that popup (UTF-8)
  int rename_view = -1;          ///< the view being renamed (index), -1 = none
  char rename_text[128] = {};    ///< the new name typed for it
  /// Enter / Esc pressed while a name popup is open, from the app's key events (a tap shorter than
  /// a frame counts; ImGui 1.86 sees only keys still down at the frame): the popup confirms / cancels.
  bool name_enter = false, name_escape = false;
};

/// Closes every panel window except the Tours panel (a tour plays on a clean picture); map labels,
/// their language and the menu bar stay.
void close_panels(PanelState& state);

/// The panels a view state names (ViewState::panels), each a PanelState flag: "layers", "parks",
/// "style", "stats", "messages", "help", "feed", "metrics", "timeline", "dashboard", "chains",
/// "chain_diagram", "clusters", "search", "inspector", "views". One table serves both directions.
std::vector<std::string> open_panel_names(const PanelState& state);
/// Opens exactly the named panels and closes the others; returns the names it does not know.
std::vector<std::string> show_panels(const std::vector<std::string>& names, PanelState& state);

/// One saved view as the Views panel shows it (filled by the app from its store).
struct ViewItem {
  std::string name;
  uint32_t thumbnail = 0;  ///< UI image id (render::Renderer::ui_image_upload), 0 = not yet rendered
};
/// What the Views panel shows.
struct ViewsInfo {
  std::vector<ViewItem> items;  ///< in list order: item i is recalled by digit i+1 (up to 9)
  std::string suggested_name;   ///< prefilled in the Ctrl+B popup ("视图 N")
  std::string note;             ///< one line under the list: where the views are kept
};
/// What the user asked of the saved views; the app carries it out.
struct ViewEdit {
  enum Kind : uint8_t { Recall, Save, Rename, Delete, MoveUp, MoveDown, Overwrite };
  Kind kind = Recall;
  int index = -1;    ///< the view (all but Save)
  std::string name;  ///< Save, Rename
};
/// The Views panel 视图 (thumbnails, names and key numbers; click recalls; right click renames,
/// overwrites with the current view, moves or deletes) and the Ctrl+B "save view" popup.
void draw_views_panel(const scene::Scene& scene, const ViewsInfo& info, PanelState& state, std::vector<ViewEdit>& out);

/// Draws every open panel, the menu bar and the attribution line; appends commands to `out`. With
/// `labels` (the app's declutter state), also the enterprise labels, kept clear of the open panels.
void draw_panels(const scene::Scene& scene, const FrameInfo& info, PanelState& state, std::vector<scene::Command>& out,
                 scene::LabelState* labels = nullptr);

/// Enterprise labels at park scale (camera within about 25 km): each on the roof of its enterprise's
/// tallest building, decluttered by priority (selected, chain masters, live metric or revenue), kept
/// clear of the ImGui windows open this frame, drawn on the background draw list (under the panels).
/// Call after the panels have been drawn for the frame. place_labels then draw_placed_labels.
void draw_labels(const scene::Scene& scene, const scene::Camera& camera, const FrameInfo& info, const PanelState& state,
                 scene::LabelState& labels);

/// Where the enterprise labels go on the display ImGui lays out now (io.DisplaySize; the current font
/// and scale measure the text): candidates on screen, decluttered by priority, clear of `keep_out`,
/// the attribution lines and the park labels. `labels` carries the hysteresis and the fade-in
/// (`fade_in` false: at once) between frames. None beyond park scale (about 25 km). A video wall's
/// master calls this once at the whole wall's size and sends the list to every node.
std::vector<scene::PlacedLabel> place_labels(const scene::Scene& scene, const scene::Camera& camera, bool english,
                                             bool fade_in, const std::vector<scene::LabelRect>& keep_out,
                                             scene::LabelState& labels);

/// Draws placed labels on the background draw list: leader line, anchor dot, box in the chain's
/// colour (thicker for chain masters and the selection) and the enterprise's short name, Chinese or,
/// with `english`, Chinese and English; looked up by PlacedLabel::id (ids the scene lacks are skipped).
void draw_placed_labels(const scene::Scene& scene, const std::vector<scene::PlacedLabel>& placed, bool english);

/// The attribution lines in the bottom-right corner, on the foreground (draw_panels and stills draw them).
void draw_attribution(const scene::Scene& scene);

/// Search 搜索 (enterprises and parks; click selects and flies there) and the Inspector 详情 of the
/// selected enterprise (their shortcuts, Ctrl+F and T, are in the shortcut table: shortcuts.h).
void draw_label_panels(const scene::Scene& scene, const FrameInfo& info, PanelState& state,
                       std::vector<scene::Command>& out);

/// The screen box of a park's label when draw_park_labels shows it at this camera (false otherwise).
bool park_label_box(const scene::Park& park, const scene::Camera& camera, ImVec2 display, ImVec2& min, ImVec2& max);

/// The live-data panels: Feed, Metrics (binding and legend), Timeline, Park dashboard.
void draw_live_panels(const scene::Scene& scene, const FrameInfo& info, PanelState& state,
                      std::vector<scene::Command>& out);

/// The supply-chain panels: Chain filter (chains, clusters, segments, flows, highlight), Chain diagram
/// (one chain's enterprises upstream -> midstream -> downstream; click selects) and the Cluster
/// dashboard (KPIs against the 1269 plan's 2022 bases and 2026 targets, with sources).
void draw_chain_panels(const scene::Scene& scene, const FrameInfo& info, PanelState& state,
                       std::vector<scene::Command>& out);

/// The tooltip of the flow arc under the cursor: supplier, customer, product, volumes.
void draw_flow_tooltip(const scene::Scene& scene, const FrameInfo& info);

/// Park names at their places (Chinese and English), drawn on the foreground; used by the viewer and stills.
void draw_park_labels(const scene::Scene& scene, const scene::Camera& camera);

/// A small window at the bottom centre while a streamed layer is still arriving: tiles and
/// buildings loaded of those expected, from the cache or the source, and any reading failure.
void draw_stream_progress(const std::string& layer_title, const scene::StreamProgress& p);

/// While building meshes are kept within a budget (--mesh-budget-mb) and some chunks dropped
/// theirs: a note at the top centre that far buildings are shown as blocks (scene::chunk_blocks),
/// how many chunks of how many, and the budget, so that a block is not read as a building.
void draw_mesh_budget_note(const scene::ResidencyStats& st);

/// The overlay used for stills (`parktwin render`): title, view caption and attribution only.
void draw_still_overlay(const scene::Scene& scene, const scene::Camera& camera, const std::string& caption);

/// Loads the CJK UI font (fonts-wqy-microhei) with glyph ranges built from every string in the
/// scene plus common Chinese, so no name shows '?'. `ranges` must outlive the font atlas build
/// (the app owns it). Returns a message if it had to fall back, else "".
std::string load_fonts(const scene::Scene& scene, float size_px, ImVector<ImWchar>& ranges,
                       const std::vector<std::string>& extra_strings = {});

/// Every text the panels themselves show in Chinese (the data's strings are collected from the scene).
/// A test checks that each CJK character in the UI sources is covered.
const std::vector<std::string>& ui_texts();

/// Blocks of symbols every atlas holds whatever the data (℃ ° ± × ² ³ µ ‰ № □ ...), 0-terminated.
const ImWchar* symbol_ranges();
/// The glyph shown for a character the atlas lacks: □ (U+25A1), in symbol_ranges().
constexpr ImWchar kFallbackGlyph = 0x25A1;

/// Path of the CJK font file, or "" when missing.
std::string cjk_font_path();

}  // namespace parktwin::ui
