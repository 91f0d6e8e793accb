// UI images (thumbnails) drawn through ui::image inside ImGui's pass: a 4x4 image of known colours
// shown 16x magnified shows each colour at its texel's centre; a clip rectangle cuts it off (the
// scene shows through, as in a render without the image); ImGui's own drawing after the image is
// intact; a released image no longer shows; and the validation layer reports nothing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include <imgui.h>

#include "parktwin/app/app.h"
#include "parktwin/ui/image.h"

namespace parktwin::test {
namespace {

/// Texel (x, y) of the test image: every texel a different colour, alpha opaque.
uint32_t texel_rgba(uint32_t x, uint32_t y) {
  const uint32_t r = 30 + 60 * x, g = 20 + 70 * y, b = (x + y) % 2 ? 230 : 15;
  return r | (g << 8) | (b << 16) | (0xFFu << 24);
}

render::Image test_image() {
  render::Image img;
  img.width = img.height = 4;
  img.rgba.resize(4 * 4 * 4);
  for (uint32_t y = 0; y < 4; ++y)
    for (uint32_t x = 0; x < 4; ++x)
      for (int c = 0; c < 4; ++c) img.rgba[(y * 4 + x) * 4 + c] = static_cast<uint8_t>(texel_rgba(x, y) >> (8 * c));
  return img;
}

/// Largest difference of the RGB channels of two 0xAABBGGRR pixels.
int rgb_diff(uint32_t a, uint32_t b) {
  int d = 0;
  for (int c = 0; c < 3; ++c) d = std::max(d, std::abs(int((a >> (8 * c)) & 0xFF) - int((b >> (8 * c)) & 0xFF)));
  return d;
}

TEST(UiImage, ShowsItsPixelsClippedAndLeavesImGuiIntact) {
  setenv("VK_LAYER_ENABLES", "VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT", 1);
  app::AppOptions o;
  o.validation = true;
  std::ostringstream log;
  auto s = app::load_scene(o, log);
  ASSERT_TRUE(s.ok()) << log.str();
  auto still = app::StillRenderer::create(**s, o);
  if (!still) GTEST_SKIP() << "no Vulkan device: " << still.error().message;
  render::Renderer& r = (*still)->renderer();
  const uint32_t W = 320, H = 180;
  auto cam = app::view_camera(**s, "province", double(W) / H);
  ASSERT_TRUE(cam.ok());

  auto id = r.ui_image_upload(test_image());
  ASSERT_TRUE(id.ok()) << id.error().message;
  ASSERT_GT(*id, 0u);
  const ImU32 kSolid = IM_COL32(10, 200, 30, 255);
  const uint32_t solid_rgba = 10u | (200u << 8) | (30u << 16) | (0xFFu << 24);
  auto draw = [&](uint32_t image) {
    return [&, image] {
      ImDrawList* dl = ImGui::GetForegroundDrawList();
      // Whole, 16 px a texel; offset half a pixel so each texel's centre is a pixel's centre (the
      // sampler is bilinear: elsewhere a pixel mixes in its neighbours).
      ui::image(dl, image, ImVec2(40.5f, 30.5f), ImVec2(104.5f, 94.5f));
      dl->PushClipRect(ImVec2(150, 30), ImVec2(182, 94), true);  // only the left half shows
      ui::image(dl, image, ImVec2(150.5f, 30.5f), ImVec2(214.5f, 94.5f));
      dl->PopClipRect();
      dl->AddRectFilled(ImVec2(250, 30), ImVec2(290, 70), kSolid);  // ImGui's own state afterwards
    };
  };
  auto baseline = (*still)->render(**s, *cam, W, H, "", true, draw(0));
  ASSERT_TRUE(baseline.ok()) << baseline.error().message;
  auto shown = (*still)->render(**s, *cam, W, H, "", true, draw(*id));
  ASSERT_TRUE(shown.ok()) << shown.error().message;

  for (uint32_t ty = 0; ty < 4; ++ty)
    for (uint32_t tx = 0; tx < 4; ++tx) {
      const uint32_t x = 40 + 16 * tx + 8, y = 30 + 16 * ty + 8;
      EXPECT_LE(rgb_diff(shown->pixel(x, y), texel_rgba(tx, ty)), 2) << "texel " << tx << "," << ty << std::hex
                                                                      << " got " << shown->pixel(x, y);
      // The clipped copy: left half as the image, right half as the scene without it.
      const uint32_t cx = 150 + 16 * tx + 8;
      if (tx < 2) EXPECT_LE(rgb_diff(shown->pixel(cx, y), texel_rgba(tx, ty)), 2) << "clipped copy, texel " << tx;
      else EXPECT_EQ(shown->pixel(cx, y), baseline->pixel(cx, y)) << "outside the clip rect, texel " << tx;
    }
  // Outside the image nothing changed, and ImGui's rectangle after the image is drawn as ImGui draws it.
  EXPECT_EQ(shown->pixel(120, 60), baseline->pixel(120, 60));
  EXPECT_EQ(shown->pixel(20, 120), baseline->pixel(20, 120));
  EXPECT_LE(rgb_diff(shown->pixel(270, 50), solid_rgba), 1);
  EXPECT_LE(rgb_diff(baseline->pixel(270, 50), solid_rgba), 1);

  // Released: the same draw list shows the scene again (the callback finds no image).
  r.ui_image_release(*id);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*still)->render(**s, *cam, W, H, "", true, draw(*id)).ok());
  auto gone = (*still)->render(**s, *cam, W, H, "", true, draw(*id));
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->pixel(40 + 8, 30 + 8), baseline->pixel(40 + 8, 30 + 8));
  r.wait_idle();
  ASSERT_TRUE(r.validation_enabled()) << "the validation layer did not load (Debian package vulkan-validationlayers)";
  EXPECT_EQ(r.validation_errors(), 0u);
}

}  // namespace
}  // namespace parktwin::test
