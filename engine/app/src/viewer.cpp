// The interactive viewer: GLFW window, input to camera and commands, ImGui panels, render on
// demand (it sleeps in glfwWaitEventsTimeout when nothing moves, so an idle wall costs little).
#include <atomic>
#include <optional>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>

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
#include "parktwin/scene/saved_views.h"
#include "parktwin/ui/panels.h"
#include "parktwin/ui/placement.h"
#include "parktwin/ui/shortcuts.h"
#include "parktwin/scene/alarms.h"
#include "parktwin/ui/alarm_panel.h"
#include "tour_session.h"
#include "wall_console.h"
#include "parktwin/app/view_bookmarks.h"

namespace parktwin::app {
namespace {

// Set by SIGINT/SIGTERM so an unattended viewer shuts down cleanly (and reports) when stopped.
std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }

// The shortcut table's key codes are GLFW's.
static_assert(ui::key::Escape == GLFW_KEY_ESCAPE && ui::key::Enter == GLFW_KEY_ENTER && ui::key::Home == GLFW_KEY_HOME &&
              ui::key::F1 == GLFW_KEY_F1 && ui::key::F2 == GLFW_KEY_F2 && ui::key::F3 == GLFW_KEY_F3 && ui::key::F11 == GLFW_KEY_F11 &&
              ui::key::F12 == GLFW_KEY_F12 && ui::key::KeypadEnter == GLFW_KEY_KP_ENTER && GLFW_KEY_F == 'F');
static_assert(ui::kModCtrl == GLFW_MOD_CONTROL && ui::kModAlt == GLFW_MOD_ALT && ui::kKeyPress == GLFW_PRESS &&
              ui::kKeyRelease == GLFW_RELEASE && ui::kKeyRepeat == GLFW_REPEAT);

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// Keyboard camera control by held keys (polled; one-shot shortcuts come as events through
/// KeyQueue); returns true when it moved the camera.
bool keyboard_camera(GLFWwindow* w, scene::Camera& cam, double dt, double viewport_h) {
  auto down = [&](int k) { return glfwGetKey(w, k) == GLFW_PRESS; };
  bool moved = false;
  const double px = 600.0 * dt;  // pixels per second of pan
  if (down(GLFW_KEY_W) || down(GLFW_KEY_UP)) cam.pan_pixels(0, px, viewport_h), moved = true;
  if (down(GLFW_KEY_S) || down(GLFW_KEY_DOWN)) cam.pan_pixels(0, -px, viewport_h), moved = true;
  if (down(GLFW_KEY_A) || down(GLFW_KEY_LEFT)) cam.pan_pixels(px, 0, viewport_h), moved = true;
  if (down(GLFW_KEY_D) || down(GLFW_KEY_RIGHT)) cam.pan_pixels(-px, 0, viewport_h), moved = true;
  if (down(GLFW_KEY_Q)) cam.orbit(-1.2 * dt, 0), moved = true;
  if (down(GLFW_KEY_R)) cam.orbit(0, 0.8 * dt), moved = true;
  if (down(GLFW_KEY_F)) cam.orbit(0, -0.8 * dt), moved = true;
  if (down(GLFW_KEY_EQUAL) || down(GLFW_KEY_KP_ADD)) cam.zoom_steps(8.0 * dt), moved = true;
  if (down(GLFW_KEY_MINUS) || down(GLFW_KEY_KP_SUBTRACT)) cam.zoom_steps(-8.0 * dt), moved = true;
  return moved;
}

render::RendererOptions renderer_options(const AppOptions& o, GLFWwindow* window, const scene::Scene& s) {
  render::RendererOptions ro;
  ro.window = window;
  ro.msaa = o.msaa;
  ro.validation = o.validation;
  ro.warm_up = render::WarmUp::for_scene(s);  // while streamed layers load on their workers
  return ro;
}

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
  bool recover_device() {
    if (!device_losses.again(std::cerr, "parktwin")) return false;
    const auto t0 = std::chrono::steady_clock::now();
    bookmarks.reset();  // its thumbnails live on the old device
    validation_errors_before += renderer->validation_errors();
    renderer->shutdown_imgui();
    renderer.reset();
    auto r = render::Renderer::create(renderer_options(opt, window, scene));
    if (!r) {
      std::cerr << "parktwin: cannot create the GPU device again: " << r.error().message << std::endl;
      return false;
    }
    renderer = std::move(*r);
    if (auto up = renderer->upload_scene(scene); !up) {
      std::cerr << "parktwin: after the lost device: " << up.error().message << std::endl;
      return false;
    }
    if (auto ok = renderer->init_imgui(); !ok) {
      std::cerr << "parktwin: after the lost device: " << ok.error().message << std::endl;
      return false;
    }
    make_bookmarks();
    std::cerr << "parktwin: the GPU device is back after "
              << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()
              << " ms; the viewer goes on" << std::endl;
    return true;
  }

