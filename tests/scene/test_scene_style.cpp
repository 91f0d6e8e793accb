// Per-building styles: height scale, colour modes, and that restyling never touches geometry.
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "scene_test_support.h"
#include "shared_constants.h"

using namespace parktwin;
using namespace parktwin::scene;
using parktwin::scene::testing::mesh_hash;

namespace {

class SceneStyle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { scene_ = parktwin::scene::testing::load_default_scene(); }
  static void TearDownTestSuite() { scene_.reset(); }
  void SetUp() override {
    ASSERT_NE(scene_, nullptr) << "the default dataset did not load";
    ASSERT_FALSE(scene_->buildings.empty());
  }
  void TearDown() override {
    if (!scene_) return;
    scene_->style_params = StyleParams{};
    scene_->restyle();
  }

  /// Restyles with the given parameters and returns a copy of the styles.
  static std::vector<BuildingStyle> styled(float height_scale, ColorBy mode) {
    scene_->style_params.height_scale = height_scale;
    scene_->style_params.color_by = mode;
    scene_->restyle();
    return scene_->styles;
  }
  static std::vector<uint32_t> colours(ColorBy mode) {
    std::vector<uint32_t> out;
    for (const BuildingStyle& s : styled(1.0f, mode)) out.push_back(s.rgba);
    return out;
  }

  static std::unique_ptr<Scene> scene_;
};
std::unique_ptr<Scene> SceneStyle::scene_;

uint32_t packed(glm::vec4 c) { return pack_rgba(c.r, c.g, c.b, c.a); }

/// Perceived brightness of a packed 0xAABBGGRR colour (Rec. 601 weights), in byte units.
double luma(uint32_t c) {
  return 0.299 * double(c & 0xffu) + 0.587 * double((c >> 8) & 0xffu) + 0.114 * double((c >> 16) & 0xffu);
}

}  // namespace

TEST_F(SceneStyle, HeightScaleTwoDoublesEveryHeight) {
  const auto one = styled(1.0f, ColorBy::Kind);
  const auto two = styled(2.0f, ColorBy::Kind);
  ASSERT_EQ(one.size(), scene_->buildings.size());
  ASSERT_EQ(two.size(), one.size());
  for (size_t i = 0; i < one.size(); ++i) {
    ASSERT_GT(one[i].height, 0.0f) << i;
    ASSERT_EQ(one[i].height, scene_->buildings[i].height_m) << i;
    ASSERT_EQ(two[i].height, 2.0f * one[i].height) << i;
    ASSERT_EQ(two[i].rgba, one[i].rgba) << i << ": the height scale does not change colours";
  }
}

TEST_F(SceneStyle, EachColourModeGivesItsOwnColours) {
  const ColorBy modes[] = {ColorBy::Kind, ColorBy::Chain, ColorBy::Height, ColorBy::Revenue, ColorBy::Uniform};
  std::vector<std::vector<uint32_t>> all;
  for (ColorBy m : modes) all.push_back(colours(m));
  for (size_t a = 0; a < all.size(); ++a)
    for (size_t b = a + 1; b < all.size(); ++b)
      EXPECT_NE(all[a], all[b]) << color_by_name(modes[a]) << " vs " << color_by_name(modes[b]);
  // Uniform is one colour; the other modes tell buildings apart.
  const auto& uniform = all[4];
  EXPECT_TRUE(std::all_of(uniform.begin(), uniform.end(), [&](uint32_t c) { return c == uniform.front(); }));
  for (size_t a = 0; a < 4; ++a) {
    const auto& c = all[a];
    EXPECT_FALSE(std::all_of(c.begin(), c.end(), [&](uint32_t x) { return x == c.front(); })) << color_by_name(modes[a]);
  }
}

TEST_F(SceneStyle, RestyleNeverChangesMeshData) {
  const uint64_t before = mesh_hash(*scene_);
  const void* first_vertex = scene_->layers[static_cast<size_t>(scene_->layer_index("buildings"))]
                                 .building_chunks.front()
                                 .mesh.vertices.data();
  for (ColorBy m : {ColorBy::Kind, ColorBy::Chain, ColorBy::Height, ColorBy::Revenue, ColorBy::Uniform})
    for (float s : {0.0f, 0.5f, 3.0f, 1.0f}) styled(s, m);
  EXPECT_EQ(mesh_hash(*scene_), before);
  EXPECT_EQ(scene_->layers[static_cast<size_t>(scene_->layer_index("buildings"))]
                .building_chunks.front()
                .mesh.vertices.data(),
            first_vertex);
}

