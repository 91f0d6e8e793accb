#pragma once
// An MQTT publisher for `parktwin feed`, the ingest benchmark and tests: publishes payloads at
// QoS 0 or 1 with backpressure, reconnects with the same backoff as the MQTT source, and keeps
// QoS 1 messages that the broker has not acknowledged so they are sent again after a reconnect.
//
// Threading: one Publisher is used from one thread. Its network loop runs inside publish(),
// flush() and service(), on the caller's thread, so no locks are taken per message.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "parktwin/gis/result.h"
#include "parktwin/live/mqtt_url.h"

namespace parktwin::live {

/// Initialises libmosquitto once per process; safe to call from any thread, any number of times.
void mqtt_init_library();

/// Reconnect delays: 0.25 s doubling up to 30 s, each with ±25 % random jitter so that many
/// clients cut off by one broker restart do not all come back in the same instant.
class ReconnectBackoff {
 public:
  /// The delay before the next attempt (ms); each call doubles the base.
  int64_t next_delay_ms();
  /// After a successful connection: start again from 0.25 s.
  void reset() { base_ms_ = kFirstMs; }
  static constexpr int64_t kFirstMs = 250, kMaxMs = 30000;

 private:
  int64_t base_ms_ = kFirstMs;
  uint64_t rng_ = 0;
};

/// A libmosquitto error code (MOSQ_ERR_*) as text with what to try, e.g.
/// "connection refused: is the broker running on 127.0.0.1:1883?".
std::string mqtt_error_text(int rc, const std::string& host, int port);
/// A refused CONNACK (MQTT 3.1.1 return code or MQTT 5 reason code) as text with a hint.
std::string mqtt_connack_text(int code, const std::string& host, int port);

struct PublisherOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  MqttSecurity security;      ///< user, password, TLS (see mqtt_url.h; parse_mqtt_url() fills it from a URL)
  std::string client_id;      ///< "" = generated; a fixed id keeps the QoS 1 session across reconnects
  int protocol = 4;           ///< 4 = MQTT 3.1.1, 5 = MQTT 5
  int max_inflight = 1000;    ///< QoS 1 messages sent but not yet acknowledged before publish() waits
  int keepalive_s = 30;
  /// publish() waits at most this long for room (QoS 1 window, or reconnecting) before failing.
  int64_t publish_timeout_ms = 30000;
};

/// Counts since the publisher was created.
struct PublisherStats {
  uint64_t published = 0;     ///< messages handed to the library
  uint64_t acknowledged = 0;  ///< QoS 1: PUBACKs; QoS 0: messages handed to the socket or library queue
  uint64_t reconnects = 0;    ///< successful connections after a lost one
  uint64_t inflight = 0;      ///< messages waiting for their acknowledgement
  bool connected = false;
  std::string last_error;
};

class Publisher {
 public:
  /// Creates the client and connects (waits up to `connect_timeout_ms` for the broker's CONNACK).
  static gis::Result<std::unique_ptr<Publisher>> connect(const PublisherOptions& opt, int64_t connect_timeout_ms = 5000);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  /// Publishes one message. QoS 1 waits while `max_inflight` messages are unacknowledged or while
  /// the connection is down (reconnecting meanwhile); fails after publish_timeout_ms.
  gis::Result<bool> publish(std::string_view topic, std::string_view payload, int qos);
  /// Runs the network loop for up to `wait_ms` (reads acknowledgements, writes queued data, reconnects).
  void service(int wait_ms = 0);
  /// Waits until every QoS 1 message is acknowledged and queued data is written; false on timeout.
  bool flush(int64_t timeout_ms);
  PublisherStats stats() const;

 private:
  Publisher() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parktwin::live
