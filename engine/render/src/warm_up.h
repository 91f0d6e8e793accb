// The scene RendererOptions::warm_up draws once at creation.
#pragma once

#include "parktwin/scene/scene.h"

namespace parktwin::render {

/// A small scene that takes every pass of a plain frame through each of its pipelines: a buildings
/// layer (GPU culling, faces, edges), a polygon layer (ground fill and outline) and a sites layer
/// (markers). Generated, and nothing of it stays on screen.
scene::Scene warm_up_scene();

}  // namespace parktwin::render