TEST_F(SceneStyle, RestyleBumpsTheRevisionAndReusesTheStyleArray) {
  scene_->restyle();
  const BuildingStyle* data = scene_->styles.data();
  uint64_t rev = scene_->style_revision;
  for (ColorBy m : {ColorBy::Chain, ColorBy::Revenue, ColorBy::Height}) {
    styled(1.5f, m);
    EXPECT_GT(scene_->style_revision, rev) << color_by_name(m);
    rev = scene_->style_revision;
    EXPECT_EQ(scene_->styles.data(), data) << "restyle reallocated the style array";
  }
}

TEST_F(SceneStyle, ChainModeColoursBuildingsByTheirEnterpriseChain) {
  const auto st = styled(1.0f, ColorBy::Chain);
  size_t electronic = 0, other_chain = 0, without = 0;
  for (size_t i = 0; i < scene_->buildings.size(); ++i) {
    const Building& b = scene_->buildings[i];
    if (b.enterprise < 0) {
      EXPECT_EQ(st[i].rgba, pack_rgba(0.86f, 0.86f, 0.84f)) << "building " << i << " has no enterprise";
      ++without;
      continue;
    }
    const std::string& chain = scene_->enterprises.at(static_cast<size_t>(b.enterprise)).chain;
    EXPECT_EQ(st[i].rgba, packed(chain_color(chain))) << "building " << i << " of chain " << chain;
    (chain == "electronic_information" ? electronic : other_chain) += 1;
  }
  EXPECT_GT(electronic, 0u) << "no building of an electronic_information enterprise";
  EXPECT_GT(other_chain, 0u);
  EXPECT_GT(without, 0u);
  EXPECT_NE(packed(chain_color("electronic_information")), packed(chain_color("new_energy")));
}

TEST_F(SceneStyle, HeightModeFollowsTheUnscaledHeightRamp) {
  // Expectations from the dataset's own height_m attribute and the ramp's documented shape: 0 m at
  // its dark bottom, kHeightRampTopM and taller at its bright top, brighter with height in between,
  // whatever the height scale.
  const auto scaled = styled(4.0f, ColorBy::Height);
  const auto unscaled = styled(1.0f, ColorBy::Height);
  ASSERT_EQ(scaled.size(), scene_->buildings.size());
  const uint32_t bottom = packed(ramp_color(0.0f)), top = packed(ramp_color(1.0f));
  ASSERT_GT(luma(top), luma(bottom) + 100.0) << "the ramp runs from dark to bright";
  std::map<double, uint32_t> colour_at;  // dataset height -> colour
  size_t at_top = 0;
  for (size_t i = 0; i < scaled.size(); ++i) {
    const Building& b = scene_->buildings[i];
    const Layer& layer = scene_->layers[b.layer];
    const double h = gis::attr_number(layer.data.features[b.feature], layer.data.field("height_m"), -1.0);
    ASSERT_GT(h, 0.0) << "building " << i << " has no height_m in the dataset";
    ASSERT_EQ(scaled[i].rgba, unscaled[i].rgba) << i << ": the height scale must not move a building along the ramp";
    const auto [it, first] = colour_at.emplace(h, scaled[i].rgba);
    ASSERT_EQ(it->second, scaled[i].rgba) << i << ": buildings of " << h << " m differ in colour";
    if (h >= kHeightRampTopM) {
      ASSERT_EQ(scaled[i].rgba, top) << i << ": " << h << " m is at or above the top of the ramp";
      ++at_top;
    } else if (h < kHeightRampTopM - 1.0) {
      ASSERT_NE(scaled[i].rgba, top) << i << ": " << h << " m is below the top of the ramp";
    }
  }
  EXPECT_GT(at_top, 0u) << "no building reaches the top of the ramp";
  EXPECT_GT(colour_at.size() - at_top, 100u) << "too few heights below the top of the ramp to tell";
  // Taller never darker (one byte of rounding allowed), and the shortest building sits near the bottom.
  double previous = luma(bottom);
  for (const auto& [h, c] : colour_at) {
    EXPECT_GE(luma(c), previous - 1.0) << h << " m is darker than a shorter building";
    previous = std::max(previous, luma(c));
  }
  const uint32_t shortest = colour_at.begin()->second;
  EXPECT_LT(luma(shortest) - luma(bottom), luma(top) - luma(shortest))
      << colour_at.begin()->first << " m should be nearer the bottom of the ramp than its top";
}

