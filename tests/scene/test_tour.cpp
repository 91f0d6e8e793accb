// Tours: evaluation at step boundaries and mid-flight, bounce against smooth flights, the player's
// clock (pause, Pause steps, operator takeover, next/previous, loop), the JSON form and every
// tour shipped in assets/tours/.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "parktwin/scene/facts.h"
#include "parktwin/scene/tour.h"
#include "scene_test_support.h"

namespace {

using namespace parktwin::scene;

GeoCamera cam(double lon, double lat, double dist, double heading = 0.0, double pitch = 45.0) {
  GeoCamera g;
  g.lon = lon;
  g.lat = lat;
  g.distance_m = dist;
  g.heading_deg = heading;
  g.pitch_deg = pitch;
  return g;
}

// Nanchang's Yaohu area, the Guixi smelter and Yichun's economic development zone.
const GeoCamera kYaohu = cam(116.08, 28.74, 6000.0, 0.0, 50.0);
const GeoCamera kGuixi = cam(117.2252, 28.3299, 4000.0, 30.0, 40.0);
const GeoCamera kYichun = cam(114.367, 27.868, 5000.0, 300.0, 60.0);

Tour sample_tour() {
  Tour t;
  t.name_zh = "测试";
  t.name_en = "Test";
  t.steps.push_back(FlyToStep{kGuixi, 4.0, FlyMode::Bounce});
  t.steps.push_back(*make_caption("鹰潭铜产业营收{fact:yingtan.copper_revenue_2022}", "Yingtan copper revenue {fact:yingtan.copper_revenue_2022}"));
  t.steps.push_back(HighlightStep{HighlightStep::Enterprise, "jxcc_guixi_smelter"});
  t.steps.push_back(WaitStep{2.0});
  t.steps.push_back(PauseStep{});
  t.steps.push_back(CaptionStep{.show = false});
  t.steps.push_back(TimelineStep{int64_t{1782864000000}});
  t.steps.push_back(FlyToStep{kYichun, 6.0, FlyMode::Smooth});
  t.steps.push_back(HighlightStep{HighlightStep::Chain, "new_energy"});
  t.steps.push_back(TimelineStep{});
  return t;
}

void expect_same_camera(const GeoCamera& a, const GeoCamera& b, double tol = 0.0) {
  EXPECT_NEAR(a.lon, b.lon, tol);
  EXPECT_NEAR(a.lat, b.lat, tol);
  EXPECT_NEAR(a.distance_m, b.distance_m, tol);
  EXPECT_NEAR(a.heading_deg, b.heading_deg, tol);
  EXPECT_NEAR(a.pitch_deg, b.pitch_deg, tol);
  EXPECT_NEAR(a.fov_deg, b.fov_deg, tol);
}

double ground_km(const GeoCamera& a, const GeoCamera& b) {
  const double kx = 111.195 * std::cos(a.lat * M_PI / 180.0);
  return std::hypot((b.lon - a.lon) * kx, (b.lat - a.lat) * 111.195);
}

}  // namespace

TEST(Tour, DurationsAndStepStarts) {
  const Tour t = sample_tour();
  EXPECT_DOUBLE_EQ(total_duration(t), 12.0);
  const std::vector<double> s = step_starts(t);
  ASSERT_EQ(s.size(), t.steps.size());
  EXPECT_EQ(s[0], 0.0);
  EXPECT_EQ(s[1], 4.0);
  EXPECT_EQ(s[4], 6.0);
  EXPECT_EQ(s[7], 6.0);
  EXPECT_EQ(s[9], 12.0);
}

TEST(Tour, EvaluateEndpointsEqualTheKeyframes) {
  const Tour t = sample_tour();
  EXPECT_EQ(evaluate(t, 0.0, kYaohu).camera, kYaohu);
  EXPECT_EQ(evaluate(t, 4.0, kYaohu).camera, kGuixi);
  EXPECT_EQ(evaluate(t, 5.0, kYaohu).camera, kGuixi);  // waiting
  EXPECT_EQ(evaluate(t, 6.0, kYaohu).camera, kGuixi);  // the second flight starts from the first keyframe
  EXPECT_EQ(evaluate(t, 12.0, kYaohu).camera, kYichun);
  EXPECT_EQ(evaluate(t, 99.0, kYaohu).camera, kYichun);
  EXPECT_TRUE(evaluate(t, 99.0, kYaohu).finished);
  // Just inside a flight the camera is close to, but not at, its keyframe.
  const GeoCamera near_end = evaluate(t, 4.0 - 1e-4, kYaohu).camera;
  expect_same_camera(near_end, kGuixi, 1e-3);
  const GeoCamera mid = evaluate(t, 2.0, kYaohu).camera;
  EXPECT_GT(mid.lon, kYaohu.lon + 0.1);
  EXPECT_LT(mid.lon, kGuixi.lon - 0.1);
}

