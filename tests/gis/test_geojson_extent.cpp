// The extent of a GeoJSON by one scan of its text (gis/src/geojson_extent.h), against GDAL's forced
// extent of the same file (its GeoJSON driver parses every feature), and through
// TiledLayerReader::whole_file_extent against TiledLayerReader::extent in the scene frame. Files
// the scan must not answer for (a CRS named after the features, a key that matters given twice or
// spelt with escapes, a cut-off file, a bare Feature, runaway nesting) give nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "geojson_extent.h"
#include "parktwin/gis/frame.h"
#include "parktwin/gis/tiled_reader.h"

namespace fs = std::filesystem;
using namespace parktwin::gis;

namespace {

fs::path write(const std::string& name, const std::string& text) {
  const fs::path dir = fs::path(PARKTWIN_TEST_OUT) / "geojson_extent";
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  return p;
}

/// GDAL's extent of the file's one layer, read with force (every feature parsed).
OGREnvelope gdal_extent(const fs::path& file) {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
  OGREnvelope env;
  GDALDatasetUniquePtr ds(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  EXPECT_TRUE(ds) << file;
  if (!ds) return env;
  EXPECT_EQ(ds->GetLayer(0)->GetExtent(&env, TRUE), OGRERR_NONE) << file;
  return env;
}

void expect_as_gdal(const fs::path& file) {
  SCOPED_TRACE(file.string());
  const auto got = detail::geojson_extent(file.string());
  ASSERT_TRUE(got.has_value());
  const OGREnvelope want = gdal_extent(file);
  EXPECT_EQ(got->min_x, want.MinX);
  EXPECT_EQ(got->min_y, want.MinY);
  EXPECT_EQ(got->max_x, want.MaxX);
  EXPECT_EQ(got->max_y, want.MaxY);
}

// Every kind of geometry, GeometryCollections, 3D positions, exponents, a null geometry, and the
// traps: "coordinates" and "geometry" inside properties, brackets and escaped quotes in strings,
// a bbox member that lies.
const char* kAwkward = R"({"type":"FeatureCollection","name":"awkward","bbox":[0,0,1,1],"features":[
{"type":"Feature","id":1,"properties":{"coordinates":[900,-900],"geometry":{"type":"Point","coordinates":[800,800]},
 "note":"]}\"{[ \\\" coordinates"},"geometry":{"type":"Point","coordinates":[116.05,28.71,12.5]}},
{"type":"Feature","id":2,"geometry":null,"properties":{"h":1}},
{"type":"Feature","id":3,"properties":{},"geometry":{"type":"LineString","coordinates":[[1.1595e2,2.868E1],[115.97,28.69]]}},
{"type":"Feature","id":4,"properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[116.10,28.60],[116.12,28.60],[116.12,28.62],[116.10,28.60]]],
 [[[116.2,28.8],[116.21,28.8],[116.21,28.81],[116.2,28.8]],[[116.202,28.802],[116.203,28.802],[116.203,28.803],[116.202,28.802]]]]}},
{"type":"Feature","id":5,"properties":{"geometries":[1,2]},"geometry":{"type":"GeometryCollection","geometries":[
 {"type":"Point","coordinates":[115.8,28.9]},{"type":"MultiPoint","coordinates":[[115.81,28.5],[-0.0,28.55]]}]}}
]})";

}  // namespace

TEST(GeoJsonExtent, TheScanGivesGdalsForcedExtent) {
  expect_as_gdal(write("awkward.geojson", kAwkward));
  expect_as_gdal(fs::path(PARKTWIN_ASSET_DIR).parent_path() / "tests" / "fixtures" / "footprints.geojson");
  // The positions: a point, a line of two, a multipolygon of 4 + 8, a point and a multipoint of two
  // (the numbers in properties and the null geometry count none).
  const auto got = detail::geojson_extent(write("awkward.geojson", kAwkward).string());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->positions, 1u + 2u + 4u + 8u + 3u);
}

