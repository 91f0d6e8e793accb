// Save time and the kill -9 loop of `parktwin bench edit` (bench_edit_save.h).
#include "bench_edit_save.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include <gdal_utils.h>
#include <gdal_priv.h>
#include <glm/geometric.hpp>

#include <iostream>
#include <thread>

#include "bench_edit.h"
#include "bench_util.h"
#include "parktwin/edit/edit.h"
#include "parktwin/edit/store.h"
#include "parktwin/gis/reader.h"
#include "parktwin/scene/scene.h"

namespace parktwin::bench {
namespace fs = std::filesystem;
namespace {

std::string make_scratch(const std::string& given) {
  if (!given.empty()) {
    fs::create_directories(given);
    return given;
  }
  char tmpl[] = "/tmp/parktwin-bench-edit-XXXXXX";
  const char* d = ::mkdtemp(tmpl);
  return d ? d : "/tmp";
}

/// One area of the default layout (yichun_yifeng: ~390 parcels, ~960 buildings) as its own GeoPackage.
bool small_layout(const std::string& out_path, std::string& err) {
  GDALAllRegister();
  const std::string src = scene::default_asset_dir() + "/parktwin.gpkg";
  GDALDatasetH in = GDALOpenEx(src.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
  if (!in) {
    err = "cannot open " + src;
    return false;
  }
  fs::remove(out_path);
  bool ok = true;
  for (const char* layer : {"parcels", "buildings"}) {
    const bool update = fs::exists(out_path);
    std::vector<const char*> argv = {"-f", "GPKG", "-where", "area_id = 'yichun_yifeng'"};
    if (update) argv.push_back("-update");
    argv.push_back(layer);  // the layer to copy
    argv.push_back(nullptr);
    GDALVectorTranslateOptions* vo = GDALVectorTranslateOptionsNew(const_cast<char**>(argv.data()), nullptr);
    int usage = 0;
    GDALDatasetH srcs[] = {in};
    GDALDatasetH out = GDALVectorTranslate(out_path.c_str(), nullptr, 1, srcs, vo, &usage);
    GDALVectorTranslateOptionsFree(vo);
    if (!out) {
      ok = false;
      err = "cannot write " + out_path + ": " + CPLGetLastErrorMsg();
      break;
    }
    GDALClose(out);
  }
  GDALClose(in);
  return ok;
}

struct Child {
  pid_t pid = -1;
  int out = -1;
};

Child spawn(const std::vector<std::string>& args) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return {};
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(p[1], 1);
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, 2);
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
  }
  ::close(p[1]);
  return {pid, p[0]};
}

/// Reads the child's lines until `deadline_ms` passes (then kills it) or it exits.
/// `kill_after_line`: kill `delay_ms` after the first line starting with it instead.
struct RunLog {
  std::vector<std::string> lines;
  bool killed = false, killed_while_saving = false;
  int status = 0;
};
RunLog run_and_maybe_kill(const Child& c, double kill_at_ms, const std::string& kill_after_line, double delay_ms) {
  RunLog log;
  std::string buf;
  const auto start = Clock::now();
  double deadline = kill_at_ms;
  bool saving = false;
  for (;;) {
    const double now = ms_since(start);
    if (deadline >= 0 && now >= deadline) {
      ::kill(c.pid, SIGKILL);
      log.killed = true;
      log.killed_while_saving = saving;
      break;
    }
    pollfd pfd{c.out, POLLIN, 0};
    const int wait = deadline >= 0 ? std::max(0, static_cast<int>(deadline - now)) : 200;
    const int r = ::poll(&pfd, 1, std::min(wait, 200));
    if (r > 0) {
      char tmp[4096];
      const ssize_t n = ::read(c.out, tmp, sizeof tmp);
      if (n <= 0) break;  // the child closed its output: it is exiting
      buf.append(tmp, static_cast<size_t>(n));
      size_t nl;
      while ((nl = buf.find('\n')) != std::string::npos) {
        log.lines.push_back(buf.substr(0, nl));
        buf.erase(0, nl + 1);
        if (log.lines.back().rfind("saving", 0) == 0) saving = true;
        if (!kill_after_line.empty() && log.lines.back().rfind(kill_after_line, 0) == 0 && deadline < 0)
          deadline = ms_since(start) + delay_ms;
      }
    }
  }
  // Lines the child wrote before it died were flushed one by one: the pipe still holds them.
  for (;;) {
    char tmp[4096];
    const ssize_t n = ::read(c.out, tmp, sizeof tmp);
    if (n <= 0) break;
    buf.append(tmp, static_cast<size_t>(n));
  }
  size_t nl;
  while ((nl = buf.find('\n')) != std::string::npos) {
    log.lines.push_back(buf.substr(0, nl));
    buf.erase(0, nl + 1);
  }
  ::close(c.out);
  ::waitpid(c.pid, &log.status, 0);
  return log;
}

