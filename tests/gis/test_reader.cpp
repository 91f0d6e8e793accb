// read_source / read_layer / list_layers against fixtures written through OGR into a fresh
// scratch directory: the same features in every format, CRS declaration and repair (damaged and
// missing sources: test_reader_failures.cpp).
#include "reader_fixtures.h"

using namespace reader_test;

// ---------------------------------------------------------------------------------------------

TEST(Reader, SameFeaturesFromEveryFormat) {
  const fs::path dir = scratch("formats");
  const LayerSpec spec{"parcels", wkbMultiPolygon, wgs84(), parcels()};
  LayerSpec no_prj = spec;
  no_prj.srs = nullptr;
  write_source("GPKG", dir / "parcels.gpkg", {spec});
  write_source("GeoJSON", dir / "parcels.geojson", {spec});
  write_source("ESRI Shapefile", dir / "parcels.shp", {spec});
  write_source("FlatGeobuf", dir / "parcels.fgb", {spec});
  fs::create_directories(dir / "noprj");
  write_source("ESRI Shapefile", dir / "noprj" / "parcels.shp", {no_prj});
  ASSERT_FALSE(fs::exists(dir / "noprj" / "parcels.prj"));

  const LayerData gpkg = read_one(dir / "parcels.gpkg");
  ASSERT_EQ(gpkg.features.size(), 3u) << dump(gpkg.report);
  EXPECT_EQ(gpkg.name, "parcels");
  EXPECT_EQ(gpkg.crs, "EPSG:4326");
  EXPECT_EQ(gpkg.kind, GeomKind::Polygon);
  EXPECT_EQ(gpkg.report.read, 3);
  EXPECT_EQ(gpkg.report.kept, 3);
  EXPECT_EQ(gpkg.report.skipped_total(), 0);
  EXPECT_EQ(gpkg.fields, (std::vector<std::string>{"code", "name", "height"}));

  // Against the frame directly: the first vertex of the smelter outline, rings open, orientation.
  const SceneFrame frame = SceneFrame::jiangxi();
  const Feature* smelter = by_code(gpkg, 1);
  ASSERT_NE(smelter, nullptr);
  ASSERT_EQ(smelter->geom.polygons.size(), 1u);
  const Polygon& sp = smelter->geom.polygons[0];
  EXPECT_EQ(sp.outer.size(), 4u);
  EXPECT_LT(glm::length(sp.outer[0] - frame.from_wgs84({117.220, 28.328})), 1e-6);
  ASSERT_EQ(sp.holes.size(), 1u);
  EXPECT_GT(ring_signed_area(sp.outer), 0.0);
  EXPECT_LT(ring_signed_area(sp.holes[0]), 0.0);
  const Feature* sidings = by_code(gpkg, 3);  // written clockwise
  ASSERT_NE(sidings, nullptr);
  EXPECT_GT(ring_signed_area(sidings->geom.polygons[0].outer), 0.0);
  EXPECT_LT(glm::length(sidings->geom.polygons[0].outer[0] - frame.from_wgs84({117.225, 28.326})), 1e-6);
  const Feature* plant = by_code(gpkg, 2);
  ASSERT_NE(plant, nullptr);
  ASSERT_EQ(plant->geom.polygons.size(), 2u);
  EXPECT_EQ(plant->geom.polygons[1].holes.size(), 1u);

  ReadOptions declared;
  declared.declared_crs = "EPSG:4326";
  for (const auto& [label, file, opt] : {std::tuple{"GeoJSON", dir / "parcels.geojson", ReadOptions{}},
                                         std::tuple{"Shapefile", dir / "parcels.shp", ReadOptions{}},
                                         std::tuple{"FlatGeobuf", dir / "parcels.fgb", ReadOptions{}},
                                         std::tuple{"Shapefile without .prj", dir / "noprj" / "parcels.shp", declared}}) {
    const LayerData other = read_one(file, opt);
    EXPECT_EQ(other.crs, "EPSG:4326") << label;
    EXPECT_EQ(other.report.kept, 3) << label << "\n" << dump(other.report);
    expect_same_features(gpkg, other, label);
  }
}

TEST(Reader, ShapefileWithoutCrsIsRefusedUntilDeclared) {
  const fs::path dir = scratch("noprj");
  write_source("ESRI Shapefile", dir / "sites.shp", {{"sites", wkbMultiPolygon, nullptr, parcels()}});
  auto refused = read_source((dir / "sites.shp").string(), SceneFrame::jiangxi());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, Failure::ConfigurationError);
  const std::string& msg = refused.error().message;
  EXPECT_NE(msg.find("--crs EPSG:4326"), std::string::npos) << msg;
  EXPECT_NE(msg.find("GCJ02"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sites.shp"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'sites'"), std::string::npos) << msg;

  ReadOptions opt;
  opt.declared_crs = "EPSG:4326";
  const LayerData ok = read_one(dir / "sites.shp", opt);
  EXPECT_EQ(ok.crs, "EPSG:4326");
  EXPECT_EQ(ok.report.kept, 3);
}

