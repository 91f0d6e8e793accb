// The frame snapshot: built from the scene once per frame, immutable afterwards, sharing its heavy
// parts between frames in which they did not change.
#include <gtest/gtest.h>

#include "parktwin/scene/chains.h"
#include "parktwin/scene/frame_snapshot.h"
#include "scene_test_support.h"

namespace parktwin::scene {
namespace {

Camera some_camera() {
  Camera c;
  c.distance = 5000.0;
  return c;
}

TEST(FrameSnapshot, KeepsWhatItWasBuiltFromWhenTheSceneChangesLater) {
  auto scene = testing::load_default_scene();
  ASSERT_TRUE(scene);
  ASSERT_GT(scene->styles.size(), 100u);
  ASSERT_GT(scene->layers.size(), 2u);
  FrameSnapshotBuilder b;
  const auto before = b.build(*scene, some_camera(), 1.5);
  const std::vector<BuildingStyle> styles_then = scene->styles;
  const size_t layers_then = scene->layers.size();

  // The UI edits the scene while the frame is drawn: hide a layer, restyle every building, filter chains.
  scene->layers[1].style.visible = false;
  for (BuildingStyle& s : scene->styles) s.height += 100.0f, s.rgba ^= 0x00FFFFFFu;
  ++scene->style_revision;
  scene->chains.filter.chain_on[3] = false;
  scene->chains.filter.flows_visible = false;

  ASSERT_EQ(before->styles->size(), styles_then.size());
  for (size_t i = 0; i < styles_then.size(); ++i) {
    ASSERT_EQ((*before->styles)[i].height, styles_then[i].height) << "building " << i;
    ASSERT_EQ((*before->styles)[i].rgba, styles_then[i].rgba) << "building " << i;
  }
  EXPECT_EQ(before->layers.size(), layers_then);
  EXPECT_TRUE(before->layer(1).drawn());
  EXPECT_TRUE(before->flows.visible);
  EXPECT_EQ(before->time_s, 1.5);

  // The next frame sees the edits.
  const auto after = b.build(*scene, some_camera(), 1.6);
  EXPECT_NE(after->styles, before->styles);
  EXPECT_NE(after->styles_revision, before->styles_revision);
  EXPECT_EQ((*after->styles)[0].height, scene->styles[0].height);
  EXPECT_FALSE(after->layer(1).drawn());
  EXPECT_TRUE(after->layer(0).drawn());
  EXPECT_FALSE(after->flows.visible);
  // Chain 3 off, the other chains and every segment still on.
  EXPECT_EQ(after->flows.chain_mask & (1u << 3), 0u);
  EXPECT_EQ(after->flows.chain_mask | (1u << 3), before->flows.chain_mask);
  EXPECT_EQ(after->flows.segment_mask, before->flows.segment_mask);
  // An index the snapshot does not know is hidden, never read out of range.
  EXPECT_FALSE(after->layer(static_cast<uint32_t>(scene->layers.size())).drawn());
}

TEST(FrameSnapshot, SharesUnchangedPartsAndRederivesChangedOnes) {
  auto scene = testing::load_default_scene();
  ASSERT_TRUE(scene);
  FrameSnapshotBuilder b;
  const auto f1 = b.build(*scene, some_camera(), 0.0);
  const auto f2 = b.build(*scene, some_camera(), 0.1);
  EXPECT_EQ(f1->styles, f2->styles) << "nothing changed: the styles are shared, not copied";
  EXPECT_EQ(f1->flows.pace, f2->flows.pace);
  EXPECT_EQ(f1->styles_revision, f2->styles_revision);

  // A live sample: the enterprise's pace is its output over its nominal hourly revenue.
  uint32_t e = 0;
  while (e < scene->enterprises.size() && !(scene->enterprises[e].revenue_2022 > 0.0)) ++e;
  ASSERT_LT(e, scene->enterprises.size());
  ASSERT_EQ((*f1->flows.pace)[e], 1.0f) << "no sample yet: nominal pace";
  Metrics m;
  m.ts_ms = 1'700'000'000'000;
  m.v[static_cast<size_t>(Metric::Output)] = 1.5 * scene->enterprises[e].revenue_2022 / 8760.0;
  scene->update_live(e, m);
  const auto f3 = b.build(*scene, some_camera(), 0.2);
  EXPECT_NE(f3->flows.pace, f1->flows.pace);
  EXPECT_NE(f3->flows.pace_revision, f1->flows.pace_revision);
  EXPECT_NEAR((*f3->flows.pace)[e], 1.5f, 1e-5f);
  EXPECT_EQ((*f1->flows.pace)[e], 1.0f) << "the earlier frame keeps its pace";
  EXPECT_EQ(f3->styles, f1->styles) << "a live sample alone does not restyle";

  // Two builders never hand out the same revision for different styles (one renderer may draw both).
  FrameSnapshotBuilder other;
  const auto g = other.build(*scene, some_camera(), 0.0);
  EXPECT_NE(g->styles_revision, f3->styles_revision);
  EXPECT_NE(g->flows.pace_revision, f3->flows.pace_revision);
}

}  // namespace
}  // namespace parktwin::scene
