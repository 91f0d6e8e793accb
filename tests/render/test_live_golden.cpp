// Stills at a moment of a feed: buildings must follow recorded values (history://) and the
// simulator's values (sim://) at a fixed time.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "golden.h"
#include "parktwin/app/app.h"
#include "parktwin/app/live_hub.h"
#include "parktwin/live/history.h"
#include "parktwin/live/payload.h"

namespace parktwin::test {
namespace {

constexpr uint32_t kW = 480, kH = 270;

std::unique_ptr<scene::Scene> default_scene() {
  std::ostringstream log;
  auto s = app::load_scene(app::AppOptions{}, log);
  EXPECT_TRUE(s.ok()) << log.str();
  return s.ok() ? std::move(*s) : nullptr;
}

TEST(LiveGolden, HeightsFollowRecordedValues) {
  auto scene = default_scene();
  ASSERT_TRUE(scene);
  namespace fs = std::filesystem;
  const fs::path db = fs::path(PARKTWIN_TEST_OUT) / "live_golden" / "recorded.db";
  fs::create_directories(db.parent_path());
  fs::remove(db);
  fs::remove(db.string() + "-wal");
  fs::remove(db.string() + "-shm");
  const int64_t t = *live::parse_time("2026-03-02T10:00:00Z");
  {
    auto h = live::HistoryStore::open(db.string(), scene->enterprises.size());
    ASSERT_TRUE(h.ok()) << h.error().message;
    // A recording: every Nanchang enterprise reports; even ones at full utilisation, odd ones at 10 %,
    // every fifth in maintenance. A later sample (after t) must not be used.
    std::vector<live::Sample> rec;
    for (uint32_t e = 0; e < scene->enterprises.size(); ++e) {
      if (scene->enterprises[e].park != "nanchang") continue;
      live::Sample s;
      s.enterprise = e;
      s.m.ts_ms = t - 60000;
      s.m.v = {1e6 * (1 + e % 7), 1000.0 * (1 + e % 5), e % 2 ? 10.0 : 100.0, 5.0};
      s.m.status = e % 5 == 0 ? scene::Status::Maintenance : scene::Status::Running;
      rec.push_back(s);
      s.m.ts_ms = t + 3600000;
      s.m.v[2] = 55.0;
      rec.push_back(s);
    }
    ASSERT_TRUE((*h)->append(rec).ok());
  }
  std::ostringstream log;
  auto ok = app::apply_feed_at(*scene, "history://" + db.string(), t, log);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  // Heights: 0.2 + 0.8 * utilisation/100 of the static height, from the sample at or before t.
  size_t checked = 0;
  for (size_t i = 0; i < scene->buildings.size(); ++i) {
    const auto& b = scene->buildings[i];
    if (b.enterprise < 0 || scene->enterprises[static_cast<size_t>(b.enterprise)].park != "nanchang") continue;
    const double util = b.enterprise % 2 ? 10.0 : 100.0;
    EXPECT_NEAR(scene->styles[i].height, b.height_m * (0.2 + 0.8 * util / 100.0), 1e-3) << "building " << i;
    EXPECT_EQ((scene->styles[i].flags & scene::kFlagMaintenance) != 0, b.enterprise % 5 == 0);
    ++checked;
  }
  EXPECT_GT(checked, 1000u);

  auto still = app::StillRenderer::create(*scene, app::AppOptions{});
  if (!still) GTEST_SKIP() << "no Vulkan device: " << still.error().message;
  auto cam = app::view_camera(*scene, "nanchang", double(kW) / kH);
  auto img = (*still)->render(*scene, *cam, kW, kH, "");
  ASSERT_TRUE(img.ok()) << img.error().message;
  const auto g = compare_golden("nanchang_recorded", *img);
  EXPECT_TRUE(g.ok) << g.message;
}

TEST(LiveGolden, SimulatorAtAFixedTimeIsReproducible) {
  auto scene = default_scene();
  ASSERT_TRUE(scene);
  const int64_t t = *live::parse_time("2026-07-01T10:00:00Z");
  std::ostringstream log;
  ASSERT_TRUE(app::apply_feed_at(*scene, "sim://?seed=7", t, log).ok());
  EXPECT_TRUE(scene->live_simulated);
  const auto first = scene->styles;
  ASSERT_TRUE(app::apply_feed_at(*scene, "sim://?seed=7", t, log).ok());
  ASSERT_EQ(first.size(), scene->styles.size());
  for (size_t i = 0; i < first.size(); ++i) ASSERT_EQ(first[i].height, scene->styles[i].height);
  auto still = app::StillRenderer::create(*scene, app::AppOptions{});
  if (!still) GTEST_SKIP() << "no Vulkan device: " << still.error().message;
  auto cam = app::view_camera(*scene, "yingtan", double(kW) / kH);
  auto img = (*still)->render(*scene, *cam, kW, kH, "");
  ASSERT_TRUE(img.ok()) << img.error().message;
  const auto g = compare_golden("yingtan_sim", *img);
  EXPECT_TRUE(g.ok) << g.message;
}

}  // namespace
}  // namespace parktwin::test
