// Saving edits back to GeoPackage and PostGIS: see store.h.
#include "parktwin/edit/store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "parktwin/gis/reader.h"
#include "store_ogr.h"

namespace parktwin::edit {

using namespace store_detail;

namespace {

// ---- The save -------------------------------------------------------------------------------

class Saver {
 public:
  Saver(EditSession& s, const std::string& source, const SaveOptions& o) : s_(s), source_(source), opt_(o) {}
  ~Saver() { rollback(); }
  Saver(const Saver&) = delete;
  Saver& operator=(const Saver&) = delete;

  Result<SaveReport> run() {
    const auto t0 = Clock::now();
    report_.source = source_;
    for (LayerChanges& c : s_.changes()) {
      const bool wanted = opt_.layers.empty() || std::find(opt_.layers.begin(), opt_.layers.end(), c.layer) != opt_.layers.end();
      if (wanted && !c.empty()) changes_.push_back(std::move(c));
    }
    if (changes_.empty()) {
      report_.summary = "nothing to save to " + where_ + ": no changes";
      report_.elapsed_ms = ms_since(t0);
      return report_;
    }
    if (auto ok = refuse_early(); !ok) return ok.error();
    // Another planner's first save may add the version field between our open and our adding it:
    // then GDAL's cached schema is stale; open again once and find the field there.
    for (int attempt = 0;; ++attempt) {
      if (auto ok = open(); !ok) return ok.error();
      if (auto ok = prepare_layers(); !ok) return ok.error();
      auto ok = prepare_writing();
      if (ok) break;
      if (attempt > 0) return ok.error();
      targets_.clear();
      ds_.reset();
    }
    if (auto ok = transaction(); !ok) return ok.error();
    report_.elapsed_ms = ms_since(t0);
    if (!report_.conflicts.empty()) {
      report_.summary = "not saved to " + where_ + ": " + count_words(static_cast<int64_t>(report_.conflicts.size()), "feature was", "features were") +
                        " changed by another planner since this session loaded them (first: " +
                        report_.conflicts.front().message + "); nothing was written and your edits are kept";
      return report_;
    }
    s_.mark_saved(new_versions_, report_.renumbered);
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.0f", report_.elapsed_ms);
    report_.summary = "saved to " + where_ + ": " + count_words(report_.written, "feature changed", "features changed") + ", " +
                      std::to_string(report_.added) + " added, " + std::to_string(report_.deleted) + " deleted in " +
                      count_words(static_cast<int64_t>(targets_.size()), "layer", "layers") + " (" + ms + " ms)";
    return report_;
  }

 private:
  Failure fail(Failure::Kind k, const std::string& what) { return Failure(k, what); }

  // What can be refused before touching the source.
  Result<bool> refuse_early() {
    if (gis::is_remote_source(source_))
      return fail(Failure::ConfigurationError, "cannot save to " + where_ +
                                                   ": it is a network source, which ParkTwin only reads; save to a "
                                                   "local GeoPackage or a PostGIS database");
    for (const LayerChanges& c : changes_) {
      const int li = s_.layer_index(c.layer);
      if (li < 0)
        return fail(Failure::InvalidData, "cannot save layer '" + c.layer + "': the session has no such layer");
      const gis::LayerData* data = s_.layers()[static_cast<size_t>(li)];
      if (data->crs == "GCJ02")
        return fail(Failure::ConfigurationError,
                    "cannot save layer '" + c.layer + "' to " + where_ +
                        ": it was read as GCJ-02 (Chinese web-map) coordinates, which cannot be written back exactly; "
                        "nothing was saved. Convert the source to WGS84 (EPSG:4326) or a projected CRS, load that, and "
                        "edit there");
    }
    if (is_postgres(source_)) return true;
    if (starts_with_ci(source_, "/vsi") && !starts_with_ci(source_, "/vsimem/"))
      return fail(Failure::ConfigurationError, "cannot save to " + source_ +
                                                   ": it is inside an archive or virtual file system, which is "
                                                   "read-only; extract it to a GeoPackage file and load that");
    if (starts_with_ci(source_, "/vsimem/")) return true;
    struct stat st {};
    if (::stat(source_.c_str(), &st) != 0)
      return fail(Failure::ResourceUnavailable, "cannot save to " + source_ +
                                                    ": no such file; saving writes back into an existing GeoPackage "
                                                    "(the one the layers were loaded from)");
    const bool writable_bits = (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) != 0;
    if (!writable_bits || ::access(source_.c_str(), W_OK) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      return fail(Failure::ResourceUnavailable, "cannot save to " + source_ + ": the file is read-only (mode " + mode +
                                                    "); nothing was saved. Make it writable (chmod u+w) or copy it "
                                                    "to a writable place and save there");
    }
    std::string dir = source_;
    const size_t slash = dir.rfind('/');
    dir = slash == std::string::npos ? std::string(".") : slash == 0 ? std::string("/") : dir.substr(0, slash);
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      return fail(Failure::ResourceUnavailable, "cannot save to " + source_ + ": its folder " + dir +
                                                    " is read-only, and the GeoPackage's write-ahead log must be "
                                                    "created there; nothing was saved. Make the folder writable or "
                                                    "copy the file elsewhere");
    return true;
  }

