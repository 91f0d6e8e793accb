// Sample history on the SQLite C API.
//
// Layout: samples(enterprise, ts, output, power, util, production, status) keyed by
// (enterprise, ts) WITHOUT ROWID, so a row is stored once, in key order, and "the latest sample of
// enterprise e at or before t" is a single descent of the primary key. A secondary index on ts
// (which in a WITHOUT ROWID table carries the key, i.e. it is effectively (ts, enterprise)) serves
// the queries that cross enterprises by time: retention, the time range and replay in time order.
//
// Journal: WAL with synchronous=NORMAL, the usual choice for an append-heavy store: a commit is a
// sequential append to the log, readers (a replay, another process) do not block the writer, and a
// power cut loses at most the last commits, never consistency. busy_timeout lets short overlaps
// with another connection wait instead of failing.
#include "parktwin/live/history.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>

namespace parktwin::live {
namespace {

constexpr int kBusyTimeoutMs = 5000;

/// What to do about an SQLite error, by its primary code.
const char* hint_for(int code) {
  switch (code & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return "the file is not a ParkTwin history database or is damaged; move it aside or choose another path";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "another process holds the database locked; close it (another viewer or recorder?) or use another file";
    case SQLITE_FULL:
      return "the disk is full; free space or shorten the retention period";
    case SQLITE_CANTOPEN:
      return "check that the directory exists and is writable";
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return "the file or its directory is read-only; check permissions or choose another path";
    case SQLITE_IOERR:
      return "an I/O error occurred; check the disk and the file system";
    case SQLITE_ERROR:
      return "the file may belong to another application or version; choose another path";
    default:
      return "see the SQLite message";
  }
}

Failure sql_failure(const std::string& path, sqlite3* db, int code, const char* what) {
  const char* msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  const auto kind = (code & 0xff) == SQLITE_MISUSE ? Failure::GeneralError : Failure::ResourceUnavailable;
  return Failure(kind, "history database " + path + ": " + what + " failed: " + msg + " (" + hint_for(code) + ")");
}

/// Owns a prepared statement.
struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(s); }
};

const char* column_of(scene::Metric m) {
  switch (m) {
    case scene::Metric::Output: return "output";
    case scene::Metric::Power: return "power";
    case scene::Metric::Utilisation: return "util";
    case scene::Metric::Production: return "production";
  }
  return "output";
}

// The status column also carries the simulated mark, so a recording keeps saying what was simulated.
constexpr int64_t kSimulatedBit = 0x100;

scene::Status status_from_int(int64_t v) {
  v &= 0xff;
  return v >= 0 && v <= static_cast<int64_t>(scene::Status::Alarm) ? static_cast<scene::Status>(v)
                                                                     : scene::Status::Unknown;
}

}  // namespace

struct HistoryStore::Impl {
  std::string path;
  size_t enterprise_count = 0;
  HistoryOptions opt;
  sqlite3* db = nullptr;
  Stmt insert, latest_at, window, range, count, newest, purge, begin, commit, rollback;
  uint64_t duplicates = 0;  ///< samples not written: a recorded one had their key
  std::array<Stmt, scene::kMetricCount> series;  ///< per metric (a column cannot be a parameter)

  // close_v2 defers the close until the statements (members, destroyed after this body) are finalized.
  ~Impl() { sqlite3_close_v2(db); }

  Failure fail(int code, const char* what) const { return sql_failure(path, db, code, what); }

  /// Runs SQL without results; nothing on success.
  std::optional<Failure> exec(const char* sql, const char* what) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return fail(rc, what);
    return std::nullopt;
  }

  std::optional<Failure> prepare(Stmt& st, const std::string& sql, const char* what) {
    const int rc = sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st.s, nullptr);
    if (rc != SQLITE_OK) return fail(rc, what);
    return std::nullopt;
  }

  /// One sqlite3_step of a held statement (the caller resets it, see Reset).
  static int step(Stmt& st) { return sqlite3_step(st.s); }
};

namespace {
/// Resets a statement when leaving a scope, whatever the path.
struct Reset {
  sqlite3_stmt* s;
  ~Reset() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};
}  // namespace

