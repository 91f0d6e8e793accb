#pragma once
// CPU mirrors of the structures the shaders read. A mismatch fails the build, not the picture.
#include <cstddef>
#include <cstdint>

#include <glm/mat4x4.hpp>
#include <glm/ext/matrix_double4x4.hpp>
#include <glm/vec2.hpp>
#include <glm/vec4.hpp>

#include "parktwin/gis/extrude.h"
#include "parktwin/scene/scene.h"
#include "shared_constants.h"

namespace parktwin::render {

// Push constants: one typed struct per pass, mirrored field by field in its shader's block.

/// shaders/flat.vert `GroundConstants` (ground fills and outlines).
struct GroundConstants {
  /*  0 */ glm::mat4 mvp;
  /* 64 */ float opacity;
  /* 68 */ float z_offset;
  /* 72 */ glm::vec2 viewport;
};
static_assert(sizeof(GroundConstants) == 80 && offsetof(GroundConstants, viewport) == 72);

/// shaders/markers.vert `MarkerConstants`.
struct MarkerConstants {
  /*  0 */ glm::mat4 mvp;
  /* 64 */ float opacity;
  /* 68 */ float z_offset;
  /* 72 */ glm::vec2 viewport;
};
static_assert(sizeof(MarkerConstants) == 80 && offsetof(MarkerConstants, viewport) == 72);

/// shaders/building_constants.glsl `BuildingConstants` (building faces; the matrix is per chunk,
/// shaders/building_cull.glsl).
struct BuildingConstants {
  /*  0 */ glm::vec4 sun;  // xyz towards the sun, w intensity
  /* 16 */ float opacity;
  /* 20 */ float time_s;
};
static_assert(sizeof(BuildingConstants) == 24 && offsetof(BuildingConstants, time_s) == 20);

/// shaders/edge_constants.glsl `EdgeConstants` (building edges).
struct EdgeConstants {
  /*  0 */ float opacity;
};
static_assert(sizeof(EdgeConstants) == 4);

/// shaders/buildings_cull.comp `BuildingChunk` (std430): one cluster of a building chunk for GPU
/// culling (building_clusters.h: faces are the roofs, then the wall bins).
struct BuildingChunkGpu {
  /*  0 */ glm::dvec2 origin;
  /* 16 */ glm::dvec2 bmin, bmax;
  /* 48 */ glm::vec2 lo, hi;  // bounds relative to the origin
  /* 64 */ float zmax;
  /* 68 */ uint32_t first_index, index_count;
  /* 76 */ uint32_t edge_first, edge_count;
  /* 84 */ int32_t vertex_offset;
  /* 88 */ uint32_t roof_count;
  /* 92 */ uint32_t pad0;
  /* 96 */ uint32_t bin_end[kFacingBins];  // end of each wall bin, relative to first_index
  /*160 */ uint32_t lod_record[2];  // the record of the same cluster at each level of detail (UINT32_MAX: none)
  /*168 */ float lod_error[2];      // their tolerance (m)
};
static_assert(kFacingBins == 16, "the offsets below are for 16 wall bins");
static_assert(sizeof(BuildingChunkGpu) == 176 && offsetof(BuildingChunkGpu, lo) == 48 &&
              offsetof(BuildingChunkGpu, zmax) == 64 && offsetof(BuildingChunkGpu, vertex_offset) == 84 &&
              offsetof(BuildingChunkGpu, bin_end) == 96 && offsetof(BuildingChunkGpu, lod_error) == 168);

/// shaders/buildings_cull.comp `BuildingCullView` (std430).
struct BuildingCullView {
  /*   0 */ glm::dmat4 proj_rot;
  /* 128 */ glm::dvec4 eye;
  /* 160 */ glm::vec2 viewport;
  /* 168 */ float height_scale;
  /* 172 */ uint32_t flags;  // kCullFrustum | kCullSize (shared_constants.h)
  /* 176 */ glm::vec4 sample_x, sample_y;
  /* 208 */ uint32_t sample_count;
  /* 212 */ float pad2;
  /* 216 */ uint32_t pad0, pad1;
  /* 224 */ glm::vec4 facing_normals[kFacingBins / 2];  // two per vec4 (building_clusters.h facing_normals)
};
static_assert(sizeof(BuildingCullView) == 224 + 8 * kFacingBins && offsetof(BuildingCullView, viewport) == 160 &&
              offsetof(BuildingCullView, sample_x) == 176 && offsetof(BuildingCullView, sample_count) == 208 &&
              offsetof(BuildingCullView, facing_normals) == 224 && kFacingBins % 2 == 0);

/// shaders/buildings_cull.comp `BuildingLayerRange` (std430).
struct BuildingLayerRange {
  uint32_t first, count;
  uint32_t drawn;
  uint32_t pad;
};
static_assert(sizeof(BuildingLayerRange) == 16);

/// shaders/pick_constants.glsl `PickConstants` (object ids).
struct PickConstants {
  /*  0 */ glm::mat4 mvp;
  /* 64 */ glm::vec2 viewport;
  /* 72 */ uint32_t layer;
  /* 76 */ uint32_t first_instance;
};
static_assert(sizeof(PickConstants) == 80 && offsetof(PickConstants, layer) == 72);

/// shaders/flow_constants.glsl `FlowConstants` (flow culling and ribbons).
struct FlowConstants {
  /*   0 */ glm::mat4 mvp;
  /*  64 */ glm::vec2 viewport;
  /*  72 */ float time_s;
  /*  76 */ float opacity;
  /*  80 */ float camera_distance;
  /*  84 */ float enterprise_max_distance;
  /*  88 */ float park_min_distance;
  /*  92 */ float min_log_value;
  /*  96 */ uint32_t chain_mask;
  /* 100 */ uint32_t segment_mask;
  /* 104 */ int32_t highlight_chain;
  /* 108 */ uint32_t bin;
  /* 112 */ float segments;
};
static_assert(sizeof(FlowConstants) == 116 && offsetof(FlowConstants, chain_mask) == 96 &&
              offsetof(FlowConstants, segments) == 112);
static_assert(scene::kFlagAlarm == 8u && scene::kFlagMaintenance == 16u && scene::kFlagStopped == 32u &&
              scene::kFlagStale == 64u && scene::kFlagHidden == 1u && scene::kFlagHighlighted == 2u,
              "flag bits must match shaders/common.glsl");

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
static_assert(offsetof(gis::BuildingVertex, nx) == 16 && offsetof(gis::BuildingVertex, ny) == 18 &&
              sizeof(gis::BuildingVertex) == 20);  // location 3: VK_FORMAT_R16G16_SNORM
static_assert(offsetof(gis::FlatVertex, rgba) == 8);
static_assert(sizeof(scene::BuildingStyle) == 16 && offsetof(scene::BuildingStyle, rgba) == 8);

}  // namespace parktwin::render
