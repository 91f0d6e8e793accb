#pragma once
// Internal: the head of a big GeoJSON FeatureCollection as a document of its own, so its first
// features can be read before GDAL's GeoJSON driver has parsed the whole file (which it does once
// for the schema and the feature count before it hands out the first feature).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace parktwin::gis::detail {

/// The text of `path` up to the end of the `features`-th element of its top-level "features"
/// array, with that array and the top-level object closed after it: the members before "features"
/// (type, name, crs, bbox, ...) as the file has them, those after it left out. Read from the start
/// of the file, at most `max_bytes`. Nothing when the file is not a JSON object with such an
/// array (as far as read), when the array holds fewer elements, or when they do not fit.
std::optional<std::string> geojson_head(const std::string& path, size_t features, uint64_t max_bytes);

/// Where in `text` (a file's first bytes) the `features`-th element of the top-level "features"
/// array ends (one past its closing brace), when the text holds it; geojson_head cuts there.
std::optional<size_t> geojson_head_cut(const std::string& text, size_t features);

}  // namespace parktwin::gis::detail
