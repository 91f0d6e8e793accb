// A wall node as its own process for WallSync.KilledNodeProcessIsDroppedAndARestartedOneRejoins:
// `wall_sync_node ID FRAME_ENDPOINT SYNC_ENDPOINT` joins the master, reports ready for every frame
// after 0.2 ms of "rendering" and waits for its present, for at most 60 s. The test starts it with
// fork + exec, so nothing of the test process (its threads, its allocator's locks under a
// sanitizer, its ZeroMQ context) is inherited: a forked copy of a threaded process could hang.
#include <chrono>
#include <cstdio>
#include <string>

#include "parktwin/wall/sync.h"

int main(int argc, char** argv) {
  using namespace parktwin::wall;
  using Clock = std::chrono::steady_clock;
  if (argc != 4) {
    std::fprintf(stderr, "usage: wall_sync_node ID FRAME_ENDPOINT SYNC_ENDPOINT\n");
    return 2;
  }
  NodeOptions o;
  o.id = argv[1];
  o.frame_endpoint = argv[2];
  o.sync_endpoint = argv[3];
  o.heartbeat_ms = 50;
  auto node = Node::open(o);
  if (!node.ok()) {
    std::fprintf(stderr, "wall_sync_node %s: %s\n", argv[1], node.error().message.c_str());
    return 2;
  }
  const auto start = Clock::now();
  while (Clock::now() - start < std::chrono::seconds(60)) {
    auto f = (*node)->next_frame(100);
    if (!f) continue;
    (*node)->ready(f->number, 0.2);
    (*node)->wait_present(f->number, 5000);
  }
  return 0;
}
