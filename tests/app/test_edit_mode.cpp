// The viewer's edit mode without a window: scripted edits reach the scene's layers and the
// geometry callback, refusals change nothing, Ctrl+Z / Ctrl+Y undo and redo, the indicators follow
// (GFA against the footprint area computed here), violating parcels' buildings are highlighted.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "edit_mode.h"
#include "parktwin/scene/scene.h"
#include "scene_test_support.h"

namespace parktwin::app {
namespace {

constexpr int kCtrl = 0x0002;

struct Fixture {
  std::unique_ptr<scene::Scene> scene = scene::testing::load_default_scene();
  std::vector<std::vector<edit::Touched>> calls;
  std::unique_ptr<EditMode> em;
  int buildings = -1;
  std::string state_home;
  /// Each test's journals in a folder of its own (the shipped dataset's journal is kept under
  /// $XDG_STATE_HOME); `state` given: share another fixture's, as a restarted viewer would.
  explicit Fixture(std::string state = {}) {
    if (state.empty()) {
      std::filesystem::create_directories(PARKTWIN_TEST_OUT);
      std::string tmpl = std::string(PARKTWIN_TEST_OUT) + "/edit_state_XXXXXX";
      state = ::mkdtemp(tmpl.data()) ? tmpl : std::string(PARKTWIN_TEST_OUT) + "/edit_state";
    }
    state_home = state;
    ::setenv("XDG_STATE_HOME", state_home.c_str(), 1);
    if (!scene) return;
    buildings = scene->layer_index("buildings");
    em = std::make_unique<EditMode>(*scene, [this](const std::vector<edit::Touched>& t) { calls.push_back(t); },
                                    [](glm::dvec2, double) {});
  }
  const gis::Feature* building(int64_t fid) const {
    for (const gis::Feature& f : scene->layers[static_cast<size_t>(buildings)].data.features)
      if (f.fid == fid) return &f;
    return nullptr;
  }
  std::string script(const std::string& name, const std::string& json) const {
    const std::string path = std::string(PARKTWIN_TEST_OUT) + "/edit_mode_" + name + ".json";
    std::filesystem::create_directories(PARKTWIN_TEST_OUT);
    std::ofstream(path) << json;
    return path;
  }
};

// Building 1016 of the default dataset: an office tower in Nanchang well inside its parcel, 15 floors.
constexpr int64_t kFid = 1016;

TEST(EditMode, ScriptedEditsReachTheSceneAndTheIndicators) {
  Fixture f;
  ASSERT_TRUE(f.scene && f.em);
  ASSERT_EQ(f.em->set_active(true), "");
  const gis::Feature* b = f.building(kFid);
  ASSERT_TRUE(b);
  const glm::dvec2 before = b->geom.polygons.at(0).outer.at(0);
  const double footprint = gis::polygon_area(b->geom.polygons.at(0));
  const int floors_field = f.scene->layers[static_cast<size_t>(f.buildings)].data.field("floors");
  ASSERT_GE(floors_field, 0);
  const double floors = gis::attr_number(*b, floors_field, 0.0);
  const double gfa = f.em->indicators().parks.at("nanchang").gfa_m2;

  std::ostringstream log;
  auto n = f.em->apply_script(f.script("move", R"([{"op": "move", "layer": "buildings", "fids": [1016], "offset": [12, 0]},
    {"op": "set", "layer": "buildings", "fid": 1016, "field": "floors", "value": 10}])"), log);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 2) << log.str();
  b = f.building(kFid);
  EXPECT_NEAR(b->geom.polygons.at(0).outer.at(0).x, before.x + 12.0, 1e-6);
  EXPECT_NEAR(b->geom.polygons.at(0).outer.at(0).y, before.y, 1e-6);
  EXPECT_EQ(gis::attr_number(*b, floors_field, 0.0), 10.0);
  // One geometry call per edit, naming the scene's buildings layer and the feature's index.
  ASSERT_EQ(f.calls.size(), 2u);
  ASSERT_FALSE(f.calls[0].empty());
  EXPECT_EQ(f.calls[0][0].layer_index, f.buildings);
  const auto& feats = f.scene->layers[static_cast<size_t>(f.buildings)].data.features;
  const size_t index = static_cast<size_t>(b - feats.data());
  EXPECT_NE(std::find(f.calls[0][0].features.begin(), f.calls[0][0].features.end(), index), f.calls[0][0].features.end());
  // GFA counts footprint x floors: 5 floors fewer.
  EXPECT_NEAR(f.em->indicators().parks.at("nanchang").gfa_m2 - gfa, (10.0 - floors) * footprint, 1e-3 * footprint);
}

TEST(EditMode, RefusedEditsChangeNothing) {
  Fixture f;
  ASSERT_TRUE(f.scene && f.em);
  const glm::dvec2 before = f.building(kFid)->geom.polygons.at(0).outer.at(0);
  std::ostringstream log;
  // A feature that does not exist, and text for an integer field: the session refuses both.
  auto n = f.em->apply_script(f.script("refused", R"([{"op": "move", "layer": "buildings", "fids": [99999999], "offset": [5, 0]},
    {"op": "set", "layer": "buildings", "fid": 1016, "field": "floors", "value": "ten"}])"), log);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 0);
  EXPECT_TRUE(f.calls.empty());
  EXPECT_EQ(f.building(kFid)->geom.polygons.at(0).outer.at(0), before);
  // A file that is not an edit list is a failure, not a refusal.
  EXPECT_FALSE(f.em->apply_script(f.script("bad", "{\"edits\": 3}"), log));
}

TEST(EditMode, CtrlZUndoesAndCtrlYRedoes) {
  Fixture f;
  ASSERT_TRUE(f.scene && f.em);
  const glm::dvec2 before = f.building(kFid)->geom.polygons.at(0).outer.at(0);
  std::ostringstream log;
  ASSERT_TRUE(f.em->apply_script(f.script("undo", R"([{"op": "move", "layer": "buildings", "fids": [1016], "offset": [0, 7]}])"), log));
  EXPECT_NEAR(f.building(kFid)->geom.polygons.at(0).outer.at(0).y, before.y + 7.0, 1e-6);
  EXPECT_TRUE(f.em->on_key('Z', kCtrl, false));
  EXPECT_NEAR(f.building(kFid)->geom.polygons.at(0).outer.at(0).y, before.y, 1e-6);
  EXPECT_TRUE(f.em->on_key('Y', kCtrl, false));
  EXPECT_NEAR(f.building(kFid)->geom.polygons.at(0).outer.at(0).y, before.y + 7.0, 1e-6);
  EXPECT_TRUE(f.em->on_key('Z', kCtrl | 0x0001, false));  // Ctrl+Shift+Z redoes too: nothing left to redo
  EXPECT_NEAR(f.building(kFid)->geom.polygons.at(0).outer.at(0).y, before.y + 7.0, 1e-6);
  EXPECT_EQ(f.calls.size(), 3u);
  // Out of edit mode the editor takes no keys.
  ASSERT_EQ(f.em->set_active(false), "");
  EXPECT_FALSE(f.em->on_key('Z', kCtrl, false));
}

TEST(EditMode, ViolatingParcelsBuildingsAreHighlighted) {
  Fixture f;
  ASSERT_TRUE(f.scene && f.em);
  ASSERT_EQ(f.em->set_active(true), "");
  std::ostringstream log;
  // 128 m: above the 100 m limit of its office parcel in the shipped rules (or no rule: no violation).
  ASSERT_TRUE(f.em->apply_script(f.script("tall", R"([{"op": "set", "layer": "buildings", "fid": 1016, "field": "height_m", "value": 128.0}])"), log));
  const auto& v = f.em->indicators().violations;
  if (!std::filesystem::exists(std::string(PARKTWIN_ASSET_DIR) + "/zoning_rules.json")) GTEST_SKIP() << "no zoning rules shipped";
  ASSERT_FALSE(v.empty());
  bool listed = false;
  for (const edit::Violation& x : v) listed = listed || x.building_fid == kFid;
  EXPECT_TRUE(listed);
  f.em->decorate_styles();
  size_t flagged = 0, tower = 0;
  for (size_t i = 0; i < f.scene->buildings.size(); ++i) {
    const scene::Building& sb = f.scene->buildings[i];
    if (!(f.scene->styles[i].flags & scene::kFlagHighlighted)) continue;
    ++flagged;
    if (static_cast<int>(sb.layer) == f.buildings &&
        f.scene->layers[static_cast<size_t>(f.buildings)].data.features[sb.feature].fid == kFid)
      ++tower;
  }
  EXPECT_EQ(tower, 1u);
  EXPECT_GT(flagged, 1u);
  // Leaving edit mode takes the highlight away.
  ASSERT_EQ(f.em->set_active(false), "");
  for (const scene::BuildingStyle& s : f.scene->styles) ASSERT_FALSE(s.flags & scene::kFlagHighlighted);
}

}  // namespace
}  // namespace parktwin::app

