// read_source / read_layer / list_layers against fixtures written through OGR into a fresh
// scratch directory: the same features in every format, CRS declaration, repair, and failures.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <glm/geometric.hpp>
#include <gtest/gtest.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "parktwin/gis/frame.h"
#include "parktwin/gis/gcj02.h"
#include "parktwin/gis/reader.h"

using namespace parktwin::gis;
namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// Fixture writing

using GeomPtr = std::shared_ptr<const OGRGeometry>;

GeomPtr from_wkt(const std::string& wkt) {
  OGRGeometry* g = nullptr;
  EXPECT_EQ(OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &g), OGRERR_NONE) << wkt;
  return GeomPtr(g, [](const OGRGeometry* p) { delete p; });
}

GeomPtr multi(const std::string& wkt) {
  OGRGeometry* g = nullptr;
  EXPECT_EQ(OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &g), OGRERR_NONE) << wkt;
  return GeomPtr(OGRGeometryFactory::forceToMultiPolygon(g), [](const OGRGeometry* p) { delete p; });
}

struct Fx {
  GeomPtr geom;  ///< null = a feature without geometry
  int code = 0;
  std::string name;
  double height = 0.0;
};

struct LayerSpec {
  std::string name;
  OGRwkbGeometryType type = wkbUnknown;
  OGRSpatialReference* srs = nullptr;  ///< null = no CRS (shapefile without .prj)
  std::vector<Fx> features;
};

void register_drivers() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(PARKTWIN_TEST_OUT) / "gis_reader" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

OGRSpatialReference& srs_of(const char* def) {
  static std::map<std::string, std::unique_ptr<OGRSpatialReference>> cache;
  auto& s = cache[def];
  if (!s) {
    s = std::make_unique<OGRSpatialReference>();
    EXPECT_EQ(s->SetFromUserInput(def), OGRERR_NONE) << def;
    s->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  }
  return *s;
}
// Non-const because GDAL 3.6 CreateLayer takes a mutable SRS (it clones it).
OGRSpatialReference* wgs84() { return &srs_of("EPSG:4326"); }

void write_source(const char* driver, const fs::path& file, const std::vector<LayerSpec>& layers) {
  register_drivers();
  GDALDriver* drv = GetGDALDriverManager()->GetDriverByName(driver);
  ASSERT_NE(drv, nullptr) << driver;
  GDALDatasetUniquePtr ds(drv->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
  for (const LayerSpec& spec : layers) {
    OGRLayer* layer = ds->CreateLayer(spec.name.c_str(), spec.srs, spec.type, nullptr);
    ASSERT_NE(layer, nullptr) << CPLGetLastErrorMsg();
    OGRFieldDefn code("code", OFTInteger), name("name", OFTString), height("height", OFTReal);
    name.SetWidth(32);
    ASSERT_EQ(layer->CreateField(&code), OGRERR_NONE);
    ASSERT_EQ(layer->CreateField(&name), OGRERR_NONE);
    ASSERT_EQ(layer->CreateField(&height), OGRERR_NONE);
    for (const Fx& fx : spec.features) {
      OGRFeature f(layer->GetLayerDefn());
      f.SetField("code", fx.code);
      f.SetField("name", fx.name.c_str());
      f.SetField("height", fx.height);
      if (fx.geom) f.SetGeometry(fx.geom.get());
      ASSERT_EQ(layer->CreateFeature(&f), OGRERR_NONE) << CPLGetLastErrorMsg();
    }
  }
}

// Three parcels at the Guixi smelter: one with a hole, a multipolygon whose second part has a
// hole, and one drawn clockwise. Written as multipolygons so that every format takes them.
std::vector<Fx> parcels() {
  return {
      {multi("POLYGON((117.220 28.328,117.226 28.328,117.226 28.332,117.220 28.332,117.220 28.328),"
             "(117.222 28.329,117.222 28.331,117.224 28.331,117.224 28.329,117.222 28.329))"),
       1, "smelter", 25.5},
      {multi("MULTIPOLYGON(((117.217 28.331,117.219 28.331,117.219 28.333,117.217 28.333,117.217 28.331)),"
             "((117.236 28.329,117.238 28.329,117.238 28.331,117.236 28.331,117.236 28.329),"
             "(117.2365 28.3295,117.2365 28.3305,117.2375 28.3305,117.2375 28.3295,117.2365 28.3295)))"),
       2, "rod plant", 12.0},
      {multi("POLYGON((117.225 28.326,117.225 28.328,117.227 28.328,117.227 28.326,117.225 28.326))"), 3,
       "sidings", 6.0},
  };
}

// ---------------------------------------------------------------------------------------------
// Comparison helpers

const Feature* by_code(const LayerData& layer, int code) {
  const int field = layer.field("code");
  for (const Feature& f : layer.features)
    if (static_cast<int>(attr_number(f, field, -1)) == code) return &f;
  return nullptr;
}

void expect_ring_near(const Ring& a, const Ring& b, double tol, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) EXPECT_LT(glm::length(a[i] - b[i]), tol) << what << " vertex " << i;
}

void expect_same_features(const LayerData& ref, const LayerData& other, const std::string& what) {
  ASSERT_EQ(ref.features.size(), other.features.size()) << what;
  EXPECT_EQ(ref.kind, other.kind) << what;
  for (const Feature& a : ref.features) {
    const int code = static_cast<int>(attr_number(a, ref.field("code"), -1));
    const Feature* b = by_code(other, code);
    ASSERT_NE(b, nullptr) << what << " code " << code;
    EXPECT_EQ(attr_string(a, ref.field("name")), attr_string(*b, other.field("name"))) << what;
    EXPECT_DOUBLE_EQ(attr_number(a, ref.field("height"), -1), attr_number(*b, other.field("height"), -2)) << what;
    ASSERT_EQ(a.geom.polygons.size(), b->geom.polygons.size()) << what << " code " << code;
    for (size_t p = 0; p < a.geom.polygons.size(); ++p) {
      const Polygon &pa = a.geom.polygons[p], &pb = b->geom.polygons[p];
      const std::string where = what + " code " + std::to_string(code) + " polygon " + std::to_string(p);
      expect_ring_near(pa.outer, pb.outer, 1e-3, where);
      ASSERT_EQ(pa.holes.size(), pb.holes.size()) << where;
      for (size_t h = 0; h < pa.holes.size(); ++h) expect_ring_near(pa.holes[h], pb.holes[h], 1e-3, where + " hole");
    }
  }
}

bool any_message_has(const LoadReport& r, const std::string& a, const std::string& b = {},
                     const std::string& c = {}) {
  for (const std::string& m : r.messages)
    if (m.find(a) != std::string::npos && m.find(b) != std::string::npos && m.find(c) != std::string::npos)
      return true;
  return false;
}

std::string dump(const LoadReport& r) {
  std::string out;
  for (const std::string& m : r.messages) out += m + "\n";
  return out;
}

LayerData read_one(const fs::path& file, const ReadOptions& opt = {}) {
  auto r = read_source(file.string(), SceneFrame::jiangxi(), opt);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  if (!r.ok() || r->empty()) return {};
  EXPECT_EQ(r->size(), 1u);
  return std::move(r->front());
}

}  // namespace

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