Result<std::unique_ptr<HistoryStore>> HistoryStore::open(const std::string& path, size_t enterprise_count,
                                                         HistoryOptions opt) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->enterprise_count = enterprise_count;
  impl->opt = opt;
  const int flags = opt.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr);
  if (rc != SQLITE_OK) return impl->fail(rc, "opening");
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, kBusyTimeoutMs);

  // What the file holds, before anything could write to it ("not a database" surfaces here): a
  // history, an empty file, or something else that must be left alone.
  {
    Stmt tables;
    if (auto f = impl->prepare(tables,
                               "SELECT COUNT(*), SUM(name = 'samples') FROM sqlite_master WHERE type = 'table'",
                               "reading the file"))
      return *f;
    const int s = sqlite3_step(tables.s);
    if (s != SQLITE_ROW) return impl->fail(s, "reading the file");
    const int64_t count = sqlite3_column_int64(tables.s, 0), samples = sqlite3_column_int64(tables.s, 1);
    if (samples == 0 && (count > 0 || opt.read_only))
      return Failure(Failure::InvalidData,
                     path + " is not a ParkTwin history (" +
                         (count > 0 ? std::to_string(count) + " other tables and no samples table; a GeoPackage?"
                                    : std::string("an empty database")) +
                         "): it was left untouched. Give --history a file of its own, or replay a file the "
                         "viewer recorded");
  }
  if (!opt.read_only) {
    {
      // journal_mode=WAL writes the file's header: only for a history or a new, empty file.
      Stmt wal;
      if (auto f = impl->prepare(wal, "PRAGMA journal_mode=WAL", "reading the file")) return *f;
      const int s = sqlite3_step(wal.s);
      if (s != SQLITE_ROW) return impl->fail(s, "switching to WAL");
      // ":memory:" answers "memory"; a file system without shared memory may keep "delete". Both
      // work, only with less concurrency, so neither is an error.
    }
    if (auto f = impl->exec("PRAGMA synchronous=NORMAL", "setting synchronous=NORMAL")) return *f;
    if (auto f = impl->exec("CREATE TABLE IF NOT EXISTS samples(enterprise INTEGER NOT NULL, ts INTEGER NOT NULL, "
                            "output REAL, power REAL, util REAL, production REAL, status INTEGER, "
                            "PRIMARY KEY(enterprise, ts)) WITHOUT ROWID;"
                            "CREATE INDEX IF NOT EXISTS samples_ts ON samples(ts);",
                            "creating the samples table"))
      return *f;
  }

  struct Def {
    Stmt* st;
    const char* sql;
  };
  const Def defs[] = {
      // OR IGNORE: the first sample recorded under a key stays; a replay or a forged copy is counted.
      {&impl->insert, "INSERT OR IGNORE INTO samples(enterprise, ts, output, power, util, production, status) "
                      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
      {&impl->latest_at, "SELECT ts, output, power, util, production, status FROM samples "
                         "WHERE enterprise = ?1 AND ts <= ?2 ORDER BY ts DESC LIMIT 1"},
      {&impl->window, "SELECT ts, output, production, status FROM samples "
                      "WHERE enterprise = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts"},
      {&impl->range, "SELECT (SELECT MIN(ts) FROM samples), (SELECT MAX(ts) FROM samples)"},
      {&impl->count, "SELECT COUNT(*) FROM samples"},
      {&impl->newest, "SELECT MAX(ts) FROM samples"},
      {&impl->purge, "DELETE FROM samples WHERE ts < ?1"},
      {&impl->begin, "BEGIN IMMEDIATE"},
      {&impl->commit, "COMMIT"},
      {&impl->rollback, "ROLLBACK"},
  };
  for (const Def& d : defs)
    if (auto f = impl->prepare(*d.st, d.sql, "preparing a query (is this a ParkTwin history?)")) return *f;
  for (size_t i = 0; i < scene::kMetricCount; ++i) {
    // Bucket index in integer arithmetic: (ts - t0) * buckets / (t1 - t0); the caller keeps the
    // product within int64.
    const std::string sql = std::string("SELECT ((ts - ?2) * ?4) / (?3 - ?2) AS b, AVG(") +
                            column_of(static_cast<scene::Metric>(i)) +
                            ") FROM samples WHERE enterprise = ?1 AND ts >= ?2 AND ts < ?3 GROUP BY b";
    if (auto f = impl->prepare(impl->series[i], sql, "preparing the series query")) return *f;
  }

  std::unique_ptr<HistoryStore> store(new HistoryStore());
  store->impl_ = std::move(impl);
  return store;
}

HistoryStore::~HistoryStore() = default;

