// `parktwin bench soak --minutes N`: the viewer's frame loop for N minutes, offscreen, to see whether
// anything grows or fails over time. Each frame does what a wall's viewer does unattended: the live
// hub merges the simulator's samples (at --speed, default 3600x) and records them in a history file,
// the KPI window and sparklines refresh, the camera tours the four views and orbits (so labels are
// placed again and flows animate), the panels and enterprise labels are laid out and the frame is
// rendered with them (every 60th read back, as a screenshot would). Prints name=value lines, the
// machine and conditions first; asserts nothing.
//
// soak_rss_growth_mb is the resident memory at the end minus the resident memory when the warm-up
// (the first fifth of the run, at least 30 s) ended; soak_rss_slope_mb_per_h fits a line through every
// sample after the warm-up, so one late allocation burst and a steady leak read differently.
// soak_errors counts frames that failed to render, validation errors, exceptions, and every change
// of the feed's error text (the source failing, the history refusing a write).
#include "bench_soak.h"
#include "args.h"
#include "bench_util.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "parktwin/app/app.h"
#include "parktwin/app/live_hub.h"
#include "parktwin/scene/frame_snapshot.h"
#include "parktwin/ui/panels.h"

namespace parktwin::bench {
namespace {

/// Resident memory now (VmRSS), MiB.
double rss_mb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  return 0.0;
}

/// Least-squares slope of y over x.
double slope(const std::vector<std::pair<double, double>>& xy) {
  if (xy.size() < 2) return 0.0;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& [x, y] : xy) sx += x, sy += y, sxx += x * x, sxy += x * y;
  const double n = static_cast<double>(xy.size()), d = n * sxx - sx * sx;
  return d > 0 ? (n * sxy - sx * sy) / d : 0.0;
}

struct SoakArgs {
  double minutes = 10.0;
  double speed = 3600.0;
  uint32_t width = 1280, height = 720;
  std::string history;  ///< "" = a fresh file in a scratch directory, removed afterwards
};

bool parse(int argc, char** argv, SoakArgs& a) {
  for (int i = 0; i < argc; ++i) {
    const std::string k = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "parktwin bench soak: " << k << " needs a value\n";
      return false;
    }
    const std::string v = argv[++i];
    if (const auto m = args::number_in(v, 0.0, 7 * 24 * 60, true); k == "--minutes" && m) a.minutes = *m;
    else if (const auto x = args::number_in(v, 1.0, 1e6); k == "--speed" && x) a.speed = *x;
    else if (k == "--history") a.history = v;
    else {
      std::cerr << "parktwin bench soak: bad argument " << k << " " << v
                << " (--minutes M in (0, 10080], --speed X in [1, 1e6], --history FILE)\n";
      return false;
    }
  }
  return true;
}

}  // namespace

