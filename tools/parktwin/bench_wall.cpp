// `parktwin bench wall [--nodes N]`: a video wall on this machine — the master and N node
// processes (this executable's `wall` command) on loopback, rendering offscreen — with one node
// killed (SIGKILL) halfway. Prints the machine, the conditions and the wall's figures as name=value
// lines, with the bars of issue 10 beside them (printed, not checked: this is a benchmark).
#include "bench_wall.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "parktwin/app/wall_stitch.h"
#include "parktwin/render/image_diff.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/scene.h"
#include "parktwin/wall/layout.h"

extern char** environ;

namespace parktwin::bench {

namespace {

namespace fs = std::filesystem;

/// A child process of the bench, its output in a log file.
struct Child {
  pid_t pid = -1;
  bool done = false;
  int status = 0;
};

std::optional<Child> spawn(const std::vector<std::string>& args, const std::string& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Child c;
  const int rc = posix_spawn(&c.pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    std::cerr << "parktwin bench wall: cannot start " << args[0] << ": " << std::strerror(rc) << "\n";
    return std::nullopt;
  }
  return c;
}

/// True once the child has exited (reaped).
bool exited(Child& c) {
  if (c.done || c.pid <= 0) return true;
  if (waitpid(c.pid, &c.status, WNOHANG) == c.pid) c.done = true;
  return c.done;
}

void stop(Child& c, int sig) {
  if (!exited(c)) kill(c.pid, sig);
}

/// Waits up to `seconds` for the child to exit; true when it did.
bool wait_exit(Child& c, double seconds) {
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  while (!exited(c)) {
    if (Clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(f, l);) lines.push_back(l);
  return lines;
}

/// One counted frame as the master prints it: "wall master: frame N ready R late L dropped D wait_ms W".
struct FrameLine {
  uint64_t frame = 0;
  int ready = 0, late = 0, dropped = 0;
  double wait_ms = 0;
  int labels = -1, caption = -1;  ///< the overlay the master sent (-1: not said)
};

std::vector<FrameLine> frame_lines(const std::vector<std::string>& log) {
  std::vector<FrameLine> out;
  for (const std::string& l : log) {
    FrameLine f;
    unsigned long long n = 0;
    if (std::sscanf(l.c_str(), "wall master: frame %llu ready %d late %d dropped %d wait_ms %lf labels %d caption %d", &n,
                    &f.ready, &f.late, &f.dropped, &f.wait_ms, &f.labels, &f.caption) >= 5) {
      f.frame = n;
      out.push_back(f);
    }
  }
  return out;
}

/// The name=value words of the master's summary lines.
std::map<std::string, std::string> summary_values(const std::vector<std::string>& log) {
  std::map<std::string, std::string> kv;
  for (const std::string& l : log) {
    if (l.rfind("wall master: ", 0) != 0 || l.find('=') == std::string::npos) continue;
    std::istringstream words(l);
    for (std::string w; words >> w;)
      if (const size_t eq = w.find('='); eq != std::string::npos) kv[w.substr(0, eq)] = w.substr(eq + 1);
  }
  return kv;
}

bool log_has(const std::string& path, const std::string& text) {
  for (const std::string& l : read_lines(path))
    if (l.find(text) != std::string::npos) return true;
  return false;
}

/// Polls `ok` every 100 ms for up to `seconds` while `master` runs; true when it held.
template <typename F>
bool wait_for(Child& master, double seconds, F ok) {
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < until) {
    if (ok()) return true;
    if (exited(master)) return ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

int run_bench_wall(int argc, char** argv) {
  int nodes = 8, frames = 40;
  double fps = 5.0;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--nodes" || a == "--frames" || a == "--fps") && i + 1 < argc) {
      const double v = std::atof(argv[++i]);
      if (a == "--nodes") nodes = static_cast<int>(v);
      else if (a == "--frames") frames = static_cast<int>(v);
      else fps = v;
    } else {
      std::cerr << "parktwin bench wall: unknown argument " << a << " (--nodes N, --frames N, --fps X)\n";
      return 2;
    }
  }
  if (nodes < 2 || nodes > 32 || frames < 10 || !(fps > 0.0 && fps <= 60.0)) {
    std::cerr << "parktwin bench wall: --nodes in [2, 32], --frames at least 10, --fps in (0, 60]\n";
    return 2;
  }
  // The wall: 2 rows of 320x180 panels (256x144 mm, 2 mm bezels), at least 4 columns, one panel a
  // node when there are 8 (uniform_layout spreads the panels over the nodes otherwise).
  const int cols = std::max(4, (nodes + 1) / 2), rows = 2;
  const uint32_t panel_w = 320, panel_h = 180;
  const double bezel_mm = 2.0;
  const wall::Layout layout = wall::uniform_layout(cols, rows, panel_w, panel_h, 256.0, 144.0, bezel_mm, nodes);
  const std::vector<std::string> ids = wall::node_ids(layout);
  const wall::WallPixels wp = wall::wall_pixels(layout);
  const int barrier_timeout_ms = 2000, drop_after_ms = 1000;
  const std::string at = "2026-07-01T02:00:00Z";
  const std::string tour = scene::default_asset_dir() + "/tours/province.json";

  const fs::path dir = fs::temp_directory_path() / ("parktwin-bench-wall-" + std::to_string(getpid()));
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  const std::string layout_file = (dir / "layout.json").string();
  std::ofstream(layout_file) << wall::layout_to_json(layout);
  const std::string endpoints = (dir / "endpoints").string(), master_log = (dir / "master.log").string();

  std::string device = "unknown";
  if (auto r = render::Renderer::create({}); r) {
    const auto& info = (*r)->device_info();
    device = info.name + " (" + info.type + ", Vulkan " + info.api_version + ")";
  }
  std::printf("machine_cpu=%s\nmachine_cores=%u\ndevice=%s\n", cpu_model().c_str(), std::thread::hardware_concurrency(),
              device.c_str());
  std::printf("conditions=Release build, offscreen, one master and %d node processes on this machine over ZeroMQ "
              "on loopback (tcp://127.0.0.1), wall %dx%d panels of %ux%u px with %.0f mm bezels (%ux%u px in all, "
              "%zu panels over %zu nodes), province tour at %.3g fps for %d counted frames, sim:// data at %s; the "
              "master also renders the whole wall each frame (--reference) and every process writes its PNGs; "
              "barrier timeout %d ms, drop after %d ms of silence; one node SIGKILLed after half the frames and "
              "not restarted; wall_barrier_p50_ms/p99_ms are the barrier overhead (BarrierReport::overhead_ms: the "
              "wait minus the slowest node's render) over the steady frames (every live node ready in time, none "
              "dropped), wall_barrier_wait_* the raw wait over the same frames; stitch tolerance %d levels a "
              "channel (the golden tolerance); work folder %s\n",
              nodes, cols, rows, panel_w, panel_h, bezel_mm, wp.width, wp.height, layout.panels.size(), ids.size(),
              fps, frames, at.c_str(), barrier_timeout_ms, drop_after_ms, render::kGoldenChannelLevels,
              dir.string().c_str());
  std::fflush(stdout);

  const std::string exe = fs::read_symlink("/proc/self/exe").string();
  const std::vector<std::string> common = {"--layout", layout_file, "--history", "none"};
  std::vector<std::string> margs = {exe, "wall"};
  margs.insert(margs.end(), common.begin(), common.end());
  for (const std::string& a :
       {std::string("--frame-endpoint"), std::string("tcp://127.0.0.1:*"), std::string("--sync-endpoint"),
        std::string("tcp://127.0.0.1:*"), std::string("--endpoints-file"), endpoints, std::string("--wall-frames"),
        std::to_string(frames), std::string("--fps"), std::to_string(fps), std::string("--reference"),
        std::string("--offscreen"), dir.string(), std::string("--tour"), tour, std::string("--at"), at,
        std::string("--feed"), std::string("sim://"), std::string("--barrier-timeout"),
        std::to_string(barrier_timeout_ms), std::string("--drop-after"), std::to_string(drop_after_ms)})
    margs.push_back(a);
  auto master = spawn(margs, master_log);
  if (!master) return 1;
  std::vector<Child> children;
  auto fail = [&](const std::string& why) {
    std::cerr << "parktwin bench wall: " << why << " (logs in " << dir.string() << ")\n";
    for (Child& c : children) stop(c, SIGTERM);
    stop(*master, SIGTERM);
    for (Child& c : children) (void)(wait_exit(c, 5) || (stop(c, SIGKILL), wait_exit(c, 5)));
    (void)(wait_exit(*master, 5) || (stop(*master, SIGKILL), wait_exit(*master, 5)));
    return 1;
  };
  if (!wait_for(*master, 120, [&] { return fs::exists(endpoints); })) return fail("the master never wrote its endpoints");
  const std::vector<std::string> ep = read_lines(endpoints);
  if (ep.size() < 2) return fail("the master's endpoints file is incomplete");
  const auto t_nodes = Clock::now();
  for (const std::string& id : ids) {
    std::vector<std::string> nargs = {exe, "wall"};
    nargs.insert(nargs.end(), common.begin(), common.end());
    for (const std::string& a : {std::string("--node"), id, std::string("--frame-endpoint"), ep[0],
                                 std::string("--sync-endpoint"), ep[1], std::string("--offscreen"), dir.string()})
      nargs.push_back(a);
    auto c = spawn(nargs, (dir / (id + ".log")).string());
    if (!c) return fail("cannot start node " + id);
    children.push_back(*c);
  }
  const std::string all_live = "all " + std::to_string(ids.size()) + " nodes live";
  if (!wait_for(*master, 240, [&] { return log_has(master_log, all_live); })) return fail("not every node became live");
  const double join_s = ms_since(t_nodes) / 1000.0;
  // Half the frames with every node, then one node dies. The tiles of a frame all nodes were ready
  // for are written before those nodes report ready for the next one: frame k is whole on disk once
  // the master has printed frame k + 1 with every node ready.
  const size_t victim = ids.size() / 2 - 1;
  uint64_t stitch_frame = 0;
  if (!wait_for(*master, 600, [&] {
        const auto fl = frame_lines(read_lines(master_log));
        if (fl.size() < static_cast<size_t>(frames / 2)) return false;
        const FrameLine& a = fl[fl.size() - 2];
        const FrameLine& b = fl.back();
        if (a.ready != static_cast<int>(ids.size()) || b.ready != static_cast<int>(ids.size())) return false;
        stitch_frame = a.frame;
        return true;
      }))
    return fail("the wall did not run half its frames with every node");
  kill(children[victim].pid, SIGKILL);
  (void)wait_exit(children[victim], 5);
  if (!wait_exit(*master, 600)) return fail("the master did not finish its frames");
  for (Child& c : children) stop(c, SIGTERM);
  for (Child& c : children) (void)(wait_exit(c, 10) || (stop(c, SIGKILL), wait_exit(c, 5)));
  if (!WIFEXITED(master->status) || WEXITSTATUS(master->status) != 0) return fail("the master failed");

  const std::vector<std::string> log = read_lines(master_log);
  const std::vector<FrameLine> fl = frame_lines(log);
  auto kv = summary_values(log);
  auto value = [&](const std::string& k) { return kv.count(k) ? kv[k] : std::string("nan"); };
  int full = 0;
  for (const FrameLine& f : fl) full += f.ready == static_cast<int>(ids.size());
  auto stitch = app::wall_stitch_diff(layout, dir.string(), stitch_frame, render::kGoldenChannelLevels);
  const double frame_ms = 1000.0 / fps;
  std::printf("wall_nodes=%zu\nwall_panels=%zu\nwall_panel_px=%ux%u\nwall_px=%ux%u\nwall_fps_target=%.3g\n"
              "wall_frames=%zu\nwall_frames_all_nodes=%d\nwall_join_s=%.2f\n",
              ids.size(), layout.panels.size(), panel_w, panel_h, wp.width, wp.height, fps, fl.size(), full, join_s);
  std::printf("wall_barrier_timeout_ms=%d\nwall_drop_after_ms=%d\n", barrier_timeout_ms, drop_after_ms);
  std::printf("wall_skew_frames_max=%s\nwall_skew_frames_max_bar=0\n", value("skew_frames_max").c_str());
  std::printf("wall_barrier_p50_ms=%s\nwall_barrier_p99_ms=%s\nwall_barrier_p99_ms_bar=<5\n",
              value("steady_overhead_p50_ms").c_str(), value("steady_overhead_p99_ms").c_str());
  std::printf("wall_barrier_steady_frames=%s\nwall_barrier_wait_p50_ms=%s\nwall_barrier_wait_p99_ms=%s\n",
              value("steady_frames").c_str(), value("steady_wait_p50_ms").c_str(), value("steady_wait_p99_ms").c_str());
  std::printf("wall_state_bytes_per_frame=%s\nwall_wire_bytes_per_frame=%s\n", value("state_bytes_per_frame").c_str(),
              value("wire_bytes_per_frame").c_str());
  if (stitch) {
    std::printf("wall_stitch_frame=%llu\nwall_stitch_diff_pct=%.4f\nwall_stitch_max_channel=%d\n",
                static_cast<unsigned long long>(stitch_frame), stitch->diff_pct, stitch->max_channel);
    // The overlay on that frame: what the master placed, and how much of the nodes' picture it
    // covers (pixels differing from the master's render without it).
    for (const FrameLine& f : fl)
      if (f.frame == stitch_frame) std::printf("wall_stitch_labels=%d\nwall_stitch_caption=%d\n", f.labels, f.caption);
    if (auto bare = app::wall_stitch_diff(layout, dir.string(), stitch_frame, render::kGoldenChannelLevels, "bare"))
      std::printf("wall_overlay_pct=%.2f\n", bare->diff_pct);
  } else
    std::printf("wall_stitch_diff_pct=nan\nwall_stitch_error=%s\n", stitch.error().message.c_str());
  std::printf("wall_stitch_diff_pct_bar=<0.5\n");
  // The drop's cost: the killed node's NodeStatus::drop_stall_ms (every barrier stall from its last
  // report to its drop), then the BarrierReport of the frame that dropped it (its stall and wait).
  std::printf("wall_node_killed=%s\nwall_node_drop_frame=%s\nwall_node_drop_stall_ms=%s\n"
              "wall_node_drop_stall_ms_bar=<=%.0f\nwall_node_drop_frame_stall_ms=%s\nwall_node_drop_frame_wait_ms=%s\n",
              ids[victim].c_str(), value("frame").c_str(), value("stall_since_heard_ms").c_str(),
              drop_after_ms + frame_ms, value("stall_ms").c_str(), value("wait_ms").c_str());
  std::fflush(stdout);
  // The work folder goes (it stays when something failed, above); the stitched picture is kept.
  if (stitch) {
    const fs::path keep = fs::temp_directory_path() / "parktwin-bench-wall-stitched.png";
    fs::copy_file(stitch->stitched, keep, fs::copy_options::overwrite_existing, ec);
    std::printf("wall_stitch_png=%s\n", keep.string().c_str());
  }
  fs::remove_all(dir, ec);
  return 0;
}

}  // namespace parktwin::bench
