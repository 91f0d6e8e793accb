// Golden images of the default scene and of a user layer, rendered headless at small sizes.
#include <gtest/gtest.h>

#include <sstream>

#include "golden.h"
#include "parktwin/app/app.h"

namespace parktwin::test {
namespace {

constexpr uint32_t kW = 480, kH = 270;

class Golden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::ostringstream log;
    app::AppOptions o;
    auto s = app::load_scene(o, log);
    ASSERT_TRUE(s.ok()) << log.str();
    scene_ = std::move(*s);
    auto r = app::StillRenderer::create(*scene_, o);
    if (!r) {
      skip_reason_ = r.error().message;
      return;
    }
    still_ = std::move(*r);
  }
  static void TearDownTestSuite() {
    still_.reset();
    scene_.reset();
  }
  void SetUp() override {
    if (!still_) GTEST_SKIP() << "no Vulkan device: " << skip_reason_;
    scene_->style_params = {};
    scene_->restyle();
  }
  render::Image render_view(const std::string& view, const std::string& caption = "") {
    auto cam = app::view_camera(*scene_, view, double(kW) / kH);
    EXPECT_TRUE(cam.ok());
    auto img = still_->render(*scene_, *cam, kW, kH, caption);
    EXPECT_TRUE(img.ok()) << (img.ok() ? "" : img.error().message);
    return img.ok() ? *img : render::Image{};
  }
  static std::unique_ptr<scene::Scene> scene_;
  static std::unique_ptr<app::StillRenderer> still_;
  static std::string skip_reason_;
};
std::unique_ptr<scene::Scene> Golden::scene_;
std::unique_ptr<app::StillRenderer> Golden::still_;
std::string Golden::skip_reason_;

TEST_F(Golden, ProvinceWithLabelsAndAttribution) {
  const auto img = render_view("province", "ParkTwin · 江西省 province");
  const auto r = compare_golden("province", img);
  EXPECT_TRUE(r.ok) << r.message;
}

TEST_F(Golden, Nanchang) {
  const auto r = compare_golden("nanchang", render_view("nanchang"));
  EXPECT_TRUE(r.ok) << r.message;
}

TEST_F(Golden, Yingtan) {
  const auto r = compare_golden("yingtan", render_view("yingtan"));
  EXPECT_TRUE(r.ok) << r.message;
}

TEST_F(Golden, Yichun) {
  const auto r = compare_golden("yichun", render_view("yichun"));
  EXPECT_TRUE(r.ok) << r.message;
}

TEST_F(Golden, RestyleChangesThePictureWithoutReupload) {
  const auto before = render_view("nanchang");
  scene_->style_params.height_scale = 3.0f;
  scene_->style_params.color_by = scene::ColorBy::Height;
  scene_->restyle();
  const auto after = render_view("nanchang");
  // Heights and colours come from the storage buffer: the picture must change a lot.
  EXPECT_GT(diff_fraction(before, after, 24, nullptr), 0.05);
  const auto r = compare_golden("nanchang_restyled", after);
  EXPECT_TRUE(r.ok) << r.message;
}

TEST_F(Golden, FlowsWithOneChainHighlighted) {
  // Province arcs between the parks: highlighting new energy dims the copper and electronics arcs.
  const auto before = render_view("province");
  scene::ChainFilter f;
  f.highlight_chain = scene::chain_index("new_energy");
  scene_->chains.filter = f;
  const auto after = render_view("province");
  scene_->chains.filter = scene::ChainFilter{};
  EXPECT_GT(diff_fraction(before, after, 24, nullptr), 0.001);
  const auto r = compare_golden("province_flows_new_energy", after);
  EXPECT_TRUE(r.ok) << r.message;
  // With flows off the picture has no arcs at all: it differs from the one with them.
  scene_->chains.filter.flows_visible = false;
  const auto none = render_view("province");
  scene_->chains.filter = scene::ChainFilter{};
  EXPECT_GT(diff_fraction(before, none, 24, nullptr), 0.001);
}

TEST_F(Golden, ChineseEnterpriseLabelsOnAParkStill) {
  // With the overlay on, enterprise labels (Chinese names, decluttered) are drawn on the roofs.
  const auto plain = render_view("nanchang");
  const auto labelled = render_view("nanchang", "ParkTwin · 南昌高新区 labels");
  EXPECT_GT(diff_fraction(plain, labelled, 24, nullptr), 0.01);
  const auto r = compare_golden("nanchang_labels", labelled);
  EXPECT_TRUE(r.ok) << r.message;
}

TEST_F(Golden, TiledRenderEqualsTheSingleImage) {
  // Snapshots larger than one device image are rendered as off-axis tiles and stitched; with small
  // tiles forced, the stitched picture must match the one-piece render (overlay included).
  auto cam = app::view_camera(*scene_, "yingtan", double(kW) / kH);
  ASSERT_TRUE(cam.ok());
  auto whole = still_->render(*scene_, *cam, kW, kH, "ParkTwin · 鹰潭 tiles");
  ASSERT_TRUE(whole.ok());
  still_->set_tile_limit(128);
  auto tiled = still_->render(*scene_, *cam, kW, kH, "ParkTwin · 鹰潭 tiles");
  still_->set_tile_limit(0);
  ASSERT_TRUE(tiled.ok()) << tiled.error().message;
  EXPECT_LE(diff_fraction(*whole, *tiled, 24, nullptr), 0.003);
}

TEST_F(Golden, ComparisonCatchesAChangedPicture) {
  auto img = render_view("yingtan");
  auto altered = img;
  // Paint a block of 4 % of the image: the comparator must notice.
  for (uint32_t y = 0; y < kH / 5; ++y)
    for (uint32_t x = 0; x < kW / 5; ++x) altered.rgba[(size_t(y) * kW + x) * 4] ^= 0xff;
  EXPECT_GT(diff_fraction(img, altered, 24, nullptr), 0.03);
  EXPECT_LE(diff_fraction(img, img, 0, nullptr), 0.0);
}

TEST(GoldenUserLayer, FootprintsWithHeightAttributeFit) {
  app::AppOptions o;
  o.no_dataset = true;
  o.extra_layers = {std::string(PARKTWIN_FIXTURES) + "/footprints.geojson"};
  o.layer_options.height_attribute = "hgt";
  std::ostringstream log;
  auto s = app::load_scene(o, log);
  ASSERT_TRUE(s.ok()) << log.str();
  ASSERT_EQ((*s)->layers.size(), 1u);
  EXPECT_EQ((*s)->layers[0].kind, scene::LayerKind::Buildings);
  EXPECT_EQ((*s)->buildings.size(), 5u);
  auto r = app::StillRenderer::create(**s, o);
  if (!r) GTEST_SKIP() << "no Vulkan device: " << r.error().message;
  auto cam = app::view_camera(**s, "fit", double(kW) / kH);
  ASSERT_TRUE(cam.ok());
  auto img = (*r)->render(**s, *cam, kW, kH, "");
  ASSERT_TRUE(img.ok()) << img.error().message;
  const auto g = compare_golden("user_footprints", *img);
  EXPECT_TRUE(g.ok) << g.message;
}

}  // namespace
}  // namespace parktwin::test