  /// Unattended walls (--cycle-views S): every S seconds without input the next saved view, in list
  /// order; a tour that plays or an alarm that has the wall holds the cycle.
  void cycle_views(double dt, bool operator_moved) {
    if (opt.cycle_views_s <= 0.0 || !bookmarks) return;
    if (operator_moved || tours.presenting() || (opt.alarm_takeover && !alarm_shown.empty())) {
      cycle_clock = 0.0;
      return;
    }
    cycle_clock += dt;
    if (cycle_clock < opt.cycle_views_s) return;
    const int count = static_cast<int>(bookmarks->names().size());  // only when it is time: names() copies
    if (count == 0) return;
    cycle_clock = 0.0;
    cycle_next %= count;
    std::cout << "cycle: view " << cycle_next + 1 << " of " << count << std::endl;
    recall_view(cycle_next++);
  }

  /// The text scale of a wall output: from the monitor's physical width and pixels and how far
  /// the audience stands (ui::wall_ui_scale); 1 when the monitor does not say its size.
  double wall_scale() const {
    if (opt.ui_scale > 0.0) return opt.ui_scale;
    GLFWmonitor* mon = glfwGetWindowMonitor(window);
    if (!mon) mon = glfwGetPrimaryMonitor();
    if (!mon) return 1.0;
    int w_mm = 0, h_mm = 0;
    glfwGetMonitorPhysicalSize(mon, &w_mm, &h_mm);
    const GLFWvidmode* mode = glfwGetVideoMode(mon);
    return ui::wall_ui_scale(mode ? mode->width : 0, w_mm, opt.viewing_distance_m);
  }

  /// The alarm that has the wall: with --alarm-takeover the camera flies to its enterprise (a tour
  /// stands meanwhile) and comes back when it is acknowledged or cleared; the banner shows always.
  void follow_alarms() {
    if (live) alarms.update(scene);
    for (const ui::AlarmRequest& r : alarm_requests) {
      if (r.kind == ui::AlarmRequest::AcknowledgeAll) alarms.acknowledge_all();
      if (r.kind == ui::AlarmRequest::Acknowledge) alarms.acknowledge(r.enterprise);
      if (r.kind == ui::AlarmRequest::FlyTo)
        for (const scene::Enterprise& e : scene.enterprises)
          if (e.id == r.enterprise) fly_to_point(e.pos, 1800.0);
    }
    alarm_requests.clear();
    const auto alarm = alarms.takeover();
    const std::string now = alarm ? alarm->enterprise : std::string();
    if (now == alarm_shown) {
      if (!now.empty() && opt.alarm_takeover) tours.operator_input();  // the tour waits while the alarm has the wall
      return;
    }
    if (!now.empty()) std::cout << "alarm: " << now << " raised " << scene::format_utc(alarm->raised_ms) << std::endl;
    else std::cout << "alarm: " << alarm_shown << " acknowledged or cleared" << std::endl;
    alarm_shown = now;
    if (!opt.alarm_takeover) return;
    if (!now.empty()) {
      if (!camera_before_alarm) camera_before_alarm = camera, selected_before_alarm = scene.selected_enterprise;
      if (alarm->index >= 0 && static_cast<size_t>(alarm->index) < scene.enterprises.size()) {
        fly_to_point(scene.enterprises[static_cast<size_t>(alarm->index)].pos, 1800.0);
        scene.selected_enterprise = alarm->index;  // not an undo step: the wall shows it, nobody edited
        scene.restyle();
      }
    } else if (camera_before_alarm) {
      const double hop = glm::length(glm::dvec2(camera_before_alarm->target - camera.target));
      fly.begin(camera, *camera_before_alarm, now_s(), hop > 50000.0 ? 3.0 : 1.6);
      camera_before_alarm.reset();
      scene.selected_enterprise = selected_before_alarm;
      scene.restyle();
    }
  }
  std::optional<ui::PanelState> panels_before_tour;  ///< panels open when the tour started, back at its end

  /// A tour plays on a clean picture: the panels close when it starts and come back when it
  /// stops or ends (the Tours panel and any panel opened meanwhile stay as they are then).
  void tour_panels() {
    if (tours.presenting() && !panels_before_tour) {
      panels_before_tour = panels;
      ui::close_panels(panels);
    } else if (!tours.presenting() && panels_before_tour) {
      ui::PanelState back = *panels_before_tour;
      back.tours = panels.tours;
      back.english_labels = panels.english_labels;
      back.quit_asked = panels.quit_asked;
      back.quit_confirmed = panels.quit_confirmed;
      panels = back;
      panels_before_tour.reset();
    }
  }
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

  void fly_to(const std::string& view) {
    auto c = view_camera(scene, view, aspect());
    if (!c) return;
    tours.operator_input();  // a flight the user asked for: the tour lets go of the camera
    const double hop = glm::length(glm::dvec2(c->target - camera.target));
    fly.begin(camera, *c, now_s(), hop > 50000.0 ? 3.0 : 1.6);
  }

  /// Flies to look at a point from `distance` metres, keeping heading and pitch.
  void fly_to_point(glm::dvec2 p, double distance) {
    scene::Camera c = camera;
    c.target = glm::dvec3(p, 0.0);
    c.distance = distance;
    c.pitch = std::max(c.pitch, 0.6);
    c.clamp();
    tours.operator_input();
    const double hop = glm::length(glm::dvec2(c.target - camera.target));
    fly.begin(camera, c, now_s(), hop > 50000.0 ? 3.0 : 1.6);
  }

