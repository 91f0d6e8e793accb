// Saving edits to PostGIS, against a PostgreSQL server the test starts itself (tests/support):
// the round trip read back through the reader and psql, and a conflicting save refused.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <gtest/gtest.h>

#include "../support/pg_server.h"
#include "parktwin/edit/store.h"
#include "store_fixture.h"

namespace parktwin::testing {
namespace {

using edit::kVersionField;

class StorePostgis : public ::testing::Test {
 protected:
  // One server for the suite; each test loads the fixture into a database of its own.
  static void SetUpTestSuite() {
    auto pg = PgServer::start("parktwin_store");
    if (!pg) {
      start_error_ = new std::string(pg.error().message);
      return;
    }
    server_ = pg->release();
    std::cout << "[ postgis ] server on port " << server_->port() << " ready in " << server_->startup_ms() << " ms\n";
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }
  void SetUp() override {
    // Missing packages fail the test with the package to install: never a silent skip.
    ASSERT_NE(server_, nullptr) << (start_error_ != nullptr ? *start_error_ : std::string("no server"));
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    gpkg_ = out_path("pg_" + name + ".gpkg");
    write_park_gpkg(gpkg_, frame);
    // A fresh copy of the tables for each test.
    ASSERT_TRUE(server_->execute("DROP TABLE IF EXISTS buildings, parcels"));
    auto loaded = server_->load(gpkg_, {"parcels", "buildings"});
    ASSERT_TRUE(loaded) << loaded.error().message;
  }
  std::string column(const std::string& sql) {
    auto r = server_->query(sql);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : std::string("(query failed)");
  }
  std::string version(int64_t fid) {
    return column("SELECT coalesce(" + std::string(kVersionField) + "::text, 'NULL') FROM buildings WHERE fid = " +
                  std::to_string(fid));
  }

  gis::SceneFrame frame = gis::SceneFrame::jiangxi();
  std::string gpkg_;
  static PgServer* server_;
  static std::string* start_error_;
};

PgServer* StorePostgis::server_ = nullptr;
std::string* StorePostgis::start_error_ = nullptr;

TEST_F(StorePostgis, RoundTrip) {
  const std::string conn = server_->connection();
  auto a = load_park(conn, frame);
  ASSERT_TRUE(a);
  edit::EditSession& s = *a->session;
  // Untouched rows, every column the fixture has (pt_version comes with the save).
  const std::string untouched =
      "SELECT string_agg(fid || ':' || md5((t.fid, t.geom, t.building_id, t.parcel_id, t.enterprise_id, t.kind, "
      "t.floors, t.height_m, t.source)::text), ',' ORDER BY fid) FROM buildings t WHERE fid IN (2, 8, 12)";
  const std::string untouched_before = column(untouched);

  const glm::dvec2 corner = find_feature(a->layer("buildings"), 3)->geom.polygons.at(0).outer.at(0);
  ASSERT_TRUE(s.apply(edit::Move{"buildings", {1}, {5.0, 3.0}}));
  ASSERT_TRUE(s.apply(edit::MoveVertex{"buildings", {3, 0, 0, 0}, corner + glm::dvec2{-2.0, -1.5}}));
  ASSERT_TRUE(s.apply(edit::SetAttribute{"buildings", 4, "floors", int64_t{7}}));
  ASSERT_TRUE(s.apply(edit::SetAttribute{"parcels", 2, "landuse", std::string("logistics")}));
  const gis::Polygon added = ParkFixture::square(3, {150.0, 20.0}, 30.0);
  auto add = s.apply(edit::AddFeature{"buildings", added, {{"building_id", std::string("B-new")}, {"parcel_id", std::string("P03")}}});
  ASSERT_TRUE(add) << add.error().message;
  const int64_t new_fid = add->created.at(0);
  ASSERT_TRUE(s.apply(edit::DeleteFeatures{"buildings", {6}}));

  const auto t0 = std::chrono::steady_clock::now();
  auto r = edit::save_changes(s, conn);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->saved()) << r->summary;
  std::cout << "[ saved ] " << r->summary << " (" << ms << " ms)\n";
  EXPECT_EQ(r->summary.find("port="), std::string::npos) << "messages name the database, not the connection string";
  EXPECT_FALSE(s.dirty());

  // Read back through the reader.
  auto back = gis::read_source(conn, frame, {.layers = {"parcels", "buildings"}});
  ASSERT_TRUE(back) << back.error().message;
  const gis::LayerData& saved = (*back)[1];
  for (int64_t fid : {int64_t{1}, int64_t{3}, int64_t{4}, new_fid}) {
    const gis::Feature* f = find_feature(saved, fid);
    ASSERT_NE(f, nullptr) << fid;
    const edit::FeatureState st = s.feature("buildings", fid);
    EXPECT_LE(max_vertex_gap(st.feature.geom, f->geom), 1e-6) << fid;
    EXPECT_EQ(attr_differences(a->layer("buildings"), st.feature, saved, *f, kVersionField), "") << fid;
  }
  EXPECT_EQ(find_feature(saved, 6), nullptr);
  EXPECT_EQ(column("SELECT landuse FROM parcels WHERE fid = 2"), "logistics");

