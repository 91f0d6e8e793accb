// `parktwin bench scale [--max 1m|10m] [--keep DIR]`: generates 100k, 1M (and 10M) footprints
// with the dataset tool's generator (the deck.gl peer's layout, seed 42, FlatGeobuf with its
// spatial index), runs the general bench on each in a cold process with the same camera, and
// prints every figure as scale_<n>_<figure>, then the ratios and the bars as
// informational lines. Nothing is asserted.
#include "bench_scale.h"

#include <stdlib.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "args.h"
#include "bench_layer.h"
#include "bench_util.h"
#include "footprints.hpp"
#include "parktwin/scene/residency.h"

namespace parktwin::bench {
namespace {

// The peer harness's default camera (deck.gl 116.0E 28.7N, zoom 13.49, pitch 50, bearing 30):
// it frames the middle of the grid, about the 100k square.
constexpr const char* kLook = "116.0,28.7,9650,30,40";

struct Size {
  const char* name;
  uint64_t n;
};


}  // namespace

int run_bench_scale(int argc, char** argv) {
  std::string max = "1m", keep;
  double assume_memory_mb = 0.0;  // --assume-memory-gb: instead of MemAvailable
  LayerBenchOptions base;
  base.look = kLook;
  base.height_attr = "height";
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "parktwin bench scale: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--max") {
      max = value();
      if (max != "100k" && max != "1m" && max != "10m") {
        std::cerr << "parktwin bench scale: --max takes 100k, 1m or 10m\n";
        return 2;
      }
    } else if (a == "--keep") {
      keep = value();
    } else if (a == "--frames") {
      const auto n = args::whole_in(value(), 1, 10000);  // '5x' or '' refused, not read as 5 or 0
      if (!n) {
        std::cerr << "parktwin bench scale: --frames wants a count in [1, 10000]\n";
        return 2;
      }
      base.frames = static_cast<int>(*n);
    } else if (a == "--mesh-budget-mb") {
      const auto n = args::whole_in(value(), 1, 1e9);
      if (!n) {
        std::cerr << "parktwin bench scale: --mesh-budget-mb wants a whole number of MiB from 1 to 1e9\n";
        return 2;
      }
      base.mesh_budget_mb = static_cast<uint64_t>(*n);
    } else if (a == "--assume-memory-gb") {
      // For machines whose memory grows as it is used (a VM with a balloon), where MemAvailable
      // at the start says less than the machine will give.
      const auto n = args::whole_in(value(), 1, 1e6);
      if (!n) {
        std::cerr << "parktwin bench scale: --assume-memory-gb wants a whole number of GiB from 1 to 1e6\n";
        return 2;
      }
      assume_memory_mb = *n * 1024.0;
    } else if (a == "--size") {
      const std::string v = value();
      if (!parse_size(v, base.width, base.height)) {
        std::cerr << "parktwin bench scale: --size wants WIDTHxHEIGHT (got '" << v << "')\n";
        return 2;
      }
    } else {
      std::cerr << "parktwin bench scale: unknown option " << a
                << " (options: --max 100k|1m|10m, --keep DIR, --frames N, --size WxH, --mesh-budget-mb N, "
                   "--assume-memory-gb N)\n";
      return 2;
    }
  }
  std::vector<Size> sizes{{"100k", 100000}};
  if (max != "100k") sizes.push_back({"1m", 1000000});
  if (max == "10m") sizes.push_back({"10m", 10000000});

  // Datasets: kept (and reused by name) in --keep DIR, else in a temporary folder removed at the end.
  std::filesystem::path dir;
  bool temporary = false;
  std::error_code ec;
  if (!keep.empty()) {
    dir = keep;
    std::filesystem::create_directories(dir, ec);
  } else {
    std::string tmpl = (std::filesystem::temp_directory_path() / "parktwin-scale-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      std::cerr << "parktwin bench scale: cannot make a temporary folder\n";
      return 1;
    }
    dir = tmpl;
    temporary = true;
  }

  print_machine();
  std::cout << "conditions=offscreen " << base.width << "x" << base.height << ", MSAA " << base.msaa
            << "x, no readback, a plain layer render, a cold process (fork + exec) per size; frame_ms: median of "
            << base.frames << " frames"
            << (base.mesh_budget_mb ? ", building meshes within " + std::to_string(base.mesh_budget_mb) + " MiB nearest the camera (every feature read)"
                                    : std::string())
            << "\n";
  std::cout << "scale_camera_look=" << kLook << "\n";
  std::cout << "scale_data=footprints (the deck.gl peer's layout, seed 42), FlatGeobuf with spatial index, in "
            << dir.string() << (temporary ? " (temporary)" : "") << "\n";

  std::map<std::string, std::map<std::string, double>> num;  // size -> figure -> value
  for (const Size& sz : sizes) {
    const std::string p = std::string("scale_") + sz.name + "_";
    // 10M after 1M: when ten times 1M's peak memory will not fit, say so rather than wake the
    // kernel's OOM killer on a shared machine.
    if (sz.n == 10000000 && num["1m"].count("peak_rss_mb")) {
      // With a mesh budget the meshes (and, on a CPU device, the "GPU" memory that holds their
      // copy) do not grow with the layer: only the rest is counted ten times.
      const auto& m = num["1m"];
      const double fixed_mb = base.mesh_budget_mb && m.count("meshes_resident_mb") && m.count("gpu_memory_mb")
                                  ? m.at("meshes_resident_mb") + m.at("gpu_memory_mb")
                                  : 0.0;
      const double need_mb = 10.0 * (m.at("peak_rss_mb") - fixed_mb) + fixed_mb;
      const double have_mb = assume_memory_mb > 0 ? assume_memory_mb : static_cast<double>(scene::host_memory_available_bytes()) / (1024.0 * 1024.0);
      if (have_mb > 0 && need_mb > 0.9 * have_mb) {
        std::cout << p << "skipped=needs about " << fixed(need_mb / 1024.0, 0) << " GiB of memory (10x the 1M run's peak"
                  << (fixed_mb > 0 ? " less its budgeted meshes" : "") << "), "
                  << fixed(have_mb / 1024.0, 0) << " GiB available"
                  << (assume_memory_mb > 0 ? " (--assume-memory-gb)" : "") << "\n";
        continue;
      }
    }
    const std::filesystem::path file = dir / ("footprints_" + std::string(sz.name) + "_s42.fgb");
    if (!temporary && std::filesystem::exists(file)) {
      std::cout << p << "generate_s=cached\n";
    } else {
      // Written beside and renamed, so an interrupted run never leaves a file that looks complete.
      const std::filesystem::path part = file.string() + ".part.fgb";
      try {
        dataset::FootprintOptions fo;
        fo.n = sz.n;
        const auto st = dataset::write_footprints(part.string(), fo);
        std::filesystem::rename(part, file);
        std::cout << p << "generate_s=" << fixed(st.seconds, 2) << "\n";
      } catch (const std::exception& e) {
        std::cout << p << "error=" << e.what() << "\n";
        continue;
      }
    }
    std::cout << p << "file_mb=" << fixed(static_cast<double>(std::filesystem::file_size(file, ec)) / 1048576.0, 1) << "\n";
    std::cout.flush();
    LayerBenchOptions o = base;
    o.layer = file.string();
    auto f = measure_layer(o);
    if (!f) {
      std::cout << p << "error=" << f.error().message << "\n";
      continue;
    }
    for (const auto& [k, v] : *f) {
      if (k == "layer") continue;
      std::cout << p << k << "=" << v << "\n";
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (end != v.c_str() && *end == '\0') num[sz.name][k] = x;
    }
    std::cout.flush();
  }
  if (temporary) std::filesystem::remove_all(dir, ec);

  // Ratios and the bars (informational: read off, never asserted).
  auto have = [&](const char* n, const char* k) { return num.count(n) && num[n].count(k) && num[n][k] > 0; };
  auto ratio = [&](const char* k) { return num["1m"][k] / num["100k"][k]; };
  if (have("100k", "frame_ms") && have("1m", "frame_ms")) {
    const double fr = ratio("frame_ms");
    std::cout << "scale_1m_over_100k_frame_ms=" << fixed(fr, 2) << "\n";
    std::cout << "bar_scale_1m_frame_ms_at_most_3x_100k=" << (fr <= 3.0 ? "met" : "not met") << " (" << fixed(fr, 2) << "x)\n";
  }
  if (have("100k", "first_frame_s") && have("1m", "first_frame_s")) {
    const double fr = ratio("first_frame_s");
    std::cout << "scale_1m_over_100k_first_frame_s=" << fixed(fr, 2) << "\n";
    std::cout << "bar_scale_1m_first_frame_s_at_most_4x_100k=" << (fr <= 4.0 ? "met" : "not met") << " (" << fixed(fr, 2)
              << "x)\n";
  }
  if (have("1m", "frame_cpu_ms")) {
    const double c = num["1m"]["frame_cpu_ms"];
    std::cout << "bar_scale_1m_frame_cpu_ms_under_2=" << (c < 2.0 ? "met" : "not met") << " (" << fixed(c, 3) << " ms)\n";
  }
  if (have("10m", "frame_ms") && have("100k", "frame_ms"))
    std::cout << "scale_10m_over_100k_frame_ms=" << fixed(num["10m"]["frame_ms"] / num["100k"]["frame_ms"], 2) << "\n";
  return 0;
}

}  // namespace parktwin::bench
