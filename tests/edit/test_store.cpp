// Saving edits to a GeoPackage: what was saved is read back by other routes (gis::read_source,
// plain sqlite3) and compared with what the session holds; conflicts and refusals leave the file
// as it was.
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "parktwin/edit/store.h"
#include "store_fixture.h"

namespace parktwin::testing {
namespace {

namespace fs = std::filesystem;
using edit::kVersionField;

// Every feature the session holds is in the saved layer (within `tol` metres, same attributes);
// every feature the session deleted is not.
void expect_saved_as_session(const Loaded& session_side, const gis::LayerData& saved, const std::string& layer,
                             double tol = 1e-6) {
  const gis::LayerData& mine = session_side.layer(layer);
  for (const gis::Feature& f : mine.features) {
    const gis::Feature* back = find_feature(saved, f.fid);
    const edit::FeatureState st = session_side.session->feature(layer, f.fid);
    if (!st.exists) {
      EXPECT_EQ(back, nullptr) << layer << " fid " << f.fid << " was deleted in the session but is still stored";
      continue;
    }
    ASSERT_NE(back, nullptr) << layer << " fid " << f.fid << " is missing after the save";
    EXPECT_LE(max_vertex_gap(st.feature.geom, back->geom), tol) << layer << " fid " << f.fid;
    EXPECT_EQ(attr_differences(mine, st.feature, saved, *back, kVersionField), "") << layer << " fid " << f.fid;
  }
}

std::string version_of(const std::string& path, const std::string& table, int64_t fid) {
  const auto rows = sqlite_rows(path, "SELECT " + std::string(kVersionField) + " FROM " + table +
                                          " WHERE fid = " + std::to_string(fid));
  return rows.empty() ? "(no row)" : rows.front();
}

class StoreGpkg : public ::testing::Test {
 protected:
  gis::SceneFrame frame = gis::SceneFrame::jiangxi();
};

TEST_F(StoreGpkg, RoundTripWritesEditsAndLeavesTheRestAlone) {
  const std::string path = out_path("round_trip.gpkg");
  const std::string before = out_path("round_trip_before.gpkg");
  write_park_gpkg(path, frame);
  fs::copy_file(path, before);
  auto a = load_park(path, frame);
  ASSERT_TRUE(a);
  edit::EditSession& s = *a->session;

  const gis::Feature* b3 = find_feature(a->layer("buildings"), 3);
  ASSERT_NE(b3, nullptr);
  const glm::dvec2 corner = b3->geom.polygons.at(0).outer.at(0);
  ASSERT_TRUE(s.apply(edit::Move{"buildings", {1}, {5.0, 3.0}}));
  ASSERT_TRUE(s.apply(edit::MoveVertex{"buildings", {3, 0, 0, 0}, corner + glm::dvec2{-2.0, -1.5}}));
  ASSERT_TRUE(s.apply(edit::SetAttribute{"buildings", 4, "floors", int64_t{7}}));
  ASSERT_TRUE(s.apply(edit::SetAttribute{"parcels", 2, "landuse", std::string("logistics")}));
  const gis::Polygon added = ParkFixture::square(3, {150.0, 20.0}, 30.0);
  auto add = s.apply(edit::AddFeature{"buildings", added, {{"building_id", std::string("B-new")}, {"parcel_id", std::string("P03")}, {"floors", int64_t{2}}}});
  ASSERT_TRUE(add) << add.error().message;
  ASSERT_EQ(add->created.size(), 1u);
  const int64_t new_fid = add->created.front();
  auto del = s.apply(edit::DeleteFeatures{"buildings", {6}});
  ASSERT_TRUE(del) << del.error().message;
  ASSERT_TRUE(s.dirty());

  const auto t0 = std::chrono::steady_clock::now();
  auto r = edit::save_changes(s, path);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->conflicts.empty());
  EXPECT_EQ(r->written, 4);  // buildings 1, 3, 4 and parcel 2
  EXPECT_EQ(r->added, 1);
  EXPECT_EQ(r->deleted, 1);
  EXPECT_FALSE(s.dirty()) << "the saved state is the session's new base";
  std::cout << "[ saved ] " << r->summary << " (" << ms << " ms measured outside)\n";

