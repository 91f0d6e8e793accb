// KML gx:Tour import and export: a hand-written fixture (tests/fixtures/tour.kml) lands the
// camera where the KML says, unsupported playlist items come back as warnings, bad views are
// refused, and an exported tour re-imports to the same steps.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "parktwin/gis/frame.h"
#include "parktwin/scene/kml_tour.h"

namespace {

using namespace parktwin::scene;
using parktwin::gis::SceneFrame;

const std::string kFixture = std::string(PARKTWIN_FIXTURES) + "/tour.kml";

bool any_warning(const std::vector<std::string>& warnings, const std::string& needle) {
  return std::any_of(warnings.begin(), warnings.end(), [&](const std::string& w) { return w.find(needle) != std::string::npos; });
}

/// Metres between two WGS84 points a few metres apart.
double metres_apart(glm::dvec2 a, glm::dvec2 b) {
  constexpr double kM = 6371008.8 * M_PI / 180.0;
  return std::hypot((b.x - a.x) * kM * std::cos(a.y * M_PI / 180.0), (b.y - a.y) * kM);
}

std::string kml_with(const std::string& playlist) {
  return R"(<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2"><gx:Tour><name>t</name><gx:Playlist>)" +
         playlist + "</gx:Playlist></gx:Tour></kml>";
}

}  // namespace

TEST(KmlTour, FixtureImportsFlightsWaitAndPause) {
  const SceneFrame frame = SceneFrame::jiangxi();
  auto r = read_kml_tour(kFixture, frame);
  ASSERT_TRUE(r) << r.error().message;
  const Tour& t = r->tour;
  EXPECT_EQ(t.name_en, "Copper to lithium");
  EXPECT_EQ(t.name_zh, "从铜到锂");
  ASSERT_EQ(t.steps.size(), 6u);
  EXPECT_TRUE(std::holds_alternative<FlyToStep>(t.steps[0]));
  ASSERT_TRUE(std::holds_alternative<WaitStep>(t.steps[1]));
  EXPECT_EQ(std::get<WaitStep>(t.steps[1]).duration_s, 2.5);
  EXPECT_TRUE(std::holds_alternative<PauseStep>(t.steps[2]));
  EXPECT_TRUE(std::holds_alternative<FlyToStep>(t.steps[3]));
  EXPECT_TRUE(std::holds_alternative<FlyToStep>(t.steps[4]));
  EXPECT_TRUE(std::holds_alternative<FlyToStep>(t.steps[5]));
  EXPECT_EQ(std::get<FlyToStep>(t.steps[0]).mode, FlyMode::Bounce);
  EXPECT_EQ(std::get<FlyToStep>(t.steps[3]).mode, FlyMode::Smooth);
  EXPECT_EQ(std::get<FlyToStep>(t.steps[4]).mode, FlyMode::Bounce) << "gx:flyToMode defaults to bounce";
  EXPECT_DOUBLE_EQ(total_duration(t), 5 + 2.5 + 8 + 4 + 3);
}

TEST(KmlTour, LookAtLandsTheCameraWhereTheKmlSays) {
  auto r = read_kml_tour(kFixture, SceneFrame::jiangxi());
  ASSERT_TRUE(r) << r.error().message;
  const FlyToStep& f = std::get<FlyToStep>(r->tour.steps[0]);
  EXPECT_EQ(f.duration_s, 5.0);
  EXPECT_DOUBLE_EQ(f.camera.lon, 117.2252);
  EXPECT_DOUBLE_EQ(f.camera.lat, 28.3299);
  EXPECT_DOUBLE_EQ(f.camera.distance_m, 3000.0);
  EXPECT_DOUBLE_EQ(f.camera.heading_deg, 30.0);
  EXPECT_DOUBLE_EQ(f.camera.pitch_deg, 30.0);  // 90 - tilt 60
}

