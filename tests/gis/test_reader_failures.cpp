// The reader against damaged, odd and missing sources: each refused or skipped with a message that
// says what and where, and the rest read (fixtures: reader_fixtures.h).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "reader_fixtures.h"

using namespace reader_test;

// A GeoPackage with one damaged page used to report "1846 of 1846 features loaded" (the file holds
// 3,000) and a damaged FlatGeobuf "89 of 89": reading stopped early and nobody was told. The layer is
// now reported as damaged, with what was read and what the file declares.
TEST(Reader, DamagedFilesAreReportedAsDamaged) {
  const fs::path dir = scratch("damaged");
  std::vector<Fx> fx;
  for (int i = 0; i < 3000; ++i) {
    const double x = 117.0 + (i % 60) * 0.002, y = 28.0 + (i / 60) * 0.002;
    const std::string wkt = "POLYGON((" + std::to_string(x) + " " + std::to_string(y) + "," + std::to_string(x + 0.001) +
                            " " + std::to_string(y) + "," + std::to_string(x + 0.001) + " " + std::to_string(y + 0.001) +
                            "," + std::to_string(x) + " " + std::to_string(y) + "))";
    fx.push_back({from_wkt(wkt), i, "parcel " + std::to_string(i), 10});
  }
  for (const char* fmt : {"GPKG", "FlatGeobuf"}) {
    const fs::path file = dir / (std::string("parcels.") + (std::string(fmt) == "GPKG" ? "gpkg" : "fgb"));
    write_source(fmt, file, {{"parcels", wkbPolygon, wgs84(), fx}});
    const LayerData whole = read_one(file);
    ASSERT_EQ(whole.report.read, 3000) << fmt;
    EXPECT_FALSE(whole.report.damaged) << fmt;
    // Overwrite 4 KiB in the middle of the file with garbage (a bad sector, a torn copy).
    const auto size = fs::file_size(file);
    {
      std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(size / 2 / 4096 * 4096));
      std::string junk(4096, '\0');
      for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 131 + 17) & 0xff);
      f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    auto read = read_source(file.string(), SceneFrame::jiangxi(), ReadOptions{});
    ASSERT_TRUE(read) << fmt << ": " << read.error().message;
    ASSERT_EQ(read->size(), 1u);
    const LayerData& d = read->front();
    EXPECT_TRUE(d.report.damaged) << fmt << ": read " << d.report.read << " of 3000 without noticing\n" << dump(d.report);
    EXPECT_LT(d.report.kept, 3000) << fmt;
    ASSERT_FALSE(d.report.messages.empty());
    EXPECT_NE(d.report.messages.front().find("damaged"), std::string::npos) << d.report.messages.front();
  }
}

TEST(Reader, UnrepairablePolygonIsSkipped) {
  const fs::path dir = scratch("unrepairable");
  const std::vector<Fx> fx = {
      {from_wkt("POLYGON((117.20 28.30,117.21 28.31,117.20 28.30))"), 1, "sliver", 1},
      {from_wkt("POLYGON((117.24 28.30,117.25 28.30,117.25 28.31,117.24 28.31,117.24 28.30))"), 2, "ok", 2},
  };
  write_source("GPKG", dir / "parcels.gpkg", {{"parcels", wkbPolygon, wgs84(), fx}});
  const LayerData layer = read_one(dir / "parcels.gpkg");
  EXPECT_EQ(layer.report.kept, 1);
  EXPECT_EQ(layer.report.skipped.at("invalid geometry (repair failed)"), 1) << dump(layer.report);
  EXPECT_TRUE(any_message_has(layer.report, "FID 1", "repair failed"));
}

