#pragma once
// Saving a session's edits back to their source: a GeoPackage file or a PostGIS database ("PG:..."),
// in one transaction over all layers, with conflict detection between planners.
//
// Every feature carries a version in the integer field `pt_version` (kVersionField; added to a
// layer that lacks it, existing rows counting as version 0). A save first reads, inside its
// transaction, the stored version of every feature it would change or delete: when one differs
// from the version the session loaded (another planner saved it since), or the row is gone, the
// save writes nothing and reports each such feature by name. Otherwise modified features are
// written with version + 1, deleted ones removed, new ones created under the session's fid with
// version 1, and the transaction committed; then the session takes the saved state as its base.
//
// Usage:
//   auto r = save_changes(session, "parks.gpkg");
//   if (!r) show(r.error().message);               // refused or failed: nothing was written
//   else if (!r->conflicts.empty()) show_conflicts(r->conflicts);  // nothing written, edits kept
//   else log(r->summary);                           // saved; session.dirty() is false
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "parktwin/edit/edit.h"

namespace parktwin::edit {

struct SaveOptions {
  /// Only these layers (by name); empty = every layer with changes.
  std::vector<std::string> layers;
  /// How long to wait for another planner's save to finish (its locks) before giving up.
  int busy_timeout_ms = 5000;
};

/// A feature that another planner changed or deleted since this session loaded it.
struct SaveConflict {
  std::string layer;
  int64_t fid = -1;
  int64_t loaded_version = 0;          ///< the version the session's edit is based on
  std::optional<int64_t> found_version;///< the version in the source now; empty: the row is gone
  std::string message;                 ///< names the feature (its building_id / parcel_id ...) and what to do
};

struct SaveReport {
  std::string source;
  int64_t written = 0;   ///< modified features written
  int64_t added = 0;     ///< new features created
  int64_t deleted = 0;   ///< features deleted
  /// Not empty: nothing was written (the transaction was rolled back) and the session is unchanged.
  std::vector<SaveConflict> conflicts;
  /// New features whose fid another planner had taken meanwhile: session fid -> stored fid.
  std::map<std::string, std::map<int64_t, int64_t>> renumbered;
  double elapsed_ms = 0.0;
  std::string summary;   ///< one line for the UI and the log
  bool saved() const { return conflicts.empty(); }
};

/// Writes the session's changes (EditSession::changes) to `source` in one transaction, then marks
/// the session saved. Refused with a Failure, writing nothing, when the source is remote, read-only
/// or of a format without transactions, when a changed layer was read as GCJ-02 (positions cannot
/// be written back exactly), or when a layer or field of the session is missing there. A failure
/// while writing rolls everything back and names the layer and feature. Conflicts are not a
/// Failure: the report lists them and nothing is written.
Result<SaveReport> save_changes(EditSession& session, const std::string& source, const SaveOptions& options = {});

}  // namespace parktwin::edit
