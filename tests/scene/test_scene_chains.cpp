// The chain model from the default dataset: consistent, and park flows are exactly the sums of the
// enterprise links they aggregate.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "parktwin/scene/commands.h"
#include "parktwin/scene/flows.h"
#include "scene_test_support.h"

using namespace parktwin;
using namespace parktwin::scene;

namespace {

class SceneChains : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { scene_ = parktwin::scene::testing::load_default_scene().release(); }
  static void TearDownTestSuite() { delete scene_; }
  static Scene* scene_;
};
Scene* SceneChains::scene_ = nullptr;

TEST_F(SceneChains, TwelveChainsSixClustersAndEveryEnterpriseInOne) {
  EXPECT_EQ(chains().size(), 12u);
  EXPECT_EQ(clusters().size(), 6u);
  EXPECT_EQ(chain_index("nonferrous_metals"), 1);
  EXPECT_EQ(cluster_index("lithium_pv_new_energy"), 2);
  EXPECT_EQ(chain_index("no_such_chain"), -1);
  for (const Enterprise& e : scene_->enterprises) EXPECT_GE(chain_index(e.chain), 0) << e.id;
}

TEST_F(SceneChains, ModelIsConsistent) {
  ASSERT_GT(scene_->chains.links.size(), 500u);
  const auto problems = check_chain_model(*scene_);
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << (problems.empty() ? "" : problems[0]);
  // Every enterprise takes part in at least one link.
  std::vector<bool> seen(scene_->enterprises.size(), false);
  for (const SupplyLink& l : scene_->chains.links) seen[l.supplier] = seen[l.customer] = true;
  EXPECT_EQ(std::count(seen.begin(), seen.end(), false), 0);
}

TEST_F(SceneChains, CheckFindsABackwardLinkAndAMissingEnd) {
  Scene& s = *scene_;
  const auto saved = s.chains.links;
  uint32_t up = 0, down = 0;
  for (uint32_t i = 0; i < s.enterprises.size(); ++i) {
    if (s.enterprises[i].segment == "upstream") up = i;
    if (s.enterprises[i].segment == "downstream") down = i;
  }
  s.chains.links.push_back({down, up, 0, "x", "t", 1.0, 1.0, true, "test"});
  s.chains.links.push_back({0, static_cast<uint32_t>(s.enterprises.size() + 3), 0, "x", "t", 1.0, 1.0, true, "test"});
  const auto problems = check_chain_model(s);
  s.chains.links = saved;
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("downstream -> upstream"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("does not exist"), std::string::npos) << problems[1];
}

TEST_F(SceneChains, RandomLinksAreGeneratedRepeatableAndSpreadOverFourDecades) {
  Scene& s = *scene_;
  const auto saved_links = s.chains.links;
  const auto saved_flows = s.chains.park_flows;
  const auto ne = static_cast<uint32_t>(s.enterprises.size());
  replace_with_random_links(s, 5000, 7);
  const auto first = s.chains.links;
  replace_with_random_links(s, 5000, 7);
  const auto again = s.chains.links;
  replace_with_random_links(s, 5000, 8);
  const auto other = s.chains.links;
  const bool flows_made = !s.chains.park_flows.empty();
  s.chains.links = saved_links;
  s.chains.park_flows = saved_flows;

  ASSERT_EQ(first.size(), 5000u);
  double lo = 1e300, hi = 0.0;
  size_t same_as_other = 0;
  for (size_t i = 0; i < first.size(); ++i) {
    const SupplyLink& l = first[i];
    ASSERT_LT(l.supplier, ne);
    ASSERT_LT(l.customer, ne);
    EXPECT_NE(l.supplier, l.customer) << "link " << i;
    EXPECT_EQ(l.chain, chain_index(s.enterprises[l.supplier].chain)) << "link " << i;
    EXPECT_NE(l.source.find("generated"), std::string::npos) << l.source;
    lo = std::min(lo, l.value_yuan_per_year);
    hi = std::max(hi, l.value_yuan_per_year);
    EXPECT_EQ(l.supplier, again[i].supplier);
    EXPECT_EQ(l.customer, again[i].customer);
    EXPECT_EQ(l.value_yuan_per_year, again[i].value_yuan_per_year);
    same_as_other += l.supplier == other[i].supplier && l.customer == other[i].customer;
  }
  EXPECT_GE(lo, 1e7);
  EXPECT_LT(lo, 1.1e7);
  EXPECT_LE(hi, 1e11);
  EXPECT_GT(hi, 0.9e11);
  EXPECT_LT(same_as_other, 50u) << "another seed gave mostly the same links";
  EXPECT_TRUE(flows_made) << "park flows were not rebuilt from the random links";
}

TEST(RandomLinks, FewerThanTwoEnterprisesGetNone) {
  Scene s(gis::SceneFrame::jiangxi());
  replace_with_random_links(s, 100, 1);
  EXPECT_TRUE(s.chains.links.empty());
  s.enterprises.resize(1);
  replace_with_random_links(s, 100, 1);
  EXPECT_TRUE(s.chains.links.empty());
  s.enterprises.resize(2);
  replace_with_random_links(s, 100, 1);
  EXPECT_EQ(s.chains.links.size(), 100u);
}

