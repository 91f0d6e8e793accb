// Levels of detail as the renderer draws them: once a scene's chunks have levels
// (scene::build_building_lods, what the viewer's LodBuilder does on a worker), the GPU culling draws
// far clusters at a coarser level and near ones at full detail. Checked against the same renderer
// before the levels arrived: a close view stays identical to the bit (no cluster is close enough
// to hide a pixel of error), a far view uses levels, draws fewer triangles and stays within a small
// share of pixels of the full-detail picture; under the validation layer nothing is reported.
// Levels from the LodBuilder come laid out in clusters by its worker: uploading them lays out
// nothing on the render thread, and draws exactly what a renderer laying them out itself draws;
// levels arriving for a chunk already on the GPU append only the levels.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "golden.h"
#include "parktwin/app/app.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/frame_snapshot.h"
#include "parktwin/scene/lod_builder.h"

namespace parktwin::test {
namespace {

struct Shot {
  render::Image image;
  render::RenderStats stats;
};

Shot shoot(render::Renderer& r, const scene::Scene& s, const scene::Camera& cam, uint32_t w, uint32_t h) {
  const auto snap = scene::snapshot_of(s, cam);
  auto img = r.render_offscreen({.frame = snap.get()}, w, h);
  EXPECT_TRUE(img.ok()) << (img.ok() ? "" : img.error().message);
  return {img.ok() ? *img : render::Image{}, r.stats()};
}

/// The default dataset loaded whole and uploaded to a renderer (skipped without a Vulkan device).
class LodRender : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ostringstream log;
    auto loaded = app::load_scene(app::AppOptions{}, log);
    ASSERT_TRUE(loaded.ok()) << log.str();
    scene_ = std::move(*loaded);
    auto created = render::Renderer::create({});
    if (!created) GTEST_SKIP() << "no Vulkan device: " << created.error().message;
    renderer_ = std::move(*created);
    ASSERT_TRUE(renderer_->upload_scene(*scene_).ok());
  }
  std::unique_ptr<scene::Scene> scene_;
  std::unique_ptr<render::Renderer> renderer_;
};

TEST_F(LodRender, FarClustersDrawCoarserLevelsNearOnesStayExact) {
  scene::Scene& s = *scene_;
  render::Renderer& r = *renderer_;

  constexpr uint32_t kW = 640, kH = 360;
  auto park = app::view_camera(s, s.parks.at(0).id, double(kW) / kH);
  ASSERT_TRUE(park.ok());
  scene::Camera near_cam = *park;
  near_cam.distance = 300.0;
  scene::Camera far_cam = *park;
  far_cam.distance *= 4.0;  // the park small on screen: its clusters a few pixels per building
  const Shot near_full = shoot(r, s, near_cam, kW, kH), far_full = shoot(r, s, far_cam, kW, kH);
  EXPECT_EQ(far_full.stats.building_clusters_lod, 0u) << "no levels yet";

  ASSERT_GT(scene::build_building_lods(s, 2), 0u);
  ASSERT_TRUE(r.update_geometry(s).ok());
  const Shot near_lod = shoot(r, s, near_cam, kW, kH), far_lod = shoot(r, s, far_cam, kW, kH);

  EXPECT_EQ(near_lod.stats.building_clusters_lod, 0u) << "close clusters stay at full detail";
  EXPECT_EQ(diff_fraction(near_lod.image, near_full.image, 0, nullptr), 0.0) << "the close view changed";

  EXPECT_GT(far_lod.stats.building_clusters_lod, 0u);
  EXPECT_LT(far_lod.stats.triangles, far_full.stats.triangles);
  // Outlines move by at most a pixel: few pixels change, by the golden tests' channel tolerance.
  const double changed = diff_fraction(far_lod.image, far_full.image, render::kGoldenChannelLevels, nullptr);
  std::printf("far view: %u of %u clusters at a coarser level, %llu -> %llu triangles, %.3f %% of pixels changed\n",
              far_lod.stats.building_clusters_lod, far_lod.stats.building_chunks_drawn,
              static_cast<unsigned long long>(far_full.stats.triangles),
              static_cast<unsigned long long>(far_lod.stats.triangles), 100.0 * changed);
  EXPECT_LT(changed, 0.01);
}

TEST_F(LodRender, LaidOutByTheWorkerUploadsWithoutLayingOutAndDrawsTheSame) {
  scene::Scene& s = *scene_;
  render::Renderer& r = *renderer_;
  const uint32_t at_load = r.stats().meshes_laid_out;  // a loaded (not streamed) scene: laid out here
  EXPECT_GT(at_load, 0u);

  scene::LodBuilder lods;
  ASSERT_TRUE(lods.start(s));
  ASSERT_GT(lods.finish(s), 0u);
  ASSERT_TRUE(r.update_geometry(s).ok());
  EXPECT_GT(r.stats().chunks_uploaded, 0u);
  EXPECT_EQ(r.stats().meshes_laid_out, 0u) << "the worker laid out every chunk and level";

  constexpr uint32_t kW = 640, kH = 360;
  auto park = app::view_camera(s, s.parks.at(0).id, double(kW) / kH);
  ASSERT_TRUE(park.ok());
  scene::Camera far_cam = *park;
  far_cam.distance *= 4.0;  // levels drawn
  const Shot prepared = shoot(r, s, far_cam, kW, kH);
  EXPECT_GT(prepared.stats.building_clusters_lod, 0u);

  // The same scene without the worker's layouts, in a fresh renderer: it lays out every mesh itself.
  uint32_t meshes = 0;
  for (scene::Layer& l : s.layers)
    for (scene::BuildingChunk& c : l.building_chunks) {
      if (c.mesh.indices.empty()) continue;
      meshes += 1 + static_cast<uint32_t>(c.lods.size());
      c.clusters.reset();
      c.lod_clusters.clear();
    }
  auto fresh = render::Renderer::create({});
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE((*fresh)->upload_scene(s).ok());
  EXPECT_EQ((*fresh)->stats().meshes_laid_out, meshes);
  const Shot here = shoot(**fresh, s, far_cam, kW, kH);
  EXPECT_EQ(here.stats.building_clusters_lod, prepared.stats.building_clusters_lod);
  EXPECT_EQ(here.stats.triangles, prepared.stats.triangles);
  EXPECT_EQ(diff_fraction(here.image, prepared.image, 0, nullptr), 0.0);
}

