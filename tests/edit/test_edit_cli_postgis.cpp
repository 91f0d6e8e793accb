// `parktwin edit` end to end against PostGIS: the real binary run as a child process on the
// default layout's parcels and buildings loaded into a private PostgreSQL server
// (tests/support/pg_server.*), every result checked through psql, not through the code that
// wrote it. A save with a refused edit, a run killed with SIGKILL right after its first `ack`,
// the recovery from its journal, and the default journal path of a database source.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/pg_server.h"

extern char** environ;

namespace parktwin::testing {
namespace {

namespace fs = std::filesystem;

// The scene frame (gis/include/parktwin/gis/frame.h): offsets are metres in it.
constexpr const char* kFrame = "+proj=tmerc +lat_0=27.6 +lon_0=115.8 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs";
// Every column of the default layout's buildings but pt_version (which the save adds), of row `t`.
std::string row(const std::string& t) {
  std::string out = "(";
  for (const char* c : {"fid", "geom", "building_id", "park_id", "area_id", "parcel_id", "enterprise_id", "kind",
                        "floors", "height_m", "source"})
    out += (out.size() > 1 ? ", " : "") + t + "." + c;
  return out + ")::text";
}

// True when `out` holds a complete line starting with "ack ".
bool has_ack_line(const std::string& out) {
  for (size_t at = 0; at < out.size();) {
    const size_t end = out.find('\n', at);
    if (end == std::string::npos) return false;
    if (out.compare(at, 4, "ack ") == 0) return true;
    at = end + 1;
  }
  return false;
}

struct Child {
  int exit_code = -1;   // -1 when killed by a signal
  int signal = 0;       // the signal that ended it
  std::string out;      // stdout
  std::string err;      // stderr
};

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Runs `parktwin edit ARGS` in `cwd` with XDG_STATE_HOME=`state`, stdout read through a pipe.
// kill_after_ack: SIGKILL as soon as a complete line starting "ack " has been read.
Child run_edit(const std::vector<std::string>& args, const std::string& cwd, const std::string& state,
               bool kill_after_ack = false) {
  Child c;
  std::vector<std::string> argv_s{PARKTWIN_BIN, "edit"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "XDG_STATE_HOME=", 15) != 0) env_s.emplace_back(*e);
  env_s.push_back("XDG_STATE_HOME=" + state);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    c.err = std::string("pipe: ") + std::strerror(errno);
    return c;
  }
  const std::string err_file = cwd + "/stderr.txt";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    c.err = std::string("cannot run ") + PARKTWIN_BIN + ": " + std::strerror(rc);
    return c;
  }
  bool killed = false;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    c.out.append(buf, static_cast<size_t>(n));
    if (kill_after_ack && !killed && has_ack_line(c.out)) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) c.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) c.signal = WTERMSIG(status);
  c.err = read_text(err_file);
  return c;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string describe(const Child& c) { return "exit " + std::to_string(c.exit_code) + ", signal " +
                                              std::to_string(c.signal) + "\nstdout:\n" + c.out + "\nstderr:\n" + c.err; }

class EditCliPostgis : public ::testing::Test {
 protected:
  // One server and one load of the default layout for the suite: the load is the slow part.
  static void SetUpTestSuite() {
    const auto t0 = std::chrono::steady_clock::now();
    auto pg = PgServer::start("parktwin_cli");
    if (!pg) {
      start_error_ = pg.error().message;
      return;
    }
    const std::string gpkg = std::string(PARKTWIN_ASSET_DIR) + "/parktwin.gpkg";
    auto loaded = (*pg)->load(gpkg, {"parcels", "buildings"});
    // The rows as loaded, to compare with after the saves.
    if (loaded) loaded = (*pg)->execute("CREATE TABLE orig AS SELECT * FROM buildings");
    if (!loaded) {
      start_error_ = loaded.error().message;
      return;
    }
    server_ = std::move(*pg);
    std::cout << "[ postgis ] default layout loaded on port " << server_->port() << " in "
              << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() << " ms\n";
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    // Missing packages fail the test with the package to install: never a silent skip.
    ASSERT_TRUE(server_) << (start_error_.empty() ? std::string("no server") : start_error_);
    dir_ = std::string(PARKTWIN_TEST_OUT) + "/edit_cli_pg/" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_ + "/state");
    conn_ = server_->connection();
  }
  std::string q(const std::string& sql) {
    auto r = server_->query(sql);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : std::string("(query failed)");
  }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  Child edit(const std::vector<std::string>& args, bool kill_after_ack = false) {
    return run_edit(args, dir_, dir_ + "/state", kill_after_ack);
  }

  static inline std::unique_ptr<PgServer> server_;
  static inline std::string start_error_;
  std::string dir_, conn_;
};

