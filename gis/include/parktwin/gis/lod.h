#pragma once
// Levels of detail for building meshes: per building, a simplified footprint re-extruded with the
// same vertex format, so heights and colours still come from the per-building style buffer and
// restyling works at every level.
//
// What a level guarantees, for a tolerance t (metres):
// - every building of the full mesh is in the level, with its own index (none is dropped or merged;
//   the size threshold below which a building may vanish is 0);
// - its ground cover lies within the full footprints expanded by t: it never covers ground that
//   the full mesh leaves empty farther than t from a footprint;
// - vertices keep the Extruder format: top is 0 or 1, roofs have normal (0,0), walls a unit normal.
// How: each footprint ring is simplified by Douglas-Peucker with tolerance t (kept only when the
// rings stay simple and the holes inside), holes narrower than 2t are filled, and an outline whose
// oriented bounding box stays within t of it becomes that box. Levels are written in the
// Extruder's order, building after building (meshoptimizer's vertex cache reordering finds nothing
// to gain on it: walls share no vertices; tests/gis/test_lod.cpp measures it).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "parktwin/gis/extrude.h"
#include "parktwin/gis/geometry.h"

namespace parktwin::gis {

/// What simplifying footprints did (counts add up over buildings or polygons).
struct LodStats {
  size_t buildings = 0;        ///< buildings in the full mesh (all of them are in the level)
  size_t polygons = 0;         ///< footprint polygons recovered from the full mesh
  size_t simplified = 0;       ///< polygons with fewer vertices than in the full mesh
  size_t boxed = 0;            ///< polygons whose outline became its oriented bounding box
  size_t holes_filled = 0;     ///< holes narrower than 2 t, dropped
  size_t kept = 0;             ///< polygons of over four points or with holes that keep every point
                               ///< (nothing within the tolerance can go, or nothing valid was found)
  size_t copied = 0;           ///< buildings copied as they are (footprint not recoverable from the walls)
  size_t triangles_full = 0;   ///< triangles of the full mesh
  size_t triangles = 0;        ///< triangles of the level
  size_t vertices_full = 0, vertices = 0;
};

/// One level of detail of a building mesh.
struct BuildingLod {
  BuildingMesh mesh;     ///< same origin and vertex format as the full mesh; building indices kept
  double error_m = 0.0;  ///< the tolerance it was built with: the most (metres, horizontally) by
                         ///< which its outlines depart from the full ones; heights are exact
  LodStats stats;
};

/// Tolerances (metres) of the levels a scene builds for every building chunk, finest first.
inline constexpr double kBuildingLodTolerances[] = {4.0, 8.0};

/// A footprint polygon recovered from a mesh, with the building it belongs to.
struct MeshFootprint {
  uint32_t building = 0;
  Polygon polygon;  ///< outer counter-clockwise, holes clockwise; absolute (scene frame) positions
};

/// Recovers the footprints of a mesh written by Extruder from its walls (each wall quad's bottom
/// edge, outward normal on its right). Buildings whose walls do not close into rings are listed in
/// `unrecovered` (when given) and have no entry. Footprints come in order of first appearance.
std::vector<MeshFootprint> mesh_footprints(const BuildingMesh& mesh, std::vector<uint32_t>* unrecovered = nullptr);

/// Simplifies one footprint for tolerance `tolerance_m` (see the guarantees above). Returns the
/// input unchanged (and counts it as kept) when no valid simplification exists.
Polygon simplify_footprint(const Polygon& footprint, double tolerance_m, LodStats* stats = nullptr);

/// One level of `full` for a tolerance.
BuildingLod building_lod(const BuildingMesh& full, double tolerance_m);

/// Several levels of `full`, one per tolerance (ascending tolerances give coarser levels); the
/// footprints are recovered once.
std::vector<BuildingLod> building_lods(const BuildingMesh& full, std::span<const double> tolerances_m);

}  // namespace parktwin::gis
