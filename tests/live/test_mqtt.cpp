// The MQTT source against a real mosquitto broker on a free loopback port: valid messages from
// libmosquitto and from the mosquitto_pub tool, rejects counted by reason, park filtering, URL
// errors and the hint shown when no broker runs.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "parktwin/live/local_broker.h"
#include "parktwin/live/payload.h"
#include "parktwin/live/publisher.h"
#include "parktwin/live/source.h"
#include "parktwin/scene/scene.h"

namespace parktwin::live {
namespace {

using live::LocalBroker;
using live::wait_for;

Registry test_registry() {
  Registry r;
  r.add({"huaqin", "nanchang", "electronic_information", "assembly", "chain_master", "handsets", "units", 1e10});
  r.add({"longcheer", "nanchang", "electronic_information", "assembly", "leader", "handsets", "units", 5e9});
  r.add({"jiangxi_copper", "yingtan", "nonferrous_metals", "smelting", "chain_master", "copper", "t", 4e11});
  r.add({"ganfeng", "yichun", "new_energy", "lithium_salts", "chain_master", "lithium carbonate", "t", 4e10});
  return r;
}

std::string payload_for(const std::string& id, int64_t ts, double output, double power, double util, double prod) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                R"({"v":1,"enterprise":"%s","ts":%lld,"output_yuan_h":%.1f,"power_kw":%.1f,"utilisation_pct":%.1f,)"
                R"("production":%.1f,"unit":"t","status":"running"})",
                id.c_str(), static_cast<long long>(ts), output, power, util, prod);
  return buf;
}

class MqttTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!LocalBroker::binary()) GTEST_SKIP() << "mosquitto is not installed: the MQTT integration tests need the broker";
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    auto b = LocalBroker::start(std::string(PARKTWIN_ASSET_DIR) + "/mosquitto/parktwin.conf",
                           std::string(PARKTWIN_TEST_OUT) + "/mqtt/" + info->name());
    ASSERT_TRUE(b) << b.error().message;
    broker_ = std::move(*b);
    opt_.flood_per_enterprise_per_s = 1e6;
  }

  std::unique_ptr<Source> open_started(const std::string& suffix) {
    auto s = open_source(broker_->url() + suffix, reg_, opt_);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    if (!s) return nullptr;
    auto started = (*s)->start();
    EXPECT_TRUE(started) << (started ? "" : started.error().message);
    EXPECT_TRUE(wait_for([&] { return (*s)->status().state == ConnectionState::Connected; }, 5000))
        << (*s)->status().last_error;
    return std::move(*s);
  }

  std::unique_ptr<Publisher> publisher() {
    PublisherOptions po;
    po.port = broker_->port();
    auto p = Publisher::connect(po);
    EXPECT_TRUE(p) << (p ? "" : p.error().message);
    return p ? std::move(*p) : nullptr;
  }

  /// Publishes a valid sample of `id` until the source accepts one (the subscription is then in
  /// place), then drains it so the test starts from an empty queue.
  void warm_up(Source& src, Publisher& pub, const std::string& id) {
    const auto& e = reg_.enterprises()[*reg_.find(id)];
    uint64_t sent = 0;
    ASSERT_TRUE(wait_for(
        [&] {
          sent += pub.publish(topic_for(e), payload_for(id, wall_ms() - 600000, 1, 1, 1, 1), 1).ok();
          pub.flush(200);
          return src.status().accepted > 0;
        },
        5000));
    // Every probe sent must have arrived before the test takes its baseline.
    ASSERT_TRUE(wait_for([&] { return src.status().accepted >= sent; }, 5000));
    std::vector<Sample> tmp;
    src.drain(tmp);
  }

  Registry reg_ = test_registry();
  SourceOptions opt_;
  std::unique_ptr<LocalBroker> broker_;
};

