#pragma once
// The render tests' common start: the default dataset and a headless renderer for it.
#include <memory>
#include <sstream>
#include <string>

#include "parktwin/app/app.h"

namespace parktwin::test {

/// The default scene with a StillRenderer. `error` says why the scene did not load (a failure);
/// `skip` says why there is no renderer (no Vulkan device: the test is skipped).
struct DefaultRender {
  std::unique_ptr<scene::Scene> scene;
  std::unique_ptr<app::StillRenderer> still;
  std::string error, skip;
};

inline DefaultRender load_default_render() {
  DefaultRender d;
  std::ostringstream log;
  auto s = app::load_scene(app::AppOptions{}, log);
  if (!s) {
    d.error = s.error().message + "\n" + log.str();
    return d;
  }
  d.scene = std::move(*s);
  auto still = app::StillRenderer::create(*d.scene, app::AppOptions{});
  if (!still) d.skip = "no Vulkan device: " + still.error().message;
  else d.still = std::move(*still);
  return d;
}

}  // namespace parktwin::test

/// Loads the default render into `d`, failing or skipping the test as DefaultRender says.
#define PARKTWIN_DEFAULT_RENDER(d)                   \
  auto d = ::parktwin::test::load_default_render();  \
  ASSERT_TRUE(d.error.empty()) << d.error;           \
  if (!d.still) GTEST_SKIP() << d.skip
