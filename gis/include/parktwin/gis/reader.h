#pragma once
// Reading any OGR vector source (GeoPackage, GeoJSON, Shapefile, FlatGeobuf, a PostGIS
// "PG:..." connection string, ...) into plain LayerData in the scene frame.
//
// Usage:
//   auto frame = SceneFrame::jiangxi();
//   ReadOptions opt;                 // opt.declared_crs = "GCJ02" for a web-map source
//   auto r = read_source("parks.gpkg", frame, opt);
//   if (!r) log(r.error().message); else for (auto& layer : *r) ...
#include <optional>
#include <string>
#include <vector>

#include "parktwin/gis/frame.h"
#include "parktwin/gis/geometry.h"
#include "parktwin/gis/result.h"

namespace parktwin::gis {

struct ReadOptions {
  /// CRS to assume for layers that carry none (e.g. a shapefile without .prj): anything OGR's
  /// SetFromUserInput accepts ("EPSG:4326", a WKT or PROJ string), or "GCJ02" for GCJ-02 lon/lat.
  /// On the command line this is --crs.
  std::optional<std::string> declared_crs;
  /// Use declared_crs even when the source carries a CRS (for sources that mislabel GCJ-02 as 4326).
  bool override_crs = false;
  /// Only these layers (by name); empty = every layer.
  std::vector<std::string> layers;
  /// Invalid geometries are repaired with GEOS MakeValid when true, skipped when false.
  bool repair_invalid = true;
  /// Features farther than this from the frame origin (metres) are rejected as absurd.
  double max_distance_m = 3.0e6;
  /// Network sources (URLs, /vsicurl/ and GDAL's other network file systems) are refused unless
  /// this is set (--allow-remote): a layer argument never makes ParkTwin fetch from the network.
  bool allow_remote = false;
};

/// True for a URL or a path through one of GDAL's network file systems (/vsicurl/, /vsis3/, ...).
bool is_remote_source(const std::string& path);

/// Reads every requested layer of a source. Fails as a whole only when the source cannot be
/// opened, a requested layer is missing, or no CRS can be determined; problems with single
/// features are counted in each LayerData::report and the rest is delivered.
Result<std::vector<LayerData>> read_source(const std::string& path, const SceneFrame& frame,
                                           const ReadOptions& options = {});

/// Reads one layer by name.
Result<LayerData> read_layer(const std::string& path, const std::string& layer, const SceneFrame& frame,
                             const ReadOptions& options = {});

/// The names of the layers of a source (for --help style listings and tests).
Result<std::vector<std::string>> list_layers(const std::string& path, bool allow_remote = false);

}  // namespace parktwin::gis
