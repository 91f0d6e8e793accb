// scene::add_user_layers on files written through OGR into a scratch directory: the layer kind
// chosen from geometry and attributes, heights, CRS declaration, empty and invalid data, a layer
// that mixes geometry kinds.
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "scene_test_support.h"

using namespace parktwin;
using namespace parktwin::scene;
namespace fs = std::filesystem;

namespace {

/// One attribute of a fixture feature: a real number, or a string when `text` is set.
struct Attr {
  std::string name;
  double number = 0.0;
  std::string text;
};

struct Fixture {
  std::string wkt;  ///< lon/lat
  std::vector<Attr> attrs;
};

struct FixtureLayer {
  std::string name;
  OGRwkbGeometryType type = wkbPolygon;
  bool wgs84 = true;  ///< false: no CRS at all (a shapefile without .prj)
  std::vector<Fixture> features;
};

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(PARKTWIN_TEST_OUT) / "scene_user_layers" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

/// Writes the layers into a new file with the given OGR driver.
void write_file(const char* driver, const fs::path& file, const std::vector<FixtureLayer>& layers) {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
  GDALDriver* drv = GetGDALDriverManager()->GetDriverByName(driver);
  ASSERT_NE(drv, nullptr) << driver;
  GDALDatasetUniquePtr ds(drv->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
  OGRSpatialReference wgs84;
  ASSERT_EQ(wgs84.SetFromUserInput("EPSG:4326"), OGRERR_NONE);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  for (const FixtureLayer& spec : layers) {
    OGRLayer* layer = ds->CreateLayer(spec.name.c_str(), spec.wgs84 ? &wgs84 : nullptr, spec.type, nullptr);
    ASSERT_NE(layer, nullptr) << CPLGetLastErrorMsg();
    if (!spec.features.empty())
      for (const Attr& a : spec.features.front().attrs) {
        OGRFieldDefn field(a.name.c_str(), a.text.empty() ? OFTReal : OFTString);
        ASSERT_EQ(layer->CreateField(&field), OGRERR_NONE);
      }
    for (const Fixture& fx : spec.features) {
      OGRFeature f(layer->GetLayerDefn());
      for (const Attr& a : fx.attrs) {
        if (a.text.empty()) f.SetField(a.name.c_str(), a.number);
        else f.SetField(a.name.c_str(), a.text.c_str());
      }
      OGRGeometry* g = nullptr;
      ASSERT_EQ(OGRGeometryFactory::createFromWkt(fx.wkt.c_str(), nullptr, &g), OGRERR_NONE) << fx.wkt;
      f.SetGeometryDirectly(g);
      ASSERT_EQ(layer->CreateFeature(&f), OGRERR_NONE) << CPLGetLastErrorMsg();
    }
  }
}

/// Lon/lat of the south-west corner of the i-th footprint, near Yaohu (116.05E 28.72N).
glm::dvec2 corner(int i) { return {116.05 + 0.001 * i, 28.72}; }

/// A square footprint of about 30 m.
std::string square(int i) {
  const glm::dvec2 c = corner(i);
  const double d = 0.0003;
  char buf[256];
  std::snprintf(buf, sizeof buf, "POLYGON((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f))", c.x, c.y, c.x + d, c.y,
                c.x + d, c.y + d, c.x, c.y + d, c.x, c.y);
  return buf;
}

/// Three footprints with the given attributes per footprint.
FixtureLayer footprints(const std::string& name, const std::vector<std::vector<Attr>>& attrs) {
  FixtureLayer l{name, wkbPolygon, true, {}};
  for (int i = 0; i < 3; ++i) l.features.push_back({square(i), attrs.empty() ? std::vector<Attr>{} : attrs[i]});
  return l;
}

std::string all_warnings(const Scene& s) {
  std::string out;
  for (const std::string& w : s.warnings) out += w + "\n";
  return out;
}

bool some_warning_has(const Scene& s, const std::string& a, const std::string& b = {}) {
  for (const std::string& w : s.warnings)
    if (w.find(a) != std::string::npos && w.find(b) != std::string::npos) return true;
  return false;
}

/// The buildings of one layer, in order.
std::vector<const Building*> buildings_of(const Scene& s, size_t layer) {
  std::vector<const Building*> out;
  for (const Building& b : s.buildings)
    if (b.layer == layer) out.push_back(&b);
  return out;
}

class UserLayers : public ::testing::Test {
 protected:
  Scene scene{gis::SceneFrame::jiangxi()};

  /// Adds the layers of `file`; fails the test when the call fails or adds another count.
  void add(const fs::path& file, const LoadOptions& opt, size_t expected_layers) {
    auto r = add_user_layers(scene, file.string(), opt);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(*r, expected_layers) << all_warnings(scene);
    ASSERT_EQ(scene.layers.size(), expected_layers);
  }
  void expect_heights(size_t layer, const std::vector<float>& heights) {
    const auto bs = buildings_of(scene, layer);
    ASSERT_EQ(bs.size(), heights.size());
    for (size_t i = 0; i < bs.size(); ++i) {
      EXPECT_EQ(bs[i]->height_m, heights[i]) << "building " << i;
      EXPECT_EQ(scene.styles.at(scene.layers[layer].first_building + i).height, heights[i]) << "style " << i;
    }
  }
};

}  // namespace

TEST_F(UserLayers, NamedHeightAttributeMakesBuildingsOfThatHeight) {
  const fs::path dir = scratch("named_height");
  // A decoy `height` field: the named attribute wins over auto-detection.
  write_file("GeoJSON", dir / "footprints.geojson",
             {footprints("footprints", {{{"hgt", 12.5}, {"height", 99}},
                                        {{"hgt", 30.0}, {"height", 98}},
                                        {{"hgt", 47.25}, {"height", 97}}})});
  LoadOptions opt;
  opt.height_attribute = "hgt";
  add(dir / "footprints.geojson", opt, 1);
  const Layer& l = scene.layers[0];
  EXPECT_EQ(l.kind, LayerKind::Buildings);
  EXPECT_EQ(l.id, "user:" + (dir / "footprints.geojson").string() + "/footprints");
  EXPECT_FALSE(l.generated);
  EXPECT_FALSE(l.provenance.empty());
  expect_heights(0, {12.5f, 30.0f, 47.25f});
  // Each building sits where its footprint is.
  const auto bs = buildings_of(scene, 0);
  for (int i = 0; i < 3; ++i) {
    const glm::dvec2 centre = scene.frame().from_wgs84(corner(i) + glm::dvec2(0.00015));
    EXPECT_LT(glm::length(bs[i]->centroid - centre), 1.0) << i;
  }
  ASSERT_FALSE(l.building_chunks.empty());
  EXPECT_TRUE(l.ground.empty());
}

TEST_F(UserLayers, HeightAttributeIsDetectedByName) {
  const fs::path dir = scratch("auto_height");
  write_file("GeoJSON", dir / "footprints.geojson",
             {footprints("footprints", {{{"height", 8.0}}, {{"height", 21.5}}, {{"height", 60.0}}})});
  add(dir / "footprints.geojson", {}, 1);
  EXPECT_EQ(scene.layers[0].kind, LayerKind::Buildings);
  expect_heights(0, {8.0f, 21.5f, 60.0f});
}

TEST_F(UserLayers, MissingNamedAttributeWarnsAndUsesTheDefaultHeight) {
  const fs::path dir = scratch("missing_height");
  write_file("GeoJSON", dir / "footprints.geojson",
             {footprints("footprints", {{{"name", 0, "a"}}, {{"name", 0, "b"}}, {{"name", 0, "c"}}})});
  LoadOptions opt;
  opt.height_attribute = "storey_h";
  add(dir / "footprints.geojson", opt, 1);
  EXPECT_EQ(scene.layers[0].kind, LayerKind::Buildings);
  EXPECT_TRUE(some_warning_has(scene, "storey_h")) << all_warnings(scene);
  expect_heights(0, {10.0f, 10.0f, 10.0f});
}

TEST_F(UserLayers, FootprintsWithoutHeightsAreAnArea) {
  const fs::path dir = scratch("no_height");
  write_file("GeoJSON", dir / "plots.geojson",
             {footprints("plots", {{{"name", 0, "a"}}, {{"name", 0, "b"}}, {{"name", 0, "c"}}})});
  add(dir / "plots.geojson", {}, 1);
  const Layer& l = scene.layers[0];
  EXPECT_EQ(l.kind, LayerKind::Area);
  EXPECT_TRUE(scene.buildings.empty());
  EXPECT_TRUE(l.building_chunks.empty());
  ASSERT_FALSE(l.ground.empty());
  size_t triangles = 0;
  for (const GroundChunk& c : l.ground) triangles += c.fill.indices.size() / 3;
  EXPECT_GE(triangles, 6u) << "two triangles per square";
}

TEST_F(UserLayers, ShapefileWithoutPrjNeedsADeclaredCrs) {
  const fs::path dir = scratch("no_prj");
  FixtureLayer l = footprints("footprints", {{{"height", 9.0}}, {{"height", 12.0}}, {{"height", 15.0}}});
  l.wgs84 = false;
  write_file("ESRI Shapefile", dir / "footprints.shp", {l});
  ASSERT_FALSE(fs::exists(dir / "footprints.prj"));
  auto r = add_user_layers(scene, (dir / "footprints.shp").string(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("--crs"), std::string::npos) << r.error().message;
  EXPECT_TRUE(scene.layers.empty());

  LoadOptions opt;
  opt.read.declared_crs = "EPSG:4326";
  add(dir / "footprints.shp", opt, 1);
  EXPECT_EQ(scene.layers[0].kind, LayerKind::Buildings);
  expect_heights(0, {9.0f, 12.0f, 15.0f});
  const glm::dvec2 centre = scene.frame().from_wgs84(corner(1) + glm::dvec2(0.00015));
  EXPECT_LT(glm::length(buildings_of(scene, 0)[1]->centroid - centre), 1.0);
}

TEST_F(UserLayers, EmptyLayerWarnsAndAddsNothing) {
  const fs::path dir = scratch("empty");
  write_file("GPKG", dir / "empty.gpkg", {FixtureLayer{"nothing", wkbPolygon, true, {}}});
  add(dir / "empty.gpkg", {}, 0);
  EXPECT_TRUE(some_warning_has(scene, "nothing", "empty")) << all_warnings(scene);
}

TEST_F(UserLayers, PointLayerBecomesSitesWithMarkers) {
  const fs::path dir = scratch("points");
  FixtureLayer l{"wells", wkbPoint, true, {}};
  for (int i = 0; i < 3; ++i) {
    const glm::dvec2 p = corner(i);
    l.features.push_back({"POINT(" + std::to_string(p.x) + " " + std::to_string(p.y) + ")", {{"name", 0, "w"}}});
  }
  write_file("GeoJSON", dir / "wells.geojson", {l});
  add(dir / "wells.geojson", {}, 1);
  const Layer& layer = scene.layers[0];
  EXPECT_EQ(layer.kind, LayerKind::Sites);
  ASSERT_EQ(layer.markers.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_LT(glm::length(layer.markers[i].pos - scene.frame().from_wgs84(corner(i))), 0.01) << i;
    EXPECT_EQ(layer.markers[i].feature, static_cast<uint32_t>(i));
  }
  EXPECT_TRUE(scene.buildings.empty());
  EXPECT_LE(scene.bmin.x, layer.markers[0].pos.x);
  EXPECT_GE(scene.bmax.x, layer.markers[2].pos.x);
}

TEST_F(UserLayers, BowTieAmongValidFootprintsIsReportedAndTheRestLoads) {
  const fs::path dir = scratch("bowtie");
  FixtureLayer l = footprints("footprints", {{{"height", 10.0}}, {{"height", 20.0}}, {{"height", 30.0}}});
  const glm::dvec2 c = corner(5);
  char bow[256];
  std::snprintf(bow, sizeof bow, "POLYGON((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f))", c.x, c.y, c.x + 0.0004,
                c.y + 0.0004, c.x + 0.0004, c.y, c.x, c.y + 0.0004, c.x, c.y);
  l.features.insert(l.features.begin() + 1, Fixture{bow, {{"height", 40.0}}});
  write_file("GeoJSON", dir / "footprints.geojson", {l});

  {  // Repaired (the default): the bow-tie is kept as two triangles.
    add(dir / "footprints.geojson", {}, 1);
    EXPECT_TRUE(some_warning_has(scene, "4 of 4", "1 repaired")) << all_warnings(scene);
    EXPECT_TRUE(some_warning_has(scene, "MakeValid")) << all_warnings(scene);
    const auto bs = buildings_of(scene, 0);
    ASSERT_EQ(bs.size(), 4u) << all_warnings(scene);
    std::vector<float> heights;
    for (const Building* b : bs) heights.push_back(b->height_m);
    EXPECT_EQ(heights, (std::vector<float>{10.0f, 40.0f, 20.0f, 30.0f}));
  }
  {  // Not repaired: the bow-tie is skipped, the three squares load.
    Scene strict{gis::SceneFrame::jiangxi()};
    LoadOptions opt;
    opt.read.repair_invalid = false;
    auto r = add_user_layers(strict, (dir / "footprints.geojson").string(), opt);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, 1u);
    EXPECT_TRUE(some_warning_has(strict, "1 skipped")) << all_warnings(strict);
    EXPECT_TRUE(some_warning_has(strict, "3 of 4")) << all_warnings(strict);
    const auto bs = buildings_of(strict, 0);
    ASSERT_EQ(bs.size(), 3u);
    EXPECT_EQ(bs[0]->height_m, 10.0f);
    EXPECT_EQ(bs[1]->height_m, 20.0f);
    EXPECT_EQ(bs[2]->height_m, 30.0f);
  }
}

TEST_F(UserLayers, UserBuildingsAreNotFlaggedGenerated) {
  const fs::path dir = scratch("real_flag");
  write_file("GeoJSON", dir / "footprints.geojson",
             {footprints("footprints", {{{"height", 8.0}}, {{"height", 9.0}}, {{"height", 10.0}}})});
  add(dir / "footprints.geojson", {}, 1);
  EXPECT_FALSE(scene.layers[0].generated);
  ASSERT_EQ(scene.styles.size(), 3u);
  for (size_t i = 0; i < scene.styles.size(); ++i)
    EXPECT_EQ(scene.styles[i].flags & 4u, 0u) << "building " << i << " of a user file carries the 'generated' flag";
}

namespace {

/// A layer of mixed geometries (GeoJSON allows it), its kinds interleaved: 'P' a footprint with a
/// height, 'L' a line, 'T' a point. Feature i is at corner(i); the GeoJSON driver numbers them from 0.
FixtureLayer mixed_layer(const std::string& name, const std::string& kinds) {
  FixtureLayer l{name, wkbUnknown, true, {}};
  for (int i = 0; i < static_cast<int>(kinds.size()); ++i) {
    const glm::dvec2 c = corner(i);
    char wkt[256];
    if (kinds[i] == 'P') std::snprintf(wkt, sizeof wkt, "%s", square(i).c_str());
    else if (kinds[i] == 'L') std::snprintf(wkt, sizeof wkt, "LINESTRING(%.6f %.6f,%.6f %.6f)", c.x, c.y, c.x + 0.0005, c.y + 0.0005);
    else std::snprintf(wkt, sizeof wkt, "POINT(%.6f %.6f)", c.x, c.y);
    l.features.push_back({wkt, {{"height", 10.0 + i}}});
  }
  return l;
}

/// The indices in `kinds` holding kind `k`.
std::vector<int64_t> positions(const std::string& kinds, char k) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < kinds.size(); ++i)
    if (kinds[i] == k) out.push_back(static_cast<int64_t>(i));
  return out;
}