TEST_F(LodRender, LevelsArrivingForPlacedGeometryAppendOnlyTheLevels) {
  scene::Scene& s = *scene_;
  render::Renderer& r = *renderer_;
  scene::LodBuilder lods;
  ASSERT_TRUE(lods.start(s));
  ASSERT_GT(lods.finish(s), 0u);
  ASSERT_TRUE(r.update_geometry(s).ok());

  // One building moved: its chunk is rebuilt (no levels yet) and goes up whole.
  uint32_t li = 0;
  size_t f = 0;
  for (; li < s.layers.size(); ++li) {
    const scene::Layer& l = s.layers[li];
    for (f = 0; f < l.feature_building.size() && l.feature_building[f] < 0; ++f) {}
    if (f < l.feature_building.size()) break;
  }
  ASSERT_LT(li, s.layers.size()) << "no layer with buildings";
  scene::Layer& l = s.layers[li];
  for (glm::dvec2& p : l.data.features[f].geom.polygons.at(0).outer) p += glm::dvec2{2.0, 1.0};
  ASSERT_EQ(scene::update_features(s, li, {f}).chunks_rebuilt, 1u);
  const scene::BuildingChunk& c = l.building_chunks.at(static_cast<size_t>(l.feature_chunk.at(f)));
  auto bytes_of = [](const gis::BuildingMesh& m) {
    return m.vertices.size() * sizeof(gis::BuildingVertex) + (m.indices.size() + m.edge_indices.size()) * sizeof(uint32_t);
  };
  ASSERT_TRUE(r.update_geometry(s).ok());
  EXPECT_EQ(r.stats().chunks_uploaded, 1u);
  EXPECT_EQ(r.stats().bytes_uploaded, bytes_of(c.mesh));
  EXPECT_EQ(r.stats().meshes_laid_out, 1u) << "an edited chunk has no layout of its own";

  // Its levels arrive: only they go up, laid out by the worker; the full mesh stays in place.
  ASSERT_TRUE(lods.start(s));
  ASSERT_EQ(lods.finish(s), 1u);
  ASSERT_FALSE(c.lods.empty());
  uint64_t level_bytes = 0;
  for (const gis::BuildingLod& lod : c.lods) level_bytes += bytes_of(lod.mesh);
  ASSERT_TRUE(r.update_geometry(s).ok());
  EXPECT_EQ(r.stats().chunks_uploaded, 1u);
  EXPECT_EQ(r.stats().bytes_uploaded, level_bytes);
  EXPECT_EQ(r.stats().meshes_laid_out, 0u);

  // And the picture is the one a renderer given the whole scene at once draws, near and far.
  auto fresh = render::Renderer::create({});
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE((*fresh)->upload_scene(s).ok());
  constexpr uint32_t kW = 640, kH = 360;
  auto park = app::view_camera(s, s.parks.at(0).id, double(kW) / kH);
  ASSERT_TRUE(park.ok());
  for (const double zoom : {1.0, 4.0}) {
    scene::Camera cam = *park;
    cam.distance *= zoom;
    const Shot kept = shoot(r, s, cam, kW, kH), whole = shoot(**fresh, s, cam, kW, kH);
    EXPECT_EQ(kept.stats.triangles, whole.stats.triangles) << "zoom " << zoom;
    EXPECT_EQ(diff_fraction(kept.image, whole.image, 0, nullptr), 0.0) << "zoom " << zoom;
  }
}

TEST_F(LodRender, LevelsArrivingChunkByChunkRepackTheBuffersAtMostOnce) {
  scene::Scene& s = *scene_;
  render::Renderer& r = *renderer_;
  scene::LodBuilder lods(1);  // one chunk at a time, as a big layer's levels arrive
  ASSERT_TRUE(lods.start(s));
  uint32_t updates = 0, packs = 0;
  while (lods.busy()) {
    if (lods.collect(s) > 0) {
      ASSERT_TRUE(r.update_geometry(s).ok());
      ++updates;
      packs += r.stats().building_packs;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GT(updates, 2u) << "levels arrived chunk by chunk";
  // The first chunks' levels do not fit the room left; the repack then makes room for every
  // chunk's levels at the ratio seen, not half as much again each time.
  EXPECT_LE(packs, 1u);
  std::printf("%u updates with levels, %u repacks\n", updates, packs);
}

}  // namespace
}  // namespace parktwin::test
