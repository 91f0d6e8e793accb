// `parktwin wall`: the processes of a video wall. The master decides each frame once — camera,
// animation time, the flow budget, the highlight, the moment the data shows, the whole view state,
// the overlay (labels placed for the whole wall, caption, alarm banner) — and broadcasts it; every
// node renders its panels as off-axis parts of that one view and overlay (bezels compensated: the
// picture continues behind them) and presents at the swap barrier: to a fullscreen window per
// panel on its monitors (wall_node_window.h), or offscreen
// with each presented frame written as PNG (tests, benchmarks); the wall layout is docs/wall.md,
// the sync protocol docs/wall_sync.md.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "parktwin/app/app.h"
#include "device_loss.h"
#include "parktwin/app/live_hub.h"
#include "parktwin/app/wall_stitch.h"
#include "parktwin/scene/alarms.h"
#include "parktwin/scene/geo_camera.h"
#include "parktwin/scene/tour.h"
#include "parktwin/scene/view_state.h"
#include "parktwin/wall/layout.h"
#include "parktwin/wall/sync.h"
#include "frame_state.h"
#include "tour_session.h"
#include "wall_node_window.h"
#include "wall_overlay.h"

namespace parktwin::app {

namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_wall_stop{false};
extern "C" void on_wall_signal(int) { g_wall_stop = true; }

/// The whole view's aspect for the renderer from the wall, not from one panel's pixels.
double full_aspect(const wall::WallPixels& wp) { return static_cast<double>(wp.width) / std::max(1u, wp.height); }

/// The frame's snapshot: what the wall shows this frame (camera, animation time, flow budget) from
/// the scene as the frame state set it.
std::shared_ptr<const scene::FrameSnapshot> frame_snapshot(scene::FrameSnapshotBuilder& b, const scene::Scene& s,
                                                        const FrameState& f) {
  return b.build(s, scene::to_camera(f.camera, s.frame()), f.time_s, f.flow_min_value_yuan);
}

/// Renders the part `subrect` of the frame's view at w x h.
gis::Result<render::Image> render_part(StillRenderer& still, const scene::Scene& s, const FrameState& f,
                                       glm::dvec4 subrect, uint32_t w, uint32_t h) {
  const auto snap = frame_snapshot(still.snapshots(), s, f);
  render::FrameInput in;
  in.frame = snap.get();
  in.subrect = subrect;
  return still.renderer().render_offscreen(in, w, h);
}

/// Applies the frame's view state (layers, style, chain filter, selection, moment) when it changed.
void apply_view(const FrameState& f, std::string& shown, scene::Scene& s, const std::string& feed, std::ostream& log) {
  if (f.view == shown) return;
  shown = f.view;
  auto st = scene::from_json(f.view);
  if (!st) {
    log << "parktwin wall: " << st.error().message << "\n";
    return;
  }
  scene::Camera unused;
  for (const std::string& w : scene::apply(*st, s, unused)) log << "parktwin wall: " << w << "\n";
  if (st->moment_ms && !feed.empty())
    if (auto ok = apply_feed_at(s, feed, *st->moment_ms, log); !ok) log << "parktwin wall: " << ok.error().message << "\n";
}

/// The p-th percentile (nearest rank) of `v`; 0 for none.
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, std::max<size_t>(rank, 1) - 1)];
}

