#pragma once
// Helpers of the store tests: a small park written with GDAL (EPSG:4326), loading it into an edit
// session, and comparisons by an independent route (gis::read_source, plain sqlite3).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "parktwin/edit/edit.h"
#include "parktwin/gis/frame.h"
#include "parktwin/gis/reader.h"

namespace parktwin::testing {

/// The fixture: 6 parcels (200 m squares, fids 1..6, parcel_id P01..P06) in a 3 x 2 grid 250 m
/// apart, each with 2 buildings (fids 1..12, building_id B001..B012, parcel_id of their parcel).
struct ParkFixture {
  static constexpr int kParcels = 6;
  static constexpr int kBuildings = 12;
  /// Scene-frame corner (south-west) of parcel `fid`.
  static glm::dvec2 parcel_corner(int64_t fid);
  /// A square of `side` metres in parcel `fid`, its south-west corner `offset` from the parcel's.
  static gis::Polygon square(int64_t fid, glm::dvec2 offset, double side);
  /// building_id of building `fid`.
  static std::string building_id(int64_t fid);
};

/// Writes the fixture as a GeoPackage at `path` (replaced); only the named layers when given.
/// `multi`: the buildings layer is declared MultiPolygon (its features are still one polygon each).
void write_park_gpkg(const std::string& path, const gis::SceneFrame& frame,
                     const std::vector<std::string>& layers = {"parcels", "buildings"}, bool multi = false);

/// Layers read from a source and an edit session over them.
struct Loaded {
  std::vector<gis::LayerData> layers;
  std::unique_ptr<edit::EditSession> session;
  const gis::LayerData& layer(const std::string& name) const;
};
/// Reads parcels and buildings of `source` and opens a session (test assertion on failure).
std::unique_ptr<Loaded> load_park(const std::string& source, const gis::SceneFrame& frame,
                                  const gis::ReadOptions& options = {});

/// Two planners, each with its own frame, session and thread, load `source`, move building 1 (and
/// building 3 or 4) and save at the same moment.
struct SaveRace {
  int saved = 0;           ///< saves that wrote
  int conflicted = 0;      ///< saves refused with conflicts
  std::string failures;    ///< messages of saves that failed outright
  gis::Geometry winner_b1; ///< building 1 as the planner whose save wrote holds it
};
SaveRace two_planners_save_at_once(const std::string& source);

/// The feature with `fid`, or null.
const gis::Feature* find_feature(const gis::LayerData& layer, int64_t fid);
/// Largest distance between corresponding vertices (infinity when the structure differs).
double max_vertex_gap(const gis::Geometry& a, const gis::Geometry& b);
/// Attributes of `a` (of layer `la`) that differ from `b` (of `lb`), by field name, ignoring
/// `skip`; "" when none: "floors: 3 vs 7".
std::string attr_differences(const gis::LayerData& la, const gis::Feature& a, const gis::LayerData& lb,
                             const gis::Feature& b, const std::string& skip);

/// Rows of a query on an SQLite/GeoPackage file, columns joined by '|' (through sqlite3, not GDAL).
std::vector<std::string> sqlite_rows(const std::string& path, const std::string& sql);
/// Runs SQL on an SQLite/GeoPackage file through sqlite3 (test set-up); "" or sqlite3's message.
std::string sqlite_exec(const std::string& path, const std::string& sql);
/// Every row of a table by fid: all columns, the geometry as hex (for "untouched" comparisons).
std::map<int64_t, std::string> sqlite_table(const std::string& path, const std::string& table,
                                            const std::string& skip_column = "");
/// The bytes of a file.
std::string file_bytes(const std::string& path);
/// A fresh path under the test output folder.
std::string out_path(const std::string& name);

}  // namespace parktwin::testing