  void apply_commands() {
    for (const scene::Command& c : commands) {
      if (scene::is_scene_edit(c)) {
        undo.push(c, scene::apply_command(scene, c));
        if (const auto* sel = std::get_if<scene::SelectEnterprise>(&c); sel && scene.selected_enterprise >= 0)
          fly_to_point(scene.enterprises[static_cast<size_t>(scene.selected_enterprise)].pos, 1800.0);
      } else if (const auto* p = std::get_if<scene::FlyToPark>(&c)) {
        if (p->park >= 0 && static_cast<size_t>(p->park) < scene.parks.size()) fly_to(scene.parks[static_cast<size_t>(p->park)].id);
      } else if (std::holds_alternative<scene::FlyToProvince>(c)) {
        fly_to("province");
      } else if (std::holds_alternative<scene::FlyToFit>(c)) {
        fly_to("fit");
      } else if (live) {
        live->apply(c);
      }
    }
    commands.clear();
  }

  /// Enters or leaves edit mode (E, the menu bar's Edit, --edit).
  /// The other panels close while editing (the editor's own take their place) and come back after.
  void set_edit_mode(bool on) {
    if (const std::string m = edit->set_active(on); !m.empty()) scene.warnings.push_back(m);
    panels.edit_mode = edit->active();
    if (edit->active() && !panels_before_edit) {
      panels_before_edit = panels;
      ui::close_panels(panels);
    } else if (!edit->active() && panels_before_edit) {
      ui::PanelState back = *panels_before_edit;
      back.edit_mode = false;
      back.quit_asked = panels.quit_asked;
      back.quit_confirmed = panels.quit_confirmed;
      back.english_labels = panels.english_labels;
      panels = back;
      panels_before_edit.reset();
    }
  }
  std::optional<ui::PanelState> panels_before_edit;  ///< panels open when edit mode began

  void make_edit_mode() {
    edit = std::make_unique<EditMode>(
        scene,
        // The one place edits reach the meshes and the GPU.
        [this](const std::vector<edit::Touched>& touched) {
          const auto t0 = std::chrono::steady_clock::now();
          refresh_edited_geometry(scene, *renderer, touched);
          std::cout << "edit: geometry rebuilt and uploaded in "
                    << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() << " ms" << std::endl;
        },
        [this](glm::dvec2 p, double distance) { fly_to_point(p, distance); },
        [this](float x, float y) -> std::pair<int, long> {
          int fw = 0, fh = 0;
          glfwGetFramebufferSize(window, &fw, &fh);
          const ImVec2 scale = ImGui::GetIO().DisplayFramebufferScale;
          const auto snap = snapshots.build(scene, camera, anim_time_s);
          auto hit = renderer->pick({.frame = snap.get()}, static_cast<uint32_t>(fw), static_cast<uint32_t>(fh),
                                    static_cast<uint32_t>(std::max(0.0f, x * scale.x)), static_cast<uint32_t>(std::max(0.0f, y * scale.y)));
          if (hit && hit->kind == render::PickHit::Building && hit->index < scene.buildings.size())
            return {static_cast<int>(scene.buildings[hit->index].layer), static_cast<long>(scene.buildings[hit->index].feature)};
          if (hit && hit->kind == render::PickHit::Feature) return {static_cast<int>(hit->layer), static_cast<long>(hit->index)};
          return {-1, -1};
        });
  }

  void toggle_fullscreen() {
    GLFWmonitor* mon = glfwGetPrimaryMonitor();
    if (!mon) return;
    if (!fullscreen) {
      glfwGetWindowPos(window, &saved_x, &saved_y);
      glfwGetWindowSize(window, &saved_w, &saved_h);
      const GLFWvidmode* m = glfwGetVideoMode(mon);
      glfwSetWindowMonitor(window, mon, 0, 0, m->width, m->height, m->refreshRate);
    } else {
      glfwSetWindowMonitor(window, nullptr, saved_x, saved_y, saved_w, saved_h, 0);
    }
    fullscreen = !fullscreen;
  }

  /// Key presses that act once (not held), from the key events of this frame: a tap shorter than
  /// a frame acts too. While the quit question is open, Esc or Enter confirms it.
  void shortcuts() {
    const bool typing = ImGui::GetIO().WantCaptureKeyboard;
    for (const ui::KeyPress& k : keys.take()) {
      if (panels.save_view_asked || panels.rename_view >= 0) {  // a view's name is being typed
        if (k.key == ui::key::Enter || k.key == ui::key::KeypadEnter) panels.name_enter = true;
        if (k.key == ui::key::Escape) panels.name_escape = true;
        if (k.key == ui::key::Enter || k.key == ui::key::KeypadEnter || k.key == ui::key::Escape) continue;
      }
      if (panels.quit_asked) {
        if (k.key == ui::key::Escape || k.key == ui::key::Enter || k.key == ui::key::KeypadEnter) panels.quit_confirmed = true;
        continue;
      }
      if (k.key == 'E' && k.mods == 0 && !typing) {
        set_edit_mode(!edit->active());
        continue;
      }
      if (edit->on_key(k.key, k.mods, typing)) continue;
      const auto a = ui::action_for_key(k.key, k.mods, typing);
      if (!a || ui::apply_panel_action(*a, panels)) continue;
      if (const int v = ui::recalled_view(*a); v >= 0) {
        recall_view(v);
        continue;
      }
      switch (*a) {
        case ui::Action::FlyProvince: fly_to("province"); break;
        case ui::Action::FlyFit: fly_to("fit"); break;
        case ui::Action::Fullscreen: toggle_fullscreen(); break;
        case ui::Action::Screenshot: screenshot_requested = true; break;
        case ui::Action::Quit:
          if (!opt.wall_output) panels.quit_asked = true;  // a wall is stopped by its service, not by a stray Esc
          break;
        case ui::Action::AcknowledgeAlarm:
          if (const auto a = alarms.takeover()) alarm_requests.push_back({ui::AlarmRequest::Acknowledge, a->enterprise});
          break;
        case ui::Action::TourPlayPause: tours.play_pause(camera); break;
        case ui::Action::TourNext: tours.next(camera); break;
        case ui::Action::TourPrevious: tours.previous(camera); break;
        case ui::Action::Undo: undo.undo(scene); break;
        case ui::Action::Redo: undo.redo(scene); break;
        default: break;
      }
    }
  }

