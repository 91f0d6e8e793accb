// Head start of a big GeoJSON (StreamOptions::head_start_bytes): the first batch is read from a
// copy of the file's head while the whole file is parsed, and the layer still ends with exactly the
// features of the source. Checked against the one-shot load (add_user_layers) of the same file,
// feature by feature (FID, geometry, attributes), field by field and building by building, for a
// file whose head agrees with the whole, for files whose whole disagrees with the head (an integer
// field that later holds reals, a field first seen further on, a "crs" member after the features),
// and for a file damaged after its head. (Ids that stop being unique or numeric further on do not
// make GDAL renumber the features before them: the head's FIDs are the whole file's.)
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <tuple>

#include <cpl_error.h>

#include "parktwin/gis/tiled_reader.h"
#include "parktwin/scene/scene.h"
#include "parktwin/scene/stream.h"

namespace fs = std::filesystem;
using namespace parktwin;

namespace {

fs::path out_dir() {
  fs::path d = fs::path(PARKTWIN_TEST_OUT) / "stream_head";
  fs::create_directories(d);
  return d;
}

/// How a generated FeatureCollection varies from feature to feature.
struct Collection {
  int n = 3000;
  std::string before = "\"type\":\"FeatureCollection\",\"name\":\"footprints\",";  // members before "features"
  std::string after;                                                          // members after it
  std::function<std::string(int)> id = [](int) { return std::string(); };   // the Feature's "id" member
  /// Feature i's geometry other than its footprint ("" for the footprint).
  std::function<std::string(int, double, double)> other = [](int, double, double) { return std::string(); };
  std::function<std::string(int)> props = [](int i) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "\"height\":%.1f,\"name\":\"b%d\"", 10.0 + (i * 37) % 110 + 0.5, i);
    return std::string(buf);
  };
};

/// A FeatureCollection of `c.n` footprints 300 m apart on a grid of 50 columns (several 4 km tiles).
std::string collection_text(const Collection& c) {
  std::string out = "{" + c.before + "\"features\":[\n";
  for (int i = 0; i < c.n; ++i) {
    const double lon = 115.90 + 0.003 * (i % 50), lat = 28.60 + 0.003 * (i / 50), d = 0.0002 + 0.00001 * (i % 7);
    char geom[400];
    std::snprintf(geom, sizeof geom,
                  "{\"type\":\"Polygon\",\"coordinates\":[[[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f]]]}",
                  lon, lat, lon + d, lat, lon + d, lat + d, lon, lat + d, lon, lat);
    if (const std::string o = c.other(i, lon, lat); !o.empty()) std::snprintf(geom, sizeof geom, "%s", o.c_str());
    const std::string id = c.id(i);
    out += std::string(i ? ",\n" : "") + "{\"type\":\"Feature\"," + (id.empty() ? "" : "\"id\":" + id + ",") +
           "\"properties\":{" + c.props(i) + "},\"geometry\":" + geom + "}";
  }
  out += "\n]" + std::string(c.after.empty() ? "" : "," + c.after) + "}\n";
  return out;
}

fs::path write_text(const std::string& name, const std::string& text) {
  const fs::path p = out_dir() / name;
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  return p;
}

scene::StreamOptions head_options(bool head, const fs::path& cache = {}) {
  scene::StreamOptions so;
  so.cache_dir = cache.string();
  so.threads = 2;
  so.extent_first = false;
  so.one_pass_first = 100;
  so.one_pass_batch = 400;
  so.head_start_bytes = head ? 1 : 0;  // any size: the fixtures are small
  return so;
}

scene::LoadOptions load_options() {
  scene::LoadOptions opt;
  opt.height_attribute = "height";
  return opt;
}

struct Streamed {
  std::unique_ptr<scene::Scene> scene;
  scene::StreamProgress progress;
  uint32_t layer = 0;
};

Streamed stream(const fs::path& file, bool head, const fs::path& cache = {}) {
  Streamed s;
  s.scene = std::make_unique<scene::Scene>(gis::SceneFrame::jiangxi());
  auto st = scene::LayerStream::start(*s.scene, file.string(), "", load_options(), head_options(head, cache));
  EXPECT_TRUE(st) << (st ? "" : st.error().message);
  if (!st) return s;
  (*st)->finish(*s.scene);
  s.progress = (*st)->progress();
  s.layer = (*st)->layer_index();
  return s;
}

