// Enterprise labels: the declutter never overlaps boxes, keeps priorities, respects keep-outs and
// holds still under camera jitter; anchors sit on the tallest roofs; priorities follow the rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include "parktwin/scene/camera.h"
#include "parktwin/scene/labels.h"
#include "scene_test_support.h"

using namespace parktwin::scene;

namespace {

std::vector<LabelCandidate> random_candidates(size_t n, uint32_t seed, glm::vec2 vp = {1920, 1080}) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> x(-40.0f, vp.x + 40.0f), y(-40.0f, vp.y + 40.0f), w(40.0f, 240.0f),
      pr(0.0f, 5.0f), d(500.0f, 35000.0f);
  std::vector<LabelCandidate> c(n);
  for (size_t i = 0; i < n; ++i) {
    c[i].id = static_cast<uint32_t>(i);
    c[i].anchor = {x(rng), y(rng)};
    c[i].size = {w(rng), 22.0f};
    c[i].priority = (rng() % 4 == 0) ? std::floor(pr(rng)) : pr(rng);  // some ties
    c[i].distance = d(rng);
  }
  return c;
}

/// The same greedy rule without the grid: every candidate against every kept box.
std::vector<uint32_t> naive_declutter(const std::vector<LabelCandidate>& c, const std::vector<LabelRect>& keep,
                                      const LabelParams& p) {
  std::vector<uint32_t> order(c.size());
  for (uint32_t i = 0; i < c.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return c[a].priority != c[b].priority ? c[a].priority > c[b].priority : c[a].id < c[b].id;
  });
  std::vector<LabelRect> boxes = keep;
  std::vector<uint32_t> kept;
  for (uint32_t i : order) {
    if (!(c[i].distance < p.fade_far_m)) continue;
    const LabelRect b = label_box(c[i], p.leader_px), t = b.inflated(p.new_pad_px);
    if (t.min.x < 0 || t.min.y < 0 || t.max.x > p.viewport.x || t.max.y > p.viewport.y) continue;
    if (std::any_of(boxes.begin(), boxes.end(), [&](const LabelRect& o) { return o.overlaps(t); })) continue;
    boxes.push_back(b);
    kept.push_back(c[i].id);
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

std::vector<LabelRect> panels() {
  return {{{0, 0}, {1920, 22}}, {{10, 30}, {350, 390}}, {{1500, 700}, {1910, 1070}}, {{700, 960}, {1360, 1046}}};
}

std::set<uint32_t> ids_of(const std::vector<PlacedLabel>& v) {
  std::set<uint32_t> s;
  for (const PlacedLabel& p : v) s.insert(p.id);
  return s;
}

TEST(Labels, PlacedLabelsNeverOverlapEachOtherOrKeepOuts) {
  const LabelParams p;
  const auto keep = panels();
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    const auto c = random_candidates(200 + seed * 37, seed);
    LabelState st;
    for (int frame = 0; frame < 2; ++frame) {  // fresh, then with the previous frame's state
      const auto placed = declutter_labels(c, keep, p, frame ? &st : nullptr);
      if (frame == 0) declutter_labels(c, keep, p, &st);
      ASSERT_FALSE(placed.empty()) << "seed " << seed;
      for (size_t i = 0; i < placed.size(); ++i) {
        const LabelRect& a = placed[i].rect;
        EXPECT_GE(a.min.x, 0.0f);
        EXPECT_GE(a.min.y, 0.0f);
        EXPECT_LE(a.max.x, p.viewport.x);
        EXPECT_LE(a.max.y, p.viewport.y);
        for (const LabelRect& k : keep) EXPECT_FALSE(a.overlaps(k)) << "seed " << seed << " label " << placed[i].id;
        for (size_t j = i + 1; j < placed.size(); ++j)
          ASSERT_FALSE(a.overlaps(placed[j].rect)) << "seed " << seed << ": " << placed[i].id << " and " << placed[j].id;
      }
    }
  }
}

