#pragma once
// Internal: the extent of a GeoJSON FeatureCollection's geometries by one scan of its text, without
// building features. GDAL's GeoJSON driver keeps no extent and gives one only by parsing every
// feature (a forced GetExtent); this scan reads the numbers of the geometries' positions alone.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parktwin::gis::detail {

/// The box of the first two coordinates of every position in the geometries of `path`'s
/// top-level "features" array (`geometry` members, GeometryCollections' `geometries` included;
/// `properties` and other members are skipped), in the file's own coordinates, as a forced GDAL
/// extent gives it. Nothing when the file is not such a document, holds no position, nests deeper
/// than 256 levels, or names its CRS after its features (`crs_after` set then, when given): the
/// reader that opened its head would read those numbers in another CRS.
struct GeoJsonExtent {
  double min_x = 0, min_y = 0, max_x = 0, max_y = 0;
  uint64_t positions = 0;  ///< positions counted
};
std::optional<GeoJsonExtent> geojson_extent(const std::string& path, bool* crs_after = nullptr);
/// The same for a document in memory. Also nothing where a key of the root, a feature or a
/// geometry holds an escape or one of the keys that matter comes twice in one object (a JSON
/// reader keeps the last; the scan does not guess): GDAL's extent is left to say.
std::optional<GeoJsonExtent> geojson_extent_of_text(std::string_view text, bool* crs_after = nullptr);

}  // namespace parktwin::gis::detail
