// `parktwin bench record`: the recording pipeline's rate on the shipped province tour.
#include "bench_record.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "bench_util.h"
#include "parktwin/scene/scene.h"

namespace parktwin::bench {

int run_bench_record(const app::AppOptions& base) {
  namespace fs = std::filesystem;
  const std::string tour = scene::default_asset_dir() + "/tours/province.json";
  const fs::path dir = fs::temp_directory_path() / "parktwin-bench-record";
  std::printf("machine_cpu=%s\n", cpu_model().c_str());
  std::printf("conditions=Release build, offscreen, MSAA %u, province tour from its start at 30 fps, "
              "sim:// data at 2026-07-01T02:00:00Z, frames written as PNG to %s, scene load excluded\n",
              base.msaa, dir.string().c_str());
  struct Size {
    uint32_t w, h;
    int frames;
  };
  for (const Size sz : {Size{1920, 1080, 12}, Size{3840, 2160, 6}}) {
    app::AppOptions o = base;
    o.width = sz.w;
    o.height = sz.h;
    o.view = "province";
    o.feed = "sim://";
    o.feed_given = true;
    o.at = "2026-07-01T02:00:00Z";
    app::RecordStats stats;
    app::RecordOptions r;
    r.tour = tour;
    r.fps = 30.0;
    r.out_dir = (dir / (std::to_string(sz.w) + "x" + std::to_string(sz.h))).string();
    r.max_frames = sz.frames;
    r.stats = &stats;
    r.progress = false;
    std::error_code ec;
    fs::remove_all(r.out_dir, ec);
    if (const int rc = app::run_record(o, r); rc != 0) return rc;
    const double fps = stats.frame_loop_s > 0.0 ? static_cast<double>(stats.frames) / stats.frame_loop_s : 0.0;
    std::printf("record_%ux%u_frames=%lld\nrecord_%ux%u_fps=%.3f\n", sz.w, sz.h, static_cast<long long>(stats.frames), sz.w,
                sz.h, fps);
    std::fflush(stdout);
    fs::remove_all(r.out_dir, ec);
  }
  return 0;
}

}  // namespace parktwin::bench