  // Versions and untouched rows through psql.
  for (int64_t fid : {int64_t{1}, int64_t{3}, int64_t{4}, new_fid}) EXPECT_EQ(version(fid), "1") << fid;
  EXPECT_EQ(version(2), "NULL");
  EXPECT_EQ(column(untouched), untouched_before);
  // The polygon column keeps its type; another client's insert does not collide with our fid.
  EXPECT_EQ(column("SELECT DISTINCT GeometryType(geom) FROM buildings"), "POLYGON");
  const std::string next = column("INSERT INTO buildings (building_id) VALUES ('other client') RETURNING fid");
  EXPECT_GT(std::stoll(next.substr(0, next.find('\n'))), new_fid);
}

TEST_F(StorePostgis, ConflictingSaveIsRefused) {
  const std::string conn = server_->connection();
  auto a = load_park(conn, frame);
  auto b = load_park(conn, frame);
  ASSERT_TRUE(a && b);
  const std::string y_before = column("SELECT ST_AsText(geom) FROM buildings WHERE fid = 2");

  ASSERT_TRUE(a->session->apply(edit::Move{"buildings", {1}, {4.0, 0.0}}));
  auto ra = edit::save_changes(*a->session, conn);
  ASSERT_TRUE(ra && ra->saved()) << (ra ? ra->summary : ra.error().message);
  const std::string x_after_a = column("SELECT ST_AsText(geom) FROM buildings WHERE fid = 1");

  ASSERT_TRUE(b->session->apply(edit::Move{"buildings", {1, 2}, {0.0, -3.0}}));
  auto rb = edit::save_changes(*b->session, conn);
  ASSERT_TRUE(rb) << rb.error().message;
  ASSERT_EQ(rb->conflicts.size(), 1u) << rb->summary;
  EXPECT_EQ(rb->conflicts.front().fid, 1);
  EXPECT_NE(rb->conflicts.front().message.find(ParkFixture::building_id(1)), std::string::npos)
      << rb->conflicts.front().message;
  EXPECT_EQ(column("SELECT ST_AsText(geom) FROM buildings WHERE fid = 1"), x_after_a);
  EXPECT_EQ(column("SELECT ST_AsText(geom) FROM buildings WHERE fid = 2"), y_before);
  EXPECT_EQ(version(2), "NULL");
  EXPECT_TRUE(b->session->dirty());
}

TEST_F(StorePostgis, CommitRefusedRollsEverythingBack) {
  // A check the database makes only at commit (a deferred constraint trigger) refuses building 7.
  ASSERT_TRUE(server_->execute(
      "CREATE OR REPLACE FUNCTION refuse_at_commit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
      "'the land registry refuses building %', NEW.building_id; END $$ LANGUAGE plpgsql; "
      "CREATE CONSTRAINT TRIGGER registry_check AFTER UPDATE ON buildings DEFERRABLE INITIALLY DEFERRED "
      "FOR EACH ROW WHEN (NEW.fid = 7) EXECUTE FUNCTION refuse_at_commit()"));
  const std::string rows =
      "SELECT string_agg(md5((t.fid, t.geom, t.building_id, t.floors)::text), ',' ORDER BY fid) FROM buildings t";
  const std::string before = column(rows);
  const std::string conn = server_->connection();
  auto a = load_park(conn, frame);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->session->apply(edit::Move{"buildings", {1, 7}, {2.0, 2.0}}));
  ASSERT_TRUE(a->session->apply(edit::DeleteFeatures{"buildings", {10}}));
  auto r = edit::save_changes(*a->session, conn);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("commit"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("refuses building " + ParkFixture::building_id(7)), std::string::npos)
      << r.error().message;
  EXPECT_EQ(column(rows), before) << "nothing of the save may remain";
  EXPECT_EQ(column("SELECT count(*) FROM buildings WHERE pt_version IS NOT NULL"), "0");
  EXPECT_TRUE(a->session->dirty());
}

TEST_F(StorePostgis, TwoPlannersSavingAtOnceGiveOneSaveAndOneConflict) {
  const SaveRace race = two_planners_save_at_once(server_->connection());
  EXPECT_EQ(race.failures, "");
  EXPECT_EQ(race.saved, 1);
  EXPECT_EQ(race.conflicted, 1);
  EXPECT_EQ(version(1), "1");
  EXPECT_EQ(column("SELECT count(*) FROM buildings WHERE pt_version IS NOT NULL"), "2");
  auto back = gis::read_layer(server_->connection(), "buildings", frame);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_LE(max_vertex_gap(find_feature(*back, 1)->geom, race.winner_b1), 1e-6);
}

// Without the server binaries the PostGIS tests fail (SetUp asserts) with the packages to install.
TEST(PgServerHarness, MissingBinariesNameThePackages) {
  const std::string empty_bin = out_path("no_pg_bin");
  std::filesystem::create_directories(empty_bin);
  ::setenv("PARKTWIN_PG_BIN", empty_bin.c_str(), 1);
  auto pg = PgServer::start("never");
  ::unsetenv("PARKTWIN_PG_BIN");
  ASSERT_FALSE(pg);
  EXPECT_NE(pg.error().message.find("postgresql-15-postgis-3"), std::string::npos) << pg.error().message;
  EXPECT_NE(pg.error().message.find(empty_bin), std::string::npos) << pg.error().message;
}

}  // namespace
}  // namespace parktwin::testing
