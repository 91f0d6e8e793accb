// Picking through the object-id pass: the pixel over a building returns that building, a parcel
// pixel returns its feature, empty sky returns nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "parktwin/app/app.h"
#include "render_support.h"

namespace parktwin::test {
namespace {

TEST(Pick, PixelOverABuildingReturnsItsId) {
  PARKTWIN_DEFAULT_RENDER(d);
  scene::Scene& sc = *d.scene;
  render::Renderer& r = d.still->renderer();
  const uint32_t W = 480, H = 270;
  auto cam = app::view_camera(sc, "nanchang", double(W) / H);
  ASSERT_TRUE(cam.ok());
  const scene::ScreenProjector project(*cam, {double(W), double(H)});
  auto pixel_of = [&](glm::dvec3 p, uint32_t& x, uint32_t& y) {
    const auto s = project(p);
    if (!s) return false;
    const double px = s->x, py = s->y;
    if (px < 1 || py < 1 || px >= W - 1 || py >= H - 1) return false;
    x = static_cast<uint32_t>(px);
    y = static_cast<uint32_t>(py);
    return true;
  };
  // The tallest buildings near the view centre: their roof centres are visible from this oblique view.
  std::vector<uint32_t> near;
  for (uint32_t i = 0; i < sc.buildings.size(); ++i)
    if (glm::length(sc.buildings[i].centroid - glm::dvec2(cam->target)) < 600.0) near.push_back(i);
  std::sort(near.begin(), near.end(), [&](uint32_t a, uint32_t b) { return sc.styles[a].height > sc.styles[b].height; });
  ASSERT_GE(near.size(), 5u);
  int matched = 0, tried = 0;
  for (size_t k = 0; k < 5; ++k) {
    const uint32_t b = near[k];
    uint32_t x = 0, y = 0;
    if (!pixel_of(glm::dvec3(sc.buildings[b].centroid, sc.styles[b].height), x, y)) continue;
    auto hit = r.pick({.frame = scene::snapshot_of(sc, *cam).get()}, W, H, x, y);
    ASSERT_TRUE(hit.ok()) << hit.error().message;
    ++tried;
    if (hit->kind == render::PickHit::Building && hit->index == b) ++matched;
  }
  ASSERT_GT(tried, 2);
  EXPECT_GE(matched, tried - 1) << matched << " of " << tried << " roof centres picked their own building";

  // A parcel between buildings: a green parcel's centre is bare ground.
  const int parcels = sc.layer_index("parcels");
  ASSERT_GE(parcels, 0);
  const auto& pl = sc.layers[static_cast<size_t>(parcels)];
  const int lu = pl.data.field("landuse");
  bool found_ground = false;
  for (size_t f = 0; f < pl.data.features.size() && !found_ground; ++f) {
    if (gis::attr_string(pl.data.features[f], lu) != "green" || pl.data.features[f].geom.polygons.empty()) continue;
    const auto& ring = pl.data.features[f].geom.polygons[0].outer;
    glm::dvec2 c(0.0);
    for (auto p : ring) c += p;
    c /= static_cast<double>(ring.size());
    uint32_t x = 0, y = 0;
    if (glm::length(c - glm::dvec2(cam->target)) > 1200.0 || !pixel_of(glm::dvec3(c, 0.0), x, y)) continue;
    auto hit = r.pick({.frame = scene::snapshot_of(sc, *cam).get()}, W, H, x, y);
    ASSERT_TRUE(hit.ok());
    if (hit->kind == render::PickHit::Building) continue;  // a building in front: try another
    EXPECT_EQ(hit->kind, render::PickHit::Feature);
    EXPECT_EQ(hit->layer, static_cast<uint32_t>(parcels));
    EXPECT_EQ(hit->index, f);
    found_ground = true;
  }
  EXPECT_TRUE(found_ground);

  // The sky above the horizon of a low view holds nothing.
  scene::Camera low = *cam;
  low.pitch = scene::Camera::kMinPitch;
  auto sky = r.pick({.frame = scene::snapshot_of(sc, low).get()}, W, H, W / 2, 2);
  ASSERT_TRUE(sky.ok());
  EXPECT_EQ(sky->kind, render::PickHit::None);
}

}  // namespace
}  // namespace parktwin::test