TEST(Tour, EvaluateReportsCaptionHighlightTimelineStepAndPause) {
  const Tour t = sample_tour();
  const TourFrame f0 = evaluate(t, 1.0, kYaohu);
  EXPECT_EQ(f0.step, 0);
  EXPECT_FALSE(f0.caption);
  EXPECT_FALSE(f0.highlight);
  EXPECT_FALSE(f0.timeline);
  EXPECT_EQ(f0.pause_step, -1);

  const TourFrame f1 = evaluate(t, 5.0, kYaohu);
  EXPECT_EQ(f1.step, 3);
  ASSERT_TRUE(f1.caption);
  EXPECT_NE(f1.caption->zh.find("3724.5亿元"), std::string::npos) << f1.caption->zh;
  EXPECT_EQ(f1.caption->fact_ids, std::vector<std::string>{"yingtan.copper_revenue_2022"});
  ASSERT_TRUE(f1.highlight);
  EXPECT_EQ(f1.highlight->kind, HighlightStep::Enterprise);
  EXPECT_EQ(f1.highlight->key, "jxcc_guixi_smelter");

  // At 6 s the Pause step stands exactly at t; without a hold the steps behind it apply too.
  const TourFrame f2 = evaluate(t, 6.0, kYaohu);
  EXPECT_EQ(f2.pause_step, 4);
  EXPECT_FALSE(f2.caption);
  ASSERT_TRUE(f2.timeline);
  EXPECT_EQ(f2.timeline->utc_ms, int64_t{1782864000000});
  // Held at the pause, the caption is still up and the moment not yet set.
  const TourFrame held = evaluate(t, 6.0, kYaohu, 4);
  EXPECT_EQ(held.step, 4);
  EXPECT_TRUE(held.caption);
  EXPECT_FALSE(held.timeline);

  const TourFrame end = evaluate(t, 12.0, kYaohu);
  EXPECT_EQ(end.step, 9);
  ASSERT_TRUE(end.highlight);
  EXPECT_EQ(end.highlight->kind, HighlightStep::Chain);
  ASSERT_TRUE(end.timeline);
  EXPECT_FALSE(end.timeline->utc_ms);  // live
}

TEST(Tour, BounceRisesAboveBothEndsOnALongFlightAndSmoothDoesNot) {
  // Nanchang to Yichun: about 180 km over the ground, both ends a few kilometres up.
  ASSERT_GT(ground_km(kYaohu, kYichun), 150.0);
  const double top = std::max(kYaohu.distance_m, kYichun.distance_m);
  const double bottom = std::min(kYaohu.distance_m, kYichun.distance_m);
  double bounce_peak = 0.0;
  for (int i = 0; i <= 100; ++i) {
    const double s = i / 100.0;
    const GeoCamera b = fly_between(kYaohu, kYichun, s, FlyMode::Bounce);
    const GeoCamera m = fly_between(kYaohu, kYichun, s, FlyMode::Smooth);
    bounce_peak = std::max(bounce_peak, b.distance_m);
    EXPECT_LE(m.distance_m, top * (1 + 1e-12)) << s;
    EXPECT_GE(m.distance_m, bottom * (1 - 1e-12)) << s;
    // Both move the target along the same straight line.
    EXPECT_NEAR(b.lon, m.lon, 1e-12);
    EXPECT_NEAR(b.lat, m.lat, 1e-12);
  }
  EXPECT_GT(bounce_peak, 10.0 * top) << "bounce should climb with the ~180 km travelled";
  // The climb grows with the ground distance: half the hop, a lower peak.
  GeoCamera half = kYichun;
  half.lon = (kYaohu.lon + kYichun.lon) / 2;
  half.lat = (kYaohu.lat + kYichun.lat) / 2;
  EXPECT_LT(fly_between(kYaohu, half, 0.5, FlyMode::Bounce).distance_m, fly_between(kYaohu, kYichun, 0.5, FlyMode::Bounce).distance_m);
  // A short hop (about 1 km) does not climb at all.
  GeoCamera next_door = kYaohu;
  next_door.lon += 0.01;
  EXPECT_LE(fly_between(kYaohu, next_door, 0.5, FlyMode::Bounce).distance_m, kYaohu.distance_m * (1 + 1e-12));
  // Endpoints exact in both modes.
  EXPECT_EQ(fly_between(kYaohu, kYichun, 0.0, FlyMode::Bounce), kYaohu);
  EXPECT_EQ(fly_between(kYaohu, kYichun, 1.0, FlyMode::Smooth), kYichun);
}