TEST(SharedConstants, OutputFactorSaturatesAtTheCapTheFlowShaderUses) {
  auto scene = parktwin::scene::testing::load_default_scene();
  ASSERT_NE(scene, nullptr);
  uint32_t e = 0;
  while (e < scene->enterprises.size() && !(scene->enterprises[e].revenue_2022 > 0.0)) ++e;
  ASSERT_LT(e, scene->enterprises.size()) << "no enterprise with a nominal revenue";
  const double nominal_per_h = scene->enterprises[e].revenue_2022 / 8760.0;
  EXPECT_DOUBLE_EQ(output_factor(*scene, e), 1.0) << "no sample yet: nominal";
  int64_t ts = 1;
  auto report = [&](double multiple_of_nominal) {
    Metrics m;
    m.ts_ms = ts++;
    m.v[static_cast<size_t>(Metric::Output)] = nominal_per_h * multiple_of_nominal;
    scene->update_live(e, m);
    return output_factor(*scene, e);
  };
  EXPECT_NEAR(report(0.5), 0.5, 1e-9);
  EXPECT_NEAR(report(1.0), 1.0, 1e-9);
  EXPECT_DOUBLE_EQ(report(10.0 * kOutputFactorCap), static_cast<double>(kOutputFactorCap));
  // The figure people read is not capped: only the animation's pace is.
  ASSERT_TRUE(output_ratio(*scene, e).has_value());
  EXPECT_NEAR(*output_ratio(*scene, e), 10.0 * kOutputFactorCap, 1e-9);
  EXPECT_DOUBLE_EQ(report(-1.0), 0.0);
}

TEST_F(SceneStyle, RestyleKeepsHiddenBuildingsHidden) {
  styled(1.0f, ColorBy::Kind);
  scene_->styles[0].flags |= 1u;
  styled(2.0f, ColorBy::Chain);
  EXPECT_EQ(scene_->styles[0].flags & 1u, 1u);
  EXPECT_EQ(scene_->styles[1].flags & 1u, 0u);
  scene_->styles[0].flags &= ~1u;
}

TEST_F(SceneStyle, DefaultBuildingsAreFlaggedGenerated) {
  styled(1.0f, ColorBy::Kind);
  for (size_t i = 0; i < scene_->styles.size(); ++i) ASSERT_EQ(scene_->styles[i].flags & 4u, 4u) << i;
}

TEST(SceneColours, PackRgbaIsAbgrBytes) {
  EXPECT_EQ(pack_rgba(1.0f, 0.0f, 0.0f, 1.0f), 0xff0000ffu);
  EXPECT_EQ(pack_rgba(0.0f, 1.0f, 0.0f, 0.0f), 0x0000ff00u);
  EXPECT_EQ(pack_rgba(0.0f, 0.0f, 1.0f, 1.0f), 0xffff0000u);
  EXPECT_EQ(pack_rgba(2.0f, -1.0f, 0.5f, 1.0f), 0xff8000ffu);  // clamped, 0.5 rounds to 128
}

TEST(SceneColours, RampRunsFromDarkToYellowAndClamps) {
  EXPECT_EQ(ramp_color(-1.0f), ramp_color(0.0f));
  EXPECT_EQ(ramp_color(2.0f), ramp_color(1.0f));
  EXPECT_LT(ramp_color(0.0f).g, ramp_color(0.5f).g);
  EXPECT_GT(ramp_color(1.0f).r + ramp_color(1.0f).g, 1.5f);
}