TEST(Reader, CollectionsCurvesAndZAreFlattened) {
  const fs::path dir = scratch("mixed");
  const std::vector<Fx> fx = {
      {from_wkt("GEOMETRYCOLLECTION(POINT(117.2 28.3),LINESTRING(117.2 28.3,117.21 28.31),"
                "POLYGON((117.20 28.30,117.21 28.30,117.21 28.31,117.20 28.30)))"),
       1, "collection", 0},
      {from_wkt("CURVEPOLYGON(CIRCULARSTRING(117.20 28.30,117.21 28.31,117.20 28.32,117.19 28.31,117.20 28.30))"), 2,
       "curve", 0},
      {from_wkt("LINESTRING Z(117.2 28.3 10,117.3 28.4 20)"), 3, "3d", 0},
      {from_wkt("MULTIPOINT(117.2 28.3,117.3 28.4)"), 4, "points", 0},
      {from_wkt("MULTILINESTRING((117.2 28.3,117.3 28.4),(117.4 28.3,117.5 28.4))"), 5, "lines", 0},
      {from_wkt("LINESTRING(117.2 28.3,117.3 28.4)"), 6, "line", 0},
  };
  write_source("GPKG", dir / "mixed.gpkg", {{"mixed", wkbUnknown, wgs84(), fx}});
  const LayerData layer = read_one(dir / "mixed.gpkg");
  ASSERT_EQ(layer.report.kept, 6) << dump(layer.report);
  EXPECT_EQ(layer.kind, GeomKind::Line);  // three of six features are lines

  const Feature* gc = by_code(layer, 1);
  EXPECT_EQ(gc->geom.kind, GeomKind::Polygon);
  EXPECT_EQ(gc->geom.points.size(), 1u);
  EXPECT_EQ(gc->geom.lines.size(), 1u);
  ASSERT_EQ(gc->geom.polygons.size(), 1u);
  EXPECT_EQ(gc->geom.polygons[0].outer.size(), 3u);

  const Feature* curve = by_code(layer, 2);
  ASSERT_EQ(curve->geom.polygons.size(), 1u);
  EXPECT_GT(curve->geom.polygons[0].outer.size(), 16u);
  // A circle of radius 0.01 degree: about 1.0 km east-west by 1.1 km north-south.
  EXPECT_NEAR(polygon_area(curve->geom.polygons[0]), 3.14159 * 980 * 1110, 0.05 * 3.14159 * 980 * 1110);

  EXPECT_EQ(by_code(layer, 3)->geom.lines.at(0).size(), 2u);
  EXPECT_EQ(by_code(layer, 4)->geom.points.size(), 2u);
  EXPECT_EQ(by_code(layer, 4)->geom.kind, GeomKind::Point);
  EXPECT_EQ(by_code(layer, 5)->geom.lines.size(), 2u);
  EXPECT_EQ(by_code(layer, 6)->geom.kind, GeomKind::Line);
}

TEST(Reader, BadCoordinatesAreSkippedAndTheRestLoads) {
  const fs::path dir = scratch("absurd");
  auto nan_line = std::make_shared<OGRLineString>();
  nan_line->addPoint(117.2, 28.3);
  nan_line->addPoint(std::nan(""), 28.31);
  const std::vector<Fx> fx = {
      {from_wkt("POINT(117.2 28.3)"), 1, "ok", 0},
      {from_wkt("POINT(500 28.3)"), 2, "lon 500", 0},
      {nan_line, 3, "nan", 0},
      {from_wkt("POINT(117.2 95)"), 4, "lat 95", 0},
      {nullptr, 5, "no geometry", 0},
      {from_wkt("POINT EMPTY"), 6, "empty", 0},
      {from_wkt("POINT(-60 -30)"), 7, "South America", 0},  // valid lon/lat, but far from the frame
      {from_wkt("POINT(117.3 28.4)"), 8, "ok", 0},
  };
  write_source("GPKG", dir / "sites.gpkg", {{"sites", wkbUnknown, wgs84(), fx}});
  const LayerData layer = read_one(dir / "sites.gpkg");
  EXPECT_EQ(layer.report.read, 8);
  EXPECT_EQ(layer.report.kept, 2) << dump(layer.report);
  EXPECT_NE(by_code(layer, 1), nullptr);
  EXPECT_NE(by_code(layer, 8), nullptr);
  EXPECT_EQ(layer.report.skipped.at("coordinates out of range"), 4) << dump(layer.report);
  EXPECT_EQ(layer.report.skipped.at("empty geometry"), 2) << dump(layer.report);
  for (const char* fid : {"FID 2:", "FID 3:", "FID 4:", "FID 7:"})
    EXPECT_TRUE(any_message_has(layer.report, "sites.gpkg", "'sites'", std::string(fid) + " skipped, coordinates"))
        << fid << "\n" << dump(layer.report);
  EXPECT_TRUE(any_message_has(layer.report, "FID 5:", "empty geometry"));
}

