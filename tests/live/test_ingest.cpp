// The ingest pipeline: counters, flood limiting with its burst, drain order, rate and latency.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ingest.h"
#include "parktwin/live/payload.h"

namespace parktwin::live {
namespace {

constexpr int64_t kWall = 1795600800000;  // 2026-11-25T10:00:00Z, the reference clock of these tests

struct Fixture {
  Registry reg;
  Fixture() {
    reg.add({.id = "huaqin", .park = "nanchang", .unit = "million units"});
    reg.add({.id = "ganfeng", .park = "yichun", .unit = "t"});
  }
  /// A valid message of enterprise `e` stamped `ts`; `tag` goes into production to tell messages apart.
  std::pair<std::string, std::string> message(uint32_t e, int64_t ts, double tag = 1.0) const {
    scene::Metrics m;
    m.ts_ms = ts;
    m.v = {1000.0, 200.0, 50.0, tag};
    m.status = scene::Status::Running;
    const EnterpriseInfo& info = reg.enterprises()[e];
    return {topic_for(info), make_payload(info, m, false)};
  }
};

SourceOptions unlimited() {
  SourceOptions opt;
  opt.flood_per_enterprise_per_s = 0.0;  // no flood limit
  return opt;
}

TEST(Ingest, CountsAcceptedAndRejected) {
  Fixture f;
  Ingest ingest(f.reg, SourceOptions{});
  const int64_t t = steady_ms();
  for (int i = 0; i < 10; ++i) {
    const auto [topic, payload] = f.message(i % 2, kWall - 1000 + i);
    ingest.offer(topic, payload, kWall, t);
  }
  ingest.offer("parktwin/v1/nanchang/huaqin/metrics", "{", kWall, t);
  ingest.offer("nowhere", "{}", kWall, t);
  const auto [topic, payload] = f.message(0, kWall + 3600 * 1000);
  ingest.offer(topic, payload, kWall, t);
  Sample trusted;
  trusted.m.ts_ms = kWall;
  ingest.push(trusted);

  const IngestCounters& c = ingest.counters();
  EXPECT_EQ(c.received.load(), 14u);
  EXPECT_EQ(c.accepted.load(), 11u);
  EXPECT_EQ(c.rejected_total(), 3u);
  EXPECT_EQ(c.rejected[static_cast<size_t>(Reject::MalformedJson)].load(), 1u);
  EXPECT_EQ(c.rejected[static_cast<size_t>(Reject::BadTopic)].load(), 1u);
  EXPECT_EQ(c.rejected[static_cast<size_t>(Reject::TimestampFuture)].load(), 1u);

  SourceStatus st;
  st.last_error = "connection refused";
  ingest.fill_status(st);
  EXPECT_EQ(st.received, 14u);
  EXPECT_EQ(st.accepted, 11u);
  EXPECT_EQ(st.rejected[static_cast<size_t>(Reject::BadTopic)], 1u);
  EXPECT_EQ(st.last_error.rfind("timestamp_future: ", 0), 0u) << st.last_error;
}

TEST(Ingest, SourceErrorKeptWhileNothingRejected) {
  Fixture f;
  Ingest ingest(f.reg, SourceOptions{});
  SourceStatus st;
  st.last_error = "broker unreachable";
  ingest.fill_status(st);
  EXPECT_EQ(st.last_error, "broker unreachable");
  EXPECT_EQ(st.messages_per_s, 0.0);
  EXPECT_EQ(st.latency_p50_ms, 0.0);
}

TEST(Ingest, FloodLimitAllowsTwoSecondBurstThenTheRate) {
  Fixture f;
  SourceOptions opt;
  opt.flood_per_enterprise_per_s = 10.0;  // burst: 20
  Ingest ingest(f.reg, opt);
  const int64_t t0 = steady_ms();
  auto offer_n = [&](uint32_t e, int n, int64_t at) {
    for (int i = 0; i < n; ++i) {
      const auto [topic, payload] = f.message(e, kWall - 1000);
      ingest.offer(topic, payload, kWall, at);
    }
  };
  const auto flood = [&] { return ingest.counters().rejected[static_cast<size_t>(Reject::Flood)].load(); };

  offer_n(0, 25, t0);  // a burst: 20 pass, 5 refused
  EXPECT_EQ(ingest.counters().accepted.load(), 20u);
  EXPECT_EQ(flood(), 5u);
  offer_n(1, 20, t0);  // another enterprise has its own bucket
  EXPECT_EQ(ingest.counters().accepted.load(), 40u);
  EXPECT_EQ(flood(), 5u);
  offer_n(0, 10, t0 + 500);  // half a second refills 5 tokens
  EXPECT_EQ(ingest.counters().accepted.load(), 45u);
  EXPECT_EQ(flood(), 10u);
  // A steady 10/s is sustained indefinitely.
  for (int s = 1; s <= 30; ++s) offer_n(0, 1, t0 + 500 + s * 100);
  EXPECT_EQ(ingest.counters().accepted.load(), 75u);
  EXPECT_EQ(flood(), 10u);
  // After a long pause the bucket is full again, but holds no more than the burst.
  offer_n(0, 30, t0 + 60000);
  EXPECT_EQ(ingest.counters().accepted.load(), 95u);
  EXPECT_EQ(flood(), 20u);
  EXPECT_EQ(ingest.counters().received.load(), ingest.counters().accepted.load() + ingest.counters().rejected_total());

  SourceStatus st;
  ingest.fill_status(st);
  EXPECT_NE(st.last_error.find("flood: enterprise \"huaqin\""), std::string::npos) << st.last_error;
}

TEST(Ingest, FloodLimitOffWhenRateIsZero) {
  Fixture f;
  Ingest ingest(f.reg, unlimited());
  const int64_t t = steady_ms();
  for (int i = 0; i < 5000; ++i) {
    const auto [topic, payload] = f.message(0, kWall - 1000);
    ingest.offer(topic, payload, kWall, t);
  }
  EXPECT_EQ(ingest.counters().accepted.load(), 5000u);
}

TEST(Ingest, DrainKeepsArrivalOrderAndAppends) {
  Fixture f;
  Ingest ingest(f.reg, unlimited());
  const int64_t t = steady_ms();
  for (int i = 0; i < 6; ++i) {
    if (i % 3 == 2) {
      Sample s;
      s.enterprise = 1;
      s.m.ts_ms = kWall;
      s.m.v[3] = i;
      s.received_ms = t + i;
      ingest.push(s);
    } else {
      const auto [topic, payload] = f.message(0, kWall - 100, i);
      ingest.offer(topic, payload, kWall, t + i);
    }
  }
  std::vector<Sample> out(1);  // drain appends to what is there
  ingest.drain(out);
  ASSERT_EQ(out.size(), 7u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(out[i + 1].m.value(scene::Metric::Production), i);
    EXPECT_EQ(out[i + 1].received_ms, t + i);
    EXPECT_EQ(out[i + 1].enterprise, i % 3 == 2 ? 1u : 0u);
  }
  std::vector<Sample> again;
  ingest.drain(again);
  EXPECT_TRUE(again.empty());
}

TEST(Ingest, RateOverTheRecentWindow) {
  Fixture f;
  Ingest ingest(f.reg, unlimited());
  // 400 messages spread evenly over four seconds, read at their end: 100/s. The clock is given, so
  // the figure does not depend on how fast the messages are offered (a sanitizer build is slow).
  const int64_t start = 1'000'000;
  for (int i = 0; i < 400; ++i) {
    const auto [topic, payload] = f.message(i % 2, kWall - 1000);
    ingest.offer(topic, payload, kWall, start + i * 10);
  }
  SourceStatus st;
  ingest.fill_status(st, start + 4000);
  EXPECT_NEAR(st.messages_per_s, 100.0, 5.0);
  // Read two seconds later: only the last two seconds' 200 messages are in the window's reach.
  SourceStatus later;
  ingest.fill_status(later, start + 6000);
  EXPECT_LT(later.messages_per_s, st.messages_per_s);

  // A stream that stopped long ago reads zero.
  Ingest old(f.reg, unlimited());
  for (int i = 0; i < 100; ++i) {
    const auto [topic, payload] = f.message(0, kWall - 1000);
    old.offer(topic, payload, kWall, start + i);
  }
  SourceStatus st_old;
  old.fill_status(st_old, start + 20000);
  EXPECT_EQ(st_old.messages_per_s, 0.0);
  // And the plain call reads the real steady clock: a stream stamped a minute before it reads zero
  // as well (stamps taken from the steady clock here, not fixed ones: a machine booted a few
  // minutes ago has a steady clock near any fixed stamp).
  const int64_t minute_ago = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch()).count() - 60'000;
  Ingest stopped(f.reg, unlimited());
  for (int i = 0; i < 100; ++i) {
    const auto [topic, payload] = f.message(0, kWall - 1000);
    stopped.offer(topic, payload, kWall, minute_ago + i);
  }
  SourceStatus st_now;
  stopped.fill_status(st_now);
  EXPECT_EQ(st_now.messages_per_s, 0.0);
}

TEST(Ingest, LatencyPercentilesFromPublishTime) {
  Fixture f;
  Ingest ingest(f.reg, unlimited());
  const int64_t t = steady_ms();
  // Latencies 1..100 ms, then a sample from a publisher whose clock runs ahead (counted as 0).
  for (int ms = 1; ms <= 100; ++ms) {
    const auto [topic, payload] = f.message(0, kWall - ms);
    ingest.offer(topic, payload, kWall, t);
  }
  SourceStatus st;
  ingest.fill_status(st);
  EXPECT_NEAR(st.latency_p50_ms, 50.5, 1.0);
  EXPECT_NEAR(st.latency_p99_ms, 99.0, 1.0);

  // The ring keeps the most recent 4096: after 5000 messages at 7 ms, the early ones are gone.
  for (int i = 0; i < 5000; ++i) {
    const auto [topic, payload] = f.message(1, kWall - 7);
    ingest.offer(topic, payload, kWall, t);
  }
  ingest.fill_status(st);
  EXPECT_EQ(st.latency_p50_ms, 7.0);
  EXPECT_EQ(st.latency_p99_ms, 7.0);
}

TEST(Ingest, ProducerAndConsumerThreadsLoseNothing) {
  // Everything the producer touches lives in `shared`, which the producer holds too: when it is stuck
  // past the deadline the test detaches it and fails with the counts instead of hanging.
  constexpr int kCount = 20000;
  constexpr auto kDeadline = std::chrono::seconds(60);
  struct Shared {
    Fixture f;
    Ingest ingest{f.reg, unlimited()};
    std::vector<std::pair<std::string, std::string>> msgs;
    std::atomic<int> offered{0};
    std::atomic<bool> stop{false};
    std::promise<void> done;
  };
  auto shared = std::make_shared<Shared>();
  for (int i = 0; i < kCount; ++i) shared->msgs.push_back(shared->f.message(i % 2, kWall - 1000, i));
  std::future<void> producer_done = shared->done.get_future();
  std::thread producer([shared] {
    for (const auto& [topic, payload] : shared->msgs) {
      if (shared->stop.load()) break;
      shared->ingest.offer(topic, payload, kWall, steady_ms());
      shared->offered.fetch_add(1);
    }
    shared->done.set_value();
  });
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  std::vector<Sample> got;
  SourceStatus st;
  while (got.size() < static_cast<size_t>(kCount) && std::chrono::steady_clock::now() < deadline) {
    shared->ingest.drain(got);
    shared->ingest.fill_status(st);  // status readers run alongside
    std::this_thread::yield();
  }
  shared->stop.store(true);
  const bool finished = producer_done.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  if (finished) producer.join();
  else producer.detach();
  if (finished) shared->ingest.drain(got);  // anything queued after the last drain above
  const auto& c = shared->ingest.counters();
  const std::string counts = "offered " + std::to_string(shared->offered.load()) + " of " + std::to_string(kCount) +
                             ", received " + std::to_string(c.received.load()) + ", accepted " +
                             std::to_string(c.accepted.load()) + ", rejected " + std::to_string(c.rejected_total()) +
                             ", drained " + std::to_string(got.size());
  ASSERT_TRUE(finished) << "the producer thread did not finish within " << kDeadline.count() << " s + 5 s: " << counts;
  ASSERT_EQ(got.size(), static_cast<size_t>(kCount)) << "within " << kDeadline.count() << " s: " << counts;
  for (int i = 0; i < kCount; ++i) ASSERT_EQ(got[i].m.value(scene::Metric::Production), i);
}

// The queue between a source's thread and the app was unbounded: a stalled viewer grew without
// limit. Beyond max_queued new samples are dropped and counted, and the queue takes more once drained.
TEST(Ingest, TheQueueIsBoundedAndCountsWhatItDrops) {
  Fixture f;
  SourceOptions opt = unlimited();
  opt.max_queued = 10;
  Ingest ingest(f.reg, opt);
  const int64_t t = steady_ms();
  for (int i = 0; i < 15; ++i) {
    const auto [topic, payload] = f.message(0, kWall - 1000, i);
    ingest.offer(topic, payload, kWall, t);
  }
  Sample trusted;
  trusted.enterprise = 1;
  trusted.m.ts_ms = kWall;
  ingest.push(trusted);  // in-process producers are bounded too
  std::vector<Sample> out;
  ingest.drain(out);
  ASSERT_EQ(out.size(), 10u);
  EXPECT_EQ(out.back().m.value(scene::Metric::Production), 9.0) << "the first ten are kept, in order";
  EXPECT_EQ(ingest.counters().rejected[static_cast<size_t>(Reject::QueueFull)].load(), 6u);
  EXPECT_EQ(ingest.counters().received.load(), 16u);
  EXPECT_EQ(ingest.counters().accepted.load(), 10u);
  SourceStatus st;
  ingest.fill_status(st);
  EXPECT_NE(st.last_error.find("queue_full"), std::string::npos) << st.last_error;
  // Drained: room again.
  const auto [topic, payload] = f.message(0, kWall - 500, 99);
  ingest.offer(topic, payload, kWall, t);
  out.clear();
  ingest.drain(out);
  ASSERT_EQ(out.size(), 1u);
}

}  // namespace
}  // namespace parktwin::live
