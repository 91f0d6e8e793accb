// The "sim://" source: a thread that runs a simulated clock and feeds Simulator samples through
// the shared ingest queue, as if every enterprise published once per interval of simulated time.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <vector>

#include "parktwin/live/guarded.h"
#include "ingest.h"
#include "parktwin/live/simulator.h"
#include "sources.h"

namespace parktwin::live {

namespace {

/// Wall time between two ticks of the simulated clock: about a display frame at 20 Hz. Each tick
/// emits at most one sample per enterprise, which bounds the rate at any speed.
constexpr std::chrono::milliseconds kTick{50};

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

SimParams sanitised(SimParams p) {
  if (!(p.speed > 0.0)) p.speed = 1.0;
  if (!(p.interval_s > 0.0)) p.interval_s = 60.0;
  p.interval_s = std::max(p.interval_s, 0.001);  // whole milliseconds
  return p;
}

std::string url_of(const SimParams& p) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "sim://?seed=%llu&speed=%g&interval=%g", static_cast<unsigned long long>(p.seed),
                p.speed, p.interval_s);
  std::string url = buf;
  if (p.start_ms != 0) url += "&start=" + format_time(p.start_ms);
  return url;
}

class SimSource final : public Source {
 public:
  SimSource(const Registry& reg, const SimParams& p, const SourceOptions& opt)
      : reg_(reg), params_(sanitised(p)), url_(url_of(params_)), ingest_(reg, opt) {
    clock_ms_ = params_.start_ms != 0 ? params_.start_ms : wall_ms();
  }
  ~SimSource() override { stop(); }

  Result<bool> start() override {
    std::lock_guard lock(control_);
    if (thread_.joinable()) return true;
    // Resuming after stop() continues from the frozen simulated time.
    anchor_sim_ms_ = clock_ms_.load();
    anchor_steady_ms_ = steady_ms();
    running_ = true;
    thread_ = std::jthread([this](std::stop_token st) {
      const bool ok = guarded("the simulator thread", [&] { run(st); }, [this](std::string why) {
        std::lock_guard lock(error_mu_);
        error_ = std::move(why) + "; restart the viewer (or pick another --feed)";
      });
      if (!ok) running_ = false;
    });
    return true;
  }

  void stop() override {
    std::lock_guard lock(control_);
    if (!thread_.joinable()) return;
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
    clock_ms_ = now_ms();
    running_ = false;
  }

  void drain(std::vector<Sample>& out) override { ingest_.drain(out); }

  SourceStatus status() const override {
    SourceStatus st;
    st.url = url_;
    st.kind = "simulator";
    st.simulated = true;
    st.state = running_ ? ConnectionState::Connected : ConnectionState::Idle;
    {
      std::lock_guard lock(error_mu_);
      if (!error_.empty()) st.state = ConnectionState::Failed, st.last_error = error_;
    }
    st.clock_ms = now_ms();
    ingest_.fill_status(st);
    return st;
  }

  int64_t now_ms() const override {
    if (!running_) return clock_ms_;
    const auto wall_elapsed = static_cast<double>(steady_ms() - anchor_steady_ms_);
    return anchor_sim_ms_ + static_cast<int64_t>(wall_elapsed * params_.speed);
  }

 private:
  void run(std::stop_token st) {
    // The simulator normalises its activity pattern over a year when built; doing that here keeps
    // open_source()/start() instant for the caller.
    const Simulator sim(reg_, SimulatorOptions{.seed = params_.seed});
    const auto n = static_cast<uint32_t>(reg_.size());
    const auto interval_ms = static_cast<int64_t>(params_.interval_s * 1000.0);
    // Spread the enterprises over the interval, as real publishers would be, instead of a burst.
    std::vector<int64_t> phase(n), last(n, INT64_MIN);
    for (uint32_t e = 0; e < n; ++e) phase[e] = interval_ms * e / std::max<uint32_t>(n, 1);

    std::mutex mu;
    std::unique_lock lock(mu);
    while (!st.stop_requested()) {
      const int64_t now = now_ms();
      clock_ms_ = now;
      for (uint32_t e = 0; e < n; ++e) {
        // The latest sample time due for e; the ones skipped since the last tick are coalesced
        // into it (at high speed a tick spans many intervals).
        const int64_t k = floor_div(now - phase[e], interval_ms);
        if (k <= last[e]) continue;
        last[e] = k;
        Sample s;
        s.enterprise = e;
        s.m = sim.at(e, k * interval_ms + phase[e]);
        s.received_ms = steady_ms();
        ingest_.push(s);
      }
      wake_.wait_for(lock, st, kTick, [] { return false; });
    }
  }

  const Registry& reg_;
  const SimParams params_;
  const std::string url_;
  Ingest ingest_;
  std::mutex control_;  ///< serialises start() and stop()
  std::condition_variable_any wake_;
  std::jthread thread_;
  std::atomic<bool> running_{false};
  std::atomic<int64_t> clock_ms_{0};         ///< simulated time at the last tick (or frozen when stopped)
  std::atomic<int64_t> anchor_sim_ms_{0};    ///< simulated time at start()
  std::atomic<int64_t> anchor_steady_ms_{0}; ///< steady clock at start()
  mutable std::mutex error_mu_;
  std::string error_;  ///< why the thread stopped, when it did
};

}  // namespace

std::unique_ptr<Source> make_sim_source(const Registry& reg, const SimParams& p, const SourceOptions& opt) {
  return std::make_unique<SimSource>(reg, p, opt);
}

}  // namespace parktwin::live