TEST(TourPlayer, APausedThenResumedTourContinuesWhereItStopped) {
  TourPlayer p(sample_tour(), kYaohu);
  EXPECT_EQ(p.state(), TourPlayer::State::Stopped);
  p.update(5.0);
  EXPECT_EQ(p.time(), 0.0) << "a stopped player's clock does not run";
  p.play();
  p.update(1.5);
  p.update(1.0);
  EXPECT_DOUBLE_EQ(p.time(), 2.5);
  p.pause();
  EXPECT_EQ(p.state(), TourPlayer::State::Paused);
  const GeoCamera paused_at = p.frame().camera;
  for (int i = 0; i < 50; ++i) p.update(1.0);  // a long pause
  EXPECT_DOUBLE_EQ(p.time(), 2.5);
  EXPECT_EQ(p.frame().camera, paused_at);
  p.resume();
  const TourFrame f = p.update(0.5);
  EXPECT_DOUBLE_EQ(p.time(), 3.0);
  EXPECT_EQ(f.camera, evaluate(p.tour(), 3.0, kYaohu).camera);
}

TEST(TourPlayer, APauseStepHoldsUntilTheSpeakerResumes) {
  TourPlayer p(sample_tour(), kYaohu);
  p.play();
  TourFrame f = p.update(7.0);  // would pass 6 s, where the Pause step stands
  EXPECT_EQ(p.state(), TourPlayer::State::AtPauseStep);
  EXPECT_DOUBLE_EQ(p.time(), 6.0);
  EXPECT_EQ(f.pause_step, 4);
  EXPECT_TRUE(f.caption) << "the caption after the pause waits for the speaker";
  f = p.update(30.0);
  EXPECT_DOUBLE_EQ(p.time(), 6.0);
  p.resume();
  f = p.update(1.0);
  EXPECT_EQ(p.state(), TourPlayer::State::Playing);
  EXPECT_DOUBLE_EQ(p.time(), 7.0);
  EXPECT_FALSE(f.caption);
  EXPECT_TRUE(f.timeline);
  f = p.update(100.0);
  EXPECT_EQ(p.state(), TourPlayer::State::Finished);
  EXPECT_EQ(f.camera, kYichun);
}

TEST(TourPlayer, OperatorTakeoverStopsTheClockAndResumesAfterIdle) {
  TourPlayer p(sample_tour(), kYaohu);
  p.set_resume_after(10.0);
  p.play();
  p.update(2.0);
  p.operator_input();
  EXPECT_EQ(p.state(), TourPlayer::State::Takeover);
  p.update(6.0);
  p.operator_input();  // still busy: the idle count starts again
  p.update(6.0);
  EXPECT_EQ(p.state(), TourPlayer::State::Takeover);
  EXPECT_DOUBLE_EQ(p.time(), 2.0);
  p.update(4.5);  // 10.5 s without input
  EXPECT_EQ(p.state(), TourPlayer::State::Playing);
  EXPECT_DOUBLE_EQ(p.time(), 2.0);
  p.update(1.0);
  EXPECT_DOUBLE_EQ(p.time(), 3.0);
}