/// The streamed layer against the one-shot load of the same file: names, fields, features,
/// buildings; and the lines and points of a file that mixes them with its footprints (a layer of
/// each, with the same features).
void expect_as_loaded_whole(const fs::path& file, const Streamed& got) {
  scene::Scene whole(gis::SceneFrame::jiangxi());
  auto added = scene::add_user_layers(whole, file.string(), load_options());
  ASSERT_TRUE(added) << added.error().message;
  ASSERT_GE(whole.layers.size(), 1u);
  ASSERT_EQ(got.scene->layers.size(), whole.layers.size());
  for (size_t li = 1; li < whole.layers.size(); ++li) {
    const scene::Layer& w = whole.layers[li];
    const scene::Layer* g = nullptr;
    for (const scene::Layer& l : got.scene->layers) g = l.id == w.id ? &l : g;
    ASSERT_NE(g, nullptr) << "no streamed layer " << w.id;
    EXPECT_EQ(w.kind, g->kind) << w.id;
    EXPECT_EQ(w.title, g->title) << w.id;
    std::map<int64_t, const gis::Feature*> by_fid;
    for (const gis::Feature& f : g->data.features) by_fid[f.fid] = &f;
    ASSERT_EQ(by_fid.size(), w.data.features.size()) << w.id;
    for (const gis::Feature& f : w.data.features) {
      ASSERT_TRUE(by_fid.count(f.fid)) << w.id << " FID " << f.fid;
      EXPECT_EQ(f, *by_fid[f.fid]) << w.id << " FID " << f.fid;
    }
    EXPECT_EQ(w.markers.size(), g->markers.size()) << w.id;
    EXPECT_EQ(w.data.report.read, g->data.report.read) << w.id;
    EXPECT_EQ(w.data.report.kept, g->data.report.kept) << w.id;
    EXPECT_EQ(w.ground.empty(), g->ground.empty()) << w.id;
  }
  const scene::Layer& w = whole.layers[0];
  const scene::Layer& g = got.scene->layers.at(got.layer);
  EXPECT_EQ(w.id, g.id);
  EXPECT_EQ(w.title, g.title);
  EXPECT_EQ(w.data.name, g.data.name);
  EXPECT_EQ(w.data.fields, g.data.fields);
  EXPECT_EQ(w.data.field_types, g.data.field_types);
  EXPECT_EQ(w.data.crs, g.data.crs);
  std::map<int64_t, size_t> at;
  for (size_t i = 0; i < g.data.features.size(); ++i) at[g.data.features[i].fid] = i;
  ASSERT_EQ(at.size(), g.data.features.size()) << "a FID twice in the streamed layer";
  ASSERT_EQ(w.data.features.size(), g.data.features.size());
  for (size_t i = 0; i < w.data.features.size(); ++i) {
    const gis::Feature& f = w.data.features[i];
    auto it = at.find(f.fid);
    ASSERT_NE(it, at.end()) << "FID " << f.fid << " missing from the streamed layer";
    const gis::Feature& h = g.data.features[it->second];
    EXPECT_EQ(f.attrs, h.attrs) << f.fid;
    ASSERT_EQ(f.geom.polygons.size(), h.geom.polygons.size()) << f.fid;
    for (size_t p = 0; p < f.geom.polygons.size(); ++p) EXPECT_EQ(f.geom.polygons[p].outer, h.geom.polygons[p].outer) << f.fid;
    // Its building: visible, of the height the whole file gives.
    ASSERT_GE(w.feature_building[i], 0);
    ASSERT_GE(g.feature_building[it->second], 0) << f.fid;
    const auto ws = static_cast<size_t>(w.feature_building[i]), gs = static_cast<size_t>(g.feature_building[it->second]);
    EXPECT_EQ(whole.buildings[ws].height_m, got.scene->buildings[gs].height_m) << f.fid;
    EXPECT_EQ(got.scene->styles[gs].flags & scene::kFlagHidden, 0u) << f.fid;
  }
  size_t in_chunks = 0;
  for (const scene::BuildingChunk& c : g.building_chunks) in_chunks += c.features.size();
  EXPECT_EQ(in_chunks, g.data.features.size());
  EXPECT_EQ(w.data.report.read, g.data.report.read);
  EXPECT_EQ(w.data.report.kept, g.data.report.kept);
}

}  // namespace