  // Read back through the reader: everything the session holds, deleted ones gone.
  auto back = gis::read_source(path, frame, {.layers = {"parcels", "buildings"}});
  ASSERT_TRUE(back) << back.error().message;
  expect_saved_as_session(*a, (*back)[0], "parcels");
  expect_saved_as_session(*a, (*back)[1], "buildings");
  EXPECT_EQ((*back)[1].features.size(), static_cast<size_t>(ParkFixture::kBuildings));  // one added, one deleted

  // Versions through sqlite3: written features at 1, untouched ones without a version.
  for (int64_t fid : {int64_t{1}, int64_t{3}, int64_t{4}, new_fid}) EXPECT_EQ(version_of(path, "buildings", fid), "1") << fid;
  EXPECT_EQ(version_of(path, "parcels", 2), "1");
  EXPECT_EQ(version_of(path, "buildings", 2), "NULL");
  EXPECT_EQ(version_of(path, "buildings", 6), "(no row)");

  // Untouched rows are byte for byte what they were.
  const auto old_b = sqlite_table(before, "buildings");
  const auto new_b = sqlite_table(path, "buildings", kVersionField);
  const auto old_p = sqlite_table(before, "parcels");
  const auto new_p = sqlite_table(path, "parcels", kVersionField);
  for (int64_t fid : {2, 5, 7, 8, 9, 10, 11, 12}) EXPECT_EQ(new_b.at(fid), old_b.at(fid)) << "building " << fid;
  for (int64_t fid : {1, 3, 4, 5, 6}) EXPECT_EQ(new_p.at(fid), old_p.at(fid)) << "parcel " << fid;
  EXPECT_NE(new_b.at(1), old_b.at(1));

