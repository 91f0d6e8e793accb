#pragma once
// Frame sync between a wall's master and its nodes over ZeroMQ: the master broadcasts each frame's
// state, every node renders it and reports ready, and the master releases them together (a swap
// barrier); a node that does not answer within the timeout is dropped and rejoins when it answers
// again. The wire protocol, the node states and what happens when a node or the master dies are in
// docs/wall_sync.md.
//
// Usage, master (the operator console's frame loop):
//   auto master = Master::open({.frame_endpoint = "tcp://*:5560", .sync_endpoint = "tcp://*:5561",
//                               .expected = {"n1", "n2"}});
//   for (uint64_t n = 1;; ++n) {
//     std::string state = serialise(frame_state);          // decided once for the whole wall
//     auto report = (*master)->frame(n, state);            // broadcast, barrier, release
//     present_console();
//   }
// Usage, node (one per PC):
//   auto node = Node::open({.id = "n1", .frame_endpoint = "tcp://master:5560",
//                           .sync_endpoint = "tcp://master:5561"});
//   for (;;) {
//     auto f = (*node)->next_frame(100);                   // nothing when the master is silent
//     if (!f) continue;
//     render(f->state);
//     (*node)->ready(f->number, render_ms);
//     if ((*node)->wait_present(f->number, present_timeout_ms(*f, 500))) present();
//   }
// Neither class is thread-safe: each is used from one thread (its frame loop).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parktwin/gis/result.h"

namespace parktwin::wall {

template <typename T>
using Result = gis::Result<T>;
using gis::Failure;

/// The version of the wire protocol this build speaks (docs/wall_sync.md); other versions are ignored.
inline constexpr uint8_t kSyncProtocolVersion = 1;

/// Where a node stands, as the master sees it.
enum class NodeState : uint8_t {
  Absent,   ///< expected, never heard from since the master started
  Joining,  ///< heard from, but has not yet reported ready for a frame of this master: not waited for
  Live,     ///< in the barrier: every frame waits for it (up to the barrier timeout)
  Dropped   ///< silent for longer than drop_after_ms (or said goodbye); not waited for; rejoins when heard
};
const char* node_state_name(NodeState s);

struct MasterOptions {
  std::string frame_endpoint = "tcp://*:5560";  ///< PUB: frames and presents ("tcp://127.0.0.1:*" = any free port)
  std::string sync_endpoint = "tcp://*:5561";   ///< ROUTER: hello, ready, heartbeat, bye from the nodes
  std::vector<std::string> expected;             ///< node ids; empty = accept any id that says hello
  int barrier_timeout_ms = 500;                  ///< longest one barrier waits for its live nodes
  int drop_after_ms = 1000;                      ///< a live or joining node silent this long is dropped
};

/// What one call of Master::frame did.
struct BarrierReport {
  uint64_t frame = 0;
  std::vector<std::string> ready;    ///< reported ready for this frame before the release (sorted)
  std::vector<std::string> late;     ///< live, waited for, not ready by the barrier timeout (sorted)
  std::vector<std::string> dropped;  ///< dropped during this call (silence or goodbye) (sorted)
  std::vector<std::string> joined;   ///< became live during this call (sorted)
  bool timed_out = false;            ///< the barrier timeout released it, not the last ready node
  double wait_ms = 0;                ///< from the broadcast of the frame to the release of the present
  double slowest_render_ms = 0;      ///< the largest render time the ready nodes reported
  double overhead_ms = 0;            ///< wait_ms minus slowest_render_ms (at least 0): the cost of syncing
  double stall_ms = 0;               ///< time waited after the last ready node for nodes that never came
  /// Highest minus lowest "last presented frame" among the nodes ready both here and at the previous
  /// barrier (each READY carries it): 0 when the previous barrier presented one frame everywhere.
  uint64_t skew_frames = 0;
  size_t state_bytes = 0;            ///< the app's state for this frame
  size_t wire_bytes = 0;             ///< what the master sent for this frame (frame + present messages)
};

/// One node, as the master's console shows it.
struct NodeStatus {
  std::string id;
  NodeState state = NodeState::Absent;
  uint64_t last_ready = 0;       ///< last frame of this master the node reported ready for
  uint64_t last_presented = 0;   ///< last frame the node says it presented (carried by its messages)
  double frames_per_s = 0;       ///< ready reports per second over the last ~2 s
  double last_heard_ms = -1;     ///< ms since the master last heard from it; -1 = never
  double render_ms = 0;          ///< the render time of its last ready report
  double latency_p50_ms = 0;     ///< broadcast -> ready arrival, minus its render time, recent frames
  double latency_p99_ms = 0;
  uint64_t barriers_ready = 0;   ///< barriers it was ready for in time
  uint64_t barriers_missed = 0;  ///< barriers that waited for it in vain
  uint32_t drops = 0;            ///< how often it was dropped
  uint32_t rejoins = 0;          ///< how often it came back after a drop
  /// Barrier stall between the last time it was heard and its last drop: what its death cost the wall.
  double drop_stall_ms = 0;
};

/// Counters of the master, for the console and the benchmark.
struct MasterStats {
  uint64_t frames = 0;             ///< barriers run
  uint64_t timeouts = 0;           ///< barriers released by the timeout
  uint64_t malformed = 0;          ///< messages ignored: bad size, magic, type or framing
  uint64_t wrong_version = 0;      ///< messages ignored: another protocol version
  uint64_t unknown_nodes = 0;      ///< messages ignored: an id not in `expected` (or not a valid id)
  uint64_t stale = 0;              ///< ready reports for an earlier frame or another master (kept as heartbeats)
  double barrier_wait_p50_ms = 0;  ///< BarrierReport::wait_ms over the recent barriers with a live node
  double barrier_wait_p99_ms = 0;
  double overhead_p50_ms = 0;      ///< BarrierReport::overhead_ms over the same barriers
  double overhead_p99_ms = 0;
};

/// The operator console's side: owns the PUB and ROUTER sockets.
class Master {
 public:
  /// Binds both endpoints; fails on a bad or busy endpoint or bad options.
  static Result<std::unique_ptr<Master>> open(const MasterOptions& options);
  ~Master();
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  /// The endpoint bound for frames, as ZeroMQ reports it (a "*" port resolved to the real one).
  const std::string& frame_endpoint() const;
  /// The endpoint bound for the nodes' reports, resolved likewise.
  const std::string& sync_endpoint() const;
  /// Random id of this master; changes with every open, so nodes notice a restart.
  uint64_t session() const;

