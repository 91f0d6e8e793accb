// Streaming a buildings layer (scene::LayerStream) ends with exactly the features of the source:
// compared feature by feature (FID, geometry, attributes), building by building and report by
// report with the one-shot load (add_user_layers) of the same file, for an indexed GeoPackage and
// FlatGeobuf, a GeoJSON read in one pass, and a second start from the tile cache (also with a
// damaged cache file), and a PostGIS table (StreamPostgis: a server of its own). The fixture has awkward features: no geometry, a self-intersecting ring
// (repaired), coordinates out of range (skipped), a multipolygon, a courtyard, and footprints
// spread over many tiles.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "parktwin/scene/scene.h"
#include "parktwin/gis/tiled_reader.h"
#include "parktwin/scene/stream.h"
#include "scene_test_support.h"
#include "../support/pg_server.h"

namespace fs = std::filesystem;
using namespace parktwin;

namespace {

fs::path out_dir() {
  fs::path d = fs::path(PARKTWIN_TEST_OUT) / "stream";
  fs::create_directories(d);
  return d;
}

std::string box_wkt(double lon, double lat, double d) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "POLYGON((%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f))", lon, lat, lon + d, lat,
                lon + d, lat + d, lon, lat + d, lon, lat);
  return buf;
}

/// Writes the fixture layer "footprints" (EPSG:4326) with `driver`; `n` grid footprints 300 m apart.
void write_fixture(const char* driver, const fs::path& file, int n) {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
  fs::remove(file);
  GDALDriver* drv = GetGDALDriverManager()->GetDriverByName(driver);
  ASSERT_NE(drv, nullptr) << driver;
  GDALDatasetUniquePtr ds(drv->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
  OGRSpatialReference wgs84;
  wgs84.SetFromUserInput("EPSG:4326");
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRLayer* layer = ds->CreateLayer("footprints", &wgs84, wkbMultiPolygon, nullptr);
  ASSERT_NE(layer, nullptr);
  OGRFieldDefn h("height", OFTReal), name("name", OFTString), floors("levels", OFTInteger);
  ASSERT_EQ(layer->CreateField(&h), OGRERR_NONE);
  ASSERT_EQ(layer->CreateField(&name), OGRERR_NONE);
  ASSERT_EQ(layer->CreateField(&floors), OGRERR_NONE);
  ASSERT_EQ(layer->StartTransaction(), OGRERR_NONE);
  auto add = [&](const std::string& wkt, double height, const std::string& label) {
    OGRFeature f(layer->GetLayerDefn());
    if (height > 0) f.SetField("height", height);
    f.SetField("name", label.c_str());
    f.SetField("levels", static_cast<int>(height / 3.5));
    if (!wkt.empty()) {
      OGRGeometry* g = nullptr;
      ASSERT_EQ(OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &g), OGRERR_NONE) << wkt;
      f.SetGeometryDirectly(OGRGeometryFactory::forceToMultiPolygon(g));
    }
    ASSERT_EQ(layer->CreateFeature(&f), OGRERR_NONE) << CPLGetLastErrorMsg();
  };
  const int cols = 50;
  for (int i = 0; i < n; ++i) {
    // 300 m apart (0.003 deg), so 50 columns span about 15 km: several 4 km tiles each way.
    const double lon = 115.90 + 0.003 * (i % cols), lat = 28.60 + 0.003 * (i / cols);
    const double d = 0.0002 + 0.00001 * (i % 7);
    add(box_wkt(lon, lat, d), 10.0 + (i * 37) % 110, "b" + std::to_string(i));
  }
  add("", 20.0, "no geometry");
  add("POLYGON((116.0 28.65,116.001 28.651,116.001 28.65,116.0 28.651,116.0 28.65))", 30.0, "bowtie");
  add("POLYGON((500 28,501 28,501 29,500 28))", 40.0, "out of range");
  add("MULTIPOLYGON(((115.95 28.66,115.9505 28.66,115.9505 28.6605,115.95 28.66)),"
      "((115.952 28.66,115.9525 28.66,115.9525 28.6605,115.952 28.66)))", 25.0, "two parts");
  add("POLYGON((115.96 28.67,115.961 28.67,115.961 28.671,115.96 28.671,115.96 28.67),"
      "(115.9603 28.6703,115.9603 28.6707,115.9607 28.6707,115.9607 28.6703,115.9603 28.6703))", 45.0, "courtyard");
  ASSERT_EQ(layer->CommitTransaction(), OGRERR_NONE);
}

struct Summary {
  std::map<int64_t, const gis::Feature*> by_fid;
  std::map<int64_t, float> height;  // per FID with a building
  size_t buildings = 0, vertices = 0, indices = 0, edges = 0;
  gis::LoadReport report;
};

Summary summarize(const scene::Scene& s, const scene::Layer& l) {
  Summary out;
  for (const gis::Feature& f : l.data.features) out.by_fid[f.fid] = &f;
  for (size_t i = 0; i < l.data.features.size(); ++i)
    if (i < l.feature_building.size() && l.feature_building[i] >= 0)
      out.height[l.data.features[i].fid] = s.buildings[static_cast<size_t>(l.feature_building[i])].height_m;
  for (const scene::BuildingChunk& c : l.building_chunks) {
    out.vertices += c.mesh.vertices.size();
    out.indices += c.mesh.indices.size();
    out.edges += c.mesh.edge_indices.size();
    for (const gis::BuildingVertex& v : c.mesh.vertices) {
      // Every vertex names a building of this layer whose feature is in this chunk.
      EXPECT_LT(v.building, s.buildings.size());
      if (v.building >= s.buildings.size()) continue;
      const scene::Building& b = s.buildings[v.building];
      EXPECT_TRUE(std::binary_search(c.features.begin(), c.features.end(), b.feature));
    }
  }
  out.buildings = out.height.size();
  out.report = l.data.report;
  return out;
}