TEST(Labels, AHigherPriorityLabelIsNeverDroppedForALowerOne) {
  const LabelParams p;
  const auto keep = panels();
  for (uint32_t seed = 100; seed < 140; ++seed) {
    const auto c = random_candidates(1500, seed);
    const auto placed = declutter_labels(c, keep, p);
    std::vector<bool> kept(c.size(), false);
    for (const PlacedLabel& pl : placed) kept[pl.id] = true;
    for (const LabelCandidate& d : c) {
      if (kept[d.id] || !(d.distance < p.fade_far_m)) continue;
      const LabelRect t = label_box(d, p.leader_px).inflated(p.new_pad_px);
      if (t.min.x < 0 || t.min.y < 0 || t.max.x > p.viewport.x || t.max.y > p.viewport.y) continue;
      if (std::any_of(keep.begin(), keep.end(), [&](const LabelRect& k) { return k.overlaps(t); })) continue;
      // Dropped for a placed label: one that it overlaps must rank at least as high.
      bool blocker = false;
      for (const PlacedLabel& pl : placed) {
        if (!pl.rect.overlaps(t)) continue;
        const LabelCandidate& o = c[pl.candidate];
        if (o.priority > d.priority || (o.priority == d.priority && o.id < d.id)) blocker = true;
      }
      EXPECT_TRUE(blocker) << "seed " << seed << ": label " << d.id << " (priority " << d.priority
                           << ") dropped with no higher-priority label in the way";
    }
    // And the grid gives exactly what the plain quadratic greedy gives.
    std::vector<uint32_t> got;
    for (const PlacedLabel& pl : placed) got.push_back(pl.id);
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, naive_declutter(c, keep, p)) << "seed " << seed;
  }
}

TEST(Labels, KeepOutRectanglesAreRespected) {
  LabelParams p;
  const std::vector<LabelRect> keep = {{{400, 200}, {1500, 900}}};
  const auto c = random_candidates(3000, 7);
  const auto placed = declutter_labels(c, keep, p);
  ASSERT_GT(placed.size(), 20u);
  for (const PlacedLabel& pl : placed) EXPECT_FALSE(pl.rect.overlaps(keep[0])) << pl.id;
  // A whole-screen keep-out leaves nothing.
  EXPECT_TRUE(declutter_labels(c, {{{0, 0}, {1920, 1080}}}, p).empty());
}

TEST(Labels, AlphaFadesWithDistanceAndFadesInWhenNew) {
  LabelParams p;
  p.fade_near_m = 1000;
  p.fade_far_m = 11000;
  p.fade_in_frames = 4;
  std::vector<LabelCandidate> c = {{0, {300, 300}, {100, 20}, 1, 500}, {1, {900, 300}, {100, 20}, 1, 6000},
                                   {2, {1500, 300}, {100, 20}, 1, 20000}};
  auto placed = declutter_labels(c, {}, p);
  ASSERT_EQ(placed.size(), 2u);  // the third is beyond fade_far_m
  EXPECT_FLOAT_EQ(placed[0].alpha, 1.0f);
  EXPECT_NEAR(placed[1].alpha, 0.5f, 1e-5f);
  LabelState st;
  for (int f = 1; f <= 6; ++f) {
    placed = declutter_labels(c, {}, p, &st);
    ASSERT_EQ(placed.size(), 2u);
    EXPECT_NEAR(placed[0].alpha, std::min(1.0f, f / 4.0f), 1e-5f) << "frame " << f;
  }
}

/// Random roof points around a park-scale camera, labelled through the camera like the viewer does.
struct View {
  std::vector<glm::dvec3> points;
  std::vector<glm::vec2> sizes;
  std::vector<float> priority;
};

std::vector<LabelCandidate> project(const View& v, const Camera& cam, glm::vec2 vp) {
  const glm::dmat4 m = cam.projection(vp.x / vp.y) * cam.view_rotation();
  const glm::dvec3 eye = cam.eye();
  std::vector<LabelCandidate> out;
  for (uint32_t i = 0; i < v.points.size(); ++i) {
    const glm::dvec4 q = m * glm::dvec4(v.points[i] - eye, 1.0);
    if (q.w <= 0.0) continue;
    LabelCandidate c;
    c.id = i;
    c.anchor = {static_cast<float>((q.x / q.w * 0.5 + 0.5) * vp.x), static_cast<float>((q.y / q.w * 0.5 + 0.5) * vp.y)};
    c.size = v.sizes[i];
    c.priority = v.priority[i];
    c.distance = static_cast<float>(glm::length(v.points[i] - eye));
    out.push_back(c);
  }
  return out;
}

