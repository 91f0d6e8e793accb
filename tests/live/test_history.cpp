// History in SQLite on disk: WAL, append/state_at/series/time_range/retention, reopening, a
// corrupt file, bulk append speed, and replay through history://.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ingest.h"
#include "parktwin/live/history.h"
#include "sources.h"

namespace parktwin::live {
namespace {

namespace fs = std::filesystem;

/// A fresh database path under the test output directory (old file and its WAL removed).
std::string fresh_db(const std::string& name) {
  const fs::path dir = fs::path(PARKTWIN_TEST_OUT) / "history";
  fs::create_directories(dir);
  const fs::path p = dir / (name + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
  return p.string();
}

Sample sample(uint32_t e, int64_t ts, double output, scene::Status st = scene::Status::Running) {
  Sample s;
  s.enterprise = e;
  s.m.ts_ms = ts;
  s.m.v = {output, output * 2, 50.0 + e, output / 10};
  s.m.status = st;
  return s;
}

std::unique_ptr<HistoryStore> open_ok(const std::string& path, size_t n, HistoryOptions opt = {}) {
  auto r = HistoryStore::open(path, n, opt);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(*r) : nullptr;
}

/// The small fixed history most tests use: e0 at 1000, 1100, 2000, 3000; e1 at 1500; e2 none.
std::vector<Sample> small_history() {
  return {sample(0, 1000, 10), sample(0, 1100, 20, scene::Status::Alarm), sample(0, 2000, 20), sample(0, 3000, 30),
          sample(1, 1500, 100, scene::Status::Maintenance)};
}

TEST(History, WindowTotalsHoldEachSampleUntilTheNextOrTheHoldTime) {
  // Enterprise 0 reports 3600 yuan/h every minute for two hours, stops for an hour, then once more.
  // Enterprise 1 reports once, long before the window; enterprise 2 never. Hold: 15 minutes.
  auto store = open_ok(fresh_db("window"), 3);
  ASSERT_TRUE(store);
  constexpr int64_t kMin = 60'000, kHour = 60 * kMin;
  const int64_t t0 = 1'700'000'000'000;  // window start
  std::vector<Sample> v;
  for (int i = 0; i < 120; ++i) v.push_back(sample(0, t0 + i * kMin, 3600.0));
  v.push_back(sample(0, t0 + 3 * kHour, 7200.0));
  v.push_back(sample(1, t0 - 5 * kHour, 1000.0));
  v.back().m.simulated = true;
  ASSERT_TRUE(store->append(v));
  const int64_t t1 = t0 + 3 * kHour + 5 * kMin;  // the last sample holds for 5 minutes until the window's end
  auto w = store->window_totals(t0, t1, 15 * kMin);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->basis, scene::TrailingTotals::Basis::History);
  EXPECT_EQ(w->start_ms, t0);
  EXPECT_EQ(w->end_ms, t1);
  // 119 minutes between samples + the 120th sample held 15 minutes (the hour-long gap does not
  // count) + the last sample's 5 minutes.
  const double covered_min = 119 + 15 + 5;
  EXPECT_DOUBLE_EQ(w->covered_ms[0], covered_min * kMin);
  EXPECT_NEAR(w->output_yuan[0], 3600.0 * (119 + 15) / 60.0 + 7200.0 * 5 / 60.0, 1e-6);
  EXPECT_NEAR(w->production[0], w->output_yuan[0] / 10.0, 1e-6);  // production = output / 10 in this fixture
  EXPECT_DOUBLE_EQ(w->covered_ms[1], 0.0) << "a sample 5 h before the window holds 15 minutes, not into it";
  EXPECT_DOUBLE_EQ(w->covered_ms[2], 0.0);
  EXPECT_FALSE(w->simulated) << "the simulated sample lies outside the window";
  // A window that reaches back to the simulated sample says so.
  auto earlier = store->window_totals(t0 - 5 * kHour, t1, 15 * kMin);
  ASSERT_TRUE(earlier);
  EXPECT_TRUE(earlier->simulated);
  EXPECT_DOUBLE_EQ(earlier->covered_ms[1], 15.0 * kMin);
  EXPECT_FALSE(store->window_totals(t1, t0, 15 * kMin)) << "an empty window is refused";
}

TEST(History, WalModeOnDisk) {
  const std::string path = fresh_db("wal");
  auto store = open_ok(path, 3);
  ASSERT_TRUE(store);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST(History, AppendStateAtAndTimeRange) {
  auto store = open_ok(fresh_db("state"), 3);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->time_range()->first, 0);
  EXPECT_EQ(store->time_range()->second, 0);
  const auto rows = small_history();
  ASSERT_EQ(*store->append(rows), rows.size());
  EXPECT_EQ(*store->count(), 5u);
  EXPECT_EQ(*store->time_range(), (std::pair<int64_t, int64_t>{1000, 3000}));

  const auto before = store->state_at(999);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 3u);
  for (const auto& m : *before) EXPECT_EQ(m.ts_ms, 0);

