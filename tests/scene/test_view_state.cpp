// ViewState: capture / apply / lerp / JSON on the default dataset. A state read back from its JSON
// equals the one written; apply(capture(x)) gives x back; lerp returns its keyframes exactly at 0
// and 1; ids the scene lacks are warnings, never failures; apply pushes nothing on the undo stack.
#include <array>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "parktwin/scene/commands.h"
#include "parktwin/scene/view_state.h"
#include "scene_test_support.h"

using namespace parktwin;
using namespace parktwin::scene;
using parktwin::scene::testing::style_bytes;

namespace {

/// A state different from the scene's defaults in every field.
ViewState sample_state(const Scene& s) {
  ViewState v;
  v.name = "Yingtan copper at dusk";
  v.camera = {117.03, 28.24, 3200.0, 35.0, 48.0, 38.0};
  for (const Layer& l : s.layers) v.layers.push_back({l.id, l.style.visible, l.style.opacity});
  v.layers.at(0).visible = false;
  v.layers.at(1).opacity = 0.3f;
  v.style.height_scale = 2.5f;
  v.style.color_by = ColorBy::Chain;
  v.binding.height_metric = Metric::Output;
  v.binding.color_metric = Metric::Utilisation;
  v.binding.color_log = false;
  v.binding.transition_s = 1.5f;
  v.binding.stale_after_s = 600.0;
  v.chains.chain_on[3] = false;
  v.chains.segment_on[0] = false;
  v.chains.highlight_chain = 1;
  v.chains.flows_visible = false;
  v.selected_enterprise = s.enterprises.at(5).id;
  v.language = "en";
  v.moment_ms = 1795000000000;
  v.source = "sim://?seed=7";
  v.panels = {"parks", "timeline", "chain_diagram"};
  return v;
}

/// Everything apply sets in the scene.
struct SceneView {
  std::vector<bool> visible;
  std::vector<float> opacity;
  float height_scale = 0.0f;
  ColorBy color_by = ColorBy::Kind;
  bool enabled = false, color_log = false;
  Metric hm = Metric::Output, cm = Metric::Output;
  float transition_s = 0.0f;
  double stale_after_s = 0.0;
  std::array<bool, 12> chain_on{};
  std::array<bool, 3> segment_on{};
  int highlight = -2, selected = -2;
  bool flows = false;
  std::vector<unsigned char> styles;

  static SceneView of(const Scene& s) {
    SceneView v;
    for (const Layer& l : s.layers) {
      v.visible.push_back(l.style.visible);
      v.opacity.push_back(l.style.opacity);
    }
    v.height_scale = s.style_params.height_scale;
    v.color_by = s.style_params.color_by;
    v.enabled = s.binding.enabled;
    v.color_log = s.binding.color_log;
    v.hm = s.binding.height_metric;
    v.cm = s.binding.color_metric;
    v.transition_s = s.binding.transition_s;
    v.stale_after_s = s.binding.stale_after_s;
    v.chain_on = s.chains.filter.chain_on;
    v.segment_on = s.chains.filter.segment_on;
    v.highlight = s.chains.filter.highlight_chain;
    v.flows = s.chains.filter.flows_visible;
    v.selected = s.selected_enterprise;
    v.styles = style_bytes(s);
    return v;
  }
  bool operator==(const SceneView&) const = default;
};

void expect_camera_near(const Camera& a, const Camera& b) {
  EXPECT_NEAR(a.target.x, b.target.x, 1e-6);
  EXPECT_NEAR(a.target.y, b.target.y, 1e-6);
  EXPECT_NEAR(a.target.z, b.target.z, 1e-9);
  EXPECT_NEAR(a.distance, b.distance, 1e-9);
  EXPECT_NEAR(a.heading, b.heading, 1e-12);
  EXPECT_NEAR(a.pitch, b.pitch, 1e-12);
  EXPECT_NEAR(a.fov_y, b.fov_y, 1e-12);
}

}  // namespace

