// The flow pass and its budget together, on the device: the arcs a frame draws are held to the
// budget by the value cut that FlowBudget moves from the counts the GPU reads back (a frame late).
// With many more arcs in view than the stills' budget, the count must settle near it; the parts
// of a picture drawn in tiles (the cut decided for the whole picture) must not move the cut; and
// window-style frames, whatever the device's speed, must end either held at their budget or with
// every arc in view. The arcs in view are counted by the same pass with the cut set to nothing.
#include <gtest/gtest.h>

#include <optional>
#include <sstream>

#include "parktwin/app/app.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/chains.h"
#include "parktwin/scene/frame_snapshot.h"

namespace parktwin::test {
namespace {

constexpr uint32_t kW = 320, kH = 180;

class FlowCut : public ::testing::Test {
 protected:
  std::unique_ptr<scene::Scene> scene;
  std::optional<scene::Camera> cam;
  std::unique_ptr<render::Renderer> r;

  /// The default scene with 50k links in the Nanchang view, uploaded to a renderer with the
  /// validation layer on (about 10k arcs in view: far more than the stills' budget).
  void SetUp() override {
    std::ostringstream log;
    auto loaded = app::load_scene(app::AppOptions{}, log);
    ASSERT_TRUE(loaded.ok()) << "default scene did not load: " << log.str();
    scene = std::move(*loaded);
    scene::replace_with_random_links(*scene, 50000, 1269);
    if (auto c = app::view_camera(*scene, "nanchang", double(kW) / kH); c.ok()) cam = *c;
    ASSERT_TRUE(cam);
    render::RendererOptions opt;
    opt.validation = true;
    auto made = render::Renderer::create(opt);
    if (!made) GTEST_SKIP() << "no Vulkan device: " << made.error().message;
    r = std::move(*made);
    ASSERT_TRUE(r->upload_scene(*scene).ok());
  }
  /// `n` frames, not read back; `min_value`: the cut decided for the whole picture (tiles).
  void frames(int n, bool adaptive, std::optional<double> min_value = std::nullopt,
              glm::dvec4 subrect = {0.0, 0.0, 1.0, 1.0}) {
    for (int i = 0; i < n; ++i) {
      const auto snap = scene::snapshot_of(*scene, *cam, 0.0, min_value);
      render::FrameInput in;
      in.frame = snap.get();
      in.read_back = false;
      in.adaptive_flow_budget = adaptive;
      in.subrect = subrect;
      ASSERT_TRUE(r->render_offscreen(in, kW, kH).ok());
    }
  }
  /// The arcs in view with no cut (three frames: the counts arrive a frame late).
  uint32_t in_view() {
    frames(3, false, 0.0);
    return r->stats().flows_drawn;
  }
};

TEST_F(FlowCut, StillsSettleAtTheirBudgetAndTilesLeaveTheCut) {
  frames(30, false);
  const auto settled = r->stats();
  ASSERT_EQ(settled.flows_budget, 4000u);
  const uint32_t all = in_view();
  ASSERT_GT(all, 2u * settled.flows_budget) << "too few arcs in view for the cut to matter";
  EXPECT_GT(settled.flows_min_value_yuan, 0.0);
  EXPECT_GE(settled.flows_drawn, 0.75 * settled.flows_budget);
  EXPECT_LE(settled.flows_drawn, 1.05 * settled.flows_budget);

  // Quarter tiles with the picture's cut: each counts only its part (far under the budget), which
  // must not ease the cut, and the next whole frames go on from the same cut.
  frames(8, false, settled.flows_min_value_yuan, {0.0, 0.0, 0.5, 0.5});
  EXPECT_DOUBLE_EQ(r->stats().flows_min_value_yuan, settled.flows_min_value_yuan);
  ASSERT_TRUE(r->validation_enabled()) << "the validation layer did not load (Debian package vulkan-validationlayers)";
  EXPECT_EQ(r->validation_errors(), 0u);
}

TEST_F(FlowCut, WindowFramesEndHeldAtTheirBudgetOrWithEveryArc) {
  frames(60, true);
  const auto st = r->stats();
  const uint32_t all = in_view();
  EXPECT_GE(st.flows_budget, 2000u);
  if (st.flows_min_value_yuan > 0.0) {
    // Held back (a slow device, or a budget still short of every arc): at the budget.
    EXPECT_GE(st.flows_drawn, 0.75 * st.flows_budget) << all << " in view";
    EXPECT_LE(st.flows_drawn, 1.05 * st.flows_budget) << all << " in view";
  } else {
    EXPECT_EQ(st.flows_drawn, all);
  }
  EXPECT_EQ(r->validation_errors(), 0u);
}

TEST_F(FlowCut, TheFlowsPartsOfTheGpuTimeAreMeasuredWithinTheFrame) {
  if (!r->device_info().timestamps) GTEST_SKIP() << "this device's queue writes no timestamps";
  frames(3, false);
  const auto st = r->stats();
  ASSERT_GT(st.flows_drawn, 0u);
  EXPECT_GT(st.flows_cull_gpu_ms, 0.0) << "the dispatch walked 50k arcs";
  EXPECT_GE(st.flows_ribbons_gpu_ms, 0.0);
  EXPECT_LE(st.flows_cull_gpu_ms + st.flows_ribbons_gpu_ms, st.gpu_ms);
  // With the flows hidden there is no dispatch and no ribbon: only the stamps, back to back.
  scene->chains.filter.flows_visible = false;
  frames(1, false);
  EXPECT_LT(r->stats().flows_cull_gpu_ms, st.flows_cull_gpu_ms);
  EXPECT_EQ(r->validation_errors(), 0u);
}

}  // namespace
}  // namespace parktwin::test
