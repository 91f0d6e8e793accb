// GPU culling of building chunks never drops a building that is on screen: each camera is drawn
// by a renderer that culls on the GPU and by one that draws every chunk through the same path, and
// the pictures must be the same to the bit; a third renderer culls on the CPU and must agree too
// (the chunk matrices the GPU computes equal the CPU's). The culled frames must also have skipped
// chunks (and wall bins facing away), or the comparison proves nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "parktwin/app/app.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/frame_snapshot.h"

namespace parktwin::test {
namespace {

struct Shot {
  render::Image image;
  render::RenderStats stats;
};

class ChunkCulling : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    unsetenv("PARKTWIN_CHUNK_CULLING");  // each renderer here says how it culls
    std::ostringstream log;
    auto s = app::load_scene(app::AppOptions{}, log);
    ASSERT_TRUE(s.ok()) << log.str();
    scene_ = std::move(*s);
    for (auto mode : {render::ChunkCulling::Gpu, render::ChunkCulling::DrawAll, render::ChunkCulling::Cpu}) {
      render::RendererOptions o;
      o.chunk_culling = mode;
      auto r = render::Renderer::create(o);
      if (!r) {
        skip_ = r.error().message;
        return;
      }
      ASSERT_TRUE((*r)->upload_scene(*scene_).ok());
      renderers_.push_back(std::move(*r));
    }
    for (const auto& l : scene_->layers) chunks_ += static_cast<uint32_t>(l.building_chunks.size());
  }
  static void TearDownTestSuite() {
    renderers_.clear();
    scene_.reset();
  }
  void SetUp() override {
    if (renderers_.size() < 3) GTEST_SKIP() << "no Vulkan device: " << skip_;
  }

  static Shot shoot(size_t renderer, const scene::Camera& cam, uint32_t w, uint32_t h,
                    glm::dvec4 subrect = {0.0, 0.0, 1.0, 1.0}) {
    const auto snap = scene::snapshot_of(*scene_, cam);
    render::FrameInput in{.frame = snap.get()};
    in.subrect = subrect;
    auto img = renderers_[renderer]->render_offscreen(in, w, h);
    EXPECT_TRUE(img.ok()) << (img.ok() ? "" : img.error().message);
    return {img.ok() ? *img : render::Image{}, renderers_[renderer]->stats()};
  }

  /// Renders `cam` with the three renderers and checks the pictures are identical; returns the
  /// GPU-culled frame's stats.
  static render::RenderStats same_picture(const std::string& what, const scene::Camera& cam, uint32_t w, uint32_t h,
                                          glm::dvec4 subrect = {0.0, 0.0, 1.0, 1.0}) {
    const Shot culled = shoot(0, cam, w, h, subrect), all = shoot(1, cam, w, h, subrect), cpu = shoot(2, cam, w, h, subrect);
    EXPECT_EQ(all.stats.building_chunks_culled, 0u) << what;
    EXPECT_EQ(all.stats.triangles_facing_away, 0u) << what << ": drawing every chunk leaves out no wall";
    EXPECT_LE(culled.stats.triangles + culled.stats.triangles_facing_away, all.stats.triangles) << what;
    EXPECT_EQ(culled.stats.building_chunks_drawn + culled.stats.building_chunks_culled,
              all.stats.building_chunks_drawn) << what;
    EXPECT_EQ(culled.image.rgba.size(), size_t(w) * h * 4) << what;
    auto differing = [&](const render::Image& a, const render::Image& b) {
      size_t n = 0;
      for (size_t i = 0; i + 3 < std::min(a.rgba.size(), b.rgba.size()); i += 4)
        n += !std::equal(a.rgba.begin() + i, a.rgba.begin() + i + 4, b.rgba.begin() + i);
      return n + (a.rgba.size() != b.rgba.size() ? 1 : 0);
    };
    EXPECT_EQ(differing(culled.image, all.image), 0u)
        << what << ": GPU culling changed the picture (" << culled.stats.building_chunks_culled << " of "
        << all.stats.building_chunks_drawn << " chunks culled)";
    EXPECT_EQ(differing(cpu.image, all.image), 0u) << what << ": the CPU path draws a different picture";
    return culled.stats;
  }

