// The broker is stopped in the middle of a QoS 1 stream and started again on the same port:
// the source reconnects on its own, its persistent session (fixed client id) gets what the broker
// queued, the publisher resends what was not acknowledged, and no numbered message is lost.
#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "parktwin/live/local_broker.h"
#include "parktwin/live/payload.h"
#include "parktwin/live/publisher.h"
#include "parktwin/live/source.h"

namespace parktwin::live {
namespace {

using live::LocalBroker;
using live::wait_for;

TEST(MqttRestart, NothingValidIsLostAcrossABrokerRestart) {
  if (!LocalBroker::binary()) GTEST_SKIP() << "mosquitto is not installed: the MQTT integration tests need the broker";
  auto b = LocalBroker::start(std::string(PARKTWIN_ASSET_DIR) + "/mosquitto/parktwin.conf",
                         std::string(PARKTWIN_TEST_OUT) + "/mqtt/restart");
  ASSERT_TRUE(b) << b.error().message;
  LocalBroker& broker = **b;

  Registry reg;
  reg.add({"huaqin", "nanchang", "electronic_information", "assembly", "chain_master", "handsets", "units", 1e10});
  reg.add({"jiangxi_copper", "yingtan", "nonferrous_metals", "smelting", "chain_master", "copper", "t", 4e11});
  reg.add({"ganfeng", "yichun", "new_energy", "lithium_salts", "chain_master", "lithium carbonate", "t", 4e10});
  SourceOptions opt;
  opt.flood_per_enterprise_per_s = 1e6;  // this test is about loss, not flood limiting
  auto src_r = open_source(broker.url() + "?qos=1&client=parktwin-restart-sub", reg, opt);
  ASSERT_TRUE(src_r) << src_r.error().message;
  Source& src = **src_r;
  ASSERT_TRUE(src.start());
  ASSERT_TRUE(wait_for([&] { return src.status().state == ConnectionState::Connected; }, 5000))
      << src.status().last_error;

  PublisherOptions po;
  po.port = broker.port();
  po.client_id = "parktwin-restart-pub";
  po.max_inflight = 100;
  po.publish_timeout_ms = 15000;
  auto pub_r = Publisher::connect(po);
  ASSERT_TRUE(pub_r) << pub_r.error().message;
  Publisher& pub = **pub_r;

  // Make sure the subscription is in place before counting: a probe must come through.
  std::vector<Sample> got;
  auto probe = [&](double seq) {
    const auto& e = reg.enterprises()[0];
    scene::Metrics m;
    m.ts_ms = wall_ms() - 1000;
    m.v = {1.0, 1.0, 1.0, seq};
    m.status = scene::Status::Running;
    return pub.publish(topic_for(e), make_payload(e, m, true), 1);
  };
  ASSERT_TRUE(wait_for([&] { return probe(-0.0).ok() && pub.flush(200) && src.status().accepted > 0; }, 5000));
  src.drain(got);
  got.clear();

  // The sequence: production carries the sequence number (1..N), enterprises cycle.
  constexpr int N = 3000;
  std::atomic<int> sent{0};
  std::string pub_error;
  std::thread publisher([&] {
    for (int i = 1; i <= N; ++i) {
      const auto& e = reg.enterprises()[i % reg.size()];
      scene::Metrics m;
      m.ts_ms = wall_ms() - 1000;
      m.v = {1000.0, 500.0, 50.0, static_cast<double>(i)};
      m.status = scene::Status::Running;
      auto r = pub.publish(topic_for(e), make_payload(e, m, true), 1);
      if (!r) {
        pub_error = r.error().message;
        return;
      }
      sent = i;
      if (i % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));  // ~2000 msg/s
    }
    if (!pub.flush(15000)) pub_error = "flush timed out: " + pub.stats().last_error;
  });

  std::set<int> seen;
  auto collect = [&] {
    got.clear();
    src.drain(got);
    for (const auto& s : got) seen.insert(static_cast<int>(s.m.value(scene::Metric::Production)));
  };
  // Mid-run: stop the broker (it saves sessions and queued messages), restart it after ~1 s.
  ASSERT_TRUE(wait_for([&] { return sent.load() >= N / 3; }, 10000));
  broker.stop();
  const int sent_at_stop = sent.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  collect();
  EXPECT_NE(src.status().state, ConnectionState::Connected);
  auto restarted = broker.restart();
  ASSERT_TRUE(restarted) << restarted.error().message;

  ASSERT_TRUE(wait_for([&] { return src.status().state == ConnectionState::Connected; }, 10000))
      << src.status().last_error;
  publisher.join();
  EXPECT_TRUE(pub_error.empty()) << pub_error;
  wait_for([&] { collect(); return seen.size() >= static_cast<size_t>(N); }, 10000);
  collect();

  const auto st = src.status();
  EXPECT_GE(st.reconnects, 1u);
  EXPECT_EQ(st.state, ConnectionState::Connected);
  EXPECT_GE(pub.stats().reconnects, 1u);
  std::vector<int> missing;
  for (int i = 1; i <= N; ++i)
    if (!seen.count(i)) missing.push_back(i);
  EXPECT_TRUE(missing.empty()) << missing.size() << " of " << N << " missing (first " << missing.front()
                               << "); " << sent_at_stop << " sent before the stop";
  src.stop();
}

}  // namespace
}  // namespace parktwin::live
