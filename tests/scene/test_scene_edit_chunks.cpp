// scene::update_features: an edited feature rebuilds only the chunks it was in and is in now, and
// each rebuilt chunk equals what a fresh load builds from the same data edited in the GeoPackage
// through OGR (an independent route). Slots of Scene::buildings stay stable; new features get a
// slot and a style; deleted ones are hidden and leave their chunk.
#include <algorithm>
#include <cmath>
#include <map>

#include <gtest/gtest.h>

#include "edited_dataset.h"
#include "scene_test_support.h"

using namespace parktwin;
using namespace parktwin::scene;
using parktwin::scene::testing::default_dataset_path;
using parktwin::scene::testing::load_default_scene;
using parktwin::test::moved;

namespace {

std::string scratch(const std::string& name) {
  return std::string(PARKTWIN_TEST_OUT) + "/scene_edit_chunks/" + name + ".gpkg";
}

glm::dvec2 box_mid(const gis::Feature& f) {
  glm::dvec2 lo(1e300), hi(-1e300);
  for (const auto& p : f.geom.polygons)
    for (auto v : p.outer) lo = glm::min(lo, v), hi = glm::max(hi, v);
  return (lo + hi) * 0.5;
}

/// True when `m` lies more than 300 m inside its tile on every side.
bool well_inside_tile(glm::dvec2 m) {
  const glm::dvec2 in_tile = m - glm::floor(m / kTileSize) * kTileSize;
  return glm::all(glm::greaterThan(in_tile, glm::dvec2(300.0))) && glm::all(glm::lessThan(in_tile, glm::dvec2(kTileSize - 300.0)));
}

/// Revisions of every chunk of every layer, in order.
std::vector<uint64_t> revisions(const Scene& s) {
  std::vector<uint64_t> r;
  for (const Layer& l : s.layers) {
    for (const auto& c : l.ground) r.push_back(c.revision);
    for (const auto& c : l.building_chunks) r.push_back(c.revision);
  }
  return r;
}

template <typename Chunk>
const Chunk* chunk_of_tile(const std::vector<Chunk>& chunks, TileKey t) {
  for (const Chunk& c : chunks)
    if (c.tile == t) return &c;
  return nullptr;
}

/// fid of the feature a building vertex belongs to.
int64_t fid_of_building(const Scene& s, uint32_t building) {
  const Building& b = s.buildings.at(building);
  return s.layers.at(b.layer).data.features.at(b.feature).fid;
}

/// The two building chunks hold the same mesh: same indices, positions within 1 mm (the edited
/// copy went through lon/lat and back), the same features (by fid) at each vertex.
void expect_same_building_chunk(const Scene& a, const BuildingChunk& ca, const Scene& b, const BuildingChunk& cb) {
  ASSERT_EQ(ca.mesh.origin, cb.mesh.origin);
  ASSERT_EQ(ca.mesh.vertices.size(), cb.mesh.vertices.size());
  ASSERT_EQ(ca.mesh.indices, cb.mesh.indices);
  ASSERT_EQ(ca.mesh.edge_indices, cb.mesh.edge_indices);
  size_t bad = 0;
  for (size_t i = 0; i < ca.mesh.vertices.size(); ++i) {
    const auto& va = ca.mesh.vertices[i];
    const auto& vb = cb.mesh.vertices[i];
    if (std::abs(va.x - vb.x) > 1e-3f || std::abs(va.y - vb.y) > 1e-3f || va.top != vb.top ||
        std::abs(va.nx - vb.nx) > 3 || std::abs(va.ny - vb.ny) > 3 ||  // 16-bit normals: 1e-4
        fid_of_building(a, va.building) != fid_of_building(b, vb.building))
      ++bad;
  }
  EXPECT_EQ(bad, 0u) << "vertices differ";
  EXPECT_NEAR(ca.bmin.x, cb.bmin.x, 1e-3);
  EXPECT_NEAR(ca.bmin.y, cb.bmin.y, 1e-3);
  EXPECT_NEAR(ca.bmax.x, cb.bmax.x, 1e-3);
  EXPECT_NEAR(ca.bmax.y, cb.bmax.y, 1e-3);
  EXPECT_EQ(ca.max_height, cb.max_height);
  std::vector<int64_t> fa, fb;
  for (uint32_t f : ca.features) fa.push_back(a.layers[a.layer_index("buildings")].data.features[f].fid);
  for (uint32_t f : cb.features) fb.push_back(b.layers[b.layer_index("buildings")].data.features[f].fid);
  EXPECT_EQ(fa, fb);
}

struct Fixture {
  std::unique_ptr<Scene> scene;
  uint32_t layer = 0;
  Layer* bl = nullptr;
};

Fixture load() {
  Fixture f;
  f.scene = load_default_scene();
  if (!f.scene) return f;
  const int li = f.scene->layer_index("buildings");
  if (li < 0) return Fixture{};
  f.layer = static_cast<uint32_t>(li);
  f.bl = &f.scene->layers[f.layer];
  return f;
}

std::unique_ptr<Scene> load_file(const std::string& path) {
  auto s = std::make_unique<Scene>(gis::SceneFrame::jiangxi());
  auto r = load_default_dataset(*s, path);
  if (!r) {
    ADD_FAILURE() << path << ": " << r.error().message;
    return nullptr;
  }
  return s;
}

/// Triangles of building `slot` in a mesh.
size_t triangles_of(const gis::BuildingMesh& m, uint32_t slot) {
  size_t n = 0;
  for (size_t i = 0; i + 2 < m.indices.size(); i += 3)
    if (m.vertices[m.indices[i]].building == slot) ++n;
  return n;
}

}  // namespace

