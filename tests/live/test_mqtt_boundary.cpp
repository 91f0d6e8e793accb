// The exception boundary of the MQTT source's callbacks, reached without any test hook: a child
// process subscribes, then limits its own address space (RLIMIT_AS) while this process floods it
// with valid samples it never drains, until growing the queue inside the message callback throws
// std::bad_alloc. libmosquitto calls that callback from C code; an exception escaping it would end
// the child (std::terminate, SIGABRT). The child must instead report it in the source's status,
// and, once memory is back, accept samples again on the same connection.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "parktwin/live/local_broker.h"
#include "parktwin/live/payload.h"
#include "parktwin/live/publisher.h"
#include "parktwin/live/source.h"

namespace parktwin::live {
namespace {

Registry boundary_registry() {
  Registry r;
  r.add({"jiangxi_copper", "yingtan", "nonferrous_metals", "smelting", "chain_master", "copper", "t", 4e11});
  return r;
}

/// What the child found, as its exit code.
enum ChildExit : int { kOk = 0, kNoSource = 10, kNotConnected, kNoLimit, kNeverOutOfMemory, kNotGoingOn };

const char* child_exit_text(int code) {
  switch (code) {
    case kNoSource: return "the child could not open or start the source";
    case kNotConnected: return "the child's source did not connect";
    case kNoLimit: return "the child could not limit its address space";
    case kNeverOutOfMemory: return "the child never reported an out-of-memory message handler in 60 s";
    case kNotGoingOn: return "after the reported exception the child's source accepted nothing more";
    default: return "unexpected exit code";
  }
}

/// Address space mapped by this process now (bytes).
long long mapped_bytes() {
  std::ifstream statm("/proc/self/statm");
  long long pages = 0;
  statm >> pages;
  return pages * ::sysconf(_SC_PAGESIZE);
}

int child_main(int port, int ready_fd) {
  const Registry reg = boundary_registry();
  SourceOptions opt;
  opt.flood_per_enterprise_per_s = 1e12;  // the queue must grow, not the flood counter
  auto s = open_source("mqtt://127.0.0.1:" + std::to_string(port) + "?qos=0", reg, opt);
  if (!s || !(*s)->start()) return kNoSource;
  Source& src = **s;
  if (!wait_for([&] { return src.status().state == ConnectionState::Connected; }, 10000)) return kNotConnected;
  // Room for a few MB of queue beyond what is mapped now: the vector's next doubling fails.
  rlimit lim{};
  ::getrlimit(RLIMIT_AS, &lim);
  const rlim_t unlimited = lim.rlim_cur;
  lim.rlim_cur = static_cast<rlim_t>(mapped_bytes() + (24ll << 20));
  if (::setrlimit(RLIMIT_AS, &lim) != 0) return kNoLimit;
  const char ready = 'r';
  if (::write(ready_fd, &ready, 1) != 1) return kNoLimit;
  const std::string marker = "the MQTT message handler stopped: out of memory";
  const bool reported = wait_for([&] { return src.status().last_error.find(marker) != std::string::npos; }, 60000);
  lim.rlim_cur = unlimited;
  ::setrlimit(RLIMIT_AS, &lim);
  if (!reported) return kNeverOutOfMemory;
  {
    std::vector<Sample> taken;  // frees the queue
    src.drain(taken);
  }
  const uint64_t before = src.status().accepted;
  if (!wait_for([&] { return src.status().accepted > before && src.status().state == ConnectionState::Connected; }, 20000))
    return kNotGoingOn;
  src.stop();
  return kOk;
}

#if defined(__SANITIZE_ADDRESS__)
#define PARKTWIN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PARKTWIN_ASAN 1
#endif
#endif

TEST(MqttCallbackBoundary, AnExceptionInTheMessageHandlerIsReportedAndTheSourceGoesOn) {
#ifdef PARKTWIN_ASAN
  GTEST_SKIP() << "AddressSanitizer reserves terabytes of address space for its shadow memory, so an address-space "
                  "limit (RLIMIT_AS) cannot make an allocation fail here; this test runs in the normal build";
#endif
  if (!LocalBroker::binary()) GTEST_SKIP() << "mosquitto is not installed: the MQTT integration tests need the broker";
  auto b = LocalBroker::start(std::string(PARKTWIN_ASSET_DIR) + "/mosquitto/parktwin.conf",
                              std::string(PARKTWIN_TEST_OUT) + "/mqtt/boundary");
  ASSERT_TRUE(b) << b.error().message;
  const int port = (*b)->port();

  int pipe_fd[2];
  ASSERT_EQ(::pipe(pipe_fd), 0);
  std::fflush(nullptr);
  // No thread runs in this process here (the broker is a process), so the child may use libraries.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fd[0]);
    ::_exit(child_main(port, pipe_fd[1]));
  }
  ::close(pipe_fd[1]);
  struct Reaper {  // never leave the child behind
    pid_t pid;
    bool done = false;
    ~Reaper() {
      if (done) return;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{child};

  pollfd pfd{pipe_fd[0], POLLIN, 0};
  const bool ready = ::poll(&pfd, 1, 20000) == 1 && (pfd.revents & POLLIN);
  char byte = 0;
  const bool got_byte = ready && ::read(pipe_fd[0], &byte, 1) == 1;
  ::close(pipe_fd[0]);

  int status = 0;
  bool reaped = false;
  auto child_ended = [&] {
    reaped = reaped || ::waitpid(child, &status, WNOHANG) == child;
    reaper.done = reaped;
    return reaped;
  };
  if (got_byte) {
    PublisherOptions po;
    po.port = port;
    auto pub = Publisher::connect(po);
    ASSERT_TRUE(pub) << pub.error().message;
    const Registry reg = boundary_registry();
    scene::Metrics m;
    m.v = {1.0, 1.0, 1.0, 1.0};
    m.status = scene::Status::Running;
    const std::string topic = topic_for(reg.enterprises()[0]);
    // Publish until the child has decided; a generous bound, not a timing assertion.
    const int64_t deadline = wall_ms() + 120000;
    while (!child_ended() && wall_ms() < deadline) {
      m.ts_ms = wall_ms() - 1000;
      const std::string payload = make_payload(reg.enterprises()[0], m, false);
      for (int i = 0; i < 2000; ++i) (void)(*pub)->publish(topic, payload, 0);
      (void)(*pub)->flush(1000);
    }
  } else {
    wait_for(child_ended, 5000);  // it may have exited with its reason
  }
  if (!child_ended()) FAIL() << (got_byte ? "the child did not finish within 120 s" : "the child never subscribed");
  reaper.done = true;
  ASSERT_FALSE(WIFSIGNALED(status)) << "the child died of signal " << WTERMSIG(status)
                                    << ": an exception escaped an MQTT callback (or the child aborted)";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), kOk) << child_exit_text(WEXITSTATUS(status));
}

}  // namespace
}  // namespace parktwin::live
