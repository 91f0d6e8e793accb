#pragma once
// Reading one layer by parts: the features whose position falls in a rectangle of the scene frame,
// through the source's spatial index (GeoPackage R-tree, FlatGeobuf's packed R-tree, PostGIS GiST),
// so a big layer can be read tile by tile, nearest first, on several threads (one reader each).
//
// Ownership: a feature belongs to the tile that contains the centre of its bounding box (taken in
// the source CRS and moved into the scene frame). Every feature with a geometry belongs to exactly
// one tile, so reading every tile of extent() reads every feature once. Features without a geometry
// belong to no tile: read_rest() reads what the tiles did not (by FID), for an exact total.
//
// Threads: a TiledLayerReader owns its dataset handle and its frame; use each from one thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <glm/vec2.hpp>

#include "parktwin/gis/frame.h"
#include "parktwin/gis/geometry.h"
#include "parktwin/gis/reader.h"
#include "parktwin/gis/result.h"

namespace parktwin::gis {

class TiledLayerReader {
 public:
  /// Opens layer `layer` of `path` ("" = the first layer) with a frame of definition `frame_def`.
  static Result<std::unique_ptr<TiledLayerReader>> open(const std::string& path, const std::string& layer,
                                                        const std::string& frame_def, const ReadOptions& options = {});
  /// A reader of the first `features` features of a GeoJSON FeatureCollection of at least
  /// `min_bytes` alone, read from a copy of the file's head (the features array closed after the
  /// `features`-th): GDAL's GeoJSON driver parses a whole file once (schema, count) before it hands
  /// out a feature, 0.7 s for 30 MB here, and the head is parsed in milliseconds. Its schema and
  /// feature ids are what the head alone gives: a field first seen further on, a wider type or a
  /// "crs" member after the features make them differ from the file's, which the caller checks
  /// against a reader of the whole file. Messages name `path`. Null when the file is smaller, not
  /// GeoJSON, its head holds fewer features (or is over half the file), or anything fails.
  static std::unique_ptr<TiledLayerReader> open_head(const std::string& path, const std::string& layer,
                                                     const std::string& frame_def, const ReadOptions& options,
                                                     size_t features, uint64_t min_bytes);
  ~TiledLayerReader();
  TiledLayerReader(const TiledLayerReader&) = delete;
  TiledLayerReader& operator=(const TiledLayerReader&) = delete;

  /// Source, name, CRS, fields and field types of the layer; no features.
  const LayerData& schema() const;
  /// The names of every layer of the source (this reader reads one of them).
  std::vector<std::string> layer_names() const;
  /// What the layer's geometry type says it holds (None when it does not say).
  GeomKind declared_kind() const;
  /// The number of features the source declares without a scan, -1 when it cannot say cheaply.
  int64_t declared_count() const;
  /// True when a rectangle is answered from a spatial index (and the CRS allows rectangles:
  /// not for GCJ-02 sources). Without one, read tiles with read_all() and split them yourself.
  bool indexed() const;
  /// True when a rectangle's first feature costs a search for all of them: GDAL's FlatGeobuf and
  /// Shapefile (.qix) drivers gather every match of a spatial filter before handing out the first
  /// (GeoPackage and PostGIS stop at the first). any_in over a wide rectangle then pays for every
  /// feature under it.
  bool filter_gathers_all() const;
  /// The layer's extent in the scene frame (bounding box of its corners and edge midpoints), or
  /// nothing for an empty layer or one whose extent cannot be transformed. Where the source keeps
  /// no extent (GeoJSON), GDAL reads every feature for it: with `force` false, nothing instead.
  std::optional<std::pair<glm::dvec2, glm::dvec2>> extent(bool force = true) const;
  /// A reader opened by open_head: the whole file's extent by one scan of its text for the numbers
  /// of its geometries' positions (no features built: 0.08-0.1 s for 30 MB, 0.85-1.0 s for 337 MB
  /// here, where GDAL's forced extent parses the file), in the scene frame as extent() gives it.
  /// Nothing for other readers, for a file whose CRS is named after its features, or one the scan
  /// cannot read.
  std::optional<std::pair<glm::dvec2, glm::dvec2>> whole_file_extent() const;
  /// The same for the features the last read_all() pass saw (its geometries' envelope in the
  /// source, as a forced GDAL extent sums it): the extent a one-pass read gives for free.
  std::optional<std::pair<glm::dvec2, glm::dvec2>> pass_extent() const;

  /// The features owned by the half-open rectangle [lo, hi) of the scene frame (see above).
  /// `seen`, when given, receives the FID of every feature the tile owns, kept or skipped.
  Result<LayerData> read_tile(glm::dvec2 lo, glm::dvec2 hi, std::vector<int64_t>* seen = nullptr);
  /// Whether the index has any feature near the rectangle (may say yes for a feature another
  /// rectangle owns; never no for one this rectangle owns). Always true without an index.
  bool any_in(glm::dvec2 lo, glm::dvec2 hi);
  /// Every feature (one sequential pass), as read_layer would deliver them.
  Result<LayerData> read_all();
  /// The same pass, its features handed to `sink` as they are read, in file order: the first
  /// `first`, then every `every`, then the rest; the result has the report and no features.
  Result<LayerData> read_all(size_t first, size_t every, const std::function<void(std::vector<Feature>&&)>& sink);
  /// The features whose FID is not in `seen` (features without geometry, and any a tile missed).
  Result<LayerData> read_rest(const std::unordered_set<int64_t>& seen);

  struct Impl;

 private:
  explicit TiledLayerReader(std::unique_ptr<Impl> impl);
  /// The rest of open and open_head once the dataset is open; their callers' capture Scope is in force.
  static Result<std::unique_ptr<TiledLayerReader>> finish_open(std::unique_ptr<Impl> impl, const std::string& layer);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parktwin::gis
