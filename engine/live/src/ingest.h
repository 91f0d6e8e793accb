#pragma once
// Private: validation, flood limiting, counting and queueing shared by the sources.
// One producer thread calls offer()/push(); the app's thread calls drain(); status readers any time.
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "parktwin/live/payload.h"
#include "parktwin/live/source.h"

namespace parktwin::live {

class Ingest {
 public:
  Ingest(const Registry& reg, const SourceOptions& opt);
  /// Validates one raw message; queues the sample or counts the reject under its reason.
  /// `now_ms` is the reference clock for timestamp checks; `received_steady_ms` the arrival time.
  void offer(std::string_view topic, std::string_view payload, int64_t now_ms, int64_t received_steady_ms);
  /// Queues a sample from a trusted in-process producer (the simulator, a replay).
  void push(const Sample& s);
  /// Moves every queued sample into `out` (appends).
  void drain(std::vector<Sample>& out);
  /// Fills the counters, rate and latency fields of `st`.
  void fill_status(SourceStatus& st) const;
  /// The same with "now" given on the steady clock (ms, as `offer` takes it): the rate window ends there.
  void fill_status(SourceStatus& st, int64_t now_steady_ms) const;
  const IngestCounters& counters() const { return counters_; }

 private:
  /// True when the queue has room; else counts a QueueFull drop (mu_ held).
  bool room_locked();
  const Registry& reg_;
  SourceOptions opt_;
  IngestCounters counters_;
  mutable std::mutex mu_;
  std::vector<Sample> queue_;
  std::string last_reject_;
  std::vector<double> flood_tokens_;     ///< per enterprise token bucket
  std::vector<int64_t> flood_last_ms_;
  std::deque<std::pair<int64_t, uint64_t>> rate_window_;  ///< (steady ms, received) for messages/s
  std::vector<double> latencies_ms_;     ///< ring of recent publish->accept latencies
  size_t latency_next_ = 0;
};

/// Steady clock in ms (for latency and rates).
int64_t steady_ms();

}  // namespace parktwin::live