TEST(Reader, ProjectedSourceFarAwayIsOutOfRange) {
  const fs::path dir = scratch("utm");
  const std::vector<Fx> fx = {
      {from_wkt("POINT(522000 3134000)"), 1, "Guixi in UTM 50N", 0},
      {from_wkt("POINT(522000 93134000)"), 2, "absurd northing", 0},
  };
  write_source("GPKG", dir / "utm.gpkg", {{"utm", wkbPoint, &srs_of("EPSG:32650"), fx}});
  const LayerData layer = read_one(dir / "utm.gpkg");
  EXPECT_EQ(layer.crs, "EPSG:32650");
  EXPECT_EQ(layer.report.kept, 1);
  EXPECT_EQ(layer.report.skipped.at("coordinates out of range"), 1);
  // Cross-check the UTM path against the frame's own WGS84 path.
  auto utm = SceneFrame::from_definition("EPSG:32650");
  ASSERT_TRUE(utm.ok());
  const glm::dvec2 expected = SceneFrame::jiangxi().from_wgs84(utm->to_wgs84({522000, 3134000}));
  EXPECT_LT(glm::length(by_code(layer, 1)->geom.points.at(0) - expected), 0.01);
}

TEST(Reader, MessagesAreCappedPerReason) {
  const fs::path dir = scratch("many_bad");
  std::vector<Fx> fx;
  for (int i = 0; i < 50; ++i) fx.push_back({from_wkt("POINT(500 28)"), i, "bad", 0});
  fx.push_back({from_wkt("POINT(117.2 28.3)"), 99, "ok", 0});
  write_source("GPKG", dir / "bad.gpkg", {{"bad", wkbPoint, wgs84(), fx}});
  const LayerData layer = read_one(dir / "bad.gpkg");
  EXPECT_EQ(layer.report.skipped.at("coordinates out of range"), 50);
  EXPECT_EQ(layer.report.kept, 1);
  EXPECT_LE(layer.report.messages.size(), 22u) << dump(layer.report);
  EXPECT_TRUE(any_message_has(layer.report, "30 more")) << dump(layer.report);
}

TEST(Reader, AttributesKeepTheirTypes) {
  register_drivers();
  const fs::path file = scratch("attrs") / "attrs.gpkg";
  {
    GDALDatasetUniquePtr ds(GetGDALDriverManager()->GetDriverByName("GPKG")->Create(file.c_str(), 0, 0, 0,
                                                                                     GDT_Unknown, nullptr));
    ASSERT_TRUE(ds);
    OGRLayer* layer = ds->CreateLayer("attrs", wgs84(), wkbPoint, nullptr);
    for (auto [name, type] : {std::pair{"i32", OFTInteger}, std::pair{"i64", OFTInteger64}, std::pair{"real", OFTReal},
                              std::pair{"text", OFTString}, std::pair{"day", OFTDate}, std::pair{"empty", OFTString}}) {
      OGRFieldDefn fd(name, type);
      ASSERT_EQ(layer->CreateField(&fd), OGRERR_NONE);
    }
    OGRFeature f(layer->GetLayerDefn());
    f.SetField("i32", 42);
    f.SetField("i64", static_cast<GIntBig>(1) << 40);
    f.SetField("real", 2.5);
    f.SetField("text", "贵溪冶炼厂");
    f.SetField("day", 2024, 5, 17);
    f.SetFieldNull(f.GetFieldIndex("empty"));
    f.SetGeometry(from_wkt("POINT(117.2 28.3)").get());
    ASSERT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
  }
  auto r = read_layer(file.string(), "attrs", SceneFrame::jiangxi());
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->features.size(), 1u);
  const Feature& f = r->features[0];
  EXPECT_EQ(std::get<int64_t>(f.attrs.at(r->field("i32"))), 42);
  EXPECT_EQ(std::get<int64_t>(f.attrs.at(r->field("i64"))), int64_t{1} << 40);
  EXPECT_EQ(std::get<double>(f.attrs.at(r->field("real"))), 2.5);
  EXPECT_EQ(std::get<std::string>(f.attrs.at(r->field("text"))), "贵溪冶炼厂");
  EXPECT_EQ(std::get<std::string>(f.attrs.at(r->field("day"))), "2024/05/17");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(f.attrs.at(r->field("empty"))));
  EXPECT_EQ(f.fid, 1);
}