void expect_same_layer(const Summary& want, const Summary& got) {
  ASSERT_EQ(want.by_fid.size(), got.by_fid.size());
  for (const auto& [fid, f] : want.by_fid) {
    auto it = got.by_fid.find(fid);
    ASSERT_NE(it, got.by_fid.end()) << "FID " << fid << " missing from the streamed layer";
    const gis::Feature& g = *it->second;
    ASSERT_EQ(f->geom.polygons.size(), g.geom.polygons.size()) << fid;
    for (size_t p = 0; p < f->geom.polygons.size(); ++p) {
      EXPECT_EQ(f->geom.polygons[p].outer, g.geom.polygons[p].outer) << fid;
      EXPECT_EQ(f->geom.polygons[p].holes, g.geom.polygons[p].holes) << fid;
    }
    EXPECT_EQ(f->attrs, g.attrs) << fid;
  }
  EXPECT_EQ(want.height, got.height);
  EXPECT_EQ(want.vertices, got.vertices);
  EXPECT_EQ(want.indices, got.indices);
  EXPECT_EQ(want.edges, got.edges);
  EXPECT_EQ(want.report.read, got.report.read);
  EXPECT_EQ(want.report.kept, got.report.kept);
  EXPECT_EQ(want.report.repaired, got.report.repaired);
  EXPECT_EQ(want.report.skipped, got.report.skipped);
}

Summary load_whole(const fs::path& file, std::unique_ptr<scene::Scene>& keep,  // a file or a "PG:" connection
                   const gis::ReadOptions& read = {}) {
  keep = std::make_unique<scene::Scene>(gis::SceneFrame::jiangxi());
  scene::LoadOptions opt;
  opt.read = read;
  opt.height_attribute = "height";
  auto added = scene::add_user_layers(*keep, file.string(), opt);
  EXPECT_TRUE(added) << (added ? "" : added.error().message);
  EXPECT_EQ(keep->layers.size(), 1u);
  EXPECT_EQ(keep->layers[0].kind, scene::LayerKind::Buildings);
  return summarize(*keep, keep->layers[0]);
}

/// Every chunk of a streamed layer arrives laid out in clusters by its worker, exactly as a renderer
/// would lay out the integrated mesh itself (gis::cluster_building_mesh of the chunk's mesh as it is
/// now, its vertices naming scene buildings): the worker's feature numbers were renamed consistently.
void expect_laid_out_as_here(const scene::Layer& l) {
  size_t meshes = 0;
  for (const scene::BuildingChunk& c : l.building_chunks) {
    if (c.mesh.indices.empty()) continue;
    ++meshes;
    const gis::ClusteredMesh* got = c.prepared_clusters();
    ASSERT_NE(got, nullptr) << "tile " << c.tile.x << "," << c.tile.y << " arrived without its layout";
    EXPECT_TRUE(scene::testing::same_layout(*got, gis::cluster_building_mesh(c.mesh))) << "tile " << c.tile.x << "," << c.tile.y;
  }
  EXPECT_GT(meshes, 0u);
}

Summary stream_whole(const fs::path& file, const scene::StreamOptions& so, std::unique_ptr<scene::Scene>& keep,
                     scene::StreamProgress* progress = nullptr, const gis::ReadOptions& read = {}) {
  keep = std::make_unique<scene::Scene>(gis::SceneFrame::jiangxi());
  scene::LoadOptions opt;
  opt.read = read;
  opt.height_attribute = "height";
  auto s = scene::LayerStream::start(*keep, file.string(), "", opt, so);
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  if (!s) return {};
  (*s)->finish(*keep);
  if (progress) *progress = (*s)->progress();
  EXPECT_EQ(keep->layers.size(), 1u);
  expect_laid_out_as_here(keep->layers[(*s)->layer_index()]);
  return summarize(*keep, keep->layers[(*s)->layer_index()]);
}

/// Damages the first cache file under `cache` that `pick` takes (two bytes in its middle); returns
/// how many it damaged (0 or 1).
size_t damage_one(const fs::path& cache, const std::function<bool(const std::string& name)>& pick) {
  for (const auto& e : fs::recursive_directory_iterator(cache)) {
    if (!pick(e.path().filename().string())) continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(e.path()) / 2));
    f.put('\x5a');
    f.put('\xa5');
    return 1;
  }
  return 0;
}

/// The layer streamed again after a cache file was damaged: the same as `whole`, one tile from the
/// source, and a warning naming the damage.
void expect_repaired(const Summary& whole, const fs::path& file, const scene::StreamOptions& so) {
  std::unique_ptr<scene::Scene> d;
  scene::StreamProgress p;
  expect_same_layer(whole, stream_whole(file, so, d, &p));
  EXPECT_EQ(p.tiles_from_cache + 1, p.tiles_done);
  bool warned = false;
  for (const std::string& w : d->warnings) warned |= w.find("is damaged") != std::string::npos;
  EXPECT_TRUE(warned);
}

/// A fixture file written afresh, its cache directory emptied, and the layer loaded whole.
struct CachedFixture {
  fs::path file, cache;
  std::unique_ptr<scene::Scene> scene;  ///< the one-shot load
  Summary whole;
};
CachedFixture cached_fixture(const char* driver, const std::string& name, size_t n) {
  CachedFixture f;
  f.file = out_dir() / name;
  write_fixture(driver, f.file, n);
  f.cache = out_dir() / ("cache_" + fs::path(name).stem().string());
  fs::remove_all(f.cache);
  f.whole = load_whole(f.file, f.scene);
  return f;
}