  /// Broadcasts `state` as frame `n`, waits until every live node reports ready for it (or the
  /// barrier timeout passes, or a waited-for node reaches drop_after_ms of silence and is dropped),
  /// then releases "present n". `n` must grow from call to call (fails otherwise, nothing sent).
  /// Returns at once when no node is live. Fails only when ZeroMQ fails.
  Result<BarrierReport> frame(uint64_t n, std::string_view state);
  /// Reads the nodes' messages for up to `timeout_ms` without running a barrier (to keep the
  /// console's states current while no frames are sent).
  void pump(int timeout_ms);

  /// Every node known: the expected ones first (in their order), then others by first contact.
  std::vector<NodeStatus> nodes() const;
  MasterStats stats() const;

  struct Impl;

 private:
  explicit Master(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct NodeOptions {
  std::string id;                  ///< unique on the wall; 1..255 bytes, not starting with a zero byte
  std::string frame_endpoint;      ///< the master's PUB endpoint
  std::string sync_endpoint;       ///< the master's ROUTER endpoint
  int heartbeat_ms = 100;          ///< while waiting, a heartbeat this often (keep well under drop_after_ms)
};

/// One frame as the master sent it.
struct Frame {
  uint64_t number = 0;
  uint64_t session = 0;  ///< the master's session() that sent it
  std::string state;     ///< the app's bytes, unchanged
  /// The longest the master's barrier for this frame may wait (its barrier_timeout_ms, at most
  /// 65535; 0 from a master that does not say): wait_present should wait at least this long.
  uint32_t master_wait_ms = 0;
};

/// How long a node should wait for frame `f`'s PRESENT: twice the master's barrier wait for it
/// (its own `fallback_barrier_timeout_ms` when the master did not say), at least one second. A node
/// that gives up earlier than the master's barrier ends misses a present the others make (skew).
int present_timeout_ms(const Frame& f, int fallback_barrier_timeout_ms);

/// Counters of one node.
struct NodeStats {
  uint64_t frames = 0;              ///< frames handed out by next_frame
  uint64_t skipped = 0;             ///< frames overtaken by a newer one before next_frame handed them out
  uint64_t presents = 0;            ///< wait_present calls that returned true
  uint64_t missed_presents = 0;     ///< wait_present calls that returned false
  uint64_t malformed = 0;           ///< messages from the master ignored: bad size, magic or type
  uint64_t wrong_version = 0;       ///< messages from the master ignored: another protocol version
  uint32_t master_restarts = 0;     ///< how often a new master session was seen
  uint64_t session = 0;             ///< the current master's session (0 = none seen yet)
  uint64_t last_presented = 0;
  double barrier_wait_p50_ms = 0;   ///< ready() -> present released, recent frames
  double barrier_wait_p99_ms = 0;
};

/// A render PC's side: a SUB for frames, a DEALER (identity = id) for its reports.
class Node {
 public:
  /// Connects both sockets (the master need not be up yet) and says hello.
  static Result<std::unique_ptr<Node>> open(const NodeOptions& options);
  /// Says goodbye (best effort, at most ~100 ms when the master is there) and closes.
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const std::string& id() const;
  /// The newest frame not handed out yet (older ones queued behind it are skipped); waits up to
  /// `timeout_ms` for one, sending heartbeats meanwhile; nothing when none came. Frame numbers
  /// only grow, except when a new master session starts.
  std::optional<Frame> next_frame(int timeout_ms);
  /// Tells the master this node has rendered frame `n` (taking `render_ms`) and waits to present it.
  void ready(uint64_t n, double render_ms);
  /// Waits until the master releases frame `n`: true = present it now; false = the wait timed out,
  /// or the master moved past `n` or restarted (skip this present, take the next frame).
  bool wait_present(uint64_t n, int timeout_ms);
  NodeStats stats() const;

  struct Impl;

 private:
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parktwin::wall
