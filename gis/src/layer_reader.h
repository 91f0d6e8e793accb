#pragma once
// Internal: the pieces of reader.cpp that the tiled reader (tiled_reader.cpp) reads through.
#include <cstdint>
#include <functional>
#include <string>

#include <gdal_priv.h>

#include "frame_impl.h"
#include "parktwin/gis/reader.h"

namespace parktwin::gis::detail {

/// Decides, before a feature is converted, whether a read takes it: (FID, geometry in the source CRS).
using FeatureFilter = std::function<bool(int64_t fid, const OGRGeometry* geometry)>;
/// Takes a batch of features as a read goes on (see read_features).
using FeatureSink = std::function<void(std::vector<Feature>&& batch)>;
/// Where read_features hands its features over while it reads: the first `first`, then every
/// `every`, then what is left at the end (features only; the report comes with the result).
struct Batches {
  const FeatureSink* sink = nullptr;
  size_t first = 0, every = 0;
};

/// Opens a vector source as read_source does (remote sources refused unless allowed; messages name the path).
Result<GDALDatasetUniquePtr> open_source(const std::string& path, ErrorCapture& capture, bool allow_remote);

/// The short name of the vector driver GDAL would open `path` with (from the file's first bytes,
/// without opening it), "" when none.
std::string vector_driver_of(const std::string& path);
/// `path` opened as a vector dataset by `driver` alone; null when that fails (nothing reported).
GDALDatasetUniquePtr open_with_driver(const std::string& path, const char* driver);

/// Reads the features of `layer` that `accept` takes, exactly as read_source reads a whole layer
/// (CRS, repair, range checks, attributes, report). The layer's spatial filter, if set, applies.
/// The report counts only the features taken; no "declared count" check (the caller sums parts).
/// With `batches`, the features go to its sink as they are read and the result holds none.
Result<LayerData> read_features(const std::string& path, OGRLayer& layer, const SceneFrame& frame,
                                const ReadOptions& options, ErrorCapture& capture, const FeatureFilter& accept,
                                const Batches& batches = {});

/// The layer's name, CRS (checked as a read checks it), fields and field types; no feature is read.
Result<LayerData> read_schema(const std::string& path, OGRLayer& layer, const SceneFrame& frame,
                              const ReadOptions& options, ErrorCapture& capture);

/// "GCJ02" or "GCJ-02", any case.
bool is_gcj02_name(const std::string& crs);

}  // namespace parktwin::gis::detail