  Result<bool> open() {
    register_drivers();
    // The journal mode is set once every check has passed (prepare_writing): a refused save
    // leaves the file as it was, header included.
    log_.forget();
    ds_.reset(GDALDataset::Open(source_.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE | GDAL_OF_VERBOSE_ERROR));
    if (!ds_)
      return fail(Failure::ResourceUnavailable, "cannot open " + where_ + " for writing: " + log_.drain() +
                                                    (is_postgres(source_) ? "; check the connection string and that the "
                                                                            "user may write there"
                                                                          : "; check that it is a GeoPackage and "
                                                                            "writable"));
    log_.forget();
    const std::string driver = ds_->GetDriver() != nullptr ? ds_->GetDriver()->GetDescription() : "";
    postgres_ = driver == "PostgreSQL";
    if (driver != "GPKG" && !postgres_)
      return fail(Failure::ConfigurationError,
                  "cannot save to " + where_ + ": it is a " + (driver.empty() ? std::string("file") : driver) +
                      " source, and ParkTwin saves edits only to GeoPackage and PostGIS, which write all layers in "
                      "one transaction; convert it (ogr2ogr -f GPKG parks.gpkg " + where_ + "), load that and save there");
    if (!postgres_) run_sql(*ds_, "PRAGMA busy_timeout = " + std::to_string(std::max(0, opt_.busy_timeout_ms)));
    log_.forget();
    return true;
  }

  // Finds each layer, its SRS and fields; writes nothing.
  Result<bool> prepare_layers() {
    OGRSpatialReference frame_srs;
    const std::string wkt = s_.frame().wkt();
    if (frame_srs.importFromWkt(wkt.c_str()) != OGRERR_NONE)
      return fail(Failure::ConfigurationError, "cannot save: the scene frame's CRS is not valid WKT (" + log_.drain() + ")");
    frame_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    for (const LayerChanges& c : changes_) {
      auto t = std::make_unique<Target>();
      t->changes = &c;
      t->data = s_.layers()[static_cast<size_t>(s_.layer_index(c.layer))];
      t->layer = ds_->GetLayerByName(c.layer.c_str());
      log_.forget();
      if (t->layer == nullptr) {
        std::string names;
        for (OGRLayer* l : ds_->GetLayers()) {
          if (!names.empty()) names += ", ";
          names += l->GetName();
        }
        return fail(Failure::InvalidData, "cannot save layer '" + c.layer + "': " + where_ + " has no such layer (" +
                                              (names.empty() ? std::string("it has none") : "it has " + names) +
                                              "); nothing was saved. Save to the source the layer was loaded from");
      }
      const OGRSpatialReference* layer_srs = t->layer->GetSpatialRef();
      if (layer_srs == nullptr)
        return fail(Failure::InvalidData, "cannot save layer '" + c.layer + "' to " + where_ +
                                              ": the layer there has no CRS, so positions cannot be written; "
                                              "assign one (e.g. ogr2ogr -a_srs EPSG:4326) and load it again");
      OGRSpatialReference target(*layer_srs);
      target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
      t->to_layer.reset(OGRCreateCoordinateTransformation(&frame_srs, &target));
      if (!t->to_layer)
        return fail(Failure::ConfigurationError, "cannot save layer '" + c.layer + "': no transformation from the "
                                                     "scene frame into its CRS (" + log_.drain() + ")");
      t->type = wkbFlatten(t->layer->GetGeomType());
      t->has_z = OGR_GT_HasZ(t->layer->GetGeomType()) != 0;
      const OGRFeatureDefn* defn = t->layer->GetLayerDefn();
      for (const std::string& name : t->data->fields) {
        const int o = defn->GetFieldIndex(name.c_str());
        if (o < 0 && name != kVersionField)
          return fail(Failure::InvalidData, "cannot save layer '" + c.layer + "' to " + where_ + ": it has no field '" +
                                                name + "', which the session's features carry; nothing was saved. "
                                                       "Save to the source the layer was loaded from");
        t->ogr_field.push_back(name == kVersionField ? -1 : o);
      }
      t->version_field = defn->GetFieldIndex(kVersionField);
      t->label_field = label_field_of(*t->data);
      targets_.push_back(std::move(t));
    }
    return true;
  }