Result<size_t> HistoryStore::append(std::span<const Sample> samples) {
  Impl& d = *impl_;
  if (samples.empty()) return size_t{0};
  {
    Reset r{d.begin.s};
    if (const int rc = d.step(d.begin); rc != SQLITE_DONE) return d.fail(rc, "starting a transaction");
  }
  size_t written = 0;
  uint64_t duplicates = 0;  // counted once the transaction commits (a failed one is tried again)
  for (const Sample& s : samples) {
    if (s.m.ts_ms == 0) continue;  // ts 0 means "no sample" everywhere in the live layer
    Reset r{d.insert.s};
    sqlite3_bind_int64(d.insert.s, 1, s.enterprise);
    sqlite3_bind_int64(d.insert.s, 2, s.m.ts_ms);
    for (size_t i = 0; i < scene::kMetricCount; ++i) sqlite3_bind_double(d.insert.s, static_cast<int>(3 + i), s.m.v[i]);
    sqlite3_bind_int(d.insert.s, 7, static_cast<int>(s.m.status) | (s.m.simulated ? static_cast<int>(kSimulatedBit) : 0));
    if (const int rc = d.step(d.insert); rc != SQLITE_DONE) {
      Failure f = d.fail(rc, "appending samples");
      Reset rb{d.rollback.s};
      d.step(d.rollback);
      return f;
    }
    if (sqlite3_changes(d.db) == 0) ++duplicates;
    else ++written;
  }
  Reset r{d.commit.s};
  if (const int rc = d.step(d.commit); rc != SQLITE_DONE) {
    Failure f = d.fail(rc, "committing samples");
    Reset rb{d.rollback.s};
    d.step(d.rollback);
    return f;
  }
  d.duplicates += duplicates;
  return written;
}

uint64_t HistoryStore::duplicates_kept() const { return impl_->duplicates; }

Result<size_t> HistoryStore::apply_retention() {
  Impl& d = *impl_;
  if (d.opt.retention_ms <= 0) return size_t{0};
  int64_t newest = 0;
  {
    Reset r{d.newest.s};
    const int rc = d.step(d.newest);
    if (rc != SQLITE_ROW) return d.fail(rc, "finding the newest sample");
    if (sqlite3_column_type(d.newest.s, 0) == SQLITE_NULL) return size_t{0};
    newest = sqlite3_column_int64(d.newest.s, 0);
  }
  if (newest < std::numeric_limits<int64_t>::min() + d.opt.retention_ms) return size_t{0};
  Reset r{d.purge.s};
  sqlite3_bind_int64(d.purge.s, 1, newest - d.opt.retention_ms);
  if (const int rc = d.step(d.purge); rc != SQLITE_DONE) return d.fail(rc, "deleting old samples");
  return static_cast<size_t>(sqlite3_changes(d.db));
}

Result<std::vector<scene::Metrics>> HistoryStore::state_at(int64_t t_ms) {
  // One primary-key descent per enterprise (measured against one grouped query over all rows at or
  // before t: the seeks cost O(enterprises · log rows) and stay flat as history grows, the grouped
  // scan grows with the rows). A read transaction makes all of them see one snapshot.
  Impl& d = *impl_;
  std::vector<scene::Metrics> out(d.enterprise_count);
  if (const int rc = sqlite3_exec(d.db, "BEGIN", nullptr, nullptr, nullptr); rc != SQLITE_OK)
    return d.fail(rc, "starting a read");
  for (size_t e = 0; e < d.enterprise_count; ++e) {
    Reset r{d.latest_at.s};
    sqlite3_bind_int64(d.latest_at.s, 1, static_cast<int64_t>(e));
    sqlite3_bind_int64(d.latest_at.s, 2, t_ms);
    const int rc = d.step(d.latest_at);
    if (rc == SQLITE_DONE) continue;
    if (rc != SQLITE_ROW) {
      Failure f = d.fail(rc, "reading the state at a time");
      sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
      return f;
    }
    scene::Metrics& m = out[e];
    m.ts_ms = sqlite3_column_int64(d.latest_at.s, 0);
    for (size_t i = 0; i < scene::kMetricCount; ++i) m.v[i] = sqlite3_column_double(d.latest_at.s, static_cast<int>(1 + i));
    m.status = status_from_int(sqlite3_column_int64(d.latest_at.s, 5));
    m.simulated = (sqlite3_column_int64(d.latest_at.s, 5) & kSimulatedBit) != 0;
  }
  sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr);
  return out;
}

