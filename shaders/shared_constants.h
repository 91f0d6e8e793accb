// Numbers read by both the shaders and the C++ engine, defined once. This file compiles as GLSL
// (glslc, `#include "shared_constants.h"` next to common.glsl) and as C++ (target
// parktwin::shared_constants puts this folder on the include path), so the two cannot disagree.
#ifndef PARKTWIN_SHARED_CONSTANTS_H
#define PARKTWIN_SHARED_CONSTANTS_H

#ifdef __cplusplus
#define PARKTWIN_SHARED_CONST inline constexpr
namespace parktwin {
using uint = unsigned int;
#else
#define PARKTWIN_SHARED_CONST const
#endif

/// Highest live output of an enterprise relative to its nominal (2022 revenue / 8760 h): the live
/// volume of its supply links and the pace of its flow dashes saturate here.
PARKTWIN_SHARED_CONST float kOutputFactorCap = 3.0f;

/// Metres per storey when a building has a floor count but no height attribute.
PARKTWIN_SHARED_CONST float kFloorHeightM = 3.2f;

/// Colour-by-height: the unscaled height (m) at the top of the colour ramp; 0 m is its bottom and
/// taller buildings keep the top colour.
PARKTWIN_SHARED_CONST float kHeightRampTopM = 80.0f;

/// Building chunks: edges of chunks farther than this from the eye (m) are not drawn (edges.vert
/// has faded them out by then).
PARKTWIN_SHARED_CONST float kEdgeMaxDistanceM = 9000.0f;

/// GPU culling of building chunks (shaders/buildings_cull.comp): the tests BuildingCullView::flags
/// turns on.
PARKTWIN_SHARED_CONST uint kCullFrustum = 1u;
PARKTWIN_SHARED_CONST uint kCullSize = 2u;

#ifdef __cplusplus
}  // namespace parktwin
#endif
#undef PARKTWIN_SHARED_CONST

#endif  // PARKTWIN_SHARED_CONSTANTS_H