  // The first writes, once every check has passed: the write-ahead log (readers such as the
  // viewer and other planners keep reading while a save writes; the mode stays with the file),
  // and the version field where a layer lacks it. Outside the transaction: a schema change inside
  // it would leave GDAL's view of the layer wrong after a rollback; an empty version field
  // changes no feature.
  Result<bool> prepare_writing() {
    if (!postgres_) {
      log_.forget();
      if (!run_sql(*ds_, "PRAGMA journal_mode = WAL"))
        return fail(Failure::ResourceUnavailable, "cannot save to " + where_ + ": switching it to write-ahead logging "
                                                      "failed (" + log_.drain() + "); nothing was saved");
    }
    for (auto& t : targets_) {
      if (t->version_field >= 0) continue;
      OGRFieldDefn version(kVersionField, OFTInteger64);
      log_.forget();
      if (t->layer->CreateField(&version) != OGRERR_NONE)
        return fail(Failure::GeneralError, "cannot save layer '" + t->data->name + "' to " + where_ + ": adding its '" +
                                               kVersionField + "' field failed (" + log_.drain() + "); nothing was saved");
      t->version_field = t->layer->GetLayerDefn()->GetFieldIndex(kVersionField);
    }
    return true;
  }

  // Starts the transaction and takes the write locks. SQLite answers "database is locked" at once,
  // without waiting, when another save committed since this transaction's snapshot began: start
  // over until the lock is ours or busy_timeout_ms has passed.
  Result<bool> begin_locked() {
    const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(0, opt_.busy_timeout_ms));
    for (;;) {
      log_.forget();
      if (ds_->StartTransaction(TRUE) != OGRERR_NONE)
        return fail(Failure::GeneralError, "cannot save to " + where_ + ": starting a transaction failed (" +
                                               log_.drain() + "); nothing was saved");
      in_transaction_ = true;
      std::optional<Failure> failed;
      for (auto& t : targets_)
        if (auto ok = lock_rows(*t); !ok) {
          failed = ok.error();
          break;
        }
      if (!failed) return true;
      rollback();
      if (postgres_ || Clock::now() >= deadline) return *failed;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  Result<bool> transaction() {
    if (auto ok = begin_locked(); !ok) return ok.error();
    auto rolled_back = [&](Failure f) -> Result<bool> {
      rollback();
      return f;
    };
    for (auto& t : targets_)
      if (auto ok = check(*t); !ok) return rolled_back(ok.error());
    if (!report_.conflicts.empty()) {
      rollback();
      return true;
    }
    for (auto& t : targets_)
      if (auto ok = write(*t); !ok) return rolled_back(ok.error());
    log_.forget();
    if (ds_->CommitTransaction() != OGRERR_NONE) {
      const std::string why = log_.drain();
      rollback();
      return fail(Failure::GeneralError, "saving to " + where_ + " failed at the commit (" + why +
                                             "); the transaction was rolled back and nothing was saved; your edits "
                                             "are kept, try again");
    }
    in_transaction_ = false;
    return true;
  }

  void rollback() {
    if (!in_transaction_) return;
    ds_->RollbackTransaction();
    in_transaction_ = false;
  }

  // Takes the write lock before reading versions, so that two planners saving at once are
  // serialised: the second waits, then sees the first one's versions (a conflict, not a lost update).
  Result<bool> lock_rows(const Target& t) {
    const std::string table = quote_table(t.layer->GetName(), postgres_);
    std::string sql;
    if (postgres_) {
      // Wait for another save's row locks no longer than a GeoPackage save would.
      run_sql(*ds_, "SET LOCAL lock_timeout = " + std::to_string(std::max(1, opt_.busy_timeout_ms)));
      std::string ids;
      for (const auto* list : {&t.changes->modified, &t.changes->deleted})
        for (int64_t fid : *list) {
          if (!ids.empty()) ids += ',';
          ids += std::to_string(fid);
        }
      const char* fid_col = t.layer->GetFIDColumn();
      if (ids.empty() || fid_col == nullptr || *fid_col == '\0') return true;
      sql = "SELECT " + quote_ident(fid_col) + " FROM " + table + " WHERE " + quote_ident(fid_col) + " IN (" + ids +
            ") ORDER BY 1 FOR UPDATE";  // one order for every planner: no deadlock between saves
    } else {
      sql = "UPDATE " + table + " SET " + quote_ident(kVersionField) + " = " + quote_ident(kVersionField) + " WHERE 0";
    }
    log_.forget();
    if (!run_sql(*ds_, sql))
      return fail(Failure::ResourceUnavailable, "cannot save to " + where_ + ": locking layer '" + t.data->name +
                                                    "' failed (" + log_.drain() +
                                                    "); another program may be writing it; nothing was saved, try again");
    return true;
  }

  // Compares stored versions with the session's base versions; keeps the stored rows to update.
  Result<bool> check(Target& t) {
    const LayerChanges& c = *t.changes;
    auto base = [&](int64_t fid) {
      const auto it = c.base_version.find(fid);
      return it == c.base_version.end() ? int64_t{0} : it->second;
    };
    for (const auto* list : {&c.modified, &c.deleted}) {
      const bool deleting = list == &c.deleted;
      for (int64_t fid : *list) {
        log_.forget();
        std::unique_ptr<OGRFeature> row(t.layer->GetFeature(fid));
        // The feature by name, for a conflict's message (the deleted one by its tombstone's attributes).
        auto who = [&] {
          const FeatureState now = s_.feature(c.layer, fid);
          const gis::Feature* mine = now.exists ? &now.feature : nullptr;
          const long index = s_.feature_index(s_.layer_index(c.layer), fid);
          if (mine == nullptr && index >= 0) mine = &t.data->features[static_cast<size_t>(index)];
          return feature_words(t, fid, mine, row.get());
        };
        if (!row) {
          report_.conflicts.push_back({c.layer, fid, base(fid), std::nullopt,
                                       who() + " was deleted from the source by another planner since you loaded it; " +
                                           (deleting ? "nothing more to do for it: reload the layer"
                                                     : "reload the layer, then redo your change if it still applies")});
          continue;
        }
        const int64_t found = version_of(*row, t.version_field);
        if (found != base(fid)) {
          report_.conflicts.push_back({c.layer, fid, base(fid), found,
                                       who() + " was saved by another planner since you loaded it (version " +
                                           std::to_string(base(fid)) + " then, " + std::to_string(found) +
                                           " now); reload the layer to see their change, then redo yours"});
          continue;
        }
        if (!deleting) t.stored[fid] = std::move(row);
      }
    }
    for (int64_t fid : c.added) {
      log_.forget();
      std::unique_ptr<OGRFeature> row(t.layer->GetFeature(fid));
      if (row) t.taken.insert(fid);
    }
    log_.forget();
    return true;
  }

  Result<bool> write(Target& t) {
    const LayerChanges& c = *t.changes;
    auto failed = [&](int64_t fid, const gis::Feature* f, const std::string& what) -> Failure {
      return fail(Failure::GeneralError, "saving to " + where_ + " failed at " + feature_words(t, fid, f, nullptr) +
                                             ": " + what + "; the transaction was rolled back and nothing was saved; "
                                             "your edits are kept");
    };
    auto& versions = new_versions_[c.layer];
    for (int64_t fid : c.modified) {
      const FeatureState now = s_.feature(c.layer, fid);
      if (!now.exists) return failed(fid, nullptr, "the session holds no state for it");
      OGRFeature& row = *t.stored.at(fid);
      std::string why;
      std::unique_ptr<OGRGeometry> g = to_layer_geometry(now.feature.geom, t, why);
      if (!g) return failed(fid, &now.feature, why);
      row.SetGeometryDirectly(g.release());
      set_attributes(now.feature, t, row);
      const int64_t version = version_of(row, t.version_field) + 1;
      row.SetField(t.version_field, static_cast<GIntBig>(version));
      log_.forget();
      if (t.layer->SetFeature(&row) != OGRERR_NONE) return failed(fid, &now.feature, "writing it failed (" + log_.drain() + ")");
      versions[fid] = version;
      ++report_.written;
    }
    for (int64_t fid : c.deleted) {
      log_.forget();
      if (t.layer->DeleteFeature(fid) != OGRERR_NONE) return failed(fid, nullptr, "deleting it failed (" + log_.drain() + ")");
      ++report_.deleted;
    }
    // New features keep the session's fid; one another planner took meanwhile gets the next free
    // fid after the others (reported in `renumbered`).
    std::vector<int64_t> renumber;
    for (int64_t fid : c.added) {
      if (t.taken.count(fid) != 0) {
        renumber.push_back(fid);
        continue;
      }
      if (auto ok = create(t, fid, true); !ok) return ok.error();
    }
    if (postgres_ && !c.added.empty()) bump_sequence(t);
    for (int64_t fid : renumber)
      if (auto ok = create(t, fid, false); !ok) return ok.error();
    return true;
  }

  Result<bool> create(Target& t, int64_t fid, bool keep_fid) {
    const std::string& layer = t.changes->layer;
    const FeatureState now = s_.feature(layer, fid);
    if (!now.exists)
      return fail(Failure::GeneralError, "saving to " + where_ + " failed at " + feature_words(t, fid, nullptr, nullptr) +
                                             ": the session holds no state for this new feature; nothing was saved");
    std::string why;
    std::unique_ptr<OGRGeometry> g = to_layer_geometry(now.feature.geom, t, why);
    if (!g)
      return fail(Failure::InvalidData, "saving to " + where_ + " failed at new " + feature_words(t, fid, &now.feature, nullptr) +
                                            ": " + why + "; nothing was saved");
    OGRFeature row(t.layer->GetLayerDefn());
    row.SetFID(keep_fid ? fid : OGRNullFID);
    row.SetGeometryDirectly(g.release());
    set_attributes(now.feature, t, row);
    row.SetField(t.version_field, static_cast<GIntBig>(1));
    log_.forget();
    if (t.layer->CreateFeature(&row) != OGRERR_NONE)
      return fail(Failure::GeneralError, "saving to " + where_ + " failed at new " +
                                             feature_words(t, fid, &now.feature, nullptr) + ": creating it failed (" +
                                             log_.drain() + "); the transaction was rolled back and nothing was saved");
    const int64_t stored = row.GetFID();
    if (!keep_fid || stored != fid) report_.renumbered[layer][fid] = stored;
    new_versions_[layer][stored] = 1;  // mark_saved renumbers first, then sets versions by stored fid
    ++report_.added;
    return true;
  }

  // Explicit fids do not advance PostgreSQL's serial sequence; other clients' inserts would then
  // collide with ours. Best effort: a table without a sequence is left alone.
  void bump_sequence(const Target& t) {
    const char* fid_col = t.layer->GetFIDColumn();
    if (fid_col == nullptr || *fid_col == '\0') return;
    const std::string table = quote_table(t.layer->GetName(), true);
    run_sql(*ds_, "SELECT setval(pg_get_serial_sequence(" + quote_literal(table) + ", " + quote_literal(fid_col) +
                      "), (SELECT max(" + quote_ident(fid_col) + ") FROM " + table + "))");
    log_.forget();
  }

  EditSession& s_;
  const std::string& source_;
  const SaveOptions& opt_;
  const std::string where_ = display_name(source_);
  GdalLog log_;
  GDALDatasetUniquePtr ds_;
  bool postgres_ = false;
  bool in_transaction_ = false;
  std::vector<LayerChanges> changes_;
  std::vector<std::unique_ptr<Target>> targets_;
  std::map<std::string, std::map<int64_t, int64_t>> new_versions_;
  SaveReport report_;
};

}  // namespace

Result<SaveReport> save_changes(EditSession& session, const std::string& source, const SaveOptions& options) {
  try {
    return Saver(session, source, options).run();
  } catch (const std::exception& e) {
    // GDAL rolls back an open transaction when the dataset closes during unwinding.
    return Failure(Failure::GeneralError, "saving to " + display_name(source) + " failed: " + e.what() + "; nothing was saved");
  }
}

}  // namespace parktwin::edit
