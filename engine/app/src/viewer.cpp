// The interactive viewer: GLFW window, input to camera and commands, ImGui panels, render on
// demand (it sleeps in glfwWaitEventsTimeout when nothing moves, so an idle wall costs little).
#include "viewer_impl.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>

namespace parktwin::app {
namespace {

// Set by SIGINT/SIGTERM so an unattended viewer shuts down cleanly (and reports) when stopped.
std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }

}  // namespace

namespace viewer_detail {

// The shortcut table's key codes are GLFW's.
static_assert(ui::key::Escape == GLFW_KEY_ESCAPE && ui::key::Enter == GLFW_KEY_ENTER && ui::key::Home == GLFW_KEY_HOME &&
              ui::key::F1 == GLFW_KEY_F1 && ui::key::F2 == GLFW_KEY_F2 && ui::key::F3 == GLFW_KEY_F3 && ui::key::F11 == GLFW_KEY_F11 &&
              ui::key::F12 == GLFW_KEY_F12 && ui::key::KeypadEnter == GLFW_KEY_KP_ENTER && GLFW_KEY_F == 'F');
static_assert(ui::kModCtrl == GLFW_MOD_CONTROL && ui::kModAlt == GLFW_MOD_ALT && ui::kKeyPress == GLFW_PRESS &&
              ui::kKeyRelease == GLFW_RELEASE && ui::kKeyRepeat == GLFW_REPEAT);

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

bool Viewer::recover_device() {
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

bool Viewer::build_lods() {
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

bool Viewer::keep_meshes_near() {
  if (!residency) return false;
  bool lowered = false;
  // Under memory pressure (a huge layer's features still arriving, other programs) the budget
  // gives way: every feature stays, fewer meshes are kept, rather than the machine running out.
  if (const auto now = std::chrono::steady_clock::now(); now - memory_checked > std::chrono::seconds(2)) {
    memory_checked = now;
    const uint64_t avail = scene::host_memory_available_bytes(), total = scene::host_memory_total_bytes();
    const uint64_t lower = scene::budget_under_pressure(residency->budget(), avail, total);
    if (lower < residency->budget()) {
      residency->set_budget(scene, lower);
      lowered = true;
      std::cerr << "parktwin: memory is short (" << (avail >> 20) << " MiB available, "
                << (scene::memory_reserve_bytes(total) >> 20) << " MiB kept for the rest of the machine): building "
                << "meshes now within " << (lower >> 20) << " MiB\n";
    }
  }
  const bool changed = residency->update(scene, glm::dvec2(camera.target));
  // A lowered budget also shrinks the renderer's building buffers (their old ones go once the
  // frames in flight are done), even when no mesh had to go.
  if (changed || lowered)
    if (auto up = renderer->update_geometry(scene); !up) std::cerr << "parktwin: " << up.error().message << "\n";
  if (lowered) {  // the dropped meshes' memory, freed in holes of the heap, back to the machine
    const uint64_t back = scene::return_free_heap_to_system();
    std::cerr << "parktwin: " << (back >> 20) << " MiB of freed memory returned to the system\n";
  }
  ui::draw_mesh_budget_note(residency->stats(scene));  // on a wall output too: the blocks are explained
  if (!residency->error().empty() && !residency_error_told) {
    residency_error_told = true;
    scene.warnings.push_back(residency->error() + " (those buildings stay hidden until the camera comes back)");
    std::cerr << "parktwin: " << scene.warnings.back() << "\n";
  }
  return changed || residency->busy();
}

bool Viewer::stream_tiles(double t) {
  if (streams.empty()) return false;
  if (t - stream_focus_s > 0.5) {  // nearest to where the camera looks first
    stream_focus_s = t;
    for (auto& s : streams) s->refocus(glm::dvec2(camera.target));
  }
  size_t moved = 0;
  const size_t layers_before = scene.layers.size();  // a stream that ends may add its lines and points
  for (auto& s : streams) moved += s->integrate(scene, scene::LayerStream::kTilesPerFrame);
  if (moved > 0 || scene.layers.size() != layers_before)
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

int Viewer::run() {
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
    if (keep_meshes_near()) active = true;
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

}  // namespace viewer_detail

using viewer_detail::renderer_options;
using viewer_detail::Viewer;

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
  const render::DeviceInfo& dev = (*renderer)->device_info();
  scene::MemoryFigures mem;
  mem.host_available = o.assume_memory_mb ? o.assume_memory_mb << 20 : scene::host_memory_available_bytes();
  mem.device_local = dev.device_local_bytes;
  mem.device_uses_host_memory = dev.uses_host_memory;
  mem.largest_buffer = dev.max_allocation_bytes;
  if (o.mesh_budget_mb) {
    v.residency = std::make_unique<scene::MeshResidency>(v.scene, o.mesh_budget_mb << 20);
    if (const std::string c = scene::mesh_budget_caveats(o.mesh_budget_mb << 20, mem); !c.empty())
      std::cerr << "parktwin: --mesh-budget-mb " << o.mesh_budget_mb << " is " << c << "\n";
  } else if (!o.every_mesh && !v.streams.empty()) {
    // Streamed layers can be any size: their meshes are kept within what this machine can hold.
    const uint64_t budget = scene::default_mesh_budget_bytes(mem);
    scene::MemoryFigures any_buffer = mem;
    any_buffer.largest_buffer = 0;
    const bool by_buffer = budget < scene::default_mesh_budget_bytes(any_buffer);
    if (budget != UINT64_MAX) {
      v.residency = std::make_unique<scene::MeshResidency>(v.scene, budget);
      std::cerr << "parktwin: building meshes within " << (budget >> 20) << " MiB nearest the camera, farther ones "
                << "drawn as blocks (of " << (mem.host_available >> 20) << " MiB available"
                << (o.assume_memory_mb ? " (--assume-memory-mb)" : "")
                << (dev.uses_host_memory ? ", on a device whose memory is the host's" : "")
                << (by_buffer ? ", bounded by its largest buffer" : "")
                << "; --mesh-budget-mb N to choose, all to keep every mesh)\n";
    }
  }
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
  if (v.residency) {
    const scene::ResidencyStats st = v.residency->stats(v.scene);
    std::cout << "mesh_budget: " << st.evictions << " meshes dropped, " << st.restores << " rebuilt; "
              << st.chunks_resident << " of " << st.chunks_resident + st.chunks_evicted << " chunks kept at the end\n";
  }
  if (v.live && report_unrecorded(*v.live, std::cerr) && rc == 0) rc = 3;
  v.live.reset();
  v.renderer.reset();
  glfwDestroyWindow(window);
  glfwTerminate();
  if (rc == 0 && verrs > 0) rc = 1;
  return rc;
}

}  // namespace parktwin::app