TEST(Labels, PlacementHoldsStillUnderOnePixelCameraJitter) {
  const glm::vec2 vp(1920, 1080);
  LabelParams p;
  p.viewport = vp;
  const auto keep = panels();
  int changed_with_state = 0, changed_without = 0;
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> xy(-2500.0, 2500.0), z(5.0, 80.0);
    std::uniform_real_distribution<float> w(50.0f, 220.0f), pr(0.0f, 3.0f);
    View v;
    for (int i = 0; i < 800; ++i) {
      v.points.emplace_back(xy(rng), xy(rng), z(rng));
      v.sizes.emplace_back(w(rng), 22.0f);
      v.priority.push_back(pr(rng));
    }
    Camera cam;
    cam.distance = 6000.0;
    cam.pitch = 0.9;
    cam.heading = 0.3;
    LabelState st;
    const auto first = ids_of(declutter_labels(project(v, cam, vp), keep, p, &st));
    ASSERT_GT(first.size(), 30u);
    auto prev_without = first;
    for (int f = 0; f < 12; ++f) {
      // One pixel right/left and up/down in turn: the camera shakes around where it was.
      Camera c = cam;
      const double dx = (f % 2 == 0) ? 1.0 : -1.0, dy = (f % 4 < 2) ? 1.0 : -1.0;
      c.pan_pixels(dx, dy, vp.y);
      const auto cand = project(v, c, vp);
      const auto with = ids_of(declutter_labels(cand, keep, p, &st));
      if (with != first) ++changed_with_state;
      EXPECT_EQ(with, first) << "seed " << seed << " frame " << f;
      const auto without = ids_of(declutter_labels(cand, keep, p));
      if (without != prev_without) ++changed_without;
      prev_without = without;
    }
  }
  std::printf("[ jitter   ] frames whose placement changed: %d with state, %d without (of 120)\n", changed_with_state,
              changed_without);
}

TEST(Labels, TenThousandCandidatesTiming) {
  const auto c = random_candidates(10000, 1269);
  const auto keep = panels();
  const LabelParams p;
  std::vector<double> fresh, steady;
  LabelState st;
  size_t placed = 0;
  for (int i = 0; i < 30; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    placed = declutter_labels(c, keep, p).size();
    auto t1 = std::chrono::steady_clock::now();
    declutter_labels(c, keep, p, &st);
    auto t2 = std::chrono::steady_clock::now();
    fresh.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    steady.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  std::sort(fresh.begin(), fresh.end());
  std::sort(steady.begin(), steady.end());
  std::printf("[ timing   ] 10k candidates, %zu placed: median %.3f ms without state, %.3f ms with state\n", placed,
              fresh[fresh.size() / 2], steady[steady.size() / 2]);
  EXPECT_GT(placed, 50u);
}

class LabelScene : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { scene_ = parktwin::scene::testing::load_default_scene().release(); }
  static void TearDownTestSuite() { delete scene_; }
  static Scene* scene_;
};
Scene* LabelScene::scene_ = nullptr;