  static std::unique_ptr<scene::Scene> scene_;
  static std::vector<std::unique_ptr<render::Renderer>> renderers_;
  static std::string skip_;
  static uint32_t chunks_;
};
std::unique_ptr<scene::Scene> ChunkCulling::scene_;
std::vector<std::unique_ptr<render::Renderer>> ChunkCulling::renderers_;
std::string ChunkCulling::skip_;
uint32_t ChunkCulling::chunks_ = 0;

constexpr uint32_t kW = 320, kH = 180;

scene::Camera park_camera(const scene::Scene& s) {
  auto cam = app::view_camera(s, s.parks.at(0).id, double(kW) / kH);
  EXPECT_TRUE(cam.ok());
  return cam.ok() ? *cam : scene::Camera{};
}

TEST_F(ChunkCulling, CloseViewSkipsMostChunksAndDrawsTheSame) {
  ASSERT_GT(chunks_, 8u);
  scene::Camera cam = park_camera(*scene_);
  cam.distance = 250.0;  // a few blocks: most chunks are off screen
  const auto st = same_picture("close", cam, kW, kH);
  EXPECT_GT(st.building_chunks_drawn, 0u);
  EXPECT_GT(st.building_chunks_culled, st.building_chunks_drawn) << "most chunks should be off screen";
}

TEST_F(ChunkCulling, WallsFacingAwayAreLeftOutAndThePictureIsTheSame) {
  // Every wall bin left out must have been back-facing everywhere: the pictures above and here
  // are identical to drawing every triangle. Here the leaving out must also have happened.
  scene::Camera cam = park_camera(*scene_);
  for (double heading : {0.4, 2.0, 3.7, 5.5}) {
    cam.heading = heading;
    const auto st = same_picture("facing, heading " + std::to_string(heading), cam, kW, kH);
    EXPECT_GT(st.triangles_facing_away, st.triangles / 10) << "heading " << heading << ": " << st.triangles
                                                           << " triangles drawn";
  }
}

TEST_F(ChunkCulling, GrazingViewDrawsTheSame) {
  scene::Camera cam = park_camera(*scene_);
  cam.pitch = scene::Camera::kMinPitch;  // towards the horizon: chunks far ahead, some behind the eye
  cam.distance = 600.0;
  for (double heading : {0.0, 1.3, 2.9, 4.4}) {
    cam.heading = heading;
    const auto st = same_picture("grazing, heading " + std::to_string(heading), cam, kW, kH);
    EXPECT_GT(st.building_chunks_drawn, 0u);
    EXPECT_GT(st.building_chunks_culled, 0u);
  }
}

TEST_F(ChunkCulling, OffAxisTilesDrawTheSame) {
  scene::Camera cam = park_camera(*scene_);
  cam.distance *= 0.6;
  // Tiles of one large picture (StillRenderer, video walls): off-axis parts of the full frustum.
  const glm::dvec4 tiles[] = {{0.0, 0.0, 0.5, 0.5}, {0.5, 0.25, 0.75, 0.5}, {0.75, 0.5, 1.0, 1.0}, {0.1, 0.6, 0.35, 0.9}};
  uint32_t culled = 0;
  for (const auto& t : tiles) {
    const auto w = static_cast<uint32_t>(kW * 2 * (t.z - t.x)), h = static_cast<uint32_t>(kH * 2 * (t.w - t.y));
    culled += same_picture("tile", cam, w, h, t).building_chunks_culled;
  }
  EXPECT_GT(culled, 0u) << "a tile should leave out chunks the full view shows";
}

TEST_F(ChunkCulling, FarViewDropsChunksSmallerThanAPixel) {
  auto cam = app::view_camera(*scene_, "province", double(kW) / kH);
  ASSERT_TRUE(cam.ok());
  const auto st = same_picture("province", *cam, kW, kH);
  // Every park is in view: what is culled here is culled by size on screen.
  EXPECT_GT(st.building_chunks_culled, 0u);
}

}  // namespace
}  // namespace parktwin::test