bool integrity_ok(const std::string& path, std::string& why) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    why = "cannot open";
    sqlite3_close(db);
    return false;
  }
  sqlite3_stmt* st = nullptr;
  bool ok = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW;
  if (ok) {
    const char* r = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    ok = r && std::strcmp(r, "ok") == 0;
    if (!ok) why = r ? r : "no answer";
  } else {
    why = sqlite3_errmsg(db);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return ok;
}

using Rings = std::map<int64_t, gis::Ring>;

bool read_buildings(const std::string& path, const gis::SceneFrame& frame, Rings& out, std::string& why) {
  auto l = gis::read_layer(path, "buildings", frame);
  if (!l) {
    why = l.error().message;
    return false;
  }
  if (l->report.damaged) {
    why = "damaged: " + (l->report.messages.empty() ? std::string() : l->report.messages[0]);
    return false;
  }
  for (const auto& f : l->features)
    if (!f.geom.polygons.empty()) out[f.fid] = f.geom.polygons[0].outer;
  return true;
}

bool same_ring(const gis::Ring& a, const gis::Ring& b, glm::dvec2 offset) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (glm::distance(a[i] + offset, b[i]) > 1e-4) return false;
  return true;
}

}  // namespace

bool bench_save_1000(std::ostream& out) {
  const std::string dir = make_scratch("");
  const gis::SceneFrame frame = gis::SceneFrame::jiangxi();
  std::vector<double> ms;
  std::string failure;
  for (int rep = 0; rep < 5 && failure.empty(); ++rep) {
    const std::string path = dir + "/save.gpkg";
    fs::copy_file(scene::default_asset_dir() + "/parktwin.gpkg", path, fs::copy_options::overwrite_existing);
    gis::ReadOptions ro;
    ro.layers = {"parcels", "buildings"};
    auto layers = gis::read_source(path, frame, ro);
    if (!layers) {
      failure = layers.error().message;
      break;
    }
    std::vector<gis::LayerData*> ls;
    for (auto& l : *layers) ls.push_back(&l);
    edit::EditSession s(frame, ls);
    const int bl = s.layer_index("buildings");
    // 1,000 buildings moved 5 cm east (each its own edit, as a planner's would be); refusals skipped.
    int moved = 0;
    for (const auto& f : ls[bl]->features) {
      if (moved == 1000) break;
      if (s.apply(edit::Move{"buildings", {f.fid}, {0.05, 0.0}}).ok()) ++moved;
    }
    const auto t = Clock::now();
    auto r = edit::save_changes(s, path);
    const double dt = ms_since(t);
    if (!r) failure = r.error().message;
    else if (!r->conflicts.empty()) failure = "conflicts on a private copy";
    else if (r->written != moved) failure = "wrote " + std::to_string(r->written) + " of " + std::to_string(moved);
    else ms.push_back(dt);
  }
  fs::remove_all(dir);
  if (!failure.empty()) {
    out << "save_1000_features_gpkg_error=" << failure << "\n";
    return false;
  }
  out << "save_1000_features_gpkg_ms=" << median(ms) << "\n";
  out << "save_1000_features_conditions=default dataset copy on local disk, 1000 buildings moved, one transaction, "
         "WAL, median of "
      << ms.size() << "\n";
  return true;
}

