#include "parktwin/wall/sync.h"

#include <zmq.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <optional>
#include <random>
#include <unordered_map>

// Why it is built this way (the protocol itself is in docs/wall_sync.md):
// - Two sockets on the master, one direction each: a PUB for frames and presents (one send reaches
//   every node, ZeroMQ fans it out on its I/O thread) and a ROUTER for the nodes' reports (the
//   routing id is the node id, so the master knows who spoke without trusting the payload). The
//   master never sends on the ROUTER, so a dead node can never block it.
// - PUB/SUB drops whatever a subscriber is not yet connected for (the slow joiner). A node is
//   therefore waited for only once it has reported ready for a frame of this master: that proves
//   frames reach it. Until then it is Joining, and frames keep coming, so it picks up the next one.
// - Liveness comes from the nodes' own frame loop (ready reports, and heartbeats only while it waits
//   for the master), not from a background thread: a node whose renderer hangs stops answering and
//   is dropped, instead of keeping every barrier waiting for the full timeout.
// - Every barrier waits at most until the earliest of: all live nodes ready, the barrier timeout,
//   or a waited-for node's drop deadline (last heard + drop_after_ms). A node that dies therefore
//   stalls the wall by at most drop_after_ms in total, however many frames that spans.
// - Each master has a random session id carried in every message: a node that sees a new session
//   knows the master restarted and accepts frame numbers starting over; within a session frame
//   numbers only grow. Reports carrying another session are kept as heartbeats only.

namespace parktwin::wall {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kMagic[4] = {'P', 'T', 'W', 'S'};
constexpr size_t kHeaderBytes = 24;        // magic 4, version 1, type 1, wait 2, session 8, frame 8
constexpr size_t kReadyPayloadBytes = 16;  // last presented u64, render time in µs u64
constexpr int kIdMaxBytes = 255;

enum class MsgType : uint8_t {
  Frame = 1,     // master -> nodes (PUB): header + the app's state
  Present = 2,   // master -> nodes (PUB): header only
  Hello = 16,    // node -> master (DEALER): header only, frame = last presented
  Ready = 17,    // node -> master: header + kReadyPayloadBytes, frame = the frame rendered
  Heartbeat = 18,
  Bye = 19
};

struct Header {
  MsgType type = MsgType::Frame;
  uint64_t session = 0;
  uint64_t frame = 0;
  uint16_t wait_ms = 0;  // FRAME: the longest the master's barrier for it may wait (0 elsewhere)
};

enum class Decoded { Ok, Malformed, WrongVersion };

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string encode(MsgType type, uint64_t session, uint64_t frame, std::string_view payload = {}, uint16_t wait_ms = 0) {
  std::string out;
  out.reserve(kHeaderBytes + payload.size());
  out.append(kMagic, sizeof kMagic);
  out.push_back(static_cast<char>(kSyncProtocolVersion));
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(wait_ms & 0xff));
  out.push_back(static_cast<char>(wait_ms >> 8));
  put_u64(out, session);
  put_u64(out, frame);
  out.append(payload);
  return out;
}

/// Checks the header and the payload size the type demands; `from_master` says which types are allowed.
Decoded decode(std::string_view bytes, bool from_master, Header& h, std::string_view& payload) {
  if (bytes.size() < kHeaderBytes || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) return Decoded::Malformed;
  if (static_cast<uint8_t>(bytes[4]) != kSyncProtocolVersion) return Decoded::WrongVersion;
  h.type = static_cast<MsgType>(static_cast<uint8_t>(bytes[5]));
  h.wait_ms = static_cast<uint16_t>(static_cast<uint8_t>(bytes[6]) | (static_cast<uint8_t>(bytes[7]) << 8));
  h.session = get_u64(bytes.data() + 8);
  h.frame = get_u64(bytes.data() + 16);
  payload = bytes.substr(kHeaderBytes);
  switch (h.type) {
    case MsgType::Frame: return from_master ? Decoded::Ok : Decoded::Malformed;
    case MsgType::Present: return from_master && payload.empty() ? Decoded::Ok : Decoded::Malformed;
    case MsgType::Ready: return !from_master && payload.size() == kReadyPayloadBytes ? Decoded::Ok : Decoded::Malformed;
    case MsgType::Hello:
    case MsgType::Heartbeat:
    case MsgType::Bye: return !from_master && payload.empty() ? Decoded::Ok : Decoded::Malformed;
  }
  return Decoded::Malformed;
}

