// RendererOptions::warm_up draws a built-in scene once at creation (so lavapipe compiles its shader
// variants then). It must leave nothing behind: a warmed renderer draws an empty scene and the
// default scene exactly as a fresh one does, uploads the same, and the validation layer is silent.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <sstream>

#include "golden.h"
#include "parktwin/app/app.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/frame_snapshot.h"

namespace parktwin::test {
namespace {

/// The default scene and its Nanchang view at `aspect` (scene null where it did not load: see log).
struct DefaultView {
  std::unique_ptr<scene::Scene> scene;
  std::optional<scene::Camera> cam;
  std::string log;
};
DefaultView default_view(double aspect) {
  DefaultView d;
  std::ostringstream log;
  auto loaded = app::load_scene(app::AppOptions{}, log);
  d.log = log.str();
  if (!loaded.ok()) return d;
  d.scene = std::move(*loaded);
  if (auto cam = app::view_camera(*d.scene, "nanchang", aspect); cam.ok()) d.cam = *cam;
  return d;
}

TEST(WarmUp, AWarmedRendererDrawsExactlyAsAFreshOne) {
  constexpr uint32_t kW = 480, kH = 270;
  DefaultView view = default_view(double(kW) / kH);
  ASSERT_TRUE(view.scene && view.cam) << view.log;
  scene::Scene& s = *view.scene;
  const scene::Camera& cam = *view.cam;
  render::RendererOptions fresh_opt;
  fresh_opt.validation = true;
  render::RendererOptions warm_opt = fresh_opt;
  warm_opt.warm_up = render::WarmUp::kAll;
  warm_opt.warm_up_width = kW;  // its offscreen target is kept: the frames below draw into it
  warm_opt.warm_up_height = kH;
  auto fresh = render::Renderer::create(fresh_opt);
  if (!fresh) GTEST_SKIP() << "no Vulkan device: " << fresh.error().message;
  auto warm = render::Renderer::create(warm_opt);
  ASSERT_TRUE(warm.ok()) << warm.error().message;
  EXPECT_GT((*warm)->stats().warm_up_ms, 0.0);
  EXPECT_EQ((*fresh)->stats().warm_up_ms, 0.0);

  auto shoot = [&](render::Renderer& r, const scene::Scene& sc) {
    const auto snap = scene::snapshot_of(sc, cam);
    auto img = r.render_offscreen({.frame = snap.get()}, kW, kH);
    EXPECT_TRUE(img.ok()) << (img.ok() ? "" : img.error().message);
    return img.ok() ? *img : render::Image{};
  };
  // Nothing of the warm-up scene is left on the GPU: before any upload, an empty scene is the
  // clear colour in both.
  const scene::Scene empty(gis::SceneFrame::jiangxi());
  const render::Image empty_fresh = shoot(**fresh, empty), empty_warm = shoot(**warm, empty);
  ASSERT_EQ(empty_warm.rgba.size(), size_t(kW) * kH * 4);
  EXPECT_EQ(diff_fraction(empty_warm, empty_fresh, 0, nullptr), 0.0);
  for (size_t i = 4; i < empty_warm.rgba.size(); i += 4)
    ASSERT_TRUE(std::equal(empty_warm.rgba.begin() + i, empty_warm.rgba.begin() + i + 4, empty_warm.rgba.begin()))
        << "pixel " << i / 4 << " of the empty scene differs from the first: something was drawn";

  // The default scene: the same upload and the same image, pixel for pixel.
  ASSERT_TRUE((*fresh)->upload_scene(s).ok());
  ASSERT_TRUE((*warm)->upload_scene(s).ok());
  EXPECT_EQ((*warm)->stats().chunks_uploaded, (*fresh)->stats().chunks_uploaded);
  EXPECT_EQ((*warm)->stats().bytes_uploaded, (*fresh)->stats().bytes_uploaded);
  EXPECT_EQ((*warm)->stats().meshes_laid_out, (*fresh)->stats().meshes_laid_out);
  // On a device that compiles shaders at first use the warmed renderer's first frame with buildings
  // culls them on the CPU (its culling dispatch is not warmed) and the next on the GPU; elsewhere
  // both are on the GPU. Each frame is the fresh renderer's, pixel for pixel.
  const bool jit_device = (*warm)->device_info().type == std::string("CPU");
  const render::Image want = shoot(**fresh, s), got = shoot(**warm, s);
  ASSERT_EQ(got.rgba.size(), want.rgba.size());
  EXPECT_EQ(diff_fraction(got, want, 0, nullptr), 0.0);
  EXPECT_EQ((*warm)->stats().buildings_culled_on_cpu, jit_device);
  EXPECT_FALSE((*fresh)->stats().buildings_culled_on_cpu);
  EXPECT_GT((*warm)->stats().triangles, 0u);
  const render::Image got2 = shoot(**warm, s);
  EXPECT_EQ(diff_fraction(got2, want, 0, nullptr), 0.0);
  EXPECT_FALSE((*warm)->stats().buildings_culled_on_cpu);
  EXPECT_EQ((*warm)->stats().draw_calls, (*fresh)->stats().draw_calls);
  EXPECT_EQ((*warm)->stats().triangles, (*fresh)->stats().triangles);
  (*warm)->wait_idle();
  (*fresh)->wait_idle();
  ASSERT_TRUE((*warm)->validation_enabled()) << "the validation layer did not load (Debian package vulkan-validationlayers)";
  EXPECT_EQ((*warm)->validation_errors(), 0u);
  EXPECT_EQ((*fresh)->validation_errors(), 0u);
}

// RendererOptions::outlines_after_first_frame: on a device that compiles shaders at first draw, the
// first frame with buildings that is not read back leaves the outlines out (their compile comes
// with the next frame); a frame read back never does, and the frames after are the fresh
// renderer's, pixel for pixel. Elsewhere nothing is put off.
TEST(WarmUp, OnlyAFirstFrameNotReadBackLeavesTheOutlinesOut) {
  constexpr uint32_t kW = 320, kH = 180;
  DefaultView view = default_view(double(kW) / kH);
  ASSERT_TRUE(view.scene && view.cam) << view.log;
  scene::Scene& s = *view.scene;
  const scene::Camera& cam = *view.cam;
  render::RendererOptions fresh_opt;
  fresh_opt.validation = true;
  render::RendererOptions warm_opt = fresh_opt;
  warm_opt.warm_up = render::WarmUp::kBuildings;
  render::RendererOptions all_opt = warm_opt;  // the same warm-up, the outlines in every frame
  all_opt.outlines_after_first_frame = false;
  auto fresh = render::Renderer::create(fresh_opt);
  if (!fresh) GTEST_SKIP() << "no Vulkan device: " << fresh.error().message;
  auto later = render::Renderer::create(warm_opt);      // first frame not read back
  auto read_first = render::Renderer::create(warm_opt); // first frame read back
  auto all = render::Renderer::create(all_opt);
  ASSERT_TRUE(later.ok() && read_first.ok() && all.ok());
  for (render::Renderer* r : {fresh->get(), later->get(), read_first->get(), all->get()})
    ASSERT_TRUE(r->upload_scene(s).ok());
  const bool jit_device = (*later)->device_info().type == std::string("CPU");
  const auto snap = scene::snapshot_of(s, cam);
  auto shoot = [&](render::Renderer& r, bool read_back) {
    auto img = r.render_offscreen({.frame = snap.get(), .read_back = read_back}, kW, kH);
    EXPECT_TRUE(img.ok()) << (img.ok() ? "" : img.error().message);
    return img.ok() ? *img : render::Image{};
  };
  const render::Image want = shoot(**fresh, true);
  EXPECT_FALSE((*fresh)->stats().outlines_put_off);

  (void)shoot(**all, false);
  EXPECT_FALSE((*all)->stats().outlines_put_off);
  const uint64_t lines_all = (*all)->stats().lines;
  (void)shoot(**later, false);
  EXPECT_EQ((*later)->stats().outlines_put_off, jit_device);
  EXPECT_EQ((*later)->stats().buildings_culled_on_cpu, (*all)->stats().buildings_culled_on_cpu);
  EXPECT_EQ((*later)->stats().triangles, (*all)->stats().triangles);
  // Both frames are culled on the CPU where shaders compile at first draw: it counts the lines and
  // draws it records (the ground's outlines among them).
  if (jit_device) {
    EXPECT_LT((*later)->stats().lines, lines_all);
    EXPECT_LT((*later)->stats().draw_calls, (*all)->stats().draw_calls);
  } else {
    EXPECT_EQ((*later)->stats().lines, lines_all);
  }
  const render::Image next = shoot(**later, true);
  EXPECT_FALSE((*later)->stats().outlines_put_off);
  ASSERT_EQ(next.rgba.size(), want.rgba.size());
  EXPECT_EQ(diff_fraction(next, want, 0, nullptr), 0.0) << "the frame after the first is not the fresh renderer's";

  const render::Image first_read = shoot(**read_first, true);
  EXPECT_FALSE((*read_first)->stats().outlines_put_off);
  EXPECT_EQ(diff_fraction(first_read, want, 0, nullptr), 0.0) << "a first frame read back must draw everything";
  (void)shoot(**read_first, false);  // the first frame with buildings has been: nothing is put off after it
  EXPECT_FALSE((*read_first)->stats().outlines_put_off);

  for (render::Renderer* r : {fresh->get(), later->get(), read_first->get(), all->get()}) {
    r->wait_idle();
    EXPECT_EQ(r->validation_errors(), 0u);
  }
}

}  // namespace
}  // namespace parktwin::test