TEST(KmlTour, CameraEyeLandsWhereTheKmlPutsIt) {
  const SceneFrame frame = SceneFrame::jiangxi();
  auto r = read_kml_tour(kFixture, frame);
  ASSERT_TRUE(r) << r.error().message;
  struct Eye {
    std::size_t step;
    double lon, lat, alt, heading, tilt;
  };
  // The two Camera views of the fixture: oblique over Yichun, straight down over Nanchang.
  for (const Eye& e : {Eye{3, 114.36, 27.85, 2500.0, 45.0, 50.0}, Eye{4, 115.9, 28.68, 12000.0, -20.0, 0.0}}) {
    SCOPED_TRACE(e.step);
    const GeoCamera& g = std::get<FlyToStep>(r->tour.steps[e.step]).camera;
    EXPECT_NEAR(g.pitch_deg, 90.0 - e.tilt, 1e-9);
    EXPECT_NEAR(g.heading_deg, e.heading, 1e-9);
    const glm::dvec3 eye = to_camera(g, frame).eye();
    const glm::dvec2 eye_ll = frame.to_wgs84(glm::dvec2(eye));
    EXPECT_LT(metres_apart(eye_ll, {e.lon, e.lat}), 0.5) << "eye at " << eye_ll.x << ", " << eye_ll.y;
    EXPECT_NEAR(eye.z, e.alt, 0.5);
    // The target lies ahead of the eye along the heading, altitude·tan(tilt) away.
    const double ahead = e.alt * std::tan(e.tilt * M_PI / 180.0);
    EXPECT_NEAR(metres_apart({e.lon, e.lat}, {g.lon, g.lat}), ahead, 0.01 * ahead + 0.5);
  }
}

TEST(KmlTour, UnsupportedElementsAreNamedInWarnings) {
  auto r = read_kml_tour(kFixture, SceneFrame::jiangxi());
  ASSERT_TRUE(r) << r.error().message;
  const auto& w = r->warnings;
  EXPECT_TRUE(any_warning(w, "gx:SoundCue")) << ::testing::PrintToString(w);
  EXPECT_TRUE(any_warning(w, "gx:AnimatedUpdate")) << ::testing::PrintToString(w);
  EXPECT_TRUE(any_warning(w, "roll 5")) << ::testing::PrintToString(w);
  EXPECT_TRUE(any_warning(w, "altitudeMode absolute")) << ::testing::PrintToString(w);
  EXPECT_EQ(w.size(), 4u) << ::testing::PrintToString(w);

  auto extra = import_kml_tour(kml_with("<gx:FlyTo><gx:duration>2</gx:duration><gx:flyToMode>warp</gx:flyToMode>"
                                        "<LookAt><longitude>116</longitude><latitude>28.7</latitude><range>900</range>"
                                        "<gx:TimeStamp><when>2026</when></gx:TimeStamp></LookAt></gx:FlyTo>"
                                        "<gx:TourControl><gx:playMode>play</gx:playMode></gx:TourControl><Placemark/>"),
                               SceneFrame::jiangxi());
  ASSERT_TRUE(extra) << extra.error().message;
  EXPECT_TRUE(any_warning(extra->warnings, "warp")) << ::testing::PrintToString(extra->warnings);
  EXPECT_TRUE(any_warning(extra->warnings, "gx:TimeStamp")) << ::testing::PrintToString(extra->warnings);
  EXPECT_TRUE(any_warning(extra->warnings, "gx:TourControl")) << ::testing::PrintToString(extra->warnings);
  EXPECT_TRUE(any_warning(extra->warnings, "Placemark")) << ::testing::PrintToString(extra->warnings);
}

TEST(KmlTour, ViewsThatCannotBePlacedAndBrokenFilesAreRefused) {
  const SceneFrame frame = SceneFrame::jiangxi();
  auto horizon = import_kml_tour(kml_with("<gx:FlyTo><Camera><longitude>116</longitude><latitude>28.7</latitude>"
                                          "<altitude>500</altitude><tilt>90</tilt></Camera></gx:FlyTo>"),
                                 frame);
  ASSERT_FALSE(horizon);
  EXPECT_NE(horizon.error().message.find("tilt"), std::string::npos) << horizon.error().message;
  EXPECT_NE(horizon.error().message.find("item 1"), std::string::npos) << horizon.error().message;
  auto no_range = import_kml_tour(kml_with("<gx:FlyTo><LookAt><longitude>116</longitude><latitude>28.7</latitude></LookAt></gx:FlyTo>"), frame);
  ASSERT_FALSE(no_range);
  EXPECT_NE(no_range.error().message.find("range"), std::string::npos) << no_range.error().message;
  auto bad_number = import_kml_tour(kml_with("<gx:Wait><gx:duration>two</gx:duration></gx:Wait>"), frame);
  ASSERT_FALSE(bad_number);
  EXPECT_NE(bad_number.error().message.find("'two'"), std::string::npos) << bad_number.error().message;
  auto broken = import_kml_tour("<kml><gx:Tour>", frame);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("XML"), std::string::npos) << broken.error().message;
  auto no_tour = import_kml_tour(R"(<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>)", frame);
  ASSERT_FALSE(no_tour);
  EXPECT_NE(no_tour.error().message.find("gx:Tour"), std::string::npos) << no_tour.error().message;
  auto missing = read_kml_tour("/nonexistent/tour.kml", frame);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/tour.kml"), std::string::npos);
}

