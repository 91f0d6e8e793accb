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

}  // namespace
}  // namespace parktwin::test
