#pragma once
// Sample history in SQLite (WAL), on disk. Appends are batched in one transaction; a retention
// period deletes old rows. Queries serve scrubbing (state of every enterprise at a time) and
// sparklines (bucketed series).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "parktwin/gis/result.h"
#include "parktwin/live/sample.h"
#include "parktwin/scene/kpi.h"

namespace parktwin::live {

template <typename T>
using Result = gis::Result<T>;
using gis::Failure;

struct HistoryOptions {
  int64_t retention_ms = 30LL * 24 * 3600 * 1000;  ///< rows older than newest - retention are deleted (0 = keep all)
  /// Reading a recording (replay, a still at a moment, the KPI window of a history:// feed): the
  /// file is opened read-only and left byte for byte as it was; it must exist and be a history.
  bool read_only = false;
};

class HistoryStore {
 public:
  /// Opens or creates the database at `path` (":memory:" for tests). Fails with a clear message,
  /// touching nothing, for a file that is not a ParkTwin history (an SQLite file with other tables:
  /// a GeoPackage, say) and, read-only, for a missing one.
  static Result<std::unique_ptr<HistoryStore>> open(const std::string& path, size_t enterprise_count,
                                                    HistoryOptions opt = {});
  ~HistoryStore();

  /// Stores samples in one transaction. Returns the number written. A sample with the key
  /// (enterprise, ts) of a recorded one never replaces it (a late or replayed message cannot
  /// rewrite history): it is not written and counted in duplicates_kept().
  Result<size_t> append(std::span<const Sample> samples);
  /// Samples refused by append() since open because a recorded sample had their key.
  uint64_t duplicates_kept() const;
  /// Applies the retention period relative to the newest stored sample; returns rows deleted.
  Result<size_t> apply_retention();
  /// The latest sample of each enterprise at or before t_ms (ts_ms == 0 where there is none).
  Result<std::vector<scene::Metrics>> state_at(int64_t t_ms);
  /// Sum of a metric over a set of enterprises (empty = all) in `buckets` equal buckets of
  /// [t0_ms, t1_ms): each bucket holds the sum over enterprises of their mean in the bucket.
  Result<std::vector<double>> series(scene::Metric m, const std::vector<uint32_t>& enterprises, int64_t t0_ms,
                                     int64_t t1_ms, int buckets);
  /// Totals of output value and production per enterprise over [t0_ms, t1_ms): each sample's rate
  /// (per hour) holds until the next sample of its enterprise, at most `hold_ms`; the time so held
  /// is the enterprise's covered time. Basis History; simulated when any sample used was.
  Result<scene::TrailingTotals> window_totals(int64_t t0_ms, int64_t t1_ms, int64_t hold_ms);
  /// Oldest and newest stored timestamps (0, 0 when empty).
  Result<std::pair<int64_t, int64_t>> time_range();
  Result<uint64_t> count();

 private:
  HistoryStore() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parktwin::live