TEST_F(MqttTest, ValidMessagesFromLibmosquittoAndMosquittoPub) {
  auto src = open_started("?qos=1");
  auto pub = publisher();
  ASSERT_TRUE(src && pub);
  warm_up(*src, *pub, "ganfeng");
  const uint64_t base = src->status().accepted;

  const int64_t t0 = wall_ms() / 1000 * 1000 - 60000;
  const auto& huaqin = reg_.enterprises()[*reg_.find("huaqin")];
  const auto& copper = reg_.enterprises()[*reg_.find("jiangxi_copper")];
  ASSERT_TRUE(pub->publish(topic_for(huaqin), payload_for("huaqin", t0, 1234567.0, 8500.0, 82.5, 1520.0), 1));
  ASSERT_TRUE(pub->publish(topic_for(huaqin), payload_for("huaqin", t0 + 1000, 1234000.0, 8400.0, 81.0, 1500.0), 1));
  ASSERT_TRUE(pub->publish(topic_for(copper), payload_for("jiangxi_copper", t0, 9.0e7, 120000.0, 95.0, 40.0), 1));
  ASSERT_TRUE(pub->flush(3000));

  // The same kind of message from the command-line client.
  auto tool = live::client_tool("mosquitto_pub");
  int expected = 3;
  if (tool) {
    const std::string cmd = *tool + " -h 127.0.0.1 -p " + std::to_string(broker_->port()) + " -q 1 -t '" +
                            topic_for(copper) + "' -m '" +
                            payload_for("jiangxi_copper", t0 + 2000, 9.1e7, 121000.0, 96.0, 41.0) + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    expected = 4;
  } else {
    ADD_FAILURE() << "mosquitto_pub not found (package mosquitto-clients)";
  }
  ASSERT_TRUE(wait_for([&] { return src->status().accepted - base >= static_cast<uint64_t>(expected); }, 5000))
      << "accepted " << src->status().accepted - base << " of " << expected;

  std::vector<Sample> got;
  src->drain(got);
  ASSERT_EQ(got.size(), static_cast<size_t>(expected));
  std::map<uint32_t, Sample> last;
  for (const auto& s : got) last[s.enterprise] = s;
  const Sample& h = last.at(*reg_.find("huaqin"));
  EXPECT_EQ(h.m.ts_ms, t0 + 1000);
  EXPECT_DOUBLE_EQ(h.m.value(scene::Metric::Output), 1234000.0);
  EXPECT_DOUBLE_EQ(h.m.value(scene::Metric::Power), 8400.0);
  EXPECT_DOUBLE_EQ(h.m.value(scene::Metric::Utilisation), 81.0);
  EXPECT_DOUBLE_EQ(h.m.value(scene::Metric::Production), 1500.0);
  EXPECT_EQ(h.m.status, scene::Status::Running);
  const Sample& c = last.at(*reg_.find("jiangxi_copper"));
  EXPECT_EQ(c.m.ts_ms, tool ? t0 + 2000 : t0);
  EXPECT_DOUBLE_EQ(c.m.value(scene::Metric::Production), tool ? 41.0 : 40.0);
  EXPECT_EQ(got.front().m.ts_ms, t0);  // arrival order kept on one connection
  const auto st = src->status();
  EXPECT_EQ(st.kind, "mqtt");
  for (size_t r = 0; r < kRejectCount; ++r) EXPECT_EQ(st.rejected[r], 0u) << reject_name(Reject(r));
  EXPECT_EQ(st.reconnects, 0u);
}

