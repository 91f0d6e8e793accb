#pragma once
// Plain geometry and feature types that the rest of ParkTwin sees: no GDAL type escapes gis.
// All coordinates here are in the scene frame (metres, double; see frame.h) unless a comment says otherwise.
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include <glm/vec2.hpp>

namespace parktwin::gis {

using Ring = std::vector<glm::dvec2>;  ///< closed implicitly: the last point is NOT a repeat of the first

/// A polygon: one outer ring (counter-clockwise) and any number of holes (clockwise).
struct Polygon {
  Ring outer;
  std::vector<Ring> holes;
  bool operator==(const Polygon&) const = default;  ///< exactly: every point, in order
};

using LineString = std::vector<glm::dvec2>;

enum class GeomKind : uint8_t { None, Point, Line, Polygon };

/// The geometry of one feature, flattened: a multi-geometry becomes several entries.
struct Geometry {
  GeomKind kind = GeomKind::None;
  std::vector<glm::dvec2> points;   ///< Point / MultiPoint
  std::vector<LineString> lines;    ///< LineString / MultiLineString
  std::vector<Polygon> polygons;    ///< Polygon / MultiPolygon
  bool operator==(const Geometry&) const = default;
};

using AttrValue = std::variant<std::monostate, int64_t, double, std::string>;

/// One feature: stable id, geometry in the scene frame, attributes by field index of its layer.
struct Feature {
  int64_t fid = -1;
  Geometry geom;
  std::vector<AttrValue> attrs;
  bool operator==(const Feature&) const = default;  ///< id, geometry and attributes (as stored)
};

/// What happened while reading one layer: counted by reason, with a few concrete messages.
struct LoadReport {
  int64_t read = 0;      ///< features seen
  int64_t kept = 0;      ///< features delivered
  int64_t repaired = 0;  ///< invalid geometries made valid (GEOS MakeValid) and kept
  /// The source is damaged: reading failed part way or ended short of the count it declares (the
  /// first message says where); what was read is delivered.
  bool damaged = false;
  std::map<std::string, int64_t> skipped;  ///< reason -> count
  std::vector<std::string> messages;       ///< human-readable, each naming file, layer and feature id
  int64_t skipped_total() const;
};

/// How a field's values are held (AttrValue: int64_t, double, std::string); dates and other OGR
/// types are read as their text.
enum class FieldType : uint8_t { Integer, Real, String };

/// One vector layer read from a source.
struct LayerData {
  std::string source;   ///< path or connection string it came from
  std::string name;     ///< layer name in the source
  std::string crs;      ///< the CRS it was read in (authority:code or a short description)
  GeomKind kind = GeomKind::None;  ///< dominant geometry kind
  std::vector<std::string> fields; ///< attribute names, index = AttrValue index in Feature::attrs
  std::vector<FieldType> field_types;  ///< one per field (empty for layers not read from a source)
  std::vector<Feature> features;
  LoadReport report;

  /// Index of a field by name, or -1.
  int field(const std::string& name) const;
};

/// Attribute helpers: string value ("" when absent), number value (fallback when absent or not numeric).
std::string attr_string(const Feature& f, int field);
double attr_number(const Feature& f, int field, double fallback);

/// Signed area of a ring (positive when counter-clockwise), shoelace formula.
double ring_signed_area(const Ring& r);
/// Area of a polygon: |outer| - sum |holes|.
double polygon_area(const Polygon& p);
/// Point in polygon (even-odd over outer and holes).
bool polygon_contains(const Polygon& p, glm::dvec2 q);

/// Proper crossings between the edges of a polygon's rings (two edges, not neighbours on a ring,
/// crossing at a point inside both), counted by a sweep over x. Stops once more than `cap` are
/// found or after about `work` edge-pair tests, so its time is bounded on any input.
struct CrossingCount {
  size_t crossings = 0;  ///< found (more than `cap` when it stopped there)
  bool complete = true;  ///< false: stopped by `cap` or `work`; the count is a lower bound
};
CrossingCount count_crossings(const Polygon& p, size_t cap, size_t work);

}  // namespace parktwin::gis
