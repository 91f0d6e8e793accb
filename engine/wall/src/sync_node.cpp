// The wall sync's node: frames from the master, ready reports, the present barrier. Why the
// protocol is built this way: sync.cpp.
#include "parktwin/wall/sync.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "sync_protocol.h"

namespace parktwin::wall {

using namespace sync_detail;

struct Node::Impl {
  NodeOptions options;
  zmq::context_t ctx{1};
  zmq::socket_t sub{ctx, zmq::socket_type::sub};
  zmq::socket_t dealer{ctx, zmq::socket_type::dealer};
  uint64_t session = 0;
  uint64_t last_handed = 0;   // the newest frame next_frame handed out in this session
  uint64_t present_seen = 0;  // the newest present received in this session
  std::optional<Frame> pending;
  Clock::time_point last_sent{};
  Clock::time_point ready_at{};
  uint64_t ready_frame = 0;
  NodeStats counters;
  Recent barrier_waits;

  void send(MsgType type, uint64_t frame, std::string_view payload = {}) {
    // Never blocks: with ZMQ_IMMEDIATE a report to an absent master fails at once and is dropped,
    // so a master that comes back does not receive a backlog of stale reports.
    try_send(dealer, encode(type, session, frame, payload));
    last_sent = Clock::now();
  }

  void heartbeat_if_due() {
    if (ms_between(last_sent, Clock::now()) >= options.heartbeat_ms) send(MsgType::Heartbeat, counters.last_presented);
  }

  void handle(const zmq::message_t& m) {
    if (m.more()) {  // the master sends single parts; skip the rest of a multipart message
      zmq::message_t extra;
      while (try_recv(sub, extra) && extra.more()) {}
      ++counters.malformed;
      return;
    }
    Header h;
    std::string_view payload;
    if (!accept(m, true, h, payload, counters)) return;
    if (h.session == 0 || h.frame == 0) {
      ++counters.malformed;
      return;
    }
    if (h.session != session) {  // a (re)started master: its numbering starts over
      if (session != 0) ++counters.master_restarts;
      session = h.session;
      last_handed = present_seen = counters.last_presented = 0;
      if (pending) ++counters.skipped;
      pending.reset();
      send(MsgType::Hello, 0);
    }
    if (h.type == MsgType::Present) {
      present_seen = std::max(present_seen, h.frame);
      return;
    }
    if (h.frame <= last_handed || (pending && pending->number >= h.frame)) {
      ++counters.skipped;  // never hand out a frame older than one already seen
      return;
    }
    if (pending) ++counters.skipped;
    pending = Frame{h.frame, h.session, std::string(payload), h.wait_ms};
  }

  void drain() {
    zmq::message_t m;
    for (int i = 0; i < 100000 && try_recv(sub, m); ++i) handle(m);
  }

  /// Waits for the SUB until `deadline`, heartbeating meanwhile; false when the deadline passed.
  bool wait(Clock::time_point deadline) {
    const auto now = Clock::now();
    if (now >= deadline) return false;
    heartbeat_if_due();
    const auto beat = last_sent + std::chrono::milliseconds(options.heartbeat_ms);
    wait_readable(sub, ms_until(now, std::min(deadline, beat)));
    return true;
  }
};

int present_timeout_ms(const Frame& f, int fallback_barrier_timeout_ms) {
  const int64_t master = f.master_wait_ms > 0 ? f.master_wait_ms : std::max(0, fallback_barrier_timeout_ms);
  return static_cast<int>(std::max<int64_t>(1000, 2 * master));
}

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Node::~Node() {
  try {
    // The goodbye lets the master drop this node at once instead of after drop_after_ms; the short
    // linger bounds how long closing may wait for it (no wait at all when no master is connected).
    impl_->dealer.set(zmq::sockopt::linger, 100);
    impl_->send(MsgType::Bye, impl_->counters.last_presented);
  } catch (const zmq::error_t&) {
  }
}

Result<std::unique_ptr<Node>> Node::open(const NodeOptions& options) {
  if (!valid_id(options.id))
    return Failure(Failure::ConfigurationError,
                   "wall node: id '" + options.id + "' is empty, longer than 255 bytes or starts with a zero byte");
  if (options.heartbeat_ms <= 0)
    return Failure(Failure::ConfigurationError, "wall node: heartbeat_ms must be positive");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const std::string* ep = &options.frame_endpoint;
  try {
    for (zmq::socket_t* s : {&impl->sub, &impl->dealer}) {
      s->set(zmq::sockopt::linger, 0);
      s->set(zmq::sockopt::reconnect_ivl, 100);
      s->set(zmq::sockopt::reconnect_ivl_max, 1000);
      // ZMTP pings find a master that vanished without closing its connection (a cable, a power cut).
      s->set(zmq::sockopt::heartbeat_ivl, 1000);
      s->set(zmq::sockopt::heartbeat_timeout, 3000);
    }
    impl->sub.set(zmq::sockopt::subscribe, "");
    impl->dealer.set(zmq::sockopt::routing_id, options.id);
    impl->dealer.set(zmq::sockopt::immediate, true);
    impl->sub.connect(options.frame_endpoint);
    ep = &options.sync_endpoint;
    impl->dealer.connect(options.sync_endpoint);
  } catch (const zmq::error_t& e) {
    return zmq_failure("wall node '" + options.id + "': cannot connect to '" + *ep + "'", e);
  }
  impl->send(MsgType::Hello, 0);
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

const std::string& Node::id() const { return impl_->options.id; }

std::optional<Frame> Node::next_frame(int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(0, timeout_ms));
  try {
    do {
      impl_->drain();
      if (impl_->pending) {
        Frame f = std::move(*impl_->pending);
        impl_->pending.reset();
        impl_->last_handed = f.number;
        ++impl_->counters.frames;
        return f;
      }
    } while (impl_->wait(deadline));
  } catch (const zmq::error_t&) {
  }
  return std::nullopt;
}

void Node::ready(uint64_t n, double render_ms) {
  std::string payload;
  put_u64(payload, impl_->counters.last_presented);
  put_u64(payload, static_cast<uint64_t>(std::max(0.0, render_ms) * 1000.0));
  try {
    impl_->send(MsgType::Ready, n, payload);
  } catch (const zmq::error_t&) {
  }
  impl_->ready_frame = n;
  impl_->ready_at = Clock::now();
}

bool Node::wait_present(uint64_t n, int timeout_ms) {
  Impl& d = *impl_;
  const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(0, timeout_ms));
  const uint64_t session = d.session;
  bool released = false;
  try {
    do {
      d.drain();
      if (d.session != session) break;  // the master restarted: its frame n is another frame
      if (d.present_seen >= n) {
        released = d.present_seen == n;  // a later present means this one was lost: skip it
        break;
      }
      if (d.pending && d.pending->number > n) break;  // the master moved on without us
    } while (d.wait(deadline));
  } catch (const zmq::error_t&) {
  }
  if (released) {
    ++d.counters.presents;
    d.counters.last_presented = n;
    if (d.ready_frame == n) d.barrier_waits.add(ms_between(d.ready_at, Clock::now()));
  } else {
    ++d.counters.missed_presents;
  }
  return released;
}

NodeStats Node::stats() const {
  NodeStats s = impl_->counters;
  s.session = impl_->session;
  s.barrier_wait_p50_ms = impl_->barrier_waits.percentile(0.5);
  s.barrier_wait_p99_ms = impl_->barrier_waits.percentile(0.99);
  return s;
}

}  // namespace parktwin::wall
