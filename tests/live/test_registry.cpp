// Registry: built from the default dataset's enterprises, index-aligned with the scene, ids found,
// units per hour.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "parktwin/gis/frame.h"
#include "parktwin/live/registry.h"
#include "parktwin/scene/scene.h"

namespace parktwin::live {
namespace {

std::unique_ptr<scene::Scene> load_scene() {
  auto sc = std::make_unique<scene::Scene>(gis::SceneFrame::jiangxi());
  auto r = scene::load_default_dataset(*sc, std::string(PARKTWIN_ASSET_DIR) + "/parktwin.gpkg");
  if (!r) {
    ADD_FAILURE() << "cannot load the default dataset: " << r.error().message;
    return nullptr;
  }
  return sc;
}

TEST(Registry, MatchesSceneIndexForIndex) {
  auto sc = load_scene();
  ASSERT_TRUE(sc);
  ASSERT_FALSE(sc->enterprises.empty());
  const Registry reg(*sc);
  ASSERT_EQ(reg.size(), sc->enterprises.size());
  for (size_t i = 0; i < reg.size(); ++i) {
    const EnterpriseInfo& e = reg.enterprises()[i];
    const scene::Enterprise& s = sc->enterprises[i];
    EXPECT_EQ(e.id, s.id);
    EXPECT_EQ(e.park, s.park);
    EXPECT_EQ(e.chain, s.chain);
    EXPECT_EQ(e.segment, s.segment);
    EXPECT_EQ(e.role, s.role);
    EXPECT_EQ(e.product, s.product);
    EXPECT_DOUBLE_EQ(e.revenue_2022, s.revenue_2022);
    auto found = reg.find(s.id);
    ASSERT_TRUE(found) << s.id;
    EXPECT_EQ(*found, i);
  }
}

TEST(Registry, UnitsArePerHourWithoutTheAnnualSuffix) {
  auto sc = load_scene();
  ASSERT_TRUE(sc);
  const Registry reg(*sc);
  size_t with_unit = 0;
  for (size_t i = 0; i < reg.size(); ++i) {
    const std::string& u = reg.enterprises()[i].unit;
    EXPECT_FALSE(u.ends_with("/a")) << u;
    EXPECT_EQ(u + "/a", sc->enterprises[i].unit);
    with_unit += !u.empty();
  }
  EXPECT_EQ(with_unit, reg.size());
  auto smelter = reg.find("jxcc_guixi_smelter");
  ASSERT_TRUE(smelter);
  EXPECT_EQ(reg.enterprises()[*smelter].unit, "t");
  auto huaqin = reg.find("huaqin");
  ASSERT_TRUE(huaqin);
  EXPECT_EQ(reg.enterprises()[*huaqin].unit, "million units");
  EXPECT_EQ(reg.enterprises()[*huaqin].park, "nanchang");
}

TEST(Registry, UnknownIdsAreNotFound) {
  auto sc = load_scene();
  ASSERT_TRUE(sc);
  const Registry reg(*sc);
  EXPECT_FALSE(reg.find(""));
  EXPECT_FALSE(reg.find("no_such_enterprise"));
  EXPECT_FALSE(reg.find("HUAQIN"));  // ids are case-sensitive
  EXPECT_FALSE(reg.find("huaqin "));
}

TEST(Registry, AddAppendsAndKeepsTheFirstIndexOfARepeatedId) {
  Registry reg;
  EXPECT_EQ(reg.size(), 0u);
  EXPECT_FALSE(reg.find("a"));
  reg.add({.id = "a", .park = "nanchang", .unit = "t", .revenue_2022 = 1e6});
  reg.add({.id = "b", .park = "yichun", .unit = "GWh", .revenue_2022 = 2e6});
  ASSERT_EQ(reg.size(), 2u);
  EXPECT_EQ(reg.find("a"), 0u);
  EXPECT_EQ(reg.find("b"), 1u);
  reg.add({.id = "a", .park = "yingtan"});
  EXPECT_EQ(reg.size(), 3u);
  EXPECT_EQ(reg.find("a"), 0u);
  EXPECT_EQ(reg.enterprises()[0].park, "nanchang");
}

}  // namespace
}  // namespace parktwin::live