TEST(StreamHead, ABigGeoJsonShowsItsHeadFirstAndEndsWithExactlyTheFeaturesOfTheSource) {
  Collection c;
  c.id = [](int i) { return std::to_string(5000 + i); };
  const fs::path file = write_text("agrees.geojson", collection_text(c));
  const fs::path cache = out_dir() / "cache_agrees";
  fs::remove_all(cache);
  const Streamed head = stream(file, true, cache);
  EXPECT_TRUE(head.progress.finished);
  EXPECT_TRUE(head.progress.error.empty()) << head.progress.error;
  EXPECT_EQ(head.progress.head_features, 100);  // the first batch, from the head
  EXPECT_EQ(head.progress.head_replaced, 0);    // the whole file agreed with it
  EXPECT_EQ(head.progress.features_expected, c.n);  // told once the whole file was open
  expect_as_loaded_whole(file, head);
  // The head's tiles went to the tile cache as the first batch's: a second start has every tile there.
  const Streamed again = stream(file, true, cache);
  EXPECT_EQ(again.progress.head_features, 0);
  EXPECT_GT(again.progress.tiles_done, 0u);
  EXPECT_EQ(again.progress.tiles_from_cache, again.progress.tiles_done);
  expect_as_loaded_whole(file, again);
  // Without it, the same layer (and nothing from a head).
  const Streamed plain = stream(file, false);
  EXPECT_EQ(plain.progress.head_features, 0);
  expect_as_loaded_whole(file, plain);
}

TEST(StreamHead, WhereTheWholeFileDisagreesWithTheHeadItsFeaturesReplaceTheHeads) {
  struct Case {
    const char* name;
    Collection c;
  };
  std::vector<Case> cases;
  {
    Case k{"wider_type.geojson", {}};  // heights are integers in the head, reals further on
    k.c.props = [](int i) { return "\"height\":" + std::to_string(12 + i % 40) + (i >= 1500 ? ".5" : "") + ",\"name\":\"b" + std::to_string(i) + "\""; };
    cases.push_back(k);
  }
  {
    Case k{"later_field.geojson", {}};  // a field first seen in feature 2000
    k.c.props = [](int i) { return "\"height\":" + std::to_string(12 + i % 40) + ".5" + (i == 2000 ? ",\"roof\":\"flat\"" : ""); };
    cases.push_back(k);
  }
  {
    Case k{"crs_after.geojson", {}};  // the file's CRS (CGCS2000) named after its features
    k.c.after = "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::4490\"}}";
    cases.push_back(k);
  }
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    const fs::path file = write_text(k.name, collection_text(k.c));
    const fs::path cache = out_dir() / ("cache_" + fs::path(k.name).stem().string());
    fs::remove_all(cache);
    const Streamed s = stream(file, true, cache);
    EXPECT_TRUE(s.progress.finished);
    EXPECT_TRUE(s.progress.error.empty()) << s.progress.error;
    EXPECT_EQ(s.progress.head_features, 100);
    EXPECT_EQ(s.progress.head_replaced, 100);  // every one of the head's, by the whole file's
    expect_as_loaded_whole(file, s);
    // The cache's first tiles had the head's features: no cache is kept, the next start reads the file.
    const Streamed again = stream(file, true, cache);
    EXPECT_EQ(again.progress.tiles_from_cache, 0u);
    expect_as_loaded_whole(file, again);
  }
}