  // --- Saved views: capture for saving, recall (camera flies, the rest at once) ---

  /// What is on screen now as a view state named `name`.
  scene::ViewState capture_view(const std::string& name, const ui::TimelineInfo& timeline) const {
    scene::ViewContext ctx;
    ctx.name = name;
    ctx.language = panels.english_labels ? "en" : "zh";
    if (live && !timeline.live) ctx.moment_ms = timeline.t_ms;
    ctx.panels = ui::open_panel_names(panels);
    return scene::capture(scene, camera, ctx);
  }

  /// Shows saved view `index`: layers, style, binding, filter, selection, labels, panels and moment
  /// at once (no undo step), the camera by a fly-to. A view with no panel list leaves the panels as
  /// they are, and the Views panel stays as it is (recalling from it does not close it).
  void recall_view(int index) {
    const scene::ViewState* v = bookmarks ? bookmarks->state(index) : nullptr;
    if (!v) return;
    tours.operator_input();  // a view the user asked for: a playing tour lets go of the camera
    scene::Camera target = camera;
    for (const std::string& w : scene::apply(*v, scene, target)) scene.warnings.push_back("view '" + v->name + "': " + w);
    const double hop = glm::length(glm::dvec2(target.target - camera.target));
    fly.begin(camera, target, now_s(), hop > 50000.0 ? 3.0 : 1.6);
    panels.english_labels = v->language == "en";
    if (!v->panels.empty()) {
      const bool views_open = panels.views;
      for (const std::string& n : ui::show_panels(v->panels, panels))
        scene.warnings.push_back("view '" + v->name + "': no panel called '" + n + "'");
      panels.views = views_open;
    }
    if (live) live->show_moment(scene, v->moment_ms);  // the simulator's state computed, a recording's read
  }

  /// Before the panels: the Views panel's list (and the Ctrl+B popup), drawn first so labels avoid it.
  void draw_views(ui::ViewsInfo& views_info) {
    if (!bookmarks) return;
    bookmarks->fill(views_info);
    ui::draw_views_panel(scene, views_info, panels, view_edits);
  }

  /// After the panels: saves, renames, moves, deletes and recalls asked for this frame.
  void apply_view_edits(const ui::TimelineInfo& timeline) {
    if (!bookmarks || view_edits.empty()) return;
    bookmarks->apply(
        view_edits, scene, [&](const std::string& name) { return capture_view(name, timeline); },
        [&](int i) { recall_view(i); }, scene.warnings);
    view_edits.clear();
  }

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
  std::optional<scene::FlowArc> flow_under_cursor() {
    if (arcs_revision != scene.chains.revision) {
      arcs = scene::build_flow_arcs(scene);
      arcs_revision = scene.chains.revision;
    }
    const ImGuiIO& io = ImGui::GetIO();
    const double w = io.DisplaySize.x, h = io.DisplaySize.y;
    if (w <= 0 || h <= 0 || !scene.chains.filter.flows_visible) return std::nullopt;
    const scene::ScreenProjector project(camera, {w, h});
    const glm::dvec2 cursor(io.MousePos.x, io.MousePos.y);
    double best = 6.0;
    std::optional<scene::FlowArc> hit;
    for (const scene::FlowArc& a : arcs) {
      // The budget of the frame on screen: arcs that gave way to larger ones were not drawn.
      if (!scene::arc_drawn(a, scene.chains.filter, camera.distance, hover_budget_yuan)) continue;
      glm::dvec2 prev(0.0);
      bool prev_ok = false;
      for (int k = 0; k <= 16; ++k) {
        const auto px = project(scene::arc_point(a, k / 16.0));
        const bool ok = px.has_value();
        const glm::dvec2 sp = ok ? *px : glm::dvec2(0.0);
        if (ok && prev_ok) {
          // Distance from the cursor to the screen segment prev -> sp.
          const glm::dvec2 d = sp - prev;
          const double t = glm::dot(d, d) > 0 ? std::clamp(glm::dot(cursor - prev, d) / glm::dot(d, d), 0.0, 1.0) : 0.0;
          const double dist = glm::length(prev + d * t - cursor);
          if (dist < best) best = dist, hit = a;
        }
        prev = sp;
        prev_ok = ok;
      }
    }
    return hit;
  }

