// The renderer draws the frame snapshot and nothing else: a scene edited after the snapshot was
// built does not change what that snapshot draws, while a snapshot of the edited scene does.
#include <gtest/gtest.h>

#include <sstream>

#include "parktwin/app/app.h"
#include "render_support.h"
#include "parktwin/render/image_diff.h"

namespace parktwin::test {
namespace {

TEST(FrameSnapshotRender, TheRendererReadsOnlyTheSnapshot) {
  PARKTWIN_DEFAULT_RENDER(d);
  scene::Scene& sc = *d.scene;
  render::Renderer& r = d.still->renderer();
  const uint32_t W = 320, H = 180;
  auto cam = app::view_camera(sc, "yingtan", double(W) / H);
  ASSERT_TRUE(cam.ok());
  // A fixed flow budget (all arcs): the renderer's own adapts between frames.
  const auto before = scene::snapshot_of(sc, *cam, 2.0, 0.0);
  auto first = r.render_offscreen({.frame = before.get()}, W, H);
  ASSERT_TRUE(first.ok()) << first.error().message;

  // Edit the scene the way the UI does between frames: hide the ground layers, raise and recolour
  // every building, hide the flows.
  for (size_t i = 0; i + 1 < sc.layers.size(); ++i) sc.layers[i].style.visible = false;
  for (scene::BuildingStyle& b : sc.styles) b.height *= 3.0f, b.rgba = 0xFF0000FFu;
  ++sc.style_revision;
  sc.chains.filter.flows_visible = false;

  auto again = r.render_offscreen({.frame = before.get()}, W, H);
  ASSERT_TRUE(again.ok()) << again.error().message;
  const auto same = render::diff_stats(*first, *again, 0);
  EXPECT_EQ(same.differing, 0u) << "the old snapshot drew something of the edited scene";

  const auto edited = scene::snapshot_of(sc, *cam, 2.0, 0.0);
  auto changed = r.render_offscreen({.frame = edited.get()}, W, H);
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  const auto diff = render::diff_stats(*first, *changed, render::kGoldenChannelLevels);
  EXPECT_GT(diff.differing, W * H / 10) << "the edits must show in a snapshot of the edited scene";

  EXPECT_FALSE(r.render_offscreen({}, W, H).ok()) << "no snapshot: refused, not drawn from anything else";
}

// Styles changed in places reach the GPU as the blocks that changed: each frame slot's buffer takes
// only the blocks it does not hold yet, and after a run of such changes (every slot behind by a
// different number of them) the picture is the one a fresh renderer draws of the same styles.
TEST(FrameSnapshotRender, StylesChangedInPlacesUploadOnlyTheirBlocksAndDrawLikeAFreshRenderer) {
  PARKTWIN_DEFAULT_RENDER(d);
  scene::Scene& sc = *d.scene;
  render::Renderer& r = d.still->renderer();
  const uint32_t W = 320, H = 180;
  auto cam = app::view_camera(sc, "nanchang", double(W) / H);
  ASSERT_TRUE(cam.ok());
  const size_t blocks = (sc.styles.size() + scene::kStyleBlock - 1) / scene::kStyleBlock;
  ASSERT_GE(blocks, 3u);
  scene::FrameSnapshotBuilder builder;
  auto frame = [&] {
    auto snap = builder.build(sc, *cam, 2.0, 0.0);
    auto img = r.render_offscreen({.frame = snap.get()}, W, H);
    EXPECT_TRUE(img.ok()) << (img.ok() ? "" : img.error().message);
    return std::make_pair(img.ok() ? *img : render::Image{}, r.stats().style_blocks_uploaded);
  };
  for (int i = 0; i < 3; ++i) frame();  // every slot holds the styles
  const render::Image base = frame().first;

  // Recolour and raise the buildings of one block at a time, a frame after each.
  for (size_t step = 0; step < 4; ++step) {
    const size_t b = step % blocks, lo = b * scene::kStyleBlock, hi = std::min(sc.styles.size(), lo + scene::kStyleBlock);
    for (size_t i = lo; i < hi; i += 3) {
      sc.styles[i].rgba = 0xFF1030E0u + static_cast<uint32_t>(step) * 0x20u;
      sc.styles[i].height *= 1.5f;
      sc.touch_style(i);
    }
    sc.commit_styles();
    const auto [img, n] = frame();
    EXPECT_GE(n, 1u);
    EXPECT_LT(n, blocks) << "step " << step << ": more than the changed blocks were written";
  }
  const auto [last, n] = frame();  // a last frame through the next slot
  (void)n;

  auto fresh = app::StillRenderer::create(sc, app::AppOptions{});
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  const auto snap = scene::snapshot_of(sc, *cam, 2.0, 0.0);
  auto want = (*fresh)->renderer().render_offscreen({.frame = snap.get()}, W, H);
  ASSERT_TRUE(want.ok()) << want.error().message;
  EXPECT_EQ(render::diff_stats(last, *want, 0).differing, 0u)
      << "the renderer that took the changes block by block draws something else than a fresh one";
  EXPECT_GT(render::diff_stats(last, base, render::kGoldenChannelLevels).differing, W * H / 100)
      << "the changes must show";
}

}  // namespace
}  // namespace parktwin::test
