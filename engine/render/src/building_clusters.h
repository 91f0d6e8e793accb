#pragma once
// The culling side of building clusters (gis/building_clusters.h lays chunks out): which wall bins
// may face an eye, and the index ranges a cluster then draws. shaders/buildings_cull.comp computes
// the same on the GPU.
#include <array>
#include <span>
#include <cstdint>

#include <glm/vec2.hpp>

#include "parktwin/gis/building_clusters.h"
#include "shared_constants.h"

namespace parktwin::render {

using gis::BuildingCluster;
using gis::ClusteredMesh;
using gis::cluster_building_mesh;
using gis::cluster_like;
using gis::kClusterTriangles;

/// Bit k set: wall bin k may face the eye at `eye` (scene metres, horizontal) from some point of
/// the footprint rectangle [bmin, bmax]; bins whose bit is clear face away from it everywhere.
/// shaders/buildings_cull.comp facing_mask computes the same from the same normals
/// (facing_normals, handed to it in the cull view).
uint32_t facing_mask(glm::dvec2 eye, glm::dvec2 bmin, glm::dvec2 bmax);

/// The boundary normals of the wall bins: normal j points at angle -pi + j * 2pi / kFacingBins
/// (bin k lies between normals k and k + 1, the last wrapping to the first). Computed once, on the
/// CPU; the GPU culling reads these very floats, so the two paths cannot round them differently.
const std::array<glm::vec2, kFacingBins>& facing_normals();

/// The face index ranges of a cluster to draw for the bins in `mask`, in layout order: runs of
/// consecutive drawn parts (roofs are always drawn), at most two (extra runs are merged, which
/// draws some back faces the rasterizer then culls). Returns how many; `first`/`count` relative to
/// the cluster's first index.
uint32_t facing_runs(uint32_t index_count, uint32_t roof_count, std::span<const uint32_t, kFacingBins> bin_end,
                     uint32_t mask, std::array<uint32_t, 2>& first, std::array<uint32_t, 2>& count);
inline uint32_t facing_runs(const BuildingCluster& c, uint32_t mask, std::array<uint32_t, 2>& first,
                            std::array<uint32_t, 2>& count) {
  return facing_runs(c.index_count, c.roof_count, c.bin_end, mask, first, count);
}

}  // namespace parktwin::render