/// Decodes `m`; counts what is refused in `c` (MasterStats or NodeStats: malformed, wrong_version).
template <typename Counters>
bool accept(const zmq::message_t& m, bool from_master, Header& h, std::string_view& payload, Counters& c) {
  switch (decode({static_cast<const char*>(m.data()), m.size()}, from_master, h, payload)) {
    case Decoded::Malformed: ++c.malformed; return false;
    case Decoded::WrongVersion: ++c.wrong_version; return false;
    case Decoded::Ok: return true;
  }
  return false;
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

/// Milliseconds from now to `t`, rounded up so a poll does not wake just before its deadline.
int ms_until(Clock::time_point now, Clock::time_point t) {
  if (t <= now) return 0;
  return static_cast<int>(std::ceil(ms_between(now, t)));
}

/// The most recent `kCap` values of something, with percentiles.
class Recent {
 public:
  static constexpr size_t kCap = 512;
  void add(double v) {
    if (values_.size() < kCap) values_.push_back(v);
    else values_[next_] = v;
    next_ = (next_ + 1) % kCap;
  }
  double percentile(double p) const {
    if (values_.empty()) return 0;
    std::vector<double> v = values_;
    const double rank = std::ceil(std::clamp(p, 0.0, 1.0) * static_cast<double>(v.size()));
    const size_t k = std::min(v.size() - 1, static_cast<size_t>(std::max(1.0, rank)) - 1);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
  }

 private:
  std::vector<double> values_;
  size_t next_ = 0;
};

/// Waits until `s` has something to read or `timeout_ms` passes; a signal only shortens the wait.
bool wait_readable(zmq::socket_t& s, int timeout_ms) {
  zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
  try {
    return zmq::poll(&item, 1, std::chrono::milliseconds(timeout_ms)) > 0;
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return false;
    throw;
  }
}

/// Receives one message without waiting; false when none is queued (or a signal came).
bool try_recv(zmq::socket_t& s, zmq::message_t& m) {
  try {
    return s.recv(m, zmq::recv_flags::dontwait).has_value();
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return false;
    throw;
  }
}

/// Sends without ever blocking; false when ZeroMQ would have to wait (no peer, queue full).
bool try_send(zmq::socket_t& s, std::string_view bytes) {
  try {
    return s.send(zmq::buffer(bytes.data(), bytes.size()), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR || e.num() == EHOSTUNREACH) return false;
    throw;
  }
}

bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= kIdMaxBytes && id.front() != '\0';
}

uint64_t new_session() {
  std::random_device rd;
  uint64_t s = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
               static_cast<uint64_t>(Clock::now().time_since_epoch().count());
  return s == 0 ? 1 : s;
}

Failure zmq_failure(const std::string& what, const zmq::error_t& e) {
  return Failure(Failure::ResourceUnavailable, what + ": " + e.what());
}

}  // namespace

