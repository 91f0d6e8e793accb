// Building buffers sized for a streamed layer's declared count: when that room cannot be had (a
// source declaring far more features than it holds, or more than the device has memory for), the
// renderer packs what there is instead, and draws exactly what it draws without the declaration.
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "golden.h"
#include "parktwin/app/app.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/frame_snapshot.h"

namespace parktwin::test {
namespace {

TEST(BuildingPacking, ADeclaredCountBeyondTheDeviceFallsBackToWhatThereIs) {
  std::ostringstream log;
  auto loaded = app::load_scene(app::AppOptions{}, log);
  ASSERT_TRUE(loaded.ok()) << log.str();
  scene::Scene& s = **loaded;
  constexpr uint32_t kW = 480, kH = 270;
  auto cam = app::view_camera(s, s.parks.at(0).id, double(kW) / kH);
  ASSERT_TRUE(cam.ok());
  auto shoot = [&](render::Renderer& r) {
    const auto snap = scene::snapshot_of(s, *cam);
    auto img = r.render_offscreen({.frame = snap.get()}, kW, kH);
    EXPECT_TRUE(img.ok()) << (img.ok() ? "" : img.error().message);
    return img.ok() ? *img : render::Image{};
  };

  auto plain = render::Renderer::create({});
  if (!plain) GTEST_SKIP() << "no Vulkan device: " << plain.error().message;
  ASSERT_TRUE((*plain)->upload_scene(s).ok());
  const render::Image want = shoot(**plain);
  const uint64_t plain_bytes = (*plain)->stats().gpu_memory_bytes;

  // The buildings layer claims a billion features while a few thousand have arrived: room for all
  // of them (2^32 vertices of 20 bytes) is more than any device here holds.
  size_t layers = 0;
  for (scene::Layer& l : s.layers)
    if (!l.building_chunks.empty()) l.features_expected = 1'000'000'000, ++layers;
  ASSERT_GT(layers, 0u);
  auto claimed = render::Renderer::create({});
  ASSERT_TRUE(claimed.ok());
  const auto up = (*claimed)->upload_scene(s);
  ASSERT_TRUE(up.ok()) << up.error().message;
  const render::Image got = shoot(**claimed);
  EXPECT_EQ(diff_fraction(got, want, 0, nullptr), 0.0);
  std::printf("GPU memory: %.1f MB without the claim, %.1f MB with it\n", plain_bytes / 1048576.0,
              (*claimed)->stats().gpu_memory_bytes / 1048576.0);
}

}  // namespace
}  // namespace parktwin::test