  const auto at = store->state_at(2500);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ((*at)[0].ts_ms, 2000);
  EXPECT_EQ((*at)[0].v, sample(0, 2000, 20).m.v);
  EXPECT_EQ((*at)[0].status, scene::Status::Running);
  EXPECT_EQ((*at)[1].ts_ms, 1500);
  EXPECT_EQ((*at)[1].status, scene::Status::Maintenance);
  EXPECT_EQ((*at)[2].ts_ms, 0);
  EXPECT_EQ((*store->state_at(1100))[0].status, scene::Status::Alarm);  // "at or before" includes t itself
  EXPECT_EQ((*store->state_at(1'000'000))[0].ts_ms, 3000);

  // ts 0 is "no sample" and is not stored; a new key is.
  ASSERT_EQ(*store->append(std::vector{sample(2, 0, 1), sample(2, 2200, 7)}), 1u);
  EXPECT_EQ(*store->count(), 6u);
}

// Anyone who can publish could rewrite history when a sample with the key of a recorded one
// replaced it (INSERT OR REPLACE), simulated mark included: the recorded sample now stays and the
// copy is counted.
TEST(History, ARecordedSampleIsNeverReplaced) {
  auto store = open_ok(fresh_db("no_rewrite"), 3);
  ASSERT_TRUE(store);
  ASSERT_EQ(*store->append(small_history()), 5u);
  Sample forged = sample(0, 2000, 99, scene::Status::Alarm);
  forged.m.simulated = true;
  ASSERT_EQ(*store->append(std::vector{forged, sample(1, 1500, 1)}), 0u);
  EXPECT_EQ(store->duplicates_kept(), 2u);
  EXPECT_EQ(*store->count(), 5u);
  const auto at = store->state_at(2500);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ((*at)[0].v, sample(0, 2000, 20).m.v) << "the recorded values stay";
  EXPECT_EQ((*at)[0].status, scene::Status::Running);
  EXPECT_FALSE((*at)[0].simulated);
  EXPECT_EQ((*at)[1].status, scene::Status::Maintenance);
  // Reopened, the file still holds the first values.
  const std::string path = fs::path(PARKTWIN_TEST_OUT) / "history" / "no_rewrite.db";
  store.reset();
  auto again = open_ok(path, 3);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again->state_at(2500))[0].value(scene::Metric::Output), 20.0);
}

// Replay and --history used to add tables to any SQLite file they were given (a GeoPackage) and
// switch it to WAL. A file that is not a history is now refused untouched, and a recording is read
// read-only, left byte for byte as it was.
TEST(History, AForeignFileIsRefusedUntouchedAndARecordingIsReadReadOnly) {
  auto bytes_of = [](const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  // An SQLite file with tables of its own, as a GeoPackage is.
  const std::string foreign = fresh_db("foreign");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(foreign.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE gpkg_contents(table_name TEXT); INSERT INTO gpkg_contents VALUES('parcels');",
                           nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  const std::string before = bytes_of(foreign);
  for (bool ro : {false, true}) {
    HistoryOptions o;
    o.read_only = ro;
    auto h = HistoryStore::open(foreign, 3, o);
    ASSERT_FALSE(h) << "read_only=" << ro;
    EXPECT_NE(h.error().message.find("not a ParkTwin history"), std::string::npos) << h.error().message;
  }
  EXPECT_EQ(bytes_of(foreign), before) << "the file was written";
  EXPECT_FALSE(fs::exists(foreign + "-wal"));

  // A real recording, closed; read it read-only: same answers, same bytes, no WAL switch, no write.
  const std::string rec = fresh_db("recording");
  {
    auto w = open_ok(rec, 3);
    ASSERT_TRUE(w);
    ASSERT_EQ(*w->append(small_history()), 5u);
  }
  const std::string rec_before = bytes_of(rec);
  HistoryOptions ro;
  ro.read_only = true;
  auto r = HistoryStore::open(rec, 3, ro);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*(*r)->state_at(2500))[0].value(scene::Metric::Output), 20.0);
  EXPECT_FALSE((*r)->append(std::vector{sample(2, 5000, 1)})) << "a read-only recording takes no samples";
  r->reset();
  EXPECT_EQ(bytes_of(rec), rec_before);
  // Read-only, a missing file is an error, not a new empty history.
  EXPECT_FALSE(HistoryStore::open(fresh_db("missing"), 3, ro));
  EXPECT_FALSE(fs::exists(fresh_db("missing")));
}

