// `parktwin bench record`: the recording pipeline's rate on the shipped province tour.
#include "bench_record.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "bench_util.h"
#include "parktwin/app/video_writer.h"
#include "parktwin/scene/scene.h"

namespace parktwin::bench {

int run_bench_record(const app::AppOptions& base) {
  namespace fs = std::filesystem;
  const std::string tour = scene::default_asset_dir() + "/tours/province.json";
  const fs::path dir = fs::temp_directory_path() / "parktwin-bench-record";
  std::printf("machine_cpu=%s\n", cpu_model().c_str());
  const app::VideoSettings video;
  std::printf("conditions=Release build, offscreen, MSAA %u, province tour from its start at 30 fps, "
              "sim:// data at 2026-07-01T02:00:00Z, frames written as PNG files and as H.264/MP4 (libx264 preset %s, "
              "crf %d, %d encoder threads; encoder flush included) under %s, scene load excluded\n",
              base.msaa, video.preset.c_str(), video.crf, video.threads, dir.string().c_str());
  struct Size {
    uint32_t w, h;
    int frames;
  };
  for (const Size sz : {Size{1920, 1080, 12}, Size{3840, 2160, 6}})
    for (const bool mp4 : {false, true}) {
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
      const std::string name = std::to_string(sz.w) + "x" + std::to_string(sz.h);
      r.out = (dir / (mp4 ? name + ".mp4" : name)).string();
      r.max_frames = sz.frames;
      r.stats = &stats;
      r.progress = false;
      std::error_code ec;
      fs::remove_all(r.out, ec);
      if (const int rc = app::run_record(o, r); rc != 0) return rc;
      const double fps = stats.frame_loop_s > 0.0 ? static_cast<double>(stats.frames) / stats.frame_loop_s : 0.0;
      // PNG keeps the names it always had; the MP4 figures carry _mp4.
      const char* kind = mp4 ? "_mp4" : "";
      std::printf("record_%s%s_frames=%lld\nrecord_%s%s_fps=%.3f\n", name.c_str(), kind,
                  static_cast<long long>(stats.frames), name.c_str(), kind, fps);
      if (mp4)
        std::printf("record_%s_mp4_bytes=%llu\n", name.c_str(),
                    static_cast<unsigned long long>(fs::file_size(r.out, ec)));
      std::fflush(stdout);
      fs::remove_all(r.out, ec);
    }
  return 0;
}

}  // namespace parktwin::bench
