// Live metrics in the scene: merging samples, staleness, the binding of metrics to heights and
// colours, status flags, animated transitions and undo of binding edits.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "parktwin/scene/commands.h"
#include "scene_test_support.h"

using namespace parktwin;
using namespace parktwin::scene;

namespace {

class SceneLive : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { scene_ = parktwin::scene::testing::load_default_scene().release(); }
  static void TearDownTestSuite() { delete scene_; }
  void SetUp() override {
    ASSERT_NE(scene_, nullptr);
    scene_->binding = MetricBinding{};
    scene_->style_params = {};
    scene_->reset_live();
    scene_->live_time_ms = kNow;
    scene_->restyle();
  }
  /// Index of the first building of enterprise `e`, or -1.
  static int building_of(uint32_t e) {
    for (size_t i = 0; i < scene_->buildings.size(); ++i)
      if (scene_->buildings[i].enterprise == static_cast<int32_t>(e)) return static_cast<int>(i);
    return -1;
  }
  static Metrics sample(int64_t ts, double util, double power, Status st = Status::Running) {
    Metrics m;
    m.ts_ms = ts;
    m.v = {1e6, power, util, 10.0};
    m.status = st;
    return m;
  }
  static constexpr int64_t kNow = 1764064800000;  // 2025-11-25T10:00:00Z
  static Scene* scene_;
};
Scene* SceneLive::scene_ = nullptr;

TEST_F(SceneLive, NewerSamplesReplaceOlderOnesAndOlderAreIgnored) {
  scene_->update_live(0, sample(kNow - 1000, 50, 100));
  scene_->update_live(0, sample(kNow - 5000, 90, 100));  // older: ignored
  EXPECT_DOUBLE_EQ(scene_->live[0].value(Metric::Utilisation), 50.0);
  scene_->update_live(0, sample(kNow, 70, 100));
  EXPECT_DOUBLE_EQ(scene_->live[0].value(Metric::Utilisation), 70.0);
  // An index beyond the enterprises is ignored, not a crash.
  scene_->update_live(static_cast<uint32_t>(scene_->enterprises.size() + 5), sample(kNow, 1, 1));
}