TEST(History, SimulatedMarkSurvivesTheRecording) {
  auto h = open_ok(fresh_db("simulated_mark"), 2);
  Sample a = sample(0, 1000, 5.0, scene::Status::Alarm);
  a.m.simulated = true;
  Sample b = sample(1, 1000, 6.0, scene::Status::Maintenance);
  ASSERT_TRUE(h->append(std::vector<Sample>{a, b}).ok());
  auto st = h->state_at(2000);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_TRUE((*st)[0].simulated);
  EXPECT_EQ((*st)[0].status, scene::Status::Alarm);
  EXPECT_FALSE((*st)[1].simulated);
  EXPECT_EQ((*st)[1].status, scene::Status::Maintenance);
}

TEST(History, SeriesSumsPerEnterpriseMeans) {
  auto store = open_ok(fresh_db("series"), 3);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->append(small_history()).ok());
  // Buckets of 1000 ms over [0, 4000): e0 means 0 | 15 | 20 | 30, e1 adds 100 in bucket 1.
  const auto all = store->series(scene::Metric::Output, {}, 0, 4000, 4);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(*all, (std::vector<double>{0, 115, 20, 30}));
  EXPECT_EQ(*store->series(scene::Metric::Output, {1}, 0, 4000, 4), (std::vector<double>{0, 100, 0, 0}));
  EXPECT_EQ(*store->series(scene::Metric::Power, {0}, 0, 4000, 2), (std::vector<double>{30, 50}));
  EXPECT_EQ(*store->series(scene::Metric::Utilisation, {}, 1000, 3000, 1), (std::vector<double>{101}));
  // The end is exclusive, and nonsense ranges fail instead of dividing by zero.
  EXPECT_EQ(*store->series(scene::Metric::Output, {0}, 1000, 3000, 2), (std::vector<double>{15, 20}));
  EXPECT_FALSE(store->series(scene::Metric::Output, {}, 10, 10, 4).ok());
  EXPECT_FALSE(store->series(scene::Metric::Output, {}, 0, 10, 0).ok());
}

TEST(History, RetentionAndReopen) {
  const std::string path = fresh_db("retention");
  {
    auto store = open_ok(path, 3, HistoryOptions{.retention_ms = 1500});
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->append(small_history()).ok());
    // Newest is 3000: rows before 1500 go (1000 and 1100), 1500 itself stays.
    EXPECT_EQ(*store->apply_retention(), 2u);
    EXPECT_EQ(*store->count(), 3u);
    EXPECT_EQ(*store->apply_retention(), 0u);
  }
  auto reopened = open_ok(path, 3, HistoryOptions{.retention_ms = 0});
  ASSERT_TRUE(reopened);
  EXPECT_EQ(*reopened->count(), 3u);
  EXPECT_EQ(*reopened->time_range(), (std::pair<int64_t, int64_t>{1500, 3000}));
  EXPECT_EQ((*reopened->state_at(3000))[1].ts_ms, 1500);
  EXPECT_EQ(*reopened->apply_retention(), 0u);  // 0 keeps everything
}

TEST(History, CorruptOrUnreachableFileFailsClearly) {
  const std::string path = fresh_db("corrupt");
  {
    std::ofstream f(path, std::ios::binary);
    for (int i = 0; i < 512; ++i) f << "this is not a database ";
  }
  const auto r = HistoryStore::open(path, 3);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("not a"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("move it aside"), std::string::npos) << r.error().message;

  const std::string nowhere = std::string(PARKTWIN_TEST_OUT) + "/no/such/dir/history.db";
  const auto r2 = HistoryStore::open(nowhere, 3);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("directory exists"), std::string::npos) << r2.error().message;
}