namespace parktwin::app {
namespace {

TEST(EditMode, EditsSurviveARestartThroughTheJournal) {
  glm::dvec2 moved;
  std::string state;
  {
    Fixture f;
    ASSERT_TRUE(f.scene && f.em);
    ASSERT_EQ(f.em->set_active(true), "");
    std::ostringstream log;
    auto n = f.em->apply_script(f.script("journal", R"([{"op": "move", "layer": "buildings", "fids": [1016], "offset": [7, 3]}])"), log);
    ASSERT_TRUE(n && *n == 1) << log.str();
    moved = f.building(kFid)->geom.polygons.at(0).outer.at(0);
    state = f.state_home;
    // The viewer dies here without saving (the fixture goes away; nothing is written at exit).
  }
  // A new viewer on the same (unchanged) source shows the edit again as soon as edit mode starts.
  Fixture again(state);
  ASSERT_TRUE(again.scene && again.em);
  const glm::dvec2 fresh = again.building(kFid)->geom.polygons.at(0).outer.at(0);
  EXPECT_NEAR(fresh.x, moved.x - 7.0, 1e-6) << "the source itself was not changed";
  ASSERT_EQ(again.em->set_active(true), "");
  const glm::dvec2 now = again.building(kFid)->geom.polygons.at(0).outer.at(0);
  EXPECT_NEAR(now.x, moved.x, 1e-6);
  EXPECT_NEAR(now.y, moved.y, 1e-6);
  EXPECT_FALSE(again.calls.empty()) << "the recovered edit reached the renderer's geometry";
}

}  // namespace
}  // namespace parktwin::app
