// `parktwin record`: a tour rendered offscreen on a fixed clock. Frame k shows tour time k / fps;
// the data's moment comes from the tour's timeline steps (or --at), never from the wall clock or
// from how long a frame took, so the same tour recorded twice gives the same bytes. Frames go to
// PNG files in a folder or, for --out FILE.mp4, through VideoWriter into H.264/MP4.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include <imgui.h>

#include "parktwin/app/app.h"
#include "parktwin/app/live_hub.h"
#include "parktwin/app/video_writer.h"
#include "parktwin/live/payload.h"
#include "parktwin/scene/geo_camera.h"
#include "parktwin/scene/residency.h"
#include "parktwin/scene/kml_tour.h"
#include "parktwin/scene/tour.h"
#include "parktwin/ui/tour_panel.h"
#include "tour_session.h"

namespace parktwin::app {

namespace {

/// A video container the recorder does not write: named so that `--out tour.mkv` is refused
/// instead of silently becoming a folder of PNG frames called tour.mkv.
bool other_video_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* v : {".mkv", ".mov", ".avi", ".webm", ".m4v", ".gif", ".ts", ".mpg", ".mpeg"})
    if (ext == v) return true;
  return false;
}

}  // namespace

int run_record(const AppOptions& o, const RecordOptions& r) {
  if (r.tour.empty()) {
    std::cerr << "parktwin record: --tour FILE.json|FILE.kml is required\n";
    return 2;
  }
  if (!(r.fps > 0.0 && r.fps <= 240.0)) {
    std::cerr << "parktwin record: --fps wants a number of frames per second in (0, 240]\n";
    return 2;
  }
  if (r.out.empty()) {
    std::cerr << "parktwin record: --out is required: DIR/ for PNG frames or FILE.mp4 for H.264 video\n";
    return 2;
  }
  const bool mp4 = is_mp4_path(r.out);
  if (!mp4 && other_video_extension(r.out)) {
    std::cerr << "parktwin record: --out " << r.out
              << ": only MP4 video is written; use FILE.mp4, or DIR/ for PNG frames\n";
    return 2;
  }
  // Refused before anything is loaded or rendered.
  if (mp4)
    if (auto ok = check_video_size(o.width, o.height); !ok) {
      std::cerr << "parktwin record: --out " << r.out << ": " << ok.error().message << "\n";
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
  // The folder of the frames, or the folder the video goes in.
  const std::filesystem::path dir = mp4 ? std::filesystem::path(r.out).parent_path() : std::filesystem::path(r.out);
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::cerr << "parktwin record: --out " << r.out << ": cannot create the folder " << dir.string() << ": "
              << ec.message() << "\n";
    return 1;
  }
  // The captions' characters go into the font atlas.
  AppOptions ro = o;
  for (const scene::TourStep& st : tour->steps)
    if (const auto* c = std::get_if<scene::CaptionStep>(&st)) {
      ro.extra_text.push_back(c->zh);
      ro.extra_text.push_back(c->source);
    }
  // --mesh-budget-mb: each frame has every mesh that fits nearest to where it looks (waited for, so
  // that the same tour records the same frames), as a still does.
  std::unique_ptr<scene::MeshResidency> residency;
  if (o.mesh_budget_mb) {
    residency = std::make_unique<scene::MeshResidency>(s, o.mesh_budget_mb << 20);
    residency->finish(s, glm::dvec2(start_cam->target));
  }
  auto still = StillRenderer::create(s, ro);
  if (!still) {
    std::cerr << "parktwin record: " << still.error().message << "\n";
    return 1;
  }
  const double total = scene::total_duration(*tour);
  auto frames = static_cast<int64_t>(std::floor(total * r.fps)) + 1;
  if (r.max_frames > 0) frames = std::min(frames, r.max_frames);
  std::optional<int64_t> shown_at;
  // Opened before the first frame, so an unwritable file or a missing encoder costs no rendering.
  VideoWriter video;
  if (mp4)
    if (auto ok = video.open(r.out, o.width, o.height, r.fps); !ok) {
      std::cerr << "parktwin record: " << ok.error().message << "\n";
      return 1;
    }
  const auto loop_start = std::chrono::steady_clock::now();
  // A failure after the video was opened: say so and remove the incomplete file.
  auto give_up = [&](const std::string& msg) {
    std::cerr << "\nparktwin record: " << msg << "\n";
    if (mp4) {
      video.cancel();
      std::cerr << "parktwin record: " << r.out << " not written (the incomplete file is removed)\n";
    }
    return 1;
  };
  const std::string caption = o.caption.empty() ? "ParkTwin · " + (tour->name_zh.empty() ? tour->name_en : tour->name_zh)
                                                : o.caption;
  const bool on_terminal = ::isatty(STDERR_FILENO) != 0;
  for (int64_t k = 0; k < frames; ++k) {
    const double t = static_cast<double>(k) / r.fps;
    const scene::TourFrame f = scene::evaluate(*tour, t, start);
    // The moment the data shows.
    std::optional<int64_t> at = fixed_at;
    if (f.timeline && f.timeline->utc_ms) at = f.timeline->utc_ms;
    if (at && at != shown_at) {
      if (auto ok = apply_feed_at(s, feed, *at, std::cerr); !ok) return give_up(ok.error().message);
      shown_at = at;
    }
    scene::apply_highlight(f.highlight, s);  // an enterprise is selected, a chain stands out
    const scene::Camera cam = scene::to_camera(f.camera, s.frame());
    if (residency) {
      residency->finish(s, glm::dvec2(cam.target));
      if (auto up = (*still)->renderer().update_geometry(s); !up) return give_up(up.error().message);
    }
    const float w = static_cast<float>(o.width), h = static_cast<float>(o.height);
    auto img = (*still)->render(s, cam, o.width, o.height, o.overlay ? caption : std::string(), true, [&] {
      if (f.caption && f.caption->show) ui::draw_tour_caption(*f.caption, ImVec2(w, h));
    });
    if (!img) return give_up("frame " + std::to_string(k) + ": " + img.error().message);
    if (mp4) {
      // The writer removes its file itself when it fails.
      if (auto wr = video.write(*img); !wr) {
        std::cerr << "\nparktwin record: " << wr.error().message << "\n";
        return 1;
      }
    } else {
      char name[32];
      std::snprintf(name, sizeof name, "frame_%05lld.png", static_cast<long long>(k));
      if (auto wr = render::write_png(*img, (dir / name).string()); !wr) {
        std::cerr << "\nparktwin record: " << wr.error().message << "\n";
        return 1;
      }
    }
    // Progress: on a terminal one line redrawn each frame; into a log or a pipe one line at every
    // tenth of the frames, so a log does not fill with carriage returns.
    if (!r.progress) continue;
    const int bar = static_cast<int>(30 * (k + 1) / frames);
    if (on_terminal)
      std::fprintf(stderr, "\rrecording [%.*s%*s] %lld/%lld frames", bar, "##############################", 30 - bar, "",
                   static_cast<long long>(k + 1), static_cast<long long>(frames));
    else if ((k + 1) * 10 / frames != k * 10 / frames || k + 1 == frames)
      std::fprintf(stderr, "recording: %lld/%lld frames\n", static_cast<long long>(k + 1), static_cast<long long>(frames));
  }
  if (r.progress && on_terminal) std::fprintf(stderr, "\n");
  // The encoder holds frames for its look-ahead: finishing encodes them, so it counts as loop time.
  if (mp4)
    if (auto ok = video.finish(); !ok) {
      std::cerr << "parktwin record: " << ok.error().message << "\n";
      return 1;
    }
  if (r.stats) {
    r.stats->frames = frames;
    r.stats->frame_loop_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - loop_start).count();
  }
  std::cout << "wrote " << frames << " frames (" << o.width << "x" << o.height << ", " << r.fps
            << " fps; the tour lasts " << total << " s) to " << r.out;
  if (mp4) std::cout << " (H.264/MP4, " << std::filesystem::file_size(r.out, ec) << " bytes)";
  std::cout << "\n";
  return 0;
}

}  // namespace parktwin::app