TEST(ViewState, JsonRoundTripGivesTheSameState) {
  auto scene = parktwin::scene::testing::load_default_scene();
  ASSERT_NE(scene, nullptr);
  const ViewState v = sample_state(*scene);
  const std::string text = to_json(v);
  EXPECT_NE(text.find("\"version\": \"parktwin.viewstate/1\""), std::string::npos) << text;
  auto back = from_json(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(*back == v) << text << "\nread back as\n" << to_json(*back);
  EXPECT_EQ(to_json(*back), text);

  // Live moment, nothing selected, no highlight, default camera values.
  ViewState live;
  live.layers = {{"parks", true, 0.55f}};
  auto back_live = from_json(to_json(live));
  ASSERT_TRUE(back_live) << back_live.error().message;
  EXPECT_TRUE(*back_live == live) << to_json(*back_live);
  EXPECT_FALSE(back_live->moment_ms.has_value());

  // Through a file as well.
  const std::string path = std::string(PARKTWIN_TEST_OUT) + "/view_state_roundtrip.json";
  ASSERT_TRUE(write_view_state(v, path));
  auto from_file = read_view_state(path);
  ASSERT_TRUE(from_file) << from_file.error().message;
  EXPECT_TRUE(*from_file == v);
}

TEST(ViewState, RefusesOtherVersionsAndMalformedInputWithAClearMessage) {
  auto expect_refused = [](const std::string& text, const std::string& says) {
    auto r = from_json(text);
    ASSERT_FALSE(r) << "accepted: " << text;
    EXPECT_NE(r.error().message.find(says), std::string::npos) << r.error().message;
  };
  const std::string cam = R"("camera": {"lon": 115.9, "lat": 28.6, "distance_m": 2000})";
  expect_refused(R"({"version": "parktwin.viewstate/2", )" + cam + "}", "parktwin.viewstate/1");
  expect_refused("{" + cam + "}", "version");
  expect_refused("{\"version\": \"parktwin.viewstate/1\", " + cam, "not JSON");
  expect_refused("[1, 2]", "JSON object");
  expect_refused(R"({"version": "parktwin.viewstate/1"})", "camera");
  expect_refused(R"({"version": "parktwin.viewstate/1", "camera": {"lon": 115.9, "lat": 128.6}})", "camera.lat");
  expect_refused(R"({"version": "parktwin.viewstate/1", "camera": {"lon": "east", "lat": 28}})", "camera.lon");
  expect_refused(R"({"version": "parktwin.viewstate/1", )" + cam + R"(, "layers": [{"id": "parks", "opacity": 2}]})",
                 "layers[0].opacity");
  expect_refused(R"({"version": "parktwin.viewstate/1", )" + cam + R"(, "binding": {"height_metric": "speed"}})",
                 "binding.height_metric");
  expect_refused(R"({"version": "parktwin.viewstate/1", )" + cam + R"(, "chains": {"highlight": "tea"}})", "tea");
  expect_refused(R"({"version": "parktwin.viewstate/1", )" + cam + R"(, "language": "fr"})", "language");
  expect_refused(R"({"version": "parktwin.viewstate/1", )" + cam + R"(, "moment": "yesterday"})", "moment");
  auto missing = read_view_state(std::string(PARKTWIN_TEST_OUT) + "/no_such_state.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no_such_state.json"), std::string::npos);

  // The smallest valid state: a version and a camera; everything else takes its default.
  auto minimal = from_json(R"({"version": "parktwin.viewstate/1", )" + cam + "}");
  ASSERT_TRUE(minimal) << minimal.error().message;
  EXPECT_DOUBLE_EQ(minimal->camera.distance_m, 2000.0);
  EXPECT_EQ(minimal->language, "zh");
  EXPECT_FALSE(minimal->moment_ms.has_value());
}

