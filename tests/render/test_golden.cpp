// Golden images of the default scene and of a user layer, rendered headless at small sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <vector>

#include "golden.h"
#include "parktwin/app/app.h"
#include "parktwin/scene/camera.h"
#include "parktwin/scene/flows.h"
#include "parktwin/scene/labels.h"

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

TEST_F(Golden, RenderingTwiceStaysWellInsideTheTolerance) {
  // The noise floor of the tolerance: the same scene rendered twice. Faint flow arcs may come and go
  // between frames (the flow budget adapts to the previous frame's counts), so a few hundred arc
  // pixels can move by some levels; none may move by more than the channel tolerance here.
  const std::string caption = "ParkTwin · 南昌高新区 labels";
  const auto a = render_view("nanchang", caption), b = render_view("nanchang", caption);
  const DiffStats any = diff_stats(a, b, 0), beyond = diff_stats(a, b, Tolerance{}.channel);
  std::printf("[ noise    ] nanchang_labels rendered twice: %zu pixels differ at all (largest %d levels), %zu beyond %d\n",
              any.differing, any.max_channel, beyond.differing, Tolerance{}.channel);
  EXPECT_LE(beyond.differing, Tolerance{}.max_pixels / 4) << "rendering is too noisy for the golden tolerance";
}

TEST_F(Golden, ComparisonRejectsAMissingBuilding) {
  // The smallest footprint of the Nanchang view that the 480x270 image resolves (its roof spans at
  // least 3x3 pixels and the pick pass returns it at its roof centre), hidden: the view must no
  // longer match its golden. Smaller buildings cover one or two pixels at this size.
  auto cam = app::view_camera(*scene_, "nanchang", double(kW) / kH);
  ASSERT_TRUE(cam.ok());
  const scene::ScreenProjector project(*cam, {double(kW), double(kH)});
  std::vector<std::pair<double, uint32_t>> by_area;
  for (uint32_t i = 0; i < scene_->buildings.size(); ++i) {
    const scene::Building& b = scene_->buildings[i];
    const double roof = scene_->styles[i].height;
    glm::dvec2 lo(1e300), hi(-1e300);
    double area = 0.0;
    bool on_screen = true;
    for (const gis::Polygon& poly : scene_->layers[b.layer].data.features[b.feature].geom.polygons) {
      area += gis::polygon_area(poly);
      for (const glm::dvec2& q : poly.outer) {
        const auto px = project(glm::dvec3(q, roof));
        if (!px) on_screen = false;
        else {
          lo = glm::min(lo, *px);
          hi = glm::max(hi, *px);
        }
      }
    }
    if (!on_screen || lo.x < 1 || lo.y < 1 || hi.x >= kW - 1 || hi.y >= kH - 1) continue;
    if (hi.x - lo.x < 3.0 || hi.y - lo.y < 3.0) continue;
    by_area.emplace_back(area, i);
  }
  std::sort(by_area.begin(), by_area.end());
  int hidden = -1;
  double hidden_area = 0.0;
  for (const auto& [area, i] : by_area) {
    const auto px = project(glm::dvec3(scene_->buildings[i].centroid, scene_->styles[i].height));
    auto hit = still_->renderer().pick({.frame = scene::snapshot_of(*scene_, *cam).get()}, kW, kH, static_cast<uint32_t>(px->x),
                                       static_cast<uint32_t>(px->y));
    ASSERT_TRUE(hit.ok()) << hit.error().message;
    if (hit->kind == render::PickHit::Building && hit->index == i) {
      hidden = static_cast<int>(i);
      hidden_area = area;
      break;
    }
  }
  ASSERT_GE(hidden, 0) << "no building of the view is resolved and visible at its roof centre";
  scene::BuildingStyle& st = scene_->styles[static_cast<size_t>(hidden)];
  st.flags |= scene::kFlagHidden;
  ++scene_->style_revision;
  const auto img = render_view("nanchang");
  st.flags &= ~scene::kFlagHidden;
  ++scene_->style_revision;
  const auto r = check_golden("nanchang", img);
  std::printf("[ broken   ] building %d (footprint %.0f m2, %.1f m) hidden: %zu pixels beyond %d levels, largest %d\n",
              hidden, hidden_area, scene_->buildings[static_cast<size_t>(hidden)].height_m, r.differing,
              Tolerance{}.channel, r.max_channel);
  EXPECT_FALSE(r.ok) << "a missing building passed: " << r.message;
}