TEST(EditChunks, LoadIndexesChunkMembers) {
  Fixture fx = load();
  ASSERT_TRUE(fx.bl);
  const Layer& l = *fx.bl;
  ASSERT_EQ(l.feature_chunk.size(), l.data.features.size());
  ASSERT_EQ(l.feature_building.size(), l.data.features.size());
  size_t members = 0;
  for (size_t c = 0; c < l.building_chunks.size(); ++c) {
    const BuildingChunk& ch = l.building_chunks[c];
    EXPECT_TRUE(std::is_sorted(ch.features.begin(), ch.features.end()));
    members += ch.features.size();
    for (uint32_t f : ch.features) {
      EXPECT_EQ(l.feature_chunk[f], static_cast<int32_t>(c));
      EXPECT_EQ(tile_of(box_mid(l.data.features[f])), ch.tile);
    }
  }
  EXPECT_EQ(members, fx.scene->buildings.size());
  for (size_t i = 0; i < fx.scene->buildings.size(); ++i)
    EXPECT_EQ(l.feature_building[fx.scene->buildings[i].feature], static_cast<int32_t>(i));
}

TEST(EditChunks, MovedBuildingRebuildsOnlyItsChunkAsAFreshLoadWould) {
  Fixture fx = load();
  ASSERT_TRUE(fx.bl);
  Scene& s = *fx.scene;
  Layer& l = *fx.bl;
  // A building well inside its tile and in a chunk with many others.
  size_t f = SIZE_MAX;
  for (size_t i = 0; i < l.data.features.size() && f == SIZE_MAX; ++i) {
    if (l.feature_chunk[i] < 0 || l.building_chunks[l.feature_chunk[i]].features.size() < 20 ||
        l.data.features[i].geom.polygons.size() != 1)
      continue;
    if (well_inside_tile(box_mid(l.data.features[i]))) f = i;
  }
  ASSERT_NE(f, SIZE_MAX);
  const int32_t chunk = l.feature_chunk[f];
  const int32_t slot = l.feature_building[f];
  const size_t n_buildings = s.buildings.size();
  const glm::dvec2 c0 = s.buildings[slot].centroid;
  const std::vector<uint64_t> before = revisions(s);
  const uint64_t style_rev = s.style_revision;

  const glm::dvec2 d(23.5, -17.25);
  l.data.features[f].geom.polygons[0] = moved(l.data.features[f].geom.polygons[0], d);
  const GeometryUpdate u = update_features(s, fx.layer, {f});
  EXPECT_EQ(u.chunks_rebuilt, 1u);
  EXPECT_EQ(u.buildings_added, 0u);
  EXPECT_EQ(s.buildings.size(), n_buildings);
  EXPECT_EQ(l.feature_chunk[f], chunk);
  EXPECT_EQ(l.feature_building[f], slot);
  EXPECT_NEAR(glm::length(s.buildings[slot].centroid - (c0 + d)), 0.0, 1e-9);
  EXPECT_GT(s.style_revision, style_rev);
  // Only that chunk's revision changed, to the scene's geometry revision.
  const std::vector<uint64_t> after = revisions(s);
  ASSERT_EQ(after.size(), before.size());
  size_t changed = 0;
  for (size_t i = 0; i < after.size(); ++i) changed += after[i] != before[i];
  EXPECT_EQ(changed, 1u);
  EXPECT_EQ(l.building_chunks[chunk].revision, s.geometry_revision);

  // The independent route: the same move written into a copy of the GeoPackage, loaded fresh.
  test::EditedGpkg copy(default_dataset_path(), scratch("move"), s.frame());
  ASSERT_TRUE(copy.set_polygon("buildings", l.data.features[f].fid, l.data.features[f].geom.polygons[0])) << copy.error;
  auto fresh = load_file(copy.path);
  ASSERT_TRUE(fresh);
  const Layer& fl = fresh->layers[fresh->layer_index("buildings")];
  ASSERT_EQ(fl.building_chunks.size(), l.building_chunks.size());
  for (const BuildingChunk& c : l.building_chunks) {
    const BuildingChunk* other = chunk_of_tile(fl.building_chunks, c.tile);
    ASSERT_TRUE(other) << "tile " << c.tile.x << "," << c.tile.y;
    expect_same_building_chunk(s, c, *fresh, *other);
  }
  // Same record for the moved building.
  const Building& fb = fresh->buildings[fl.feature_building[f]];
  EXPECT_EQ(fb.height_m, s.buildings[slot].height_m);
  EXPECT_EQ(fb.kind, s.buildings[slot].kind);
  EXPECT_EQ(fb.enterprise, s.buildings[slot].enterprise);
  EXPECT_NEAR(glm::length(fb.centroid - s.buildings[slot].centroid), 0.0, 1e-3);
}