int run_node(const AppOptions& o, const WallOptions& w, const wall::Layout& layout) {
  const auto panels = wall::panels_of(layout, w.node);
  if (panels.empty()) {
    std::cerr << "parktwin wall: the layout " << w.layout << " gives node '" << w.node << "' no panel; its nodes are:";
    for (const std::string& id : wall::node_ids(layout)) std::cerr << " " << id;
    std::cerr << "\n";
    return 2;
  }
  if (w.frame_endpoint.empty() || w.sync_endpoint.empty()) {
    std::cerr << "parktwin wall: a node needs the master's endpoints: --connect HOST or --frame-endpoint and --sync-endpoint\n";
    return 2;
  }
  auto scene = load_scene(o, std::cerr);
  if (!scene) {
    std::cerr << "parktwin wall: " << scene.error().message << "\n";
    return 1;
  }
  const wall::WallPixels wp = wall::wall_pixels(layout);
  std::vector<size_t> index;  // each panel's place in layout.panels (and wp.panels)
  std::vector<wall::PixelRect> rects;  // and its rectangle in the whole wall's pixels
  for (const wall::Panel* p : panels) {
    index.push_back(static_cast<size_t>(p - layout.panels.data()));
    rects.push_back(wp.panels[index.back()]);
  }
  // Offscreen (--offscreen DIR) or a window per panel on this PC's monitors; made again after a
  // lost GPU device.
  std::unique_ptr<StillRenderer> still;
  std::unique_ptr<NodeWindows> windows;
  uint32_t validation_errors_before = 0;  // counted by outputs replaced after a lost device
  auto open_output = [&]() -> bool {
    if (w.offscreen.empty()) {
      const float font_px = wall_font_px(wall_text_scale(layout, o.ui_scale, o.viewing_distance_m));
      auto nw = NodeWindows::open(**scene, layout, index,
                                  {w.node, w.windowed, o.validation, o.msaa, font_px, wall_caption_texts(**scene, o.tour)},
                                  std::cout);
      if (!nw) {
        std::cerr << "parktwin wall: " << nw.error().message << "\n";
        return false;
      }
      windows = std::move(*nw);
      std::cout << "wall node " << w.node << ": present barrier: " << windows->barrier_mode() << std::endl;
      return true;
    }
    // Fonts for the wall's text size as this node's options give it (the master's frames say the
    // size), with every character the tours' captions use.
    AppOptions fo = o;
    for (std::string& t : wall_caption_texts(**scene, o.tour)) fo.extra_text.push_back(std::move(t));
    auto st = StillRenderer::create(**scene, fo, wall_font_px(wall_text_scale(layout, o.ui_scale, o.viewing_distance_m)));
    if (!st) {
      std::cerr << "parktwin wall: " << st.error().message << "\n";
      return false;
    }
    still = std::move(*st);
    return true;
  };
  if (!open_output()) return 1;
  DeviceLosses losses;
  const std::string who = "wall node " + w.node;
  // After a failed frame: when the device was lost, the output is made again (false: give up).
  auto recover_if_lost = [&]() -> bool {
    const bool lost = windows ? windows->device_lost() : still->renderer().device_lost();
    if (!lost) return true;
    if (!losses.again(std::cerr, who.c_str())) return false;
    validation_errors_before += windows ? windows->validation_errors() : still->renderer().validation_errors();
    windows.reset();
    still.reset();
    if (!open_output()) return false;
    std::cerr << who << ": the GPU device is back; rejoining the wall" << std::endl;
    return true;
  };
  auto node = wall::Node::open({.id = w.node, .frame_endpoint = w.frame_endpoint, .sync_endpoint = w.sync_endpoint});
  if (!node) {
    std::cerr << "parktwin wall: " << node.error().message << "\n";
    return 1;
  }
  if (!w.offscreen.empty()) fs::create_directories(fs::path(w.offscreen) / w.node);
  const std::string feed = o.feed_given && !o.feed.empty() ? o.feed : "sim://";
  std::string shown_view;
  bool master_values = false;  ///< the master sends its live values: no need to compute the moment here
  scene::FrameSnapshotBuilder window_snapshots;  ///< node windows: one snapshot a frame for all of them
  int64_t presented = 0;
  std::cout << "wall node " << w.node << ": " << panels.size() << " panels, waiting for " << w.frame_endpoint << std::endl;
  while (!g_wall_stop && (w.frames == 0 || presented < w.frames)) {
    if (windows) windows->poll_events();
    auto f = (*node)->next_frame(200);
    if (!f) continue;
    auto state = decode(f->state);
    if (!state) {
      std::cerr << "parktwin wall: frame " << f->number << ": " << state.error().message << "\n";
      continue;
    }
    const auto t0 = std::chrono::steady_clock::now();
    master_values = master_values || state->live.has_value();
    apply_view(*state, shown_view, **scene, master_values ? std::string() : feed, std::cerr);
    if (state->live && state->live->state.size() == (*scene)->enterprises.size()) {
      // The master's values, whatever its source: every panel shows the same numbers.
      (*scene)->set_live_state(state->live->state);
      (*scene)->live_time_ms = state->live->time_ms;
      (*scene)->live_simulated = state->live->simulated;
      (*scene)->restyle();
    } else if (state->live) {
      std::cerr << "parktwin wall: frame " << f->number << " carries " << state->live->state.size()
                << " enterprises, this node's dataset has " << (*scene)->enterprises.size() << "; run every node on the same dataset\n";
    }
    // Its panels' parts of the one view and of the overlay the master laid out for the whole wall.
    std::vector<render::Image> images;
    if (windows) {
      const auto snap = frame_snapshot(window_snapshots, **scene, *state);
      render::FrameInput in;
      in.frame = snap.get();
      NodeOverlay ov;
      if (state->overlay) {
        ov.font_px = wall_font_px(state->overlay->ui_scale);
        ov.font_scale = wall_font_scale(state->overlay->ui_scale);
        ov.draw = [&] { draw_wall_overlay(**scene, snap->camera, *state->overlay, state->time_s); };
      }
      auto ok = windows->render(**scene, in, state->overlay ? &ov : nullptr);  // held until the barrier
      if (!ok) {
        std::cerr << "parktwin wall: frame " << f->number << ": " << ok.error().message << "\n";
        if (!recover_if_lost()) return 1;
        continue;  // not ready: the barrier goes on without this node for this frame
      }
    } else {
      auto parts = render_wall_parts(*still, **scene, *state, wp, rects);
      if (!parts) {
        std::cerr << "parktwin wall: frame " << f->number << ": " << parts.error().message << "\n";
        if (!recover_if_lost()) return 1;
        continue;
      }
      images = std::move(*parts);
    }
    const double render_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    (*node)->ready(f->number, render_ms);
    if (!(*node)->wait_present(f->number, wall::present_timeout_ms(*f, w.barrier_timeout_ms))) {
      std::cout << "wall node " << w.node << ": frame " << f->number << " not released by the master"
                << (windows ? "; the next frame is drawn over it" : "") << std::endl;
      continue;
    }
    if (windows && !windows->present(std::cerr)) continue;
    ++presented;
    std::cout << "wall node " << w.node << ": presented " << f->number << std::endl;
    for (size_t k = 0; k < index.size() && !w.offscreen.empty() && state->counted; ++k) {
      if (auto ok = render::write_png(images[k], wall_tile_png(w.offscreen, layout.panels[index[k]], f->number)); !ok)
        std::cerr << "parktwin wall: " << ok.error().message << "\n";
    }
  }
  const bool validating = windows ? windows->validation_enabled() : still->renderer().validation_enabled();
  const uint32_t verrs =
      validation_errors_before + (windows ? windows->validation_errors() : still->renderer().validation_errors());
  if (validating) std::cout << "validation_errors=" << verrs << std::endl;
  return verrs > 0 ? 1 : 0;
}