TEST(TourPlayer, NextPreviousAndLoop) {
  TourPlayer p(sample_tour(), kYaohu);
  p.play();
  p.update(1.0);
  p.next();
  EXPECT_DOUBLE_EQ(p.time(), 4.0);
  p.next();
  EXPECT_DOUBLE_EQ(p.time(), 6.0);
  p.update(0.0);
  EXPECT_EQ(p.state(), TourPlayer::State::AtPauseStep) << "arriving on a Pause step holds there";
  p.next();  // at a pause, next goes on
  EXPECT_EQ(p.state(), TourPlayer::State::Playing);
  p.update(2.0);
  EXPECT_DOUBLE_EQ(p.time(), 8.0);
  p.previous();
  EXPECT_DOUBLE_EQ(p.time(), 6.0);
  p.previous();
  EXPECT_DOUBLE_EQ(p.time(), 4.0);
  p.previous();
  EXPECT_DOUBLE_EQ(p.time(), 0.0);

  p.set_loop(true);
  p.seek(11.0);
  p.update(2.0);  // past the end: back to the start and one second in
  EXPECT_EQ(p.state(), TourPlayer::State::Playing);
  EXPECT_DOUBLE_EQ(p.time(), 1.0);
  p.update(10.0);  // the Pause step holds again on the second lap
  EXPECT_EQ(p.state(), TourPlayer::State::AtPauseStep);
  EXPECT_DOUBLE_EQ(p.time(), 6.0);
}

TEST(TourJson, RoundTripKeepsStepsAndPlaceholders) {
  const Tour t = sample_tour();
  const std::string text = tour_to_json(t);
  EXPECT_NE(text.find("{fact:yingtan.copper_revenue_2022}"), std::string::npos);
  EXPECT_EQ(text.find("3724.5"), std::string::npos) << "a figure was typed into the file";
  EXPECT_NE(text.find("2026-07-01T00:00:00Z"), std::string::npos);
  auto back = parse_tour(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->name_zh, t.name_zh);
  EXPECT_EQ(back->name_en, t.name_en);
  ASSERT_EQ(back->steps.size(), t.steps.size());
  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_EQ(back->steps[i].index(), t.steps[i].index());
    if (const auto* f = std::get_if<FlyToStep>(&t.steps[i])) {
      const auto& g = std::get<FlyToStep>(back->steps[i]);
      EXPECT_EQ(g.camera, f->camera);
      EXPECT_EQ(g.duration_s, f->duration_s);
      EXPECT_EQ(g.mode, f->mode);
    }
    if (const auto* c = std::get_if<CaptionStep>(&t.steps[i])) {
      const auto& d = std::get<CaptionStep>(back->steps[i]);
      EXPECT_EQ(d.show, c->show);
      EXPECT_EQ(d.zh, c->zh);
      EXPECT_EQ(d.en, c->en);
      EXPECT_EQ(d.source, c->source);
      EXPECT_EQ(d.fact_ids, c->fact_ids);
    }
    if (const auto* h = std::get_if<HighlightStep>(&t.steps[i])) {
      EXPECT_EQ(std::get<HighlightStep>(back->steps[i]), *h);
    }
    if (const auto* m = std::get_if<TimelineStep>(&t.steps[i])) {
      EXPECT_EQ(std::get<TimelineStep>(back->steps[i]), *m);
    }
  }
}

TEST(TourJson, CaptionsExpandFactsWithTheirSource) {
  auto c = make_caption("宜春碳酸锂产量{fact:yichun.lithium_carbonate_2022},约占全国{fact:yichun.lithium_carbonate_share_2022}",
                        "Lithium carbonate {fact:yichun.lithium_carbonate_2022}, {fact:yichun.lithium_carbonate_share_2022} of China");
  ASSERT_TRUE(c) << c.error().message;
  const Fact& f = plan_facts().get("yichun.lithium_carbonate_2022");
  EXPECT_NE(c->zh.find(f.figure), std::string::npos) << c->zh;
  EXPECT_NE(c->en.find(fact_display(f)), std::string::npos) << c->en;
  EXPECT_EQ(c->zh.find("{fact:"), std::string::npos);
  EXPECT_EQ(c->fact_ids.size(), 2u);
  EXPECT_NE(c->source.find(fact_source(f)), std::string::npos) << c->source;
}

