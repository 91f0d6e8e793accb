#include "wall_console.h"

#include "frame_state.h"
#include "parktwin/scene/geo_camera.h"
#include "parktwin/scene/view_state.h"
#include "wall_overlay.h"

namespace parktwin::app {

gis::Result<std::unique_ptr<WallConsole>> WallConsole::open(const scene::Scene& scene, const std::string& layout_path,
                                                            const std::string& frame_endpoint,
                                                            const std::string& sync_endpoint, int barrier_timeout_ms,
                                                            int drop_after_ms, double ui_scale,
                                                            double viewing_distance_m) {
  auto layout = wall::read_layout(layout_path);
  if (!layout) return layout.error();
  const wall::WallPixels wp = wall::wall_pixels(*layout);
  auto overlay = WallOverlayLayout::create(scene, wp.width, wp.height,
                                           wall_text_scale(*layout, ui_scale, viewing_distance_m));
  if (!overlay) return overlay.error();
  wall::MasterOptions mo;
  mo.frame_endpoint = frame_endpoint.empty() ? "tcp://*:5560" : frame_endpoint;
  mo.sync_endpoint = sync_endpoint.empty() ? "tcp://*:5561" : sync_endpoint;
  mo.expected = wall::node_ids(*layout);
  mo.barrier_timeout_ms = barrier_timeout_ms;
  mo.drop_after_ms = drop_after_ms;
  auto master = wall::Master::open(mo);
  if (!master) return master.error();
  std::unique_ptr<WallConsole> c(new WallConsole());
  c->layout_ = std::move(*layout);
  c->layout_path_ = layout_path;
  c->master_ = std::move(*master);
  c->overlay_ = std::move(*overlay);
  return c;
}

WallConsole::~WallConsole() = default;

void WallConsole::frame(const scene::Scene& scene, const scene::Camera& camera, double time_s,
                        double flow_min_value_yuan, const Overlay& overlay) {
  FrameState f;
  f.camera = scene::to_geo(camera, scene.frame());
  f.time_s = time_s;
  f.flow_min_value_yuan = flow_min_value_yuan;
  // The values go with the frames until every node has them (LiveSender), so the view itself names
  // no moment and only changes when the operator changes something.
  if (live_sender_.due(scene.live_revision, master_->nodes()))
    f.live = LiveSnapshot{scene.live_time_ms, scene.live_simulated, scene.live};
  scene::ViewState vs = scene::capture(scene, camera, scene::ViewContext{});
  vs.camera = scene::GeoCamera{};
  f.view = scene::to_json(vs);
  // The overlay for the wall's pixels: the console's window has another size and aspect, so its own
  // label placement would not fit the wall.
  WallOverlay& o = f.overlay.emplace();
  o.ui_scale = overlay_->text_scale();
  o.english = overlay.english;
  if (overlay.labels) o.labels = overlay_->place_labels(scene, camera, overlay.english);
  o.caption = overlay.caption;
  if (overlay.alarm) o.alarm = ui::alarm_banner_text(scene, *overlay.alarm, overlay.active_alarms);
  auto report = master_->frame(++n_, encode(f));
  if (!report) {
    error_ = report.error().message;
    return;
  }
  live_sender_.sent(f.live ? std::optional<uint64_t>(scene.live_revision) : std::nullopt, *report);
  error_.clear();
  last_wait_ms_ = report->wait_ms;
}

void WallConsole::fill(ui::WallInfo& info) const {
  info.layout = layout_.name + " · " + layout_path_;
  info.endpoints = master_->frame_endpoint() + " / " + master_->sync_endpoint();
  info.nodes.clear();
  for (const wall::NodeStatus& s : master_->nodes())
    info.nodes.push_back({s.id, wall::node_state_name(s.state), s.frames_per_s, s.latency_p50_ms, s.latency_p99_ms,
                          s.last_heard_ms, s.drops, s.rejoins});
  const wall::MasterStats st = master_->stats();
  info.frames = st.frames;
  info.timeouts = st.timeouts;
  info.barrier_p50_ms = st.barrier_wait_p50_ms;
  info.barrier_p99_ms = st.barrier_wait_p99_ms;
  info.last_wait_ms = last_wait_ms_;
  info.error = error_;
}

}  // namespace parktwin::app
