// Levels of detail of building chunks: absent after loading, built for every chunk by
// build_building_lods (on worker threads), with the same buildings as the chunk's mesh; an edit
// empties the levels of the chunks it rebuilds and only those are built again; LodBuilder does the
// same on a worker and leaves alone a chunk edited while it ran.
#include <chrono>
#include <ctime>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "parktwin/gis/synthetic.h"
#include "parktwin/scene/lod_builder.h"
#include "parktwin/scene/scene.h"
#include "scene_test_support.h"

using namespace parktwin;
using namespace parktwin::scene;

namespace {

/// `n` synthetic footprints as a buildings layer around the origin (several 4 km tiles).
uint32_t add_synthetic(Scene& s, size_t n) { return scene::testing::add_synthetic_buildings(s, n, 21, "synthetic", false); }

std::set<uint32_t> buildings_of(const gis::BuildingMesh& m) {
  std::set<uint32_t> b;
  for (const uint32_t i : m.indices) b.insert(m.vertices[i].building);
  return b;
}

double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

}  // namespace

TEST(SceneLods, BuiltOnRequestForEveryChunk) {
  Scene s(gis::SceneFrame::jiangxi());
  const double t0 = cpu_ms();
  const uint32_t li = add_synthetic(s, 20000);  // 100 m plots: about 14 km across, 16 chunks
  const double t1 = cpu_ms();
  Layer& l = s.layers[li];
  ASSERT_GT(l.building_chunks.size(), 4u);
  for (const BuildingChunk& c : l.building_chunks) {
    EXPECT_TRUE(c.lods.empty());
    EXPECT_EQ(c.lods_revision, 0u);
  }
  const size_t built = build_building_lods(s, 2);
  const double t2 = cpu_ms();
  std::printf("[lod] scene, 20k synthetic: layer built in %.0f ms CPU, levels in %.0f ms CPU (2 threads)\n", t1 - t0, t2 - t1);
  EXPECT_EQ(built, l.building_chunks.size());
  size_t full = 0, coarse = 0;
  for (const BuildingChunk& c : l.building_chunks) {
    ASSERT_EQ(c.lods.size(), std::size(gis::kBuildingLodTolerances));
    EXPECT_EQ(c.lods_revision, c.revision);
    const std::set<uint32_t> all = buildings_of(c.mesh);
    double prev_error = 0.0;
    size_t prev = c.mesh.indices.size();
    for (const gis::BuildingLod& lod : c.lods) {
      EXPECT_GT(lod.error_m, prev_error);
      prev_error = lod.error_m;
      EXPECT_EQ(lod.mesh.origin, c.mesh.origin);
      EXPECT_EQ(buildings_of(lod.mesh), all);
      EXPECT_LT(lod.mesh.indices.size(), prev);
      prev = lod.mesh.indices.size();
    }
    full += c.mesh.indices.size();
    coarse += c.lods.back().mesh.indices.size();
  }
  EXPECT_LT(coarse, full * 7 / 10);
  EXPECT_EQ(build_building_lods(s, 2), 0u);  // nothing stale
}

TEST(SceneLods, EditEmptiesTheRebuiltChunksLevels) {
  Scene s(gis::SceneFrame::jiangxi());
  const uint32_t li = add_synthetic(s, 3000);
  build_building_lods(s, 1);
  Layer& l = s.layers[li];
  const size_t f = 1234;
  const auto ci = static_cast<size_t>(l.feature_chunk.at(f));
  for (glm::dvec2& p : l.data.features[f].geom.polygons[0].outer) p += glm::dvec2{3.0, 0.0};
  const GeometryUpdate up = update_features(s, li, {f});
  EXPECT_EQ(up.chunks_rebuilt, 1u);
  EXPECT_TRUE(l.building_chunks[ci].lods.empty());
  EXPECT_EQ(l.building_chunks[ci].lods_revision, 0u);
  for (size_t k = 0; k < l.building_chunks.size(); ++k) {
    if (k == ci) continue;
    EXPECT_EQ(l.building_chunks[k].lods.size(), std::size(gis::kBuildingLodTolerances));
  }
  EXPECT_EQ(build_building_lods(s, 1), 1u);
  const BuildingChunk& c = l.building_chunks[ci];
  EXPECT_EQ(c.lods_revision, c.revision);
  ASSERT_FALSE(c.lods.empty());
  EXPECT_EQ(buildings_of(c.lods.back().mesh), buildings_of(c.mesh));
  EXPECT_FALSE(build_chunk_lods(l.building_chunks[ci]));  // up to date
}

