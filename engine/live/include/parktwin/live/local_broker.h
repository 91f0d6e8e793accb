#pragma once
// A private mosquitto broker for `parktwin bench ingest` and the integration tests: a free loopback port, a config
// derived from assets/mosquitto/parktwin.conf (port and persistence directory replaced), started
// with posix_spawn and stopped by its PID. No GoogleTest dependency, so tools can use it too.
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "parktwin/gis/result.h"

namespace parktwin::live {

class LocalBroker {
 public:
  /// Path of the mosquitto executable ($PATH, then /usr/sbin and /usr/local/sbin), or nothing.
  static std::optional<std::string> binary();
  /// A loopback TCP port nobody listens on right now.
  static int free_port();
  /// Starts a broker from `conf_template` (the shipped config) with its files under `work_dir`
  /// (created), on `port` (0 = a free one); waits up to 5 s until the port accepts connections.
  /// Each further `listener` line of the template gets a free port of its own (ports()).
  static gis::Result<std::unique_ptr<LocalBroker>> start(const std::string& conf_template, const std::string& work_dir,
                                                    int port = 0);
  ~LocalBroker();
  LocalBroker(const LocalBroker&) = delete;
  LocalBroker& operator=(const LocalBroker&) = delete;

  /// SIGTERM (the broker saves its persistence database), then SIGKILL after `grace_ms`.
  void stop(int grace_ms = 3000);
  /// Starts it again with the same config, port and persistence directory.
  gis::Result<bool> restart();
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  /// The port of each `listener` line of the template, in order (port() is the first).
  const std::vector<int>& ports() const { return ports_; }
  pid_t pid() const { return pid_; }
  std::string url() const { return "mqtt://127.0.0.1:" + std::to_string(port_); }
  const std::string& log_path() const { return log_; }

 private:
  LocalBroker() = default;
  gis::Result<bool> spawn();
  std::string exe_, conf_, log_;
  int port_ = 0;
  std::vector<int> ports_;
  pid_t pid_ = -1;
};

/// Runs `mosquitto_pub`/`mosquitto_sub` and friends: the path of a mosquitto client tool, or nothing.
std::optional<std::string> client_tool(const std::string& name);

}  // namespace parktwin::live

namespace parktwin::live {

/// Polls `pred` every 5 ms until it holds or `timeout_ms` passes; returns its last value.
template <typename Pred>
bool wait_for(Pred pred, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace parktwin::live