Result<std::vector<double>> HistoryStore::series(scene::Metric m, const std::vector<uint32_t>& enterprises,
                                                 int64_t t0_ms, int64_t t1_ms, int buckets) {
  Impl& d = *impl_;
  int64_t span = 0;
  if (buckets <= 0 || t1_ms <= t0_ms || __builtin_sub_overflow(t1_ms, t0_ms, &span) ||
      span > std::numeric_limits<int64_t>::max() / buckets)
    return Failure(Failure::ConfigurationError, "history series: need t0 < t1 and 1 or more buckets (got [" +
                                                    std::to_string(t0_ms) + ", " + std::to_string(t1_ms) + "), " +
                                                    std::to_string(buckets) + " buckets)");
  std::vector<double> out(static_cast<size_t>(buckets), 0.0);
  std::vector<uint32_t> all;
  const std::vector<uint32_t>* list = &enterprises;
  if (enterprises.empty()) {
    all.resize(d.enterprise_count);
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint32_t>(i);
    list = &all;
  }
  Stmt& st = d.series[static_cast<size_t>(m)];
  if (const int rc = sqlite3_exec(d.db, "BEGIN", nullptr, nullptr, nullptr); rc != SQLITE_OK)
    return d.fail(rc, "starting a read");
  // An enterprise without samples in a bucket adds nothing to it.
  for (uint32_t e : *list) {
    Reset r{st.s};
    sqlite3_bind_int64(st.s, 1, e);
    sqlite3_bind_int64(st.s, 2, t0_ms);
    sqlite3_bind_int64(st.s, 3, t1_ms);
    sqlite3_bind_int64(st.s, 4, buckets);
    int rc;
    while ((rc = d.step(st)) == SQLITE_ROW) {
      const int64_t b = sqlite3_column_int64(st.s, 0);
      if (b >= 0 && b < buckets) out[static_cast<size_t>(b)] += sqlite3_column_double(st.s, 1);
    }
    if (rc != SQLITE_DONE) {
      Failure f = d.fail(rc, "reading a series");
      sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
      return f;
    }
  }
  sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr);
  return out;
}

Result<scene::TrailingTotals> HistoryStore::window_totals(int64_t t0_ms, int64_t t1_ms, int64_t hold_ms) {
  Impl& d = *impl_;
  if (t1_ms <= t0_ms || hold_ms <= 0)
    return Failure(Failure::ConfigurationError, "history window: need t0 < t1 and a positive hold time");
  scene::TrailingTotals out;
  out.basis = scene::TrailingTotals::Basis::History;
  out.start_ms = t0_ms;
  out.end_ms = t1_ms;
  out.output_yuan.assign(d.enterprise_count, 0.0);
  out.production.assign(d.enterprise_count, 0.0);
  out.covered_ms.assign(d.enterprise_count, 0.0);
  if (const int rc = sqlite3_exec(d.db, "BEGIN", nullptr, nullptr, nullptr); rc != SQLITE_OK)
    return d.fail(rc, "starting a read");
  constexpr double kHourMs = 3'600'000.0;
  for (size_t e = 0; e < d.enterprise_count; ++e) {
    Reset r{d.window.s};
    sqlite3_bind_int64(d.window.s, 1, static_cast<int64_t>(e));
    sqlite3_bind_int64(d.window.s, 2, t0_ms - hold_ms);  // a sample just before the window may hold into it
    sqlite3_bind_int64(d.window.s, 3, t1_ms);
    // Each sample is integrated when the next one (or the end) tells how long it held.
    bool have = false;
    int64_t ts = 0;
    double output = 0.0, production = 0.0;
    auto close = [&](int64_t until) {
      const int64_t a = std::max(ts, t0_ms), b = std::min({until, ts + hold_ms, t1_ms});
      if (b <= a) return;
      const double ms = static_cast<double>(b - a);
      out.output_yuan[e] += output * ms / kHourMs;
      out.production[e] += production * ms / kHourMs;
      out.covered_ms[e] += ms;
    };
    int rc;
    while ((rc = d.step(d.window)) == SQLITE_ROW) {
      const int64_t next = sqlite3_column_int64(d.window.s, 0);
      if (have) close(next);
      have = true;
      ts = next;
      output = sqlite3_column_double(d.window.s, 1);
      production = sqlite3_column_double(d.window.s, 2);
      if (!std::isfinite(output) || !std::isfinite(production)) have = false;  // a damaged row covers nothing
      if (sqlite3_column_int64(d.window.s, 3) & kSimulatedBit) out.simulated = true;
    }
    if (rc != SQLITE_DONE) {
      Failure f = d.fail(rc, "reading the KPI window");
      sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
      return f;
    }
    if (have) close(t1_ms);
  }
  sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr);
  return out;
}

Result<std::pair<int64_t, int64_t>> HistoryStore::time_range() {
  Impl& d = *impl_;
  Reset r{d.range.s};
  const int rc = d.step(d.range);
  if (rc != SQLITE_ROW) return d.fail(rc, "reading the time range");
  if (sqlite3_column_type(d.range.s, 0) == SQLITE_NULL) return std::pair<int64_t, int64_t>{0, 0};
  return std::pair<int64_t, int64_t>{sqlite3_column_int64(d.range.s, 0), sqlite3_column_int64(d.range.s, 1)};
}

Result<uint64_t> HistoryStore::count() {
  Impl& d = *impl_;
  Reset r{d.count.s};
  const int rc = d.step(d.count);
  if (rc != SQLITE_ROW) return d.fail(rc, "counting samples");
  return static_cast<uint64_t>(sqlite3_column_int64(d.count.s, 0));
}

}  // namespace parktwin::live
