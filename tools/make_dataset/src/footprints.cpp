// Synthetic building footprints (see footprints.hpp): a port of the peer harness's
// gen_buildings.mjs, written out through GDAL one feature at a time.
#include "footprints.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

namespace parktwin::dataset {
namespace {

using Ring = std::vector<std::array<double, 2>>;

// Local shapes in metres, centred on (0, 0), counter-clockwise, not closed (as gen_buildings.mjs).
void shape_rect(Ring& r, double w, double d) {
  const double x = w / 2, y = d / 2;
  r = {{-x, -y}, {x, -y}, {x, y}, {-x, y}};
}
void shape_rect_chamfer(Ring& r, double w, double d, double c) {
  const double x = w / 2, y = d / 2;
  r = {{-x, -y}, {x, -y}, {x, y - c}, {x - c, y}, {-x, y}};
}
void shape_l(Ring& r, double w, double d, double fx, double fy) {
  const double x = w / 2, y = d / 2, cx = x - fx * w, cy = y - fy * d;
  r = {{-x, -y}, {x, -y}, {x, cy}, {cx, cy}, {cx, y}, {-x, y}};
}
void shape_l_chamfer(Ring& r, double w, double d, double fx, double fy, double c) {
  const double x = w / 2, y = d / 2, cx = x - fx * w, cy = y - fy * d;
  r = {{-x, -y}, {x - c, -y}, {x, -y + c}, {x, cy}, {cx, cy}, {cx, y}, {-x, y}};
}
void shape_u(Ring& r, double w, double d, double fx, double fy) {
  const double x = w / 2, y = d / 2, nx = (fx * w) / 2, ny = y - fy * d;
  r = {{-x, -y}, {x, -y}, {x, y}, {nx, y}, {nx, ny}, {-nx, ny}, {-nx, y}, {-x, y}};
}

// JavaScript's Math.round (halves toward +infinity).
double js_round(double v) { return std::floor(v + 0.5); }

std::string lower_extension(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what + (CPLGetLastErrorMsg()[0] ? std::string(": ") + CPLGetLastErrorMsg() : ""));
}

}  // namespace

FootprintGenerator::FootprintGenerator(const FootprintOptions& o) : o_(o), state_(o.seed) {
  cols_ = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(std::sqrt(static_cast<double>(o.n)))));
  rows_ = std::max<std::uint64_t>(1, (o.n + cols_ - 1) / cols_);
  m_per_deg_lon_ = 111320.0 * std::cos(o.lat * M_PI / 180.0);
}

// mulberry32, as gen_buildings.mjs: a float in [0, 1).
double FootprintGenerator::rnd() {
  std::uint32_t t = state_ += 0x6d2b79f5u;
  std::uint32_t r = (t ^ (t >> 15)) * (1u | t);
  r = (r + (r ^ (r >> 7)) * (61u | r)) ^ r;
  return static_cast<double>(r ^ (r >> 14)) / 4294967296.0;
}

bool FootprintGenerator::next(Footprint& f) {
  if (i_ >= o_.n) return false;
  const std::uint64_t i = i_++;
  const double col = static_cast<double>(i % cols_), row = static_cast<double>(i / cols_);
  const double cxm = (col - (static_cast<double>(cols_) - 1) / 2) * o_.spacing_m + (rnd() - 0.5) * 8;
  const double cym = (row - (static_cast<double>(rows_) - 1) / 2) * o_.spacing_m + (rnd() - 0.5) * 8;
  const double w = 8 + rnd() * 16, d = 8 + rnd() * 16;  // 8..24 m
  const double theta = rnd() * M_PI;
  const double pick = rnd(), hr = rnd();
  const double p1 = rnd(), p2 = rnd(), p3 = rnd();
  f.id = static_cast<std::int64_t>(i);
  f.height_m = js_round((10 + 110 * hr * hr) * 10) / 10;  // 10..120 m, skewed low
  f.hole.clear();
  if (pick < 0.35) {
    f.kind = "rect";
    shape_rect(f.outer, w, d);
    if (w >= 14 && d >= 14 && p3 < 0.3) {  // courtyard, 35..50 % of the footprint's size, clockwise
      const double s = 0.35 + 0.15 * p1;
      shape_rect(f.hole, w * s, d * s);
      std::reverse(f.hole.begin(), f.hole.end());
    }
  } else if (pick < 0.5) {
    f.kind = "rect_chamfer";
    shape_rect_chamfer(f.outer, w, d, std::min(w, d) * (0.15 + 0.2 * p1));
  } else if (pick < 0.8) {
    f.kind = "L";
    shape_l(f.outer, w, d, 0.3 + 0.35 * p1, 0.3 + 0.35 * p2);
  } else if (pick < 0.9) {
    f.kind = "L_chamfer";
    shape_l_chamfer(f.outer, w, d, 0.3 + 0.3 * p1, 0.3 + 0.3 * p2, std::min(w, d) * 0.15);
  } else {
    f.kind = "U";
    shape_u(f.outer, w, d, 0.3 + 0.3 * p1, 0.3 + 0.3 * p2);
  }
  const double c = std::cos(theta), s = std::sin(theta);
  auto to_lonlat = [&](Ring& ring) {
    if (ring.empty()) return;
    for (auto& p : ring) {
      const double xr = p[0] * c - p[1] * s + cxm, yr = p[0] * s + p[1] * c + cym;
      p = {js_round((o_.lon + xr / m_per_deg_lon_) * 1e7) / 1e7, js_round((o_.lat + yr / m_per_deg_lat_) * 1e7) / 1e7};
    }
    ring.push_back(ring.front());
  };
  to_lonlat(f.outer);
  to_lonlat(f.hole);
  return true;
}