TEST_F(MqttTest, RejectsAreCountedByReason) {
  auto src = open_started("?qos=1");
  auto pub = publisher();
  ASSERT_TRUE(src && pub);
  warm_up(*src, *pub, "ganfeng");
  const auto before = src->status();

  const int64_t now = wall_ms();
  const std::string huaqin_topic = topic_for(reg_.enterprises()[*reg_.find("huaqin")]);
  std::string inf_payload = payload_for("huaqin", now, 1, 1, 1, 1);
  inf_payload.replace(inf_payload.find("\"power_kw\":1.0"), 14, "\"power_kw\":1e999");
  std::string nan_payload = payload_for("huaqin", now, 1, 1, 1, 1);
  nan_payload.replace(nan_payload.find("\"power_kw\":1.0"), 14, "\"power_kw\":\"NaN\"");
  std::string big = payload_for("huaqin", now, 1, 1, 1, 1);
  big.insert(big.size() - 1, ",\"pad\":\"" + std::string(5000, 'x') + "\"");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {huaqin_topic, "{\"v\":1,\"enterprise\":"},                                    // malformed JSON
      {"parktwin/v1/nanchang/nosuch/metrics", payload_for("nosuch", now, 1, 1, 1, 1)},  // unknown enterprise
      {huaqin_topic, inf_payload},                                                   // overflows to infinity
      {huaqin_topic, nan_payload},                                                   // "NaN" is a string
      {huaqin_topic, payload_for("huaqin", now + 3600 * 1000, 1, 1, 1, 1)},            // an hour ahead
      {huaqin_topic, big},                                                           // over 4 KiB
  };
  for (const auto& [t, p] : bad) ASSERT_TRUE(pub->publish(t, p, 1));
  ASSERT_TRUE(pub->flush(3000));
  ASSERT_TRUE(wait_for([&] { return src->status().received - before.received >= bad.size(); }, 5000))
      << "received " << src->status().received - before.received << " of " << bad.size();
  const auto st = src->status();
  auto delta = [&](Reject r) { return st.rejected[size_t(r)] - before.rejected[size_t(r)]; };
  EXPECT_EQ(delta(Reject::MalformedJson), 1u);
  EXPECT_EQ(delta(Reject::UnknownEnterprise), 1u);
  EXPECT_EQ(delta(Reject::NotFinite), 1u);  // payload.h contract: 1e999 parses to infinity
  EXPECT_EQ(delta(Reject::WrongType), 1u);
  EXPECT_EQ(delta(Reject::TimestampFuture), 1u);
  EXPECT_EQ(delta(Reject::Oversized), 1u);
  EXPECT_EQ(st.accepted, before.accepted);
  std::vector<Sample> got;
  src->drain(got);
  EXPECT_TRUE(got.empty());
}

TEST_F(MqttTest, ParkFilterReceivesOnlyItsPark) {
  auto src = open_started("/yingtan?qos=1");
  auto pub = publisher();
  ASSERT_TRUE(src && pub);
  warm_up(*src, *pub, "jiangxi_copper");
  const auto before = src->status();
  const int64_t now = wall_ms() - 1000;
  for (const char* id : {"huaqin", "ganfeng", "longcheer"})
    ASSERT_TRUE(pub->publish(topic_for(reg_.enterprises()[*reg_.find(id)]), payload_for(id, now, 1, 1, 1, 1), 1));
  // A yingtan message after the others: once it is here, the others would have arrived too.
  ASSERT_TRUE(pub->publish(topic_for(reg_.enterprises()[*reg_.find("jiangxi_copper")]),
                           payload_for("jiangxi_copper", now, 2, 2, 2, 2), 1));
  ASSERT_TRUE(pub->flush(3000));
  ASSERT_TRUE(wait_for([&] { return src->status().accepted > before.accepted; }, 5000));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto st = src->status();
  EXPECT_EQ(st.received - before.received, 1u);
  std::vector<Sample> got;
  src->drain(got);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].enterprise, *reg_.find("jiangxi_copper"));
  EXPECT_DOUBLE_EQ(got[0].m.value(scene::Metric::Output), 2.0);
}

TEST(MqttSourceUrl, MalformedUrlsNameThePart) {
  const Registry reg = test_registry();
  struct Case {
    const char* url;
    const char* names;
  };
  for (const Case& c : {Case{"mqtt://127.0.0.1:99999", "port"}, Case{"mqtt://127.0.0.1?qos=2", "qos"},
                        Case{"mqtt://:1883", "host"}, Case{"mqtt://h/atlantis", "atlantis"},
                        Case{"mqtt://h?colour=red", "colour"}, Case{"mqtt:h", "mqtt://"},
                        Case{"ftp://h", "scheme"}, Case{"sim://?speed=-1", "speed"}, Case{"history://", "path"}}) {
    auto s = open_source(c.url, reg);
    ASSERT_FALSE(s) << c.url;
    EXPECT_NE(s.error().message.find(c.names), std::string::npos) << c.url << ": " << s.error().message;
    EXPECT_NE(s.error().message.find("example"), std::string::npos) << s.error().message;
  }
  EXPECT_STREQ(connection_state_name(ConnectionState::Reconnecting), "reconnecting");
}

