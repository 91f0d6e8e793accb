// The interactive viewer's input and actions (viewer_impl.h): shortcuts, commands, fly-tos, the
// alarm takeover, the saved views' cycle and recall, picking, screenshots, edit mode on and off.
#include "viewer_impl.h"

namespace parktwin::app::viewer_detail {

void Viewer::cycle_views(double dt, bool operator_moved) {
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

double Viewer::wall_scale() const {
  if (opt.ui_scale > 0.0) return opt.ui_scale;
  GLFWmonitor* mon = glfwGetWindowMonitor(window);
  if (!mon) mon = glfwGetPrimaryMonitor();
  if (!mon) return 1.0;
  int w_mm = 0, h_mm = 0;
  glfwGetMonitorPhysicalSize(mon, &w_mm, &h_mm);
  const GLFWvidmode* mode = glfwGetVideoMode(mon);
  return ui::wall_ui_scale(mode ? mode->width : 0, w_mm, opt.viewing_distance_m);
}

void Viewer::follow_alarms() {
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

void Viewer::tour_panels() {
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

void Viewer::fly_to(const std::string& view) {
  auto c = view_camera(scene, view, aspect());
  if (!c) return;
  tours.operator_input();  // a flight the user asked for: the tour lets go of the camera
  const double hop = glm::length(glm::dvec2(c->target - camera.target));
  fly.begin(camera, *c, now_s(), hop > 50000.0 ? 3.0 : 1.6);
}

void Viewer::fly_to_point(glm::dvec2 p, double distance) {
  scene::Camera c = camera;
  c.target = glm::dvec3(p, 0.0);
  c.distance = distance;
  c.pitch = std::max(c.pitch, 0.6);
  c.clamp();
  tours.operator_input();
  const double hop = glm::length(glm::dvec2(c.target - camera.target));
  fly.begin(camera, c, now_s(), hop > 50000.0 ? 3.0 : 1.6);
}

void Viewer::apply_commands() {
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

void Viewer::set_edit_mode(bool on) {
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

void Viewer::make_edit_mode() {
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

void Viewer::toggle_fullscreen() {
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

void Viewer::shortcuts() {
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

scene::ViewState Viewer::capture_view(const std::string& name, const ui::TimelineInfo& timeline) const {
  scene::ViewContext ctx;
  ctx.name = name;
  ctx.language = panels.english_labels ? "en" : "zh";
  if (live && !timeline.live) ctx.moment_ms = timeline.t_ms;
  ctx.panels = ui::open_panel_names(panels);
  return scene::capture(scene, camera, ctx);
}

void Viewer::recall_view(int index) {
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

void Viewer::apply_view_edits(const ui::TimelineInfo& timeline) {
  if (!bookmarks || view_edits.empty()) return;
  bookmarks->apply(
      view_edits, scene, [&](const std::string& name) { return capture_view(name, timeline); },
      [&](int i) { recall_view(i); }, scene.warnings);
  view_edits.clear();
}

std::optional<scene::FlowArc> Viewer::flow_under_cursor() {
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

void Viewer::click_select() {
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

void Viewer::screenshot(const render::FrameInput& in) {
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

bool Viewer::mouse_camera() {
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

}  // namespace parktwin::app::viewer_detail