TEST_F(EditCliPostgis, SavesRefusesRecoversAfterKill) {
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t max_fid = std::stoll(q("SELECT max(fid) FROM buildings"));
  const int64_t count = std::stoll(q("SELECT count(*) FROM buildings"));
  const int floors3 = std::stoi(q("SELECT coalesce(floors, 0) FROM buildings WHERE fid = 3"));
  // A 4 m square around a point inside a parcel that has no building (checked below to lie in it).
  const std::string parcel = q("SELECT p.fid FROM parcels p WHERE NOT EXISTS (SELECT 1 FROM buildings b "
                               "WHERE ST_Intersects(b.geom, p.geom)) AND ST_Area(ST_Transform(p.geom, '" +
                               std::string(kFrame) + "')) > 400 ORDER BY p.fid LIMIT 1");
  ASSERT_FALSE(parcel.empty());
  std::istringstream xy(q("SELECT ST_X(c) || ' ' || ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) AS c FROM parcels "
                          "WHERE fid = " + parcel + ") s"));
  double lon = 0, lat = 0;
  xy >> lon >> lat;
  const double d = 0.00002;  // about 2 m
  nlohmann::json ring = nlohmann::json::array(
      {{lon - d, lat - d}, {lon + d, lat - d}, {lon + d, lat + d}, {lon - d, lat + d}, {lon - d, lat - d}});
  nlohmann::json edits = nlohmann::json::array();
  edits.push_back({{"op", "move"}, {"layer", "buildings"}, {"fids", {1}}, {"offset", {1.25, -0.5}}});
  edits.push_back({{"op", "set"}, {"layer", "buildings"}, {"fid", 3}, {"field", "floors"}, {"value", floors3 + 2}});
  edits.push_back({{"op", "move"}, {"layer", "buildings"}, {"fids", {2}}, {"offset", {5000, 0}}});  // refused
  edits.push_back({{"op", "add"}, {"layer", "buildings"}, {"rings", {ring}}, {"attrs", {{"floors", 4}}}});
  edits.push_back({{"op", "delete"}, {"layer", "buildings"}, {"fids", {4}}});
  const std::string edits_path = write("edits.json", edits.dump());
  const std::string journal = dir_ + "/j.ptjournal";

  // 1. Apply and save: one edit refused, so exit 3; the others saved.
  const Child r1 = edit({"--dataset", conn_, "--apply", edits_path, "--save", "--journal", journal});
  ASSERT_EQ(r1.exit_code, 3) << describe(r1);
  for (const char* line : {"ack 1 ", "ack 2 ", "refused 3: ", "ack 4 ", "ack 5 ", "saving 4 features", "saved "})
    EXPECT_NE(("\n" + r1.out).find(std::string("\n") + line), std::string::npos) << line << "\n" << describe(r1);
  EXPECT_EQ(r1.out.find("port="), std::string::npos) << "the output names the database, not the connection string";

  // Through psql: the moved building, by the offset in the scene frame after the trip through
  // EPSG:4326 (every vertex, within 1e-6 m).
  const std::string gap = q("SELECT ST_HausdorffDistance(ST_Translate(ST_Transform(o.geom, '" + std::string(kFrame) +
                            "'), 1.25, -0.5), ST_Transform(b.geom, '" + kFrame + "')) || ' ' || (ST_NPoints(o.geom) = "
                            "ST_NPoints(b.geom)) FROM buildings b JOIN orig o USING (fid) WHERE fid = 1");
  std::istringstream gs(gap);
  double gap_m = 1;
  std::string same_points;
  gs >> gap_m >> same_points;
  EXPECT_LE(gap_m, 1e-6) << gap;
  EXPECT_EQ(same_points, "true") << gap;
  EXPECT_EQ(q("SELECT floors FROM buildings WHERE fid = 3"), std::to_string(floors3 + 2));
  EXPECT_EQ(q("SELECT count(*) FROM buildings WHERE fid = 4"), "0");
  // The new building: one row above the old fids, version 1, inside its parcel.
  const std::string added = q("SELECT fid FROM buildings WHERE fid > " + std::to_string(max_fid));
  ASSERT_EQ(lines_of(added).size(), 1u) << added;
  EXPECT_EQ(q("SELECT pt_version || ' ' || floors || ' ' || ST_Within(b.geom, p.geom) FROM buildings b, parcels p "
              "WHERE b.fid = " + added + " AND p.fid = " + parcel),
            "1 4 true");
  EXPECT_EQ(q("SELECT count(*) FROM buildings"), std::to_string(count));  // one added, one deleted
  // Versions only on the edited rows; every other row (the refused fid 2 among them) as loaded.
  EXPECT_EQ(q("SELECT string_agg(fid || ':' || pt_version, ',' ORDER BY fid) FROM buildings WHERE pt_version IS NOT NULL"),
            "1:1,3:1," + added + ":1");
  EXPECT_EQ(q("SELECT count(*) FROM buildings t JOIN orig o USING (fid) WHERE t.fid NOT IN (1, 3) AND " + row("t") +
              " IS DISTINCT FROM " + row("o")),
            "0");
  EXPECT_EQ(q("SELECT ST_Equals(b.geom, o.geom) AND b.geom::text = o.geom::text FROM buildings b JOIN orig o "
              "USING (fid) WHERE fid = 2"),
            "t");
  // The journal was emptied by the save: its header alone.
  const auto j1 = lines_of(read_text(journal));
  ASSERT_EQ(j1.size(), 1u) << read_text(journal);
  EXPECT_EQ(nlohmann::json::parse(j1[0]).value("source", ""), conn_);

  // 2. One edit acknowledged, then SIGKILL: nothing saved, the edit in the journal. (No --save, so
  // that the kill cannot race a save and the outcome is always the same.)
  const std::string edit2 = write("edit2.json", R"([{"op": "set", "layer": "buildings", "fid": 3, "field": "floors", "value": )" +
                                                    std::to_string(floors3 + 5) + "}]");
  const Child r2 = edit({"--dataset", conn_, "--apply", edit2, "--journal", journal}, /*kill_after_ack=*/true);
  EXPECT_EQ(r2.signal, SIGKILL) << describe(r2);
  ASSERT_EQ(r2.out.rfind("ack 1 ", 0), 0u) << describe(r2);
  EXPECT_EQ(q("SELECT floors || ' ' || pt_version FROM buildings WHERE fid = 3"), std::to_string(floors3 + 2) + " 1");
  EXPECT_EQ(lines_of(read_text(journal)).size(), 2u) << read_text(journal);

  // 3. A plain run with --save recovers the acknowledged edit and saves it.
  const Child r3 = edit({"--dataset", conn_, "--save", "--journal", journal});
  ASSERT_EQ(r3.exit_code, 0) << describe(r3);
  EXPECT_EQ(r3.out.rfind("recovered 1 edits", 0), 0u) << describe(r3);
  EXPECT_NE(r3.out.find("\nsaving 1 features"), std::string::npos) << describe(r3);
  EXPECT_EQ(q("SELECT floors || ' ' || pt_version FROM buildings WHERE fid = 3"), std::to_string(floors3 + 5) + " 2");
  EXPECT_EQ(q("SELECT string_agg(fid || ':' || pt_version, ',' ORDER BY fid) FROM buildings WHERE pt_version IS NOT NULL"),
            "1:1,3:2," + added + ":1");
  EXPECT_EQ(lines_of(read_text(journal)).size(), 1u) << read_text(journal);
  std::cout << "[ edit ] moved building off by " << gap_m << " m; three parktwin edit runs on PostGIS in "
            << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() << " ms\n";
}