TEST(Reader, EmptyLayerIsReportedNotFailed) {
  const fs::path dir = scratch("empty");
  write_source("GPKG", dir / "park.gpkg",
               {{"buildings", wkbPolygon, wgs84(), {}}, {"parcels", wkbMultiPolygon, wgs84(), parcels()}});
  auto r = read_source((dir / "park.gpkg").string(), SceneFrame::jiangxi());
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  const LayerData& empty = (*r)[0].name == "buildings" ? (*r)[0] : (*r)[1];
  const LayerData& full = (*r)[0].name == "buildings" ? (*r)[1] : (*r)[0];
  EXPECT_EQ(empty.report.read, 0);
  EXPECT_EQ(empty.kind, GeomKind::None);
  EXPECT_TRUE(any_message_has(empty.report, "layer buildings in", "park.gpkg", "is empty")) << dump(empty.report);
  EXPECT_EQ(full.report.kept, 3);
}

TEST(Reader, MissingLayerListsTheLayersThatExist) {
  const fs::path dir = scratch("missing_layer");
  write_source("GPKG", dir / "park.gpkg",
               {{"buildings", wkbPolygon, wgs84(), {}}, {"parcels", wkbMultiPolygon, wgs84(), parcels()}});
  auto r = read_layer((dir / "park.gpkg").string(), "roads", SceneFrame::jiangxi());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Failure::InvalidData);
  for (const char* s : {"'roads'", "park.gpkg", "buildings", "parcels"})
    EXPECT_NE(r.error().message.find(s), std::string::npos) << r.error().message;

  auto names = list_layers((dir / "park.gpkg").string());
  ASSERT_TRUE(names.ok()) << names.error().message;
  std::sort(names->begin(), names->end());  // the driver's order is not part of the contract
  EXPECT_EQ(*names, (std::vector<std::string>{"buildings", "parcels"}));
}

TEST(Reader, MissingFileIsResourceUnavailable) {
  const std::string path = (scratch("missing") / "nowhere.gpkg").string();
  auto r = read_source(path, SceneFrame::jiangxi());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Failure::ResourceUnavailable);
  EXPECT_NE(r.error().message.find("cannot open " + path), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("check the path"), std::string::npos) << r.error().message;
  auto l = list_layers(path);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().kind, Failure::ResourceUnavailable);
}

TEST(Reader, CorruptGeoPackageIsResourceUnavailable) {
  const fs::path dir = scratch("corrupt");
  std::mt19937 rng(7);
  {
    std::ofstream out(dir / "random.gpkg", std::ios::binary);
    for (int i = 0; i < 65536; ++i) out.put(static_cast<char>(rng() & 0xff));
  }
  {
    // A real SQLite header followed by garbage: the GeoPackage driver takes it and then fails.
    std::ofstream out(dir / "damaged.gpkg", std::ios::binary);
    out << "SQLite format 3" << '\0';
    for (int i = 0; i < 65536; ++i) out.put(static_cast<char>(rng() & 0xff));
  }
  for (const char* name : {"random.gpkg", "damaged.gpkg"}) {
    const std::string path = (dir / name).string();
    auto r = read_source(path, SceneFrame::jiangxi());
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().kind, Failure::ResourceUnavailable) << r.error().message;
    EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("check the path"), std::string::npos) << r.error().message;
  }
}
