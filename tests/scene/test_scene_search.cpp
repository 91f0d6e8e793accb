// Search by Chinese name, English name or id: matches, case, ranking.
#include <gtest/gtest.h>

#include "parktwin/scene/search.h"
#include "scene_test_support.h"

using namespace parktwin::scene;

namespace {

class Search : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { scene_ = parktwin::scene::testing::load_default_scene().release(); }
  static void TearDownTestSuite() { delete scene_; }
  static Scene* scene_;
  std::string first_id(std::string_view q) {
    const auto r = search_enterprises(*scene_, q);
    return r.empty() ? std::string("(none)") : scene_->enterprises[static_cast<size_t>(r.front())].id;
  }
};
Scene* Search::scene_ = nullptr;

TEST_F(Search, FindsByChineseNameEnglishNameAndIdInAnyCase) {
  ASSERT_NE(scene_, nullptr);
  EXPECT_EQ(first_id("华勤"), "huaqin");
  EXPECT_EQ(first_id("Huaqin"), "huaqin");
  EXPECT_EQ(first_id("huaqin"), "huaqin");
  EXPECT_EQ(first_id("HUAQIN"), "huaqin");
  EXPECT_EQ(first_id("  huaqin  "), "huaqin");
  EXPECT_EQ(first_id("宁德"), "catl_yichun");
  EXPECT_EQ(first_id("CATL"), "catl_yichun");
  EXPECT_EQ(first_id("catl"), "catl_yichun");
  EXPECT_EQ(first_id("贵溪冶炼厂"), "jxcc_guixi_smelter");
  EXPECT_EQ(first_id("jxcc_guixi_smelter"), "jxcc_guixi_smelter");
}

TEST_F(Search, PartialEnglishWords) {
  ASSERT_NE(scene_, nullptr);
  const auto smelter = search_enterprises(*scene_, "smelt");
  ASSERT_FALSE(smelter.empty());
  EXPECT_EQ(scene_->enterprises[size_t(smelter.front())].id, "jxcc_guixi_smelter");
  // "foil" is a word inside many names: every hit holds it, whatever the case.
  const auto foil = search_enterprises(*scene_, "Foil");
  EXPECT_GE(foil.size(), 5u);
  for (int e : foil) {
    std::string en = scene_->enterprises[size_t(e)].name_en + " " + scene_->enterprises[size_t(e)].id;
    for (char& c : en) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(en.find("foil"), std::string::npos) << en;
  }
  EXPECT_FALSE(search_enterprises(*scene_, "echnolog").empty());  // inside a word
}

TEST_F(Search, NoResultsForGarbage) {
  ASSERT_NE(scene_, nullptr);
  EXPECT_TRUE(search(*scene_, "qzxqzxqzx").empty());
  EXPECT_TRUE(search(*scene_, "锟斤拷").empty());
  EXPECT_TRUE(search(*scene_, "").empty());
  EXPECT_TRUE(search(*scene_, "   ").empty());
  // A multi-byte character never matches half of another one.
  EXPECT_TRUE(search(*scene_, "\xA4").empty());
}

TEST_F(Search, RanksExactThenPrefixThenWordThenSubstringThenMastersAndSize) {
  ASSERT_NE(scene_, nullptr);
  EXPECT_EQ(match_rank("Huaqin", "huaqin"), MatchRank::Exact);
  EXPECT_EQ(match_rank("Huaqin Technology", "hua"), MatchRank::Prefix);
  EXPECT_EQ(match_rank("Guixi Huagan Copper", "hua"), MatchRank::WordPrefix);
  EXPECT_EQ(match_rank("Jiangxi Copper (Tongcai)", "tong"), MatchRank::WordPrefix);
  EXPECT_EQ(match_rank("Zhuahu", "hua"), MatchRank::Substring);
  EXPECT_EQ(match_rank("Zhuahu", "xyz"), MatchRank::None);

  const auto hits = search(*scene_, "copper");
  ASSERT_GT(hits.size(), 10u);
  for (size_t i = 1; i < hits.size(); ++i) EXPECT_LE(hits[i - 1].rank, hits[i].rank) << i;
  // Among equal ranks, chain masters first, then by nominal revenue.
  for (size_t i = 1; i < hits.size(); ++i) {
    const SearchHit &a = hits[i - 1], &b = hits[i];
    if (a.rank != b.rank || a.kind != SearchKind::Enterprise || b.kind != SearchKind::Enterprise) continue;
    const Enterprise &ea = scene_->enterprises[size_t(a.index)], &eb = scene_->enterprises[size_t(b.index)];
    const bool ma = ea.role == "chain_master", mb = eb.role == "chain_master";
    EXPECT_TRUE(ma >= mb) << ea.id << " before " << eb.id;
    if (ma == mb) {
      EXPECT_GE(ea.revenue_2022, eb.revenue_2022) << ea.id << " before " << eb.id;
    }
  }
  // "江西铜业" prefixes the Guixi smelter (a chain master) and Tongcai: the master comes first.
  EXPECT_EQ(first_id("江西铜业"), "jxcc_guixi_smelter");
  // Parks are found too, by Chinese name, English name or id.
  const auto park = search(*scene_, "yingtan");
  ASSERT_FALSE(park.empty());
  EXPECT_EQ(park.front().kind, SearchKind::Park);
}

}  // namespace