bool bench_crash(const CrashOptions& o, std::ostream& out) {
  const std::string dir = make_scratch(o.scratch);
  const gis::SceneFrame frame = gis::SceneFrame::jiangxi();
  const std::string base = dir + "/base.gpkg";
  std::string err;
  if (!small_layout(base, err)) {
    out << "crash_error=" << err << "\n";
    return false;
  }
  Rings original;
  if (!read_buildings(base, frame, original, err) || original.size() < 40) {
    out << "crash_error=cannot read the test layout: " << err << "\n";
    return false;
  }
  // 30 edits: 30 different buildings, each moved 0.25 m east (buildings at least that far from
  // their parcel's edge; the gate refuses the others, which is fine: a refused edit is never acknowledged).
  std::vector<int64_t> fids;
  for (const auto& [fid, ring] : original) {
    if (fids.size() == 30) break;
    fids.push_back(fid);
  }
  const glm::dvec2 offset(0.25, 0.0);
  const std::string edits = dir + "/edits.json";
  {
    std::ofstream e(edits);
    e << "[";
    for (size_t i = 0; i < fids.size(); ++i)
      e << (i ? ",\n" : "") << R"({"op": "move", "layer": "buildings", "fids": [)" << fids[i] << R"(], "offset": [0.25, 0]})";
    e << "]\n";
  }
  const std::string rules = scene::default_asset_dir() + "/zoning_rules.json";
  std::mt19937 rng(o.seed);
  // A first run without a kill: how long a whole run takes (the window for random kills).
  double full_ms = 0.0;
  {
    const std::string path = dir + "/calib.gpkg";
    fs::copy_file(base, path, fs::copy_options::overwrite_existing);
    fs::remove(path + ".ptjournal");
    const auto t = Clock::now();
    Child c = spawn({"parktwin", "edit", "--dataset", path, "--apply", edits, "--save", "--rules", rules, "--violations", "0"});
    RunLog log = run_and_maybe_kill(c, -1, "", 0);
    full_ms = ms_since(t);
    if (!WIFEXITED(log.status) || (WEXITSTATUS(log.status) != 0 && WEXITSTATUS(log.status) != 3)) {
      out << "crash_error=the edit run without a kill failed (exit " << WEXITSTATUS(log.status) << ")\n";
      return false;
    }
  }
  int corrupt = 0, lost = 0, during_save = 0, acked_total = 0, runs = 0;
  for (int run = 0; run < o.runs; ++run) {
    const std::string path = dir + "/run.gpkg";
    for (const char* ext : {"", "-wal", "-shm", ".ptjournal"}) fs::remove(path + ext);
    fs::copy_file(base, path, fs::copy_options::overwrite_existing);
    Child c = spawn({"parktwin", "edit", "--dataset", path, "--apply", edits, "--save", "--rules", rules, "--violations", "0"});
    RunLog log;
    if (run % 2 == 0) {
      log = run_and_maybe_kill(c, std::uniform_real_distribution<double>(0.0, full_ms)(rng), "", 0);
    } else {
      // Half of the kills land while the save's transaction runs.
      log = run_and_maybe_kill(c, -1, "saving", std::uniform_real_distribution<double>(0.0, 40.0)(rng));
    }
    ++runs;
    if (log.killed_while_saving) ++during_save;
    // Which edits were acknowledged (their building's fid, by the edit's index).
    std::set<int64_t> acked;
    bool saved_line = false;
    for (const auto& l : log.lines) {
      if (l.rfind("ack ", 0) == 0) {
        const long k = std::strtol(l.c_str() + 4, nullptr, 10);
        if (k >= 1 && static_cast<size_t>(k) <= fids.size()) acked.insert(fids[k - 1]);
      }
      if (l.rfind("saved to", 0) == 0) saved_line = true;
    }
    acked_total += static_cast<int>(acked.size());
    // 1. Right after the kill: the file is sound, and holds either none of the run's edits or all
    //    that were applied (a save is one transaction).
    std::string why;
    Rings now;
    bool bad = !integrity_ok(path, why) || !read_buildings(path, frame, now, why);
    if (!bad) {
      size_t moved = 0, other = 0;
      for (const auto& [fid, ring] : original) {
        auto it = now.find(fid);
        if (it == now.end()) {
          ++other;
          continue;
        }
        if (same_ring(ring, it->second, offset)) ++moved;
        else if (!same_ring(ring, it->second, glm::dvec2(0.0))) ++other;
      }
      if (other) {
        bad = true;
        why = std::to_string(other) + " buildings neither as before nor as edited";
      } else if (moved != 0 && moved != acked.size()) {
        bad = true;
        why = "a partial save: " + std::to_string(moved) + " of " + std::to_string(acked.size()) + " edits in the file";
      } else if (saved_line && moved != acked.size()) {
        bad = true;
        why = "reported saved but the file lacks edits";
      }
    }
    // 2. Recovery: a plain `parktwin edit --save` replays the journal and saves; then every
    //    acknowledged edit is in the file.
    if (!bad) {
      Child r = spawn({"parktwin", "edit", "--dataset", path, "--save", "--rules", rules, "--violations", "0"});
      RunLog rl = run_and_maybe_kill(r, -1, "", 0);
      if (!WIFEXITED(rl.status) || WEXITSTATUS(rl.status) != 0) {
        bad = true;
        why = "the recovery run failed (exit " + std::to_string(WEXITSTATUS(rl.status)) + ")";
      } else {
        Rings after;
        if (!integrity_ok(path, why) || !read_buildings(path, frame, after, why)) {
          bad = true;
        } else {
          for (int64_t fid : acked)
            if (!after.count(fid) || !same_ring(original[fid], after[fid], offset)) ++lost;
          for (const auto& [fid, ring] : original)
            if (!after.count(fid) || (!same_ring(ring, after[fid], offset) && !same_ring(ring, after[fid], glm::dvec2(0.0)))) {
              bad = true;
              why = "after recovery a building is neither as before nor as edited";
            }
        }
      }
    }
    if (bad) {
      ++corrupt;
      if (o.verbose || corrupt <= 3) out << "crash_run_" << run << "_problem=" << why << "\n";
    }
  }
  fs::remove_all(dir);
  out << "crash_runs=" << runs << "\n";
  out << "crash_killed_during_save=" << during_save << "\n";
  out << "crash_acknowledged_edits=" << acked_total << "\n";
  out << "crash_corrupt=" << corrupt << "\n";
  out << "crash_lost_edits=" << lost << "\n";
  out << "crash_conditions=parktwin edit --save on a " << original.size()
      << "-building GeoPackage, 30 moves, SIGKILL at a random moment of a " << static_cast<int>(full_ms)
      << " ms run (odd runs: 0-40 ms after 'saving'), then recovery from the journal\n";
  return corrupt == 0 && lost == 0;
}

}  // namespace parktwin::bench

