// The viewer's tour session on the default scene, without a window: the camera follows the tour
// (checked against scene::evaluate, the tour's own definition of where the camera is at t), a
// pause step holds until the presenter resumes, an operator takeover stops the clock and the tour
// flies back in after the idle time, highlights are given back on stop, and the editor's saves
// read back as the same tour.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "scene_test_support.h"
#include "parktwin/scene/geo_camera.h"
#include "parktwin/scene/scene.h"
#include "parktwin/scene/tour.h"
#include "tour_session.h"

using namespace parktwin;
using State = scene::TourPlayer::State;

namespace {

const std::string kFixture = std::string(PARKTWIN_FIXTURES) + "/short_tour.json";

class TourSessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scene_ = scene::testing::load_default_scene().release();  // fails the test when it cannot load
  }
  static void TearDownTestSuite() {
    delete scene_;
    scene_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(scene_, nullptr);
    scene_->selected_enterprise = -1;
    scene_->chains.filter.highlight_chain = -1;
    dir_ = std::filesystem::path(PARKTWIN_TEST_OUT) / "tour_session" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    setenv("XDG_CONFIG_HOME", dir_.c_str(), 1);
    camera_.target = glm::dvec3(scene_->frame().from_wgs84({115.9, 28.6}), 0.0);
    camera_.distance = 50000.0;
    camera_.pitch = 1.0;
    start_ = scene::to_geo(camera_, scene_->frame());
    auto t = scene::read_tour(kFixture);
    ASSERT_TRUE(t) << t.error().message;
    tour_ = *t;
  }

  /// The camera the tour itself puts at time t (its definition, independent of the session).
  scene::Camera expected_at(double t) const {
    return scene::to_camera(scene::evaluate(tour_, t, start_).camera, scene_->frame());
  }

  static void expect_near(const scene::Camera& a, const scene::Camera& b, double tol_m) {
    EXPECT_NEAR(a.target.x, b.target.x, tol_m);
    EXPECT_NEAR(a.target.y, b.target.y, tol_m);
    EXPECT_NEAR(a.distance, b.distance, tol_m);
    EXPECT_NEAR(a.heading, b.heading, 1e-6);
    EXPECT_NEAR(a.pitch, b.pitch, 1e-6);
  }

  int smelter() const {
    for (size_t e = 0; e < scene_->enterprises.size(); ++e)
      if (scene_->enterprises[e].id == "jxcc_guixi_smelter") return static_cast<int>(e);
    return -2;
  }

  static scene::Scene* scene_;
  std::filesystem::path dir_;
  scene::Camera camera_;
  scene::GeoCamera start_;
  scene::Tour tour_;
};

scene::Scene* TourSessionTest::scene_ = nullptr;

TEST_F(TourSessionTest, PlayingMovesTheCameraWhereTheTourSaysAndHoldsAtThePauseStep) {
  app::TourSession s;
  ASSERT_TRUE(s.load_file(kFixture, *scene_));
  s.play(camera_);
  s.update(0.0, *scene_, camera_, nullptr);
  expect_near(camera_, expected_at(0.0), 0.01);
  for (int i = 0; i < 3; ++i) s.update(0.25, *scene_, camera_, nullptr);
  expect_near(camera_, expected_at(0.75), 0.01);
  // The pause step stands at 1.5 s: a long frame does not carry the clock past it.
  s.update(2.0, *scene_, camera_, nullptr);
  EXPECT_EQ(s.player()->state(), State::AtPauseStep);
  EXPECT_DOUBLE_EQ(s.player()->time(), 1.5);
  s.update(5.0, *scene_, camera_, nullptr);
  EXPECT_DOUBLE_EQ(s.player()->time(), 1.5);
  // Space: the presenter goes on, from where it stopped.
  s.play_pause(camera_);
  s.update(0.25, *scene_, camera_, nullptr);
  EXPECT_EQ(s.player()->state(), State::Playing);
  EXPECT_DOUBLE_EQ(s.player()->time(), 1.75);
  expect_near(camera_, expected_at(1.75), 0.01);
}

TEST_F(TourSessionTest, AnOperatorTakesTheCameraAndTheTourFliesBackInAfterTheIdleTime) {
  app::TourSession s;
  ASSERT_TRUE(s.load_file(kFixture, *scene_));
  s.panel().resume_after_s = 3.0f;
  s.play(camera_);
  s.update(0.5, *scene_, camera_, nullptr);
  // The operator drags the map: the session leaves the camera alone and the clock stands.
  s.operator_input();
  scene::Camera mine = camera_;
  mine.target.x += 4000.0;
  camera_ = mine;
  s.update(1.0, *scene_, camera_, nullptr);
  EXPECT_EQ(s.player()->state(), State::Takeover);
  EXPECT_FALSE(s.engaged());
  expect_near(camera_, mine, 1e-9);
  EXPECT_DOUBLE_EQ(s.player()->time(), 0.5);
  EXPECT_NEAR(s.panel().takeover_left_s, 2.0, 1e-9);
  // Idle for the rest of the 3 s: the tour goes on where it stopped ...
  s.update(2.0, *scene_, camera_, nullptr);
  EXPECT_EQ(s.player()->state(), State::Playing);
  // ... and the camera blends from where the operator left it instead of jumping.
  s.update(0.1, *scene_, camera_, nullptr);
  const double t = s.player()->time();
  EXPECT_NEAR(t, 0.6, 1e-9);
  const scene::Camera tour_cam = expected_at(t);
  EXPECT_GT(glm::length(glm::dvec2(camera_.target - tour_cam.target)), 1000.0);
  EXPECT_LT(glm::length(glm::dvec2(camera_.target - mine.target)), 100.0);
  // After the blend the camera is the tour's again.
  for (int i = 0; i < 25; ++i) s.update(0.1, *scene_, camera_, nullptr);
  expect_near(camera_, expected_at(s.player()->time()), 0.01);
}

