// Internal to the interactive viewer: the Viewer, whose frame loop, streaming, levels of detail and
// device recovery are in viewer.cpp, and whose input, commands, fly-tos, alarms, saved views and
// edit-mode switching are in viewer_actions.cpp.
#pragma once

#include <chrono>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>

#include "device_loss.h"
#include "edit_geometry.h"
#include "edit_mode.h"
#include "parktwin/app/app.h"
#include "parktwin/app/live_hub.h"
#include "parktwin/scene/commands.h"
#include "parktwin/scene/flows.h"
#include "parktwin/scene/frame_snapshot.h"
#include "parktwin/scene/lod_builder.h"
#include "parktwin/scene/residency.h"
#include "parktwin/scene/saved_views.h"
#include "parktwin/ui/panels.h"
#include "parktwin/ui/placement.h"
#include "parktwin/ui/shortcuts.h"
#include "parktwin/scene/alarms.h"
#include "parktwin/ui/alarm_panel.h"
#include "tour_session.h"
#include "wall_console.h"
#include "parktwin/app/view_bookmarks.h"

namespace parktwin::app::viewer_detail {

inline double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// Keyboard camera control by held keys (polled; one-shot shortcuts come as events through
/// KeyQueue); returns true when it moved the camera.
bool keyboard_camera(GLFWwindow* w, scene::Camera& cam, double dt, double viewport_h);

render::RendererOptions renderer_options(const AppOptions& o, GLFWwindow* window, const scene::Scene& s);

struct Viewer {
  const AppOptions& opt;
  scene::Scene& scene;
  GLFWwindow* window = nullptr;
  std::unique_ptr<render::Renderer> renderer;
  std::unique_ptr<LiveHub> live;
  scene::Camera camera;
  /// The frame snapshots the renderer draws (shared parts re-derived only when the scene changed).
  scene::FrameSnapshotBuilder snapshots;
  double anim_time_s = 0.0;  ///< the animation clock of the last frame built
  scene::FlyTo fly;
  scene::UndoStack undo;
  ui::PanelState panels;
  scene::LabelState labels;  ///< enterprise label placement carried between frames
  TourSession tours;         ///< tours: player, Tours panel, editor
  std::unique_ptr<WallConsole> wall_console;  ///< --wall-layout: the wall this console drives
  ui::WallInfo wall_info;
  bool tour_moving = false;  ///< the tour moved the view last frame
  scene::AlarmWatch alarms;  ///< alarms from the feed: the banner, the Alarms panel, the wall takeover
  std::vector<ui::AlarmRequest> alarm_requests;
  std::string alarm_shown;   ///< enterprise whose alarm has the wall ("" = none)
  std::optional<scene::Camera> camera_before_alarm;  ///< where the wall goes back to after the alarm
  int selected_before_alarm = -1;
  double cycle_clock = 0.0;  ///< seconds since the saved views' cycle last moved, or the operator did
  int cycle_next = 0;        ///< the saved view the cycle shows next
  std::unique_ptr<EditMode> edit;       ///< edit mode (E): planners edit parcels and buildings
  std::vector<std::unique_ptr<scene::LayerStream>> streams;  ///< buildings layers still arriving by tile
  double stream_focus_s = 0.0;          ///< when the streams were last told where the camera looks
  scene::LodBuilder lods;               ///< levels of detail of building chunks, built on a worker
  uint64_t lods_for_revision = 0;       ///< the geometry_revision the last pass started from
  std::unique_ptr<scene::MeshResidency> residency;  ///< --mesh-budget-mb: the nearest meshes only
  bool residency_error_told = false;
  /// When MemAvailable was last compared with the reserve (every 2 s while a mesh budget is kept).
  std::chrono::steady_clock::time_point memory_checked{};
  DeviceLosses device_losses;           ///< when the GPU device was lost (the last 10 minutes)
  uint32_t validation_errors_before = 0;  ///< counted by renderers replaced after a lost device

  void make_bookmarks() {
    bookmarks = std::make_unique<ViewBookmarks>(*renderer, scene::default_views_path(), scene::shipped_views_path(),
                                                scene.warnings);
  }

  /// After VK_ERROR_DEVICE_LOST (a driver reset, a GPU fault): a new device, the scene uploaded
  /// again, the UI's textures and the views' thumbnails made again; the frame loop goes on from the
  /// same state (camera, tour, live data, labels). False, and the viewer stops, when that fails or
  /// the device was lost more than 5 times in 10 minutes (a GPU that keeps failing).
  bool recover_device();

  /// --mesh-budget-mb: drops the farthest building meshes and rebuilds the nearest as the camera
  /// moves (scene::MeshResidency), and uploads what changed. True while meshes go or come.
  bool keep_meshes_near();

  /// Unattended walls (--cycle-views S): every S seconds without input the next saved view, in list
  /// order; a tour that plays or an alarm that has the wall holds the cycle.
  void cycle_views(double dt, bool operator_moved);

