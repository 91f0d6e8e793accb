#pragma once
// Deterministic synthetic building footprints for tests and benchmarks.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <glm/vec2.hpp>

#include "parktwin/gis/geometry.h"

namespace parktwin::gis {

/// Generates `n` plausible building footprints on a square grid of plots centred on `origin`
/// (scene frame, metres): plain and rotated rectangles, L, T and U shapes, courtyards with one
/// hole, a few buildings with two holes and rectangles with rounded corners (12 to 40 vertices).
/// Outer rings are counter-clockwise and holes clockwise; on average a footprint has about
/// 8 to 10 vertices. The same `n`, `seed` and `origin` always give the same footprints.
std::vector<Polygon> synthetic_footprints(size_t n, uint64_t seed, glm::dvec2 origin = {});

}  // namespace parktwin::gis
