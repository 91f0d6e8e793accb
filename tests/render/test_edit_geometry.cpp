// Renderer::update_geometry after scene::update_features: the edited scene renders like a scene
// loaded fresh from the same edit written into a copy of the GeoPackage through OGR, only the
// touched chunks are uploaded, picking finds the moved building at its new place, and the whole
// path (staging copies included) runs clean under the validation layer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>

#include "../scene/edited_dataset.h"
#include "golden.h"
#include "parktwin/app/app.h"
#include "render_support.h"

namespace parktwin::test {
namespace {

namespace fs = std::filesystem;
constexpr uint32_t W = 640, H = 360;

/// The Nanchang view brought close (buildings tens of pixels wide), flow arcs off.
scene::Camera close_view(scene::Scene& sc) {
  auto cam = app::view_camera(sc, "nanchang", double(W) / H);
  EXPECT_TRUE(cam.ok());
  scene::Camera c = cam.ok() ? *cam : scene::Camera{};
  c.distance = 900.0;
  sc.chains.filter.flows_visible = false;
  return c;
}

/// A tall single-polygon building near the view's target whose roof centre is on screen before
/// and after moving it by `d`; returns its slot or -1.
int pick_building(const scene::Scene& sc, const scene::Camera& cam, glm::dvec2 d) {
  const scene::ScreenProjector project(cam, {double(W), double(H)});
  const int li = sc.layer_index("buildings");
  std::vector<uint32_t> near;
  for (uint32_t i = 0; i < sc.buildings.size(); ++i)
    if (glm::length(sc.buildings[i].centroid - glm::dvec2(cam.target)) < 300.0 &&
        sc.layers[li].data.features[sc.buildings[i].feature].geom.polygons.size() == 1)
      near.push_back(i);
  std::sort(near.begin(), near.end(), [&](uint32_t a, uint32_t b) { return sc.styles[a].height > sc.styles[b].height; });
  for (uint32_t b : near) {
    bool ok = scene::tile_of(sc.buildings[b].centroid) == scene::tile_of(sc.buildings[b].centroid + d);
    for (glm::dvec2 c : {sc.buildings[b].centroid, sc.buildings[b].centroid + d}) {
      const auto s = project(glm::dvec3(c, sc.styles[b].height));
      ok = ok && s && s->x > 20 && s->y > 20 && s->x < W - 20 && s->y < H - 20;
    }
    if (ok) return static_cast<int>(b);
  }
  return -1;
}

/// Pixel of a scene point (roof height `z`).
bool pixel_of(const scene::Camera& cam, glm::dvec3 p, uint32_t& x, uint32_t& y) {
  const scene::ScreenProjector project(cam, {double(W), double(H)});
  const auto s = project(p);
  if (!s || s->x < 0 || s->y < 0 || s->x >= W || s->y >= H) return false;
  x = static_cast<uint32_t>(s->x);
  y = static_cast<uint32_t>(s->y);
  return true;
}

TEST(EditGeometry, EditedSceneRendersLikeAFreshLoadOfTheEditedData) {
  PARKTWIN_DEFAULT_RENDER(d);
  scene::Scene& sc = *d.scene;
  render::Renderer& r = d.still->renderer();
  const auto cam = std::optional<scene::Camera>(close_view(sc));
  const glm::dvec2 offset(45.0, 30.0);
  const int b = pick_building(sc, *cam, offset);
  ASSERT_GE(b, 0);
  const uint32_t li = static_cast<uint32_t>(sc.layer_index("buildings"));
  scene::Layer& bl = sc.layers[li];
  const size_t f = sc.buildings[b].feature;
  const int64_t fid = bl.data.features[f].fid;

  auto before = d.still->render(sc, *cam, W, H, "");
  ASSERT_TRUE(before.ok()) << before.error().message;

  // The edit, applied to the scene and sent to the renderer.
  bl.data.features[f].geom.polygons[0] = moved(bl.data.features[f].geom.polygons[0], offset);
  const scene::GeometryUpdate u = scene::update_features(sc, li, {f});
  ASSERT_EQ(u.chunks_rebuilt, 1u);
  ASSERT_TRUE(r.update_geometry(sc).ok());
  const scene::BuildingChunk& chunk = bl.building_chunks[bl.feature_chunk[f]];
  EXPECT_EQ(r.stats().chunks_uploaded, 1u);
  EXPECT_EQ(r.stats().bytes_uploaded, chunk.mesh.vertices.size() * sizeof(gis::BuildingVertex) +
                                          (chunk.mesh.indices.size() + chunk.mesh.edge_indices.size()) * 4);
  // Nothing changed since: nothing uploaded.
  ASSERT_TRUE(r.update_geometry(sc).ok());
  EXPECT_EQ(r.stats().chunks_uploaded, 0u);
  auto edited = d.still->render(sc, *cam, W, H, "");
  ASSERT_TRUE(edited.ok()) << edited.error().message;

  // The independent route: the same edit in a copy of the GeoPackage, loaded and rendered fresh.
  EditedGpkg copy(app::default_dataset_path(), std::string(PARKTWIN_TEST_OUT) + "/edit_geometry/moved.gpkg", sc.frame());
  ASSERT_TRUE(copy.set_polygon("buildings", fid, bl.data.features[f].geom.polygons[0])) << copy.error;
  app::AppOptions o;
  o.dataset = copy.path;
  std::ostringstream log;
  auto fresh = app::load_scene(o, log);
  ASSERT_TRUE(fresh.ok()) << log.str();
  (*fresh)->chains.filter.flows_visible = false;
  auto still2 = app::StillRenderer::create(**fresh, o);
  ASSERT_TRUE(still2.ok()) << still2.error().message;
  auto expected = (*still2)->render(**fresh, *cam, W, H, "");
  ASSERT_TRUE(expected.ok()) << expected.error().message;

  const fs::path out = fs::path(PARKTWIN_TEST_OUT) / "edit_geometry";
  fs::create_directories(out);
  render::Image diff;
  const auto st = render::diff_stats(*edited, *expected, render::kGoldenChannelLevels, &diff);
  if (st.differing > Tolerance{}.max_pixels) {
    (void)render::write_png(*before, (out / "before.png").string());
    (void)render::write_png(*edited, (out / "edited.png").string());
    (void)render::write_png(*expected, (out / "fresh.png").string());
    (void)render::write_png(diff, (out / "diff.png").string());
  }
  EXPECT_LE(st.differing, Tolerance{}.max_pixels) << st.differing << " pixels differ (max channel " << st.max_channel
                                                  << "); pictures in " << out;
  // The edit shows: the picture before it differs well beyond the tolerance.
  const auto moved_px = render::diff_stats(*before, *edited, render::kGoldenChannelLevels).differing;
  EXPECT_GT(moved_px, 20 * Tolerance{}.max_pixels);

  // Picking: the building at its new roof centre, something else at its old one.
  uint32_t x = 0, y = 0;
  ASSERT_TRUE(pixel_of(*cam, glm::dvec3(sc.buildings[b].centroid, sc.styles[b].height), x, y));
  auto hit = r.pick({.frame = scene::snapshot_of(sc, *cam).get()}, W, H, x, y);
  ASSERT_TRUE(hit.ok()) << hit.error().message;
  EXPECT_EQ(hit->kind, render::PickHit::Building);
  EXPECT_EQ(hit->index, static_cast<uint32_t>(b));
  ASSERT_TRUE(pixel_of(*cam, glm::dvec3(sc.buildings[b].centroid - offset, 0.0), x, y));
  auto old_hit = r.pick({.frame = scene::snapshot_of(sc, *cam).get()}, W, H, x, y);
  ASSERT_TRUE(old_hit.ok());
  EXPECT_FALSE(old_hit->kind == render::PickHit::Building && old_hit->index == static_cast<uint32_t>(b));
}

TEST(EditGeometry, AddAndDeleteShowAfterUpdate) {
  PARKTWIN_DEFAULT_RENDER(d);
  scene::Scene& sc = *d.scene;
  render::Renderer& r = d.still->renderer();
  const auto cam = std::optional<scene::Camera>(close_view(sc));
  const int b = pick_building(sc, *cam, {0.0, 0.0});
  ASSERT_GE(b, 0);
  const uint32_t li = static_cast<uint32_t>(sc.layer_index("buildings"));
  scene::Layer& bl = sc.layers[li];
  const size_t f = sc.buildings[b].feature;
  ASSERT_TRUE(d.still->render(sc, *cam, W, H, "").ok());
  uint32_t x = 0, y = 0;
  ASSERT_TRUE(pixel_of(*cam, glm::dvec3(sc.buildings[b].centroid, sc.styles[b].height), x, y));
  auto pick = [&]() {
    auto h = r.pick({.frame = scene::snapshot_of(sc, *cam).get()}, W, H, x, y);
    EXPECT_TRUE(h.ok());
    return h.ok() ? *h : render::PickHit{};
  };
  ASSERT_EQ(pick().index, static_cast<uint32_t>(b));

  // Deleted: gone from the picture and from picking.
  const gis::Geometry kept = bl.data.features[f].geom;
  bl.data.features[f].geom.polygons.clear();
  scene::update_features(sc, li, {f});
  ASSERT_TRUE(r.update_geometry(sc).ok());
  EXPECT_EQ(r.stats().chunks_uploaded, 1u);
  auto gone = d.still->render(sc, *cam, W, H, "");
  ASSERT_TRUE(gone.ok());
  const auto hit = pick();
  EXPECT_FALSE(hit.kind == render::PickHit::Building && hit.index == static_cast<uint32_t>(b));

  // A new feature in its place (same attributes, a new fid): a new slot, drawn and picked.
  gis::Feature nf = bl.data.features[f];
  nf.geom = kept;
  nf.fid = 1 << 30;
  bl.data.features.push_back(nf);
  const auto u = scene::update_features(sc, li, {bl.data.features.size() - 1});
  ASSERT_EQ(u.buildings_added, 1u);
  const uint32_t slot = static_cast<uint32_t>(sc.buildings.size() - 1);
  ASSERT_TRUE(r.update_geometry(sc).ok());
  EXPECT_EQ(r.stats().chunks_uploaded, 1u);
  auto back = d.still->render(sc, *cam, W, H, "");
  ASSERT_TRUE(back.ok());
  const auto h2 = pick();
  EXPECT_EQ(h2.kind, render::PickHit::Building);
  EXPECT_EQ(h2.index, slot);
  const auto shown = render::diff_stats(*gone, *back, render::kGoldenChannelLevels).differing;
  EXPECT_GT(shown, 20 * Tolerance{}.max_pixels);
  if (shown <= 20 * Tolerance{}.max_pixels) {
    const fs::path out = fs::path(PARKTWIN_TEST_OUT) / "edit_geometry";
    fs::create_directories(out);
    (void)render::write_png(*gone, (out / "deleted.png").string());
    (void)render::write_png(*back, (out / "added.png").string());
  }
}

TEST(EditGeometry, UpdatesUnderValidationReportNoErrors) {
  setenv("VK_LAYER_ENABLES", "VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT", 1);
  setenv("PARKTWIN_STAGING_UPLOADS", "1", 1);  // the discrete-GPU path: staging copies in the frame
  app::AppOptions o;
  o.validation = true;
  std::ostringstream log;
  auto s = app::load_scene(o, log);
  ASSERT_TRUE(s.ok()) << log.str();
  auto still = app::StillRenderer::create(**s, o);
  unsetenv("PARKTWIN_STAGING_UPLOADS");
  if (!still) GTEST_SKIP() << "no Vulkan device: " << still.error().message;
  render::Renderer& r = (*still)->renderer();
  ASSERT_TRUE(r.validation_enabled());
  scene::Scene& sc = **s;
  auto cam = app::view_camera(sc, "nanchang", 16.0 / 9.0);
  ASSERT_TRUE(cam.ok());
  const uint32_t li = static_cast<uint32_t>(sc.layer_index("buildings"));
  scene::Layer& bl = sc.layers[li];
  const int pi = sc.layer_index("parcels");
  ASSERT_GE(pi, 0);
  ASSERT_TRUE((*still)->render(sc, *cam, 320, 180, "").ok());
  // Several edits in a row, each followed by a frame: moved buildings, a parcel, a deleted and a
  // new building; the last two edits come without a frame between them (the second replaces
  // buffers whose copies are still queued).
  for (int k = 0; k < 4; ++k) {
    const size_t f = sc.buildings[100 + 37 * k].feature;
    for (auto& p : bl.data.features[f].geom.polygons) p = moved(p, {30.0 * (k + 1), -20.0});
    scene::update_features(sc, li, {f});
    if (k == 1) {
      auto& pf = sc.layers[pi].data.features[3].geom.polygons;
      for (auto& p : pf) p = moved(p, {5.0, 5.0});
      scene::update_features(sc, static_cast<uint32_t>(pi), {3});
    }
    if (k == 2) {
      bl.data.features[sc.buildings[5].feature].geom.polygons.clear();
      scene::update_features(sc, li, {sc.buildings[5].feature});
      gis::Feature nf = bl.data.features[sc.buildings[6].feature];
      nf.fid = 1 << 30;
      for (auto& p : nf.geom.polygons) p = moved(p, {0.0, 80.0});
      bl.data.features.push_back(nf);
      scene::update_features(sc, li, {bl.data.features.size() - 1});
    }
    ASSERT_TRUE(r.update_geometry(sc).ok());
    if (k != 2) {
      ASSERT_TRUE((*still)->render(sc, *cam, 320, 180, "").ok());
    }
  }
  ASSERT_TRUE(r.pick({.frame = scene::snapshot_of(sc, *cam).get()}, 320, 180, 160, 90).ok());
  ASSERT_TRUE((*still)->render(sc, *cam, 320, 180, "").ok());
  r.wait_idle();
  EXPECT_EQ(r.validation_errors(), 0u);
}

}  // namespace
}  // namespace parktwin::test