int run_bench_soak(int argc, char** argv) {
  SoakArgs a;
  if (!parse(argc, argv, a)) return 2;
  app::AppOptions o;
  o.validation = std::getenv("PARKTWIN_VALIDATION") != nullptr;
  std::ostringstream quiet;
  int failures = 0;
  auto scene = app::load_scene(o, quiet, &failures);
  if (!scene) {
    std::cerr << "parktwin bench soak: " << scene.error().message << "\n" << quiet.str();
    return 1;
  }
  scene::Scene& s = **scene;
  auto still = app::StillRenderer::create(s, o);
  if (!still) {
    std::cerr << "parktwin bench soak: " << still.error().message << "\n";
    return 1;
  }
  std::filesystem::path scratch;
  app::LiveOptions lo;
  std::ostringstream feed;
  feed << "sim://?speed=" << a.speed;
  lo.feed = feed.str();
  if (a.history.empty()) {
    char tmpl[] = "/tmp/parktwin-soak-XXXXXX";
    if (!mkdtemp(tmpl)) {
      std::cerr << "parktwin bench soak: cannot make a scratch directory under /tmp\n";
      return 1;
    }
    scratch = tmpl;
    lo.history = (scratch / "history.db").string();
  } else {
    lo.history = a.history;
  }
  auto hub = app::LiveHub::open(s, lo, std::cerr);  // its notices (a full disk) as they come
  if (!hub) {
    std::cerr << "parktwin bench soak: " << hub.error().message << "\n";
    return 1;
  }
  render::Renderer& r = (*still)->renderer();
  const auto& info_dev = r.device_info();
  std::cout << "machine_cpu=" << cpu_model() << "\n";
  std::cout << "machine_cores=" << std::thread::hardware_concurrency() << "\n";
  std::cout << "device=" << info_dev.name << " (" << info_dev.type << ", Vulkan " << info_dev.api_version << ")\n";
  std::cout << "conditions=offscreen " << a.width << "x" << a.height << ", MSAA " << info_dev.msaa << "x, feed "
            << lo.feed << ", history " << lo.history << ", panels and enterprise labels, views cycled every 20 s"
            << ", every 60th frame read back, " << a.minutes << " min" << (o.validation ? ", validation on" : "") << "\n"
            << std::flush;

  const double total_s = a.minutes * 60.0;
  const double warm_s = std::max(30.0, total_s / 5.0);
  const char* views[] = {"province", "nanchang", "yingtan", "yichun"};
  const double aspect = static_cast<double>(a.width) / a.height;
  ui::PanelState panels;
  ui::FrameInfo info;
  scene::LabelState labels;
  std::vector<scene::Command> cmds;
  const std::vector<wall::PixelRect> whole{{0, 0, a.width, a.height}};
  uint64_t frames = 0, errors = 0, render_failures = 0, exceptions = 0, error_texts = 0;
  std::string last_error;
  std::vector<std::pair<double, double>> rss_after_warm;
  const double rss_start = rss_mb();
  double rss_warm = 0.0, rss_max = rss_start;
  const auto t0 = Clock::now();
  auto last = t0;
  double next_sample = 0.0, next_report = 60.0;
  int view_index = -1;
  scene::Camera base;
  for (;;) {
    const double t = ms_since(t0) / 1000.0;
    if (t >= total_s) break;
    const double dt = std::min(1.0, std::chrono::duration<double>(Clock::now() - last).count());
    last = Clock::now();
    try {
      const int v = static_cast<int>(t / 20.0) % 4;
      if (v != view_index) {
        view_index = v;
        if (auto c = app::view_camera(s, views[v], aspect)) base = *c;
      }
      scene::Camera cam = base;
      cam.heading = base.heading + std::fmod(t, 20.0) * 0.05;  // a slow orbit (about 3°/s): labels move
      (*hub)->update(s, dt);
      (*hub)->fill(s, info);
      if (info.feed.last_error != last_error) {
        if (!info.feed.last_error.empty()) {
          ++error_texts;
          std::cerr << "parktwin bench soak: at " << t << " s the feed says: " << info.feed.last_error << "\n";
        }
        last_error = info.feed.last_error;
      }
      info.camera = cam;
      const auto snap = (*still)->snapshots().build(s, cam, t);
      render::FrameInput in;
      in.frame = snap.get();
      in.read_back = frames % 60 == 0;
      auto img = (*still)->render_parts(in, a.width, a.height, whole, 1.0f, [&] {
        ui::draw_park_labels(s, cam);
        ui::draw_panels(s, info, panels, cmds, &labels);
      });
      cmds.clear();
      if (!img) {
        ++render_failures;
        if (render_failures <= 5) std::cerr << "parktwin bench soak: frame " << frames << ": " << img.error().message << "\n";
      }
    } catch (const std::exception& e) {
      ++exceptions;
      if (exceptions <= 5) std::cerr << "parktwin bench soak: frame " << frames << " threw: " << e.what() << "\n";
    }
    ++frames;
    if (t >= next_sample) {
      next_sample += 5.0;
      const double m = rss_mb();
      rss_max = std::max(rss_max, m);
      if (t >= warm_s) {
        if (rss_after_warm.empty()) rss_warm = m;
        rss_after_warm.emplace_back(t, m);
      }
    }
    if (t >= next_report) {  // a heartbeat on stderr, so a long run shows it is alive
      next_report += 60.0;
      std::cerr << "parktwin bench soak: " << static_cast<int>(t / 60) << " min, " << frames << " frames, rss "
                << rss_mb() << " MiB\n";
    }
  }
  const double run_s = ms_since(t0) / 1000.0;
  const double rss_end = rss_mb();
  const uint64_t unrecorded = (*hub)->finish();  // joins the writer: the history is complete
  const uint32_t verrs = r.validation_errors();
  errors = render_failures + exceptions + error_texts + verrs + (unrecorded > 0 ? 1 : 0);
  std::cout << "soak_seconds=" << run_s << "\n";
  std::cout << "soak_frames=" << frames << "\n";
  std::cout << "soak_frames_per_s=" << frames / std::max(run_s, 1e-9) << "\n";
  std::cout << "soak_warmup_s=" << warm_s << "\n";
  std::cout << "soak_rss_start_mb=" << rss_start << "\n";
  std::cout << "soak_rss_after_warmup_mb=" << rss_warm << "\n";
  std::cout << "soak_rss_end_mb=" << rss_end << "\n";
  std::cout << "soak_rss_max_mb=" << rss_max << "\n";
  std::cout << "soak_rss_growth_mb=" << (rss_after_warm.empty() ? 0.0 : rss_end - rss_warm) << "\n";
  std::cout << "soak_rss_slope_mb_per_h=" << slope(rss_after_warm) * 3600.0 << "\n";
  std::cout << "soak_render_failures=" << render_failures << "\n";
  std::cout << "soak_exceptions=" << exceptions << "\n";
  std::cout << "soak_feed_errors=" << error_texts << "\n";
  if (o.validation) std::cout << "soak_validation_errors=" << verrs << "\n";
  std::cout << "soak_samples_unrecorded=" << unrecorded << "\n";
  std::cout << "soak_samples_accepted=" << info.feed.accepted << "\n";
  uint64_t rejected = 0;
  for (uint64_t n : info.feed.rejected) rejected += n;
  std::cout << "soak_samples_rejected=" << rejected << "\n";
  std::error_code ec;
  const auto hist_bytes = std::filesystem::file_size(lo.history, ec);
  std::cout << "soak_history_mb=" << (ec ? 0.0 : static_cast<double>(hist_bytes) / (1024.0 * 1024.0)) << "\n";
  std::cout << "soak_errors=" << errors << std::endl;
  if (!scratch.empty()) std::filesystem::remove_all(scratch, ec);
  return 0;
}

}  // namespace parktwin::bench
