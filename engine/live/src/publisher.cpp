// Publisher: the sending side used by `parktwin feed`, the ingest benchmark and the tests.
//
// Design: the network loop runs on the caller's thread inside publish()/service(), so a
// high-rate feed pays no lock or wake-up per message (libmosquitto writes the packet directly
// when no other thread runs its loop). Backpressure counts messages handed to the library that
// are not yet acknowledged (PUBACKs, QoS 1); at `max_inflight` publish() runs the loop until there
// is room. QoS 0 is held back while libmosquitto's output queue cannot be written. Messages in flight when the connection drops stay in libmosquitto's session
// and are sent again (DUP) after the reconnect, so with a fixed client id nothing is lost.
#include "parktwin/live/publisher.h"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <thread>

#include "mqtt_client.h"

namespace parktwin::live {
namespace {

using MosqPtr = std::unique_ptr<mosquitto, decltype(&mosquitto_destroy)>;
using PropPtr = std::unique_ptr<mosquitto_property, void (*)(mosquitto_property*)>;

int64_t now_steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

struct Publisher::Impl {
  PublisherOptions opt;
  MosqPtr mosq{nullptr, &mosquitto_destroy};
  PropPtr connect_props{nullptr, [](mosquitto_property* p) { mosquitto_property_free_all(&p); }};
  ReconnectBackoff backoff;
  bool tcp_up = false;
  bool connected = false;       ///< CONNACK accepted and the socket is up
  bool ever_connected = false;
  int64_t next_attempt_ms = 0;  ///< steady ms of the next reconnect attempt while down
  std::string topic_buf;        ///< NUL-terminated copy of the topic (capacity reused)
  /// Per message id: 0 = not outstanding, 2 = QoS 1 waiting for its PUBACK.
  std::array<uint8_t, 65536> mid_pending{};
  std::atomic<uint64_t> published{0}, acknowledged{0}, reconnects{0}, pending{0};
  std::string last_error;

  int do_connect() {
    return mosquitto_connect_bind_v5(mosq.get(), opt.host.c_str(), opt.port, opt.keepalive_s, nullptr,
                                     connect_props.get());
  }

  void lost(int rc) {
    // Before the CONNACK, a TLS handshake the broker refused is explained as one.
    if (rc != MOSQ_ERR_CONN_REFUSED)
      last_error = connected ? mqtt_error_text(rc, opt.host, opt.port) : connect_error_text(rc, opt.host, opt.port, opt.security, "");
    tcp_up = false;
    connected = false;
    next_attempt_ms = now_steady_ms() + backoff.next_delay_ms();
  }

  void service(int wait_ms) {
    if (tcp_up) {
      const int rc = mosquitto_loop(mosq.get(), wait_ms, 1);
      if (rc != MOSQ_ERR_SUCCESS) lost(rc);
      return;
    }
    const int64_t now = now_steady_ms();
    if (now < next_attempt_ms) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(wait_ms, next_attempt_ms - now)));
      return;
    }
    const int rc = do_connect();
    if (rc == MOSQ_ERR_SUCCESS) {
      tcp_up = true;
    } else {
      lost(rc);
    }
  }

  static void on_connect(mosquitto*, void* v, int rc) {
    auto* self = static_cast<Impl*>(v);
    if (rc != 0) {
      self->last_error = connack_error_text(rc, self->opt.host, self->opt.port, self->opt.security);
      return;
    }
    self->connected = true;
    if (self->ever_connected) self->reconnects.fetch_add(1, std::memory_order_relaxed);
    self->ever_connected = true;
    self->backoff.reset();
    self->last_error.clear();
  }
  static void on_disconnect(mosquitto*, void* v, int) { static_cast<Impl*>(v)->connected = false; }
  static void on_publish(mosquitto*, void* v, int mid) {
    auto* self = static_cast<Impl*>(v);
    auto& slot = self->mid_pending[static_cast<uint16_t>(mid)];
    // A resent message can be acknowledged once only; ignore callbacks for ids not outstanding.
    if (!slot) return;
    slot = 0;
    self->acknowledged.fetch_add(1, std::memory_order_relaxed);
    self->pending.fetch_sub(1, std::memory_order_relaxed);
  }
};

gis::Result<std::unique_ptr<Publisher>> Publisher::connect(const PublisherOptions& opt, int64_t connect_timeout_ms) {
  mqtt_init_library();
  std::unique_ptr<Publisher> p(new Publisher());
  p->impl_ = std::make_unique<Impl>();
  Impl& im = *p->impl_;
  im.opt = opt;
  if (opt.protocol != 4 && opt.protocol != 5) return gis::Failure{gis::Failure::ConfigurationError, "MQTT publisher: protocol must be 4 (3.1.1) or 5"};
  const bool persistent = !opt.client_id.empty();
  im.mosq = MosqPtr(mosquitto_new(persistent ? opt.client_id.c_str() : nullptr, !persistent, &im), &mosquitto_destroy);
  if (!im.mosq) return gis::Failure{gis::Failure::ConfigurationError, "MQTT publisher: cannot create a client"};
  mosquitto* m = im.mosq.get();
  mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, opt.protocol == 5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
  // The library's own send window must not be the bottleneck: ours (max_inflight) is the limit.
  mosquitto_int_option(m, MOSQ_OPT_SEND_MAXIMUM, std::clamp(opt.max_inflight, 1, 65535));
  mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
  if (opt.protocol == 5 && persistent) {
    // MQTT 5 ends a session at disconnect unless it has an expiry interval; keep it for a day.
    // The property is given on every connect (mosquitto_reconnect would not repeat it).
    mosquitto_property* props = nullptr;
    mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 86400);
    im.connect_props.reset(props);
  }
  if (auto ok = configure_client(m, opt.security, "MQTT publisher"); !ok) return ok.error();
  mosquitto_connect_callback_set(m, &Impl::on_connect);
  mosquitto_disconnect_callback_set(m, &Impl::on_disconnect);
  mosquitto_publish_callback_set(m, &Impl::on_publish);

  const int rc = im.do_connect();
  if (rc != MOSQ_ERR_SUCCESS) return gis::Failure{gis::Failure::ResourceUnavailable, "MQTT publisher: " + connect_error_text(rc, opt.host, opt.port, opt.security, "")};
  im.tcp_up = true;
  const int64_t deadline = now_steady_ms() + connect_timeout_ms;
  while (!im.connected && now_steady_ms() < deadline) {
    im.service(50);
    if (!im.tcp_up && !im.last_error.empty()) break;
  }
  if (!im.connected)
    return gis::Failure{gis::Failure::ResourceUnavailable, "MQTT publisher: " + (im.last_error.empty() ? "no CONNACK from " + opt.host + ":" +
                                                                          std::to_string(opt.port) + " in time"
                                                                    : im.last_error)};
  return p;
}

