// Renders through the Vulkan validation layer (core and synchronization checks) and expects 0 errors,
// with and without levels of detail uploaded.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "parktwin/app/app.h"

namespace parktwin::test {
namespace {

TEST(Validation, OffscreenFramesReportNoErrors) {
  setenv("VK_LAYER_ENABLES", "VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT", 1);
  app::AppOptions o;
  o.validation = true;
  std::ostringstream log;
  auto s = app::load_scene(o, log);
  ASSERT_TRUE(s.ok()) << log.str();
  auto r = app::StillRenderer::create(**s, o);
  if (!r) GTEST_SKIP() << "no Vulkan device: " << r.error().message;
  ASSERT_TRUE((*r)->renderer().validation_enabled()) << "the validation layer did not load "
                                                        "(Debian package vulkan-validationlayers)";
  for (const char* view : {"province", "nanchang", "yingtan"}) {
    auto cam = app::view_camera(**s, view, 16.0 / 9.0);
    ASSERT_TRUE(cam.ok());
    auto img = (*r)->render(**s, *cam, 320, 180, std::string("validation ") + view);
    ASSERT_TRUE(img.ok()) << img.error().message;
  }
  // Levels of detail arrive (as the viewer's worker delivers them): uploaded, far clusters drawn
  // at a coarser level.
  ASSERT_GT(scene::build_building_lods(**s, 2), 0u);
  ASSERT_TRUE((*r)->renderer().update_geometry(**s).ok());
  for (const char* view : {"province", "nanchang"}) {
    auto cam = app::view_camera(**s, view, 16.0 / 9.0);
    ASSERT_TRUE(cam.ok());
    ASSERT_TRUE((*r)->render(**s, *cam, 320, 180, "").ok());
  }
  EXPECT_GT((*r)->renderer().stats().building_clusters_lod, 0u) << "the province view should use levels";
  // A second size recreates the target; restyling rewrites the storage buffer.
  (*s)->style_params.height_scale = 2.0f;
  (*s)->restyle();
  auto cam = app::view_camera(**s, "yichun", 4.0 / 3.0);
  ASSERT_TRUE((*r)->render(**s, *cam, 200, 150, "").ok());
  // The object-id pass too.
  ASSERT_TRUE((*r)->renderer().pick({.frame = scene::snapshot_of(**s, *cam).get()}, 200, 150, 100, 75).ok());
  (*r)->renderer().wait_idle();
  EXPECT_EQ((*r)->renderer().validation_errors(), 0u);
}

}  // namespace
}  // namespace parktwin::test