// Found by tests/fuzz/view_state_fuzz: JSON allows 1e999, nlohmann::json refuses it with
// out_of_range (not parse_error), which escaped from_json and terminated the program.
TEST(ViewState, ANumberBeyondADoubleIsRefusedNotThrown) {
  const std::string path = std::string(PARKTWIN_FUZZ_CORPUS) + "/view_state/regress_number_overflow.json";
  std::optional<gis::Result<ViewState>> r;
  ASSERT_NO_THROW(r = read_view_state(path));
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error().kind, gis::Failure::InvalidData);
  for (const char* says : {"regress_number_overflow.json", "out of range", "28.7e999"})
    EXPECT_NE(r->error().message.find(says), std::string::npos) << r->error().message;
  // The same file with an ordinary latitude is a valid state: only the number was wrong.
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("28.7e999"), 8, "28.7");
  auto fixed = from_json(text);
  ASSERT_TRUE(fixed) << fixed.error().message;
  EXPECT_DOUBLE_EQ(fixed->camera.lat, 28.7);
}

TEST(ViewState, LerpReturnsTheKeyframesExactlyAtItsEnds) {
  auto scene = parktwin::scene::testing::load_default_scene();
  ASSERT_NE(scene, nullptr);
  const ViewState b = sample_state(*scene);
  ViewState a = capture(*scene, Camera::framing(scene->bmin, scene->bmax, 16.0 / 9.0), {"province", "zh", 1790000000000, {}});
  ASSERT_FALSE(a == b);
  EXPECT_TRUE(lerp(a, b, 0.0, scene->frame()) == a);
  EXPECT_TRUE(lerp(a, b, 1.0, scene->frame()) == b);

  // Between: discrete fields switch at 0.5, opacity, height scale and the moment blend.
  const ViewState early = lerp(a, b, 0.25, scene->frame()), late = lerp(a, b, 0.5, scene->frame());
  EXPECT_EQ(early.language, a.language);
  EXPECT_EQ(late.language, b.language);
  EXPECT_EQ(early.selected_enterprise, a.selected_enterprise);
  EXPECT_EQ(late.selected_enterprise, b.selected_enterprise);
  EXPECT_EQ(early.style.color_by, a.style.color_by);
  EXPECT_EQ(late.style.color_by, b.style.color_by);
  EXPECT_EQ(early.layers.at(0).visible, a.layers.at(0).visible);
  EXPECT_EQ(late.layers.at(0).visible, b.layers.at(0).visible);
  EXPECT_NEAR(early.layers.at(1).opacity, 0.75f * a.layers.at(1).opacity + 0.25f * b.layers.at(1).opacity, 1e-6);
  EXPECT_NEAR(early.style.height_scale, 0.75 * a.style.height_scale + 0.25 * b.style.height_scale, 1e-6);
  EXPECT_EQ(*late.moment_ms, (*a.moment_ms + *b.moment_ms) / 2);
  // The camera moves from one to the other without jumps.
  GeoCamera prev = a.camera;
  for (int i = 1; i <= 100; ++i) {
    const GeoCamera g = lerp(a, b, i / 100.0, scene->frame()).camera;
    EXPECT_LT(std::abs(g.lon - prev.lon) + std::abs(g.lat - prev.lat), 0.1) << "step " << i;
    prev = g;
  }
  EXPECT_EQ(prev, b.camera);
}