  /// The text scale of a wall output: from the monitor's physical width and pixels and how far
  /// the audience stands (ui::wall_ui_scale); 1 when the monitor does not say its size.
  double wall_scale() const;

  /// The alarm that has the wall: with --alarm-takeover the camera flies to its enterprise (a tour
  /// stands meanwhile) and comes back when it is acknowledged or cleared; the banner shows always.
  void follow_alarms();
  std::optional<ui::PanelState> panels_before_tour;  ///< panels open when the tour started, back at its end

  /// A tour plays on a clean picture: the panels close when it starts and come back when it
  /// stops or ends (the Tours panel and any panel opened meanwhile stay as they are then).
  void tour_panels();
  std::vector<scene::Command> commands;
  ImVector<ImWchar> glyph_ranges;
  ui::KeyQueue keys;              ///< presses since the last frame, from the key callback
  bool screenshot_requested = false;
  bool moved_since_hover = true;
  bool fullscreen = false;
  int saved_x = 100, saved_y = 100, saved_w = 1600, saved_h = 900;
  std::unique_ptr<ViewBookmarks> bookmarks;  ///< saved views and their thumbnails (Views panel, Ctrl+B, 1-9)
  std::vector<ui::ViewEdit> view_edits;      ///< what the Views panel asked this frame

  double aspect() const {
    int w = 1, h = 1;
    glfwGetFramebufferSize(window, &w, &h);
    return h > 0 ? static_cast<double>(w) / h : 1.0;
  }

  void fly_to(const std::string& view);

  /// Flies to look at a point from `distance` metres, keeping heading and pitch.
  void fly_to_point(glm::dvec2 p, double distance);

  void apply_commands();

  /// Enters or leaves edit mode (E, the menu bar's Edit, --edit).
  /// The other panels close while editing (the editor's own take their place) and come back after.
  void set_edit_mode(bool on);
  std::optional<ui::PanelState> panels_before_edit;  ///< panels open when edit mode began

  void make_edit_mode();

  void toggle_fullscreen();

  /// Key presses that act once (not held), from the key events of this frame: a tap shorter than
  /// a frame acts too. While the quit question is open, Esc or Enter confirms it.
  void shortcuts();

  // --- Saved views: capture for saving, recall (camera flies, the rest at once) ---

  /// What is on screen now as a view state named `name`.
  scene::ViewState capture_view(const std::string& name, const ui::TimelineInfo& timeline) const;

  /// Shows saved view `index`: layers, style, binding, filter, selection, labels, panels and moment
  /// at once (no undo step), the camera by a fly-to. A view with no panel list leaves the panels as
  /// they are, and the Views panel stays as it is (recalling from it does not close it).
  void recall_view(int index);

  /// Before the panels: the Views panel's list (and the Ctrl+B popup), drawn first so labels avoid it.
  void draw_views(ui::ViewsInfo& views_info) {
    if (!bookmarks) return;
    bookmarks->fill(views_info);
    ui::draw_views_panel(scene, views_info, panels, view_edits);
  }

  /// After the panels: saves, renames, moves, deletes and recalls asked for this frame.
  void apply_view_edits(const ui::TimelineInfo& timeline);

  glm::dvec2 cursor_ndc() const {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.DisplaySize.x <= 0 || io.DisplaySize.y <= 0) return {0.0, 0.0};
    return {2.0 * io.MousePos.x / io.DisplaySize.x - 1.0, 2.0 * io.MousePos.y / io.DisplaySize.y - 1.0};
  }

  /// The flow arc nearest the cursor within 6 px among those drawn (same level, filter and budget
  /// rules as the GPU culling), or nothing. Runs only when the mouse, the camera or the budget
  /// moved; arcs are cached per revision.
  std::vector<scene::FlowArc> arcs;
  double hover_budget_yuan = 0.0;  ///< the drawing budget of the last rendered frame
  uint64_t arcs_revision = UINT64_MAX;
  std::optional<scene::FlowArc> flow_under_cursor();

  /// A left click (press and release within a few pixels) picks what is under the cursor through
  /// the renderer's object-id pass and selects it.
  void click_select();

  /// F12: the current view (panels included) at the window's size, written next to where the viewer runs.
  void screenshot(const render::FrameInput& in);

  /// Mouse camera control through ImGui's input state; returns true when it moved the camera.
  bool mouse_camera();

  /// Levels of detail for distant building clusters: a pass on a worker once every layer has
  /// arrived (and again after edits change geometry), uploaded when it finishes. Not on wall
  /// outputs, whose tiles must match each other pixel for pixel. True when levels arrived.
  bool build_lods();

  /// Moves tiles that arrived into the scene and uploads them; shows the loading progress. True
  /// while anything is still arriving (the frame loop keeps drawing).
  bool stream_tiles(double t);

  int run();
};

}  // namespace parktwin::app::viewer_detail