FootprintStats write_footprints(const std::string& path, const FootprintOptions& o,
                                const std::function<void(std::uint64_t)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  GDALAllRegister();
  const std::string ext = lower_extension(path);
  const char* driver_name = ext == ".fgb" ? "FlatGeobuf" : ext == ".gpkg" ? "GPKG" : ext == ".geojson" ? "GeoJSON" : nullptr;
  if (!driver_name) throw std::runtime_error(path + ": write .fgb, .gpkg or .geojson");
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name);
  if (!driver) throw std::runtime_error(std::string("GDAL has no ") + driver_name + " driver");
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix, ec);
  CPLErrorReset();
  std::unique_ptr<GDALDataset> ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) fail(path, "cannot create");
  OGRSpatialReference srs;
  srs.importFromEPSG(4326);
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  CPLStringList layer_options;
  if (ext == ".fgb" || ext == ".gpkg") layer_options.SetNameValue("SPATIAL_INDEX", "YES");
  if (ext == ".geojson") layer_options.SetNameValue("RFC7946", "YES");
  OGRLayer* layer = ds->CreateLayer("buildings", &srs, wkbPolygon, layer_options.List());
  if (!layer) fail(path, "cannot create the layer");
  OGRFieldDefn fid("id", OFTInteger64), fheight("height", OFTReal), fkind("kind", OFTString);
  if (layer->CreateField(&fid) != OGRERR_NONE || layer->CreateField(&fheight) != OGRERR_NONE ||
      layer->CreateField(&fkind) != OGRERR_NONE)
    fail(path, "cannot create the fields");

  // GeoPackage: one transaction per 100k features (each insert its own transaction is ~100x slower).
  const bool transactions = ds->TestCapability(ODsCTransactions) != 0;
  constexpr std::uint64_t kBatch = 100000;
  FootprintStats st;
  FootprintGenerator gen(o);
  Footprint fp;
  OGRFeature feature(layer->GetLayerDefn());
  auto ring_of = [](const Ring& r) {
    auto lr = std::make_unique<OGRLinearRing>();
    lr->setNumPoints(static_cast<int>(r.size()), FALSE);
    for (size_t k = 0; k < r.size(); ++k) lr->setPoint(static_cast<int>(k), r[k][0], r[k][1]);
    return lr;
  };
  while (gen.next(fp)) {
    if (transactions && st.features % kBatch == 0 && ds->StartTransaction() != OGRERR_NONE)
      fail(path, "cannot start a transaction");
    auto poly = std::make_unique<OGRPolygon>();
    poly->addRingDirectly(ring_of(fp.outer).release());
    if (!fp.hole.empty()) poly->addRingDirectly(ring_of(fp.hole).release());
    feature.SetFID(OGRNullFID);
    feature.SetField(0, static_cast<GIntBig>(fp.id));
    feature.SetField(1, fp.height_m);
    feature.SetField(2, fp.kind);
    feature.SetGeometryDirectly(poly.release());
    if (layer->CreateFeature(&feature) != OGRERR_NONE) fail(path, "cannot write feature " + std::to_string(fp.id));
    ++st.features;
    st.holes += fp.hole.empty() ? 0 : 1;
    st.vertices += fp.outer.size() - 1 + (fp.hole.empty() ? 0 : fp.hole.size() - 1);
    if (transactions && (st.features % kBatch == 0 || st.features == o.n) && ds->CommitTransaction() != OGRERR_NONE)
      fail(path, "cannot commit");
    if (progress && st.features % 1000000 == 0) progress(st.features);
  }
  // FlatGeobuf sorts the features and writes its index when the dataset closes: part of the time.
  CPLErrorReset();
  ds.reset();
  if (CPLGetLastErrorType() >= CE_Failure) fail(path, "closing");
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

}  // namespace parktwin::dataset