// One message dated four minutes ahead (within the payload's clock-skew allowance) used to pin
// what the scene showed: every current sample was "older" and ignored until that time came.
TEST_F(SceneLive, ASampleFromTheFutureDoesNotHoldBackCurrentOnes) {
  EXPECT_TRUE(scene_->update_live(0, sample(kNow + 240'000, 99, 100)));
  EXPECT_DOUBLE_EQ(scene_->live[0].value(Metric::Utilisation), 99.0);
  EXPECT_TRUE(scene_->update_live(0, sample(kNow - 1000, 40, 100))) << "current data replaces the future-dated one";
  EXPECT_DOUBLE_EQ(scene_->live[0].value(Metric::Utilisation), 40.0);
  EXPECT_FALSE(scene_->update_live(0, sample(kNow - 5000, 10, 100))) << "older than the current one: ignored as before";
  EXPECT_TRUE(scene_->update_live(0, sample(kNow, 45, 100)));
  EXPECT_DOUBLE_EQ(scene_->live[0].value(Metric::Utilisation), 45.0);
}

// Non-finite values (a simulator asked for the year 4468, a history row holding Infinity, a bad
// payload) are refused where they enter the scene and cannot reach the colour ramp where they are
// used: no NaN height or colour, no crash (ramp_color once indexed its stops with int(NaN)).
TEST_F(SceneLive, NonFiniteValuesNeverReachStyling) {
  const int b0 = building_of(0), b1 = building_of(1);
  ASSERT_GE(b0, 0);
  ASSERT_GE(b1, 0);
  const BuildingStyle static0 = scene_->styles[static_cast<size_t>(b0)];
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(scene_->update_live(0, sample(kNow, nan, 100)));
  EXPECT_FALSE(scene_->update_live(0, sample(kNow, 50, inf)));
  EXPECT_FALSE(scene_->update_live(0, sample(kNow, 50, -inf)));
  EXPECT_EQ(scene_->live[0].ts_ms, 0) << "a refused sample is not stored";
  EXPECT_TRUE(scene_->update_live(1, sample(kNow, 25, 50)));
  // A whole state (playback) with one bad row: that enterprise has no sample, the others keep theirs.
  std::vector<Metrics> state(scene_->enterprises.size());
  state[0] = sample(kNow, 50, nan);
  state[1] = sample(kNow, 25, 50);
  scene_->set_live_state(state);
  EXPECT_EQ(scene_->live[0].ts_ms, 0);
  EXPECT_EQ(scene_->live[1].ts_ms, kNow);
  scene_->restyle();
  for (const BuildingStyle& st : scene_->styles) {
    ASSERT_TRUE(std::isfinite(st.height));
    ASSERT_TRUE(std::isfinite(st.base));
  }
  // Enterprise 0 looks as it does without data (static height and colour, stale).
  EXPECT_EQ(scene_->styles[static_cast<size_t>(b0)].height, static0.height);
  EXPECT_EQ(scene_->styles[static_cast<size_t>(b0)].rgba, static0.rgba);
  // Where the ramp is used: a non-finite position gives the ramp's first stop, never garbage.
  for (float t : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                  -std::numeric_limits<float>::infinity()}) {
    const glm::vec4 c = ramp_color(t);
    for (int k = 0; k < 4; ++k) ASSERT_TRUE(std::isfinite(c[k]));
    EXPECT_EQ(c, ramp_color(std::isinf(t) && t > 0 ? 1.0f : 0.0f)) << t;
  }
}

TEST_F(SceneLive, HeightFollowsUtilisationAndColourFollowsPower) {
  const int b0 = building_of(0), b1 = building_of(1);
  ASSERT_GE(b0, 0);
  ASSERT_GE(b1, 0);
  scene_->update_live(0, sample(kNow, 100, 5000));
  scene_->update_live(1, sample(kNow, 25, 50));
  scene_->restyle();
  const float h0 = scene_->buildings[static_cast<size_t>(b0)].height_m;
  const float h1 = scene_->buildings[static_cast<size_t>(b1)].height_m;
  EXPECT_NEAR(scene_->styles[static_cast<size_t>(b0)].height, h0 * 1.0f, 1e-3f);          // 0.2 + 0.8 * 1.0
  EXPECT_NEAR(scene_->styles[static_cast<size_t>(b1)].height, h1 * (0.2f + 0.8f * 0.25f), 1e-3f);
  EXPECT_NE(scene_->styles[static_cast<size_t>(b0)].rgba, scene_->styles[static_cast<size_t>(b1)].rgba);
  // With the binding off, heights are the static ones again.
  scene_->binding.enabled = false;
  scene_->restyle();
  EXPECT_NEAR(scene_->styles[static_cast<size_t>(b1)].height, h1, 1e-3f);
}

TEST_F(SceneLive, StatusAndStalenessBecomeFlags) {
  const int b0 = building_of(0), b1 = building_of(1), b2 = building_of(2);
  ASSERT_GE(b2, 0);
  scene_->update_live(0, sample(kNow, 80, 100, Status::Alarm));
  scene_->update_live(1, sample(kNow, 0, 10, Status::Maintenance));
  scene_->update_live(2, sample(kNow - 3600 * 1000, 80, 100));  // an hour old: stale at 300 s
  scene_->restyle();
  EXPECT_TRUE(scene_->styles[static_cast<size_t>(b0)].flags & kFlagAlarm);
  EXPECT_TRUE(scene_->any_alarm);
  EXPECT_TRUE(scene_->styles[static_cast<size_t>(b1)].flags & kFlagMaintenance);
  EXPECT_FALSE(scene_->styles[static_cast<size_t>(b0)].flags & kFlagStale);
  EXPECT_TRUE(scene_->is_stale(2));
  EXPECT_TRUE(scene_->styles[static_cast<size_t>(b2)].flags & kFlagStale);
  // Staleness is a setting: an hour and a half makes it fresh again.
  scene_->binding.stale_after_s = 5400;
  scene_->restyle();
  EXPECT_FALSE(scene_->styles[static_cast<size_t>(b2)].flags & kFlagStale);
}

TEST_F(SceneLive, TransitionsAnimateTowardsTheTargetAndSettle) {
  const int b0 = building_of(0);
  scene_->update_live(0, sample(kNow, 100, 100));
  scene_->restyle();
  const float start = scene_->styles[static_cast<size_t>(b0)].height;
  scene_->update_live(0, sample(kNow + 1000, 0, 100));
  scene_->retarget();
  const float target = scene_->buildings[static_cast<size_t>(b0)].height_m * 0.2f;
  EXPECT_FLOAT_EQ(scene_->styles[static_cast<size_t>(b0)].height, start);  // not yet moved
  EXPECT_TRUE(scene_->animate(1.0 / 60.0));
  const float after_one = scene_->styles[static_cast<size_t>(b0)].height;
  EXPECT_LT(after_one, start);
  EXPECT_GT(after_one, target);
  bool moving = true;
  for (int i = 0; i < 600 && moving; ++i) moving = scene_->animate(1.0 / 60.0);
  EXPECT_FALSE(moving);
  EXPECT_NEAR(scene_->styles[static_cast<size_t>(b0)].height, target, 1e-3f);
}

TEST_F(SceneLive, BindingEditsUndo) {
  UndoStack undo;
  MetricBinding b = scene_->binding;
  b.height_metric = Metric::Power;
  b.color_log = false;
  const Command done = SetBinding{b};
  undo.push(done, apply_command(*scene_, done));
  EXPECT_EQ(scene_->binding.height_metric, Metric::Power);
  undo.undo(*scene_);
  EXPECT_EQ(scene_->binding.height_metric, Metric::Utilisation);
  EXPECT_TRUE(scene_->binding.color_log);
  undo.redo(*scene_);
  EXPECT_FALSE(scene_->binding.color_log);
}

TEST_F(SceneLive, RangeAndPeaks) {
  scene_->update_live(0, sample(kNow, 10, 200));
  scene_->update_live(1, sample(kNow, 10, 20));
  scene_->update_live(0, sample(kNow + 1, 10, 50));
  const auto r = scene_->live_range(Metric::Power);
  EXPECT_DOUBLE_EQ(r.first, 20.0);
  EXPECT_DOUBLE_EQ(r.second, 50.0);
  EXPECT_DOUBLE_EQ(scene_->live_peak(0, Metric::Power), 200.0);
}

TEST(ProductionUnit, LiveValuesAreHourlyRatesNotAnnualFigures) {
  EXPECT_EQ(production_rate_unit("GWh/a"), "GWh/h");
  EXPECT_EQ(production_rate_unit("t/a"), "t/h");
  EXPECT_EQ(production_rate_unit("million units/a"), "million units/h");
  EXPECT_EQ(production_rate_unit("m2/yr"), "m2/h");
  EXPECT_EQ(production_rate_unit("t"), "t/h");
  EXPECT_EQ(production_rate_unit(""), "units/h");
}

}  // namespace

