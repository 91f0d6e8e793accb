#pragma once
// A private PostgreSQL + PostGIS server for tests: initdb into a temporary folder, started with
// pg_ctl on a free loopback port (TCP 127.0.0.1, trust authentication, its socket in that folder),
// one database with the postgis extension; stopped and the folder removed by the destructor.
//
// initdb and pg_ctl refuse to run as root: as root they run as the `postgres` user (runuser), which
// owns the folder. Needs the Debian packages postgresql-15 and postgresql-15-postgis-3; when they
// are missing, start() fails with a message naming them.
//
// Usage:
//   auto pg = PgServer::start();
//   ASSERT_TRUE(pg) << pg.error().message;
//   ASSERT_TRUE((*pg)->load("parks.gpkg", {"parcels", "buildings"}));
//   read_source((*pg)->connection(), frame, ...);
#include <memory>
#include <string>
#include <vector>

#include "parktwin/gis/result.h"

namespace parktwin::testing {

class PgServer {
 public:
  /// Starts a server and creates the database `dbname` with PostGIS in it.
  static gis::Result<std::unique_ptr<PgServer>> start(const std::string& dbname = "parktwin");
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  int port() const { return port_; }
  /// The GDAL connection string ("PG:host=127.0.0.1 port=... user=pt dbname=...").
  std::string connection() const;
  /// Runs SQL through psql; the failure carries psql's message.
  gis::Result<bool> execute(const std::string& sql) const;
  /// Runs a query through psql and returns its rows, unaligned, '|' between columns, one per line.
  gis::Result<std::string> query(const std::string& sql) const;
  /// Copies layers of a vector file (e.g. a GeoPackage) into the database, keeping their fids
  /// (and moving each fid sequence past them, as a loader should).
  gis::Result<bool> load(const std::string& path, const std::vector<std::string>& layers) const;
  /// How long start() took (initdb, server start, database and extension), milliseconds.
  double startup_ms() const { return startup_ms_; }

 private:
  PgServer() = default;
  void stop();
  std::string dir_, bin_, psql_, dbname_;
  int port_ = 0;
  bool running_ = false;
  std::vector<std::string> prefix_;  ///< runuser -u postgres -- when running as root
  double startup_ms_ = 0.0;
};

}  // namespace parktwin::testing
