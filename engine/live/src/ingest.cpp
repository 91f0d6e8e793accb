// The ingest pipeline shared by every source: validate, flood-limit, count, queue, measure.
//
// Counters are relaxed atomics so that status readers never wait on the producer; everything
// else (queue, flood buckets, rate window, latency ring, last reject) sits under one mutex that
// is held only for a few assignments per message.
#include "ingest.h"

#include <algorithm>
#include <chrono>
#include <limits>

namespace parktwin::live {
namespace {

constexpr int64_t kRateWindowMs = 5000;  ///< messages/s is averaged over this much of the recent past
constexpr int64_t kRateBucketMs = 100;   ///< resolution of the rate window
constexpr size_t kLatencyRing = 4096;    ///< latency percentiles cover the last this many samples
constexpr double kFloodBurstSeconds = 2.0;
constexpr int64_t kNeverSeen = std::numeric_limits<int64_t>::min();

void bump(std::atomic<uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }

/// Notes an arrival at `now` in the rate window. Each bucket records the received count *before*
/// its first message, so the messages since a bucket began are received_now - its count.
void note_arrival(std::deque<std::pair<int64_t, uint64_t>>& window, int64_t now, uint64_t received_before) {
  if (window.empty() || now - window.back().first >= kRateBucketMs) window.emplace_back(now, received_before);
  while (!window.empty() && window.front().first < now - kRateWindowMs) window.pop_front();
}

/// The q-quantile (0..1) of `v` by nearest rank; `v` is reordered.
double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0.0;
  const auto k = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Ingest::Ingest(const Registry& reg, const SourceOptions& opt)
    : reg_(reg),
      opt_(opt),
      flood_tokens_(reg.size(), opt.flood_per_enterprise_per_s * kFloodBurstSeconds),
      flood_last_ms_(reg.size(), kNeverSeen) {
  latencies_ms_.reserve(kLatencyRing);
}

void Ingest::offer(std::string_view topic, std::string_view payload, int64_t now_ms, int64_t received_steady_ms) {
  // Parsing runs outside the lock: it is the expensive part and touches no shared state.
  ParseResult r = parse_message(topic, payload, reg_, now_ms, opt_.limits);

  std::lock_guard lock(mu_);
  const uint64_t before = counters_.received.load(std::memory_order_relaxed);
  bump(counters_.received);
  note_arrival(rate_window_, received_steady_ms, before);

  if (auto* rej = std::get_if<Rejected>(&r)) {
    bump(counters_.rejected[static_cast<size_t>(rej->reason)]);
    last_reject_ = std::string(reject_name(rej->reason)) + ": " + rej->detail;
    return;
  }

  Sample& s = std::get<Sample>(r);
  // Token bucket per enterprise: refills at the allowed rate, holds two seconds' worth, so a
  // publisher that reconnects and flushes a short backlog is not punished. A rate <= 0 disables it.
  const double rate = opt_.flood_per_enterprise_per_s;
  if (rate > 0.0) {
    if (s.enterprise >= flood_tokens_.size()) {  // the registry grew after construction
      flood_tokens_.resize(s.enterprise + 1, rate * kFloodBurstSeconds);
      flood_last_ms_.resize(s.enterprise + 1, kNeverSeen);
    }
    double& tokens = flood_tokens_[s.enterprise];
    int64_t& last = flood_last_ms_[s.enterprise];
    if (last != kNeverSeen && received_steady_ms > last)
      tokens = std::min(rate * kFloodBurstSeconds, tokens + static_cast<double>(received_steady_ms - last) * rate / 1000.0);
    if (last == kNeverSeen || received_steady_ms > last) last = received_steady_ms;
    if (tokens < 1.0) {
      bump(counters_.rejected[static_cast<size_t>(Reject::Flood)]);
      last_reject_ = std::string(reject_name(Reject::Flood)) + ": enterprise \"" + reg_.enterprises()[s.enterprise].id +
                     "\" sends more than " + std::to_string(static_cast<int64_t>(rate)) +
                     " messages/s; slow the publisher down or raise the flood limit";
      return;
    }
    tokens -= 1.0;
  }

  // Latency from the sample's own timestamp (its publish time) to acceptance on the reference
  // clock; only meaningful when publisher and receiver share a clock, so a sample from the future
  // (clock skew) counts as zero rather than as a negative latency.
  const double latency = static_cast<double>(std::max<int64_t>(0, now_ms - s.m.ts_ms));
  if (latencies_ms_.size() < kLatencyRing) {
    latencies_ms_.push_back(latency);
  } else {
    latencies_ms_[latency_next_] = latency;
    latency_next_ = (latency_next_ + 1) % kLatencyRing;
  }

  s.received_ms = received_steady_ms;
  if (!room_locked()) return;
  queue_.push_back(std::move(s));
  bump(counters_.accepted);
}

bool Ingest::room_locked() {
  if (queue_.size() < opt_.max_queued) return true;
  bump(counters_.rejected[static_cast<size_t>(Reject::QueueFull)]);
  last_reject_ = std::string(reject_name(Reject::QueueFull)) + ": " + std::to_string(queue_.size()) +
                 " samples wait for the app, which has not taken them (it is stalled); newer ones are dropped "
                 "until it does";
  return false;
}

void Ingest::push(const Sample& s) {
  std::lock_guard lock(mu_);
  const int64_t now = s.received_ms != 0 ? s.received_ms : steady_ms();
  note_arrival(rate_window_, now, counters_.received.load(std::memory_order_relaxed));
  bump(counters_.received);
  if (!room_locked()) return;
  queue_.push_back(s);
  bump(counters_.accepted);
}

void Ingest::drain(std::vector<Sample>& out) {
  std::vector<Sample> taken;
  {
    std::lock_guard lock(mu_);
    taken.swap(queue_);
  }
  // Appending happens outside the lock so the producer never waits on the consumer's copy.
  if (out.empty()) {
    out = std::move(taken);
  } else {
    out.insert(out.end(), std::make_move_iterator(taken.begin()), std::make_move_iterator(taken.end()));
  }
}

void Ingest::fill_status(SourceStatus& st) const { fill_status(st, steady_ms()); }

void Ingest::fill_status(SourceStatus& st, int64_t now_steady_ms) const {
  st.received = counters_.received.load(std::memory_order_relaxed);
  st.accepted = counters_.accepted.load(std::memory_order_relaxed);
  for (size_t i = 0; i < kRejectCount; ++i) st.rejected[i] = counters_.rejected[i].load(std::memory_order_relaxed);

  std::vector<double> lat;
  {
    std::lock_guard lock(mu_);
    // Messages per second: from the oldest bucket still inside the window to now. A stream that
    // stops decays to zero once its last bucket leaves the window.
    st.messages_per_s = 0.0;
    if (!rate_window_.empty()) {
      const int64_t now = std::max(now_steady_ms, rate_window_.back().first);
      const auto first = std::find_if(rate_window_.begin(), rate_window_.end(),
                                      [&](const auto& b) { return b.first >= now - kRateWindowMs; });
      if (first != rate_window_.end()) {
        const uint64_t received = counters_.received.load(std::memory_order_relaxed);
        // At least one second of span, so a single burst reads as "N in the last second", not infinity.
        const int64_t span = std::max<int64_t>(now - first->first, 1000);
        st.messages_per_s = static_cast<double>(received - first->second) * 1000.0 / static_cast<double>(span);
      }
    }
    if (!last_reject_.empty()) st.last_error = last_reject_;  // otherwise the source's own error stays
    lat = latencies_ms_;
  }
  st.latency_p50_ms = quantile(lat, 0.50);
  st.latency_p99_ms = quantile(lat, 0.99);
}

}  // namespace parktwin::live
