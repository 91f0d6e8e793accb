#pragma once
// After an edit: the edited features' chunks rebuilt (scene::update_features) and only those
// uploaded to the GPU (Renderer::update_geometry). The single place the viewer's edit mode calls.
#include <vector>

#include "parktwin/edit/edit.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/scene.h"

namespace parktwin::app {

/// `touched`: scene layer indices and feature indices (EditMode's GeometryChanged). Buildings
/// added by the edit get a building slot and a style; problems go to scene.warnings.
void refresh_edited_geometry(scene::Scene& scene, render::Renderer& renderer, const std::vector<edit::Touched>& touched);

}  // namespace parktwin::app