TEST(StreamHead, AFileWhoseLinesAndPointsComeAfterItsHeadEndsAsTheOneShotLoadSplitsIt) {
  // The head holds footprints only (so it streams as buildings); further on most features are
  // lines, some points. The one-shot load shows them as a layer of each beside the footprints.
  Collection c;
  c.other = [](int i, double lon, double lat) {
    char buf[200];
    if (i < 600 || i % 4 == 0) return std::string();
    if (i % 4 == 3) std::snprintf(buf, sizeof buf, "{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}", lon, lat);
    else std::snprintf(buf, sizeof buf, "{\"type\":\"LineString\",\"coordinates\":[[%.7f,%.7f],[%.7f,%.7f]]}", lon, lat, lon + 0.001, lat);
    return std::string(buf);
  };
  const fs::path file = write_text("mixed_after_head.geojson", collection_text(c));
  const fs::path cache = out_dir() / "cache_mixed";
  fs::remove_all(cache);
  const Streamed s = stream(file, true, cache);
  EXPECT_TRUE(s.progress.finished);
  EXPECT_TRUE(s.progress.error.empty()) << s.progress.error;
  EXPECT_EQ(s.progress.head_features, 100);
  ASSERT_EQ(s.scene->layers.size(), 3u);
  bool said = false;
  for (const std::string& w : s.scene->warnings) said = said || w.find("mixes geometries") != std::string::npos;
  EXPECT_TRUE(said);
  expect_as_loaded_whole(file, s);
  const Streamed plain = stream(file, false);  // not from its head: the same
  EXPECT_EQ(plain.progress.head_features, 0);
  expect_as_loaded_whole(file, plain);
}

TEST(StreamHead, ANameAfterTheFeaturesNamesTheStreamedLayer) {
  Collection c;
  c.before = "\"type\":\"FeatureCollection\",";
  c.after = "\"name\":\"footprints_late\"";
  const fs::path file = write_text("name_after.geojson", collection_text(c));
  const Streamed s = stream(file, true);
  EXPECT_TRUE(s.progress.finished);
  EXPECT_EQ(s.progress.head_features, 100);
  expect_as_loaded_whole(file, s);
  EXPECT_EQ(s.scene->layers.at(s.layer).data.name, "footprints_late");
}

TEST(StreamHead, AFitViewTakesTheWholeFilesExtentFromAScanAndStillStartsFromTheHead) {
  // StreamOptions::extent_first (the "fit" view): the extent is known at start, as GDAL's forced
  // extent of the whole file gives it, without GDAL's parse of every feature first.
  Collection plain;
  Collection crs_after;
  crs_after.after = "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::4490\"}}";
  for (const auto& [name, c, from_head] : {std::tuple{"fit.geojson", plain, true}, std::tuple{"fit_crs_after.geojson", crs_after, false}}) {
    SCOPED_TRACE(name);
    const fs::path file = write_text(name, collection_text(c));
    scene::Scene probe(gis::SceneFrame::jiangxi());
    auto whole = gis::TiledLayerReader::open(file.string(), "", probe.frame().definition(), {});
    ASSERT_TRUE(whole) << whole.error().message;
    const auto want = (*whole)->extent(true);
    ASSERT_TRUE(want.has_value());

    Streamed s;
    s.scene = std::make_unique<scene::Scene>(gis::SceneFrame::jiangxi());
    scene::StreamOptions so = head_options(true);
    so.extent_first = true;
    auto st = scene::LayerStream::start(*s.scene, file.string(), "", load_options(), so);
    ASSERT_TRUE(st) << st.error().message;
    const auto got = (*st)->extent();  // at start, before any tile
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->first, want->first);
    EXPECT_EQ(got->second, want->second);
    (*st)->finish(*s.scene);
    s.progress = (*st)->progress();
    s.layer = (*st)->layer_index();
    // From the head where the scan could say; a CRS named after the features leaves it to GDAL.
    EXPECT_EQ(s.progress.head_features, from_head ? 100 : 0);
    expect_as_loaded_whole(file, s);
  }
}