std::vector<int64_t> fids(const Layer& l) {
  std::vector<int64_t> out;
  for (const gis::Feature& f : l.data.features) out.push_back(f.fid);
  return out;
}

}  // namespace

TEST_F(UserLayers, AMixedLayerIsShownAsOneLayerPerGeometryKind) {
  const fs::path dir = scratch("mixed");
  const std::string kinds = "PLPLLTPLTPL";  // 4 footprints, 5 lines, 2 points; more lines than polygons
  write_file("GeoJSON", dir / "mixed.geojson", {mixed_layer("mixed", kinds)});
  const std::string path = (dir / "mixed.geojson").string();
  add(dir / "mixed.geojson", {}, 3);
  const Layer& polygons = scene.layers[0];
  const Layer& lines = scene.layers[1];
  const Layer& points = scene.layers[2];
  // The footprints are buildings (before, the lines' majority made the whole layer roads).
  EXPECT_EQ(polygons.kind, LayerKind::Buildings);
  EXPECT_EQ(polygons.id, "user:" + path + "/mixed");
  EXPECT_EQ(fids(polygons), positions(kinds, 'P'));
  const auto bs = buildings_of(scene, 0);
  ASSERT_EQ(bs.size(), 4u);
  for (size_t i = 0; i < bs.size(); ++i) EXPECT_EQ(bs[i]->height_m, 10.0f + static_cast<float>(positions(kinds, 'P')[i]));
  EXPECT_EQ(lines.kind, LayerKind::Roads);
  EXPECT_EQ(lines.id, "user:" + path + "/mixed|lines");
  EXPECT_EQ(fids(lines), positions(kinds, 'L'));
  EXPECT_FALSE(lines.ground.empty());
  EXPECT_EQ(points.kind, LayerKind::Sites);
  EXPECT_EQ(points.id, "user:" + path + "/mixed|points");
  EXPECT_EQ(fids(points), positions(kinds, 'T'));
  ASSERT_EQ(points.markers.size(), 2u);
  EXPECT_LT(glm::length(points.markers[1].pos - scene.frame().from_wgs84(corner(8))), 0.01);
  // Every part keeps the layer's name and fields, and a load report of its own features: kept is
  // what it holds, read is kept and skipped, and the parts' reads add up to the file's features.
  int64_t read = 0;
  for (const Layer& l : scene.layers) {
    EXPECT_EQ(l.data.name, "mixed");
    EXPECT_EQ(l.data.fields, std::vector<std::string>{"height"});
    EXPECT_EQ(l.data.report.kept, static_cast<int64_t>(l.data.features.size())) << l.id;
    EXPECT_EQ(l.data.report.read, l.data.report.kept + l.data.report.skipped_total()) << l.id;
    read += l.data.report.read;
  }
  EXPECT_EQ(read, static_cast<int64_t>(kinds.size()));
  EXPECT_TRUE(some_warning_has(scene, "mixed", "4 polygons, 5 lines, 2 points")) << all_warnings(scene);
}

