// history://path.db — replays a recorded history in timestamp order at a chosen speed.
//
// The replay clock runs from the start time at `speed` replay-ms per wall-ms; a worker thread reads
// rows in chunks of kChunk (keyset pagination on (ts, enterprise), served by the ts index, so each
// chunk is a seek rather than a scan) and pushes every row whose time has come through the Ingest.
// When the history is exhausted the clock stops at the newest row's time and the state goes Idle:
// the scene keeps showing the last recorded state instead of letting everything go stale.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>

#include "parktwin/live/guarded.h"
#include "ingest.h"
#include "sources.h"

namespace parktwin::live {
namespace {

constexpr int kChunk = 1024;
constexpr auto kMaxWait = std::chrono::milliseconds(50);  ///< longest sleep, so a stop is quick

struct Row {
  uint32_t enterprise;
  scene::Metrics m;
};

class HistorySource final : public Source {
 public:
  HistorySource(const Registry& reg, std::string path, double speed, int64_t start_ms, const SourceOptions& opt)
      : reg_(reg),
        path_(std::move(path)),
        speed_(std::isfinite(speed) && speed > 0.0 ? speed : 1.0),
        start_ms_(start_ms),
        ingest_(reg, opt) {}

  ~HistorySource() override { stop(); }

  Result<bool> start() override {
    if (worker_.joinable()) return true;
    if (auto f = open_db()) {
      std::lock_guard lock(mu_);
      state_ = ConnectionState::Failed;
      error_ = f->message;
      return *f;
    }
    {
      std::lock_guard lock(mu_);
      stopping_ = false;
      state_ = ConnectionState::Connected;
      error_.clear();
      origin_replay_ms_ = clock_at_start_;
      origin_steady_ms_ = steady_ms();
      end_ms_.reset();
    }
    worker_ = std::thread([this] {
      guarded("the replay thread", [&] { run(); }, [this](std::string why) {
        std::lock_guard lock(mu_);
        state_ = ConnectionState::Failed;
        error_ = std::move(why) + "; the replay stopped here";
      });
    });
    return true;
  }

  void stop() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
    sqlite3_finalize(chunk_stmt_);
    chunk_stmt_ = nullptr;
    sqlite3_close_v2(db_);
    db_ = nullptr;
    std::lock_guard lock(mu_);
    // A replay that was stopped keeps its clock where it was.
    if (state_ == ConnectionState::Connected) {
      end_ms_ = clock_locked();
      state_ = ConnectionState::Idle;
    }
  }

  void drain(std::vector<Sample>& out) override { ingest_.drain(out); }

  SourceStatus status() const override {
    SourceStatus st;
    st.url = "history://" + path_;
    st.kind = "history";
    st.simulated = false;  // the store does not record whether rows were simulated
    {
      std::lock_guard lock(mu_);
      st.state = state_;
      st.last_error = error_;
    }
    ingest_.fill_status(st);
    st.clock_ms = now_ms();
    return st;
  }

  int64_t now_ms() const override {
    std::lock_guard lock(mu_);
    return clock_locked();
  }

 private:
  /// The replay clock; mu_ held.
  int64_t clock_locked() const {
    if (end_ms_) return *end_ms_;
    if (state_ != ConnectionState::Connected) return clock_at_start_;
    const double elapsed = static_cast<double>(steady_ms() - origin_steady_ms_) * speed_;
    return origin_replay_ms_ + static_cast<int64_t>(elapsed);
  }

  /// Opens the database read-only and prepares the chunk query; a Failure naming the fix otherwise.
  std::optional<Failure> open_db() {
    auto fail = [&](int rc, const char* what) {
      std::string msg = "history://" + path_ + ": " + what + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
      sqlite3_finalize(chunk_stmt_);
      chunk_stmt_ = nullptr;
      sqlite3_close_v2(db_);
      db_ = nullptr;
      return Failure(Failure::ResourceUnavailable,
                     msg + " (give the path of a history recorded by ParkTwin, e.g. history:///var/lib/parktwin/history.db)");
    };
    int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
    if (rc != SQLITE_OK) return fail(rc, "cannot open");
    sqlite3_busy_timeout(db_, 5000);
    rc = sqlite3_prepare_v2(db_,
                            "SELECT enterprise, ts, output, power, util, production, status FROM samples "
                            "WHERE (ts, enterprise) > (?1, ?2) ORDER BY ts, enterprise LIMIT ?3",
                            -1, &chunk_stmt_, nullptr);
    if (rc != SQLITE_OK) return fail(rc, "not a ParkTwin history");
    // The clock starts at start_ms, or at the oldest row when none was given.
    clock_at_start_ = start_ms_;
    if (start_ms_ == 0) {
      sqlite3_stmt* first = nullptr;
      rc = sqlite3_prepare_v2(db_, "SELECT MIN(ts) FROM samples", -1, &first, nullptr);
      if (rc == SQLITE_OK && (rc = sqlite3_step(first)) == SQLITE_ROW) clock_at_start_ = sqlite3_column_int64(first, 0);
      sqlite3_finalize(first);
      if (rc != SQLITE_ROW) return fail(rc, "cannot read");
    }
    return std::nullopt;
  }