  EXPECT_EQ(sqlite_rows(path, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  EXPECT_EQ(sqlite_rows(path, "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
  // The GeoPackage's own bookkeeping follows: feature count and spatial index.
  EXPECT_EQ(sqlite_rows(path, "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'buildings'"),
            std::vector<std::string>{std::to_string(ParkFixture::kBuildings)});
  EXPECT_EQ(sqlite_rows(path, "SELECT count(*) FROM rtree_buildings_geom"),
            std::vector<std::string>{std::to_string(ParkFixture::kBuildings)});
}

TEST_F(StoreGpkg, SavingAgainBumpsTheVersionAgain) {
  const std::string path = out_path("twice.gpkg");
  write_park_gpkg(path, frame);
  auto a = load_park(path, frame);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->session->apply(edit::Move{"buildings", {1}, {2.0, 0.0}}));
  auto r1 = edit::save_changes(*a->session, path);
  ASSERT_TRUE(r1 && r1->saved()) << (r1 ? r1->summary : r1.error().message);
  ASSERT_TRUE(a->session->apply(edit::Move{"buildings", {1}, {0.0, 2.0}}));
  auto r2 = edit::save_changes(*a->session, path);
  ASSERT_TRUE(r2 && r2->saved()) << (r2 ? r2->summary : r2.error().message);
  EXPECT_EQ(version_of(path, "buildings", 1), "2");
  // A session loaded now sees the version the store wrote and saves on top of it.
  auto b = load_park(path, frame);
  ASSERT_TRUE(b);
  ASSERT_TRUE(b->session->apply(edit::Move{"buildings", {1}, {-1.0, 0.0}}));
  auto r3 = edit::save_changes(*b->session, path);
  ASSERT_TRUE(r3 && r3->saved()) << (r3 ? r3->summary : r3.error().message);
  EXPECT_EQ(version_of(path, "buildings", 1), "3");
  // Nothing to save is not an error and does not touch the file.
  const std::string bytes = file_bytes(path);
  auto r4 = edit::save_changes(*b->session, path);
  ASSERT_TRUE(r4) << r4.error().message;
  EXPECT_EQ(r4->written + r4->added + r4->deleted, 0);
  EXPECT_TRUE(file_bytes(path) == bytes) << "the file changed";
}

TEST_F(StoreGpkg, ConflictingSaveIsRefusedAndNothingIsLost) {
  const std::string path = out_path("conflict.gpkg");
  write_park_gpkg(path, frame);
  auto a = load_park(path, frame);
  auto b = load_park(path, frame);
  ASSERT_TRUE(a && b);
  const auto rows_at_load = sqlite_table(path, "buildings");

  ASSERT_TRUE(a->session->apply(edit::Move{"buildings", {1}, {4.0, 0.0}}));
  auto ra = edit::save_changes(*a->session, path);
  ASSERT_TRUE(ra && ra->saved()) << (ra ? ra->summary : ra.error().message);
  const auto rows_after_a = sqlite_table(path, "buildings");

  ASSERT_TRUE(b->session->apply(edit::Move{"buildings", {1, 2}, {0.0, -3.0}}));
  ASSERT_TRUE(b->session->apply(edit::SetAttribute{"buildings", 5, "floors", int64_t{9}}));
  const edit::FeatureState b1_before = b->session->feature("buildings", 1);
  auto rb = edit::save_changes(*b->session, path);
  ASSERT_TRUE(rb) << rb.error().message;
  ASSERT_EQ(rb->conflicts.size(), 1u) << rb->summary;
  const edit::SaveConflict& c = rb->conflicts.front();
  EXPECT_EQ(c.layer, "buildings");
  EXPECT_EQ(c.fid, 1);
  EXPECT_EQ(c.loaded_version, 0);
  EXPECT_EQ(c.found_version, std::optional<int64_t>(1));
  EXPECT_NE(c.message.find(ParkFixture::building_id(1)), std::string::npos) << c.message;
  EXPECT_NE(rb->summary.find("not saved"), std::string::npos) << rb->summary;
  EXPECT_EQ(rb->written + rb->added + rb->deleted, 0);

  // Nothing of B is in the file: A's building 1, the old buildings 2 and 5.
  EXPECT_EQ(sqlite_table(path, "buildings"), rows_after_a);
  EXPECT_EQ(sqlite_table(path, "buildings", kVersionField).at(2), rows_at_load.at(2));
  EXPECT_EQ(sqlite_rows(path, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  // B keeps its edits, still unsaved.
  EXPECT_TRUE(b->session->dirty());
  EXPECT_EQ(max_vertex_gap(b->session->feature("buildings", 1).feature.geom, b1_before.feature.geom), 0.0);

  // After reloading, B's planner redoes the edit and it saves.
  auto b2 = load_park(path, frame);
  ASSERT_TRUE(b2);
  ASSERT_TRUE(b2->session->apply(edit::Move{"buildings", {1, 2}, {0.0, -3.0}}));
  auto rb2 = edit::save_changes(*b2->session, path);
  ASSERT_TRUE(rb2 && rb2->saved()) << (rb2 ? rb2->summary : rb2.error().message);
  EXPECT_EQ(version_of(path, "buildings", 1), "2");
  EXPECT_EQ(version_of(path, "buildings", 2), "1");
}

TEST_F(StoreGpkg, DeletedByAnotherPlannerIsAConflict) {
  const std::string path = out_path("deleted_meanwhile.gpkg");
  write_park_gpkg(path, frame);
  auto a = load_park(path, frame);
  auto b = load_park(path, frame);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->session->apply(edit::DeleteFeatures{"buildings", {7}}));
  ASSERT_TRUE(edit::save_changes(*a->session, path));
  ASSERT_TRUE(b->session->apply(edit::Move{"buildings", {7}, {1.0, 1.0}}));
  auto rb = edit::save_changes(*b->session, path);
  ASSERT_TRUE(rb) << rb.error().message;
  ASSERT_EQ(rb->conflicts.size(), 1u);
  EXPECT_FALSE(rb->conflicts.front().found_version.has_value());
  EXPECT_NE(rb->conflicts.front().message.find("deleted"), std::string::npos) << rb->conflicts.front().message;
  EXPECT_EQ(version_of(path, "buildings", 7), "(no row)");
}

TEST_F(StoreGpkg, NewFeatureWhoseFidWasTakenGetsAnother) {
  const std::string path = out_path("fid_taken.gpkg");
  write_park_gpkg(path, frame);
  auto a = load_park(path, frame);
  auto b = load_park(path, frame);
  ASSERT_TRUE(a && b);
  const gis::Polygon pa = ParkFixture::square(1, {150.0, 20.0}, 30.0);
  const gis::Polygon pb = ParkFixture::square(1, {20.0, 150.0}, 30.0);
  auto fa = a->session->apply(edit::AddFeature{"buildings", pa, {{"building_id", std::string("B-a")}, {"parcel_id", std::string("P01")}}});
  auto fb = b->session->apply(edit::AddFeature{"buildings", pb, {{"building_id", std::string("B-b")}, {"parcel_id", std::string("P01")}}});
  ASSERT_TRUE(fa && fb);
  ASSERT_EQ(fa->created, fb->created) << "both sessions pick the next fid";
  ASSERT_TRUE(edit::save_changes(*a->session, path));
  auto rb = edit::save_changes(*b->session, path);
  ASSERT_TRUE(rb && rb->saved()) << (rb ? rb->summary : rb.error().message);
  ASSERT_EQ(rb->renumbered["buildings"].size(), 1u);
  const int64_t stored = rb->renumbered["buildings"].at(fb->created.front());
  EXPECT_NE(stored, fb->created.front());
  // Both are stored, each under its own fid, and B's session now knows its feature by the new fid.
  EXPECT_EQ(sqlite_rows(path, "SELECT building_id FROM buildings WHERE fid = " + std::to_string(fa->created.front())),
            std::vector<std::string>{"B-a"});
  EXPECT_EQ(sqlite_rows(path, "SELECT building_id FROM buildings WHERE fid = " + std::to_string(stored)),
            std::vector<std::string>{"B-b"});
  EXPECT_TRUE(b->session->feature("buildings", stored).exists);
  EXPECT_FALSE(b->session->dirty());
}

TEST_F(StoreGpkg, TwoPlannersSavingAtOnceGiveOneSaveAndOneConflict) {
  // Each planner in a thread of its own (own frame, session and dataset), both editing building 1
  // loaded at the same version: the store's write lock orders the saves, so exactly one is written
  // and the other sees its version (never a lost update, never a half-written file).
  const std::string path = out_path("concurrent.gpkg");
  write_park_gpkg(path, frame);
  const SaveRace race = two_planners_save_at_once(path);
  EXPECT_EQ(race.failures, "");
  EXPECT_EQ(race.saved, 1);
  EXPECT_EQ(race.conflicted, 1);
  EXPECT_EQ(version_of(path, "buildings", 1), "1");
  // The file holds the saved planner's building 1, and only one of buildings 3 and 4 moved.
  auto back = gis::read_layer(path, "buildings", frame);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_LE(max_vertex_gap(find_feature(*back, 1)->geom, race.winner_b1), 1e-6);
  EXPECT_EQ(sqlite_rows(path, "SELECT count(*) FROM buildings WHERE pt_version IS NOT NULL"), std::vector<std::string>{"2"});
  EXPECT_EQ(sqlite_rows(path, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
}

TEST_F(StoreGpkg, FailureWhileWritingRollsEverythingBack) {
  const std::string path = out_path("write_fails.gpkg");
  write_park_gpkg(path, frame);
  // The file refuses any change to building 5 (as a registry's trigger might).
  ASSERT_EQ(sqlite_exec(path, "CREATE TRIGGER registry_lock BEFORE UPDATE ON buildings WHEN OLD.fid = 5 "
                              "BEGIN SELECT RAISE(ABORT, 'building 5 is locked by the land registry'); END"), "");
  const auto before = sqlite_table(path, "buildings");
  auto a = load_park(path, frame);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->session->apply(edit::Move{"buildings", {1, 5, 9}, {1.0, 1.0}}));
  ASSERT_TRUE(a->session->apply(edit::DeleteFeatures{"buildings", {2}}));
  auto r = edit::save_changes(*a->session, path);
  ASSERT_FALSE(r);
  const std::string& m = r.error().message;
  EXPECT_NE(m.find(ParkFixture::building_id(5)), std::string::npos) << m;
  EXPECT_NE(m.find("locked by the land registry"), std::string::npos) << m;
  EXPECT_NE(m.find("rolled back"), std::string::npos) << m;
  EXPECT_EQ(sqlite_table(path, "buildings", kVersionField), before) << "nothing of the save may remain";
  EXPECT_EQ(sqlite_rows(path, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  EXPECT_TRUE(a->session->dirty());
}

// The geometry written has the layer's type: Polygon in a Polygon layer, MultiPolygon in a
// MultiPolygon one (read back through OGR, not the reader, which flattens both).
TEST_F(StoreGpkg, WritesTheLayersGeometryType) {
  for (const bool multi : {false, true}) {
    const std::string path = out_path(multi ? "multi.gpkg" : "single.gpkg");
    write_park_gpkg(path, frame, {"parcels", "buildings"}, multi);
    auto a = load_park(path, frame);
    ASSERT_TRUE(a);
    ASSERT_TRUE(a->session->apply(edit::Move{"buildings", {1}, {1.0, 1.0}}));
    auto r = edit::save_changes(*a->session, path);
    ASSERT_TRUE(r && r->saved()) << (r ? r->summary : r.error().message);
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(ds);
    OGRLayer* l = ds->GetLayerByName("buildings");
    ASSERT_NE(l, nullptr);
    std::unique_ptr<OGRFeature> f(l->GetFeature(1));
    ASSERT_TRUE(f && f->GetGeometryRef());
    EXPECT_EQ(wkbFlatten(f->GetGeometryRef()->getGeometryType()), multi ? wkbMultiPolygon : wkbPolygon);
    const OGRSpatialReference* srs = f->GetGeometryRef()->getSpatialReference();
    ASSERT_NE(srs, nullptr);
    EXPECT_EQ(srs->GetEPSGGeogCS(), 4326);
  }
}

// ---- Refusals: a clear message and the file as it was -------------------------------------------

class StoreRefusal : public StoreGpkg {
 protected:
  void SetUp() override {
    path = out_path(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".gpkg");
    write_park_gpkg(path, frame);
  }
  std::string path;
};

TEST_F(StoreRefusal, ReadOnlyFile) {
  auto a = load_park(path, frame);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->session->apply(edit::Move{"buildings", {1}, {1.0, 0.0}}));
  const std::string bytes = file_bytes(path);
  ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
  auto r = edit::save_changes(*a->session, path);
  ::chmod(path.c_str(), 0644);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("read-only"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
  EXPECT_TRUE(file_bytes(path) == bytes) << "the file changed";
  EXPECT_TRUE(a->session->dirty());
}

TEST_F(StoreRefusal, MissingLayer) {
  auto a = load_park(path, frame);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->session->apply(edit::Move{"buildings", {1}, {1.0, 0.0}}));
  const std::string other = out_path("parcels_only.gpkg");
  write_park_gpkg(other, frame, {"parcels"});
  const std::string bytes = file_bytes(other);
  auto r = edit::save_changes(*a->session, other);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("'buildings'"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("no such layer"), std::string::npos) << r.error().message;
  EXPECT_TRUE(file_bytes(other) == bytes) << "the file changed";
  EXPECT_TRUE(a->session->dirty());
}

TEST_F(StoreRefusal, MissingField) {
  auto a = load_park(path, frame);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->session->apply(edit::SetAttribute{"buildings", 1, "floors", int64_t{5}}));
  // Someone dropped a column after this session loaded the layer.
  ASSERT_EQ(sqlite_exec(path, "ALTER TABLE buildings DROP COLUMN kind"), "");
  const std::string bytes = file_bytes(path);
  auto r = edit::save_changes(*a->session, path);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("'kind'"), std::string::npos) << r.error().message;
  EXPECT_TRUE(file_bytes(path) == bytes) << "the file changed";
}

TEST_F(StoreRefusal, Gcj02Source) {
  auto a = load_park(path, frame, {.declared_crs = "GCJ02", .override_crs = true});
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->session->apply(edit::Move{"buildings", {1}, {1.0, 0.0}}));
  const std::string bytes = file_bytes(path);
  auto r = edit::save_changes(*a->session, path);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("GCJ-02"), std::string::npos) << r.error().message;
  EXPECT_TRUE(file_bytes(path) == bytes) << "the file changed";
}

TEST_F(StoreRefusal, RemoteAndNonTransactionalSources) {
  auto a = load_park(path, frame);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->session->apply(edit::Move{"buildings", {1}, {1.0, 0.0}}));
  auto remote = edit::save_changes(*a->session, "https://example.com/parks.gpkg");
  ASSERT_FALSE(remote);
  EXPECT_NE(remote.error().message.find("network"), std::string::npos) << remote.error().message;

  const std::string missing = out_path("no_such_file.gpkg");
  auto absent = edit::save_changes(*a->session, missing);
  ASSERT_FALSE(absent);
  EXPECT_NE(absent.error().message.find("no such file"), std::string::npos) << absent.error().message;
  EXPECT_FALSE(fs::exists(missing)) << "a failed save must not create the file";

  const std::string geojson = out_path("parks.geojson");
  std::ofstream(geojson) << R"({"type":"FeatureCollection","name":"buildings","features":[]})";
  auto json = edit::save_changes(*a->session, geojson);
  ASSERT_FALSE(json);
  EXPECT_NE(json.error().message.find("GeoPackage"), std::string::npos) << json.error().message;
  EXPECT_TRUE(a->session->dirty());
}

TEST_F(StoreRefusal, DamagedFileFailsCleanly) {
  auto a = load_park(path, frame);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->session->apply(edit::Move{"buildings", {1}, {1.0, 0.0}}));
  const std::string junk = out_path("junk.gpkg");
  std::ofstream(junk, std::ios::binary) << std::string(4096, '\x5a');
  auto r = edit::save_changes(*a->session, junk);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(junk), std::string::npos) << r.error().message;
  EXPECT_TRUE(a->session->dirty());
}