TEST(EditChunks, BuildingMovedAcrossATileBoundaryChangesChunk) {
  Fixture fx = load();
  ASSERT_TRUE(fx.bl);
  Scene& s = *fx.scene;
  Layer& l = *fx.bl;
  // The building nearest to a vertical tile boundary, moved 40 m past it.
  size_t f = SIZE_MAX;
  double best = 1e300, dx = 0.0;
  for (size_t i = 0; i < l.data.features.size(); ++i) {
    if (l.feature_building[i] < 0 || l.data.features[i].geom.polygons.size() != 1) continue;
    const glm::dvec2 m = box_mid(l.data.features[i]);
    const double left = m.x - std::floor(m.x / kTileSize) * kTileSize, right = kTileSize - left;
    if (std::min(left, right) < best) {
      best = std::min(left, right);
      f = i;
      dx = left < right ? -(left + 40.0) : right + 40.0;
    }
  }
  ASSERT_NE(f, SIZE_MAX);
  ASSERT_LT(best, 1000.0);
  const int32_t old_chunk = l.feature_chunk[f];
  const uint32_t slot = static_cast<uint32_t>(l.feature_building[f]);
  const TileKey old_tile = l.building_chunks[old_chunk].tile;
  const size_t old_tris = l.building_chunks[old_chunk].mesh.indices.size() / 3;
  const size_t own_tris = triangles_of(l.building_chunks[old_chunk].mesh, slot);
  ASSERT_GT(own_tris, 0u);

  l.data.features[f].geom.polygons[0] = moved(l.data.features[f].geom.polygons[0], {dx, 0.0});
  const GeometryUpdate u = update_features(s, fx.layer, {f});
  EXPECT_EQ(u.chunks_rebuilt, 2u);
  const int32_t new_chunk = l.feature_chunk[f];
  ASSERT_GE(new_chunk, 0);
  ASSERT_NE(new_chunk, old_chunk);
  const BuildingChunk& oc = l.building_chunks[old_chunk];
  const BuildingChunk& nc = l.building_chunks[new_chunk];
  EXPECT_EQ(oc.tile, old_tile);
  EXPECT_EQ(nc.tile, tile_of(box_mid(l.data.features[f])));
  EXPECT_FALSE(std::binary_search(oc.features.begin(), oc.features.end(), static_cast<uint32_t>(f)));
  EXPECT_TRUE(std::binary_search(nc.features.begin(), nc.features.end(), static_cast<uint32_t>(f)));
  EXPECT_EQ(triangles_of(oc.mesh, slot), 0u);
  EXPECT_EQ(triangles_of(nc.mesh, slot), own_tris);
  EXPECT_EQ(oc.mesh.indices.size() / 3, old_tris - own_tris);
  EXPECT_EQ(oc.revision, s.geometry_revision);
  EXPECT_EQ(nc.revision, s.geometry_revision);

  test::EditedGpkg copy(default_dataset_path(), scratch("cross"), s.frame());
  ASSERT_TRUE(copy.set_polygon("buildings", l.data.features[f].fid, l.data.features[f].geom.polygons[0])) << copy.error;
  auto fresh = load_file(copy.path);
  ASSERT_TRUE(fresh);
  const Layer& fl = fresh->layers[fresh->layer_index("buildings")];
  for (const BuildingChunk* c : {&oc, &nc}) {
    const BuildingChunk* other = chunk_of_tile(fl.building_chunks, c->tile);
    ASSERT_TRUE(other);
    expect_same_building_chunk(s, *c, *fresh, *other);
  }
}