TEST(KmlTour, ExportReimportsToTheSameSteps) {
  Tour t;
  t.name_zh = "鹰潭铜 & 宜春锂 <导览>";
  t.name_en = "Copper & lithium <tour>";
  GeoCamera a;
  a.lon = 117.2252;
  a.lat = 28.3299;
  a.distance_m = 3456.7;
  a.heading_deg = 33.3;
  a.pitch_deg = 37.3;
  GeoCamera b = a;
  b.lon = 114.367;
  b.lat = 27.868;
  b.distance_m = 120000.0;
  b.heading_deg = -150.0;
  b.pitch_deg = 90.0;
  t.steps.push_back(FlyToStep{a, 6.5, FlyMode::Smooth});
  t.steps.push_back(WaitStep{1.25});
  t.steps.push_back(*make_caption("说明", "caption"));
  t.steps.push_back(PauseStep{});
  t.steps.push_back(FlyToStep{b, 12.0, FlyMode::Bounce});
  t.steps.push_back(HighlightStep{HighlightStep::Chain, "new_energy"});

  const KmlTourExport ex = export_kml_tour(t);
  EXPECT_NE(ex.kml.find("http://www.opengis.net/kml/2.2"), std::string::npos);
  EXPECT_NE(ex.kml.find("xmlns:gx=\"http://www.google.com/kml/ext/2.2\""), std::string::npos);
  EXPECT_NE(ex.kml.find("&amp;"), std::string::npos) << "text is escaped";
  EXPECT_EQ(ex.warnings.size(), 2u) << ::testing::PrintToString(ex.warnings);
  EXPECT_TRUE(any_warning(ex.warnings, "caption"));
  EXPECT_TRUE(any_warning(ex.warnings, "highlight"));

  auto back = import_kml_tour(ex.kml, SceneFrame::jiangxi());
  ASSERT_TRUE(back) << back.error().message << "\n" << ex.kml;
  EXPECT_TRUE(back->warnings.empty()) << ::testing::PrintToString(back->warnings);
  EXPECT_EQ(back->tour.name_zh, t.name_zh);
  EXPECT_EQ(back->tour.name_en, t.name_en);
  ASSERT_EQ(back->tour.steps.size(), 4u);
  const auto& f0 = std::get<FlyToStep>(back->tour.steps[0]);
  const auto& f3 = std::get<FlyToStep>(back->tour.steps[3]);
  for (const auto& [got, want] : {std::pair{f0, std::get<FlyToStep>(t.steps[0])}, std::pair{f3, std::get<FlyToStep>(t.steps[4])}}) {
    EXPECT_EQ(got.duration_s, want.duration_s);
    EXPECT_EQ(got.mode, want.mode);
    EXPECT_EQ(got.camera.lon, want.camera.lon);
    EXPECT_EQ(got.camera.lat, want.camera.lat);
    EXPECT_EQ(got.camera.distance_m, want.camera.distance_m);
    EXPECT_EQ(got.camera.heading_deg, want.camera.heading_deg);
    EXPECT_NEAR(got.camera.pitch_deg, want.camera.pitch_deg, 1e-12);
    EXPECT_EQ(got.camera.fov_deg, want.camera.fov_deg);
  }
  EXPECT_EQ(std::get<WaitStep>(back->tour.steps[1]).duration_s, 1.25);
  EXPECT_TRUE(std::holds_alternative<PauseStep>(back->tour.steps[2]));
}
