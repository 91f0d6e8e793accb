// A wall's frame state as bytes: what the master decided arrives at the nodes unchanged (camera,
// time, budget, view, the live values with their status), and damaged bytes are refused.
#include <gtest/gtest.h>

#include "frame_state.h"

using namespace parktwin;

namespace {

app::FrameState sample() {
  app::FrameState f;
  f.view = "{\"version\": \"parktwin.viewstate/1\"}";
  f.camera = {117.2252, 28.3299, 2400.5, 15.25, 28.0, 40.107};
  f.time_s = 12.345678901234;
  f.flow_min_value_yuan = 2.2718e10;
  f.counted = false;
  app::LiveSnapshot live;
  live.time_ms = 1782864000123;
  live.simulated = true;
  for (int e = 0; e < 3; ++e) {
    scene::Metrics m;
    m.ts_ms = 1782864000000 + e;
    for (size_t k = 0; k < scene::kMetricCount; ++k) m.v[k] = 0.1 * (e + 1) + 1e-13 * static_cast<double>(k);
    m.status = e == 1 ? scene::Status::Alarm : scene::Status::Running;
    m.simulated = e != 2;
    live.state.push_back(m);
  }
  f.live = live;
  return f;
}

TEST(FrameState, ArrivesUnchanged) {
  const app::FrameState f = sample();
  auto back = app::decode(app::encode(f));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->view, f.view);
  EXPECT_EQ(back->camera, f.camera);  // doubles exactly
  EXPECT_EQ(back->time_s, f.time_s);
  EXPECT_EQ(back->flow_min_value_yuan, f.flow_min_value_yuan);
  EXPECT_FALSE(back->counted);
  ASSERT_TRUE(back->live);
  EXPECT_EQ(back->live->time_ms, f.live->time_ms);
  EXPECT_TRUE(back->live->simulated);
  ASSERT_EQ(back->live->state.size(), 3u);
  for (size_t e = 0; e < 3; ++e) {
    EXPECT_EQ(back->live->state[e].ts_ms, f.live->state[e].ts_ms);
    EXPECT_EQ(back->live->state[e].v, f.live->state[e].v);
    EXPECT_EQ(back->live->state[e].status, f.live->state[e].status);
    EXPECT_EQ(back->live->state[e].simulated, f.live->state[e].simulated);
  }
  // Without live values nothing is invented.
  app::FrameState bare = f;
  bare.live.reset();
  auto b = app::decode(app::encode(bare));
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->live);
}

TEST(FrameState, DamagedBytesAreRefused) {
  const std::string good = app::encode(sample());
  EXPECT_FALSE(app::decode(good.substr(0, good.size() / 2)));
  EXPECT_FALSE(app::decode("{\"v\": 2, \"view\": \"\", \"camera\": [0,0,1,0,45,40]}"));   // another version
  EXPECT_FALSE(app::decode("{\"v\": 1, \"view\": \"\", \"camera\": [0,0,1]}"));           // short camera
  EXPECT_FALSE(app::decode("{\"v\": 1, \"view\": \"\", \"camera\": [\"a\",0,1,0,45,40]}"));  // wrong type
  std::string bad_status = good;
  const auto at = bad_status.find(",4,true]");  // the Alarm row's status and flag, as encode writes them
  ASSERT_NE(at, std::string::npos) << good;
  bad_status.replace(at, 8, ",9,true]");
  EXPECT_FALSE(app::decode(bad_status));
}

// A node that falls behind takes the newest frame and skips older ones: values sent with one frame
// only could be lost, so they go with every frame until every live node presented one carrying them.
TEST(LiveSender, SendsUntilEveryLiveNodeHasTheValues) {
  auto node = [](const char* id, wall::NodeState st) {
    wall::NodeStatus n;
    n.id = id;
    n.state = st;
    return n;
  };
  std::vector<wall::NodeStatus> nodes = {node("a", wall::NodeState::Live), node("b", wall::NodeState::Live),
                                         node("c", wall::NodeState::Absent)};
  auto report = [](std::vector<std::string> ready, std::vector<std::string> joined = {}) {
    wall::BarrierReport r;
    r.ready = std::move(ready);
    r.joined = std::move(joined);
    return r;
  };
  app::LiveSender ls;
  EXPECT_TRUE(ls.due(7, nodes)) << "nobody has anything yet";
  ls.sent(7, report({"a"}));  // b fell behind and skipped that frame
  EXPECT_TRUE(ls.due(7, nodes)) << "b never presented a frame with revision 7";
  ls.sent(std::nullopt, report({"a", "b"}));  // a frame without values does not give b anything
  EXPECT_TRUE(ls.due(7, nodes));
  ls.sent(7, report({"a", "b"}));
  EXPECT_FALSE(ls.due(7, nodes)) << "every live node has 7; the absent one is not waited for";
  EXPECT_TRUE(ls.due(8, nodes)) << "new values";
  ls.sent(8, report({"a", "b"}));
  EXPECT_FALSE(ls.due(8, nodes));
  // c comes (back): it has nothing, whatever it had before.
  nodes[2].state = wall::NodeState::Live;
  EXPECT_TRUE(ls.due(8, nodes));
  ls.sent(8, report({"a", "b", "c"}));
  EXPECT_FALSE(ls.due(8, nodes));
  ls.sent(std::nullopt, report({"a", "b"}, {"c"}));  // c restarted and rejoined
  EXPECT_TRUE(ls.due(8, nodes));
}

}  // namespace