TEST(StreamHead, AFileDamagedAfterItsHeadKeepsTheHeadShownAndSaysSo) {
  Collection c;
  std::string text = collection_text(c);
  const std::string good = text;
  text.resize(text.size() * 2 / 3);  // cut in the middle of the features
  const fs::path file = write_text("damaged.geojson", text);
  // Without the head, the stream cannot start (GDAL cannot parse the file).
  {
    scene::Scene s(gis::SceneFrame::jiangxi());
    EXPECT_FALSE(scene::LayerStream::start(s, file.string(), "", load_options(), head_options(false)));
  }
  const Streamed s = stream(file, true);
  EXPECT_TRUE(s.progress.finished);  // it ends: no wait for tiles that cannot come
  ASSERT_FALSE(s.progress.error.empty());
  bool said = false;
  for (const std::string& w : s.scene->warnings)
    said |= w.find(file.string()) != std::string::npos && w.find("first 100 features") != std::string::npos &&
            w.find("stay shown") != std::string::npos;
  EXPECT_TRUE(said);
  // What stays is the first 100 features of the file, as a whole load of the undamaged file has them.
  scene::Scene whole(gis::SceneFrame::jiangxi());
  ASSERT_TRUE(scene::add_user_layers(whole, write_text("undamaged.geojson", good).string(), load_options()));
  const scene::Layer& g = s.scene->layers.at(s.layer);
  ASSERT_EQ(g.data.features.size(), 100u);
  std::map<int64_t, const gis::Feature*> by_fid;
  for (const gis::Feature& f : g.data.features) by_fid[f.fid] = &f;
  for (size_t i = 0; i < 100; ++i) {
    const gis::Feature& w = whole.layers[0].data.features[i];
    ASSERT_TRUE(by_fid.count(w.fid)) << w.fid;
    EXPECT_EQ(by_fid[w.fid]->attrs, w.attrs);
    EXPECT_EQ(by_fid[w.fid]->geom.polygons.at(0).outer, w.geom.polygons.at(0).outer);
  }
}

TEST(StreamHead, OnlyABigEnoughGeoJsonWithEnoughFeaturesHasAHead) {
  Collection c;
  c.n = 300;
  const fs::path file = write_text("small.geojson", collection_text(c));
  const std::string frame = gis::SceneFrame::jiangxi().definition();
  const auto size = fs::file_size(file);
  EXPECT_NE(gis::TiledLayerReader::open_head(file.string(), "", frame, {}, 100, size), nullptr);
  EXPECT_EQ(gis::TiledLayerReader::open_head(file.string(), "", frame, {}, 100, size + 1), nullptr);  // too small
  EXPECT_EQ(gis::TiledLayerReader::open_head(file.string(), "", frame, {}, 300, 1), nullptr);  // not one whole head
  // The head reader holds exactly the first features of the file, named as the file names them.
  auto head = gis::TiledLayerReader::open_head(file.string(), "", frame, {}, 100, 1);
  ASSERT_NE(head, nullptr);
  auto d = head->read_all();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->features.size(), 100u);
  EXPECT_EQ(d->source, file.string());
  EXPECT_EQ(head->schema().name, "footprints");
  // Not GeoJSON: a CSV of the same size has no head.
  const fs::path csv = write_text("not.csv", std::string("id,height\n") + std::string(size, '1'));
  EXPECT_EQ(gis::TiledLayerReader::open_head(csv.string(), "", frame, {}, 100, 1), nullptr);
}

TEST(StreamHead, AReaderClosedOnAnotherThreadLeavesEachThreadsGdalMessagesAlone) {
  // The stream opens a reader (the head's, or the first worker's) on the caller's thread and reads
  // and closes it on a worker: the reader takes GDAL's messages only while it works, on the thread
  // it works on, and leaves each thread's own handler in place (it once left its handler on the
  // opening thread, pointing at a closed reader, and removed the worker's).
  Collection c;
  c.n = 300;
  const fs::path file = write_text("threads.geojson", collection_text(c));
  struct Seen {
    int n = 0;
  };
  const auto count = [](CPLErr, CPLErrorNum, const char*) { ++static_cast<Seen*>(CPLGetErrorHandlerUserData())->n; };
  Seen on_main, on_worker;
  CPLPushErrorHandlerEx(count, &on_main);
  auto opened = gis::TiledLayerReader::open(file.string(), "", gis::SceneFrame::jiangxi().definition(), {});
  ASSERT_TRUE(opened) << opened.error().message;
  std::unique_ptr<gis::TiledLayerReader> reader = std::move(*opened);
  std::thread worker([&] {
    CPLPushErrorHandlerEx(count, &on_worker);
    EXPECT_TRUE(reader->read_all());
    reader.reset();
    CPLError(CE_Warning, CPLE_AppDefined, "on the worker, after the reader");
    CPLPopErrorHandler();
  });
  worker.join();
  CPLError(CE_Warning, CPLE_AppDefined, "on the caller, after the reader");
  CPLPopErrorHandler();
  EXPECT_EQ(on_main.n, 1);
  EXPECT_EQ(on_worker.n, 1);
}
