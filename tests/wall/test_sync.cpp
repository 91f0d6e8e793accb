// Frame sync over loopback: a master and its nodes as threads (and, for the kill test, as
// processes) on free ports. No timing is asserted beyond "within the configured timeout plus a
// margin", so a loaded 2-core machine passes too.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <zmq.hpp>

#include "parktwin/wall/sync.h"

namespace {

using namespace parktwin::wall;
using Clock = std::chrono::steady_clock;

constexpr const char* kAnyPort = "tcp://127.0.0.1:*";

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

/// The app's bytes for frame n: binary (zero bytes, high bytes), length varies with n.
std::string state_for(uint64_t n) {
  std::string s(200 + n % 300, '\0');
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>((i * 31 + n * 7) & 0xff);
  s.replace(0, 8, std::string(reinterpret_cast<const char*>(&n), 8));
  return s;
}

MasterOptions loopback(std::vector<std::string> ids, int barrier_timeout_ms, int drop_after_ms) {
  MasterOptions o;
  o.frame_endpoint = kAnyPort;
  o.sync_endpoint = kAnyPort;
  o.expected = std::move(ids);
  o.barrier_timeout_ms = barrier_timeout_ms;
  o.drop_after_ms = drop_after_ms;
  return o;
}

std::unique_ptr<Master> open_master(const MasterOptions& o) {
  auto m = Master::open(o);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? std::move(*m) : nullptr;
}

bool has(const std::vector<std::string>& v, const std::string& id) { return std::find(v.begin(), v.end(), id) != v.end(); }

/// Runs frames (n grows) until `done` holds for a report or `timeout_ms` passes; false on timeout.
/// Sleeps a little between frames so a master without live nodes does not spin.
bool frames_until(Master& m, uint64_t& n, const std::function<bool(const BarrierReport&)>& done, int timeout_ms,
                  std::vector<BarrierReport>* log = nullptr) {
  const auto start = Clock::now();
  while (ms_since(start) < timeout_ms) {
    ++n;
    auto r = m.frame(n, state_for(n));
    if (!r.ok()) {
      ADD_FAILURE() << r.error().message;
      return false;
    }
    if (log) log->push_back(*r);
    if (done(*r)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

NodeStatus status_of(const Master& m, const std::string& id) {
  for (const NodeStatus& s : m.nodes())
    if (s.id == id) return s;
  ADD_FAILURE() << "no node " << id;
  return {};
}

/// A node's frame loop on a thread: take the newest frame, check its bytes, "render", report ready,
/// wait for the present, record what it presented.
class NodeThread {
 public:
  /// `own_barrier_timeout_ms` > 0: wait for each present as present_timeout_ms says with that as
  /// this node's own idea of the barrier timeout (as the app does); otherwise 5 s.
  NodeThread(std::string id, std::string frame_ep, std::string sync_ep, int own_barrier_timeout_ms = 0)
      : own_barrier_timeout_ms_(own_barrier_timeout_ms) {
    NodeOptions o;
    o.id = std::move(id);
    o.frame_endpoint = std::move(frame_ep);
    o.sync_endpoint = std::move(sync_ep);
    o.heartbeat_ms = 50;
    auto node = Node::open(o);
    EXPECT_TRUE(node.ok()) << (node.ok() ? "" : node.error().message);
    if (!node.ok()) return;
    node_ = std::move(*node);
    thread_ = std::thread([this] { loop(); });
  }
  ~NodeThread() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  void pause(bool p) { paused_ = p; }
  std::vector<uint64_t> presented() const {
    std::lock_guard lock(mu_);
    return presented_;
  }
  int bad_states() const { return bad_states_; }
  /// After stop(): the node's counters.
  const NodeStats& stats() const { return stats_; }

 private:
  void loop() {
    while (!stop_) {
      if (paused_) {  // not answering at all: no frames taken, no reports, no heartbeats
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      auto f = node_->next_frame(50);
      if (!f) continue;
      if (f->state != state_for(f->number)) ++bad_states_;
      node_->ready(f->number, 0.2);
      const int wait = own_barrier_timeout_ms_ > 0 ? present_timeout_ms(*f, own_barrier_timeout_ms_) : 5000;
      if (node_->wait_present(f->number, wait)) {
        std::lock_guard lock(mu_);
        presented_.push_back(f->number);
      }
    }
    stats_ = node_->stats();
    node_.reset();  // says goodbye
  }

  int own_barrier_timeout_ms_ = 0;
  std::unique_ptr<Node> node_;
  std::thread thread_;
  std::atomic<bool> stop_{false}, paused_{false};
  std::atomic<int> bad_states_{0};
  mutable std::mutex mu_;
  std::vector<uint64_t> presented_;
  NodeStats stats_;
};

std::vector<std::string> ids(const std::string& prefix, int count) {
  std::vector<std::string> v;
  for (int i = 0; i < count; ++i) v.push_back(prefix + std::to_string(i));
  return v;
}

std::vector<std::unique_ptr<NodeThread>> start_nodes(const std::vector<std::string>& names, const Master& m) {
  std::vector<std::unique_ptr<NodeThread>> v;
  for (const auto& id : names) v.push_back(std::make_unique<NodeThread>(id, m.frame_endpoint(), m.sync_endpoint()));
  return v;
}

/// The frames of `presented` within [first, last].
std::vector<uint64_t> within(const std::vector<uint64_t>& presented, uint64_t first, uint64_t last) {
  std::vector<uint64_t> v;
  for (uint64_t f : presented)
    if (f >= first && f <= last) v.push_back(f);
  return v;
}

auto all_ready(size_t count) {
  return [count](const BarrierReport& r) { return r.ready.size() == count; };
}

// ---------------------------------------------------------------------------------------------

TEST(WallSync, EightNodesPresentTheSameFrameAtEveryBarrier) {
  const auto names = ids("node-", 8);
  // Timeouts far beyond any frame here: on a loaded machine a slow thread must not count as dead.
  auto master = open_master(loopback(names, 5000, 10000));
  ASSERT_TRUE(master);
  EXPECT_NE(master->frame_endpoint().find("tcp://127.0.0.1:"), std::string::npos) << master->frame_endpoint();
  EXPECT_EQ(master->frame_endpoint().find('*'), std::string::npos) << "the real port is read back";
  auto nodes = start_nodes(names, *master);

  uint64_t n = 0;
  ASSERT_TRUE(frames_until(*master, n, all_ready(8), 20000)) << "8 nodes never all ready";
  const uint64_t first = n + 1;
  std::vector<BarrierReport> reports;
  for (int i = 0; i < 100; ++i) {
    ++n;
    auto r = master->frame(n, state_for(n));
    ASSERT_TRUE(r.ok()) << r.error().message;
    reports.push_back(*r);
  }
  const uint64_t last = n;
  for (auto& node : nodes) node->stop();

  for (const BarrierReport& r : reports) {
    EXPECT_EQ(r.ready, names) << "frame " << r.frame;
    EXPECT_FALSE(r.timed_out) << "frame " << r.frame;
    EXPECT_TRUE(r.late.empty() && r.dropped.empty()) << "frame " << r.frame;
    EXPECT_EQ(r.skew_frames, 0u) << "frame " << r.frame;
    EXPECT_EQ(r.state_bytes, state_for(r.frame).size());
    EXPECT_GT(r.wire_bytes, r.state_bytes);
    EXPECT_EQ(r.stall_ms, 0.0);
    EXPECT_GE(r.wait_ms, r.overhead_ms);
  }
  // Every node presented exactly the barrier frames, in order: never another frame number.
  std::vector<uint64_t> expected;
  for (uint64_t f = first; f <= last; ++f) expected.push_back(f);
  for (size_t i = 0; i < nodes.size(); ++i) {
    EXPECT_EQ(within(nodes[i]->presented(), first, last), expected) << names[i];
    EXPECT_EQ(nodes[i]->bad_states(), 0) << names[i] << ": state bytes changed on the way";
    EXPECT_EQ(nodes[i]->stats().malformed, 0u);
    EXPECT_GT(nodes[i]->stats().barrier_wait_p99_ms, 0.0);
    EXPECT_GE(nodes[i]->stats().barrier_wait_p99_ms, nodes[i]->stats().barrier_wait_p50_ms);
  }
  // Barrier latency is reported, per barrier and per node.
  const MasterStats st = master->stats();
  EXPECT_GT(st.barrier_wait_p50_ms, 0.0);
  EXPECT_GE(st.barrier_wait_p99_ms, st.barrier_wait_p50_ms);
  EXPECT_GE(st.overhead_p99_ms, st.overhead_p50_ms);
  EXPECT_EQ(st.malformed, 0u);
  EXPECT_EQ(st.unknown_nodes, 0u);
  for (const NodeStatus& s : master->nodes()) {
    EXPECT_GE(s.barriers_ready, 100u) << s.id;
    EXPECT_EQ(s.barriers_missed, 0u) << s.id;
    EXPECT_GE(s.latency_p99_ms, s.latency_p50_ms) << s.id;
    EXPECT_GE(s.last_presented, last - 1) << s.id;
    EXPECT_NEAR(s.render_ms, 0.2, 0.01) << s.id;
  }
  std::printf("8 nodes, 100 frames: barrier wait p50 %.2f ms p99 %.2f ms, overhead p99 %.2f ms, %zu state bytes\n",
              st.barrier_wait_p50_ms, st.barrier_wait_p99_ms, st.overhead_p99_ms, reports.back().state_bytes);
}

// Nodes as processes, so one can die the hard way: fork + exec of tests/wall/sync_node.cpp (a forked
// copy of this threaded process could hang on a lock another thread held, as under ASan in CI).
class Children {
 public:
  ~Children() {
    while (!pids_.empty()) kill_one(pids_.begin()->first);
  }
  void spawn(const std::string& id, const Master& m) {
    const std::string exe = PARKTWIN_SYNC_NODE, fe = m.frame_endpoint(), se = m.sync_endpoint();
    char* const argv[] = {const_cast<char*>(exe.c_str()), const_cast<char*>(id.c_str()),
                          const_cast<char*>(fe.c_str()), const_cast<char*>(se.c_str()), nullptr};
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {  // only async-signal-safe calls until exec
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::close_range(3, ~0U, 0);  // nothing of the parent's (the master's listening sockets) stays open
      ::execv(argv[0], argv);
      ::_exit(127);
    }
    pids_[id] = pid;
  }
  void kill_one(const std::string& id) {
    auto it = pids_.find(id);
    if (it == pids_.end()) return;
    ::kill(it->second, SIGKILL);
    ::waitpid(it->second, nullptr, 0);
    pids_.erase(it);
  }

 private:
  std::map<std::string, pid_t> pids_;
};

TEST(WallSync, KilledNodeProcessIsDroppedAndARestartedOneRejoins) {
  const auto names = ids("proc-", 4);
  const int drop_after_ms = 1000;
  auto master = open_master(loopback(names, 4000, drop_after_ms));
  ASSERT_TRUE(master);
  Children children;
  for (const auto& id : names) children.spawn(id, *master);

  uint64_t n = 0;
  ASSERT_TRUE(frames_until(*master, n, all_ready(4), 20000)) << "4 node processes never all ready";
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(frames_until(*master, n, all_ready(4), 10000));

  // SIGKILL one: the others keep going, and it is dropped within the drop timeout plus a frame.
  children.kill_one("proc-2");
  const auto killed = Clock::now();
  std::vector<BarrierReport> log;
  ASSERT_TRUE(frames_until(
      *master, n, [](const BarrierReport& r) { return has(r.dropped, "proc-2"); }, 10000, &log));
  const double to_drop_ms = ms_since(killed);
  EXPECT_LE(to_drop_ms, drop_after_ms + 1500) << "dropped too late";
  for (const BarrierReport& r : log) {
    EXPECT_FALSE(r.timed_out) << "the drop deadline, not the barrier timeout, ends the wait";
    EXPECT_LE(r.stall_ms, drop_after_ms + 500);
  }
  const NodeStatus dead = status_of(*master, "proc-2");
  EXPECT_EQ(dead.state, NodeState::Dropped);
  EXPECT_EQ(dead.drops, 1u);
  EXPECT_LE(dead.drop_stall_ms, drop_after_ms + 500.0);
  // Without it the wall runs at full pace: the other three are ready at every barrier.
  for (int i = 0; i < 20; ++i) {
    ++n;
    auto r = master->frame(n, state_for(n));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->ready, (std::vector<std::string>{"proc-0", "proc-1", "proc-3"}));
    EXPECT_FALSE(r->timed_out);
  }

  // A new process with the same id rejoins by itself and presents again.
  children.spawn("proc-2", *master);
  const uint64_t restarted_at = n;
  ASSERT_TRUE(frames_until(*master, n, all_ready(4), 20000)) << "the restarted node never rejoined";
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(frames_until(*master, n, all_ready(4), 10000));
  const NodeStatus back = status_of(*master, "proc-2");
  EXPECT_EQ(back.state, NodeState::Live);
  EXPECT_EQ(back.rejoins, 1u);
  EXPECT_GT(back.last_presented, restarted_at) << "it presents frames again";
  std::printf("killed node dropped after %.0f ms (drop_after %d ms), its stall %.0f ms\n", to_drop_ms,
              drop_after_ms, dead.drop_stall_ms);
}

TEST(WallSync, SilentNodeIsDroppedWithoutHoldingTheOthersAndRejoinsMidStream) {
  const auto names = ids("t-", 3);
  const int drop_after_ms = 600;
  auto master = open_master(loopback(names, 4000, drop_after_ms));
  ASSERT_TRUE(master);
  auto nodes = start_nodes(names, *master);
  uint64_t n = 0;
  ASSERT_TRUE(frames_until(*master, n, all_ready(3), 20000));

  nodes[1]->pause(true);
  const auto paused = Clock::now();
  ASSERT_TRUE(frames_until(*master, n, [](const BarrierReport& r) { return has(r.dropped, "t-1"); }, 10000));
  EXPECT_LE(ms_since(paused), drop_after_ms + 1500);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(frames_until(*master, n, all_ready(2), 10000));

  nodes[1]->pause(false);  // it finds a backlog of frames, takes the newest, and rejoins
  const uint64_t resumed_at = n;
  ASSERT_TRUE(frames_until(*master, n, all_ready(3), 20000));
  const uint64_t first = n + 1;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(frames_until(*master, n, all_ready(3), 10000));
  for (auto& node : nodes) node->stop();
  const NodeStatus s = status_of(*master, "t-1");
  EXPECT_EQ(s.drops, 1u);
  EXPECT_EQ(s.rejoins, 1u);
  const auto presented = nodes[1]->presented();
  EXPECT_GT(presented.back(), resumed_at);
  EXPECT_TRUE(std::is_sorted(presented.begin(), presented.end())) << "frame numbers never go backwards";
  EXPECT_EQ(within(presented, first, n), within(nodes[0]->presented(), first, n));
}

// A barrier that waits longer than the nodes' own idea of the timeout (a node went silent and the
// master waits for its drop deadline): the nodes wait as long as the master's frame says, so the ones
// that were ready all present that frame (none gives up early and falls a frame behind the others).
TEST(WallSync, NodesWaitForPresentAsLongAsTheMastersBarrierMay) {
  const auto names = ids("w-", 3);
  const int barrier_timeout_ms = 3000, drop_after_ms = 1600, nodes_own_timeout_ms = 200;
  auto master = open_master(loopback(names, barrier_timeout_ms, drop_after_ms));
  ASSERT_TRUE(master);
  std::vector<std::unique_ptr<NodeThread>> nodes;
  for (const auto& id : names)
    nodes.push_back(std::make_unique<NodeThread>(id, master->frame_endpoint(), master->sync_endpoint(), nodes_own_timeout_ms));
  uint64_t n = 0;
  ASSERT_TRUE(frames_until(*master, n, all_ready(3), 20000));

  nodes[2]->pause(true);
  std::vector<BarrierReport> log;
  ASSERT_TRUE(frames_until(*master, n, [](const BarrierReport& r) { return has(r.dropped, "w-2"); }, 10000, &log));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(frames_until(*master, n, all_ready(2), 10000, &log));
  for (auto& node : nodes) node->stop();
  // The frames whose barrier waited longer than the 1 s a node would otherwise give up after.
  int long_waits = 0;
  for (const BarrierReport& r : log) {
    if (r.wait_ms <= 1100) continue;
    ++long_waits;
    for (int k = 0; k < 2; ++k) {
      if (!has(r.ready, names[k])) continue;
      const auto p = nodes[k]->presented();
      EXPECT_TRUE(std::find(p.begin(), p.end(), r.frame) != p.end())
          << names[k] << " was ready for frame " << r.frame << " (barrier waited " << r.wait_ms << " ms) but did not present it";
    }
  }
  EXPECT_GE(long_waits, 1) << "no barrier waited for the silent node's drop deadline";
  for (const BarrierReport& r : log) EXPECT_EQ(r.skew_frames, 0u) << "frame " << r.frame;
  EXPECT_EQ(nodes[0]->stats().missed_presents, 0u);
  EXPECT_EQ(nodes[1]->stats().missed_presents, 0u);
}

TEST(WallSync, NodesWaitForARestartedMasterAndResume) {
  const auto names = ids("r-", 3);
  auto first_master = open_master(loopback(names, 4000, 10000));
  ASSERT_TRUE(first_master);
  MasterOptions same = loopback(names, 4000, 10000);
  same.frame_endpoint = first_master->frame_endpoint();  // the same ports again
  same.sync_endpoint = first_master->sync_endpoint();
  auto nodes = start_nodes(names, *first_master);
  uint64_t n = 1000;
  ASSERT_TRUE(frames_until(*first_master, n, all_ready(3), 20000));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(frames_until(*first_master, n, all_ready(3), 10000));
  const uint64_t old_session = first_master->session();
  first_master.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the nodes find nobody

  std::unique_ptr<Master> second;
  for (int attempt = 0; attempt < 50 && !second; ++attempt) {
    auto m = Master::open(same);
    if (m.ok()) second = std::move(*m);
    else std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(second) << "could not bind the same ports again";
  EXPECT_NE(second->session(), old_session);
  uint64_t m = 0;  // the new master counts from the start: lower numbers than before are fine
  ASSERT_TRUE(frames_until(*second, m, all_ready(3), 20000)) << "nodes did not come back to the new master";
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(frames_until(*second, m, all_ready(3), 10000));
  for (auto& node : nodes) node->stop();
  for (size_t i = 0; i < nodes.size(); ++i) {
    EXPECT_EQ(nodes[i]->stats().master_restarts, 1u) << names[i];
    EXPECT_EQ(nodes[i]->stats().session, second->session());
    EXPECT_EQ(nodes[i]->presented().back(), m) << names[i];
  }
}

/// The wire header of docs/wall_sync.md, written out independently of the library.
std::string header(uint8_t version, uint8_t type, uint64_t session, uint64_t frame) {
  std::string s = {'P', 'T', 'W', 'S', static_cast<char>(version), static_cast<char>(type), 0, 0};
  for (uint64_t v : {session, frame})
    for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

TEST(WallSync, MalformedReportsAreCountedAndIgnored) {
  auto master = open_master(loopback({"n1", "raw"}, 4000, 10000));
  ASSERT_TRUE(master);
  NodeThread good("n1", master->frame_endpoint(), master->sync_endpoint());
  uint64_t n = 0;
  ASSERT_TRUE(frames_until(*master, n, all_ready(1), 20000));

  zmq::context_t ctx;
  zmq::socket_t raw(ctx, zmq::socket_type::dealer), stranger(ctx, zmq::socket_type::dealer);
  for (zmq::socket_t* s : {&raw, &stranger}) s->set(zmq::sockopt::linger, 0);
  raw.set(zmq::sockopt::routing_id, "raw");
  stranger.set(zmq::sockopt::routing_id, "stranger");
  raw.connect(master->sync_endpoint());
  stranger.connect(master->sync_endpoint());
  const uint64_t session = master->session();
  raw.send(zmq::str_buffer("hello"));                                              // too short
  raw.send(zmq::buffer(std::string(24, 'x')));                                     // no magic
  raw.send(zmq::buffer(header(99, 16, session, 0)));                               // another version
  raw.send(zmq::buffer(header(1, 17, session, n)));                                // ready without payload
  raw.send(zmq::buffer(header(1, 1, session, n) + "state"));                       // a master's type
  raw.send(zmq::buffer(header(1, 200, session, n)));                               // unknown type
  raw.send(zmq::buffer(header(1, 18, session, 0)), zmq::send_flags::sndmore);      // two parts
  raw.send(zmq::buffer(header(1, 18, session, 0)));
  raw.send(zmq::buffer(header(1, 17, session, n + 1000) + std::string(16, '\0')));  // a frame never sent
  stranger.send(zmq::buffer(header(1, 16, session, 0)));                           // valid, but not on the wall

  const auto start = Clock::now();
  while ((master->stats().malformed < 7 || master->stats().unknown_nodes < 1) && ms_since(start) < 10000)
    ASSERT_TRUE(frames_until(*master, n, all_ready(1), 10000));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(frames_until(*master, n, all_ready(1), 10000));
  good.stop();
  const MasterStats st = master->stats();
  EXPECT_EQ(st.malformed, 7u);
  EXPECT_EQ(st.wrong_version, 1u);
  EXPECT_EQ(st.unknown_nodes, 1u);
  EXPECT_EQ(status_of(*master, "raw").state, NodeState::Absent) << "nothing valid came from it";
  EXPECT_EQ(master->nodes().size(), 2u) << "a stranger is not added";
}

TEST(WallSync, NodeIgnoresMalformedFramesAndNeverGoesBackwards) {
  // A hand-made master: a PUB the node subscribes to, and a sync endpoint nobody reads.
  zmq::context_t ctx;
  zmq::socket_t pub(ctx, zmq::socket_type::pub), sink(ctx, zmq::socket_type::router);
  for (zmq::socket_t* s : {&pub, &sink}) s->set(zmq::sockopt::linger, 0);
  pub.bind(kAnyPort);
  sink.bind(kAnyPort);
  NodeOptions o;
  o.id = "solo";
  o.frame_endpoint = pub.get(zmq::sockopt::last_endpoint);
  o.sync_endpoint = sink.get(zmq::sockopt::last_endpoint);
  auto opened = Node::open(o);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Node& node = **opened;

  const uint64_t s1 = 0x1111, s2 = 0x2222;
  std::optional<Frame> f;
  const auto start = Clock::now();  // PUB drops what it sends before the subscription arrives: repeat
  while (!f && ms_since(start) < 10000) {
    pub.send(zmq::str_buffer("garbage"));
    pub.send(zmq::buffer(header(7, 1, s1, 10) + "x"));  // another version
    pub.send(zmq::buffer(header(1, 17, s1, 10) + std::string(16, '\0')));  // a node's type
    pub.send(zmq::buffer(header(1, 1, s1, 10) + std::string("a\0b", 3)));
    f = node.next_frame(50);
  }
  ASSERT_TRUE(f);
  EXPECT_EQ(f->number, 10u);
  EXPECT_EQ(f->session, s1);
  EXPECT_EQ(f->state, std::string("a\0b", 3));
  EXPECT_GE(node.stats().malformed, 2u);
  EXPECT_GE(node.stats().wrong_version, 1u);

  pub.send(zmq::buffer(header(1, 1, s1, 5) + "older"));  // same session, lower number: ignored
  pub.send(zmq::buffer(header(1, 1, s1, 11) + "eleven"));
  pub.send(zmq::buffer(header(1, 1, s1, 12) + "twelve"));  // overtakes 11
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  f = node.next_frame(2000);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->number, 12u) << "the newest frame, stale ones skipped";
  EXPECT_FALSE(node.next_frame(100)) << "nothing newer";
  node.ready(12, 1.0);
  pub.send(zmq::buffer(header(1, 2, s1, 12)));
  EXPECT_TRUE(node.wait_present(12, 5000));

  pub.send(zmq::buffer(header(1, 1, s2, 1) + "restart"));  // a new master: numbering starts over
  f = node.next_frame(5000);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->number, 1u);
  EXPECT_EQ(node.stats().master_restarts, 1u);
  node.ready(1, 1.0);
  pub.send(zmq::buffer(header(1, 1, s2, 2) + "moved on"));  // present 1 lost, frame 2 came
  EXPECT_FALSE(node.wait_present(1, 5000));
  const NodeStats st = node.stats();
  EXPECT_EQ(st.presents, 1u);
  EXPECT_EQ(st.missed_presents, 1u);
  EXPECT_GE(st.skipped, 2u);
}

TEST(WallSync, FrameNumbersMustGrowAndBadOptionsFail) {
  auto master = open_master(loopback({}, 100, 1000));
  ASSERT_TRUE(master);
  auto r = master->frame(5, "a");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ready.empty()) << "no node: returns at once";
  EXPECT_FALSE(master->frame(5, "b").ok());
  EXPECT_FALSE(master->frame(4, "b").ok());
  EXPECT_TRUE(master->frame(6, "b").ok());

  MasterOptions busy = loopback({}, 100, 1000);
  busy.frame_endpoint = master->frame_endpoint();
  EXPECT_FALSE(Master::open(busy).ok()) << "port in use";
  MasterOptions bogus = loopback({}, 100, 1000);
  bogus.sync_endpoint = "bogus://nowhere";
  EXPECT_FALSE(Master::open(bogus).ok());
  EXPECT_FALSE(Master::open(loopback({"a", "a"}, 100, 1000)).ok()) << "an id twice";
  EXPECT_FALSE(Master::open(loopback({"a"}, 0, 1000)).ok());
  EXPECT_FALSE(Node::open({.id = "", .frame_endpoint = kAnyPort, .sync_endpoint = kAnyPort}).ok());
  EXPECT_FALSE(Node::open({.id = "x", .frame_endpoint = "bogus://x", .sync_endpoint = "tcp://127.0.0.1:1"}).ok());
}

}  // namespace
