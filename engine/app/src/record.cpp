// `parktwin record`: a tour rendered offscreen on a fixed clock. Frame k shows tour time k / fps;
// the data's moment comes from the tour's timeline steps (or --at), never from the wall clock or
// from how long a frame took, so the same tour recorded twice gives the same bytes.
#include <algorithm>
#include <chrono>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <imgui.h>

#include "parktwin/app/app.h"
#include "parktwin/app/live_hub.h"
#include "parktwin/live/payload.h"
#include "parktwin/scene/geo_camera.h"
#include "parktwin/scene/kml_tour.h"
#include "parktwin/scene/tour.h"
#include "parktwin/ui/tour_panel.h"
#include "tour_session.h"

namespace parktwin::app {

int run_record(const AppOptions& o, const RecordOptions& r) {
  if (r.tour.empty()) {
    std::cerr << "parktwin record: --tour FILE.json|FILE.kml is required\n";
    return 2;
  }
  if (!(r.fps > 0.0 && r.fps <= 240.0)) {
    std::cerr << "parktwin record: --fps wants a number of frames per second in (0, 240]\n";
    return 2;
  }
  if (r.out_dir.empty()) {
    std::cerr << "parktwin record: --out DIR/ is required (PNG frames are written there)\n";
    return 2;
  }
  auto scene = load_scene(o, std::cerr);
  if (!scene) {
    std::cerr << "parktwin record: " << scene.error().message << "\n";
    return 1;
  }
  scene::Scene& s = **scene;
  std::ostringstream kml_warnings;  // KML features not supported, each named
  auto tour = load_tour_file(r.tour, s.frame(), kml_warnings);
  std::istringstream warned(kml_warnings.str());
  for (std::string line; std::getline(warned, line);) std::cerr << "parktwin record: " << line << "\n";
  if (!tour) {
    std::cerr << "parktwin record: " << tour.error().message << "\n";
    return 2;
  }
  const double aspect = static_cast<double>(o.width) / o.height;
  auto start_cam = view_camera(s, o.view, aspect);
  if (!start_cam) {
    std::cerr << "parktwin record: " << start_cam.error().message << "\n";
    return 2;
  }
  const scene::GeoCamera start = scene::to_geo(*start_cam, s.frame());
  // The data's moment: the tour's timeline steps, else --at; without either, no live data.
  const auto at_option = moment_of(o);
  if (!at_option) {
    std::cerr << "parktwin record: " << at_option.error().message << "\n";
    return 2;
  }
  const std::optional<int64_t> fixed_at = *at_option;
  const std::string feed = o.feed_given && !o.feed.empty() ? o.feed : "sim://";
  std::error_code ec;
  std::filesystem::create_directories(r.out_dir, ec);
  if (ec) {
    std::cerr << "parktwin record: cannot create " << r.out_dir << ": " << ec.message() << "\n";
    return 1;
  }
  // The captions' characters go into the font atlas.
  AppOptions ro = o;
  for (const scene::TourStep& st : tour->steps)
    if (const auto* c = std::get_if<scene::CaptionStep>(&st)) {
      ro.extra_text.push_back(c->zh);
      ro.extra_text.push_back(c->source);
    }
  auto still = StillRenderer::create(s, ro);
  if (!still) {
    std::cerr << "parktwin record: " << still.error().message << "\n";
    return 1;
  }
  const double total = scene::total_duration(*tour);
  auto frames = static_cast<int64_t>(std::floor(total * r.fps)) + 1;
  if (r.max_frames > 0) frames = std::min(frames, r.max_frames);
  const auto loop_start = std::chrono::steady_clock::now();
  std::optional<int64_t> shown_at;
  const std::string caption = o.caption.empty() ? "ParkTwin · " + (tour->name_zh.empty() ? tour->name_en : tour->name_zh)
                                                : o.caption;
  for (int64_t k = 0; k < frames; ++k) {
    const double t = static_cast<double>(k) / r.fps;
    const scene::TourFrame f = scene::evaluate(*tour, t, start);
    // The moment the data shows.
    std::optional<int64_t> at = fixed_at;
    if (f.timeline && f.timeline->utc_ms) at = f.timeline->utc_ms;
    if (at && at != shown_at) {
      if (auto ok = apply_feed_at(s, feed, *at, std::cerr); !ok) {
        std::cerr << "parktwin record: " << ok.error().message << "\n";
        return 1;
      }
      shown_at = at;
    }
    scene::apply_highlight(f.highlight, s);  // an enterprise is selected, a chain stands out
    const scene::Camera cam = scene::to_camera(f.camera, s.frame());
    const float w = static_cast<float>(o.width), h = static_cast<float>(o.height);
    auto img = (*still)->render(s, cam, o.width, o.height, o.overlay ? caption : std::string(), true, [&] {
      if (f.caption && f.caption->show) ui::draw_tour_caption(*f.caption, ImVec2(w, h));
    });
    if (!img) {
      std::cerr << "\nparktwin record: frame " << k << ": " << img.error().message << "\n";
      return 1;
    }
    char name[32];
    std::snprintf(name, sizeof name, "frame_%05lld.png", static_cast<long long>(k));
    const std::string path = (std::filesystem::path(r.out_dir) / name).string();
    if (auto wr = render::write_png(*img, path); !wr) {
      std::cerr << "\nparktwin record: " << wr.error().message << "\n";
      return 1;
    }
    // Progress on the terminal: one line redrawn.
    if (!r.progress) continue;
    const int bar = static_cast<int>(30 * (k + 1) / frames);
    std::fprintf(stderr, "\rrecording [%.*s%*s] %lld/%lld frames", bar, "##############################", 30 - bar, "",
                 static_cast<long long>(k + 1), static_cast<long long>(frames));
  }
  if (r.stats) {
    r.stats->frames = frames;
    r.stats->frame_loop_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - loop_start).count();
  }
  if (r.progress) std::fprintf(stderr, "\n");
  std::cout << "wrote " << frames << " frames (" << o.width << "x" << o.height << ", " << r.fps << " fps, "
            << "; the tour lasts " << total << " s) to " << r.out_dir << "\n";
  return 0;
}

}  // namespace parktwin::app
