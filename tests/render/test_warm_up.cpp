// RendererOptions::warm_up draws a built-in scene once at creation (so lavapipe compiles its shader
// variants then). It must leave nothing behind: a warmed renderer draws an empty scene and the
// default scene exactly as a fresh one does, uploads the same, and the validation layer is silent.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "golden.h"
#include "parktwin/app/app.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/frame_snapshot.h"

namespace parktwin::test {
namespace {

TEST(WarmUp, AWarmedRendererDrawsExactlyAsAFreshOne) {
  std::ostringstream log;
  auto loaded = app::load_scene(app::AppOptions{}, log);
  ASSERT_TRUE(loaded.ok()) << log.str();
  scene::Scene& s = **loaded;
  constexpr uint32_t kW = 480, kH = 270;
  auto cam = app::view_camera(s, "nanchang", double(kW) / kH);
  ASSERT_TRUE(cam.ok());
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
    const auto snap = scene::snapshot_of(sc, *cam);
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

}  // namespace
}  // namespace parktwin::test
