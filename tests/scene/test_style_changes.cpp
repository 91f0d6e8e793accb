// Styles changed in places: a live sample, a status or staleness restyles only the buildings of the
// enterprises it concerns (Scene::retarget, animate), and a frame snapshot copies only the blocks of
// the style array that changed. Checked by independent routes: the styles after the incremental path
// equal those of a full restyle of a copy of the scene given the same inputs, the buildings that
// changed are found by comparing every style with the one before (not from the scene's index), and
// every snapshot is compared value by value with the scene's array.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "parktwin/scene/frame_snapshot.h"
#include "scene_test_support.h"

namespace parktwin::scene {
namespace {

constexpr int64_t kNow = 1764064800000;  // 2025-11-25T10:00:00Z

Metrics sample(int64_t ts, double util, Status st = Status::Running) {
  Metrics m;
  m.ts_ms = ts;
  m.v = {1e6, 500.0, util, 10.0};
  m.status = st;
  return m;
}

bool same(const BuildingStyle& a, const BuildingStyle& b) {
  return a.height == b.height && a.base == b.base && a.rgba == b.rgba && a.flags == b.flags;
}

/// Animates until nothing moves (transition 0: one step, then the exact snap).
void settle(Scene& s) {
  for (int i = 0; i < 10 && s.animate(0.1); ++i) {
  }
}

/// The scene under test and a second copy of the default scene given the same inputs, restyled in
/// full (the independent route): `both` applies an input to the two.
class StyleChanges : public ::testing::Test {
 protected:
  void SetUp() override {
    scene_ = testing::load_default_scene();
    full_ = testing::load_default_scene();
    ASSERT_NE(scene_, nullptr);
    ASSERT_NE(full_, nullptr);
    ASSERT_GT(scene_->styles.size(), 2 * kStyleBlock) << "the checks need a few blocks";
    both([](Scene& s) {
      s.binding = MetricBinding{};
      s.binding.enabled = true;
      s.binding.transition_s = 0.0f;
      s.live_time_ms = kNow;
      for (uint32_t e = 0; e < s.enterprises.size(); ++e) s.update_live(e, sample(kNow - 1000, 40.0 + e % 50));
      s.restyle();
    });
  }
  template <class F>
  void both(F f) {
    f(*scene_);
    f(*full_);
  }
  /// Buildings whose style differs from the full restyle's.
  size_t differing_from_full() {
    full_->restyle();
    size_t n = 0;
    for (size_t i = 0; i < scene_->styles.size(); ++i) n += same(scene_->styles[i], full_->styles[i]) ? 0 : 1;
    return n;
  }
  /// An enterprise with at least two buildings, and their indices (found by scanning `buildings`).
  std::pair<uint32_t, std::vector<size_t>> enterprise_with_buildings() const {
    for (uint32_t e = 0; e < scene_->enterprises.size(); ++e) {
      std::vector<size_t> mine;
      for (size_t i = 0; i < scene_->buildings.size(); ++i)
        if (scene_->buildings[i].enterprise == static_cast<int32_t>(e)) mine.push_back(i);
      if (mine.size() >= 2) return {e, mine};
    }
    return {0, {}};
  }
  std::unique_ptr<Scene> scene_, full_;
};

TEST_F(StyleChanges, ALiveSampleRestylesOnlyItsEnterpriseAndAgreesWithAFullRestyle) {
  Scene& s = *scene_;
  const auto found = enterprise_with_buildings();  // (no structured binding: lambdas capture e)
  const uint32_t e = found.first;
  const std::vector<size_t>& mine = found.second;
  ASSERT_FALSE(mine.empty());
  const std::vector<BuildingStyle> before = s.styles;

  // A new sample for one enterprise: higher utilisation and an alarm.
  both([&](Scene& x) { ASSERT_TRUE(x.update_live(e, sample(kNow, 95.0, Status::Alarm))); });
  s.retarget();
  settle(s);
  EXPECT_EQ(differing_from_full(), 0u);
  std::set<size_t> changed;
  for (size_t i = 0; i < s.styles.size(); ++i)
    if (!same(s.styles[i], before[i])) changed.insert(i);
  EXPECT_EQ(changed, std::set<size_t>(mine.begin(), mine.end())) << "exactly the enterprise's buildings change";
  for (size_t i : mine) EXPECT_TRUE(s.styles[i].flags & kFlagAlarm) << "building " << i;
}

TEST_F(StyleChanges, StalenessSelectionAndBindingChangesAgreeWithAFullRestyle) {
  Scene& s = *scene_;
  const auto found = enterprise_with_buildings();  // (no structured binding: lambdas capture e)
  const uint32_t e = found.first;
  const std::vector<size_t>& mine = found.second;
  ASSERT_FALSE(mine.empty());
  auto check = [&](const char* what) {
    s.retarget();
    settle(s);
    EXPECT_EQ(differing_from_full(), 0u) << what << ": buildings that differ from a full restyle";
  };
  // Time passes: every enterprise goes stale but one that just reported.
  both([&](Scene& x) {
    x.live_time_ms = kNow + static_cast<int64_t>(x.binding.stale_after_s * 1000.0) + 60'000;
    ASSERT_TRUE(x.update_live(e, sample(x.live_time_ms, 70.0)));
  });
  check("staleness");
  EXPECT_FALSE(s.styles[mine[0]].flags & kFlagStale);
  size_t other = s.buildings.size();
  for (size_t i = 0; i < s.buildings.size() && other == s.buildings.size(); ++i)
    if (s.buildings[i].enterprise >= 0 && s.buildings[i].enterprise != static_cast<int32_t>(e)) other = i;
  ASSERT_LT(other, s.buildings.size());
  EXPECT_TRUE(s.styles[other].flags & kFlagStale) << "another enterprise's building";
  both([&](Scene& x) { x.selected_enterprise = static_cast<int>(e); });
  check("selection");
  EXPECT_TRUE(s.styles[mine[0]].flags & kFlagHighlighted);
  both([&](Scene& x) { x.binding.color_metric = Metric::Power; });  // every enterprise's colour
  check("colour metric");
  both([&](Scene& x) { x.binding.enabled = false; });  // live off: static styles everywhere
  check("live off");
}

TEST_F(StyleChanges, ASnapshotCopiesOnlyTheBlocksThatChanged) {
  Scene& s = *scene_;
  FrameSnapshotBuilder builder;
  const Camera cam;
  const auto first = builder.build(s, cam, 0.0);
  const size_t blocks = first->styles->blocks().size();
  ASSERT_EQ(blocks, (s.styles.size() + kStyleBlock - 1) / kStyleBlock);
  auto equals_scene = [&](const FrameSnapshot& f) {
    if (f.styles->size() != s.styles.size()) return false;
    for (size_t i = 0; i < s.styles.size(); ++i)
      if (!same((*f.styles)[i], s.styles[i])) return false;
    return true;
  };
  EXPECT_TRUE(equals_scene(*first));

  // One enterprise's sample: the blocks holding its buildings are copied, the others shared.
  const auto found = enterprise_with_buildings();  // (no structured binding: lambdas capture e)
  const uint32_t e = found.first;
  const std::vector<size_t>& mine = found.second;
  ASSERT_FALSE(mine.empty());
  ASSERT_TRUE(s.update_live(e, sample(kNow, 99.0, Status::Stopped)));
  s.retarget();
  settle(s);
  const auto second = builder.build(s, cam, 0.0);
  EXPECT_TRUE(equals_scene(*second));
  EXPECT_TRUE(equals_scene(*first) == false) << "the first snapshot kept the old styles";
  std::set<size_t> touched;
  for (size_t i : mine) touched.insert(i / kStyleBlock);
  for (size_t b = 0; b < blocks; ++b) {
    if (touched.count(b)) EXPECT_NE(second->styles->blocks()[b].get(), first->styles->blocks()[b].get()) << "block " << b;
    else EXPECT_EQ(second->styles->blocks()[b].get(), first->styles->blocks()[b].get()) << "block " << b << " copied for nothing";
  }
  EXPECT_EQ(builder.last_blocks_copied(), touched.size());

  // A writer that changes a style and bumps the revision without marking it: everything is copied.
  s.styles[blocks * kStyleBlock - kStyleBlock - 1].height += 7.0f;  // in the block before the last
  ++s.style_revision;
  const auto third = builder.build(s, cam, 0.0);
  EXPECT_TRUE(equals_scene(*third));
  EXPECT_EQ(builder.last_blocks_copied(), blocks);

  // New buildings (a streamed tile): the last block grows and is copied, full blocks are shared.
  const size_t n = s.buildings.size();
  for (int k = 0; k < 3; ++k) {
    Building b = s.buildings[k];
    b.height_m = 30.0f + k;
    s.buildings.push_back(b);
  }
  s.restyle_buildings({static_cast<uint32_t>(n), static_cast<uint32_t>(n + 1), static_cast<uint32_t>(n + 2)});
  const auto fourth = builder.build(s, cam, 0.0);
  EXPECT_TRUE(equals_scene(*fourth));
  for (size_t b = 0; b + 1 < fourth->styles->blocks().size(); ++b)
    if ((b + 1) * kStyleBlock <= n) {
      EXPECT_EQ(fourth->styles->blocks()[b].get(), third->styles->blocks()[b].get()) << "block " << b;
    }

  // Nothing changed: the same blocks, the same revision.
  const auto fifth = builder.build(s, cam, 0.0);
  EXPECT_EQ(fifth->styles, fourth->styles);
  EXPECT_EQ(fifth->styles_revision, fourth->styles_revision);
}

TEST_F(StyleChanges, AnimationTouchesOnlyWhatMovesAndStops) {
  Scene& s = *scene_;
  s.binding.transition_s = 2.0f;
  const auto found = enterprise_with_buildings();  // (no structured binding: lambdas capture e)
  const uint32_t e = found.first;
  const std::vector<size_t>& mine = found.second;
  ASSERT_FALSE(mine.empty());
  const std::vector<BuildingStyle> before = s.styles;
  both([&](Scene& x) { ASSERT_TRUE(x.update_live(e, sample(kNow, 5.0))); });
  s.retarget();
  const uint64_t rev = s.style_revision;
  ASSERT_TRUE(s.animate(0.1)) << "the enterprise's buildings start moving";
  EXPECT_GT(s.style_revision, rev);
  for (size_t i = 0; i < s.styles.size(); ++i) {
    const bool theirs = std::find(mine.begin(), mine.end(), i) != mine.end();
    if (!theirs) {
      ASSERT_TRUE(same(s.styles[i], before[i])) << "building " << i << " moved";
    }
  }
  EXPECT_LT(s.styles[mine[0]].height, before[mine[0]].height);
  int steps = 0;
  while (s.animate(0.5) && steps < 200) ++steps;
  EXPECT_LT(steps, 200) << "the animation never ended";
  const uint64_t settled = s.style_revision;
  EXPECT_FALSE(s.animate(0.5));
  EXPECT_EQ(s.style_revision, settled) << "nothing moved, nothing to upload";
  EXPECT_EQ(differing_from_full(), 0u) << "the animation ended off the targets";
}

}  // namespace
}  // namespace parktwin::scene