/// Streamed with one worker and the focus at `lonlat` (into `s`), the first tile to arrive is the
/// one holding the focus.
void expect_nearest_tile_first(scene::Scene& s, const std::string& source, glm::dvec2 lonlat) {
  scene::StreamOptions so;
  so.threads = 1;
  so.focus = s.frame().from_wgs84(lonlat);
  auto st = scene::LayerStream::start(s, source, "", {}, so);
  ASSERT_TRUE(st) << st.error().message;
  while ((*st)->integrate(s, 1) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const scene::Layer& l = s.layers[(*st)->layer_index()];
  ASSERT_EQ(l.building_chunks.size(), 1u);
  EXPECT_EQ(l.building_chunks[0].tile, scene::tile_of(*so.focus));
  (*st)->finish(s);
}

class StreamFormats : public ::testing::TestWithParam<const char*> {};

TEST_P(StreamFormats, StreamingEndsWithExactlyTheFeaturesOfTheSource) {
  const std::string param = GetParam();
  // "ESRI Shapefile+qix": a shapefile with the spatial index GDAL writes for it (.qix), read by tile.
  const bool qix = param == "ESRI Shapefile+qix";
  const std::string driver = qix ? "ESRI Shapefile" : param;
  const fs::path file = out_dir() / ("fixture_" + std::string(driver == "GPKG"         ? "a.gpkg"
                                                              : driver == "FlatGeobuf" ? "b.fgb"
                                                              : driver == "GeoJSON"    ? "c.geojson"
                                                              : qix                    ? "e.shp"
                                                                                       : "d.shp"));
  write_fixture(driver.c_str(), file, 1500);
  if (driver == "ESRI Shapefile") {
    fs::remove(fs::path(file).replace_extension(".qix"));
    if (qix) {
      GDALDatasetUniquePtr ds(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
      ASSERT_TRUE(ds);
      ds->ExecuteSQL(("CREATE SPATIAL INDEX ON " + fs::path(file).stem().string()).c_str(), nullptr, nullptr);
    }
    ASSERT_EQ(fs::exists(fs::path(file).replace_extension(".qix")), qix);
  }
  // GeoPackage, FlatGeobuf and an indexed shapefile are read tile by tile; GeoJSON and a plain
  // shapefile in one pass.
  {
    scene::Scene probe(gis::SceneFrame::jiangxi());
    auto r = gis::TiledLayerReader::open(file.string(), "", probe.frame().definition(), {});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ((*r)->indexed(), driver == "GPKG" || driver == "FlatGeobuf" || qix);
  }
  std::unique_ptr<scene::Scene> a, b;
  const Summary whole = load_whole(file, a);
  ASSERT_GT(whole.buildings, 1500u);  // the grid, the repaired bowtie, two parts, the courtyard
  // Out of range; and no geometry where the format keeps such a feature (FlatGeobuf drops it).
  EXPECT_EQ(whole.report.skipped_total(), driver == "FlatGeobuf" ? 1 : 2);
  scene::StreamProgress p;
  scene::StreamOptions so;
  so.threads = 2;
  const Summary streamed = stream_whole(file, so, b, &p);
  expect_same_layer(whole, streamed);
  EXPECT_TRUE(p.finished);
  EXPECT_GE(p.tiles_done, 9u);  // about 15 km x 7 km of 4 km tiles
  EXPECT_EQ(p.features, static_cast<int64_t>(whole.by_fid.size()));
  EXPECT_EQ(b->layers[0].id, a->layers[0].id);
  EXPECT_EQ(b->layers[0].kind, scene::LayerKind::Buildings);
  EXPECT_EQ(b->styles.size(), b->buildings.size());
}

INSTANTIATE_TEST_SUITE_P(Drivers, StreamFormats, ::testing::Values("GPKG", "FlatGeobuf", "GeoJSON", "ESRI Shapefile",
                                                                   "ESRI Shapefile+qix"));

TEST(Stream, TheTilesListedAreTheSameWhetherTheIndexStopsAtTheFirstMatchOrGathersAll) {
  // Two groups of footprints about 330 km apart: an extent of about 85 x 25 tiles, whose quadtree
  // goes through squares of 64 tiles, which a filter that gathers every match (FlatGeobuf) is
  // still asked about, and smaller ones, which it is not.
  GDALAllRegister();
  std::map<std::string, scene::StreamProgress> got;
  std::map<std::string, size_t> features;
  for (const char* driver : {"GPKG", "FlatGeobuf"}) {
    const fs::path file = out_dir() / (std::string("two_groups.") + (driver == std::string("GPKG") ? "gpkg" : "fgb"));
    fs::remove(file);
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName(driver);
    ASSERT_NE(drv, nullptr);
    {
      GDALDatasetUniquePtr ds(drv->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
      ASSERT_TRUE(ds);
      OGRSpatialReference wgs84;
      wgs84.SetFromUserInput("EPSG:4326");
      wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
      OGRLayer* layer = ds->CreateLayer("footprints", &wgs84, wkbPolygon, nullptr);
      ASSERT_NE(layer, nullptr);
      ASSERT_EQ(layer->StartTransaction(), OGRERR_NONE);
      for (int i = 0; i < 600; ++i) {
        const bool far = i % 3 == 0;
        const double lon = (far ? 118.90 : 115.90) + 0.004 * (i % 40), lat = (far ? 29.40 : 28.60) + 0.004 * (i / 40);
        OGRFeature f(layer->GetLayerDefn());
        OGRGeometry* g = nullptr;
        ASSERT_EQ(OGRGeometryFactory::createFromWkt(box_wkt(lon, lat, 0.0002).c_str(), nullptr, &g), OGRERR_NONE);
        f.SetGeometryDirectly(g);
        ASSERT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
      }
      ASSERT_EQ(layer->CommitTransaction(), OGRERR_NONE);
    }
    scene::Scene probe(gis::SceneFrame::jiangxi());
    auto r = gis::TiledLayerReader::open(file.string(), "", probe.frame().definition(), {});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE((*r)->indexed());
    EXPECT_EQ((*r)->filter_gathers_all(), driver == std::string("FlatGeobuf"));
    std::unique_ptr<scene::Scene> sc;
    scene::StreamOptions so;
    so.threads = 2;
    const Summary streamed = stream_whole(file, so, sc, &got[driver]);
    features[driver] = streamed.by_fid.size();
  }
  EXPECT_EQ(features["GPKG"], 600u);
  EXPECT_EQ(features["FlatGeobuf"], 600u);
  // The same tiles: the GeoPackage's index was asked at every level of the quadtree.
  EXPECT_GT(got["GPKG"].tiles_total, 4u);
  EXPECT_LT(got["GPKG"].tiles_total, 40u);  // the empty tiles between the groups are passed over
  EXPECT_EQ(got["FlatGeobuf"].tiles_total, got["GPKG"].tiles_total);
  EXPECT_EQ(got["FlatGeobuf"].tiles_done, got["GPKG"].tiles_done);
}

TEST(Stream, AGcj02SourceIsReadInOnePassAndEndsAsItsOneShotLoad) {
  // --crs GCJ02 --force-crs: the GeoPackage's coordinates are Chinese web-map (GCJ-02) lon/lat.
  // A rectangle in them is no rectangle in WGS84, so even an indexed source is read in one pass.
  const fs::path file = out_dir() / "gcj02.gpkg";
  write_fixture("GPKG", file, 800);
  gis::ReadOptions gcj;
  gcj.declared_crs = "GCJ02";
  gcj.override_crs = true;
  {
    scene::Scene probe(gis::SceneFrame::jiangxi());
    auto r = gis::TiledLayerReader::open(file.string(), "", probe.frame().definition(), gcj);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE((*r)->indexed());
  }
  std::unique_ptr<scene::Scene> a, b, c;
  const Summary whole = load_whole(file, a, gcj);
  scene::StreamProgress p;
  scene::StreamOptions so;
  so.threads = 2;
  expect_same_layer(whole, stream_whole(file, so, b, &p, gcj));
  EXPECT_TRUE(p.finished);
  // Moved from where the same numbers lie as WGS84 by GCJ-02's offset (hundreds of metres in
  // Jiangxi), each footprint by about the same.
  const Summary wgs84 = load_whole(file, c);
  ASSERT_EQ(wgs84.by_fid.size(), whole.by_fid.size());
  for (const auto& [fid, f] : whole.by_fid) {
    if (f->geom.polygons.empty()) continue;
    const gis::Feature& w = *wgs84.by_fid.at(fid);
    ASSERT_FALSE(w.geom.polygons.empty()) << fid;
    const double shift = glm::length(f->geom.polygons[0].outer[0] - w.geom.polygons[0].outer[0]);
    EXPECT_GT(shift, 100.0) << fid;
    EXPECT_LT(shift, 1000.0) << fid;
  }
}

TEST(Stream, SecondStartComesFromTheCacheAndADamagedCacheFileIsReadFromTheSource) {
  const CachedFixture fx = cached_fixture("GPKG", "cached.gpkg", 800);
  const fs::path &file = fx.file, &cache = fx.cache;
  const Summary& whole = fx.whole;
  std::unique_ptr<scene::Scene> b, c;
  scene::StreamOptions so;
  so.threads = 2;
  so.cache_dir = cache.string();
  scene::StreamProgress first, second;
  expect_same_layer(whole, stream_whole(file, so, b, &first));
  EXPECT_EQ(first.tiles_from_cache, 0u);
  expect_same_layer(whole, stream_whole(file, so, c, &second));
  EXPECT_EQ(second.tiles_from_cache, second.tiles_done);
  EXPECT_GT(second.tiles_done, 4u);

  // Damage one tile file in the middle: that tile comes from the source, with a warning.
  ASSERT_EQ(damage_one(cache, [](const std::string& n) { return n.ends_with(".tile") && n != "rest.tile"; }), 1u);
  expect_repaired(whole, file, so);

  // A changed source is a different cache entry: nothing stale is shown.
  write_fixture("GPKG", file, 700);
  std::unique_ptr<scene::Scene> e, f;
  scene::StreamProgress fourth;
  const Summary smaller = load_whole(file, e);
  expect_same_layer(smaller, stream_whole(file, so, f, &fourth));
  EXPECT_EQ(fourth.tiles_from_cache, 0u);
}

TEST(Stream, AOnePassReadArrivesInBatchesAndEndsWithExactlyTheFeaturesOfTheSource) {
  // GeoJSON has no spatial index: one pass, its features handed to the workers in batches of
  // 100, then 400 (1505 features: 5 batches), each making its own part of every tile it touches.
  CachedFixture fx = cached_fixture("GeoJSON", "batches.geojson", 1500);
  const fs::path &file = fx.file, &cache = fx.cache;
  const Summary& whole = fx.whole;
  std::unique_ptr<scene::Scene>& a = fx.scene;
  std::unique_ptr<scene::Scene> b, c;
  std::map<int64_t, size_t> position;  // FID -> place in the file (the one-shot load keeps file order)
  for (const gis::Feature& f : a->layers[0].data.features) position.emplace(f.fid, position.size());
  const auto batch_of = [&](int64_t fid) { const size_t p = position.at(fid); return p < 100 ? 0 : 1 + (p - 100) / 400; };
  scene::StreamOptions so;
  so.threads = 2;
  so.cache_dir = cache.string();
  so.one_pass_first = 100;
  so.one_pass_batch = 400;
  scene::StreamProgress first, second;
  expect_same_layer(whole, stream_whole(file, so, b, &first));
  EXPECT_TRUE(first.finished);
  EXPECT_EQ(first.features, static_cast<int64_t>(whole.by_fid.size()));
  // Every chunk holds features of one batch only, of its own tile; a tile has a chunk per batch
  // that reached it, so there are more chunks than tiles.
  const scene::Layer& l = b->layers[0];
  std::set<std::pair<int64_t, int64_t>> tiles;
  std::set<size_t> batches;
  for (const scene::BuildingChunk& ch : l.building_chunks) {
    ASSERT_FALSE(ch.features.empty());
    tiles.insert({ch.tile.x, ch.tile.y});
    const size_t batch = batch_of(l.data.features[ch.features.front()].fid);
    batches.insert(batch);
    for (uint32_t fi : ch.features) {
      EXPECT_EQ(batch_of(l.data.features[fi].fid), batch) << "tile " << ch.tile.x << "," << ch.tile.y;
      const auto& poly = l.data.features[fi].geom.polygons;
      if (poly.empty()) continue;
      glm::dvec2 lo(1e300), hi(-1e300);
      for (const gis::Polygon& p : poly)
        for (glm::dvec2 q : p.outer) lo = glm::min(lo, q), hi = glm::max(hi, q);
      EXPECT_EQ(scene::tile_of((lo + hi) * 0.5), ch.tile);
    }
  }
  EXPECT_EQ(batches.size(), 5u);
  EXPECT_GT(l.building_chunks.size(), tiles.size());

  // The second start: every part from the cache.
  expect_same_layer(whole, stream_whole(file, so, c, &second));
  EXPECT_EQ(second.tiles_from_cache, second.tiles_done);
  EXPECT_EQ(second.tiles_done, first.tiles_done);

  // A damaged later part: that part alone is read again from the source (the pass splits the
  // file into the same batches), and nothing is doubled.
  ASSERT_EQ(damage_one(cache, [](const std::string& n) {
              return std::count(n.begin(), n.end(), '.') == 2 && n.find(".3.") != std::string::npos;
            }), 1u);
  expect_repaired(whole, file, so);

  // The pass's report (read, kept, repaired, skipped) is kept as the rest tile: damaged, the pass
  // is made again for the report alone, and every part still comes from the cache.
  std::unique_ptr<scene::Scene> e;
  scene::StreamProgress fourth;
  ASSERT_EQ(damage_one(cache, [](const std::string& n) { return n == "rest.tile"; }), 1u);
  expect_same_layer(whole, stream_whole(file, so, e, &fourth));
  EXPECT_EQ(fourth.tiles_from_cache, fourth.tiles_done);
}

TEST(Stream, WithoutTheExtentFirstAOnePassSourceTakesItsExtentFromItsPass) {
  // GeoJSON keeps no extent: GDAL reads every feature for it (the independent route here). With
  // StreamOptions::extent_first false the stream does not wait for that read; its pass gives the
  // same extent once through, and the cache keeps it for the next start.
  const CachedFixture fx = cached_fixture("GeoJSON", "extent.geojson", 1500);
  const std::string file = fx.file.string();
  std::unique_ptr<scene::Scene> b, c;
  auto gdal = gis::TiledLayerReader::open(file, "", fx.scene->frame().definition(), {});
  ASSERT_TRUE(gdal) << gdal.error().message;
  EXPECT_FALSE((*gdal)->extent(false)) << "GDAL now keeps a GeoJSON extent: extent_first costs nothing";
  const auto want = (*gdal)->extent(true);
  ASSERT_TRUE(want);
  const auto expect_extent = [&](const std::optional<std::pair<glm::dvec2, glm::dvec2>>& got, const char* when) {
    ASSERT_TRUE(got) << when;
    EXPECT_NEAR(got->first.x, want->first.x, 1e-6) << when;
    EXPECT_NEAR(got->first.y, want->first.y, 1e-6) << when;
    EXPECT_NEAR(got->second.x, want->second.x, 1e-6) << when;
    EXPECT_NEAR(got->second.y, want->second.y, 1e-6) << when;
  };
  scene::LoadOptions opt;
  opt.height_attribute = "height";
  scene::StreamOptions so;
  so.threads = 2;
  so.one_pass_first = 100;
  so.one_pass_batch = 400;
  {  // the default: the extent before any tile
    scene::Scene s(gis::SceneFrame::jiangxi());
    auto st = scene::LayerStream::start(s, file, "", opt, so);
    ASSERT_TRUE(st) << st.error().message;
    expect_extent((*st)->extent(), "extent_first, at the start");
    (*st)->finish(s);
  }
  so.extent_first = false;
  so.cache_dir = fx.cache.string();
  b = std::make_unique<scene::Scene>(gis::SceneFrame::jiangxi());
  auto st = scene::LayerStream::start(*b, file, "", opt, so);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_FALSE((*st)->extent()) << "known before the pass was through";
  (*st)->finish(*b);
  expect_extent((*st)->extent(), "after the pass");
  expect_same_layer(fx.whole, summarize(*b, b->layers[(*st)->layer_index()]));
  // Every building arrived inside that extent (within 1 m: the extent is the box of the source
  // box's corners and edge midpoints in the scene frame, whose edges bend a little).
  for (const scene::BuildingChunk& ch : b->layers[0].building_chunks) {
    EXPECT_GE(ch.bmin.x, want->first.x - 1.0);
    EXPECT_GE(ch.bmin.y, want->first.y - 1.0);
    EXPECT_LE(ch.bmax.x, want->second.x + 1.0);
    EXPECT_LE(ch.bmax.y, want->second.y + 1.0);
  }
  // The second start, from the cache: the extent at once.
  c = std::make_unique<scene::Scene>(gis::SceneFrame::jiangxi());
  auto again = scene::LayerStream::start(*c, file, "", opt, so);
  ASSERT_TRUE(again) << again.error().message;
  expect_extent((*again)->extent(), "from the cache");
  (*again)->finish(*c);
  EXPECT_EQ((*again)->progress().tiles_from_cache, (*again)->progress().tiles_done);
}

TEST(Stream, NearestTileFirstAndTheBudgetStopsFartherTiles) {
  const fs::path file = out_dir() / "nearest.gpkg";
  write_fixture("GPKG", file, 3000);
  scene::Scene s(gis::SceneFrame::jiangxi());
  scene::LoadOptions opt;
  scene::StreamOptions so;
  expect_nearest_tile_first(s, file.string(), {116.04, 28.68});  // the grid's north-east part

  scene::Scene t(gis::SceneFrame::jiangxi());
  so.focus = s.frame().from_wgs84({116.04, 28.68});
  so.memory_budget_mb = 1;  // about 1,000 footprints' meshes (of 3,000)
  so.threads = 2;
  auto bounded = scene::LayerStream::start(t, file.string(), "", opt, so);
  ASSERT_TRUE(bounded);
  (*bounded)->finish(t);
  const scene::StreamProgress p = (*bounded)->progress();
  EXPECT_TRUE(p.finished);
  EXPECT_GT(p.tiles_over_budget, 0u);
  EXPECT_LT(t.buildings.size(), s.buildings.size());
  bool warned = false;
  for (const std::string& w : t.warnings) warned |= w.find("memory budget") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(Stream, RefocusingReordersTheTilesStillToRead) {
  // The viewer refocuses on the camera's target twice a second. One worker, the focus in the grid's
  // north-east corner; once the first tile is in (the worker then holds its next read until this
  // thread integrates again), the focus moves to the south-west corner. The south-west tile comes
  // within the next two (the worker may have taken its next job before the move); without the
  // move it comes among the last.
  const fs::path file = out_dir() / "refocus.gpkg";
  write_fixture("GPKG", file, 3000);  // 50 x 60 footprints 300 m apart: about 4 x 5 tiles
  auto order = [&](bool move) {
    scene::Scene s(gis::SceneFrame::jiangxi());
    scene::StreamOptions so;
    so.threads = 1;
    so.first_frame_hold_s = 60.0;
    so.focus = s.frame().from_wgs84({116.04, 28.77});
    auto st = scene::LayerStream::start(s, file.string(), "", {}, so);
    EXPECT_TRUE(st) << st.error().message;
    std::vector<scene::TileKey> tiles;
    if (!st) return tiles;
    while ((*st)->integrate(s, 1) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (move) (*st)->refocus(s.frame().from_wgs84({115.905, 28.605}));
    (*st)->finish(s);
    for (const scene::BuildingChunk& c : s.layers[(*st)->layer_index()].building_chunks) tiles.push_back(c.tile);
    return tiles;
  };
  scene::Scene frame_only(gis::SceneFrame::jiangxi());
  const scene::TileKey sw = scene::tile_of(frame_only.frame().from_wgs84({115.905, 28.605}));
  auto rank = [&](const std::vector<scene::TileKey>& tiles) {
    return static_cast<size_t>(std::find(tiles.begin(), tiles.end(), sw) - tiles.begin());
  };
  const auto moved = order(true), kept = order(false);
  ASSERT_GE(kept.size(), 12u);
  EXPECT_EQ(moved.size(), kept.size());
  EXPECT_GE(rank(kept), kept.size() - 3) << "the south-west tile without the move";
  EXPECT_LE(rank(moved), 2u) << "the south-west tile after the move";
  EXPECT_NE(moved.front(), sw);  // the first came from the north-east
}

TEST(Stream, UserLayersStreamTheirBuildingsAndReadTheRestAsBefore) {
  // A GeoPackage with a buildings layer, a roads layer and a points layer.
  const fs::path file = out_dir() / "mixed.gpkg";
  write_fixture("GPKG", file, 300);
  {
    GDALDatasetUniquePtr ds(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    ASSERT_TRUE(ds);
    OGRSpatialReference wgs84;
    wgs84.SetFromUserInput("EPSG:4326");
    for (const auto& [name, type, wkt] : {std::tuple{"roads", wkbLineString, "LINESTRING(115.9 28.6,116.0 28.65)"},
                                          std::tuple{"sites", wkbPoint, "POINT(115.95 28.62)"}}) {
      OGRLayer* l = ds->CreateLayer(name, &wgs84, type, nullptr);
      ASSERT_NE(l, nullptr);
      OGRFeature f(l->GetLayerDefn());
      OGRGeometry* g = nullptr;
      ASSERT_EQ(OGRGeometryFactory::createFromWkt(wkt, nullptr, &g), OGRERR_NONE);
      f.SetGeometryDirectly(g);
      ASSERT_EQ(l->CreateFeature(&f), OGRERR_NONE);
    }
  }
  scene::LoadOptions opt;
  opt.height_attribute = "height";
  scene::Scene whole(gis::SceneFrame::jiangxi()), streamed(gis::SceneFrame::jiangxi());
  ASSERT_TRUE(scene::add_user_layers(whole, file.string(), opt));
  scene::StreamOptions so;
  so.threads = 2;
  size_t added = 0;
  auto streams = scene::add_user_layers_streamed(streamed, file.string(), opt, so, &added);
  ASSERT_TRUE(streams) << streams.error().message;
  EXPECT_EQ(added, 3u);
  ASSERT_EQ(streams->size(), 1u);  // only the buildings stream
  (*streams)[0]->finish(streamed);
  ASSERT_EQ(streamed.layers.size(), whole.layers.size());
  for (const scene::Layer& w : whole.layers) {
    const int i = streamed.layer_index(w.id);
    ASSERT_GE(i, 0) << w.id;
    const scene::Layer& s = streamed.layers[static_cast<size_t>(i)];
    EXPECT_EQ(s.kind, w.kind) << w.id;
    EXPECT_EQ(s.data.features.size(), w.data.features.size()) << w.id;
  }
  EXPECT_EQ(streamed.buildings.size(), whole.buildings.size());
}

TEST(Stream, AnEditedTilesLayoutIsNoLongerTrusted) {
  const fs::path file = out_dir() / "edited.fgb";
  write_fixture("FlatGeobuf", file, 600);
  std::unique_ptr<scene::Scene> keep;
  scene::StreamOptions so;
  so.threads = 2;
  stream_whole(file, so, keep);
  scene::Scene& s = *keep;
  scene::Layer& l = s.layers.at(0);
  size_t f = 0;
  while (f < l.feature_building.size() && l.feature_building[f] < 0) ++f;
  ASSERT_LT(f, l.feature_building.size());
  const auto ci = static_cast<size_t>(l.feature_chunk.at(f));
  ASSERT_NE(l.building_chunks[ci].prepared_clusters(), nullptr);
  for (glm::dvec2& p : l.data.features[f].geom.polygons.at(0).outer) p += glm::dvec2{3.0, -2.0};
  ASSERT_EQ(scene::update_features(s, 0, {f}).chunks_rebuilt, 1u);
  for (size_t k = 0; k < l.building_chunks.size(); ++k) {
    const scene::BuildingChunk& c = l.building_chunks[k];
    if (k == ci) {
      EXPECT_EQ(c.prepared_clusters(), nullptr) << "the rebuilt mesh has no layout of its own yet";
    } else if (!c.mesh.indices.empty()) {
      ASSERT_NE(c.prepared_clusters(), nullptr) << k;
      EXPECT_TRUE(scene::testing::same_layout(*c.prepared_clusters(), gis::cluster_building_mesh(c.mesh))) << k;
    }
  }
}

TEST(Stream, BadSourcesAreRefusedWithTheirReason) {
  scene::Scene s(gis::SceneFrame::jiangxi());
  auto missing = scene::LayerStream::start(s, (out_dir() / "nope.gpkg").string(), "", {}, {});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("nope.gpkg"), std::string::npos);
  const fs::path file = out_dir() / "nearest2.gpkg";
  write_fixture("GPKG", file, 10);
  auto wrong_layer = scene::LayerStream::start(s, file.string(), "roads", {}, {});
  ASSERT_FALSE(wrong_layer);
  EXPECT_NE(wrong_layer.error().message.find("roads"), std::string::npos);
  EXPECT_TRUE(s.layers.empty());
}

}  // namespace

// The workers run at the caller's nice value plus StreamOptions::worker_nice (loading yields the
// cores to the frames), read back from the kernel's view of each thread (/proc/self/task).
// StreamOptions::first_frame_hold_s: once the first tiles are in, the worker reads no further tile
// until integrate() is called again (the caller drew them) or the hold's time is up; with no hold
// it reads on. Either way the layer ends with every feature. (One worker: no read is in flight
// when the first tile is delivered.)
TEST(Stream, AfterTheFirstTilesTheWorkersWaitUntilTheyAreDrawn) {
  const fs::path file = out_dir() / "hold.gpkg";
  write_fixture("GPKG", file, 3000);
  std::unique_ptr<scene::Scene> a;
  const Summary whole = load_whole(file, a);
  const auto wait = [] { std::this_thread::sleep_for(std::chrono::milliseconds(500)); };
  for (const double hold : {60.0, 0.0, 0.3}) {
    SCOPED_TRACE("first_frame_hold_s " + std::to_string(hold));
    scene::Scene s(gis::SceneFrame::jiangxi());
    scene::StreamOptions so;
    so.threads = 1;
    so.first_frame_hold_s = hold;
    auto st = scene::LayerStream::start(s, file.string(), "", {}, so);
    ASSERT_TRUE(st) << st.error().message;
    while ((*st)->integrate(s, 1) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const double read_first = (*st)->progress().read_s;
    EXPECT_GT(read_first, 0.0);
    wait();
    if (hold == 0.3) wait();  // past the hold's time
    const double read_later = (*st)->progress().read_s;
    if (hold == 60.0) {
      EXPECT_EQ(read_later, read_first) << "the worker read on before the first tiles were drawn";
      (*st)->integrate(s, 0);  // the caller drew them: the hold ends
      wait();
      EXPECT_GT((*st)->progress().read_s, read_first);
    } else {
      EXPECT_GT(read_later, read_first);
    }
    (*st)->finish(s);
    EXPECT_TRUE((*st)->progress().finished);
    expect_same_layer(whole, summarize(s, s.layers[(*st)->layer_index()]));
  }
}

// A caller slower than the workers (a frame of a second takes kTilesPerFrame tiles): finished
// tiles do not pile up past StreamOptions::ahead_bytes; the workers wait, the layer still ends
// with exactly its features, and a stream dropped while they wait stops.
TEST(Stream, FinishedTilesWaitingForTheCallerStayWithinTheirBound) {
  const fs::path file = out_dir() / "ahead.gpkg";
  write_fixture("GPKG", file, 3000);
  std::unique_ptr<scene::Scene> a;
  const Summary whole = load_whole(file, a);
  auto waiting_after_a_while = [&](uint64_t bound, scene::Scene& s) {
    scene::StreamOptions so;
    so.threads = 2;
    so.first_frame_hold_s = 0.0;
    so.ahead_bytes = bound;
    auto st = scene::LayerStream::start(s, file.string(), "", {}, so);
    EXPECT_TRUE(st) << st.error().message;
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // nothing taken meanwhile
    return std::move(*st);
  };
  scene::Scene unbounded_scene(gis::SceneFrame::jiangxi());
  auto unbounded = waiting_after_a_while(0, unbounded_scene);
  const scene::StreamProgress all = unbounded->progress();
  EXPECT_EQ(all.tiles_done, 0u);
  EXPECT_GT(all.ahead_bytes, 0u);
  unbounded->finish(unbounded_scene);
  EXPECT_GE(unbounded->progress().tiles_done, 9u);

  // One byte: at most one finished tile waits (a tile always goes when none waits).
  scene::Scene s(gis::SceneFrame::jiangxi());
  auto bounded = waiting_after_a_while(1, s);
  const uint64_t one = bounded->progress().ahead_bytes;
  std::printf("waiting after 1.5 s without integrate(): %.0f KiB unbounded (%zu tiles), %.0f KiB within 1 byte\n",
              all.ahead_bytes / 1024.0, unbounded->progress().tiles_done, one / 1024.0);
  EXPECT_GT(one, 0u);
  EXPECT_LT(one * 3, all.ahead_bytes) << "more than one tile's worth waited";
  EXPECT_EQ(bounded->integrate(s, 1), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_GT(bounded->progress().ahead_bytes, 0u) << "taking one let the next one come";
  bounded->finish(s);
  expect_same_layer(whole, summarize(s, s.layers[bounded->layer_index()]));

  // Dropped while its workers wait: the destructor returns (a hang fails the test by its timeout).
  scene::Scene dropped_scene(gis::SceneFrame::jiangxi());
  auto dropped = waiting_after_a_while(1, dropped_scene);
  EXPECT_GT(dropped->progress().ahead_bytes, 0u);
  dropped.reset();
}

TEST(Stream, TheWorkersRunAtTheirNiceValueAboveTheCallers) {
  const fs::path file = out_dir() / "nice.gpkg";
  write_fixture("GPKG", file, 50);
  errno = 0;
  const int mine = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  ASSERT_EQ(errno, 0);
  // Nice values of the threads named as the workers name themselves, once `n` of them are up.
  auto worker_nices = [](size_t n) {
    std::vector<int> nices;
    for (int tries = 0; tries < 500 && nices.size() < n; ++tries) {
      nices.clear();
      for (const auto& t : fs::directory_iterator("/proc/self/task")) {
        std::ifstream comm(t.path() / "comm");
        std::string name;
        std::getline(comm, name);
        if (name != "parktwin-stream") continue;
        std::ifstream stat(t.path() / "stat");
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        std::istringstream rest(text.substr(text.rfind(')') + 2));  // fields from the 3rd on
        std::string field;
        for (int k = 3; k <= 19 && rest >> field; ++k) {
        }
        nices.push_back(std::stoi(field));  // field 19: nice
      }
      if (nices.size() < n) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return nices;
  };
  for (const int by : {7, 0}) {
    scene::Scene s(gis::SceneFrame::jiangxi());
    scene::LoadOptions opt;
    opt.height_attribute = "height";
    scene::StreamOptions so;
    so.threads = 2;
    so.worker_nice = by;
    auto st = scene::LayerStream::start(s, file.string(), "", opt, so);
    ASSERT_TRUE(st) << st.error().message;
    const std::vector<int> nices = worker_nices(2);
    ASSERT_EQ(nices.size(), 2u) << "worker_nice " << by;
    for (int n : nices) EXPECT_EQ(n, std::min(19, mine + by)) << "worker_nice " << by;
    (*st)->finish(s);
  }
}

// PostGIS (GiST index): the tiles come by spatial query from the database as from a GeoPackage,
// nearest first, and the layer ends with exactly the features of the table. The server is the
// test's own (tests/support/pg_server.h); the table is the GeoPackage fixture copied with its FIDs.
TEST(StreamPostgis, ATableStreamsByTileNearestFirstAndEndsWithExactlyItsFeatures) {
  auto pg = parktwin::testing::PgServer::start("stream");
  ASSERT_TRUE(pg) << pg.error().message;
  const fs::path gpkg = out_dir() / "postgis_source.gpkg";
  write_fixture("GPKG", gpkg, 1500);
  auto loaded = (*pg)->load(gpkg.string(), {"footprints"});
  ASSERT_TRUE(loaded) << loaded.error().message;
  auto index = (*pg)->query("SELECT indexdef FROM pg_indexes WHERE tablename = 'footprints'");
  ASSERT_TRUE(index) << index.error().message;
  EXPECT_NE(index->find("USING gist"), std::string::npos) << *index;
  const std::string conn = (*pg)->connection();

  // Read by spatial query, not in one pass.
  scene::Scene probe(gis::SceneFrame::jiangxi());
  auto reader = gis::TiledLayerReader::open(conn, "footprints", probe.frame().definition(), {});
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_TRUE((*reader)->indexed());

  // The one-shot load of the same table, and of the GeoPackage it came from.
  std::unique_ptr<scene::Scene> a, b, c;
  const Summary table = load_whole(conn, a);
  const Summary file = load_whole(gpkg, b);
  EXPECT_EQ(table.by_fid.size(), file.by_fid.size());
  EXPECT_EQ(table.height, file.height);

  scene::StreamProgress p;
  scene::StreamOptions so;
  so.threads = 2;
  const Summary streamed = stream_whole(conn, so, c, &p);
  expect_same_layer(table, streamed);
  EXPECT_TRUE(p.finished);
  EXPECT_GE(p.tiles_done, 9u);
  EXPECT_EQ(c->layers[0].id, a->layers[0].id);

  scene::Scene s(gis::SceneFrame::jiangxi());
  expect_nearest_tile_first(s, conn, {116.04, 28.62});  // the grid's south-east part
}