TEST(TourJson, BadInputIsRefusedWithTheReason) {
  auto expect_error = [](const std::string& text, const std::string& needle) {
    auto r = parse_tour(text);
    ASSERT_FALSE(r) << text;
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  const std::string head = R"({"schema":"parktwin.tour/1","name":{"en":"x"},"steps":[)";
  expect_error("{", "not valid JSON");
  expect_error(R"({"schema":"parktwin.tour/2","name":{"en":"x"},"steps":[]})", "parktwin.tour/1");
  expect_error(R"({"schema":"parktwin.tour/1","steps":[]})", "name");
  expect_error(head + R"({"type":"caption","zh":"{fact:yingtan.no_such_fact}"}]})", "yingtan.no_such_fact");
  expect_error(head + R"({"type":"caption","en":"{fact:yingtan.copper"}]})", "not closed");
  expect_error(head + R"({"type":"jump"}]})", "unknown type 'jump'");
  expect_error(head + R"({"type":"wait","duration_s":-1}]})", "step 1 (wait)");
  expect_error(head + R"({"type":"wait","duration":3}]})", "unknown key 'duration'");
  expect_error(head + R"({"type":"fly_to","duration_s":3,"camera":{"lon":116,"lat":28.7}}]})", "distance_m");
  expect_error(head + R"({"type":"fly_to","duration_s":3,"mode":"warp","camera":{"lon":116,"lat":28.7,"distance_m":900}}]})", "mode");
  expect_error(head + R"({"type":"fly_to","duration_s":3,"camera":{"lon":116,"lat":28.7,"distance_m":900,"pitch_deg":95}}]})", "pitch_deg");
  expect_error(head + R"({"type":"highlight","chain":"copper"}]})", "unknown chain 'copper'");
  expect_error(head + R"({"type":"timeline","utc":"2026-02-30T00:00:00Z"}]})", "utc");
  expect_error(head + R"({"type":"caption","hide":"yes"}]})", "'hide' must be true or false");
  expect_error(head + R"({"type":"highlight","enterprise":7}]})", "'enterprise' must be a string");
  auto missing = read_tour("/nonexistent/tour.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/tour.json"), std::string::npos);
}

TEST(ShippedTours, EveryTourLoadsResolvesItsFactsAndFliesInsideJiangxi) {
  const std::filesystem::path dir = std::filesystem::path(PARKTWIN_ASSET_DIR) / "tours";
  std::set<std::string> names;
  auto scene = parktwin::scene::testing::load_default_scene();
  ASSERT_TRUE(scene);
  std::set<std::string> enterprise_ids;
  for (const Enterprise& e : scene->enterprises) enterprise_ids.insert(e.id);
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    const std::string path = entry.path().string();
    SCOPED_TRACE(path);
    names.insert(entry.path().filename().string());
    std::ifstream in(path);
    std::stringstream raw;
    raw << in.rdbuf();
    // No figure of the document is typed into a tour file: captions name facts by id.
    for (const Fact& f : plan_facts().facts)
      EXPECT_EQ(raw.str().find(f.figure), std::string::npos) << "figure " << f.figure << " typed in; use {fact:" << f.id << "}";
    auto tour = read_tour(path);
    ASSERT_TRUE(tour) << tour.error().message;
    EXPECT_FALSE(tour->name_zh.empty());
    EXPECT_FALSE(tour->name_en.empty());
    int flights = 0, captions = 0;
    for (const TourStep& s : tour->steps) {
      if (const auto* f = std::get_if<FlyToStep>(&s)) {
        ++flights;
        EXPECT_GE(f->camera.lon, 113.5);
        EXPECT_LE(f->camera.lon, 118.5);
        EXPECT_GE(f->camera.lat, 24.5);
        EXPECT_LE(f->camera.lat, 30.1);
        EXPECT_GT(f->duration_s, 0.0);
      }
      if (const auto* c = std::get_if<CaptionStep>(&s); c && c->show) {
        ++captions;
        EXPECT_FALSE(c->zh.empty());
        EXPECT_FALSE(c->en.empty());
        EXPECT_EQ(c->zh.find("{fact:"), std::string::npos);
        EXPECT_EQ(c->en.find("{fact:"), std::string::npos);
        for (const std::string& id : c->fact_ids) EXPECT_TRUE(plan_facts().find(id)) << id;
        EXPECT_FALSE(c->source.empty()) << "caption without a source: " << c->en;
      }
      if (const auto* h = std::get_if<HighlightStep>(&s); h && h->kind == HighlightStep::Enterprise) {
        EXPECT_TRUE(enterprise_ids.count(h->key)) << "no enterprise '" << h->key << "' in the dataset";
      }
    }
    EXPECT_GE(flights, 2);
    EXPECT_GE(captions, 2);
    EXPECT_GT(total_duration(*tour), 10.0);
    // What the file says is what the program writes back.
    auto again = parse_tour(tour_to_json(*tour));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->steps.size(), tour->steps.size());
  }
  for (const char* n : {"province.json", "nanchang.json", "yingtan.json", "yichun.json"}) EXPECT_TRUE(names.count(n)) << n;
}