  /// A left click (press and release within a few pixels) picks what is under the cursor through
  /// the renderer's object-id pass and selects it.
  void click_select() {
    ImGuiIO& io = ImGui::GetIO();
    if (edit->active() || io.WantCaptureMouse || !ImGui::IsMouseReleased(0)) return;  // the editor picks for itself
    const ImVec2 d(io.MousePos.x - io.MouseClickedPos[0].x, io.MousePos.y - io.MouseClickedPos[0].y);
    if (d.x * d.x + d.y * d.y > 16.0f) return;  // a drag, not a click
    int fw = 0, fh = 0;
    glfwGetFramebufferSize(window, &fw, &fh);
    const auto x = static_cast<uint32_t>(std::max(0.0f, io.MousePos.x * io.DisplayFramebufferScale.x));
    const auto y = static_cast<uint32_t>(std::max(0.0f, io.MousePos.y * io.DisplayFramebufferScale.y));
    const auto snap = snapshots.build(scene, camera, anim_time_s);
    auto hit = renderer->pick({.frame = snap.get()}, static_cast<uint32_t>(fw), static_cast<uint32_t>(fh), x, y);
    if (!hit) {
      scene.warnings.push_back("picking failed: " + hit.error().message);
      return;
    }
    if (hit->kind == render::PickHit::Building && hit->index < scene.buildings.size()) {
      const scene::Building& b = scene.buildings[hit->index];
      if (b.enterprise >= 0) commands.push_back(scene::SelectEnterprise{b.enterprise});
      else commands.push_back(scene::SelectFeature{static_cast<int>(b.layer), static_cast<int>(b.feature)});
    } else if (hit->kind == render::PickHit::Marker && scene.marker_enterprise(hit->layer, hit->index) >= 0) {
      // The marker's own enterprise: marker and enterprise indices need not agree.
      commands.push_back(scene::SelectEnterprise{scene.marker_enterprise(hit->layer, hit->index)});
    } else if (hit->kind == render::PickHit::Feature) {
      commands.push_back(scene::SelectEnterprise{-1});
      commands.push_back(scene::SelectFeature{static_cast<int>(hit->layer), static_cast<int>(hit->index)});
    } else {
      commands.push_back(scene::SelectEnterprise{-1});
      commands.push_back(scene::SelectFeature{-1, -1});
      return;
    }
    panels.inspector = true;
  }

  /// F12: the current view (panels included) at the window's size, written next to where the viewer runs.
  void screenshot(const render::FrameInput& in) {
    int fw = 0, fh = 0;
    glfwGetFramebufferSize(window, &fw, &fh);
    auto img = renderer->render_offscreen(in, static_cast<uint32_t>(fw), static_cast<uint32_t>(fh));
    char name[64];
    const std::time_t now = std::time(nullptr);
    std::strftime(name, sizeof name, "parktwin-%Y%m%d-%H%M%S.png", std::localtime(&now));
    if (!img) {
      scene.warnings.push_back(std::string("screenshot failed: ") + img.error().message);
      return;
    }
    auto w = render::write_png(*img, name);
    scene.warnings.push_back(w ? std::string("screenshot saved: ") + name : w.error().message);
  }