  /// Reads the next chunk after the cursor; false at the end or on an error (which it records).
  bool read_chunk(std::vector<Row>& rows) {
    rows.clear();
    sqlite3_bind_int64(chunk_stmt_, 1, cursor_ts_);
    sqlite3_bind_int64(chunk_stmt_, 2, cursor_enterprise_);
    sqlite3_bind_int(chunk_stmt_, 3, kChunk);
    int rc;
    while ((rc = sqlite3_step(chunk_stmt_)) == SQLITE_ROW) {
      Row r;
      r.enterprise = static_cast<uint32_t>(sqlite3_column_int64(chunk_stmt_, 0));
      r.m.ts_ms = sqlite3_column_int64(chunk_stmt_, 1);
      for (size_t i = 0; i < scene::kMetricCount; ++i) r.m.v[i] = sqlite3_column_double(chunk_stmt_, static_cast<int>(2 + i));
      // The status column carries the simulated mark in bit 8 (see history.cpp).
      const int64_t raw = sqlite3_column_int64(chunk_stmt_, 6);
      const int64_t status = raw & 0xff;
      r.m.simulated = (raw & 0x100) != 0;
      r.m.status = status <= static_cast<int64_t>(scene::Status::Alarm) ? static_cast<scene::Status>(status)
                                                                         : scene::Status::Unknown;
      rows.push_back(r);
    }
    sqlite3_reset(chunk_stmt_);
    if (rc != SQLITE_DONE) {
      std::lock_guard lock(mu_);
      error_ = "history://" + path_ + ": reading failed: " + sqlite3_errmsg(db_) + " (is another process rewriting it?)";
      return false;
    }
    if (rows.empty()) return false;
    cursor_ts_ = rows.back().m.ts_ms;
    cursor_enterprise_ = rows.back().enterprise;
    return true;
  }

  void run() {
    // Rows before the start time are skipped: begin just before clock_at_start_.
    cursor_ts_ = clock_at_start_ - 1;
    cursor_enterprise_ = std::numeric_limits<int64_t>::max();
    std::vector<Row> rows;
    rows.reserve(kChunk);
    while (read_chunk(rows)) {
      for (const Row& r : rows) {
        // Wait for the replay clock to reach the row, in short sleeps so that stop() is prompt.
        std::unique_lock lock(mu_);
        while (!stopping_) {
          const int64_t ahead = r.m.ts_ms - clock_locked();
          if (ahead <= 0) break;
          const auto wait = std::chrono::milliseconds(static_cast<int64_t>(std::ceil(static_cast<double>(ahead) / speed_)));
          wake_.wait_for(lock, std::min<std::chrono::milliseconds>(wait, kMaxWait));
        }
        if (stopping_) return;
        lock.unlock();
        // Rows of enterprises this registry does not have (a history of another dataset) are skipped.
        if (r.enterprise >= reg_.size()) continue;
        Sample s;
        s.enterprise = r.enterprise;
        s.m = r.m;
        s.received_ms = steady_ms();
        ingest_.push(s);
      }
    }
    std::lock_guard lock(mu_);
    if (stopping_) return;
    // The clock has just passed the newest row; it stands still from here.
    end_ms_ = clock_locked();
    state_ = error_.empty() ? ConnectionState::Idle : ConnectionState::Failed;
  }

  const Registry& reg_;
  std::string path_;
  double speed_;
  int64_t start_ms_;
  Ingest ingest_;

  sqlite3* db_ = nullptr;            ///< used by the worker only while it runs
  sqlite3_stmt* chunk_stmt_ = nullptr;
  int64_t cursor_ts_ = 0, cursor_enterprise_ = 0;
  int64_t clock_at_start_ = 0;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  ConnectionState state_ = ConnectionState::Idle;
  std::string error_;
  int64_t origin_replay_ms_ = 0, origin_steady_ms_ = 0;
  std::optional<int64_t> end_ms_;    ///< set when the replay ended: the clock stands still there
  std::thread worker_;
};

}  // namespace

std::unique_ptr<Source> make_history_source(const Registry& reg, const std::string& path, double speed,
                                            int64_t start_ms, const SourceOptions& opt) {
  return std::make_unique<HistorySource>(reg, path, speed, start_ms, opt);
}

}  // namespace parktwin::live