TEST_F(Golden, ComparisonRejectsAMissingFlowArc) {
  // The province view with the chain that has the fewest park-to-park arcs switched off.
  std::map<int, int> arcs_of_chain;
  for (const scene::FlowArc& a : scene::build_flow_arcs(*scene_))
    if (a.level == scene::FlowLevel::Park && a.chain >= 0) ++arcs_of_chain[a.chain];
  ASSERT_FALSE(arcs_of_chain.empty());
  const auto fewest = std::min_element(arcs_of_chain.begin(), arcs_of_chain.end(),
                                       [](const auto& x, const auto& y) { return x.second < y.second; });
  scene_->chains.filter.chain_on[static_cast<size_t>(fewest->first)] = false;
  const auto img = render_view("province", "ParkTwin · 江西省 province");
  scene_->chains.filter = scene::ChainFilter{};
  const auto r = check_golden("province", img);
  std::printf("[ broken   ] %d park arc(s) of chain %d removed: %zu pixels beyond %d levels, largest %d\n",
              fewest->second, fewest->first, r.differing, Tolerance{}.channel, r.max_channel);
  EXPECT_FALSE(r.ok) << "a missing flow arc passed: " << r.message;
}

TEST_F(Golden, ComparisonRejectsAMissingLabel) {
  // The labelled Nanchang still without one enterprise label: the drawn label of highest priority,
  // taken out of the candidates by moving its enterprise's site far off screen. Labels the declutter
  // does not place change nothing but arc noise when removed, so they are skipped: a drawn label
  // changes thousands of pixels, arc noise at most a few beyond the channel tolerance.
  const std::string caption = "ParkTwin · 南昌高新区 labels";
  auto cam = app::view_camera(*scene_, "nanchang", double(kW) / kH);
  ASSERT_TRUE(cam.ok());
  const scene::ScreenProjector project(*cam, {double(kW), double(kH)});
  const auto anchors = scene::enterprise_label_anchors(*scene_);
  const auto priority = scene::label_priorities(*scene_);
  std::vector<size_t> on_screen;
  for (size_t e = 0; e < anchors.size(); ++e) {
    const auto px = project(anchors[e]);
    if (px && px->x >= 0 && px->y >= 0 && px->x < kW && px->y < kH) on_screen.push_back(e);
  }
  std::sort(on_screen.begin(), on_screen.end(), [&](size_t a, size_t b) { return priority[a] > priority[b]; });
  render_view("nanchang", caption);  // the flow budget settles after the first frame
  const auto labelled = render_view("nanchang", caption);
  for (size_t e : on_screen) {
    scene::Enterprise& en = scene_->enterprises[e];
    const glm::dvec2 site = en.pos;
    en.pos += glm::dvec2(1.0e6, 0.0);
    ++scene_->style_revision;  // the anchor cache follows the style revision
    const auto img = render_view("nanchang", caption);
    en.pos = site;
    ++scene_->style_revision;
    if (diff_stats(img, labelled, Tolerance{}.channel).differing <= 4 * Tolerance{}.max_pixels) continue;
    const auto r = check_golden("nanchang_labels", img);
    std::printf("[ broken   ] label of %s removed: %zu pixels beyond %d levels, largest %d\n", en.id.c_str(),
                r.differing, Tolerance{}.channel, r.max_channel);
    EXPECT_FALSE(r.ok) << "a missing label passed: " << r.message;
    return;
  }
  FAIL() << "no drawn enterprise label in the labelled Nanchang still";
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