const char* node_state_name(NodeState s) {
  switch (s) {
    case NodeState::Absent: return "absent";
    case NodeState::Joining: return "joining";
    case NodeState::Live: return "live";
    case NodeState::Dropped: return "dropped";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// Master

struct Master::Impl {
  struct Rec {
    std::string id;
    NodeState state = NodeState::Absent;
    uint64_t last_ready = 0, last_presented = 0;
    std::optional<Clock::time_point> last_heard;
    std::deque<Clock::time_point> ready_times;  // for frames_per_s
    double render_ms = 0;
    Recent latency;
    uint64_t barriers_ready = 0, barriers_missed = 0;
    uint32_t drops = 0, rejoins = 0;
    double stall_since_heard_ms = 0, drop_stall_ms = 0;
    bool ready_prev_barrier = false;
    // The barrier in progress.
    bool awaited = false, ready_now = false;
    uint64_t presented_at_ready = 0;
  };

  struct Barrier {
    bool active = false;
    bool stalled = false;  // a node it waited for was dropped before it came
    uint64_t frame = 0;
    Clock::time_point start, last_arrival;
    BarrierReport* report = nullptr;
  };

  MasterOptions options;
  zmq::context_t ctx{1};
  zmq::socket_t pub{ctx, zmq::socket_type::pub};
  zmq::socket_t router{ctx, zmq::socket_type::router};
  std::string frame_ep, sync_ep;
  uint64_t session = new_session();
  uint64_t last_frame = 0;
  std::vector<Rec> recs;
  std::unordered_map<std::string, size_t> index;
  Barrier barrier;
  MasterStats counters;
  Recent waits, overheads;
  BarrierReport scratch;  // collects drops and joins that happen outside a barrier (pump)

  Rec* find_or_add(const std::string& id) {
    if (auto it = index.find(id); it != index.end()) return &recs[it->second];
    if (!options.expected.empty()) return nullptr;
    index.emplace(id, recs.size());
    recs.push_back(Rec{});
    recs.back().id = id;
    return &recs.back();
  }

  BarrierReport& report() { return barrier.active ? *barrier.report : scratch; }

  void drop(Rec& r, Clock::time_point now) {
    if (r.awaited && !r.ready_now && barrier.active) {
      r.stall_since_heard_ms += std::max(0.0, ms_between(barrier.last_arrival, now));
      barrier.stalled = true;
    }
    r.state = NodeState::Dropped;
    ++r.drops;
    r.drop_stall_ms = r.stall_since_heard_ms;
    r.awaited = false;
    report().dropped.push_back(r.id);
  }

  void promote(Rec& r) {
    r.state = NodeState::Live;
    report().joined.push_back(r.id);
  }

  void handle(const zmq::message_t& id_part, const zmq::message_t& body, Clock::time_point now) {
    const std::string id(static_cast<const char*>(id_part.data()), id_part.size());
    if (!valid_id(id)) {
      ++counters.unknown_nodes;
      return;
    }
    Header h;
    std::string_view payload;
    if (!accept(body, false, h, payload, counters)) return;
    if (h.type == MsgType::Ready && h.session == session && (h.frame == 0 || h.frame > last_frame)) {
      ++counters.malformed;  // ready for a frame this master never sent
      return;
    }
    Rec* r = find_or_add(id);
    if (!r) {
      ++counters.unknown_nodes;
      return;
    }
    r->last_heard = now;
    r->stall_since_heard_ms = 0;
    const bool ours = h.session == session;
    if (h.type == MsgType::Ready) {
      if (ours) r->last_presented = get_u64(payload.data());
    } else if (ours) {
      r->last_presented = h.frame;
    }
    if (h.type == MsgType::Bye) {
      if (r->state == NodeState::Live || r->state == NodeState::Joining) drop(*r, now);
      return;
    }
    if (r->state == NodeState::Absent || r->state == NodeState::Dropped) {
      if (r->state == NodeState::Dropped) ++r->rejoins;
      r->state = NodeState::Joining;
    }
    if (h.type != MsgType::Ready) return;
    if (!ours) {
      ++counters.stale;
      return;
    }
    r->ready_times.push_back(now);
    while (r->ready_times.size() > 2 && ms_between(r->ready_times.front(), now) > 2000) r->ready_times.pop_front();
    r->last_ready = std::max(r->last_ready, h.frame);
    if (r->state == NodeState::Joining) promote(*r);  // it receives our frames: wait for it from now on
    if (!barrier.active || h.frame != barrier.frame) {
      ++counters.stale;
      return;
    }
    if (r->ready_now) return;  // a duplicate
    r->ready_now = true;
    r->presented_at_ready = r->last_presented;
    r->render_ms = static_cast<double>(get_u64(payload.data() + 8)) / 1000.0;
    r->latency.add(std::max(0.0, ms_between(barrier.start, now) - r->render_ms));
    barrier.last_arrival = now;
  }

  /// Reads everything queued on the ROUTER (bounded, so a flood cannot starve the frame loop).
  void drain() {
    zmq::message_t id_part, body, extra;
    for (int i = 0; i < 10000; ++i) {
      if (!try_recv(router, id_part)) return;
      if (!id_part.more()) {  // the ROUTER always prefixes the routing id; cannot happen, but never trust it
        ++counters.malformed;
        continue;
      }
      if (!try_recv(router, body)) return;
      if (body.more()) {  // nodes send one part; drain the rest of this message and ignore it
        while (try_recv(router, extra) && extra.more()) {}
        ++counters.malformed;
        continue;
      }
      handle(id_part, body, Clock::now());
    }
  }

  /// Drops the live and joining nodes silent for drop_after_ms.
  void drop_silent(Clock::time_point now) {
    for (Rec& r : recs) {
      if ((r.state == NodeState::Live || r.state == NodeState::Joining) && r.last_heard &&
          now >= *r.last_heard + std::chrono::milliseconds(options.drop_after_ms))
        drop(r, now);
    }
  }

  /// The earliest moment a node the barrier waits for reaches its drop deadline.
  Clock::time_point next_drop_deadline(Clock::time_point fallback) const {
    Clock::time_point t = fallback;
    for (const Rec& r : recs)
      if (r.awaited && !r.ready_now && r.last_heard)
        t = std::min(t, *r.last_heard + std::chrono::milliseconds(options.drop_after_ms));
    return t;
  }

  bool all_ready() const {
    return std::all_of(recs.begin(), recs.end(), [](const Rec& r) { return !r.awaited || r.ready_now; });
  }

  Result<BarrierReport> run_barrier(uint64_t n, std::string_view state) {
    BarrierReport rep;
    rep.frame = n;
    rep.state_bytes = state.size();
    // What happened since the last frame (pump calls) belongs to this report.
    rep.dropped = std::move(scratch.dropped);
    rep.joined = std::move(scratch.joined);
    scratch = {};
    barrier = Barrier{true, false, n, {}, {}, &rep};
    drain();
    drop_silent(Clock::now());
    bool any_awaited = false;
    for (Rec& r : recs) {
      r.awaited = r.state == NodeState::Live;
      r.ready_now = false;
      any_awaited |= r.awaited;
    }
    // The frame says how long this barrier may wait, so nodes wait for its PRESENT at least as long.
    const auto wait_ms = static_cast<uint16_t>(std::min(options.barrier_timeout_ms, 65535));
    const std::string frame_msg = encode(MsgType::Frame, session, n, state, wait_ms);
    // Broadcast first, then wait: the nodes render while the master reads their reports.
    barrier.start = barrier.last_arrival = Clock::now();
    last_frame = n;
    try_send(pub, frame_msg);
    const auto deadline = barrier.start + std::chrono::milliseconds(options.barrier_timeout_ms);
    while (!all_ready()) {
      auto now = Clock::now();
      if (now >= deadline) {
        rep.timed_out = true;
        break;
      }
      const auto next = next_drop_deadline(deadline);
      if (now >= next) {
        drop_silent(now);
        continue;
      }
      if (wait_readable(router, ms_until(now, next))) drain();
    }
    const auto release = Clock::now();
    const std::string present_msg = encode(MsgType::Present, session, n);
    try_send(pub, present_msg);
    barrier.active = false;

    rep.wire_bytes = frame_msg.size() + present_msg.size();
    rep.wait_ms = ms_between(barrier.start, release);
    bool someone_missing = false;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (Rec& r : recs) {
      if (r.ready_now) {
        rep.ready.push_back(r.id);
        rep.slowest_render_ms = std::max(rep.slowest_render_ms, r.render_ms);
        ++r.barriers_ready;
        if (r.ready_prev_barrier) {
          lo = std::min(lo, r.presented_at_ready);
          hi = std::max(hi, r.presented_at_ready);
        }
      } else if (r.awaited) {
        someone_missing = true;
        rep.late.push_back(r.id);
        ++r.barriers_missed;
      }
    }
    if (someone_missing || barrier.stalled) {
      rep.stall_ms = std::max(0.0, ms_between(barrier.last_arrival, release));
      for (Rec& r : recs)
        if (r.awaited && !r.ready_now) r.stall_since_heard_ms += rep.stall_ms;
    }
    for (Rec& r : recs) {
      r.ready_prev_barrier = r.ready_now;
      r.awaited = r.ready_now = false;
    }
    rep.skew_frames = hi >= lo ? hi - lo : 0;
    rep.overhead_ms = std::max(0.0, rep.wait_ms - rep.slowest_render_ms);
    rep.timed_out = rep.timed_out && someone_missing;
    ++counters.frames;
    if (rep.timed_out) ++counters.timeouts;
    if (any_awaited) {
      waits.add(rep.wait_ms);
      overheads.add(rep.overhead_ms);
    }
    for (auto* v : {&rep.ready, &rep.late, &rep.dropped, &rep.joined}) std::sort(v->begin(), v->end());
    return rep;
  }
};

Master::Master(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Master::~Master() = default;

Result<std::unique_ptr<Master>> Master::open(const MasterOptions& options) {
  if (options.barrier_timeout_ms <= 0 || options.drop_after_ms <= 0)
    return Failure(Failure::ConfigurationError, "wall master: barrier_timeout_ms and drop_after_ms must be positive");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  for (const std::string& id : options.expected) {
    if (!valid_id(id))
      return Failure(Failure::ConfigurationError,
                     "wall master: node id '" + id + "' is empty, longer than 255 bytes or starts with a zero byte");
    if (!impl->index.emplace(id, impl->recs.size()).second)
      return Failure(Failure::ConfigurationError, "wall master: node id '" + id + "' is listed twice");
    impl->recs.push_back(Impl::Rec{});
    impl->recs.back().id = id;
  }
  const std::string* ep = &options.frame_endpoint;
  try {
    for (zmq::socket_t* s : {&impl->pub, &impl->router}) s->set(zmq::sockopt::linger, 0);
    impl->router.set(zmq::sockopt::router_handover, true);  // a restarted node takes its id back at once
    impl->router.set(zmq::sockopt::rcvhwm, 100000);
    impl->pub.bind(options.frame_endpoint);
    impl->frame_ep = impl->pub.get(zmq::sockopt::last_endpoint);
    ep = &options.sync_endpoint;
    impl->router.bind(options.sync_endpoint);
    impl->sync_ep = impl->router.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return zmq_failure("wall master: cannot bind '" + *ep + "' (another master on this port? a typo?)", e);
  }
  return std::unique_ptr<Master>(new Master(std::move(impl)));
}

const std::string& Master::frame_endpoint() const { return impl_->frame_ep; }
const std::string& Master::sync_endpoint() const { return impl_->sync_ep; }
uint64_t Master::session() const { return impl_->session; }

Result<BarrierReport> Master::frame(uint64_t n, std::string_view state) {
  if (n <= impl_->last_frame)
    return Failure(Failure::ConfigurationError, "wall master: frame " + std::to_string(n) + " after frame " +
                                                    std::to_string(impl_->last_frame) + " (numbers must grow)");
  try {
    return impl_->run_barrier(n, state);
  } catch (const zmq::error_t& e) {
    impl_->barrier.active = false;
    return zmq_failure("wall master: frame " + std::to_string(n), e);
  }
}

void Master::pump(int timeout_ms) {
  try {
    const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(0, timeout_ms));
    do {
      impl_->drain();
      impl_->drop_silent(Clock::now());
      const auto now = Clock::now();
      if (now >= deadline) break;
      if (wait_readable(impl_->router, ms_until(now, deadline))) impl_->drain();
    } while (Clock::now() < deadline);
    impl_->drop_silent(Clock::now());
  } catch (const zmq::error_t&) {
    // The states stay as they were; the next frame() reports the failure.
  }
}

std::vector<NodeStatus> Master::nodes() const {
  const auto now = Clock::now();
  std::vector<NodeStatus> out;
  out.reserve(impl_->recs.size());
  for (const Impl::Rec& r : impl_->recs) {
    NodeStatus s;
    s.id = r.id;
    s.state = r.state;
    s.last_ready = r.last_ready;
    s.last_presented = r.last_presented;
    if (r.ready_times.size() >= 2) {
      const double span = ms_between(r.ready_times.front(), r.ready_times.back());
      // A node silent for longer than the window shows 0, not its old rate.
      if (span > 0 && ms_between(r.ready_times.back(), now) < 2000)
        s.frames_per_s = 1000.0 * static_cast<double>(r.ready_times.size() - 1) / span;
    }
    s.last_heard_ms = r.last_heard ? ms_between(*r.last_heard, now) : -1;
    s.render_ms = r.render_ms;
    s.latency_p50_ms = r.latency.percentile(0.5);
    s.latency_p99_ms = r.latency.percentile(0.99);
    s.barriers_ready = r.barriers_ready;
    s.barriers_missed = r.barriers_missed;
    s.drops = r.drops;
    s.rejoins = r.rejoins;
    s.drop_stall_ms = r.drop_stall_ms;
    out.push_back(std::move(s));
  }
  return out;
}

MasterStats Master::stats() const {
  MasterStats s = impl_->counters;
  s.barrier_wait_p50_ms = impl_->waits.percentile(0.5);
  s.barrier_wait_p99_ms = impl_->waits.percentile(0.99);
  s.overhead_p50_ms = impl_->overheads.percentile(0.5);
  s.overhead_p99_ms = impl_->overheads.percentile(0.99);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Node

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