  /// Mouse camera control through ImGui's input state; returns true when it moved the camera.
  bool mouse_camera() {
    ImGuiIO& io = ImGui::GetIO();
    if (io.WantCaptureMouse) return false;
    bool moved = false;
    const double h = io.DisplaySize.y;
    const bool orbit = io.MouseDown[1] || (io.MouseDown[0] && io.KeyShift);
    // In edit mode the left button belongs to the tools: the middle button pans.
    const bool pan = edit->active() ? io.MouseDown[2] : io.MouseDown[0];
    if (orbit && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0)) {
      camera.orbit(io.MouseDelta.x * 0.005, io.MouseDelta.y * 0.004);
      moved = true;
    } else if (pan && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0)) {
      camera.pan_pixels(io.MouseDelta.x, io.MouseDelta.y, h);
      moved = true;
    }
    if (io.MouseWheel != 0.0f) {
      camera.zoom_at(io.MouseWheel, cursor_ndc(), aspect());
      moved = true;
    }
    if (moved) {
      fly.active = false;  // the user takes over
      tours.operator_input();
    }
    return moved;
  }

  /// Levels of detail for distant building clusters: a pass on a worker once every layer has
  /// arrived (and again after edits change geometry), uploaded when it finishes. Not on wall
  /// outputs, whose tiles must match each other pixel for pixel. True when levels arrived.
  bool build_lods() {
    if (!streams.empty() || opt.wall_output) return false;
    bool arrived = false;
    const size_t got = lods.collect(scene);
    if (!lods.last_error().empty() && !lods.busy()) {
      std::cerr << "parktwin: " << lods.last_error() << " (distant buildings stay at full detail)\n";
      lods_for_revision = scene.geometry_revision;  // not again for the same geometry
    }
    if (got > 0) {
      arrived = true;
      if (auto up = renderer->update_geometry(scene); !up) std::cerr << "parktwin: " << up.error().message << "\n";
    }
    if (!lods.busy() && lods_for_revision != scene.geometry_revision) {
      lods_for_revision = scene.geometry_revision;
      lods.start(scene);
    }
    return arrived;
  }

  /// Moves tiles that arrived into the scene and uploads them; shows the loading progress. True
  /// while anything is still arriving (the frame loop keeps drawing).
  bool stream_tiles(double t) {
    if (streams.empty()) return false;
    if (t - stream_focus_s > 0.5) {  // nearest to where the camera looks first
      stream_focus_s = t;
      for (auto& s : streams) s->refocus(glm::dvec2(camera.target));
    }
    size_t moved = 0;
    for (auto& s : streams) moved += s->integrate(scene, scene::LayerStream::kTilesPerFrame);
    if (moved > 0)
      if (auto up = renderer->update_geometry(scene); !up) std::cerr << "parktwin: " << up.error().message << "\n";
    bool any = false;
    for (auto& s : streams) {
      const scene::StreamProgress p = s->progress();
      if (p.finished) continue;
      any = true;
      if (!opt.wall_output) ui::draw_stream_progress(scene.layers[s->layer_index()].title, p);
    }
    if (!any) {
      for (auto& s : streams)
        if (!s->progress().error.empty()) std::cerr << "parktwin: " << s->progress().error << "\n";
      streams.clear();
    }
    return any;
  }

  int run() {
    if (auto up = renderer->upload_scene(scene); !up) {
      std::cerr << "parktwin: " << up.error().message << "\n";
      return 1;
    }
    IMGUI_CHECKVERSION();
    ImGuiContext* ctx = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // walls run unattended: no layout file written next to the binary
    // Tours and saved views first: their captions' characters and names go into the font atlas.
    tours.scan(scene);
    tours.set_log(&std::cout);
    tours.panel().loop = opt.tour_loop;
    tours.panel().resume_after_s = static_cast<float>(opt.tour_resume_s);
    const bool tour_given = !opt.tour.empty() && tours.load_file(opt.tour, scene);
    if (!opt.tour.empty() && !tour_given) std::cerr << "parktwin: --tour: " << tours.panel().message << "\n";
    if (tour_given && !tours.panel().message.empty()) std::cerr << "parktwin: " << tours.panel().message;
    make_bookmarks();
    std::vector<std::string> atlas_texts = tours.texts();
    for (std::string& n : bookmarks->names()) atlas_texts.push_back(std::move(n));
    // A wall's text is sized for the room: the atlas is built larger (up to 48 px, sharp), the rest
    // of the way is scaling.
    const double ui_scale = opt.wall_output ? wall_scale() : 1.0;
    const float atlas_px = static_cast<float>(std::min(48.0, 16.0 * ui_scale));
    if (const std::string m = ui::load_fonts(scene, atlas_px, glyph_ranges, atlas_texts); !m.empty())
      std::cerr << "parktwin: " << m << "\n";
    io.Fonts->Build();
    if (opt.wall_output) {
      io.FontGlobalScale = static_cast<float>(16.0 * ui_scale / atlas_px);
      ImGui::GetStyle().ScaleAllSizes(static_cast<float>(ui_scale));
      ui::close_panels(panels);
      panels.menu_bar = false;
      glfwSetInputMode(window, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);
      std::cout << "parktwin: wall output, text scale " << ui_scale << " for " << opt.viewing_distance_m << " m" << std::endl;
    }
    // Our key callback first: ImGui's GLFW backend installs its own and chains to this one.
    glfwSetWindowUserPointer(window, this);
    glfwSetKeyCallback(window, [](GLFWwindow* w, int key, int, int action, int mods) {
      if (auto* v = static_cast<Viewer*>(glfwGetWindowUserPointer(w))) v->keys.on_key(key, action, mods);
    });
    ImGui_ImplGlfw_InitForVulkan(window, true);
    if (auto ok = renderer->init_imgui(); !ok) {
      std::cerr << "parktwin: " << ok.error().message << "\n";
      ImGui_ImplGlfw_Shutdown();
      ImGui::DestroyContext(ctx);
      return 1;
    }
    make_edit_mode();
    if (opt.edit_mode || !opt.edit_script.empty()) set_edit_mode(true);
    if (!opt.edit_script.empty()) {
      auto n = edit->apply_script(opt.edit_script, std::cout);
      if (!n) std::cerr << "parktwin: --edit-script: " << n.error().message << "\n";
    }
    ui::ViewsInfo views_info;
    auto cam = view_camera(scene, opt.view, aspect());
    if (!cam) std::cerr << "parktwin: " << cam.error().message << "; showing the province\n";
    camera = cam ? *cam : *view_camera(scene, "province", aspect());
    if (tour_given) tours.play(camera);
    if (!opt.wall_layout.empty()) {
      auto c = WallConsole::open(scene, opt.wall_layout, opt.wall_frame_endpoint, opt.wall_sync_endpoint,
                                 opt.wall_barrier_timeout_ms, opt.wall_drop_after_ms, opt.ui_scale,
                                 opt.viewing_distance_m);
      if (!c) {
        std::cerr << "parktwin: --wall-layout: " << c.error().message << "\n";
      } else {
        wall_console = std::move(*c);
        panels.wall = true;
        wall_console->fill(wall_info);
        std::cout << "parktwin: console of " << wall_info.layout << ", nodes connect to " << wall_info.endpoints << std::endl;
      }
    }

    int frame = 0, exit_code = 0;
    double last = now_s(), last_activity = last;
    const double start_time = last;
    ui::FrameInfo info;
    const auto& dev = renderer->device_info();
    info.device = dev.name + " (" + dev.type + ", Vulkan " + dev.api_version + ", MSAA " + std::to_string(dev.msaa) + "x)";
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    while (!glfwWindowShouldClose(window) && !g_stop) {
      // Render on demand: after a second without input or animation, wait for events instead of spinning.
      const bool moving = fly.active || (live && live->busy()) || tour_moving;
      if (now_s() - last_activity > 1.0 && !moving && opt.frames == 0)
        glfwWaitEventsTimeout(scene.any_alarm ? 1.0 / 15.0 : 0.25);  // alarms pulse
      else glfwPollEvents();
      // dt is capped for camera motion (no jump after an idle wait); the live hub gets the real
      // elapsed time (up to a second) so playback and refresh timers keep wall-clock pace.
      const double t = now_s(), dt = std::min(0.1, t - last), dt_live = std::min(1.0, t - last);
      last = t;
      const auto cpu0 = std::chrono::steady_clock::now();
      renderer->imgui_new_frame();
      ImGui_ImplGlfw_NewFrame();
      ImGui::NewFrame();
      const bool keyed = !keys.empty();
      shortcuts();
      click_select();
      bool active = mouse_camera() || keyed;
      if (!io.WantCaptureKeyboard && !edit->active() && keyboard_camera(window, camera, dt, io.DisplaySize.y)) {
        fly.active = false;
        tours.operator_input();
        active = true;
      }
      if (fly.active) {
        camera = fly.at(t);
        active = true;
      }
      tour_moving = tours.update(dt_live, scene, camera, live.get());
      tour_panels();
      if (tour_moving) active = true;
      if (tours.engaged()) fly.active = false;  // the tour has the camera
      if (live) {
        live->update(scene, dt_live);
        live->fill(scene, info);
      }
      follow_alarms();
      if (stream_tiles(t)) active = true;
      if (build_lods()) active = true;
      cycle_views(dt_live, active);
      info.camera = camera;
      info.cursor_valid = false;
      if (active) moved_since_hover = true;  // the arcs moved under the cursor
      if (renderer->stats().flows_min_value_yuan != hover_budget_yuan) {
        hover_budget_yuan = renderer->stats().flows_min_value_yuan;  // arcs appeared or gave way
        moved_since_hover = true;
      }
      if (opt.wall_output || edit->active()) {
        info.has_hovered_flow = false;  // a wall has no pointer, an editor no flow tooltips
      } else if (!io.WantCaptureMouse && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0 || moved_since_hover)) {
        const auto hovered = flow_under_cursor();
        info.has_hovered_flow = hovered.has_value();
        if (hovered) info.hovered_flow = *hovered;
        moved_since_hover = false;
      } else if (io.WantCaptureMouse) {
        info.has_hovered_flow = false;
      }
      if (!io.WantCaptureMouse && ImGui::IsMousePosValid())
        if (auto g = camera.ground_at(cursor_ndc(), aspect())) {
          info.cursor_lonlat = scene.frame().to_wgs84(glm::dvec2(*g));
          info.cursor_valid = true;
        }
      ui::draw_park_labels(scene, camera);
      draw_views(views_info);
      ui::draw_panels(scene, info, panels, commands, &labels);
      ui::draw_tour_panel(scene, camera, info.timeline.live ? std::nullopt : std::optional<int64_t>(info.timeline.t_ms), panels,
                          tours.panel());
      tours.draw_caption(io.DisplaySize.x, io.DisplaySize.y);
      ui::draw_alarm_panel(scene, alarms, panels, alarm_requests);
      if (wall_console) {
        wall_console->fill(wall_info);
        ui::draw_wall_panel(scene, wall_info, panels);
      }
      if (const auto a = alarms.takeover()) ui::draw_alarm_banner(scene, *a, alarms.active_count(), io.DisplaySize, t - start_time);
      if (panels.edit_mode != edit->active()) set_edit_mode(panels.edit_mode);  // the menu bar's Edit
      edit->frame(camera, aspect(), t);
      panels.edit_mode = edit->active();
      if (!commands.empty() || !view_edits.empty()) active = true;
      apply_commands();
      apply_view_edits(info.timeline);
      if (panels.quit_confirmed) glfwSetWindowShouldClose(window, GLFW_TRUE);
      ImGui::Render();
      if (active || io.MouseDelta.x != 0 || io.MouseDelta.y != 0 || panels.quit_asked) last_activity = t;
      edit->decorate_styles();  // zoning violations stand out (after any restyle this frame)
      // What this frame shows, decided once: the renderer reads only this snapshot.
      anim_time_s = t - start_time;
      const auto snap = snapshots.build(scene, camera, anim_time_s);
      render::FrameInput in;
      in.frame = snap.get();
      in.ui = ImGui::GetDrawData();
      const double ui_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - cpu0).count();
      if (screenshot_requested) {
        screenshot_requested = false;
        screenshot(in);
      }
      if (renderer->render_window(in) == render::PresentResult::Error) {
        if (renderer->device_lost() && recover_device()) continue;
        exit_code = 1;
        break;
      }
      // The wall shows what the console shows: this frame, decided once, to every node.
      if (wall_console) {
        WallConsole::Overlay wo;
        wo.labels = panels.labels;
        wo.english = panels.english_labels;
        wo.caption = tours.caption();
        wo.alarm = alarms.takeover();
        wo.active_alarms = alarms.active_count();
        wall_console->frame(scene, camera, anim_time_s, renderer->stats().flows_min_value_yuan, wo);
      }
      const auto& st = renderer->stats();
      // Frame time without the idle wait: from input handling to the frame's submission and present.
      info.frame_ms = (now_s() - t) * 1000.0;
      info.cpu_ms = ui_ms + st.record_cpu_ms;
      info.draw_calls = st.draw_calls;
      info.triangles = st.triangles;
      info.lines = st.lines;
      info.chunks_culled = st.chunks_culled;
      info.gpu_memory_bytes = st.gpu_memory_bytes;
      // Thumbnails the Views panel lacks, one a frame so the viewer stays responsive (after the
      // frame's statistics were read: an offscreen render replaces them).
      if (panels.views && bookmarks && bookmarks->update_thumbnails(scene, capture_view("", info.timeline), scene.warnings))
        last_activity = t;
      ++frame;
      if (opt.frames > 0 && frame >= opt.frames) break;
    }
    renderer->wait_idle();
    bookmarks.reset();
    renderer->shutdown_imgui();
    ImGui_ImplGlfw_Shutdown();
    glfwSetKeyCallback(window, nullptr);
    ImGui::DestroyContext(ctx);
    std::cout << "parktwin: " << frame << " frames, last frame " << info.frame_ms << " ms\n";
    return exit_code;
  }
};

}  // namespace