TEST_F(TourSessionTest, TheHighlightIsShownAndGivenBackOnStop) {
  const int smelter_index = smelter();
  ASSERT_GE(smelter_index, 0);
  scene_->selected_enterprise = 7;  // the user's own selection before the tour
  app::TourSession s;
  ASSERT_TRUE(s.load_file(kFixture, *scene_));
  s.play(camera_);
  s.update(0.5, *scene_, camera_, nullptr);
  EXPECT_EQ(scene_->selected_enterprise, 7);  // no highlight step reached yet
  s.update(1.2, *scene_, camera_, nullptr);   // to the pause step at 1.5 s, past the highlight
  EXPECT_EQ(scene_->selected_enterprise, smelter_index);
  EXPECT_TRUE(s.presenting());
  s.panel().requests.push_back({ui::TourOp::Stop, -1, {}});
  s.update(0.0, *scene_, camera_, nullptr);
  EXPECT_FALSE(s.presenting());
  EXPECT_EQ(scene_->selected_enterprise, 7);
}

TEST_F(TourSessionTest, TheEditorSavesWhatItShowsAndAnEditKeepsThePlayersTime) {
  app::TourSession s;
  ASSERT_TRUE(s.load_file(kFixture, *scene_));
  s.play(camera_);
  s.update(1.0, *scene_, camera_, nullptr);
  // An edit while playing: a wait before everything. The player keeps its clock.
  s.panel().draft.steps.insert(s.panel().draft.steps.begin(), scene::WaitStep{2.0});
  s.panel().draft_changed = true;
  s.update(0.0, *scene_, camera_, nullptr);
  EXPECT_DOUBLE_EQ(s.player()->time(), 1.0);
  EXPECT_EQ(s.player()->state(), State::Playing);
  EXPECT_DOUBLE_EQ(scene::total_duration(s.player()->tour()), scene::total_duration(tour_) + 2.0);
  // Save under a name with characters a file name cannot carry: it lands in the user's folder.
  s.panel().requests.push_back({ui::TourOp::Save, -1, "我的 tour/../x"});
  s.update(0.0, *scene_, camera_, nullptr);
  const auto folder = dir_ / "parktwin" / "tours";
  std::vector<std::filesystem::path> saved;
  for (const auto& e : std::filesystem::directory_iterator(folder)) saved.push_back(e.path());
  ASSERT_EQ(saved.size(), 1u) << s.panel().message;
  EXPECT_EQ(saved[0].extension(), ".json");
  auto back = scene::read_tour(saved[0].string());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(scene::tour_to_json(*back), scene::tour_to_json(s.panel().draft));
  // The saved tour is listed as the user's.
  bool listed = false;
  for (const ui::TourEntry& e : s.panel().entries) listed |= e.user && e.path == saved[0].string();
  EXPECT_TRUE(listed);
}

TEST_F(TourSessionTest, TheShippedToursAreListedWithTheProvincesStoryFirstAndReady) {
  app::TourSession s;
  s.scan(*scene_);
  // Every tour file in the asset folder is listed, readable, and none is the user's.
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(PARKTWIN_ASSET_DIR) + "/tours"))
    files += e.path().extension() == ".json" || e.path().extension() == ".kml";
  ASSERT_EQ(s.panel().entries.size(), files);
  for (const ui::TourEntry& e : s.panel().entries) {
    EXPECT_TRUE(e.error.empty()) << e.path << ": " << e.error;
    EXPECT_FALSE(e.user);
  }
  EXPECT_EQ(std::filesystem::path(s.panel().entries[0].path).stem(), "province");
  // Loaded into the panel, so Space plays it at once.
  auto province = scene::read_tour(s.panel().entries[0].path);
  ASSERT_TRUE(province);
  EXPECT_EQ(scene::tour_to_json(s.panel().draft), scene::tour_to_json(*province));
  s.play_pause(camera_);
  s.update(0.5, *scene_, camera_, nullptr);
  EXPECT_EQ(s.player()->state(), State::Playing);
}

TEST_F(TourSessionTest, ABrokenTourFileIsRefusedWithItsName) {
  const std::string bad = (dir_ / "broken.json").string();
  std::ofstream(bad) << "{\"schema\": \"parktwin.tour/1\", \"steps\": [ {\"type\": \"fly_to\"";
  app::TourSession s;
  EXPECT_FALSE(s.load_file(bad, *scene_));
  EXPECT_NE(s.panel().message.find("broken.json"), std::string::npos) << s.panel().message;
  EXPECT_EQ(s.player(), nullptr);
  // Space with nothing loaded and nothing to load does nothing rather than crash.
  s.play_pause(camera_);
  s.update(0.1, *scene_, camera_, nullptr);
  EXPECT_EQ(s.player(), nullptr);
}

}  // namespace
