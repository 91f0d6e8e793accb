#pragma once
// After an edit: the edited layers' meshes made again and the scene uploaded to the GPU again.
//
// INTERIM: this rebuilds every mesh of each touched layer and re-uploads the whole scene (a
// fraction of a second on the CPU driver for the default dataset). It is the single place the
// viewer's edit mode calls; it is to be replaced by the per-chunk path
// (scene::update_features + Renderer::update_geometry), which redoes only the touched chunks.
#include <vector>

#include "parktwin/edit/edit.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/scene.h"

namespace parktwin::app {

/// `touched`: scene layer indices and feature indices (EditMode's GeometryChanged). Buildings
/// added by the edit get a Building and a style; problems go to scene.warnings.
void refresh_edited_geometry(scene::Scene& scene, render::Renderer& renderer, const std::vector<edit::Touched>& touched);

}  // namespace parktwin::app
