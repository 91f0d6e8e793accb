#include "edit_geometry.h"

namespace parktwin::app {

void refresh_edited_geometry(scene::Scene& scene, render::Renderer& renderer, const std::vector<edit::Touched>& touched) {
  for (const edit::Touched& t : touched)
    if (t.layer_index >= 0) scene::update_features(scene, static_cast<uint32_t>(t.layer_index), t.features);
  if (auto up = renderer.update_geometry(scene); !up) scene.warnings.push_back("after the edit: " + up.error().message);
}

}  // namespace parktwin::app