TEST(Reader, UnknownCrsStringIsAConfigurationError) {
  const fs::path dir = scratch("unknown_crs");
  write_source("ESRI Shapefile", dir / "sites.shp", {{"sites", wkbMultiPolygon, nullptr, parcels()}});
  for (const char* crs : {"EPSG:99999999", "NOT_A_CRS"}) {
    ReadOptions opt;
    opt.declared_crs = crs;
    auto r = read_source((dir / "sites.shp").string(), SceneFrame::jiangxi(), opt);
    ASSERT_FALSE(r.ok()) << crs;
    EXPECT_EQ(r.error().kind, Failure::ConfigurationError);
    EXPECT_NE(r.error().message.find(crs), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("sites.shp"), std::string::npos) << r.error().message;
  }
}

TEST(Reader, Gcj02DeclarationRemovesTheWebMapOffset) {
  const SceneFrame frame = SceneFrame::jiangxi();
  const std::vector<glm::dvec2> truth = {{117.225156, 28.329914}, {115.88333, 28.68333}, {114.4, 27.83333}};
  std::vector<Fx> points;
  for (size_t i = 0; i < truth.size(); ++i) {
    const glm::dvec2 g = wgs84_to_gcj02(truth[i]);
    points.push_back({std::make_shared<OGRPoint>(g.x, g.y), static_cast<int>(i), "p", 0.0});
  }
  const fs::path dir = scratch("gcj02");
  write_source("ESRI Shapefile", dir / "amap.shp", {{"amap", wkbPoint, nullptr, points}});
  write_source("GPKG", dir / "mislabelled.gpkg", {{"amap", wkbPoint, wgs84(), points}});

  ReadOptions as_gcj;
  as_gcj.declared_crs = "gcj-02";
  ReadOptions as_wgs;
  as_wgs.declared_crs = "EPSG:4326";
  const LayerData gcj = read_one(dir / "amap.shp", as_gcj);
  const LayerData raw = read_one(dir / "amap.shp", as_wgs);
  ReadOptions override_opt;
  override_opt.declared_crs = "GCJ02";
  override_opt.override_crs = true;
  const LayerData overridden = read_one(dir / "mislabelled.gpkg", override_opt);
  const LayerData labelled = read_one(dir / "mislabelled.gpkg", as_gcj);  // no override: the label wins
  EXPECT_EQ(gcj.crs, "GCJ02");
  EXPECT_EQ(overridden.crs, "GCJ02");
  EXPECT_EQ(labelled.crs, "EPSG:4326");
  ASSERT_EQ(gcj.features.size(), truth.size());
  ASSERT_EQ(overridden.features.size(), truth.size());
  ASSERT_EQ(raw.features.size(), truth.size());
  EXPECT_EQ(gcj.kind, GeomKind::Point);
  for (size_t i = 0; i < truth.size(); ++i) {
    const glm::dvec2 expected = frame.from_wgs84(truth[i]);
    EXPECT_LT(glm::length(gcj.features[i].geom.points.at(0) - expected), 0.01) << i;
    EXPECT_LT(glm::length(overridden.features[i].geom.points.at(0) - expected), 0.01) << i;
    // Read as if WGS84, the points stay where the web map put them: 0.3-0.8 km off.
    const double offset = glm::length(raw.features[i].geom.points.at(0) - expected);
    EXPECT_GT(offset, 300.0) << i;
    EXPECT_LT(offset, 800.0) << i;
    EXPECT_NEAR(offset, glm::length(frame.from_wgs84(wgs84_to_gcj02(truth[i])) - expected), 0.01) << i;
  }
}