TEST_F(UserLayers, AForcedKindAppliesToAMixedLayersPolygonsOnly) {
  const fs::path dir = scratch("mixed_forced");
  const std::string kinds = "TPLLP";
  write_file("GeoJSON", dir / "mixed.geojson", {mixed_layer("mixed", kinds)});
  LoadOptions opt;
  opt.kind = "area";
  add(dir / "mixed.geojson", opt, 3);
  EXPECT_EQ(scene.layers[0].kind, LayerKind::Area);
  EXPECT_EQ(fids(scene.layers[0]), positions(kinds, 'P'));
  EXPECT_EQ(scene.layers[1].kind, LayerKind::Roads);
  EXPECT_EQ(scene.layers[2].kind, LayerKind::Sites);
  EXPECT_TRUE(scene.buildings.empty());
  // A layer of one kind is not split, and keeps its own id.
  Scene one(gis::SceneFrame::jiangxi());
  write_file("GeoJSON", dir / "lines.geojson", {mixed_layer("lines", "LLL")});
  auto r = add_user_layers(one, (dir / "lines.geojson").string(), {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(one.layers.size(), 1u);
  EXPECT_EQ(one.layers[0].kind, LayerKind::Roads);
  EXPECT_EQ(one.layers[0].id, "user:" + (dir / "lines.geojson").string() + "/lines");
}

TEST(UserLayersOnDefaultDataset, UserBuildingsFollowTheDatasetBuildings) {
  auto scene = parktwin::scene::testing::load_default_scene();
  ASSERT_NE(scene, nullptr);
  const size_t before = scene->buildings.size(), layers_before = scene->layers.size();
  const uint64_t rev = scene->style_revision;
  const fs::path dir = scratch("on_default");
  write_file("GeoJSON", dir / "footprints.geojson",
             {footprints("footprints", {{{"height", 8.0}}, {{"height", 9.0}}, {{"height", 10.0}}})});
  auto r = add_user_layers(*scene, (dir / "footprints.geojson").string(), {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(*r, 1u);
  ASSERT_EQ(scene->layers.size(), layers_before + 1);
  const Layer& l = scene->layers.back();
  EXPECT_EQ(l.first_building, before);
  EXPECT_EQ(scene->buildings.size(), before + 3);
  EXPECT_EQ(scene->styles.size(), before + 3);
  EXPECT_GT(scene->style_revision, rev);
  for (const BuildingChunk& c : l.building_chunks)
    for (const gis::BuildingVertex& v : c.mesh.vertices) {
      ASSERT_GE(v.building, before);
      ASSERT_LT(v.building, before + 3);
    }
  EXPECT_EQ(scene->styles[before + 2].height, 10.0f);
}
