// The MQTT source ("mqtt://"): a libmosquitto client on its own thread that subscribes to the
// parktwin/v1 topics and hands every message to the shared Ingest pipeline.
//
// Why our own loop around mosquitto_loop() instead of mosquitto_loop_forever(): the library's
// loop has a fixed linear/exponential policy without jitter and hides the state between attempts;
// ours gives the Feed panel Connecting -> Connected -> Reconnecting, a count of reconnects, the
// last error with a hint, and jittered backoff so that many viewers do not hammer a restarted
// broker in lockstep.
//
// Rates: the client never limits what it receives. Messages are read as fast as the socket
// delivers them and each costs one Ingest::offer() in the callback (no allocation here). For
// QoS 1 what bounds the broker's sending is its in-flight window for this client: under
// MQTT 3.1.1 that is the broker's max_inflight_messages (0 = unlimited in the shipped
// assets/mosquitto/parktwin.conf); MOSQ_OPT_RECEIVE_MAXIMUM is raised to the protocol maximum as
// well, which takes effect for MQTT 5 sessions. QoS 0 has no window at all.
#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

#include "ingest.h"
#include "mqtt_client.h"
#include "parktwin/live/guarded.h"
#include "parktwin/live/publisher.h"
#include "sources.h"

namespace parktwin::live {

void mqtt_init_library() {
  // mosquitto_lib_init() is not thread-safe and must run once; it is never undone because other
  // clients may live until the process exits.
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

int64_t ReconnectBackoff::next_delay_ms() {
  if (rng_ == 0) rng_ = std::random_device{}() | 1ull << 40;
  // xorshift64: enough randomness for jitter without a std::mt19937 in every client.
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  const double unit = static_cast<double>(rng_ >> 11) / static_cast<double>(1ull << 53);  // [0, 1)
  const int64_t delay = static_cast<int64_t>(static_cast<double>(base_ms_) * (0.75 + 0.5 * unit));
  base_ms_ = std::min(base_ms_ * 2, kMaxMs);
  return delay;
}

std::string mqtt_error_text(int rc, const std::string& host, int port) {
  const std::string where = host + ":" + std::to_string(port);
  switch (rc) {
    case MOSQ_ERR_ERRNO: {
      const int e = errno;
      if (e == ECONNREFUSED) return "connection refused: is the broker running on " + where + "?";
      if (e == ETIMEDOUT || e == EHOSTUNREACH || e == ENETUNREACH)
        return std::string(std::strerror(e)) + ": is " + where + " reachable (address, firewall)?";
      return std::string("network error: ") + std::strerror(e) + " (broker " + where + ")";
    }
    case MOSQ_ERR_EAI: return "cannot resolve host '" + host + "': check the broker address";
    case MOSQ_ERR_CONN_LOST: return "connection to " + where + " lost: is the broker running?";
    case MOSQ_ERR_NO_CONN: return "not connected to " + where;
    case MOSQ_ERR_TLS:
      return "TLS failure with " + where +
             ": check tls/cafile (the CA that signed the broker's certificate), the host name, or use the plain port";
    case MOSQ_ERR_TLS_HANDSHAKE: return "TLS handshake with " + where + " failed: is that port a TLS listener?";
    case MOSQ_ERR_AUTH: return "not authorised by " + where + ": check user and password";
    case MOSQ_ERR_CONN_REFUSED: return "broker " + where + " refused the connection";
    case MOSQ_ERR_KEEPALIVE: return "broker " + where + " stopped answering (keepalive timeout)";
    case MOSQ_ERR_PROTOCOL: return "protocol error talking to " + where + ": is it an MQTT broker?";
    default: return std::string(mosquitto_strerror(rc)) + " (broker " + where + ")";
  }
}

std::string mqtt_connack_text(int code, const std::string& host, int port) {
  const std::string where = host + ":" + std::to_string(port);
  switch (code) {
    case CONNACK_REFUSED_BAD_USERNAME_PASSWORD:
    case MQTT_RC_BAD_USERNAME_OR_PASSWORD:
      return "authentication failed at " + where + ": check the user and password (credentials file or environment)";
    case CONNACK_REFUSED_NOT_AUTHORIZED:
    case MQTT_RC_NOT_AUTHORIZED:
      return "not authorised by " + where + ": the broker needs a user (password_file) or an ACL entry";
    case CONNACK_REFUSED_IDENTIFIER_REJECTED:
    case MQTT_RC_CLIENTID_NOT_VALID:
      return "broker " + where + " rejected the client id: choose another ?client=";
    case CONNACK_REFUSED_PROTOCOL_VERSION:
    case MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION:
      return "broker " + where + " does not speak this MQTT version";
    case CONNACK_REFUSED_SERVER_UNAVAILABLE:
    case MQTT_RC_SERVER_UNAVAILABLE:
    case MQTT_RC_SERVER_BUSY:
      return "broker " + where + " is unavailable or busy";
    default: return std::string("broker ") + where + " refused the connection: " + mosquitto_reason_string(code);
  }
}

namespace {

using MosqPtr = std::unique_ptr<mosquitto, decltype(&mosquitto_destroy)>;

class MqttSource final : public Source {
 public:
  MqttSource(const Registry& reg, MqttParams p, const SourceOptions& opt)
      : p_(std::move(p)), ingest_(reg, opt), sub_(subscription_for(p_.park)) {}
  ~MqttSource() override { stop(); }

  Result<bool> start() override {
    if (thread_.joinable()) return true;
    mqtt_init_library();
    // A fixed client id keeps the broker-side session (clean_session=false): QoS 1 messages the
    // broker queued while we were away are delivered after reconnect. A generated id gets a clean
    // session, since nobody could resume it.
    const bool persistent = !p_.client_id.empty();
    mosq_ = MosqPtr(mosquitto_new(persistent ? p_.client_id.c_str() : nullptr, !persistent, this), &mosquitto_destroy);
    if (!mosq_) return Failure{Failure::ConfigurationError, "MQTT: cannot create a client (out of memory or invalid client id)"};
    mosquitto* m = mosq_.get();
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_int_option(m, MOSQ_OPT_RECEIVE_MAXIMUM, 65535);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    if (auto ok = configure_client(m, p_.security, "MQTT"); !ok) return ok.error();
    mosquitto_connect_callback_set(m, &MqttSource::on_connect);
    mosquitto_disconnect_callback_set(m, &MqttSource::on_disconnect);
    mosquitto_message_callback_set(m, &MqttSource::on_message);
    mosquitto_log_callback_set(m, &MqttSource::on_log);
    stop_ = false;
    state_ = ConnectionState::Connecting;
    thread_ = std::thread([this] {
      // The thread's boundary: whatever escapes the loop is reported and the source shows Failed.
      if (!guarded("the MQTT thread", [this] { run(); },
                   [this](std::string why) { set_error(std::move(why) + "; reopen the feed (or restart the viewer)"); }))
        state_ = ConnectionState::Failed;
    });
    return true;
  }

  void stop() override {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lk(wake_mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
    // A thread that failed keeps saying so (with its last error) after it was stopped.
    if (state_ != ConnectionState::Failed) state_ = ConnectionState::Idle;
  }

  void drain(std::vector<Sample>& out) override { ingest_.drain(out); }

  SourceStatus status() const override {
    SourceStatus st;
    st.url = std::string(p_.security.tls ? "mqtts://" : "mqtt://") + p_.host + ":" + std::to_string(p_.port) + (p_.park.empty() ? "" : "/" + p_.park);
    st.kind = "mqtt";
    st.simulated = false;
    ingest_.fill_status(st);
    st.state = state_.load();
    st.reconnects = reconnects_.load();
    {
      std::lock_guard lk(err_mu_);
      if (!last_error_.empty()) st.last_error = last_error_;
    }
    st.clock_ms = wall_ms();
    return st;
  }

  int64_t now_ms() const override { return wall_ms(); }

 private:
  void set_error(std::string e) {
    std::lock_guard lk(err_mu_);
    last_error_ = std::move(e);
  }

  /// Sleeps up to `ms` unless stop() is called; returns false when stopping.
  bool wait(int64_t ms) {
    std::unique_lock lk(wake_mu_);
    return !wake_.wait_for(lk, std::chrono::milliseconds(ms), [this] { return stop_; });
  }

  void run() {
    mosquitto* m = mosq_.get();
    bool tcp_up = false;
    begin_attempt();
    int rc = mosquitto_connect(m, p_.host.c_str(), p_.port, kKeepaliveS);
    if (rc == MOSQ_ERR_SUCCESS) {
      tcp_up = true;
    } else {
      set_error(attempt_error(rc));
    }
    while (!stopping()) {
      if (tcp_up) {
        // 100 ms select timeout: the longest stop() waits; messages are handled as they arrive.
        rc = mosquitto_loop(m, 100, 1);
        if (rc == MOSQ_ERR_SUCCESS) continue;
        tcp_up = false;
        if (stopping()) break;
        // A refused CONNACK was already explained by on_connect; keep that message.
        if (rc != MOSQ_ERR_CONN_REFUSED) set_error(attempt_error(rc));
        if (was_connected_) state_ = ConnectionState::Reconnecting;
      }
      if (!wait(backoff_.next_delay_ms())) break;
      begin_attempt();
      rc = mosquitto_reconnect(m);
      if (rc == MOSQ_ERR_SUCCESS) {
        tcp_up = true;
      } else {
        set_error(attempt_error(rc));
      }
    }
    if (tcp_up) {
      mosquitto_disconnect(m);
      // Let the DISCONNECT go out so the broker ends the connection cleanly (keeps the session).
      for (int i = 0; i < 5 && mosquitto_loop(m, 10, 1) == MOSQ_ERR_SUCCESS; ++i) {
      }
    }
  }

  /// Before each connection attempt: forget what the last one's TLS handshake logged.
  void begin_attempt() {
    connack_seen_ = false;
    tls_detail_.clear();
  }

  /// A failed connect or loop: before the broker's CONNACK a TLS failure is explained as one.
  std::string attempt_error(int rc) const {
    if (connack_seen_) return mqtt_error_text(rc, p_.host, p_.port);
    return connect_error_text(rc, p_.host, p_.port, p_.security, tls_detail_);
  }

  bool stopping() {
    std::lock_guard lk(wake_mu_);
    return stop_;
  }

  // libmosquitto calls these from inside mosquitto_loop() (C frames): an exception must not
  // unwind through them. Each callback is its own boundary: what escapes is reported in the Feed
  // panel (last error) and the loop goes on with the next message or reconnects.
  template <class Body>
  static void boundary(void* self_v, const char* what, Body&& body) noexcept {
    auto* self = static_cast<MqttSource*>(self_v);
    guarded(what, [&] { body(*self); }, [self](std::string why) {
      self->set_error(std::move(why) + "; the source goes on");
    });
  }

  static void on_connect(mosquitto* m, void* self_v, int rc) {
    boundary(self_v, "the MQTT connect handler", [&](MqttSource& self) { self.connected(m, rc); });
  }

  static void on_log(mosquitto*, void* self_v, int level, const char* line) {
    boundary(self_v, "the MQTT log handler", [&](MqttSource& self) { note_tls_log(self.tls_detail_, level, line); });
  }

  void connected(mosquitto* m, int rc) {
    connack_seen_ = true;
    if (rc != 0) {
      set_error(connack_error_text(rc, p_.host, p_.port, p_.security));
      return;
    }
    // Subscribe on every connection: a clean session has no subscriptions, and re-subscribing a
    // persistent one is harmless.
    const int src = mosquitto_subscribe(m, nullptr, sub_.c_str(), p_.qos);
    if (src != MOSQ_ERR_SUCCESS) set_error("subscribe to " + sub_ + " failed: " + mosquitto_strerror(src));
    if (was_connected_) reconnects_.fetch_add(1, std::memory_order_relaxed);
    was_connected_ = true;
    backoff_.reset();
    state_ = ConnectionState::Connected;
    set_error({});
  }

  static void on_disconnect(mosquitto*, void* self_v, int) {
    boundary(self_v, "the MQTT disconnect handler", [](MqttSource& self) {
      if (self.was_connected_ && self.state_ == ConnectionState::Connected) self.state_ = ConnectionState::Reconnecting;
    });
  }

  static void on_message(mosquitto*, void* self_v, const mosquitto_message* msg) {
    boundary(self_v, "the MQTT message handler", [msg](MqttSource& self) {
      const std::string_view topic = msg->topic ? std::string_view(msg->topic) : std::string_view{};
      const std::string_view payload(static_cast<const char*>(msg->payload),
                                     msg->payload ? static_cast<size_t>(msg->payloadlen) : 0);
      self.ingest_.offer(topic, payload, wall_ms(), steady_ms());
    });
  }

  static constexpr int kKeepaliveS = 20;

  MqttParams p_;
  Ingest ingest_;
  std::string sub_;
  MosqPtr mosq_{nullptr, &mosquitto_destroy};
  std::thread thread_;
  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::atomic<ConnectionState> state_{ConnectionState::Idle};
  std::atomic<uint32_t> reconnects_{0};
  bool was_connected_ = false;  ///< loop thread only
  bool connack_seen_ = false;   ///< loop thread only: the broker answered this attempt's CONNECT
  std::string tls_detail_;      ///< loop thread only: what this attempt's TLS handshake logged
  ReconnectBackoff backoff_;    ///< loop thread only
  mutable std::mutex err_mu_;
  std::string last_error_;
};

}  // namespace

std::unique_ptr<Source> make_mqtt_source(const Registry& reg, const MqttParams& p, const SourceOptions& opt) {
  return std::make_unique<MqttSource>(reg, p, opt);
}

}  // namespace parktwin::live
