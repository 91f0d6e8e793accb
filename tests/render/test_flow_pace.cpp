// The flows' live pace on the device. Each enterprise's output factor paces the dashes of its flows;
// the ribbons' vertex shader reads the factors from a buffer that the frame fills when the
// snapshot's pace changed. Where uploads are staged (a discrete GPU; PARKTWIN_STAGING_UPLOADS=1
// takes that path here) the buffer is device-local and the frame copies the factors into it, so
// that no vertex reads host memory across the bus. Both paths must draw the same pictures, and a
// new pace must move the dashes on both, in every frame slot, and back again.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "parktwin/app/app.h"
#include "parktwin/render/image_diff.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/frame_snapshot.h"

namespace parktwin::test {
namespace {

constexpr uint32_t kW = 480, kH = 270;
constexpr double kTime = 0.37;  // s: at 0 the dashes' phase does not depend on the pace

/// Four frames: nominal pace, every enterprise at 2.5x (twice: each frame slot takes the new
/// factors), then nominal again (each slot takes them back).
struct Frames {
  std::vector<render::Image> images;
  uint32_t arcs_drawn = 0;
  uint32_t validation_errors = 0;
};

std::optional<Frames> draw(const scene::Scene& s, const scene::Camera& cam, bool staged, std::string& why) {
  if (staged) setenv("PARKTWIN_STAGING_UPLOADS", "1", 1);
  render::RendererOptions opt;
  opt.validation = true;
  auto made = render::Renderer::create(opt);
  unsetenv("PARKTWIN_STAGING_UPLOADS");
  if (!made) {
    why = made.error().message;
    return std::nullopt;
  }
  render::Renderer& r = **made;
  if (auto up = r.upload_scene(s); !up) {
    why = up.error().message;
    return std::nullopt;
  }
  const auto nominal = scene::snapshot_of(s, cam, kTime);
  auto paced = std::make_shared<scene::FrameSnapshot>(*nominal);
  paced->flows.pace = std::make_shared<const std::vector<float>>(s.enterprises.size(), 2.5f);
  paced->flows.pace_revision = nominal->flows.pace_revision + (uint64_t{1} << 40);  // unlike any other
  Frames out;
  const scene::FrameSnapshot* p = paced.get();
  for (const scene::FrameSnapshot* f : {nominal.get(), p, p, nominal.get()}) {
    render::FrameInput in;
    in.frame = f;
    auto img = r.render_offscreen(in, kW, kH);
    if (!img) {
      why = img.error().message;
      return std::nullopt;
    }
    out.images.push_back(std::move(*img));
    out.arcs_drawn = std::max(out.arcs_drawn, r.stats().flows_drawn);
  }
  r.wait_idle();
  out.validation_errors = r.validation_errors();
  return out;
}

size_t differing(const render::Image& a, const render::Image& b) { return render::diff_stats(a, b, 0).differing; }

TEST(FlowPace, StagedAndDirectFactorsDrawTheSameDashesAndFollowEveryNewPace) {
  std::ostringstream log;
  auto loaded = app::load_scene(app::AppOptions{}, log);
  ASSERT_TRUE(loaded.ok()) << log.str();
  const scene::Scene& s = **loaded;
  auto cam = app::view_camera(s, "nanchang", double(kW) / kH);
  ASSERT_TRUE(cam.ok());
  std::string why;
  const auto direct = draw(s, *cam, false, why);
  if (!direct) GTEST_SKIP() << "no Vulkan device: " << why;
  const auto staged = draw(s, *cam, true, why);
  ASSERT_TRUE(staged) << why;
  ASSERT_GT(direct->arcs_drawn, 0u) << "the view must show flows for this test to say anything";
  for (const Frames* f : {&*direct, &*staged}) {
    const char* path = f == &*direct ? "direct" : "staged";
    ASSERT_EQ(f->images.size(), 4u);
    // The pace moved the dashes (the same arcs and camera, only the factors differ) ...
    EXPECT_GT(differing(f->images[0], f->images[1]), 50u) << path;
    // ... in both frame slots, and both slots came back to the nominal pace.
    EXPECT_EQ(differing(f->images[1], f->images[2]), 0u) << path;
    EXPECT_EQ(differing(f->images[0], f->images[3]), 0u) << path;
    EXPECT_EQ(f->validation_errors, 0u) << path;
  }
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(differing(direct->images[i], staged->images[i]), 0u) << "frame " << i;
}

}  // namespace
}  // namespace parktwin::test
