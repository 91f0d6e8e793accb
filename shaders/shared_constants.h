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

/// Building edges fade out with view depth (clip w, metres) from kEdgeFadeStartM to kEdgeFadeEndM
/// (edges.vert), where they are fully transparent: a chunk whose nearest box corner lies deeper than
/// kEdgeFadeEndM + kEdgeDepthMarginM (room for float rounding) would change no pixel and is not drawn.
PARKTWIN_SHARED_CONST float kEdgeFadeStartM = 1500.0f;
PARKTWIN_SHARED_CONST float kEdgeFadeEndM = 6000.0f;
PARKTWIN_SHARED_CONST float kEdgeDepthMarginM = 1.0f;

/// Building clusters (render/src/building_clusters.h): walls sorted into this many bins by the
/// direction of their outward normal; a bin is left out when every direction from the cluster's
/// footprint to the eye makes more than 90 degrees plus the margin (its sine, about 1.1 degrees)
/// with both of its boundary normals, so no wall near edge-on, whose facing rounding could decide,
/// is left out (the float positions of a wall a centimetre long turn its normal by up to a degree).
PARKTWIN_SHARED_CONST uint kFacingBins = 16u;
PARKTWIN_SHARED_CONST float kFacingMargin = 0.02f;

/// GPU culling of building chunks (shaders/buildings_cull.comp): the tests BuildingCullView::flags
/// turns on.
PARKTWIN_SHARED_CONST uint kCullFrustum = 1u;
PARKTWIN_SHARED_CONST uint kCullSize = 2u;
PARKTWIN_SHARED_CONST uint kCullFacing = 4u;  ///< leave out wall bins facing away from the eye
PARKTWIN_SHARED_CONST uint kCullLod = 8u;     ///< draw a cluster's coarsest level within kLodMaxErrorPx

/// Levels of detail: a cluster is drawn at a coarser level only where the level's tolerance, seen
/// from the cluster's nearest point, spans at most this many pixels.
PARKTWIN_SHARED_CONST float kLodMaxErrorPx = 1.0f;

#ifdef __cplusplus
}  // namespace parktwin
#endif
#undef PARKTWIN_SHARED_CONST

#endif  // PARKTWIN_SHARED_CONSTANTS_H