TEST_F(LabelScene, AnchorsSitOnTheTallestRoofOrThirtyMetresUp) {
  ASSERT_NE(scene_, nullptr);
  const Scene& s = *scene_;
  ASSERT_EQ(s.style_params.height_scale, 1.0f) << "roofs below are the dataset's unscaled heights";
  const auto anchors = enterprise_label_anchors(s);
  ASSERT_EQ(anchors.size(), s.enterprises.size());
  // The expected roofs come from the buildings layer's own features: each footprint's enterprise_id,
  // height_m and rings (the middle of the rings' bounding box is where a label stands), taking the
  // tallest footprint whose middle lies within kLabelSiteRadius of the enterprise's site point.
  std::map<std::string, size_t> enterprise_of;
  for (size_t e = 0; e < s.enterprises.size(); ++e) enterprise_of[s.enterprises[e].id] = e;
  const int layer = s.layer_index("buildings");
  ASSERT_GE(layer, 0);
  const parktwin::gis::LayerData& data = s.layers[static_cast<size_t>(layer)].data;
  const int ent_field = data.field("enterprise_id"), height_field = data.field("height_m");
  ASSERT_GE(ent_field, 0);
  ASSERT_GE(height_field, 0);
  std::vector<double> tallest(s.enterprises.size(), -1.0);
  std::vector<std::vector<glm::dvec2>> roof_middles(s.enterprises.size());  // every footprint at that height
  for (const parktwin::gis::Feature& f : data.features) {
    const auto owner = enterprise_of.find(parktwin::gis::attr_string(f, ent_field));
    if (owner == enterprise_of.end() || f.geom.polygons.empty()) continue;
    const size_t e = owner->second;
    glm::dvec2 lo(1e300), hi(-1e300);
    for (const parktwin::gis::Polygon& poly : f.geom.polygons)
      for (const glm::dvec2& q : poly.outer) {
        lo = glm::min(lo, q);
        hi = glm::max(hi, q);
      }
    const glm::dvec2 middle = (lo + hi) * 0.5;
    if (glm::length(middle - s.enterprises[e].pos) > kLabelSiteRadius) continue;
    const double h = parktwin::gis::attr_number(f, height_field, -1.0);
    ASSERT_GT(h, 0.0) << "feature " << f.fid;
    if (h > tallest[e]) {
      tallest[e] = h;
      roof_middles[e].clear();
    }
    if (h == tallest[e]) roof_middles[e].push_back(middle);
  }
  size_t with_buildings = 0;
  for (size_t e = 0; e < anchors.size(); ++e) {
    if (tallest[e] < 0.0) {
      EXPECT_DOUBLE_EQ(anchors[e].z, 30.0) << s.enterprises[e].id;
      EXPECT_EQ(glm::dvec2(anchors[e]), s.enterprises[e].pos) << s.enterprises[e].id;
      continue;
    }
    ++with_buildings;
    EXPECT_NEAR(anchors[e].z, tallest[e], 1e-3) << s.enterprises[e].id;
    const glm::dvec2 at(anchors[e]);
    EXPECT_TRUE(std::any_of(roof_middles[e].begin(), roof_middles[e].end(),
                            [&](glm::dvec2 m) { return glm::length(m - at) < 1e-6; }))
        << s.enterprises[e].id << ": the anchor is not over one of its tallest footprints";
  }
  EXPECT_GT(with_buildings, s.enterprises.size() / 2);
  // The cache follows the style revision.
  LabelState st;
  EXPECT_EQ(cached_label_anchors(s, st).size(), anchors.size());
  EXPECT_EQ(st.anchors_revision, s.style_revision);
}

TEST_F(LabelScene, PrioritiesSelectedThenChainMastersThenBySize) {
  ASSERT_NE(scene_, nullptr);
  Scene& s = *scene_;
  const int saved = s.selected_enterprise;
  int member = -1, master = -1, small = -1;
  for (size_t e = 0; e < s.enterprises.size(); ++e) {
    if (s.enterprises[e].role == "chain_master") master = static_cast<int>(e);
    else if (member < 0 || s.enterprises[e].revenue_2022 > s.enterprises[size_t(member)].revenue_2022) member = static_cast<int>(e);
    if (s.enterprises[e].role != "chain_master" &&
        (small < 0 || s.enterprises[e].revenue_2022 < s.enterprises[size_t(small)].revenue_2022))
      small = static_cast<int>(e);
  }
  ASSERT_GE(master, 0);
  s.selected_enterprise = small;
  const auto pr = label_priorities(s);
  s.selected_enterprise = saved;
  if (member == small) GTEST_SKIP();
  for (size_t e = 0; e < pr.size(); ++e) {
    if (static_cast<int>(e) != small) {
      EXPECT_GT(pr[size_t(small)], pr[e] + 1.0f);
    }
    if (s.enterprises[e].role != "chain_master" && static_cast<int>(e) != small) {
      EXPECT_GT(pr[size_t(master)], pr[e] + 1.0f);
    }
  }
  if (s.live.empty() || std::none_of(s.live.begin(), s.live.end(), [](const Metrics& m) { return m.ts_ms > 0; })) {
    // No live data: members by nominal revenue.
    for (size_t e = 0; e < pr.size(); ++e)
      if (s.enterprises[e].role != "chain_master" && static_cast<int>(e) != member && static_cast<int>(e) != small) {
        EXPECT_GE(pr[size_t(member)], pr[e]) << s.enterprises[e].id;
      }
  }
}

}  // namespace
