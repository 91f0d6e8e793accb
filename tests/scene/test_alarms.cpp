// Alarms as the command centre sees them: raised by a sample with status Alarm, cleared by the next
// one without it, the wall taken by the oldest active one nobody acknowledged, cleared ones leaving
// the list after a while, stale samples ignored.
#include <gtest/gtest.h>

#include "parktwin/scene/alarms.h"
#include "scene_test_support.h"

namespace parktwin::scene {
namespace {

constexpr int64_t kT0 = 1782864000000;  // 2026-07-01T00:00:00Z
constexpr int64_t kMinute = 60 * 1000;

class Alarms : public ::testing::Test {
 protected:
  void SetUp() override {
    scene_ = testing::load_default_scene();
    ASSERT_NE(scene_, nullptr);
    ASSERT_GE(scene_->enterprises.size(), 6u);
    state_.assign(scene_->enterprises.size(), Metrics{});
    at(kT0);
  }
  /// Every enterprise reports Running at t (the listed ones Alarm instead).
  void at(int64_t t, std::initializer_list<int> in_alarm = {}) {
    for (size_t e = 0; e < state_.size(); ++e) {
      state_[e].ts_ms = t;
      state_[e].status = Status::Running;
    }
    for (int e : in_alarm) state_[static_cast<size_t>(e)].status = Status::Alarm;
    scene_->set_live_state(state_);
    scene_->live_time_ms = t;
  }
  const std::string& id(int e) const { return scene_->enterprises[static_cast<size_t>(e)].id; }

  std::unique_ptr<Scene> scene_;
  std::vector<Metrics> state_;
  AlarmWatch watch_;
};

TEST_F(Alarms, ASampleInAlarmRaisesOneAlarmUntilItClears) {
  EXPECT_TRUE(watch_.update(*scene_).empty());
  at(kT0 + kMinute, {3});
  auto raised = watch_.update(*scene_);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].enterprise, id(3));
  EXPECT_EQ(raised[0].raised_ms, kT0 + kMinute);
  ASSERT_TRUE(watch_.takeover());
  EXPECT_EQ(watch_.takeover()->enterprise, id(3));
  // Still in alarm a minute later: the same alarm, not a new one.
  at(kT0 + 2 * kMinute, {3});
  EXPECT_TRUE(watch_.update(*scene_).empty());
  EXPECT_EQ(watch_.alarms().size(), 1u);
  // Running again: cleared, so it no longer takes the wall, but it stays listed.
  at(kT0 + 3 * kMinute);
  watch_.update(*scene_);
  ASSERT_EQ(watch_.alarms().size(), 1u);
  EXPECT_EQ(watch_.alarms()[0].cleared_ms, kT0 + 3 * kMinute);
  EXPECT_FALSE(watch_.takeover());
  EXPECT_EQ(watch_.active_count(), 0);
}

TEST_F(Alarms, TheOldestUnacknowledgedActiveAlarmTakesTheWall) {
  at(kT0 + kMinute, {2});
  watch_.update(*scene_);
  at(kT0 + 2 * kMinute, {2, 5});
  ASSERT_EQ(watch_.update(*scene_).size(), 1u);
  EXPECT_EQ(watch_.takeover()->enterprise, id(2));
  EXPECT_TRUE(watch_.acknowledge(id(2)));
  EXPECT_EQ(watch_.takeover()->enterprise, id(5));
  EXPECT_EQ(watch_.active_count(), 2);  // acknowledged is not cleared
  EXPECT_EQ(watch_.acknowledge_all(), 1);
  EXPECT_FALSE(watch_.takeover());
  EXPECT_FALSE(watch_.acknowledge("no-such-enterprise"));
}

TEST_F(Alarms, ClearedAlarmsLeaveTheListSoonerWhenAcknowledged) {
  at(kT0, {1, 4});
  watch_.update(*scene_);
  watch_.acknowledge(id(1));
  at(kT0 + kMinute);  // both cleared
  watch_.update(*scene_);
  ASSERT_EQ(watch_.alarms().size(), 2u);
  at(kT0 + kMinute + AlarmWatch::kKeepClearedMs + kMinute);
  watch_.update(*scene_);
  ASSERT_EQ(watch_.alarms().size(), 1u);  // the acknowledged one left
  EXPECT_EQ(watch_.alarms()[0].enterprise, id(4));
  at(kT0 + kMinute + 2 * AlarmWatch::kKeepClearedMs + kMinute);
  watch_.update(*scene_);
  EXPECT_TRUE(watch_.alarms().empty());
}

TEST_F(Alarms, AnAlarmAgainAfterClearingIsANewAlarm) {
  at(kT0, {3});
  watch_.update(*scene_);
  at(kT0 + kMinute);
  watch_.update(*scene_);
  at(kT0 + 2 * kMinute, {3});
  auto raised = watch_.update(*scene_);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].raised_ms, kT0 + 2 * kMinute);
  EXPECT_EQ(watch_.alarms().size(), 2u);
  EXPECT_EQ(watch_.takeover()->raised_ms, kT0 + 2 * kMinute);
}

TEST_F(Alarms, StaleSamplesNeitherRaiseNorClear) {
  // An alarm sample older than the stale limit says nothing about now.
  at(kT0, {3});
  scene_->live_time_ms = kT0 + static_cast<int64_t>(scene_->binding.stale_after_s * 1000.0) + kMinute;
  EXPECT_TRUE(watch_.update(*scene_).empty());
  // A raised alarm whose enterprise then goes silent stays active: silence is not "cleared".
  at(kT0 + kMinute, {3});
  watch_.update(*scene_);
  scene_->live_time_ms = kT0 + kMinute + static_cast<int64_t>(scene_->binding.stale_after_s * 1000.0) + kMinute;
  watch_.update(*scene_);
  ASSERT_TRUE(watch_.takeover());
  EXPECT_EQ(watch_.takeover()->enterprise, id(3));
}

}  // namespace
}  // namespace parktwin::scene