TEST(Reader, BowTieIsRepairedOrSkipped) {
  const fs::path dir = scratch("bowtie");
  const std::vector<Fx> fx = {
      {from_wkt("POLYGON((117.20 28.30,117.21 28.30,117.21 28.31,117.20 28.31,117.20 28.30))"), 1, "ok", 1},
      {from_wkt("POLYGON((117.22 28.30,117.23 28.31,117.23 28.30,117.22 28.31,117.22 28.30))"), 2, "bowtie", 2},
      {from_wkt("POLYGON((117.24 28.30,117.25 28.30,117.25 28.31,117.24 28.31,117.24 28.30))"), 3, "ok", 3},
  };
  write_source("GPKG", dir / "parcels.gpkg", {{"parcels", wkbPolygon, wgs84(), fx}});

  const LayerData repaired = read_one(dir / "parcels.gpkg");
  EXPECT_EQ(repaired.report.read, 3);
  EXPECT_EQ(repaired.report.kept, 3);
  EXPECT_EQ(repaired.report.repaired, 1);
  EXPECT_EQ(repaired.report.skipped_total(), 0);
  const Feature* bowtie = by_code(repaired, 2);
  ASSERT_NE(bowtie, nullptr);
  ASSERT_EQ(bowtie->geom.polygons.size(), 2u);  // the two triangles of the bow tie
  for (const Polygon& p : bowtie->geom.polygons) {
    EXPECT_EQ(p.outer.size(), 3u);
    EXPECT_GT(ring_signed_area(p.outer), 0.0);
  }
  EXPECT_TRUE(any_message_has(repaired.report, "parcels.gpkg", "'parcels'", "FID 2")) << dump(repaired.report);

  ReadOptions strict;
  strict.repair_invalid = false;
  const LayerData skipped = read_one(dir / "parcels.gpkg", strict);
  EXPECT_EQ(skipped.report.kept, 2);
  EXPECT_EQ(skipped.report.repaired, 0);
  EXPECT_EQ(skipped.report.skipped.at("invalid geometry"), 1);
  EXPECT_NE(by_code(skipped, 1), nullptr);
  EXPECT_NE(by_code(skipped, 3), nullptr);
  EXPECT_TRUE(any_message_has(skipped.report, "parcels.gpkg", "FID 2", "invalid geometry")) << dump(skipped.report);
}

// A self-intersecting 2,001-point star ({2001/1000}: two million crossings). GEOS's repair ran for
// minutes and took gigabytes on it (69 s already at 201 points): a ring crossing itself more than
// 1,000 times is now skipped by name after a bounded count, while a star of 51 crossings ({51/2})
// is still repaired.
TEST(Reader, StarPolygonIsSkippedWithoutHangingAndASmallStarRepaired) {
  const fs::path dir = scratch("star");
  const double pi = std::acos(-1.0);
  auto star = [&](int n, int m, double lon) {
    std::string wkt = "POLYGON((";
    for (int k = 0; k <= n; ++k) {
      const double a = 2.0 * pi * static_cast<double>((k * m) % n) / n;
      wkt += (k ? "," : "") + std::to_string(lon + 0.01 * std::cos(a)) + " " + std::to_string(28.30 + 0.01 * std::sin(a));
    }
    return wkt + "))";
  };
  const std::vector<Fx> fx = {
      {from_wkt(star(2001, 1000, 117.30)), 1, "scribble", 1},
      {from_wkt("POLYGON((117.24 28.30,117.25 28.30,117.25 28.31,117.24 28.31,117.24 28.30))"), 2, "ok", 2},
      {from_wkt(star(51, 2, 117.40)), 3, "small star", 3},
  };
  write_source("GPKG", dir / "star.gpkg", {{"parcels", wkbPolygon, wgs84(), fx}});
  const LayerData d = read_one(dir / "star.gpkg");
  EXPECT_EQ(d.report.read, 3);
  EXPECT_EQ(d.report.kept, 2);
  EXPECT_EQ(by_code(d, 1), nullptr);
  EXPECT_NE(by_code(d, 2), nullptr);
  EXPECT_EQ(d.report.skipped.at("invalid geometry (repair failed)"), 1);
  EXPECT_TRUE(any_message_has(d.report, "star.gpkg", "FID 1", "more than 1000 times")) << dump(d.report);
  const Feature* small = by_code(d, 3);
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(d.report.repaired, 1);
  // The repair lies within the star's circle: positive area, at most the circle's.
  double area = 0.0;
  for (const Polygon& p : small->geom.polygons) area += ring_signed_area(p.outer);
  const double r_ns = 0.01 * 111320.0, r_ew = r_ns * std::cos(28.30 * pi / 180.0);  // metres
  EXPECT_GT(area, 0.0);
  EXPECT_LT(area, pi * r_ns * r_ew * 1.01);
}

