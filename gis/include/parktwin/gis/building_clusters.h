#pragma once
// Building chunks as renderers draw them: each chunk's buildings in clusters of nearby buildings
// (Morton order of their centres, a few thousand triangles each) with bounds of their own, and
// inside a cluster the roofs first, then the walls sorted into kFacingBins bins by the direction
// their outward normal points to. A wall faces away from every eye position whose direction from
// it makes more than 90 degrees with its normal; seen from outside a cluster's footprint, whole
// bins do, so the culling leaves them out before any vertex is shaded (the rasterizer would have
// culled each of their triangles as back-facing: the picture is the same). The layout only
// reorders a chunk's indices; its vertices are uploaded as they are. Pure geometry: the scene lays
// chunks out where it builds their meshes (stream workers, the levels-of-detail pass), so a
// renderer only copies them (render/src/building_clusters.h adds the culling side).
#include <array>
#include <span>
#include <cstdint>
#include <vector>

#include <glm/vec2.hpp>

#include "parktwin/gis/extrude.h"
#include "shared_constants.h"

namespace parktwin::gis {

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
ClusteredMesh cluster_building_mesh(const BuildingMesh& mesh, uint32_t cluster_triangles = kClusterTriangles);

/// `level` (a level of detail of the mesh `like` was made from: the same buildings) laid out in
/// `like`'s clusters, its buildings in the same order, so that cluster i of either draws the same
/// buildings.
ClusteredMesh cluster_like(const BuildingMesh& level, const ClusteredMesh& like);

}  // namespace parktwin::gis
