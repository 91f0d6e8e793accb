// Internal to parktwin::gis: what the levels of detail (lod.cpp) and footprint simplification
// (lod_simplify.cpp) share.
#pragma once

#include <glm/vec2.hpp>

#include "parktwin/gis/geometry.h"

namespace parktwin::gis::lod_detail {

/// Even-odd point in ring.
bool ring_contains(const Ring& r, glm::dvec2 q);

}  // namespace parktwin::gis::lod_detail
