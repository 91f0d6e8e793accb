#pragma once
/// Synthetic building footprints for benchmarks: N deterministic polygons with a `height`
/// attribute, laid out like the deck.gl peer harness's generator (../shared/peer/tools/
/// gen_buildings.mjs): a jittered grid (45 m spacing) around 116.0 E 28.7 N, rectangles,
/// chamfered rectangles, L and U shapes, about 10 % of the larger rectangles with a courtyard
/// (about 4 % of all footprints), heights 10-120 m skewed low. Same mulberry32 stream and the same
/// arithmetic, so a dataset of N footprints with seed 42 holds the peer's N footprints (to the
/// 1e-7 degree rounding both apply).
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace parktwin::dataset {

struct FootprintOptions {
  std::uint64_t n = 0;
  std::uint32_t seed = 42;
  double lon = 116.0, lat = 28.7;  ///< centre of the grid, WGS84 degrees
  double spacing_m = 45.0;         ///< grid spacing; footprints are at most ~34 m across
};

/// One footprint in WGS84 degrees: rings closed (first point repeated), outer CCW, hole CW.
struct Footprint {
  std::int64_t id = 0;
  double height_m = 0.0;
  const char* kind = "";  ///< rect, rect_chamfer, L, L_chamfer, U
  std::vector<std::array<double, 2>> outer, hole;  ///< hole empty when there is none
};

/// Produces the footprints one by one, in order (id 0, 1, ...).
class FootprintGenerator {
 public:
  explicit FootprintGenerator(const FootprintOptions& o);
  /// The next footprint into `f` (its vectors reused); false once n were produced.
  bool next(Footprint& f);

 private:
  double rnd();
  FootprintOptions o_;
  std::uint32_t state_;
  std::uint64_t i_ = 0, cols_ = 1, rows_ = 1;
  double m_per_deg_lon_ = 0.0, m_per_deg_lat_ = 110574.0;
};

/// What write_footprints wrote.
struct FootprintStats {
  std::uint64_t features = 0, holes = 0, vertices = 0;  ///< vertices: unique ring vertices (closing points not counted)
  double seconds = 0.0;
};

/// Writes the footprints to `path` through GDAL: FlatGeobuf (.fgb, with its packed Hilbert R-tree),
/// GeoPackage (.gpkg, with its R-tree; committed every 100k features) or GeoJSON (.geojson, for
/// comparing with the peer). One layer "buildings" in EPSG:4326 with the fields id, height, kind.
/// Replaces an existing file. Throws std::runtime_error naming the path and GDAL's message.
/// `progress`, when given, is called every 1M features with the count so far.
FootprintStats write_footprints(const std::string& path, const FootprintOptions& o,
                                const std::function<void(std::uint64_t)>& progress = {});

}  // namespace parktwin::dataset