TEST(MqttSourceNoBroker, SaysWhatToCheck) {
  const Registry reg = test_registry();
  const int port = LocalBroker::free_port();
  auto s = open_source("mqtt://127.0.0.1:" + std::to_string(port), reg);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE((*s)->start());
  const std::string hint = "is the broker running on 127.0.0.1:" + std::to_string(port) + "?";
  EXPECT_TRUE(wait_for([&] { return (*s)->status().last_error.find(hint) != std::string::npos; }, 3000))
      << (*s)->status().last_error;
  EXPECT_EQ((*s)->status().state, ConnectionState::Connecting);
  (*s)->stop();
}

}  // namespace
}  // namespace parktwin::live

namespace parktwin::live {
namespace {

// End to end into the scene: messages through the broker update the default scene's enterprises,
// an enterprise whose last sample is old and one that never reported are stale, a bad message is
// counted, and the buildings of the fresh one follow its utilisation.
TEST_F(MqttTest, SamplesReachTheSceneWithStalenessAndRejects) {
  scene::Scene sc(gis::SceneFrame::jiangxi());
  auto loaded = scene::load_default_dataset(sc, std::string(PARKTWIN_ASSET_DIR) + "/parktwin.gpkg");
  ASSERT_TRUE(loaded) << loaded.error().message;
  reg_ = Registry(sc);
  auto src = open_started("?qos=1");
  auto pub = publisher();
  ASSERT_TRUE(src && pub);
  const uint32_t fresh = *reg_.find("catl_yichun"), old = *reg_.find("jxcc_guixi_smelter"), silent = *reg_.find("huaqin");
  warm_up(*src, *pub, "gotion_yichun");
  const uint64_t base = src->status().received;  // the warm-up may have sent several probes

  const int64_t now = wall_ms();
  const auto& ef = reg_.enterprises()[fresh];
  const auto& eo = reg_.enterprises()[old];
  ASSERT_TRUE(pub->publish(topic_for(ef), payload_for("catl_yichun", now - 1000, 2e6, 40000, 50.0, 0.4), 1));
  ASSERT_TRUE(pub->publish(topic_for(eo), payload_for("jxcc_guixi_smelter", now - 3600 * 1000, 9e7, 1.2e5, 90, 150), 1));
  ASSERT_TRUE(pub->publish(topic_for(ef), R"({"v":1,"enterprise":"catl_yichun","ts":"soon")", 1));  // malformed
  ASSERT_TRUE(pub->flush(3000));
  ASSERT_TRUE(wait_for([&] { return src->status().received >= base + 3; }, 5000));

  std::vector<Sample> got;
  ASSERT_TRUE(wait_for([&] {
    src->drain(got);
    return got.size() >= 2;
  }, 5000));
  sc.reset_live();
  for (const Sample& s : got) sc.update_live(s.enterprise, s.m);
  sc.live_time_ms = now;
  sc.restyle();

  EXPECT_DOUBLE_EQ(sc.live[fresh].value(scene::Metric::Utilisation), 50.0);
  EXPECT_DOUBLE_EQ(sc.live[old].value(scene::Metric::Output), 9e7);
  EXPECT_FALSE(sc.is_stale(fresh));
  EXPECT_TRUE(sc.is_stale(old));      // an hour old, stale after 5 min
  EXPECT_TRUE(sc.is_stale(silent));   // never reported
  EXPECT_EQ(src->status().rejected[static_cast<size_t>(Reject::MalformedJson)], 1u);

  size_t checked = 0;
  for (size_t i = 0; i < sc.buildings.size(); ++i) {
    const auto& b = sc.buildings[i];
    if (b.enterprise == static_cast<int32_t>(fresh)) {
      EXPECT_NEAR(sc.styles[i].height, b.height_m * (0.2 + 0.8 * 0.5), 1e-3);
      EXPECT_FALSE(sc.styles[i].flags & scene::kFlagStale);
      ++checked;
    } else if (b.enterprise == static_cast<int32_t>(old)) {
      EXPECT_TRUE(sc.styles[i].flags & scene::kFlagStale);
    }
  }
  EXPECT_GT(checked, 0u);
}

}  // namespace
}  // namespace parktwin::live
