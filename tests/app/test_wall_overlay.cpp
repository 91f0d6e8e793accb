// A wall's enterprise labels are placed once, by the master, for the whole wall's pixels (bezels
// included), and every node gets that one list: in wall coordinates (spread over the whole wall, some
// across a seam, none cut at a panel's edge by a per-panel declutter), and unchanged by the bytes.
// CPU only: the placement measures text with an ImGui font atlas and needs no renderer.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "scene_test_support.h"
#include "frame_state.h"
#include "parktwin/app/app.h"
#include "parktwin/scene/geo_camera.h"
#include "parktwin/scene/scene.h"
#include "parktwin/wall/layout.h"
#include "wall_overlay.h"

using namespace parktwin;

namespace {

class WallOverlayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scene_ = scene::testing::load_default_scene().release();  // fails the test when it cannot load
  }
  static void TearDownTestSuite() {
    delete scene_;
    scene_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(scene_, nullptr); }
  static scene::Scene* scene_;
};
scene::Scene* WallOverlayTest::scene_ = nullptr;

TEST_F(WallOverlayTest, PlacedOnceForTheWholeWall) {
  auto layout = wall::read_layout(std::string(PARKTWIN_FIXTURES) + "/wall_8x2.json");
  ASSERT_TRUE(layout) << layout.error().message;
  const wall::WallPixels wp = wall::wall_pixels(*layout);
  ASSERT_EQ(wp.width, 15404u);  // docs/wall.md works these out by hand
  ASSERT_EQ(wp.height, 2171u);
  // 55-inch 1080p panels seen from 4 m: text about 2.6 times the desk size.
  const double scale = app::wall_text_scale(*layout, 0.0, 4.0);
  EXPECT_NEAR(scale, 26.667 / (1209.6 / 1920.0) / 16.0, 0.01);
  auto placer = app::WallOverlayLayout::create(*scene_, wp.width, wp.height, scale);
  ASSERT_TRUE(placer) << placer.error().message;
  // Over the Guixi smelter in Yingtan, 2.5 km away (tests/fixtures/short_tour.json's view).
  const scene::Camera cam = scene::to_camera({117.2252, 28.3299, 2500.0, 30.0, 40.0}, scene_->frame());
  std::vector<scene::PlacedLabel> labels;
  for (int k = 0; k < 10; ++k) labels = (*placer)->place_labels(*scene_, cam, false);  // faded in
  ASSERT_GE(labels.size(), 10u);

  // In the wall's pixels: inside the wall, over more than one of its columns, some across a seam (a
  // box reaching into two panels' pixels), which a placement per panel could never give.
  std::set<size_t> columns;
  int across = 0;
  for (const scene::PlacedLabel& l : labels) {
    EXPECT_GE(l.rect.min.x, 0.0f);
    EXPECT_GE(l.rect.min.y, 0.0f);
    EXPECT_LE(l.rect.max.x, static_cast<float>(wp.width));
    EXPECT_LE(l.rect.max.y, static_cast<float>(wp.height));
    EXPECT_GT(l.alpha, 0.0f);
    int panels_touched = 0;
    for (size_t i = 0; i < wp.panels.size(); ++i) {
      const wall::PixelRect& r = wp.panels[i];
      const bool x = l.rect.min.x < r.x + static_cast<float>(r.w) && l.rect.max.x > r.x;
      const bool y = l.rect.min.y < r.y + static_cast<float>(r.h) && l.rect.max.y > r.y;
      if (x && y) ++panels_touched;
      if (x && y) columns.insert(static_cast<size_t>(layout->panels[i].col));
    }
    across += panels_touched > 1;
  }
  EXPECT_GE(columns.size(), 2u) << "labels on " << columns.size() << " of the wall's 8 columns";
  EXPECT_GE(across, 1) << "no label crosses a seam at this view; pick one where some do";

  // The bytes every node receives give the master's list back exactly, so every node draws the
  // same labels at the same wall pixels whichever panels it drives.
  app::FrameState f;
  f.view = "{}";
  f.overlay = app::WallOverlay{};
  f.overlay->ui_scale = scale;
  f.overlay->labels = labels;
  auto back = app::decode(app::encode(f));
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_TRUE(back->overlay);
  ASSERT_EQ(back->overlay->labels.size(), labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    EXPECT_EQ(back->overlay->labels[i].id, labels[i].id);
    EXPECT_EQ(back->overlay->labels[i].rect.min, labels[i].rect.min);
    EXPECT_EQ(back->overlay->labels[i].rect.max, labels[i].rect.max);
    EXPECT_EQ(back->overlay->labels[i].anchor, labels[i].anchor);
    EXPECT_EQ(back->overlay->labels[i].alpha, labels[i].alpha);
  }
  EXPECT_EQ(back->overlay->ui_scale, scale);
  std::cout << labels.size() << " labels over " << columns.size() << " columns, " << across << " across a seam, "
            << app::encode(f).size() - app::encode(app::FrameState{f.view, f.camera}).size() << " bytes of overlay\n";
}

TEST_F(WallOverlayTest, ProvinceScaleHasNoLabels) {
  // Beyond park scale the park labels speak: the master sends no enterprise labels.
  auto placer = app::WallOverlayLayout::create(*scene_, 3840, 1080, 1.0);
  ASSERT_TRUE(placer);
  auto cam = app::view_camera(*scene_, "province", 3840.0 / 1080.0);
  ASSERT_TRUE(cam);
  EXPECT_TRUE((*placer)->place_labels(*scene_, *cam, false).empty());
}

}  // namespace