TEST(GeoJsonExtent, AFileOfManyBlocksGivesGdalsExtentToo) {
  // Over 3 MiB: the file is read 1 MiB at a time, so keys, strings, escapes and numbers fall across
  // the blocks' edges (the lengths vary from feature to feature).
  std::string text = R"({"type":"FeatureCollection","features":[)";
  for (int i = 0; i < 12000; ++i) {
    char f[512];
    const double lon = 115.5 + 0.0001 * ((i * 7919) % 10007), lat = 28.2 + 0.00013 * ((i * 104729) % 7001);
    std::snprintf(f, sizeof f,
                  R"(%s{"type":"Feature","id":%d,"properties":{"name":"b\"%0*d\"","coordinates":[%d,%d]},)"
                  R"("geometry":{"type":"Polygon","coordinates":[[[%.*f,%.*f],[%.7f,%.7f],[%.7f,%.7f],[%.*f,%.*f]]]}})",
                  i ? ",\n" : "", i, 1 + i % 97, i, -i, i, 3 + i % 9, lon, 3 + i % 7, lat, lon + 0.0004, lat, lon + 0.0004,
                  lat + 0.0003, 3 + i % 9, lon, 3 + i % 7, lat);
    text += f;
  }
  text += "]}";
  ASSERT_GT(text.size(), size_t{3} << 20);
  const fs::path file = write("blocks.geojson", text);
  expect_as_gdal(file);
  const auto from_file = detail::geojson_extent(file.string());
  const auto from_text = detail::geojson_extent_of_text(text);
  ASSERT_TRUE(from_file && from_text);
  EXPECT_EQ(from_file->positions, 12000u * 4u);
  EXPECT_EQ(from_text->positions, from_file->positions);
}

TEST(GeoJsonExtent, WhereTheScanCannotSayItGivesNothing) {
  const std::string point = R"({"type":"Feature","geometry":{"type":"Point","coordinates":[116,28.7]},"properties":{}})";
  struct Case {
    const char* name;
    std::string text;
  } cases[] = {
      {"crs_after", R"({"type":"FeatureCollection","features":[)" + point +
                        R"(],"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4547"}}})"},
      {"geometry_twice", R"({"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"geometry":{"type":"Point","coordinates":[3,4]}}]})"},
      {"escaped_key", R"({"type":"FeatureCollection","features":[{"type":"Feature","ge\u006fmetry":{"type":"Point","coordinates":[1,2]}}]})"},
      {"cut_off", std::string(R"({"type":"FeatureCollection","features":[)") + point + "," + point.substr(0, 40)},
      {"bare_feature", point},
      {"no_positions", R"({"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{}}]})"},
      {"nested", R"({"type":"FeatureCollection","features":[)" + point + R"(],"deep":)" + std::string(300, '[') +
                     std::string(300, ']') + "}"},
      {"not_json", R"({"type":"FeatureCollection","features":[)" + point + R"(,{"geometry":{"coordinates":[1,2}}]})"},
  };
  for (const Case& c : cases) {
    bool crs_after = false;
    EXPECT_FALSE(detail::geojson_extent(write(std::string(c.name) + ".geojson", c.text).string(), &crs_after)) << c.name;
    EXPECT_EQ(crs_after, std::string(c.name) == "crs_after") << c.name;
  }
  // A CRS named before the features is the head's too: the scan answers.
  const std::string crs_first = R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4490"}},"features":[)" + point + "]}";
  EXPECT_TRUE(detail::geojson_extent(write("crs_first.geojson", crs_first).string()));
  EXPECT_FALSE(detail::geojson_extent((fs::path(PARKTWIN_TEST_OUT) / "geojson_extent" / "missing.geojson").string()));
}

TEST(GeoJsonExtent, AHeadReaderGivesTheWholeFilesExtentInTheSceneFrame) {
  const fs::path file = write("awkward.geojson", kAwkward);
  const std::string frame = SceneFrame::jiangxi().definition();
  auto head = TiledLayerReader::open_head(file.string(), "", frame, {}, 2, 1);
  ASSERT_NE(head, nullptr);
  auto whole = TiledLayerReader::open(file.string(), "", frame, {});
  ASSERT_TRUE(whole) << whole.error().message;
  const auto want = (*whole)->extent(true);
  const auto got = head->whole_file_extent();
  ASSERT_TRUE(want.has_value());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->first, want->first);
  EXPECT_EQ(got->second, want->second);
  // The head's own extent is smaller: two features of five.
  const auto own = head->extent(true);
  ASSERT_TRUE(own.has_value());
  EXPECT_GT(own->first.x, want->first.x);
  // A reader of the whole file is no head: nothing.
  EXPECT_FALSE((*whole)->whole_file_extent());
}