TEST_F(EditCliPostgis, DefaultJournalOfADatabaseIsUnderXdgStateHome) {
  const std::string edits =
      write("edits.json", R"([{"op": "set", "layer": "buildings", "fid": 5, "field": "floors", "value": 77}])");
  const Child r = edit({"--dataset", conn_, "--apply", edits});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out.rfind("ack 1 ", 0), 0u) << describe(r);
  // No journal in the working folder (named after the connection string), one under the state folder.
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_TRUE(e.path().filename() == "state" || e.path().filename() == "edits.json" ||
                e.path().filename() == "stderr.txt")
        << e.path();
  std::vector<fs::path> journals;
  if (fs::exists(dir_ + "/state/parktwin/journals"))
    for (const auto& e : fs::directory_iterator(dir_ + "/state/parktwin/journals")) journals.push_back(e.path());
  ASSERT_EQ(journals.size(), 1u);
  EXPECT_EQ(journals[0].extension(), ".ptjournal");
  struct stat st {};
  ASSERT_EQ(::stat(journals[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u) << std::oct << (st.st_mode & 07777);
  const auto lines = lines_of(read_text(journals[0]));
  ASSERT_EQ(lines.size(), 2u);  // the header and the unsaved edit
  EXPECT_EQ(nlohmann::json::parse(lines[0]).value("source", ""), conn_);
  // Not saved (no --save): the database is as loaded.
  EXPECT_EQ(q("SELECT " + row("b") + " = " + row("o") + " FROM buildings b JOIN orig o USING (fid) WHERE fid = 5"), "t");
}

}  // namespace
}  // namespace parktwin::testing