Publisher::~Publisher() {
  if (impl_ && impl_->tcp_up) {
    mosquitto_disconnect(impl_->mosq.get());
    for (int i = 0; i < 5 && mosquitto_loop(impl_->mosq.get(), 10, 1) == MOSQ_ERR_SUCCESS; ++i) {
    }
  }
}

gis::Result<bool> Publisher::publish(std::string_view topic, std::string_view payload, int qos) {
  Impl& im = *impl_;
  if (qos != 0 && qos != 1) return gis::Failure{gis::Failure::ConfigurationError, "MQTT publisher: qos must be 0 or 1"};
  const uint64_t window = static_cast<uint64_t>(std::max(1, im.opt.max_inflight));
  const int64_t deadline = now_steady_ms() + im.opt.publish_timeout_ms;
  im.topic_buf.assign(topic);
  int mid = 0;
  for (;;) {
    // Wait for a connection and room in the window, running the loop (acks, reconnects) meanwhile.
    while (!im.connected || im.pending.load(std::memory_order_relaxed) >= window) {
      if (now_steady_ms() > deadline)
        return gis::Failure{gis::Failure::ResourceUnavailable,
                            "MQTT publisher: no room to publish for " + std::to_string(im.opt.publish_timeout_ms) +
                                " ms (" + (im.connected ? "broker not acknowledging" : im.last_error) + ")"};
      im.service(im.connected ? 5 : 50);
    }
    const int rc = mosquitto_publish(im.mosq.get(), &mid, im.topic_buf.c_str(), static_cast<int>(payload.size()),
                                     payload.data(), qos, false);
    if (rc == MOSQ_ERR_SUCCESS) break;
    if (rc == MOSQ_ERR_PAYLOAD_SIZE || rc == MOSQ_ERR_INVAL || rc == MOSQ_ERR_MALFORMED_UTF8 ||
        rc == MOSQ_ERR_OVERSIZE_PACKET || rc == MOSQ_ERR_NOMEM)
      return gis::Failure{gis::Failure::InvalidData, std::string("MQTT publisher: ") + mosquitto_strerror(rc)};
    // The connection dropped under us: wait for the reconnect and publish the message again.
    // (A QoS 1 message the library had already queued may then arrive twice; never zero times.)
    im.lost(rc);
  }
  im.published.fetch_add(1, std::memory_order_relaxed);
  if (qos == 1) {
    im.mid_pending[static_cast<uint16_t>(mid)] = 2;
    im.pending.fetch_add(1, std::memory_order_relaxed);
  } else {
    // libmosquitto 2.0 does not report QoS 0 packets written from the caller's thread through the
    // publish callback, so QoS 0 counts as acknowledged once handed over, and the backpressure is
    // the library's output queue: while the socket cannot take more, run the loop to drain it.
    im.acknowledged.fetch_add(1, std::memory_order_relaxed);
    while (im.tcp_up && mosquitto_want_write(im.mosq.get()) && now_steady_ms() <= deadline) im.service(1);
  }
  // Read acknowledgements now and then: often enough to keep the QoS 1 window moving, rarely
  // enough that the select() is not paid per message.
  if ((im.published.load(std::memory_order_relaxed) & 63) == 0) im.service(0);
  return true;
}

void Publisher::service(int wait_ms) { impl_->service(wait_ms); }

bool Publisher::flush(int64_t timeout_ms) {
  Impl& im = *impl_;
  const int64_t deadline = now_steady_ms() + timeout_ms;
  while (now_steady_ms() < deadline) {
    if (im.connected && im.pending.load(std::memory_order_relaxed) == 0 && !mosquitto_want_write(im.mosq.get()))
      return true;
    im.service(10);
  }
  return false;
}

PublisherStats Publisher::stats() const {
  const Impl& im = *impl_;
  PublisherStats s;
  s.published = im.published.load(std::memory_order_relaxed);
  s.acknowledged = im.acknowledged.load(std::memory_order_relaxed);
  s.reconnects = im.reconnects.load(std::memory_order_relaxed);
  s.inflight = im.pending.load(std::memory_order_relaxed);
  s.connected = im.connected;
  s.last_error = im.last_error;
  return s;
}

}  // namespace parktwin::live
