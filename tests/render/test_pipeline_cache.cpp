// Pipelines compile on worker threads through a cache kept on disk: Renderer::create returns
// before they are done, the second renderer starts from the file the first one wrote, and a
// corrupt file is ignored. The times are printed for the README (MESA_SHADER_CACHE_DISABLE=true
// keeps Mesa's own shader cache out of the measurement).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "parktwin/app/app.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/frame_snapshot.h"

namespace parktwin::test {
namespace {

namespace fs = std::filesystem;

struct Start {
  double create_ms = 0, first_frame_ms = 0;
  render::RenderStats stats;
  render::Image image;
  bool ok = false;
};

Start start_and_draw(const scene::Scene& s, const scene::Camera& cam) {
  Start run;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = render::Renderer::create({});
  const auto t1 = std::chrono::steady_clock::now();
  if (!r) return run;
  run.create_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  if (!(*r)->upload_scene(s).ok()) return run;
  const auto snap = scene::snapshot_of(s, cam);
  auto img = (*r)->render_offscreen({.frame = snap.get()}, 320, 180);
  run.first_frame_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!img) return run;
  run.image = *img;
  run.stats = (*r)->stats();
  run.ok = true;
  return run;  // the renderer goes here: its compiler writes the cache file
}

std::vector<fs::path> cache_files(const fs::path& dir) {
  std::vector<fs::path> v;
  if (fs::exists(dir / "parktwin"))
    for (const auto& e : fs::directory_iterator(dir / "parktwin")) v.push_back(e.path());
  return v;
}

TEST(PipelineCache, SecondStartUsesTheFileAndACorruptOneIsIgnored) {
  std::ostringstream log;
  auto s = app::load_scene(app::AppOptions{}, log);
  ASSERT_TRUE(s.ok()) << log.str();
  auto cam = app::view_camera(**s, "nanchang", 320.0 / 180.0);
  ASSERT_TRUE(cam.ok());
  const fs::path dir = fs::path(PARKTWIN_TEST_OUT) / "pipeline_cache";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const char* saved = std::getenv("XDG_CACHE_HOME");
  const std::string saved_value = saved ? saved : "";
  setenv("XDG_CACHE_HOME", dir.c_str(), 1);

  const Start cold = start_and_draw(**s, *cam);
  if (!cold.ok) GTEST_SKIP() << "no Vulkan device";
  EXPECT_FALSE(cold.stats.pipelines_from_cache);
  EXPECT_GT(cold.stats.pipelines_ms, 0.0);
  const auto files = cache_files(dir);
  ASSERT_EQ(files.size(), 1u) << "one cache file per device and driver";
  EXPECT_GT(fs::file_size(files[0]), 32u);

  const Start warm = start_and_draw(**s, *cam);
  ASSERT_TRUE(warm.ok);
  EXPECT_TRUE(warm.stats.pipelines_from_cache);
  EXPECT_EQ(warm.image.rgba, cold.image.rgba);

  // A byte flipped in the middle, then a truncated file: ignored, the pictures unchanged.
  {
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(files[0]) / 2));
    f.put('\x5a');
  }
  const Start flipped = start_and_draw(**s, *cam);
  ASSERT_TRUE(flipped.ok);
  EXPECT_FALSE(flipped.stats.pipelines_from_cache);
  EXPECT_EQ(flipped.image.rgba, cold.image.rgba);
  fs::resize_file(files[0], 20);
  const Start truncated = start_and_draw(**s, *cam);
  ASSERT_TRUE(truncated.ok);
  EXPECT_FALSE(truncated.stats.pipelines_from_cache);
  EXPECT_EQ(truncated.image.rgba, cold.image.rgba);

  std::printf("[ timing   ] cold: create %.1f ms, pipelines %.1f ms, first frame %.1f ms\n", cold.create_ms,
              cold.stats.pipelines_ms, cold.first_frame_ms);
  std::printf("[ timing   ] warm: create %.1f ms, pipelines %.1f ms, first frame %.1f ms\n", warm.create_ms,
              warm.stats.pipelines_ms, warm.first_frame_ms);
  if (saved) setenv("XDG_CACHE_HOME", saved_value.c_str(), 1);
  else unsetenv("XDG_CACHE_HOME");
}

}  // namespace
}  // namespace parktwin::test