int run_master(const AppOptions& o, const WallOptions& w, const wall::Layout& layout) {
  auto scene = load_scene(o, std::cerr);
  if (!scene) {
    std::cerr << "parktwin wall: " << scene.error().message << "\n";
    return 1;
  }
  scene::Scene& s = **scene;
  const wall::WallPixels wp = wall::wall_pixels(layout);
  const double aspect = full_aspect(wp);
  // What the wall shows: a tour (played on the master's clock, frame n at n / fps) or a view.
  std::optional<scene::Tour> tour;
  if (!o.tour.empty()) {
    auto t = load_tour_file(o.tour, s.frame(), std::cerr);
    if (!t) {
      std::cerr << "parktwin wall: " << t.error().message << "\n";
      return 2;
    }
    tour = std::move(*t);
  }
  auto cam = view_camera(s, o.view, aspect);
  if (!cam) {
    std::cerr << "parktwin wall: " << cam.error().message << "\n";
    return 2;
  }
  const auto at = moment_of(o);
  if (!at) {
    std::cerr << "parktwin wall: " << at.error().message << "\n";
    return 2;
  }
  // The overlay, laid out here once for the whole wall's pixels, text sized for the room.
  const double text_scale = wall_text_scale(layout, o.ui_scale, o.viewing_distance_m);
  auto overlay_layout = WallOverlayLayout::create(s, wp.width, wp.height, text_scale);
  if (!overlay_layout) {
    std::cerr << "parktwin wall: " << overlay_layout.error().message << "\n";
    return 1;
  }
  scene::AlarmWatch alarms;
  std::unique_ptr<StillRenderer> still;
  if (w.reference) {
    // The fonts a node started without --tour builds (the same texts, the same size): the reference
    // draws what such nodes draw.
    AppOptions ro = o;
    for (std::string& t : wall_caption_texts(s, "")) ro.extra_text.push_back(std::move(t));
    auto r = StillRenderer::create(s, ro, wall_font_px(text_scale));
    if (!r) {
      std::cerr << "parktwin wall: " << r.error().message << "\n";
      return 1;
    }
    still = std::move(*r);
  }
  wall::MasterOptions mo;
  mo.frame_endpoint = w.frame_endpoint.empty() ? "tcp://*:5560" : w.frame_endpoint;
  mo.sync_endpoint = w.sync_endpoint.empty() ? "tcp://*:5561" : w.sync_endpoint;
  mo.expected = wall::node_ids(layout);
  mo.barrier_timeout_ms = w.barrier_timeout_ms;
  mo.drop_after_ms = w.drop_after_ms;
  auto master = wall::Master::open(mo);
  if (!master) {
    std::cerr << "parktwin wall: " << master.error().message << "\n";
    return 1;
  }
  std::cout << "wall master: frames " << (*master)->frame_endpoint() << " sync " << (*master)->sync_endpoint() << ", "
            << mo.expected.size() << " nodes, " << wp.width << "x" << wp.height << " px" << std::endl;
  if (!w.endpoints_file.empty()) {
    std::ofstream(w.endpoints_file + ".tmp") << (*master)->frame_endpoint() << "\n" << (*master)->sync_endpoint() << "\n";
    fs::rename(w.endpoints_file + ".tmp", w.endpoints_file);
  }
  const scene::GeoCamera start = scene::to_geo(*cam, s.frame());
  const std::string dir = w.offscreen;
  if (!dir.empty() && w.reference) fs::create_directories(dir);
  const std::string feed = o.feed_given && !o.feed.empty() ? o.feed : "sim://";
  // The live values the wall shows come from the master's feed (followed live, or held at the
  // moment of --at or of the tour's step) and go to the nodes with the frames, so every panel shows
  // the same numbers whatever the source. No history is recorded by a wall master.
  LiveOptions lo;
  lo.feed = feed;
  lo.history = "none";
  std::unique_ptr<LiveHub> hub;
  if (auto h = LiveHub::open(s, lo, std::cerr)) hub = std::move(*h);
  else std::cerr << "parktwin wall: live values: " << h.error().message << "; the nodes compute the moment themselves\n";
  std::optional<std::optional<int64_t>> hub_moment;  ///< the moment the hub holds (outer empty: none set yet)
  LiveSender live_sender;
  // Frames run from the start so joining nodes become live; frames are counted once all are.
  const auto t_start = std::chrono::steady_clock::now();
  uint64_t n = 0;
  int64_t counted = 0;
  bool all_live = false;
  uint64_t skew_max = 0;
  std::string shown_view;
  // For the summary: the counted frames' state size, the barriers of the steady frames (every live
  // node ready in time, none dropped), and the frame of the first drop.
  uint64_t state_bytes = 0, wire_bytes = 0;
  std::vector<double> steady_waits, steady_overheads;
  std::optional<wall::BarrierReport> first_drop;
  while (!g_wall_stop && (w.frames == 0 || counted < w.frames)) {
    ++n;
    const double t = all_live ? static_cast<double>(counted) / w.fps : 0.0;
    FrameState f;
    f.time_s = t;
    f.counted = all_live;
    f.camera = start;
    std::optional<int64_t> moment = *at;
    std::optional<scene::CaptionStep> caption;
    if (tour) {
      const scene::TourFrame tf = scene::evaluate(*tour, t, start);
      f.camera = tf.camera;
      if (tf.caption && tf.caption->show) caption = tf.caption;
      scene::apply_highlight(tf.highlight, s);
      if (tf.timeline && tf.timeline->utc_ms) moment = tf.timeline->utc_ms;
    }
    if (hub) {
      if (hub_moment != moment) {
        hub->show_moment(s, moment);
        hub_moment = moment;
      }
      hub->update(s, 1.0 / w.fps);
      if (live_sender.due(s.live_revision, (*master)->nodes()))
        f.live = LiveSnapshot{s.live_time_ms, s.live_simulated, s.live};
    }
    scene::ViewContext ctx;
    ctx.moment_ms = moment;
    scene::ViewState vs = scene::capture(s, scene::to_camera(f.camera, s.frame()), ctx);
    vs.camera = scene::GeoCamera{};
    f.view = scene::to_json(vs);
    // The budget, decided once: the master's own view of the whole wall when it renders one, else all arcs.
    f.flow_min_value_yuan = still ? still->renderer().stats().flows_min_value_yuan : 0.0;
    // The master shows what the nodes show (the moment's data, so the buildings' heights under the
    // labels), then lays the overlay out for the whole wall.
    apply_view(f, shown_view, s, hub ? std::string() : feed, std::cerr);
    s.restyle();  // at the values at once, as the nodes show them (the hub animates toward them)
    alarms.update(s);
    f.overlay = WallOverlay{};
    f.overlay->ui_scale = text_scale;
    f.overlay->labels = (*overlay_layout)->place_labels(s, scene::to_camera(f.camera, s.frame()), false);
    f.overlay->caption = std::move(caption);
    if (const auto a = alarms.takeover()) f.overlay->alarm = ui::alarm_banner_text(s, *a, alarms.active_count());
    const std::string bytes = encode(f);
    auto report = (*master)->frame(n, bytes);
    if (!report) {
      std::cerr << "parktwin wall: " << report.error().message << "\n";
      return 1;
    }
    live_sender.sent(f.live ? std::optional<uint64_t>(s.live_revision) : std::nullopt, *report);
    if (!all_live) {
      int live = 0;
      for (const auto& st : (*master)->nodes()) live += st.state == wall::NodeState::Live;
      all_live = live == static_cast<int>(mo.expected.size());
      if (all_live) std::cout << "wall master: all " << live << " nodes live at frame " << n << std::endl;
      else if (std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count() > w.wait_nodes_s) {
        std::cout << "wall master: " << live << " of " << mo.expected.size() << " nodes live after " << w.wait_nodes_s
                  << " s; going on without the others" << std::endl;
        all_live = true;
      }
      // The frame that found them all is a warm-up frame too: counting starts with the next.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    ++counted;
    skew_max = std::max(skew_max, report->skew_frames);
    state_bytes += report->state_bytes;
    wire_bytes += report->wire_bytes;
    if (report->late.empty() && report->dropped.empty() && !report->timed_out) {
      steady_waits.push_back(report->wait_ms);
      steady_overheads.push_back(report->overhead_ms);
    }
    if (!report->dropped.empty() && !first_drop) first_drop = *report;
    std::cout << "wall master: frame " << n << " ready " << report->ready.size() << " late " << report->late.size()
              << " dropped " << report->dropped.size() << " wait_ms " << report->wait_ms << " labels "
              << f.overlay->labels.size() << " caption " << f.overlay->caption.has_value() << " alarm "
              << f.overlay->alarm.has_value() << std::endl;
    if (still && !dir.empty()) {
      // The whole wall in one piece with the overlay (what the stitched tiles must equal), and
      // without it (what they must not: the overlay is missing on the nodes).
      auto whole = render_wall_parts(*still, s, f, wp, {wall::PixelRect{0, 0, wp.width, wp.height}});
      if (whole) (void)render::write_png(whole->front(), wall_frame_png(dir, "whole", n));
      else std::cerr << "parktwin wall: " << whole.error().message << "\n";
      auto bare = render_part(*still, s, f, glm::dvec4(0, 0, 1, 1), wp.width, wp.height);
      if (bare) (void)render::write_png(*bare, wall_frame_png(dir, "bare", n));
      else std::cerr << "parktwin wall: " << bare.error().message << "\n";
    }
    // Pace: frame k of the counted run at k / fps on the master's clock.
    std::this_thread::sleep_for(std::chrono::duration<double>(1.0 / w.fps));
  }
  const wall::MasterStats st = (*master)->stats();
  std::cout << "wall master: " << counted << " frames, skew_frames_max=" << skew_max << " barrier_p50_ms=" << st.barrier_wait_p50_ms
            << " barrier_p99_ms=" << st.barrier_wait_p99_ms << " timeouts=" << st.timeouts << std::endl;
  for (const auto& ns : (*master)->nodes())
    std::cout << "wall node " << ns.id << ": " << wall::node_state_name(ns.state) << ", " << ns.frames_per_s
              << " frames/s, latency p50 " << ns.latency_p50_ms << " ms, drops " << ns.drops << std::endl;
  // What `parktwin bench wall` reads: the state sent per counted frame, the barrier over the steady
  // frames (overhead = wait minus the slowest render), and what the first drop cost.
  const double per_frame = counted ? 1.0 / static_cast<double>(counted) : 0.0;
  std::cout << "wall master: state_bytes_per_frame=" << static_cast<double>(state_bytes) * per_frame
            << " wire_bytes_per_frame=" << static_cast<double>(wire_bytes) * per_frame
            << " steady_frames=" << steady_waits.size() << " steady_wait_p50_ms=" << percentile(steady_waits, 0.5)
            << " steady_wait_p99_ms=" << percentile(steady_waits, 0.99)
            << " steady_overhead_p50_ms=" << percentile(steady_overheads, 0.5)
            << " steady_overhead_p99_ms=" << percentile(steady_overheads, 0.99)
            << " overhead_p50_ms=" << st.overhead_p50_ms << " overhead_p99_ms=" << st.overhead_p99_ms << std::endl;
  if (first_drop) {
    double since_heard = 0.0;
    for (const auto& ns : (*master)->nodes())
      if (ns.id == first_drop->dropped.front()) since_heard = ns.drop_stall_ms;
    std::cout << "wall master: drop frame=" << first_drop->frame << " node=" << first_drop->dropped.front()
              << " stall_ms=" << first_drop->stall_ms << " wait_ms=" << first_drop->wait_ms
              << " stall_since_heard_ms=" << since_heard << " drop_after_ms=" << mo.drop_after_ms
              << " barrier_timeout_ms=" << mo.barrier_timeout_ms << std::endl;
  }
  return hub && report_unrecorded(*hub, std::cerr) ? 3 : 0;
}

}  // namespace

int run_wall(const AppOptions& o, const WallOptions& w) {
  if (o.mesh_budget_mb)  // said, not silently dropped: every node must show the same, whole picture
    std::cerr << "parktwin wall: --mesh-budget-mb is not used by a wall, which keeps every building mesh\n";
  if (w.layout.empty()) {
    std::cerr << "parktwin wall: --layout FILE (parktwin.wall/1, docs/wall.md) is required\n";
    return 2;
  }
  auto layout = wall::read_layout(w.layout);
  if (!layout) {
    std::cerr << "parktwin wall: " << layout.error().message << "\n";
    return 2;
  }
  if (!(w.fps > 0.0 && w.fps <= 240.0)) {
    std::cerr << "parktwin wall: --fps wants frames per second in (0, 240]\n";
    return 2;
  }
  if (w.windowed && !w.offscreen.empty()) {
    std::cerr << "parktwin wall: --windowed places a node's windows; with --offscreen it has none\n";
    return 2;
  }
  std::signal(SIGINT, on_wall_signal);
  std::signal(SIGTERM, on_wall_signal);
  return w.node.empty() ? run_master(o, w, *layout) : run_node(o, w, *layout);
}

}  // namespace parktwin::app
