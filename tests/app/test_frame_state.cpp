// A wall's frame state as bytes: what the master decided arrives at the nodes unchanged (camera,
// time, budget, view, the live values with their status, the overlay), and damaged bytes are refused.
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
  app::WallOverlay o;
  o.ui_scale = 2.6471;
  o.english = true;
  // Positions off the quarter-pixel grid, and a label across a seam of the 8x2 wall (x = 1925).
  o.labels.push_back({7, 3, {{1870.3f, 400.11f}, {1990.6f, 431.9f}}, {1930.45f, 445.9f}, 0.33f});
  o.labels.push_back({240, 0, {{15000.0f, 2100.0f}, {15400.25f, 2130.5f}}, {15200.125f, 2144.5f}, 1.0f});
  o.caption = scene::CaptionStep{};
  o.caption->zh = "贵溪冶炼厂,鹰潭2022年电解铜产量";
  o.caption->en = "The Guixi smelter";
  o.caption->source = "source: \"1269\" plan";
  o.alarm = ui::AlarmBannerText{"jxcc_guixi_smelter", "告警 ALARM  江西铜业贵溪冶炼厂", "2026-07-01 10:00  ·  K 确认 acknowledge"};
  f.overlay = o;
  return f;
}

void expect_same_labels(const std::vector<scene::PlacedLabel>& a, const std::vector<scene::PlacedLabel>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].rect.min, b[i].rect.min);  // floats exactly
    EXPECT_EQ(a[i].rect.max, b[i].rect.max);
    EXPECT_EQ(a[i].anchor, b[i].anchor);
    EXPECT_EQ(a[i].alpha, b[i].alpha);
  }
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

TEST(FrameState, TheOverlayArrivesAsTheMasterKeepsIt) {
  app::FrameState f = sample();
  const std::vector<scene::PlacedLabel> placed = f.overlay->labels;
  // The master keeps the labels as the bytes carry them: within an eighth of a pixel of where they
  // were placed, alpha within half a level.
  app::quantize_labels(f.overlay->labels);
  for (size_t i = 0; i < placed.size(); ++i) {
    EXPECT_NEAR(f.overlay->labels[i].rect.min.x, placed[i].rect.min.x, 0.125f);
    EXPECT_NEAR(f.overlay->labels[i].rect.max.y, placed[i].rect.max.y, 0.125f);
    EXPECT_NEAR(f.overlay->labels[i].anchor.x, placed[i].anchor.x, 0.125f);
    EXPECT_NEAR(f.overlay->labels[i].alpha, placed[i].alpha, 0.5f / 255.0f);
  }
  EXPECT_EQ(f.overlay->labels[0].anchor.x, 1930.5f);
  EXPECT_EQ(f.overlay->labels[1].rect.max.x, 15400.25f);
  auto back = app::decode(app::encode(f));
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_TRUE(back->overlay);
  EXPECT_EQ(back->overlay->ui_scale, 2.6471);
  EXPECT_TRUE(back->overlay->english);
  expect_same_labels(back->overlay->labels, f.overlay->labels);
  ASSERT_TRUE(back->overlay->caption);
  EXPECT_EQ(back->overlay->caption->zh, f.overlay->caption->zh);
  EXPECT_EQ(back->overlay->caption->en, f.overlay->caption->en);
  EXPECT_EQ(back->overlay->caption->source, f.overlay->caption->source);
  ASSERT_TRUE(back->overlay->alarm);
  EXPECT_EQ(back->overlay->alarm->enterprise, "jxcc_guixi_smelter");
  EXPECT_EQ(back->overlay->alarm->line1, f.overlay->alarm->line1);
  EXPECT_EQ(back->overlay->alarm->line2, f.overlay->alarm->line2);
  // Without caption and alarm none is invented; without an overlay none either.
  f.overlay->caption.reset();
  f.overlay->alarm.reset();
  auto plain = app::decode(app::encode(f));
  ASSERT_TRUE(plain && plain->overlay);
  EXPECT_FALSE(plain->overlay->caption);
  EXPECT_FALSE(plain->overlay->alarm);
  f.overlay.reset();
  auto none = app::decode(app::encode(f));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->overlay);
}

TEST(FrameState, DamagedBytesAreRefused) {
  const std::string good = app::encode(sample());
  EXPECT_FALSE(app::decode(good.substr(0, good.size() / 2)));
  EXPECT_FALSE(app::decode("{\"v\": 1, \"view\": \"\", \"camera\": [0,0,1,0,45,40]}"));   // another version
  {
    auto old = app::decode("{\"v\": 1, \"view\": \"\", \"camera\": [0,0,1,0,45,40]}");
    ASSERT_FALSE(old);
    EXPECT_NE(old.error().message.find("version 1"), std::string::npos) << old.error().message;
  }
  // Overlays that cannot be drawn: a label list of another length, a negative size, a bad caption.
  const std::string cam = "\"v\": 2, \"view\": \"\", \"camera\": [0,0,1,0,45,40]";
  EXPECT_TRUE(app::decode("{" + cam + ", \"o\": {\"s\": 1, \"l\": [1,2,3,4,5,6,7,255]}}"));
  EXPECT_FALSE(app::decode("{" + cam + ", \"o\": {\"s\": 1, \"l\": [1,2,3,4,5,6,7]}}"));
  EXPECT_FALSE(app::decode("{" + cam + ", \"o\": {\"s\": 1, \"l\": [1,2,3,4,5,-6,7,255]}}"));
  EXPECT_FALSE(app::decode("{" + cam + ", \"o\": {\"s\": 1, \"l\": [1,2,3,4,5,6,7,256]}}"));
  EXPECT_FALSE(app::decode("{" + cam + ", \"o\": {\"s\": 0, \"l\": []}}"));
  EXPECT_FALSE(app::decode("{" + cam + ", \"o\": {\"s\": 1, \"l\": [], \"cap\": [\"a\", 2, \"c\"]}}"));
  EXPECT_FALSE(app::decode("{\"v\": 2, \"view\": \"\", \"camera\": [0,0,1]}"));           // short camera
  EXPECT_FALSE(app::decode("{\"v\": 2, \"view\": \"\", \"camera\": [\"a\",0,1,0,45,40]}"));  // wrong type
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
