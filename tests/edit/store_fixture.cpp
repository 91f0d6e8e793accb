// Helpers of the store tests: see store_fixture.h.
#include "store_fixture.h"

#include "parktwin/edit/store.h"

#include <sqlite3.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <gtest/gtest.h>

namespace parktwin::testing {

namespace {
namespace fs = std::filesystem;

std::string two_digits(int64_t n) {
  char b[16];
  std::snprintf(b, sizeof b, "%02lld", static_cast<long long>(n));
  return b;
}

// A rectangle in scene metres as a WGS84 polygon (lon/lat order).
OGRPolygon* rectangle(const gis::SceneFrame& frame, glm::dvec2 corner, glm::dvec2 size) {
  auto* ring = new OGRLinearRing();
  for (const glm::dvec2& d : {glm::dvec2{0, 0}, glm::dvec2{size.x, 0}, size, glm::dvec2{0, size.y}, glm::dvec2{0, 0}}) {
    const glm::dvec2 ll = frame.to_wgs84(corner + d);
    ring->addPoint(ll.x, ll.y);
  }
  auto* poly = new OGRPolygon();
  poly->addRingDirectly(ring);
  return poly;
}

std::string value_text(const gis::AttrValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return "null";
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  return "'" + std::get<std::string>(v) + "'";
}
}  // namespace

glm::dvec2 ParkFixture::parcel_corner(int64_t fid) {
  const int64_t i = fid - 1;
  return {static_cast<double>(i % 3) * 250.0, static_cast<double>(i / 3) * 250.0};
}

gis::Polygon ParkFixture::square(int64_t fid, glm::dvec2 offset, double side) {
  const glm::dvec2 c = parcel_corner(fid) + offset;
  return gis::Polygon{{c, c + glm::dvec2{side, 0.0}, c + glm::dvec2{side, side}, c + glm::dvec2{0.0, side}}, {}};
}

std::string ParkFixture::building_id(int64_t fid) { return "B0" + two_digits(fid); }

void write_park_gpkg(const std::string& path, const gis::SceneFrame& frame, const std::vector<std::string>& layers,
                     bool multi) {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
  std::error_code ec;
  fs::remove(path, ec);
  GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
  ASSERT_NE(gpkg, nullptr);
  GDALDatasetUniquePtr ds(gpkg->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
  OGRSpatialReference wgs84;
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  auto wanted = [&](const char* name) { return std::find(layers.begin(), layers.end(), name) != layers.end(); };
  ASSERT_EQ(ds->StartTransaction(TRUE), OGRERR_NONE);
  if (wanted("parcels")) {
    OGRLayer* l = ds->CreateLayer("parcels", &wgs84, wkbPolygon, nullptr);
    ASSERT_NE(l, nullptr);
    for (auto [name, type] : {std::pair{"parcel_id", OFTString}, std::pair{"park_id", OFTString},
                              std::pair{"landuse", OFTString}, std::pair{"plot_ratio", OFTReal}}) {
      OGRFieldDefn f(name, type);
      ASSERT_EQ(l->CreateField(&f), OGRERR_NONE);
    }
    for (int64_t fid = 1; fid <= ParkFixture::kParcels; ++fid) {
      OGRFeature f(l->GetLayerDefn());
      f.SetFID(fid);
      f.SetField("parcel_id", ("P" + two_digits(fid)).c_str());
      f.SetField("park_id", "park-1");
      f.SetField("landuse", "industrial");
      f.SetField("plot_ratio", 1.5 + 0.1 * static_cast<double>(fid));
      f.SetGeometryDirectly(rectangle(frame, ParkFixture::parcel_corner(fid), {200.0, 200.0}));
      ASSERT_EQ(l->CreateFeature(&f), OGRERR_NONE);
    }
  }
  if (wanted("buildings")) {
    OGRLayer* l = ds->CreateLayer("buildings", &wgs84, multi ? wkbMultiPolygon : wkbPolygon, nullptr);
    ASSERT_NE(l, nullptr);
    for (auto [name, type] : {std::pair{"building_id", OFTString}, std::pair{"parcel_id", OFTString},
                              std::pair{"enterprise_id", OFTString}, std::pair{"kind", OFTString},
                              std::pair{"floors", OFTInteger}, std::pair{"height_m", OFTReal},
                              std::pair{"source", OFTString}}) {
      OGRFieldDefn f(name, type);
      ASSERT_EQ(l->CreateField(&f), OGRERR_NONE);
    }
    for (int64_t fid = 1; fid <= ParkFixture::kBuildings; ++fid) {
      const int64_t parcel = (fid + 1) / 2;
      const bool first = fid % 2 == 1;
      const glm::dvec2 corner = ParkFixture::parcel_corner(parcel) + (first ? glm::dvec2{30, 30} : glm::dvec2{110, 110});
      OGRFeature f(l->GetLayerDefn());
      f.SetFID(fid);
      f.SetField("building_id", ParkFixture::building_id(fid).c_str());
      f.SetField("parcel_id", ("P" + two_digits(parcel)).c_str());
      f.SetField("enterprise_id", ("E" + two_digits(parcel)).c_str());
      f.SetField("kind", first ? "factory" : "warehouse");
      f.SetField("floors", static_cast<int>(2 + fid % 3));
      f.SetField("height_m", 6.0 + 3.0 * static_cast<double>(fid % 3));
      f.SetField("source", "survey");
      OGRGeometry* g = rectangle(frame, corner, first ? glm::dvec2{60, 40} : glm::dvec2{50, 50});
      f.SetGeometryDirectly(multi ? OGRGeometryFactory::forceToMultiPolygon(g) : g);
      ASSERT_EQ(l->CreateFeature(&f), OGRERR_NONE);
    }
  }
  ASSERT_EQ(ds->CommitTransaction(), OGRERR_NONE);
}

const gis::LayerData& Loaded::layer(const std::string& name) const {
  for (const auto& l : layers)
    if (l.name == name) return l;
  throw std::runtime_error("no layer " + name);
}

std::unique_ptr<Loaded> load_park(const std::string& source, const gis::SceneFrame& frame,
                                  const gis::ReadOptions& options) {
  gis::ReadOptions opt = options;
  opt.layers = {"parcels", "buildings"};
  auto r = gis::read_source(source, frame, opt);
  EXPECT_TRUE(r) << r.error().message;
  if (!r) return nullptr;
  auto out = std::make_unique<Loaded>();
  out->layers = std::move(*r);
  out->session = std::make_unique<edit::EditSession>(frame, std::vector<gis::LayerData*>{&out->layers[0], &out->layers[1]});
  return out;
}

SaveRace two_planners_save_at_once(const std::string& source) {
  struct Planner {
    gis::SceneFrame frame = gis::SceneFrame::jiangxi();
    std::unique_ptr<Loaded> loaded;
    std::optional<gis::Result<edit::SaveReport>> result;
  };
  std::array<Planner, 2> planners;
  SaveRace race;
  for (size_t i = 0; i < planners.size(); ++i) {
    planners[i].loaded = load_park(source, planners[i].frame);
    if (!planners[i].loaded) return race;
    const double dx = 1.0 + static_cast<double>(i);
    EXPECT_TRUE(planners[i].loaded->session->apply(edit::Move{"buildings", {1, 3 + static_cast<int64_t>(i)}, {dx, 0.0}}));
  }
  std::vector<std::thread> threads;
  for (Planner& p : planners)
    threads.emplace_back([&p, &source] { p.result.emplace(edit::save_changes(*p.loaded->session, source)); });
  for (auto& t : threads) t.join();
  for (Planner& p : planners) {
    if (!*p.result) {
      race.failures += p.result->error().message + "\n";
    } else if ((*p.result)->saved()) {
      ++race.saved;
      race.winner_b1 = p.loaded->session->feature("buildings", 1).feature.geom;
    } else {
      ++race.conflicted;
    }
  }
  return race;
}

const gis::Feature* find_feature(const gis::LayerData& layer, int64_t fid) {
  for (const auto& f : layer.features)
    if (f.fid == fid) return &f;
  return nullptr;
}

double max_vertex_gap(const gis::Geometry& a, const gis::Geometry& b) {
  constexpr double kDifferent = std::numeric_limits<double>::infinity();
  if (a.polygons.size() != b.polygons.size() || a.polygons.empty()) return kDifferent;
  double gap = 0.0;
  auto rings = [&](const gis::Ring& x, const gis::Ring& y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) gap = std::max(gap, std::hypot(x[i].x - y[i].x, x[i].y - y[i].y));
    return true;
  };
  for (size_t p = 0; p < a.polygons.size(); ++p) {
    const auto& pa = a.polygons[p];
    const auto& pb = b.polygons[p];
    if (!rings(pa.outer, pb.outer) || pa.holes.size() != pb.holes.size()) return kDifferent;
    for (size_t h = 0; h < pa.holes.size(); ++h)
      if (!rings(pa.holes[h], pb.holes[h])) return kDifferent;
  }
  return gap;
}

std::string attr_differences(const gis::LayerData& la, const gis::Feature& a, const gis::LayerData& lb,
                             const gis::Feature& b, const std::string& skip) {
  std::string out;
  for (size_t i = 0; i < la.fields.size(); ++i) {
    const std::string& name = la.fields[i];
    if (name == skip) continue;
    const int j = lb.field(name);
    const gis::AttrValue va = i < a.attrs.size() ? a.attrs[i] : gis::AttrValue{};
    const gis::AttrValue vb = j >= 0 && static_cast<size_t>(j) < b.attrs.size() ? b.attrs[static_cast<size_t>(j)] : gis::AttrValue{};
    if (j >= 0 && va == vb) continue;
    if (!out.empty()) out += "; ";
    out += name + ": " + value_text(va) + " vs " + value_text(vb);
  }
  return out;
}

std::vector<std::string> sqlite_rows(const std::string& path, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "sqlite3 cannot open " << path;
    sqlite3_close(db);
    return rows;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "sqlite3: " << sqlite3_errmsg(db) << " in " << sql;
  } else {
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const unsigned char* t = sqlite3_column_text(st, c);
        if (c > 0) row += '|';
        row += t != nullptr ? reinterpret_cast<const char*>(t) : "NULL";
      }
      rows.push_back(std::move(row));
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

std::string sqlite_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    out = "cannot open " + path;
  } else {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) out = err != nullptr ? err : "failed";
    sqlite3_free(err);
  }
  sqlite3_close(db);
  return out;
}

std::map<int64_t, std::string> sqlite_table(const std::string& path, const std::string& table,
                                            const std::string& skip_column) {
  std::string columns;
  for (const std::string& row : sqlite_rows(path, "SELECT name FROM pragma_table_info('" + table + "')"))
    if (row != skip_column) columns += (columns.empty() ? "quote(\"" : " || '|' || quote(\"") + row + "\")";
  std::map<int64_t, std::string> out;
  for (const std::string& row : sqlite_rows(path, "SELECT fid, " + columns + " FROM \"" + table + "\"")) {
    const size_t bar = row.find('|');
    out[std::stoll(row.substr(0, bar))] = row.substr(bar + 1);
  }
  return out;
}

std::string file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

std::string out_path(const std::string& name) {
  const std::string dir = std::string(PARKTWIN_TEST_OUT) + "/edit_store";
  fs::create_directories(dir);
  const std::string p = dir + "/" + name;
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(p + suffix, ec);
  return p;
}

}  // namespace parktwin::testing
