#include "parktwin/wall/sync.h"

#include <zmq.hpp>

#include "sync_protocol.h"

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

using namespace sync_detail;

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

}  // namespace parktwin::wall
