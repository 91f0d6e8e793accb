// Per-building styles: height scale, colour modes, and that restyling never touches geometry.
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "scene_test_support.h"

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
  const auto st = styled(4.0f, ColorBy::Height);
  for (size_t i = 0; i < st.size(); ++i)
    ASSERT_EQ(st[i].rgba, packed(ramp_color(scene_->buildings[i].height_m / 80.0f))) << i;
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