TEST(ViewState, ApplyOfACaptureGivesTheSceneAndCameraBack) {
  auto scene = parktwin::scene::testing::load_default_scene();
  ASSERT_NE(scene, nullptr);
  // Move the scene away from its defaults, then capture that.
  const ViewState v = sample_state(*scene);
  Camera cam;
  EXPECT_TRUE(apply(v, *scene, cam).empty());
  const SceneView x = SceneView::of(*scene);
  const Camera x_cam = cam;
  const ViewState captured = capture(*scene, cam, {v.name, v.language, v.moment_ms, v.panels});

  // Back to the defaults, then apply what was captured.
  auto fresh = parktwin::scene::testing::load_default_scene();
  ASSERT_NE(fresh, nullptr);
  ASSERT_FALSE(SceneView::of(*fresh) == x);
  Camera back_cam;
  EXPECT_TRUE(apply(captured, *fresh, back_cam).empty());
  EXPECT_TRUE(SceneView::of(*fresh) == x);
  expect_camera_near(back_cam, x_cam);
  EXPECT_EQ(fresh->enterprises.at(static_cast<size_t>(fresh->selected_enterprise)).id, v.selected_enterprise);

  // And the capture of the applied state is the captured state (the camera within a micrometre).
  ViewState again = capture(*fresh, back_cam, {v.name, v.language, v.moment_ms, v.panels});
  EXPECT_NEAR(again.camera.lon, captured.camera.lon, 1e-11);
  EXPECT_NEAR(again.camera.lat, captured.camera.lat, 1e-11);
  again.camera = captured.camera;
  EXPECT_TRUE(again == captured);

  // The default scene through capture and apply is unchanged too.
  auto plain = parktwin::scene::testing::load_default_scene();
  ASSERT_NE(plain, nullptr);
  plain->restyle();
  const SceneView before = SceneView::of(*plain);
  const Camera c0 = Camera::framing(plain->bmin, plain->bmax, 1.5);
  Camera c1;
  EXPECT_TRUE(apply(capture(*plain, c0), *plain, c1).empty());
  EXPECT_TRUE(SceneView::of(*plain) == before);
  expect_camera_near(c1, c0);
}

TEST(ViewState, UnknownLayersAndEnterprisesAreWarningsNotFailures) {
  auto scene = parktwin::scene::testing::load_default_scene();
  ASSERT_NE(scene, nullptr);
  ViewState v = sample_state(*scene);
  v.layers.push_back({"user:gone.shp/gone", false, 0.5f});
  v.selected_enterprise = "no-such-enterprise";
  Camera cam;
  const std::vector<std::string> w = apply(v, *scene, cam);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NE(w[0].find("user:gone.shp/gone"), std::string::npos) << w[0];
  EXPECT_NE(w[1].find("no-such-enterprise"), std::string::npos) << w[1];
  EXPECT_EQ(scene->selected_enterprise, -1);
  // Everything the scene does have was applied.
  EXPECT_FALSE(scene->layers.at(0).style.visible);
  EXPECT_FLOAT_EQ(scene->layers.at(1).style.opacity, 0.3f);
  EXPECT_EQ(scene->style_params.color_by, ColorBy::Chain);
}

TEST(ViewState, ApplyPushesNothingOnTheUndoStack) {
  auto scene = parktwin::scene::testing::load_default_scene();
  ASSERT_NE(scene, nullptr);
  UndoStack undo;
  Camera cam;
  (void)apply(sample_state(*scene), *scene, cam);
  EXPECT_FALSE(undo.can_undo());
  // One edit by command, then a state applied on top.
  const Command edit = SetColorBy{ColorBy::Height};
  undo.push(edit, apply_command(*scene, edit));
  ViewState v = sample_state(*scene);
  v.style.color_by = ColorBy::Revenue;
  v.layers.at(2).opacity = 0.25f;
  (void)apply(v, *scene, cam);
  const SceneView applied = SceneView::of(*scene);
  // Undo takes back the command only (colour mode back to what it replaced); the state's other
  // fields stay, and there is nothing more to undo.
  undo.undo(*scene);
  EXPECT_FALSE(undo.can_undo());
  EXPECT_EQ(scene->style_params.color_by, ColorBy::Chain);
  SceneView after = SceneView::of(*scene);
  after.color_by = applied.color_by;
  after.styles = applied.styles;
  EXPECT_TRUE(after == applied);
}
