// `parktwin bench --layer FILE`: the data path of any OGR layer, measured from a cold process.
// The parent (this file) re-executes this binary as a child (fork + execv of /proc/self/exe with
// the hidden --bench-child); the child (bench_layer_child.cpp) loads the layer, creates the
// renderer, uploads, renders the first offscreen frame and then N steady frames, and prints raw
// figures (CLOCK_MONOTONIC stamps included) on a pipe. The parent turns them into name=value
// lines. Nothing is asserted.
#include "bench_layer.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "args.h"
#include "bench_util.h"
#include "bench_layer_child.h"

namespace parktwin::bench {
namespace {

using layer_child::kWarmupFrames;

// --- the parent: starts the child and turns its lines into figures ---------------------------

std::vector<std::string> child_args(const LayerBenchOptions& o) {
  std::vector<std::string> a{"parktwin", "bench", "--layer", o.layer};
  if (!o.height_attr.empty()) a.insert(a.end(), {"--height-attr", o.height_attr});
  if (!o.look.empty()) a.insert(a.end(), {"--look", o.look});
  if (!o.tile_cache.empty()) a.insert(a.end(), {"--tile-cache", o.tile_cache});
  if (!o.lods) a.push_back("--no-lod");
  if (!o.head_start) a.push_back("--no-head-start");
  if (!o.warm_up) a.push_back("--no-warm-up");
  if (!o.outlines_later) a.push_back("--first-frame-outlines");
  if (!o.first_frame_hold) a.push_back("--no-first-frame-hold");
  if (o.worker_nice >= 0) a.insert(a.end(), {"--worker-nice", std::to_string(o.worker_nice)});
  if (o.stream_ahead_mb >= 0) a.insert(a.end(), {"--stream-ahead-mb", std::to_string(o.stream_ahead_mb)});
  if (o.mesh_budget_mb) a.insert(a.end(), {"--mesh-budget-mb", std::to_string(o.mesh_budget_mb)});
  a.insert(a.end(), {"--size", std::to_string(o.width) + "x" + std::to_string(o.height), "--frames",
                     std::to_string(o.frames), "--msaa", std::to_string(o.msaa), "--bench-child"});
  return a;
}

}  // namespace



bool parse_size(const std::string& s, uint32_t& w, uint32_t& h) {
  const size_t x = s.find('x');
  if (x == std::string::npos) return false;
  const auto a = args::whole_in(s.substr(0, x), 1, 16384), b = args::whole_in(s.substr(x + 1), 1, 16384);
  if (!a || !b) return false;
  w = static_cast<uint32_t>(*a);
  h = static_cast<uint32_t>(*b);
  return true;
}

void print_machine() {
  std::cout << "machine_cpu=" << cpu_model() << "\n";
  std::cout << "machine_cores=" << std::thread::hardware_concurrency() << "\n";
  std::ifstream la("/proc/loadavg");
  double l1 = 0, l5 = 0, l15 = 0;
  if (la >> l1 >> l5 >> l15) std::cout << "machine_load_avg=" << l1 << " " << l5 << " " << l15 << "\n";
#ifdef NDEBUG
  std::cout << "build=optimised (NDEBUG)\n";
#else
  std::cout << "build=debug (assertions on)\n";
#endif
}

gis::Result<Figures> measure_layer(const LayerBenchOptions& o) {
  const std::vector<std::string> args = child_args(o);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return gis::Failure(gis::Failure::GeneralError, std::string("pipe: ") + std::strerror(errno));
  std::cout.flush();
  std::fflush(nullptr);
  // The first frame is timed from here: fork and exec, dynamic loading and everything after count.
  const int64_t start_ns = clock_ns(CLOCK_MONOTONIC);
  const pid_t pid = fork();
  if (pid == 0) {  // only async-signal-safe calls until exec
    dup2(fds[1], STDOUT_FILENO);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    return gis::Failure(gis::Failure::GeneralError, std::string("fork: ") + std::strerror(errno));
  }
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  std::map<std::string, std::string> raw;
  Figures order;  // the child's lines as printed
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    raw[line.substr(0, eq)] = line.substr(eq + 1);
    order.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  if (raw.count("error")) return gis::Failure(gis::Failure::GeneralError, raw["error"]);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !raw.count("mono_first_frame_ns")) {
    const std::string how = !WIFSIGNALED(status)         ? "exited with " + std::to_string(WEXITSTATUS(status))
                            : WTERMSIG(status) == SIGKILL ? std::string("was killed (SIGKILL: out of memory?)")
                                                          : "was killed by signal " + std::to_string(WTERMSIG(status));
    return gis::Failure(gis::Failure::GeneralError, "the bench process " + how + " before its figures");
  }
  auto stamp_s = [&](const char* key) { return static_cast<double>(std::stoll(raw[key]) - start_ns) * 1e-9; };
  Figures f;
  for (auto& [k, v] : order) {
    if (k.rfind("mono_", 0) == 0 || k == "child_peak_rss_mb" || k == "pipelines_ms") continue;
    f.emplace_back(k, v);
    if (k == "renderer_create_s") {
      if (raw.count("pipelines_ms")) {
        f.emplace_back("pipelines_s", fixed(std::stod(raw["pipelines_ms"]) / 1000.0, 3));
        f.emplace_back("pipelines_s_is", "RenderStats::pipelines_ms");
      } else {
        // A renderer that does not report RenderStats::pipelines_ms: its creation (instance,
        // device, passes, every pipeline) is the closest honest figure.
        f.emplace_back("pipelines_s", v);
        f.emplace_back("pipelines_s_is", "renderer creation (Vulkan instance, device, passes and pipelines)");
      }
    }
    if (k == "upload_s") {
      f.emplace_back("exec_to_main_s", fixed(stamp_s("mono_main_ns"), 3));
      // The two paths to the first frame, each from the process start: the renderer created and
      // warmed up, and the first tile of the layer in the scene. The later one gates it.
      f.emplace_back("renderer_ready_s", fixed(stamp_s("mono_renderer_ready_ns"), 3));
      f.emplace_back("first_tile_s", fixed(stamp_s("mono_first_tile_ns"), 3));
      f.emplace_back("first_frame_s", fixed(stamp_s("mono_first_frame_ns"), 3));
      f.emplace_back("complete_frame_s", fixed(stamp_s("mono_complete_frame_ns"), 3));
    }
  }
  f.emplace_back("peak_rss_mb", fixed(static_cast<double>(ru.ru_maxrss) / 1024.0, 1));
  return f;
}

