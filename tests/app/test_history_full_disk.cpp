// The live hub's history on a disk that fills up: the file-size limit of this process (RLIMIT_FSIZE,
// what a full disk looks like to SQLite: a write that fails) is lowered while the simulator feeds
// the hub at high speed, then raised again. Nothing may be lost: the writes the history refused are
// kept and written once the file can grow, the failure is said in the Feed panel's text and on the
// log, and every sample the source accepted ends up in the file (counted there through SQLite, not
// through the hub).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <sstream>
#include <thread>

#include "parktwin/app/live_hub.h"
#include "scene_test_support.h"

namespace parktwin::app {
namespace {

namespace fs = std::filesystem;

int64_t count_rows(const std::string& path) {
  sqlite3* db = nullptr;
  int64_t n = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM samples", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

/// Lowers (or restores) this process's file-size limit; a write past it fails with EFBIG.
class FileSizeLimit {
 public:
  FileSizeLimit() {
    getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);  // the write fails instead of killing the process
  }
  ~FileSizeLimit() {
    lift();
    std::signal(SIGXFSZ, old_handler_);
  }
  bool set(rlim_t bytes) {
    rlimit r = saved_;
    r.rlim_cur = bytes;
    return setrlimit(RLIMIT_FSIZE, &r) == 0;
  }
  void lift() { setrlimit(RLIMIT_FSIZE, &saved_); }

 private:
  rlimit saved_{};
  void (*old_handler_)(int) = SIG_DFL;
};

/// A hub fed by the simulator at 3600x into a fresh history file, run until the file holds rows,
/// then the disk "fills" a little beyond what the files hold and frames run until the Feed panel
/// says samples wait.
class HistoryFullDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    scene_ = scene::testing::load_default_scene();
    ASSERT_TRUE(scene_);
    const fs::path dir = fs::path(PARKTWIN_TEST_OUT) / ("history_full_disk_" + std::string(
        ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    db_ = (dir / "history.db").string();
    LiveOptions lo;
    lo.feed = "sim://?speed=3600";
    lo.history = db_;
    auto hub = LiveHub::open(*scene_, lo, log_);
    ASSERT_TRUE(hub) << hub.error().message;
    hub_ = std::move(*hub);
    // Some samples recorded first: the file exists and is in use.
    ASSERT_TRUE(frames_until(30, [&] { return count_rows(db_) > 0; })) << log_.str();
    std::error_code ec;
    const auto used = fs::file_size(db_, ec) + fs::file_size(db_ + "-wal", ec);
    ASSERT_TRUE(limit_.set(static_cast<rlim_t>(std::max<uintmax_t>(used, 64 * 1024) + 64 * 1024)));
    full_said_ = frames_until(60, [&] {
      return info_.feed.last_error.find("history") != std::string::npos &&
             info_.feed.last_error.find("waiting") != std::string::npos;
    });
  }

  /// Runs frames until `done` or `seconds` pass.
  template <typename F>
  bool frames_until(double seconds, F done) {
    const auto t0 = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds) {
      hub_->update(*scene_, 0.05);
      hub_->fill(*scene_, info_);
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::unique_ptr<scene::Scene> scene_;
  std::string db_;
  std::ostringstream log_;
  std::unique_ptr<LiveHub> hub_;
  ui::FrameInfo info_;
  FileSizeLimit limit_;
  bool full_said_ = false;
};

TEST_F(HistoryFullDisk, RefusedWritesWaitAndNothingIsLost) {
  const uint64_t accepted_while_full = info_.feed.accepted;
  limit_.lift();
  ASSERT_TRUE(full_said_) << "the Feed panel never said the history refuses writes; it says: " << info_.feed.last_error
                          << "\nlog:\n" << log_.str();
  EXPECT_NE(log_.str().find("cannot record samples"), std::string::npos) << log_.str();
  // The disk has room again: the waiting samples are written (the writer tries again within 30 s).
  EXPECT_TRUE(frames_until(60, [&] { return info_.feed.last_error.empty(); })) << "still says: " << info_.feed.last_error;
  const uint64_t lost = hub_->finish();  // also writes the notices not yet written (the next frame would)
  EXPECT_NE(log_.str().find("recording again"), std::string::npos) << log_.str();
  const uint64_t accepted = hub_->source_status().accepted;
  EXPECT_EQ(lost, 0u);
  EXPECT_GT(accepted, accepted_while_full);
  EXPECT_EQ(count_rows(db_), static_cast<int64_t>(accepted)) << "every accepted sample is in the file";
}

// The same fault that does not go away: what could not be written is counted, said, and the app
// exits non-zero (report_unrecorded).
TEST_F(HistoryFullDisk, WritesStillRefusedAtTheEndAreCountedAndReported) {
  ASSERT_TRUE(full_said_) << info_.feed.last_error;
  std::ostringstream report;
  EXPECT_TRUE(report_unrecorded(*hub_, report));
  limit_.lift();
  const int64_t rows = count_rows(db_);
  const uint64_t accepted = hub_->source_status().accepted;
  ASSERT_GE(rows, 0);
  ASSERT_LT(static_cast<uint64_t>(rows), accepted);
  // What the report says is lost is exactly what the file lacks.
  EXPECT_NE(report.str().find(std::to_string(accepted - static_cast<uint64_t>(rows)) + " samples were not recorded"),
            std::string::npos)
      << report.str() << " (accepted " << accepted << ", in the file " << rows << ")";
}

}  // namespace
}  // namespace parktwin::app
