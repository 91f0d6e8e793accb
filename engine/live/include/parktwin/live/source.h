#pragma once
// Metric sources, chosen by URL:
//   sim://[?seed=N&speed=X&start=RFC3339&interval=S]   built-in simulator (default)
//   mqtt://[user@]host[:port][/park][?qos=0|1&client=ID&tls=1&cafile=F&certfile=F&keyfile=F
//          &credentials=F&insecure=1], mqtts://... (TLS)    a broker; see mqtt_url.h
//   history://path.db                                    replay of a recorded history
// A source runs on its own thread and hands accepted samples to drain(); it never blocks the frame.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parktwin/gis/result.h"
#include "parktwin/live/payload.h"
#include "parktwin/live/registry.h"
#include "parktwin/live/sample.h"

namespace parktwin::live {

template <typename T>
using Result = gis::Result<T>;
using gis::Failure;

enum class ConnectionState : uint8_t { Idle, Connecting, Connected, Reconnecting, Failed };
const char* connection_state_name(ConnectionState s);

/// What the Feed panel shows.
struct SourceStatus {
  std::string url;
  std::string kind;          ///< "simulator", "mqtt", "history"
  bool simulated = false;
  ConnectionState state = ConnectionState::Idle;
  double messages_per_s = 0.0;
  uint64_t received = 0, accepted = 0;
  std::array<uint64_t, kRejectCount> rejected{};
  std::string last_error;     ///< with a hint of what to do
  double latency_p50_ms = 0.0, latency_p99_ms = 0.0;  ///< publish -> accepted, where measurable
  uint32_t reconnects = 0;
  int64_t clock_ms = 0;       ///< the source's current time (simulated clock for sim://)
};

class Source {
 public:
  virtual ~Source() = default;
  virtual Result<bool> start() = 0;
  virtual void stop() = 0;
  /// Appends the samples accepted since the last call; never blocks for long.
  virtual void drain(std::vector<Sample>& out) = 0;
  virtual SourceStatus status() const = 0;
  /// The source's notion of "now" in ms since epoch (simulated time for sim://, wall clock otherwise).
  virtual int64_t now_ms() const = 0;
};

struct SourceOptions {
  ParseLimits limits;
  double flood_per_enterprise_per_s = 200.0;  ///< more than this per enterprise is refused as Flood
  /// Samples held until the app takes them: beyond this (the app stalls) new ones are dropped and
  /// counted as QueueFull, so a stalled viewer never grows without bound (about 100 MB at the default).
  size_t max_queued = 1u << 20;
};

/// The settings of a sim:// URL.
struct SimParams {
  uint64_t seed = 20230714;
  double speed = 1.0;        ///< simulated seconds per wall second (1 .. 3600 and more)
  int64_t start_ms = 0;      ///< simulated time at start (0 = wall clock now)
  double interval_s = 60.0;  ///< simulated seconds between two samples of one enterprise
};
/// Parses a sim:// URL; fails naming the bad part, with an example.
Result<SimParams> parse_sim_url(const std::string& url);

/// Opens a source from its URL (not started). Fails on a malformed URL, naming the part and the fix.
Result<std::unique_ptr<Source>> open_source(const std::string& url, const Registry& reg, const SourceOptions& opt = {});

/// Wall clock in ms since epoch.
int64_t wall_ms();

}  // namespace parktwin::live