int run_bench_layer(int argc, char** argv) {
  LayerBenchOptions o;
  bool child = false;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "parktwin bench: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--layer") {
      o.layer = value();
    } else if (a == "--height-attr") {
      o.height_attr = value();
    } else if (a == "--look") {
      o.look = value();
    } else if (a == "--tile-cache") {
      o.tile_cache = value();
      if (o.tile_cache == "none") o.tile_cache.clear();  // as in the viewer: no cache (the default here)
    } else if (a == "--size") {
      const std::string v = value();
      if (!parse_size(v, o.width, o.height)) {
        std::cerr << "parktwin bench: --size wants WIDTHxHEIGHT, each side 1 to 16384 (got '" << v << "')\n";
        return 2;
      }
    } else if (a == "--frames") {
      const std::string v = value();
      const auto n = args::whole_in(v, 1, 10000);
      if (!n) {
        std::cerr << "parktwin bench: --frames wants a whole count in [1, 10000] (got '" << v << "')\n";
        return 2;
      }
      o.frames = static_cast<int>(*n);
    } else if (a == "--msaa") {
      const std::string v = value();
      if (v != "1" && v != "4") {
        std::cerr << "parktwin bench: --msaa takes 1 or 4\n";
        return 2;
      }
      o.msaa = static_cast<uint32_t>(std::stoi(v));
    } else if (a == "--no-lod") {
      o.lods = false;
    } else if (a == "--no-head-start") {
      o.head_start = false;
    } else if (a == "--no-warm-up") {
      o.warm_up = false;
    } else if (a == "--first-frame-outlines") {
      o.outlines_later = false;
    } else if (a == "--no-first-frame-hold") {
      o.first_frame_hold = false;
    } else if (a == "--worker-nice") {
      const auto n = args::whole_in(value(), 0, 19);
      if (!n) {
        std::cerr << "parktwin bench: --worker-nice takes a whole number from 0 to 19\n";
        return 2;
      }
      o.worker_nice = static_cast<int>(*n);
    } else if (a == "--stream-ahead-mb") {
      const auto n = args::whole_in(value(), 0, 1e6);
      if (!n) {
        std::cerr << "parktwin bench: --stream-ahead-mb takes a whole number of MiB from 0 (no limit) to 1e6\n";
        return 2;
      }
      o.stream_ahead_mb = static_cast<int64_t>(*n);
    } else if (a == "--mesh-budget-mb") {
      const auto n = args::whole_in(value(), 1, 1e9);
      if (!n) {
        std::cerr << "parktwin bench: --mesh-budget-mb takes a whole number of MiB from 1 to 1e9\n";
        return 2;
      }
      o.mesh_budget_mb = static_cast<uint64_t>(*n);
    } else if (a == "--bench-child") {
      child = true;
    } else {
      std::cerr << "parktwin bench: unknown option " << a << " with --layer (see `parktwin --help`)\n";
      return 2;
    }
  }
  if (o.layer.empty()) {
    std::cerr << "parktwin bench: --layer FILE needed\n";
    return 2;
  }
  if (child) return layer_child::run_child(o);

  print_machine();
  std::cout << "conditions=offscreen, no readback, a plain layer render (no overlay, labels or flows), "
               "a cold process (fork + exec) per run; frame_ms: median of "
            << o.frames << " frames after " << kWarmupFrames << " untimed\n";
  std::cout << "layer=" << o.layer << "\n";
  std::cout << "size=" << o.width << "x" << o.height << "\n";
  auto f = measure_layer(o);
  if (!f) {
    std::cerr << "parktwin bench: " << f.error().message << "\n";
    return 1;
  }
  for (const auto& [k, v] : *f) std::cout << k << "=" << v << "\n";
  return 0;
}

}  // namespace parktwin::bench