TEST(EditChunks, AddedFeatureGetsANewSlotAndAStyle) {
  Fixture fx = load();
  ASSERT_TRUE(fx.bl);
  Scene& s = *fx.scene;
  Layer& l = *fx.bl;
  size_t like = s.buildings[s.buildings.size() / 2].feature;
  while (l.data.features[like].geom.polygons.size() != 1 || l.feature_building[like] < 0) ++like;
  const uint32_t like_slot = static_cast<uint32_t>(l.feature_building[like]);
  int64_t max_fid = 0;
  for (const auto& f : l.data.features) max_fid = std::max(max_fid, f.fid);
  gis::Feature nf = l.data.features[like];
  nf.fid = max_fid + 1;
  nf.geom.polygons = {moved(nf.geom.polygons[0], {0.0, 70.0})};
  l.data.features.push_back(nf);
  const size_t fi = l.data.features.size() - 1;
  const size_t n = s.buildings.size();

  const GeometryUpdate u = update_features(s, fx.layer, {fi});
  EXPECT_EQ(u.buildings_added, 1u);
  ASSERT_EQ(s.buildings.size(), n + 1);
  ASSERT_EQ(s.styles.size(), n + 1);
  ASSERT_EQ(l.feature_building[fi], static_cast<int32_t>(n));
  EXPECT_EQ(s.buildings[n].feature, fi);
  // Same attributes as the building it copies: the same style, shown.
  EXPECT_EQ(s.styles[n].height, s.styles[like_slot].height);
  EXPECT_EQ(s.styles[n].rgba, s.styles[like_slot].rgba);
  EXPECT_EQ(s.styles[n].flags & kFlagHidden, 0u);
  const BuildingChunk& c = l.building_chunks[l.feature_chunk[fi]];
  EXPECT_EQ(triangles_of(c.mesh, static_cast<uint32_t>(n)), triangles_of(l.building_chunks[l.feature_chunk[like]].mesh, like_slot));
  // restyle_buildings gave what a full restyle gives.
  const auto partial = parktwin::scene::testing::style_bytes(s);
  s.restyle();
  EXPECT_EQ(parktwin::scene::testing::style_bytes(s), partial);

  test::EditedGpkg copy(default_dataset_path(), scratch("add"), s.frame());
  ASSERT_TRUE(copy.add_like("buildings", l.data.features[like].fid, nf.fid, nf.geom.polygons[0])) << copy.error;
  auto fresh = load_file(copy.path);
  ASSERT_TRUE(fresh);
  const Layer& fl = fresh->layers[fresh->layer_index("buildings")];
  ASSERT_EQ(fresh->buildings.size(), s.buildings.size());
  const BuildingChunk* other = chunk_of_tile(fl.building_chunks, c.tile);
  ASSERT_TRUE(other);
  expect_same_building_chunk(s, c, *fresh, *other);
}

TEST(EditChunks, DeletedFeatureIsHiddenAndLeavesItsChunk) {
  Fixture fx = load();
  ASSERT_TRUE(fx.bl);
  Scene& s = *fx.scene;
  Layer& l = *fx.bl;
  const uint32_t slot = static_cast<uint32_t>(s.buildings.size() / 3);
  const size_t f = s.buildings[slot].feature;
  const int32_t chunk = l.feature_chunk[f];
  const size_t tris = l.building_chunks[chunk].mesh.indices.size() / 3;
  const size_t own = triangles_of(l.building_chunks[chunk].mesh, slot);
  ASSERT_GT(own, 0u);
  const size_t n = s.buildings.size();

  l.data.features[f].geom.polygons.clear();  // the edit session's tombstone
  const GeometryUpdate u = update_features(s, fx.layer, {f});
  EXPECT_EQ(u.chunks_rebuilt, 1u);
  EXPECT_EQ(s.buildings.size(), n);
  EXPECT_EQ(l.feature_building[f], static_cast<int32_t>(slot));
  EXPECT_EQ(l.feature_chunk[f], -1);
  EXPECT_NE(s.styles[slot].flags & kFlagHidden, 0u);
  const BuildingChunk& c = l.building_chunks[chunk];
  EXPECT_EQ(triangles_of(c.mesh, slot), 0u);
  EXPECT_EQ(c.mesh.indices.size() / 3, tris - own);
  // A restyle keeps it hidden.
  s.restyle();
  EXPECT_NE(s.styles[slot].flags & kFlagHidden, 0u);

  test::EditedGpkg copy(default_dataset_path(), scratch("delete"), s.frame());
  ASSERT_TRUE(copy.remove("buildings", l.data.features[f].fid)) << copy.error;
  auto fresh = load_file(copy.path);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->buildings.size(), n - 1);
  const BuildingChunk* other = chunk_of_tile(fresh->layers[fresh->layer_index("buildings")].building_chunks, c.tile);
  ASSERT_TRUE(other);
  expect_same_building_chunk(s, c, *fresh, *other);

  // Undoing the delete brings it back in the same slot.
  auto ref = load_default_scene();
  ASSERT_TRUE(ref);
  l.data.features[f].geom = ref->layers[fx.layer].data.features[f].geom;
  update_features(s, fx.layer, {f});
  EXPECT_EQ(s.styles[slot].flags & kFlagHidden, 0u);
  EXPECT_EQ(triangles_of(l.building_chunks[chunk].mesh, slot), own);
}

