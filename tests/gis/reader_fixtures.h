// The reader tests' fixtures (test_reader.cpp, test_reader_failures.cpp): sources written through
// OGR into a fresh scratch directory, and helpers that compare what was read.
#pragma once

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

namespace reader_test {

using namespace parktwin::gis;
namespace fs = std::filesystem;


// ---------------------------------------------------------------------------------------------
// Fixture writing

using GeomPtr = std::shared_ptr<const OGRGeometry>;

inline GeomPtr from_wkt(const std::string& wkt) {
  OGRGeometry* g = nullptr;
  EXPECT_EQ(OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &g), OGRERR_NONE) << wkt;
  return GeomPtr(g, [](const OGRGeometry* p) { delete p; });
}

inline GeomPtr multi(const std::string& wkt) {
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

inline void register_drivers() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

inline fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(PARKTWIN_TEST_OUT) / "gis_reader" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

inline OGRSpatialReference& srs_of(const char* def) {
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
inline OGRSpatialReference* wgs84() { return &srs_of("EPSG:4326"); }

inline void write_source(const char* driver, const fs::path& file, const std::vector<LayerSpec>& layers) {
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
inline std::vector<Fx> parcels() {
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

inline const Feature* by_code(const LayerData& layer, int code) {
  const int field = layer.field("code");
  for (const Feature& f : layer.features)
    if (static_cast<int>(attr_number(f, field, -1)) == code) return &f;
  return nullptr;
}

inline void expect_ring_near(const Ring& a, const Ring& b, double tol, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) EXPECT_LT(glm::length(a[i] - b[i]), tol) << what << " vertex " << i;
}

inline void expect_same_features(const LayerData& ref, const LayerData& other, const std::string& what) {
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

inline bool any_message_has(const LoadReport& r, const std::string& a, const std::string& b = {},
                     const std::string& c = {}) {
  for (const std::string& m : r.messages)
    if (m.find(a) != std::string::npos && m.find(b) != std::string::npos && m.find(c) != std::string::npos)
      return true;
  return false;
}

inline std::string dump(const LoadReport& r) {
  std::string out;
  for (const std::string& m : r.messages) out += m + "\n";
  return out;
}

inline LayerData read_one(const fs::path& file, const ReadOptions& opt = {}) {
  auto r = read_source(file.string(), SceneFrame::jiangxi(), opt);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  if (!r.ok() || r->empty()) return {};
  EXPECT_EQ(r->size(), 1u);
  return std::move(r->front());
}

}  // namespace reader_test
