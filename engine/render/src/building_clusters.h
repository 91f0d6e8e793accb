#pragma once
// Building chunks as the GPU draws them: each chunk's buildings in clusters of nearby buildings
// (Morton order of their centres, a few thousand triangles each) with bounds of their own, and
// inside a cluster the roofs first, then the walls sorted into kFacingBins bins by the direction
// their outward normal points to. A wall faces away from every eye position whose direction from
// it makes more than 90 degrees with its normal; seen from outside a cluster's footprint, whole
// bins do, so the culling leaves them out before any vertex is shaded (the rasterizer would have
// culled each of their triangles as back-facing: the picture is the same). The layout only
// reorders a chunk's indices; its vertices are uploaded as they are.
#include <array>
#include <span>
#include <cstdint>
#include <vector>

#include <glm/vec2.hpp>

#include "parktwin/gis/extrude.h"
#include "shared_constants.h"

namespace parktwin::render {

// Wall bins: bin k holds walls whose outward normal's angle from +x lies in
// [-pi + k * 2pi / kFacingBins, -pi + (k + 1) * 2pi / kFacingBins); kFacingBins and kFacingMargin
// are in shaders/shared_constants.h (the culling shader uses them too).
/// Clusters close once they reach this many triangles (a building is never split).
inline constexpr uint32_t kClusterTriangles = 4096;

/// One cluster of a chunk: index ranges relative to the chunk's first index in the shared buffer.
struct BuildingCluster {
  uint32_t first_index = 0, index_count = 0;  ///< faces: roofs, then the wall bins
  uint32_t roof_count = 0;                    ///< indices of roofs at the start of the faces
  std::array<uint32_t, kFacingBins> bin_end{};  ///< end of wall bin k, relative to first_index
  uint32_t edge_first = 0, edge_count = 0;    ///< its buildings' edges (after every chunk face)
  glm::vec2 lo{0.0f}, hi{0.0f};               ///< footprint bounds of its vertices (relative to the origin)
};

/// A chunk's indices in cluster order (every face index, then every edge index; the same counts as
/// the mesh's) and its clusters.
struct ClusteredMesh {
  std::vector<uint32_t> indices;
  std::vector<BuildingCluster> clusters;
  std::vector<uint32_t> buildings;    ///< building indices in layout order
  std::vector<uint32_t> cluster_end;  ///< per cluster: the end of its buildings in `buildings`
};

/// Groups `mesh`'s buildings (runs of triangles and lines with the same vertex `building`) into
/// clusters and reorders its indices as described above.
ClusteredMesh cluster_building_mesh(const gis::BuildingMesh& mesh, uint32_t cluster_triangles = kClusterTriangles);

/// `level` (a level of detail of the mesh `like` was made from: the same buildings) laid out in
/// `like`'s clusters, its buildings in the same order, so that cluster i of either draws the same
/// buildings.
ClusteredMesh cluster_like(const gis::BuildingMesh& level, const ClusteredMesh& like);

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
