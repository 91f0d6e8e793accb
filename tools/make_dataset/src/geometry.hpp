#pragma once
/// Plain planar geometry for the generator: points, rectangles and rings in a per-area metric grid
/// frame, and the conversion of that frame to WGS84 lon/lat OGR geometries.
#include <memory>
#include <vector>

#include <ogr_geometry.h>

namespace parktwin::dataset {

/// A point or vector in metres (grid frame) or degrees (lon, lat).
struct Vec2 {
  double x = 0;
  double y = 0;
};

/// A closed ring without the repeated closing point.
using Ring = std::vector<Vec2>;

/// A polygon: outer ring counter-clockwise, holes clockwise.
struct Shape {
  Ring outer;
  std::vector<Ring> holes;
};

/// Axis-aligned rectangle in the grid frame.
struct Rect {
  double u0 = 0, v0 = 0, u1 = 0, v1 = 0;
  [[nodiscard]] double width() const { return u1 - u0; }
  [[nodiscard]] double height() const { return v1 - v0; }
  [[nodiscard]] double longer() const;
  [[nodiscard]] double shorter() const;
  [[nodiscard]] double area() const { return width() * height(); }
  [[nodiscard]] Vec2 centre() const { return {(u0 + u1) / 2, (v0 + v1) / 2}; }
  /// The rectangle shrunk by d on every side (may become empty: check width()/height()).
  [[nodiscard]] Rect inset(double d) const { return {u0 + d, v0 + d, u1 - d, v1 - d}; }
  /// Counter-clockwise ring of the four corners.
  [[nodiscard]] Ring ring() const;
};

/// Signed area of a ring (positive when counter-clockwise).
double signedArea(const Ring& ring);

/// Area of a shape (outer minus holes), in the units of its coordinates squared.
double shapeArea(const Shape& shape);

/// Regular polygon approximating a circle, counter-clockwise.
Ring circleRing(Vec2 centre, double radius, int segments);

/// Metric frame of one park area: local equirectangular metres around an origin, rotated by the
/// area's street-grid bearing. Grid coordinates (u, v) are metres along and across the grid.
class AreaFrame {
public:
  /// Frame with origin at (lon0, lat0) and grid rotated by bearingDeg counter-clockwise from east.
  AreaFrame(double lon0, double lat0, double bearingDeg);
  /// Grid metres to lon/lat degrees.
  [[nodiscard]] Vec2 toLonLat(Vec2 grid) const;
  /// Lon/lat degrees to grid metres.
  [[nodiscard]] Vec2 toGrid(Vec2 lonLat) const;
  /// Square metres per square degree at the origin (for area checks in lon/lat).
  [[nodiscard]] double m2PerDeg2() const { return kx_ * ky_; }

private:
  double lon0_, lat0_, kx_, ky_, cos_, sin_;
};

/// OGR polygon in grid coordinates (for planar operations in metres).
std::unique_ptr<OGRPolygon> gridPolygon(const Shape& shape);
/// OGR polygon of a grid-frame shape, converted to lon/lat.
std::unique_ptr<OGRPolygon> lonLatPolygon(const Shape& shape, const AreaFrame& frame);
/// Converts every vertex of an OGR geometry in grid coordinates to lon/lat, in place.
void gridToLonLat(OGRGeometry& geometry, const AreaFrame& frame);
/// Shapes (outer ring + holes) of the polygons of a planar OGR geometry; other parts are ignored.
std::vector<Shape> shapesOf(const OGRGeometry& geometry);

}  // namespace parktwin::dataset
