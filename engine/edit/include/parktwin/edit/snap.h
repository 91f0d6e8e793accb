#pragma once
// Snapping for the editor: where the cursor lands when a planner drags or draws. Pure functions
// over the layers' polygons, in scene metres; the tolerance is in screen pixels (12 px by
// default, as QGIS), so it shrinks in metres as the view zooms in.
//
// Order of preference, the first found within the tolerance wins:
//   Vertex         a vertex of a nearby feature
//   Edge           the nearest point on an edge of a nearby feature
//   Perpendicular  the cursor moved onto the line through the anchor perpendicular to a nearby edge
//   Parallel       ... parallel to a nearby edge (the anchor is the previous vertex while drawing)
//   Grid           the nearest node of a square grid
//   None           the cursor as it is
//
// Usage:
//   SnapIndex idx;                       // once per edit, after the layers changed
//   idx.add_layer(0, parcels);
//   idx.add_layer(1, buildings);
//   SnapQuery q{cursor_m, metres_per_pixel};
//   q.anchor = previous_vertex;          // while drawing
//   SnapResult s = snap(idx, q, options);
#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include <glm/vec2.hpp>

#include "parktwin/gis/geometry.h"

namespace parktwin::edit {

enum class SnapKind : uint8_t { None, Vertex, Edge, Perpendicular, Parallel, Grid };
/// "vertex", "edge", "perpendicular", "parallel", "grid", "none".
const char* snap_kind_name(SnapKind k);

/// One edge of a polygon ring: from vertex `index` to the next one.
struct SnapSegment {
  glm::dvec2 a{0.0}, b{0.0};
  int layer = -1;        ///< the caller's layer number (add_layer), -1 for extra segments
  int64_t fid = -1;      ///< the feature's fid, -1 for extra segments
  int part = 0, ring = 0, index = 0;
};

/// A uniform grid over the edges of the layers' polygons (cell size in metres).
class SnapIndex {
 public:
  explicit SnapIndex(double cell_m = 50.0);
  /// Adds every polygon of the layer's features, except those whose fid is in `skip` (the
  /// features being moved must not snap to themselves).
  void add_layer(int layer, const gis::LayerData& data, const std::set<int64_t>& skip = {});
  void add_polygon(int layer, int64_t fid, int part, const gis::Polygon& p);
  void clear();
  size_t size() const { return segments_.size(); }
  /// Indices into segments() of the edges whose bounding box meets the box [lo, hi].
  void query(glm::dvec2 lo, glm::dvec2 hi, std::vector<uint32_t>& out) const;
  const std::vector<SnapSegment>& segments() const { return segments_; }

 private:
  double cell_;
  std::vector<SnapSegment> segments_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> cells_;
  mutable std::vector<uint32_t> stamp_;  ///< query() de-duplication
  mutable uint32_t query_no_ = 0;
};

struct SnapOptions {
  double tolerance_px = 12.0;     ///< how far, on screen, the cursor is pulled
  bool vertex = true, edge = true;
  bool perpendicular = true, parallel = true;
  double grid_m = 0.0;            ///< grid spacing in metres; 0 = no grid snapping
  glm::dvec2 grid_origin{0.0};
  /// Edges within this many pixels of the cursor or of the anchor give the directions for
  /// perpendicular and parallel snapping.
  double reference_radius_px = 250.0;
};

struct SnapQuery {
  glm::dvec2 cursor{0.0};            ///< scene metres
  double metres_per_pixel = 1.0;     ///< at the cursor
  std::optional<glm::dvec2> anchor;  ///< previous vertex while drawing (perpendicular / parallel)
  /// More edges to snap to and take directions from (the outline being drawn); layer/fid -1.
  std::vector<std::pair<glm::dvec2, glm::dvec2>> extra;
};

struct SnapResult {
  glm::dvec2 point{0.0};   ///< where the cursor lands (the cursor itself when kind is None)
  SnapKind kind = SnapKind::None;
  int layer = -1;          ///< the feature snapped to (Vertex, Edge) or whose edge gave the direction
  int64_t fid = -1;
  int part = 0, ring = 0;
  int index = -1;          ///< Vertex: the vertex; Edge, Perpendicular, Parallel: the edge's first vertex
  glm::dvec2 ref_a{0.0}, ref_b{0.0};  ///< the edge snapped to or giving the direction
  double distance_px = 0.0;           ///< how far the cursor was pulled, in pixels
};

/// Snaps one cursor position (see the order above).
SnapResult snap(const SnapIndex& index, const SnapQuery& q, const SnapOptions& o = {});

/// The nearest point to `p` on the segment a-b.
glm::dvec2 closest_on_segment(glm::dvec2 p, glm::dvec2 a, glm::dvec2 b);

}  // namespace parktwin::edit
