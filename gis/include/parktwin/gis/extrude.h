#pragma once
// Extrusion of building footprints into GPU-ready meshes (walls and roofs), relative to a chunk
// origin so positions fit float32 without jitter. Every vertex carries its building index and a
// top/bottom flag: the GPU takes the height from a per-building storage buffer, so changing a
// building's height or colour never re-triangulates.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <glm/vec2.hpp>

#include "parktwin/gis/geometry.h"
#include "parktwin/gis/triangulate.h"

namespace parktwin::gis {

/// One vertex of a building mesh, 20 bytes: a million buildings hold about 35 M of them, on the
/// CPU and the GPU alike. Layout shared with shaders/buildings.vert (static_asserts in
/// engine/render/src/gpu_types.h).
struct BuildingVertex {
  float x, y;        ///< metres relative to the chunk origin
  float top;         ///< 0 = at the building's base, 1 = at its roof
  uint32_t building; ///< index into the per-building storage buffer
  /// Horizontal outward unit normal of a wall as signed normalized 16-bit integers (value / 32767,
  /// what VK_FORMAT_R16G16_SNORM hands the shader); (0,0) marks a roof vertex (normal up).
  int16_t nx, ny;

  glm::vec2 normal() const { return {static_cast<float>(nx) / 32767.0f, static_cast<float>(ny) / 32767.0f}; }
  bool roof() const { return nx == 0 && ny == 0; }
  /// A component of a unit normal in its stored form.
  static int16_t snorm(double c) {
    if (std::isnan(c)) return 0;  // a degenerate wall (never drawn)
    return static_cast<int16_t>(std::lround(std::clamp(c, -1.0, 1.0) * 32767.0));
  }
};
static_assert(sizeof(BuildingVertex) == 20);

/// One vertex of a flat (ground) layer: parcels, roads, boundaries.
struct FlatVertex {
  float x, y;        ///< metres relative to the chunk origin
  uint32_t rgba;     ///< colour, 0xAABBGGRR
  uint32_t feature;  ///< feature index within its layer (for picking and per-feature styling)
};
static_assert(sizeof(FlatVertex) == 16);

/// A mesh whose positions are relative to `origin` (scene frame, metres).
template <typename V>
struct Mesh {
  glm::dvec2 origin{0.0};
  std::vector<V> vertices;
  std::vector<uint32_t> indices;       ///< triangle list
  std::vector<uint32_t> edge_indices;  ///< line list: roof outlines and vertical corners (buildings only)
  void clear() { vertices.clear(); indices.clear(); edge_indices.clear(); }
  /// Triangle and line indices together (what a renderer's index buffer holds of it).
  size_t index_count() const { return indices.size() + edge_indices.size(); }
  /// Bytes of its vertices and indices.
  size_t bytes() const { return vertices.size() * sizeof(V) + index_count() * sizeof(uint32_t); }
};
using BuildingMesh = Mesh<BuildingVertex>;
using FlatMesh = Mesh<FlatVertex>;

/// Appends the walls, roof and outline edges of one footprint. Rings are repaired for orientation
/// (outer CCW, holes CW) and repeated points are dropped. Returns false when the polygon is
/// degenerate (nothing appended).
class Extruder {
 public:
  bool add(const Polygon& footprint, uint32_t building, BuildingMesh& mesh);
  /// Throughput counter: input footprint vertices seen by add().
  uint64_t input_vertices() const { return input_vertices_; }

 private:
  Triangulator tri_;
  std::vector<glm::dvec2> pts_;
  std::vector<uint32_t> starts_;
  std::vector<uint32_t> idx_;
  uint64_t input_vertices_ = 0;
};

/// Appends a filled polygon to a flat mesh.
bool fill_polygon(const Polygon& poly, uint32_t rgba, uint32_t feature, FlatMesh& mesh, Triangulator& tri);

/// Appends a line as a ribbon of the given width (metres) with mitred joins (bevelled past 4x width).
void stroke_line(const LineString& line, double width, uint32_t rgba, uint32_t feature, FlatMesh& mesh);

}  // namespace parktwin::gis