namespace parktwin::bench {

int run_bench_edit_durability(int argc, char** argv) {
  CrashOptions o;
  std::string only;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
    if (a == "--crash-runs") o.runs = std::max(1, std::atoi(value().c_str()));
    else if (a == "--seed") o.seed = static_cast<unsigned>(std::strtoul(value().c_str(), nullptr, 10));
    else if (a == "--only") {
      only = value();
      if (only != "frame" && only != "save" && only != "crash") {
        std::cerr << "parktwin bench edit: --only takes frame, save or crash\n";
        return 2;
      }
    }
    else if (a == "--verbose") o.verbose = true;
    else {
      std::cerr << "parktwin bench edit: unknown option '" << a << "' (--crash-runs N, --seed N, --only frame|save|crash)\n";
      return 2;
    }
  }
  bool ok = true;
  // The edit-to-frame lines print the machine and the device first.
  if (only.empty() || only == "frame") ok &= run_bench_edit(app::AppOptions{}) == 0;
  else std::cout << "machine_cpu=" << cpu_model() << "\nmachine_cores=" << std::thread::hardware_concurrency() << "\n";
  if (only.empty() || only == "save") ok &= bench_save_1000(std::cout);
  if (only.empty() || only == "crash") ok &= bench_crash(o, std::cout);
  return ok ? 0 : 1;
}

}  // namespace parktwin::bench
