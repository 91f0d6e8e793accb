#pragma once
// CPU mirrors of the structures the shaders read. A mismatch fails the build, not the picture.
#include <cstddef>
#include <cstdint>

#include <glm/mat4x4.hpp>
#include <glm/vec4.hpp>

#include "parktwin/gis/extrude.h"
#include "parktwin/scene/scene.h"
#include "shared_constants.h"

namespace parktwin::render {

/// shaders/common.glsl `DrawConstants` (push constants).
struct DrawConstants {
  /*  0 */ glm::mat4 mvp;
  /* 64 */ glm::vec4 sun;
  /* 80 */ glm::vec4 params;  // opacity, z offset, viewport w, viewport h
  /* 96 */ glm::vec4 extra;   // animation time (s, wrapped), unused, unused, unused
};
static_assert(sizeof(DrawConstants) == 112);
static_assert(scene::kFlagAlarm == 8u && scene::kFlagMaintenance == 16u && scene::kFlagStopped == 32u &&
              scene::kFlagStale == 64u && scene::kFlagHidden == 1u && scene::kFlagHighlighted == 2u,
              "flag bits must match shaders/common.glsl");
static_assert(offsetof(DrawConstants, sun) == 64 && offsetof(DrawConstants, params) == 80);

/// shaders/markers.vert instance attributes.
struct MarkerInstance {
  float x, y;
  uint32_t rgba;
  float size_px;
};
static_assert(sizeof(MarkerInstance) == 16);

/// shaders/flow_common.glsl `FlowArc` (std430, 48 bytes).
struct FlowArcGpu {
  /*  0 */ float ax, ay, bx, by;
  /* 16 */ float height, base_z, width_px;
  /* 28 */ uint32_t rgba;
  /* 32 */ uint32_t packed;  // chain | segment << 4 | level << 6 | supplier << 8
  /* 36 */ float len_m, pad0, pad1;
};
static_assert(sizeof(FlowArcGpu) == 48);
static_assert(offsetof(FlowArcGpu, packed) == 32 && offsetof(FlowArcGpu, rgba) == 28);
// flows.vert reads one float per enterprise (binding 3, 1 = nominal) and clamps it at the same
// kOutputFactorCap as scene::output_factor; nominal output must lie inside that range.
static_assert(sizeof(float) == 4 && kOutputFactorCap >= 1.0f, "live_factor[] is float; cap below nominal");

// shaders/buildings.vert vertex attributes (locations 0..4) and shaders/common.glsl BuildingStyle.
static_assert(offsetof(gis::BuildingVertex, top) == 8 && offsetof(gis::BuildingVertex, building) == 12);
static_assert(offsetof(gis::BuildingVertex, nx) == 16 && offsetof(gis::BuildingVertex, u) == 24);
static_assert(offsetof(gis::FlatVertex, rgba) == 8);
static_assert(sizeof(scene::BuildingStyle) == 16 && offsetof(scene::BuildingStyle, rgba) == 8);

}  // namespace parktwin::render