TEST(EditChunks, MovedParcelRebuildsItsGroundChunk) {
  Fixture fx = load();
  ASSERT_TRUE(fx.bl);
  Scene& s = *fx.scene;
  const int pi = s.layer_index("parcels");
  ASSERT_GE(pi, 0);
  Layer& pl = s.layers[static_cast<size_t>(pi)];
  size_t f = SIZE_MAX;
  for (size_t i = 0; i < pl.data.features.size() && f == SIZE_MAX; ++i) {
    if (pl.feature_chunk[i] < 0 || pl.data.features[i].geom.polygons.size() != 1) continue;
    if (well_inside_tile(box_mid(pl.data.features[i]))) f = i;
  }
  ASSERT_NE(f, SIZE_MAX);
  const int32_t chunk = pl.feature_chunk[f];
  const std::vector<uint64_t> before = revisions(s);
  for (auto& p : pl.data.features[f].geom.polygons) p = moved(p, {12.0, 9.0});
  const GeometryUpdate u = update_features(s, static_cast<uint32_t>(pi), {f});
  EXPECT_EQ(u.chunks_rebuilt, 1u);
  EXPECT_TRUE(u.buildings_changed.empty());
  const std::vector<uint64_t> after = revisions(s);
  size_t changed = 0;
  for (size_t i = 0; i < after.size(); ++i) changed += after[i] != before[i];
  EXPECT_EQ(changed, 1u);

  test::EditedGpkg copy(default_dataset_path(), scratch("parcel"), s.frame());
  ASSERT_TRUE(copy.set_polygon("parcels", pl.data.features[f].fid, pl.data.features[f].geom.polygons[0])) << copy.error;
  auto fresh = load_file(copy.path);
  ASSERT_TRUE(fresh);
  const GroundChunk& c = pl.ground[chunk];
  const GroundChunk* o = chunk_of_tile(fresh->layers[static_cast<size_t>(pi)].ground, c.tile);
  ASSERT_TRUE(o);
  for (auto [a, b] : {std::pair{&c.fill, &o->fill}, std::pair{&c.lines, &o->lines}}) {
    ASSERT_EQ(a->indices, b->indices);
    ASSERT_EQ(a->vertices.size(), b->vertices.size());
    size_t bad = 0;
    for (size_t i = 0; i < a->vertices.size(); ++i)
      if (std::abs(a->vertices[i].x - b->vertices[i].x) > 1e-3f || std::abs(a->vertices[i].y - b->vertices[i].y) > 1e-3f ||
          a->vertices[i].rgba != b->vertices[i].rgba || a->vertices[i].feature != b->vertices[i].feature)
        ++bad;
    EXPECT_EQ(bad, 0u);
  }
  EXPECT_EQ(c.features, o->features);
}

TEST(EditChunks, UnknownIndicesAndSitesChangeNothing) {
  Fixture fx = load();
  ASSERT_TRUE(fx.bl);
  Scene& s = *fx.scene;
  const uint64_t g = s.geometry_revision;
  EXPECT_EQ(update_features(s, fx.layer, {fx.bl->data.features.size() + 5}).chunks_rebuilt, 0u);
  EXPECT_EQ(update_features(s, 999, {0}).chunks_rebuilt, 0u);
  const int ei = s.layer_index("enterprises");
  ASSERT_GE(ei, 0);
  EXPECT_EQ(update_features(s, static_cast<uint32_t>(ei), {0}).chunks_rebuilt, 0u);
  EXPECT_EQ(s.geometry_revision, g);
}
