#pragma once
// Polygon triangulation by ear clipping with hole bridging (the earcut approach), written for
// many small polygons: a Triangulator keeps its scratch memory between calls.
#include <cstdint>
#include <span>
#include <vector>

#include <glm/vec2.hpp>

#include "parktwin/gis/geometry.h"

namespace parktwin::gis {

class Triangulator {
 public:
  /// Special members are defined where Node is complete (the scratch arena holds Nodes).
  Triangulator();
  ~Triangulator();
  Triangulator(Triangulator&&) noexcept;
  Triangulator& operator=(Triangulator&&) noexcept;

  /// Triangulates a polygon given as flat points and ring starts (ring i spans
  /// [ring_starts[i], ring_starts[i+1]) or to the end; ring 0 is the outer ring, the rest are holes;
  /// orientation of the input does not matter). Appends counter-clockwise triangles as indices into
  /// `points` to `out`. Returns the number of triangles appended (0 for a degenerate polygon).
  uint32_t triangulate(std::span<const glm::dvec2> points, std::span<const uint32_t> ring_starts,
                       std::vector<uint32_t>& out);

  /// Convenience: triangulates a Polygon; `out_points` receives the flattened vertices
  /// (outer then holes) that the appended indices (relative to out_points' size on entry) refer to.
  uint32_t triangulate(const Polygon& poly, std::vector<glm::dvec2>& out_points, std::vector<uint32_t>& out);

 private:
  struct Node;
  std::vector<Node> nodes_;
  std::vector<uint32_t> scratch_;
};

/// Sum of the areas of the triangles (for tests: equals polygon_area within rounding).
double triangles_area(std::span<const glm::dvec2> points, std::span<const uint32_t> indices);

}  // namespace parktwin::gis