TEST(History, BulkAppendAndStateAtSpeed) {
  constexpr uint32_t kEnterprises = 300;
  constexpr int kTimes = 334;  // 100,200 samples
  const std::string path = fresh_db("bulk");
  auto store = open_ok(path, kEnterprises);
  ASSERT_TRUE(store);
  std::vector<Sample> batch;
  batch.reserve(kEnterprises);
  const auto t0 = std::chrono::steady_clock::now();
  for (int k = 0; k < kTimes; ++k) {
    batch.clear();
    for (uint32_t e = 0; e < kEnterprises; ++e) batch.push_back(sample(e, 1'700'000'000'000 + k * 60'000LL, e + k));
    ASSERT_TRUE(store->append(batch).ok());  // one transaction per minute of data, as a recorder does
  }
  const double append_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const uint64_t n = *store->count();
  EXPECT_EQ(n, uint64_t{kEnterprises} * kTimes);
  std::printf("[history] appended %llu samples in %.3f s (%.0f samples/s, batches of %u)\n",
              static_cast<unsigned long long>(n), append_s, static_cast<double>(n) / append_s, kEnterprises);

  // The same samples in one transaction: the per-commit cost dominates small batches.
  {
    auto single = open_ok(fresh_db("bulk_single"), kEnterprises);
    ASSERT_TRUE(single);
    std::vector<Sample> all;
    all.reserve(size_t{kEnterprises} * kTimes);
    for (int k = 0; k < kTimes; ++k)
      for (uint32_t e = 0; e < kEnterprises; ++e) all.push_back(sample(e, 1'700'000'000'000 + k * 60'000LL, e + k));
    const auto ts = std::chrono::steady_clock::now();
    ASSERT_EQ(*single->append(all), all.size());
    const double one_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - ts).count();
    std::printf("[history] appended %zu samples in one transaction in %.3f s (%.0f samples/s)\n", all.size(), one_s,
                static_cast<double>(all.size()) / one_s);
  }

  const auto t1 = std::chrono::steady_clock::now();
  constexpr int kQueries = 50;
  for (int q = 0; q < kQueries; ++q) {
    const auto st = store->state_at(1'700'000'000'000 + (q * 6 + 1) * 60'000LL + 30'000);
    ASSERT_TRUE(st.ok());
    ASSERT_EQ((*st)[7].ts_ms, 1'700'000'000'000 + (q * 6 + 1) * 60'000LL);
  }
  const double state_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count() / kQueries;
  std::printf("[history] state_at over %u enterprises: %.3f ms per call (per-enterprise key seeks)\n", kEnterprises,
              state_ms);

  // The alternative: one grouped query. Measured here for comparison, on the same data.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* grouped = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT enterprise, MAX(ts), output, power, util, production, status FROM samples "
                               "WHERE ts <= ?1 GROUP BY enterprise",
                               -1, &grouped, nullptr),
            SQLITE_OK);
  const auto t2 = std::chrono::steady_clock::now();
  for (int q = 0; q < kQueries; ++q) {
    sqlite3_bind_int64(grouped, 1, 1'700'000'000'000 + (q * 6 + 1) * 60'000LL + 30'000);
    int rows = 0;
    while (sqlite3_step(grouped) == SQLITE_ROW) ++rows;
    sqlite3_reset(grouped);
    ASSERT_EQ(rows, static_cast<int>(kEnterprises));
  }
  const double grouped_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t2).count() / kQueries;
  std::printf("[history] the same as one grouped query: %.3f ms per call\n", grouped_ms);
  sqlite3_finalize(grouped);
  sqlite3_close(db);

  const auto t3 = std::chrono::steady_clock::now();
  const auto series = store->series(scene::Metric::Output, {}, 1'700'000'000'000, 1'700'000'000'000 + kTimes * 60'000LL, 100);
  ASSERT_TRUE(series.ok());
  std::printf("[history] series of all enterprises, 100 buckets: %.3f ms\n",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t3).count());
}

// ---- replay through history:// ----

Registry replay_registry() {
  Registry reg;
  for (const char* id : {"huaqin", "ganfeng", "jiangxi_copper"}) reg.add({.id = id, .park = "p"});
  return reg;
}

/// Drains `src` until `n` samples arrived or `timeout` passed.
std::vector<Sample> drain_until(Source& src, size_t n, std::chrono::milliseconds timeout) {
  std::vector<Sample> got;
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (got.size() < n && std::chrono::steady_clock::now() < until) {
    src.drain(got);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return got;
}

TEST(HistoryReplay, ReplaysInTimestampOrderFromStart) {
  const std::string path = fresh_db("replay");
  std::vector<Sample> rows;
  {
    auto store = open_ok(path, 4);
    ASSERT_TRUE(store);
    // 3000 rows in scrambled order over 10 minutes, plus one of an enterprise the registry lacks.
    for (int i = 0; i < 3000; ++i) rows.push_back(sample((i * 7) % 3, 1'000'000 + ((i * 7919) % 3000) * 200, i));
    rows.push_back(sample(3, 1'000'500, 1));
    ASSERT_TRUE(store->append(rows).ok());
  }
  const Registry reg = replay_registry();
  auto src = make_history_source(reg, path, 1e6, 0, SourceOptions{});
  ASSERT_TRUE(src->start().ok());
  const auto got = drain_until(*src, 3000, std::chrono::seconds(20));
  ASSERT_EQ(got.size(), 3000u);
  for (size_t i = 1; i < got.size(); ++i) {
    ASSERT_LE(got[i - 1].m.ts_ms, got[i].m.ts_ms) << i;
    if (got[i - 1].m.ts_ms == got[i].m.ts_ms) {
      ASSERT_LT(got[i - 1].enterprise, got[i].enterprise);
    }
  }
  EXPECT_EQ(got.front().m.ts_ms, 1'000'000);
  EXPECT_EQ(got.back().m.ts_ms, 1'000'000 + 2999 * 200);

  // At the end the state is Idle and the clock stands at (or just past) the newest row.
  for (int i = 0; i < 500 && src->status().state != ConnectionState::Idle; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const SourceStatus st = src->status();
  EXPECT_EQ(st.state, ConnectionState::Idle);
  EXPECT_EQ(st.kind, "history");
  EXPECT_FALSE(st.simulated);
  EXPECT_EQ(st.url, "history://" + path);
  EXPECT_EQ(st.accepted, 3000u);
  EXPECT_GE(st.clock_ms, got.back().m.ts_ms);
  EXPECT_EQ(src->now_ms(), st.clock_ms);
  src->stop();

  // From a start time: only rows at or after it.
  auto mid = make_history_source(reg, path, 1e6, 1'000'000 + 2990 * 200, SourceOptions{});
  ASSERT_TRUE(mid->start().ok());
  const auto tail = drain_until(*mid, 10, std::chrono::seconds(10));
  ASSERT_EQ(tail.size(), 10u);
  EXPECT_EQ(tail.front().m.ts_ms, 1'000'000 + 2990 * 200);
}

TEST(HistoryReplay, PacedByTheReplayClock) {
  const std::string path = fresh_db("replay_paced");
  {
    auto store = open_ok(path, 3);
    ASSERT_TRUE(store);
    std::vector<Sample> rows;
    for (int i = 0; i <= 6; ++i) rows.push_back(sample(0, 5'000'000 + i * 100, i));
    ASSERT_TRUE(store->append(rows).ok());
  }
  const Registry reg = replay_registry();
  auto src = make_history_source(reg, path, 1.0, 0, SourceOptions{});
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(src->start().ok());
  const int64_t clock0 = src->now_ms();
  EXPECT_GE(clock0, 5'000'000);
  EXPECT_LT(clock0, 5'000'600);
  const auto got = drain_until(*src, 7, std::chrono::seconds(10));
  const double elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(got.size(), 7u);
  EXPECT_GE(elapsed_ms, 550.0);  // 600 ms of history at speed 1 cannot arrive sooner
  EXPECT_GE(src->now_ms(), 5'000'600);
  src->stop();
  EXPECT_EQ(src->status().state, ConnectionState::Idle);
}

TEST(HistoryReplay, MissingOrForeignFileFailsOnStart) {
  const Registry reg = replay_registry();
  auto missing = make_history_source(reg, std::string(PARKTWIN_TEST_OUT) + "/history/absent.db", 1.0, 0, {});
  const auto r = missing->start();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("absent.db"), std::string::npos) << r.error().message;
  EXPECT_EQ(missing->status().state, ConnectionState::Failed);
  EXPECT_FALSE(missing->status().last_error.empty());

  const std::string foreign = fresh_db("foreign");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(foreign.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE other(x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto src = make_history_source(reg, foreign, 1.0, 0, {});
  const auto r2 = src->start();
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("not a ParkTwin history"), std::string::npos) << r2.error().message;
}

}  // namespace
}  // namespace parktwin::live