int run_viewer(const AppOptions& o) {
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  auto headless = [&](const char* why) {
    const std::string out = "parktwin-" + o.view + ".png";
    std::cerr << "parktwin: " << why << ": rendering headless to " << out
              << " instead (run under a desktop, or xvfb-run, for the window)\n";
    return run_render(o, out);
  };
  if ((!display || !*display) && (!wayland || !*wayland)) return headless("no display (DISPLAY is not set)");
  glfwSetErrorCallback([](int code, const char* msg) { std::cerr << "parktwin: GLFW error " << code << ": " << msg << "\n"; });
  if (!glfwInit()) return headless("cannot open the display");
  if (!glfwVulkanSupported()) {
    glfwTerminate();
    return headless("the window system offers no Vulkan");
  }

  int failures = 0;
  std::vector<std::unique_ptr<scene::LayerStream>> streams;
  auto scene = load_scene(o, std::cerr, &failures, &streams);
  if (!scene) {
    std::cerr << "parktwin: " << scene.error().message << "\n";
    glfwTerminate();
    return 1;
  }
  // Layers still streaming count with their declared extent (the "fit" view, the camera's bounds).
  for (const auto& st : streams)
    if (auto e = st->extent()) (*scene)->include_bounds(e->first, e->second);
  glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
  GLFWmonitor* mon = o.fullscreen ? glfwGetPrimaryMonitor() : nullptr;
  int w = static_cast<int>(o.width), h = static_cast<int>(o.height);
  if (mon) {
    const GLFWvidmode* m = glfwGetVideoMode(mon);
    w = m->width;
    h = m->height;
  }
  GLFWwindow* window = glfwCreateWindow(w, h, "ParkTwin · 江西 1269 产业集群", mon, nullptr);
  if (!window) {
    glfwTerminate();
    return headless("cannot create a window");
  }
  auto renderer = render::Renderer::create(renderer_options(o, window, **scene));
  if (!renderer) {
    std::cerr << "parktwin: " << renderer.error().message << "\n";
    glfwDestroyWindow(window);
    glfwTerminate();
    return 1;
  }
  Viewer v{o, **scene};
  v.streams = std::move(streams);
  if (!o.feed.empty()) {
    LiveOptions lo;
    lo.feed = o.feed;
    lo.history = o.history;
    lo.retention_days = o.retention_days;
    auto hub = LiveHub::open(**scene, lo, std::cerr);
    if (!hub) std::cerr << "parktwin: no live data: " << hub.error().message << "\n";
    else v.live = std::move(*hub);
  }
  v.window = window;
  v.fullscreen = mon != nullptr;
  v.renderer = std::move(*renderer);
  int rc = v.run();
  const uint32_t verrs = v.validation_errors_before + v.renderer->validation_errors();
  if (o.validation) std::cout << "validation_errors=" << verrs << "\n";
  if (v.live && report_unrecorded(*v.live, std::cerr) && rc == 0) rc = 3;
  v.live.reset();
  v.renderer.reset();
  glfwDestroyWindow(window);
  glfwTerminate();
  if (rc == 0 && verrs > 0) rc = 1;
  return rc;
}

}  // namespace parktwin::app
