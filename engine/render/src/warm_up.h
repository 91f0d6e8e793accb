// The scene RendererOptions::warm_up draws once at creation.
#pragma once

#include "parktwin/scene/scene.h"

namespace parktwin::render {

/// A small scene that takes the passes of a plain frame named by `passes` (WarmUp bits) through
/// each of their pipelines: a buildings layer (GPU culling, faces, edges), a polygon layer (ground
/// fill and outline), a sites layer (markers). Generated, and nothing of it stays on screen.
scene::Scene warm_up_scene(uint32_t passes);

}  // namespace parktwin::render