// A coarse Jiangxi outline (40 vertices, Douglas-Peucker at 0.12 degree) simplified from the
// Digital Chart of the World outline in the Debian package gmt-dcw 2.1.1 (LGPL-3+).
TEST(Reader, ProvinceOutlineHasTheProvinceArea) {
  const std::vector<glm::dvec2> outline = {
      {116.71, 30.06}, {116.01, 29.74}, {115.51, 29.84}, {115.11, 29.69}, {115.15, 29.51}, {114.29, 29.37},
      {113.95, 29.10}, {114.25, 28.33}, {113.76, 27.94}, {113.57, 27.54}, {113.61, 27.35}, {113.87, 27.39},
      {113.86, 26.66}, {114.12, 26.59}, {113.94, 26.17}, {114.23, 26.15}, {113.91, 25.73}, {114.02, 25.26},
      {114.53, 25.42}, {114.73, 25.28}, {114.17, 24.67}, {114.43, 24.49}, {115.41, 24.78}, {115.83, 24.57},
      {116.05, 25.69}, {116.63, 26.47}, {116.54, 26.84}, {117.16, 27.28}, {117.01, 27.65}, {117.52, 27.99},
      {117.73, 27.81}, {118.09, 27.97}, {118.48, 28.33}, {118.38, 28.79}, {118.04, 29.10}, {118.13, 29.51},
      {117.54, 29.60}, {117.21, 29.93}, {116.72, 29.57}, {116.90, 29.95}};
  std::string wkt = "POLYGON((";
  for (const glm::dvec2& p : outline) wkt += std::to_string(p.x) + " " + std::to_string(p.y) + ",";
  wkt += std::to_string(outline[0].x) + " " + std::to_string(outline[0].y) + "))";
  const fs::path file = scratch("province") / "jiangxi.geojson";
  write_source("GeoJSON", file, {{"jiangxi", wkbPolygon, wgs84(), {{from_wkt(wkt), 36, "江西省", 0}}}});

  const LayerData layer = read_one(file);
  ASSERT_EQ(layer.features.size(), 1u);
  const Polygon& p = layer.features[0].geom.polygons.at(0);
  EXPECT_EQ(p.outer.size(), outline.size());
  EXPECT_GT(ring_signed_area(p.outer), 0.0);

  // Against an equal-area projection read through the same code path: the frame's scale error
  // (< 0.04 % linear) keeps areas within 0.2 %.
  auto albers = SceneFrame::from_definition("+proj=aea +lat_1=25 +lat_2=29.5 +lat_0=27.3 +lon_0=116 +ellps=WGS84 +units=m");
  ASSERT_TRUE(albers.ok()) << albers.error().message;
  auto equal_area = read_source(file.string(), *albers);
  ASSERT_TRUE(equal_area.ok());
  const double ours = polygon_area(p);
  const double reference = polygon_area(equal_area->at(0).features.at(0).geom.polygons.at(0));
  EXPECT_NEAR(ours / reference, 1.0, 2e-3);
  // Jiangxi covers 166,900 km²; the coarse outline is within a few percent of that.
  EXPECT_NEAR(reference / 1e6, 166900.0, 0.06 * 166900.0);

  const SceneFrame frame = SceneFrame::jiangxi();
  for (glm::dvec2 city : {glm::dvec2{115.88333, 28.68333}, glm::dvec2{117.21329, 28.28857}, glm::dvec2{114.4, 27.83333}})
    EXPECT_TRUE(polygon_contains(p, frame.from_wgs84(city))) << city.x << "," << city.y;
  EXPECT_FALSE(polygon_contains(p, frame.from_wgs84({113.0, 28.2})));  // Changsha, Hunan
}

// GDAL's in-memory files (/vsimem/) are local: the remote-source guard lets them through (the fuzz
// targets and tools that hold a file in memory read it that way), while a network file system
// nested under another stays refused.
TEST(Reader, InMemoryFilesAreLocalAndRead) {
  const std::string geojson =
      R"({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": 7},
          "geometry": {"type": "Point", "coordinates": [115.88333, 28.68333]}}]})";
  const std::string path = "/vsimem/parktwin_test/point.geojson";
  VSILFILE* fp = VSIFileFromMemBuffer(path.c_str(), reinterpret_cast<GByte*>(const_cast<char*>(geojson.data())),
                                      static_cast<vsi_l_offset>(geojson.size()), FALSE);
  ASSERT_NE(fp, nullptr);
  VSIFCloseL(fp);
  EXPECT_FALSE(is_remote_source(path));
  EXPECT_TRUE(is_remote_source("/vsizip//vsicurl/https://example.org/a.zip/a.shp"));

  const SceneFrame frame = SceneFrame::jiangxi();
  auto r = read_source(path, frame);  // allow_remote stays false
  VSIUnlink(path.c_str());
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  ASSERT_EQ(r->at(0).features.size(), 1u);
  const glm::dvec2 expected = frame.from_wgs84({115.88333, 28.68333});
  const glm::dvec2 got = r->at(0).features[0].geom.points.at(0);
  EXPECT_LT(glm::distance(got, expected), 1e-6);
}