TEST_F(SceneChains, ParkFlowsSumTheLinksTheyAggregate) {
  const ChainModel& m = scene_->chains;
  ASSERT_FALSE(m.park_flows.empty());
  // Recompute the sums independently from the links.
  std::map<std::tuple<std::string, std::string, int>, double> expect;
  size_t inter_park = 0;
  for (const SupplyLink& l : m.links) {
    const std::string& a = scene_->enterprises[l.supplier].park;
    const std::string& b = scene_->enterprises[l.customer].park;
    if (a == b) continue;
    expect[{a, b, l.chain}] += l.value_yuan_per_year;
    ++inter_park;
  }
  size_t aggregated = 0;
  ASSERT_EQ(m.park_flows.size(), expect.size());
  for (const ParkFlow& pf : m.park_flows) {
    const auto key = std::make_tuple(scene_->parks[static_cast<size_t>(pf.from_park)].id,
                                     scene_->parks[static_cast<size_t>(pf.to_park)].id, pf.chain);
    ASSERT_TRUE(expect.count(key));
    EXPECT_NEAR(pf.value_yuan_per_year, expect[key], 1e-6 * expect[key]);
    double sum = 0.0;
    for (uint32_t li : pf.links) sum += m.links[li].value_yuan_per_year;
    EXPECT_NEAR(sum, pf.value_yuan_per_year, 1e-6 * sum);
    aggregated += pf.links.size();
  }
  EXPECT_EQ(aggregated, inter_park);
  // Copper from Yingtan reaches both other parks.
  const int yt = scene_->park_index("yingtan"), yc = scene_->park_index("yichun"), nc = scene_->park_index("nanchang");
  auto has = [&](int a, int b) {
    return std::any_of(m.park_flows.begin(), m.park_flows.end(), [&](const ParkFlow& p) { return p.from_park == a && p.to_park == b; });
  };
  EXPECT_TRUE(has(yt, yc));
  EXPECT_TRUE(has(yt, nc));
  EXPECT_TRUE(has(yc, nc));
}

TEST_F(SceneChains, FilterHidesChainsAndSegments) {
  Scene& s = *scene_;
  const ChainFilter saved = s.chains.filter;
  ChainFilter f;
  f.chain_on.fill(false);
  f.chain_on[static_cast<size_t>(chain_index("new_energy"))] = true;
  UndoStack undo;
  const Command c = SetChainFilter{f};
  undo.push(c, apply_command(s, c));
  size_t shown = 0;
  for (uint32_t i = 0; i < s.chains.links.size(); ++i)
    if (s.chains.link_visible(s, i)) {
      EXPECT_EQ(chains()[static_cast<size_t>(s.chains.links[i].chain)].key, std::string("new_energy"));
      ++shown;
    }
  EXPECT_GT(shown, 0u);
  undo.undo(s);
  EXPECT_EQ(s.chains.filter.chain_on, saved.chain_on);
}

TEST_F(SceneChains, LiveFactorFollowsTheSuppliersOutput) {
  Scene& s = *scene_;
  s.reset_live();
  const SupplyLink& l = s.chains.links[0];
  EXPECT_DOUBLE_EQ(s.chains.live_factor(s, 0), 1.0);  // no sample: nominal
  Metrics m;
  m.ts_ms = 1;
  m.v[static_cast<size_t>(Metric::Output)] = s.enterprises[l.supplier].revenue_2022 / 8760.0 * 0.5;
  s.update_live(l.supplier, m);
  EXPECT_NEAR(s.chains.live_factor(s, 0), 0.5, 1e-9);
  s.reset_live();
}

TEST(FlowBudget, HoverSkipsArcsTheBudgetDidNotDraw) {
  ChainFilter f;
  FlowArc small, large, park;
  small.chain = large.chain = park.chain = 0;
  small.value_yuan_per_year = 2e6;
  large.value_yuan_per_year = 5e8;
  park.level = FlowLevel::Park;
  park.value_yuan_per_year = 1e3;  // park arcs never give way to the budget
  const double near = 10000.0, far = kParkFlowsMinDistance + 1.0;
  // No budget: every enterprise arc up close is drawn.
  EXPECT_TRUE(arc_drawn(small, f, near, 0.0));
  EXPECT_TRUE(arc_drawn(large, f, near, 0.0));
  // A budget of 1e7 yuan/yr: the small arc gave way, the large one stayed.
  EXPECT_FALSE(arc_drawn(small, f, near, 1e7));
  EXPECT_TRUE(arc_drawn(large, f, near, 1e7));
  EXPECT_TRUE(arc_drawn(park, f, far, 1e12));
  // Levels by distance and the filter, as before.
  EXPECT_FALSE(arc_drawn(large, f, kEnterpriseFlowsMaxDistance + 1.0, 0.0));
  EXPECT_FALSE(arc_drawn(park, f, near, 0.0));
  f.chain_on[0] = false;
  EXPECT_FALSE(arc_drawn(large, f, near, 0.0));
  f.chain_on[0] = true;
  f.segment_on[0] = false;
  EXPECT_FALSE(arc_drawn(large, f, near, 0.0));
}

}  // namespace
