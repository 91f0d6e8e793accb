// Building meshes within a budget as the renderer sees them (scene::MeshResidency): chunks whose
// meshes were dropped are drawn as their blocks (never picked), the meshes that come back are drawn exactly as before (the
// picture with every mesh back is the first picture to the bit), the building buffers do not grow
// while meshes go and come (holes are packed away rather than grown over), a renderer that starts
// with the budget sizes its buffers for it rather than for every building, and the validation
// layer reports nothing on the way.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <algorithm>

#include "golden.h"
#include "parktwin/app/app.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/frame_snapshot.h"
#include "parktwin/scene/residency.h"
#include "scene_test_support.h"

namespace parktwin::test {
namespace {

/// A renderer with the validation layer on; null (the caller skips, `why` says) without a device.
std::unique_ptr<render::Renderer> validating_renderer(std::string& why) {
  render::RendererOptions o;
  o.validation = true;
  auto created = render::Renderer::create(o);
  if (!created) {
    why = created.error().message;
    return nullptr;
  }
  return std::move(*created);
}

/// One frame of `s` from `cam` at w x h, offscreen, read back.
render::Image shoot(render::Renderer& r, const scene::Scene& s, const scene::Camera& cam, uint32_t w, uint32_t h) {
  const auto snap = scene::snapshot_of(s, cam);
  auto img = r.render_offscreen({.frame = snap.get()}, w, h);
  EXPECT_TRUE(img.ok()) << (img.ok() ? "" : img.error().message);
  return img.ok() ? *img : render::Image{};
}

TEST(MeshResidencyRender, DroppedChunksDrawBlocksAndTheirMeshesComeBackExactlyWithinTheSameBuffers) {
  scene::Scene s(gis::SceneFrame::jiangxi());
  const uint32_t li = scene::testing::add_synthetic_buildings(s, 20000, 5, "footprints", false);
  const scene::Layer& l = s.layers[li];
  ASSERT_GE(l.building_chunks.size(), 9u);
  uint64_t total = 0;
  for (const scene::BuildingChunk& c : l.building_chunks) total += scene::chunk_mesh_bytes(c);

  constexpr uint32_t kW = 480, kH = 270;
  auto cam = app::view_camera(s, "fit", double(kW) / kH);
  ASSERT_TRUE(cam.ok());
  std::string why;
  const auto created = validating_renderer(why);
  if (!created) GTEST_SKIP() << "no Vulkan device: " << why;
  render::Renderer& r = *created;
  ASSERT_TRUE(r.validation_enabled());
  auto shoot = [&] { return test::shoot(r, s, *cam, kW, kH); };
  ASSERT_TRUE(r.upload_scene(s).ok());
  const render::Image all = shoot();
  const uint64_t all_triangles = r.stats().triangles;
  const uint64_t all_bytes = r.stats().gpu_memory_bytes;

  // Two fifths of the meshes, nearest to the south-west corner: fewer triangles drawn, and the
  // picture loses the north-east's buildings.
  scene::MeshResidency near(s, total * 2 / 5);
  near.finish(s, s.bmin);
  ASSERT_TRUE(r.update_geometry(s).ok());
  const render::Image sw = shoot();
  EXPECT_LT(r.stats().triangles, all_triangles * 3 / 5);
  EXPECT_GT(diff_fraction(sw, all, 0, nullptr), 0.02);
  const uint64_t budgeted_bytes = r.stats().gpu_memory_bytes;

  // The dropped chunks are drawn as their blocks: without the blocks (taken out of the scene for
  // one picture) part of the picture goes, and what goes is not picked as a building.
  std::vector<gis::BuildingMesh> kept_blocks;
  auto blocks_out = [&](bool out) {
    scene::Layer& lw = s.layers[li];
    const uint64_t rev = ++s.geometry_revision;
    size_t k = 0;
    for (scene::BuildingChunk& c : lw.building_chunks) {
      if (!c.evicted) continue;
      if (out) kept_blocks.push_back(std::move(c.blocks)), c.blocks = {};
      else c.blocks = std::move(kept_blocks[k++]);
      c.revision = rev;
    }
    ASSERT_TRUE(r.update_geometry(s).ok());
  };
  blocks_out(true);
  ASSERT_FALSE(kept_blocks.empty());
  const render::Image bare = shoot();
  blocks_out(false);
  EXPECT_EQ(diff_fraction(shoot(), sw, 0, nullptr), 0.0) << "the blocks back: the same picture";
  const double block_share = diff_fraction(sw, bare, 0, nullptr);
  EXPECT_GT(block_share, 0.005) << "the dropped chunks' blocks are drawn";
  size_t picked = 0, block_pixels = 0;
  const auto snap = scene::snapshot_of(s, *cam);
  for (uint32_t y = 2; y < kH && block_pixels < 40; y += 6)
    for (uint32_t x = 2; x < kW && block_pixels < 40; x += 6) {
      if (sw.pixel(x, y) == bare.pixel(x, y)) continue;
      ++block_pixels;
      auto hit = r.pick({.frame = snap.get()}, kW, kH, x, y);
      ASSERT_TRUE(hit.ok());
      if (hit->kind == render::PickHit::Building) ++picked;
    }
  EXPECT_GT(block_pixels, 10u);
  EXPECT_EQ(picked, 0u) << "blocks stand in for buildings: a click on one picks none";
  std::printf("blocks: %.1f %% of the picture, %zu pixels probed, %zu picked as buildings\n", block_share * 100.0,
              block_pixels, picked);

  // Back and forth between the corners: every move drops and rebuilds about two fifths of the
  // meshes; the buffers are packed again rather than grown.
  // The first moves may grow them once, a little (blocks hold more vertices per index than the
  // loaded meshes the buffers were sized by: 35.2 to 36.2 MB here), then not again.
  uint64_t settled_bytes = 0;
  for (int k = 0; k < 6; ++k) {
    near.finish(s, k % 2 ? s.bmin : s.bmax);
    ASSERT_TRUE(r.update_geometry(s).ok());
    shoot();
    if (k == 1) settled_bytes = r.stats().gpu_memory_bytes;
  }
  EXPECT_GT(near.stats(s).restores, 0u);
  EXPECT_LE(r.stats().gpu_memory_bytes, settled_bytes);
  EXPECT_LE(r.stats().gpu_memory_bytes, budgeted_bytes + budgeted_bytes / 10);
  std::printf("GPU memory: %.1f MB with every mesh, %.1f MB after the first drop, %.1f MB after six moves within "
              "%.1f MB of meshes\n", all_bytes / 1048576.0, budgeted_bytes / 1048576.0,
              r.stats().gpu_memory_bytes / 1048576.0, (total * 2 / 5) / 1048576.0);

  // A renderer that starts with the budget in force sizes its building buffers for the budget.
  auto fresh = render::Renderer::create({});
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE((*fresh)->upload_scene(s).ok());
  EXPECT_LT((*fresh)->stats().gpu_memory_bytes, all_bytes * 3 / 4);

  // Every mesh back: the first picture, to the bit.
  scene::MeshResidency every(s, total * 2);
  every.finish(s, s.bmin);
  ASSERT_TRUE(r.update_geometry(s).ok());
  EXPECT_EQ(diff_fraction(shoot(), all, 0, nullptr), 0.0);
  EXPECT_EQ(r.stats().triangles, all_triangles);
  r.wait_idle();
  EXPECT_EQ(r.validation_errors(), 0u);
}

// Meshes that need more than the device's largest buffer (PARKTWIN_MAX_BUFFER_MB lowers it here;
// lavapipe's is 2 GiB, and a vertex past it faulted): the chunks that do not fit are left undrawn
// and counted, the rest draws under validation; within a mesh budget that fits, every chunk is
// drawn again. 10M footprints within a 2,949 MiB budget crashed lavapipe before.
TEST(MeshResidencyRender, MeshesPastTheLargestBufferLeaveChunksUndrawnNotACrash) {
  scene::Scene s(gis::SceneFrame::jiangxi());
  const uint32_t li = scene::testing::add_synthetic_buildings(s, 20000, 5, "footprints", false);
  uint64_t vertex_bytes = 0, total = 0;
  for (const scene::BuildingChunk& c : s.layers[li].building_chunks) {
    vertex_bytes += c.mesh.vertices.size() * sizeof(gis::BuildingVertex);
    total += scene::chunk_mesh_bytes(c);
  }
  // A largest buffer that holds about half of the vertices.
  const uint64_t limit_mb = std::max<uint64_t>(1, (vertex_bytes / 2) >> 20);
  ASSERT_LT(limit_mb << 20, vertex_bytes);
  setenv("PARKTWIN_MAX_BUFFER_MB", std::to_string(limit_mb).c_str(), 1);
  render::RendererOptions o;
  o.validation = true;
  auto created = render::Renderer::create(o);
  unsetenv("PARKTWIN_MAX_BUFFER_MB");
  if (!created) GTEST_SKIP() << "no Vulkan device: " << created.error().message;
  render::Renderer& r = **created;
  EXPECT_EQ(r.device_info().max_allocation_bytes, limit_mb << 20);

  constexpr uint32_t kW = 320, kH = 180;
  auto cam = app::view_camera(s, "fit", double(kW) / kH);
  ASSERT_TRUE(cam.ok());
  auto shoot = [&] {
    const auto snap = scene::snapshot_of(s, *cam);
    auto img = r.render_offscreen({.frame = snap.get()}, kW, kH);
    EXPECT_TRUE(img.ok()) << (img.ok() ? "" : img.error().message);
  };
  ASSERT_TRUE(r.upload_scene(s).ok());
  const uint32_t undrawn = r.stats().building_chunks_without_room;
  EXPECT_GT(undrawn, 0u) << "every chunk fitted half the room it needs";
  EXPECT_LT(undrawn, s.layers[li].building_chunks.size()) << "the chunks that fit are drawn";
  shoot();
  const uint64_t drawn_with_some = r.stats().triangles;
  EXPECT_GT(drawn_with_some, 0u);

  // Meshes within a budget that fits the buffer: after the update every chunk has room again.
  scene::MeshResidency fits(s, (limit_mb << 20) / 2);
  fits.finish(s, s.bmin);
  ASSERT_TRUE(r.update_geometry(s).ok());
  EXPECT_EQ(r.stats().building_chunks_without_room, 0u);
  shoot();
  EXPECT_GT(r.stats().triangles, 0u);
  EXPECT_EQ(r.validation_errors(), 0u);
  EXPECT_LT(total, uint64_t{1} << 32);  // (the layer itself is small: only the limit was lowered)
}

// A budget lowered while running (memory pressure): the renderer's building buffers shrink to
// about the new budget at the next update, the old ones go once the frames in flight are done, and
// the picture is what a renderer started afresh on the same scene draws, to the bit.
TEST(MeshResidencyRender, ALoweredBudgetShrinksTheBuildingBuffers) {
  scene::Scene s(gis::SceneFrame::jiangxi());
  const uint32_t li = scene::testing::add_synthetic_buildings(s, 20000, 5, "footprints", false);
  uint64_t total = 0, gpu_bytes = 0;  // the meshes as the scene counts them; as the GPU holds them
  for (const scene::BuildingChunk& c : s.layers[li].building_chunks) {
    total += scene::chunk_mesh_bytes(c);
    gpu_bytes += c.mesh.vertices.size() * sizeof(gis::BuildingVertex) + c.mesh.indices.size() * sizeof(uint32_t);
  }
  scene::MeshResidency residency(s, total * 2);  // everything fits
  residency.finish(s, s.bmin);

  constexpr uint32_t kW = 320, kH = 180;
  auto cam = app::view_camera(s, "fit", double(kW) / kH);
  ASSERT_TRUE(cam.ok());
  std::string why;
  const auto created = validating_renderer(why);
  if (!created) GTEST_SKIP() << "no Vulkan device: " << why;
  render::Renderer& r = *created;
  auto shoot = [&](render::Renderer& with) { return test::shoot(with, s, *cam, kW, kH); };
  ASSERT_TRUE(r.upload_scene(s).ok());
  shoot(r);
  const uint64_t every_mesh = r.stats().gpu_memory_bytes;

  // Lowered to a tenth of the meshes: most chunks drop theirs (blocks instead).
  residency.set_budget(s, total / 10);
  residency.finish(s, s.bmin);
  ASSERT_TRUE(r.update_geometry(s).ok());
  const render::Image shrunk = shoot(r);
  for (int k = 0; k < 2; ++k) shoot(r);  // the frames in flight finish: the old buffers go
  const uint64_t lowered = r.stats().gpu_memory_bytes;
  std::printf("GPU memory: %.1f MB with every mesh (%.1f MB of vertices and indices), %.1f MB within %.1f MB\n",
              every_mesh / 1048576.0, gpu_bytes / 1048576.0, lowered / 1048576.0, (total / 10) / 1048576.0);
  ASSERT_LT(lowered, every_mesh);
  EXPECT_GE(every_mesh - lowered, gpu_bytes * 3 / 5) << "the buffers shrank by most of the meshes that went";
  EXPECT_GT(r.stats().building_packs, 0u);

  // The same scene drawn by a renderer started afresh: the same picture.
  auto fresh = render::Renderer::create({});
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE((*fresh)->upload_scene(s).ok());
  EXPECT_EQ(diff_fraction(shoot(**fresh), shrunk, 0, nullptr), 0.0);
  r.wait_idle();
  EXPECT_EQ(r.validation_errors(), 0u);
}

}  // namespace
}  // namespace parktwin::test