TEST(SceneLods, BuilderWorksOffTheLoopAndSkipsChunksEditedMeanwhile) {
  Scene s(gis::SceneFrame::jiangxi());
  const uint32_t li = add_synthetic(s, 3000);
  Layer& l = s.layers[li];
  ASSERT_GT(l.building_chunks.size(), 1u);
  LodBuilder b;
  ASSERT_TRUE(b.start(s));
  EXPECT_FALSE(b.start(s)) << "one pass at a time";
  // An edit while the worker runs on its copies: that chunk's levels would be stale.
  const size_t f = 77;
  const auto ci = static_cast<size_t>(l.feature_chunk.at(f));
  for (glm::dvec2& p : l.data.features[f].geom.polygons[0].outer) p += glm::dvec2{2.0, 1.0};
  ASSERT_EQ(update_features(s, li, {f}).chunks_rebuilt, 1u);
  const size_t got = b.finish(s);
  EXPECT_TRUE(b.last_error().empty()) << b.last_error();
  EXPECT_EQ(got, l.building_chunks.size() - 1);
  for (size_t k = 0; k < l.building_chunks.size(); ++k) {
    const BuildingChunk& c = l.building_chunks[k];
    if (k == ci) {
      EXPECT_TRUE(c.lods.empty()) << "the edited chunk keeps no levels of its old geometry";
      EXPECT_NE(c.lods_revision, c.revision);
      continue;
    }
    EXPECT_EQ(c.lods_revision, c.revision);
    ASSERT_EQ(c.lods.size(), std::size(gis::kBuildingLodTolerances));
    EXPECT_EQ(buildings_of(c.lods.back().mesh), buildings_of(c.mesh));
    // Laid out by the worker too, as a renderer would lay them out: the full mesh, and each level
    // in the full mesh's clusters.
    ASSERT_NE(c.prepared_clusters(), nullptr) << k;
    const gis::ClusteredMesh full = gis::cluster_building_mesh(c.mesh);
    EXPECT_TRUE(scene::testing::same_layout(*c.prepared_clusters(), full)) << k;
    for (size_t lv = 0; lv < c.lods.size(); ++lv) {
      ASSERT_NE(c.prepared_lod_clusters(lv), nullptr) << k << " level " << lv;
      EXPECT_TRUE(scene::testing::same_layout(*c.prepared_lod_clusters(lv), gis::cluster_like(c.lods[lv].mesh, full))) << k;
    }
  }
  EXPECT_EQ(l.building_chunks[ci].prepared_clusters(), nullptr) << "the edited chunk";
  EXPECT_EQ(l.building_chunks[ci].prepared_lod_clusters(0), nullptr);
  // The next pass builds only the edited chunk.
  ASSERT_TRUE(b.start(s));
  EXPECT_EQ(b.finish(s), 1u);
  EXPECT_EQ(l.building_chunks[ci].lods_revision, l.building_chunks[ci].revision);
  EXPECT_FALSE(b.start(s)) << "nothing left to build";
}

TEST(SceneLods, BuilderCopiesABatchAtATimeAndLevelsArriveAsTheyAreBuilt) {
  Scene s(gis::SceneFrame::jiangxi());
  const uint32_t li = add_synthetic(s, 3000);
  Layer& l = s.layers[li];
  size_t with_mesh = 0, last = 0;
  for (size_t k = 0; k < l.building_chunks.size(); ++k)
    if (!l.building_chunks[k].mesh.indices.empty()) ++with_mesh, last = k;
  ASSERT_GT(with_mesh, 2u);
  LodBuilder b(1);  // one chunk's copy at a time
  ASSERT_TRUE(b.start(s));
  // The last chunk is edited before its copy is made: its levels are built from the new mesh.
  size_t f = 0;
  while (f < l.feature_chunk.size() && (l.feature_chunk[f] != static_cast<int32_t>(last) || l.feature_building[f] < 0)) ++f;
  ASSERT_LT(f, l.feature_chunk.size());
  for (glm::dvec2& p : l.data.features[f].geom.polygons[0].outer) p += glm::dvec2{2.0, 1.0};
  ASSERT_EQ(update_features(s, li, {f}).chunks_rebuilt, 1u);

  size_t got = 0, collects_with_levels_before_the_end = 0;
  while (b.busy()) {
    const size_t n = b.collect(s);
    got += n;
    if (n > 0 && b.busy()) ++collects_with_levels_before_the_end;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(b.last_error().empty()) << b.last_error();
  EXPECT_EQ(got, with_mesh) << "every chunk, the edited one from its new mesh";
  EXPECT_GT(collects_with_levels_before_the_end, 1u) << "levels arrive chunk by chunk, not all at the end";
  for (const BuildingChunk& c : l.building_chunks) {
    if (c.mesh.indices.empty()) continue;
    EXPECT_EQ(c.lods_revision, c.revision);
    ASSERT_EQ(c.lods.size(), std::size(gis::kBuildingLodTolerances));
    EXPECT_EQ(buildings_of(c.lods.back().mesh), buildings_of(c.mesh));
    ASSERT_NE(c.prepared_lod_clusters(0), nullptr);
  }
  // The edited chunk's levels are those of its moved footprint (the old ones differ by 2 m).
  const BuildingChunk& e = l.building_chunks[last];
  const std::vector<gis::BuildingLod> direct = gis::building_lods(e.mesh, gis::kBuildingLodTolerances);
  ASSERT_EQ(direct.size(), e.lods.size());
  for (size_t lv = 0; lv < direct.size(); ++lv) {
    ASSERT_EQ(e.lods[lv].mesh.vertices.size(), direct[lv].mesh.vertices.size()) << lv;
    for (size_t i = 0; i < direct[lv].mesh.vertices.size(); ++i) {
      EXPECT_EQ(e.lods[lv].mesh.vertices[i].x, direct[lv].mesh.vertices[i].x) << lv << " " << i;
      EXPECT_EQ(e.lods[lv].mesh.vertices[i].y, direct[lv].mesh.vertices[i].y) << lv << " " << i;
    }
  }
  EXPECT_FALSE(b.start(s)) << "nothing left to build";
}