// ---- The default dataset ---------------------------------------------------------------------

TEST_F(StoreGpkg, DefaultDatasetSavesOneMovedBuilding) {
  const std::string path = out_path("parktwin_copy.gpkg");
  fs::copy_file(std::string(PARKTWIN_ASSET_DIR) + "/parktwin.gpkg", path);
  auto a = load_park(path, frame);
  ASSERT_TRUE(a);
  const gis::LayerData& buildings = a->layer("buildings");
  ASSERT_GT(buildings.features.size(), 1000u);
  // A building well inside its parcel: try a few until the gate accepts a 1 m move.
  int64_t moved = -1;
  for (size_t i = 0; i < buildings.features.size() && moved < 0; i += 97)
    if (a->session->apply(edit::Move{"buildings", {buildings.features[i].fid}, {1.0, 0.0}})) moved = buildings.features[i].fid;
  ASSERT_GE(moved, 0);
  const auto before = sqlite_table(path, "buildings");
  auto r = edit::save_changes(*a->session, path);
  ASSERT_TRUE(r && r->saved()) << (r ? r->summary : r.error().message);
  std::cout << "[ saved ] " << r->summary << "\n";
  EXPECT_EQ(version_of(path, "buildings", moved), "1");
  const auto after = sqlite_table(path, "buildings", kVersionField);
  ASSERT_EQ(after.size(), before.size());
  size_t changed = 0;
  for (const auto& [fid, row] : before) changed += after.at(fid) != row ? 1 : 0;
  EXPECT_EQ(changed, 1u);
  auto back = gis::read_layer(path, "buildings", frame);
  ASSERT_TRUE(back) << back.error().message;
  const gis::Feature* f = find_feature(*back, moved);
  ASSERT_NE(f, nullptr);
  EXPECT_LE(max_vertex_gap(f->geom, a->session->feature("buildings", moved).feature.geom), 1e-6);
  EXPECT_EQ(sqlite_rows(path, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
}

TEST_F(StoreGpkg, DefaultDatasetSavesAThousandMovedBuildings) {
  const std::string path = out_path("parktwin_thousand.gpkg");
  fs::copy_file(std::string(PARKTWIN_ASSET_DIR) + "/parktwin.gpkg", path);
  auto a = load_park(path, frame);
  ASSERT_TRUE(a);
  std::vector<int64_t> moved;
  for (const gis::Feature& f : a->layer("buildings").features) {
    if (moved.size() == 1000) break;
    if (a->session->apply(edit::Move{"buildings", {f.fid}, {0.05, 0.0}})) moved.push_back(f.fid);
  }
  ASSERT_EQ(moved.size(), 1000u);
  auto r = edit::save_changes(*a->session, path);
  ASSERT_TRUE(r && r->saved()) << (r ? r->summary : r.error().message);
  std::cout << "[ saved ] " << r->summary << "\n";
  EXPECT_EQ(r->written, 1000);
  EXPECT_EQ(sqlite_rows(path, "SELECT count(*), min(pt_version), max(pt_version) FROM buildings WHERE pt_version IS NOT NULL"),
            std::vector<std::string>{"1000|1|1"});
  auto back = gis::read_layer(path, "buildings", frame);
  ASSERT_TRUE(back) << back.error().message;
  double worst = 0.0;
  for (int64_t fid : moved)
    worst = std::max(worst, max_vertex_gap(find_feature(*back, fid)->geom, a->session->feature("buildings", fid).feature.geom));
  EXPECT_LE(worst, 1e-6);
}

}  // namespace
}  // namespace parktwin::testing
