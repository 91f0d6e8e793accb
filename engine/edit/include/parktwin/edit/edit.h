#pragma once
// Editing park layouts: the edit commands a planner issues (in the UI or from a file), a session
// that applies them to layers through the validity gate, with undo/redo and a record of what
// changed since the last save. Plain C++ over gis::LayerData: no GPU, window or UI library.
//
// Features are addressed by their source fid, which never changes while a session lasts: a
// deleted feature stays in its layer as a tombstone (no geometry, `deleted` in the session) and a
// new one is appended with a fid above every fid of its layer. Layer indices into the caller's
// layers therefore stay valid, and so do the feature indices the scene holds.
//
// Usage:
//   EditSession s(frame, {&parcels_layer, &buildings_layer});
//   auto r = s.apply(Move{"buildings", {12}, {5.0, 0.0}});
//   if (!r) show(r.error().message);   // refused: nothing changed
//   else rebuild(r->touched);           // what the caller redraws
//   s.undo();
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <glm/vec2.hpp>

#include "parktwin/gis/frame.h"
#include "parktwin/gis/geometry.h"
#include "parktwin/gis/result.h"

namespace parktwin::edit {

using gis::Result;

/// Which vertex of a feature: polygon `part` of its geometry, ring 0 = outer, 1.. = holes.
struct VertexRef {
  int64_t fid = -1;
  int part = 0, ring = 0, index = 0;
};

// ---- The edit commands. Positions are scene-frame metres (see gis/frame.h); in JSON absolute
// ---- positions are WGS84 lon/lat degrees and offsets metres (edit_json.h).
struct Move { std::string layer; std::vector<int64_t> fids; glm::dvec2 offset{0.0}; };
/// Rotates counter-clockwise by `degrees` about `center` (default: the selection's centroid).
struct Rotate { std::string layer; std::vector<int64_t> fids; double degrees = 0.0; std::optional<glm::dvec2> center; };
/// Scales by `factor` about `center` (default: the selection's centroid).
struct Scale { std::string layer; std::vector<int64_t> fids; double factor = 1.0; std::optional<glm::dvec2> center; };
struct MoveVertex { std::string layer; VertexRef at; glm::dvec2 to{0.0}; };
/// Inserts `pos` as the new vertex `at.index` (the old one and those after it move up by one).
struct InsertVertex { std::string layer; VertexRef at; glm::dvec2 pos{0.0}; };
struct DeleteVertex { std::string layer; VertexRef at; };
/// A new feature (building footprint or parcel); attributes by field name, the rest empty.
/// Its fid is chosen by the session and reported in ApplyResult::created.
struct AddFeature { std::string layer; gis::Polygon polygon; std::map<std::string, gis::AttrValue> attrs; };
struct DeleteFeatures { std::string layer; std::vector<int64_t> fids; };
/// Copies of the features moved by `offset` (new fids, in ApplyResult::created).
struct CopyFeatures { std::string layer; std::vector<int64_t> fids; glm::dvec2 offset{0.0}; };
/// Cuts a parcel in two along a polyline that crosses it; the part with the larger area keeps the
/// fid, the other gets a new one (id fields get a suffix); buildings follow the part they stand on.
struct SplitParcel { std::string layer; int64_t fid = -1; gis::LineString line; };
/// Joins adjacent parcels into the first one; the others are deleted, their buildings follow.
struct MergeParcels { std::string layer; std::vector<int64_t> fids; };
/// Sets one attribute; the value must suit the field's type (integers for integer fields ...).
struct SetAttribute { std::string layer; int64_t fid = -1; std::string field; gis::AttrValue value; };

using Command = std::variant<Move, Rotate, Scale, MoveVertex, InsertVertex, DeleteVertex, AddFeature, DeleteFeatures,
                             CopyFeatures, SplitParcel, MergeParcels, SetAttribute>;
/// "move", "rotate", ... (the JSON op names).
const char* command_name(const Command& c);

/// What an applied (or undone) command changed, for the caller to redraw.
struct Touched {
  std::string layer;
  int layer_index = -1;               ///< index into the session's layers
  std::vector<size_t> features;       ///< indices into that layer's features (changed, new or deleted)
};
struct ApplyResult {
  std::vector<Touched> touched;
  std::vector<int64_t> created;       ///< fids of new features, in order
  std::string summary;                ///< one line for the UI and the log ("moved 2 buildings by 5.0 m")
};

/// The validity gate's settings.
struct GateOptions {
  double min_area_m2 = 1.0;        ///< smaller polygons are refused
  double min_thinness = 0.02;      ///< 4·pi·area / perimeter² below this is a sliver (a square is 0.785)
  double parcel_tolerance_m = 0.05;///< a building may overhang its parcel by this much (rounding)
};

/// One feature as it stood before and after an edit (for undo, the journal and the store).
struct FeatureState {
  int64_t fid = -1;
  bool exists = false;             ///< false: absent (not yet created / deleted)
  gis::Feature feature;            ///< geometry and attributes when `exists`
};

/// Per layer, what differs from the source as loaded (or last saved).
struct LayerChanges {
  std::string layer;
  std::vector<int64_t> modified;   ///< existed in the source and changed
  std::vector<int64_t> added;      ///< new in this session
  std::vector<int64_t> deleted;    ///< existed in the source and deleted
  /// The version each modified or deleted feature had when loaded (0 when the source has no
  /// version field): a save that finds another version in the source is a conflict.
  std::map<int64_t, int64_t> base_version;
  bool empty() const { return modified.empty() && added.empty() && deleted.empty(); }
};

/// The field that carries a feature's version for concurrent planners.
constexpr const char* kVersionField = "pt_version";

class EditSession {
 public:
  /// Edits the given layers in place (they must outlive the session). Layers are found by
  /// LayerData::name; the one named like `parcels_layer` holds the parcels that buildings must
  /// stand in (matched through the buildings' `parcel_id` field, else by containment).
  EditSession(const gis::SceneFrame& frame, std::vector<gis::LayerData*> layers, GateOptions gate = {},
              std::string buildings_layer = "buildings", std::string parcels_layer = "parcels");
  ~EditSession();
  EditSession(const EditSession&) = delete;
  EditSession& operator=(const EditSession&) = delete;

  /// Checks and applies one command. Refused (nothing changes) when it names an unknown layer,
  /// feature, vertex or field, when a value has the wrong type, or when any geometry it produces
  /// fails the gate: the message says what and where (fid, lon/lat), and what to do.
  Result<ApplyResult> apply(const Command& c);
  /// Checks a command without applying it (the UI's preview while dragging).
  Result<bool> check(const Command& c) const;

  bool can_undo() const;
  bool can_redo() const;
  /// Undoes / redoes the last command; an empty result when there is nothing to undo.
  std::optional<ApplyResult> undo();
  std::optional<ApplyResult> redo();
  size_t undo_depth() const;
  /// How many commands are kept for undo (default 10,000; the oldest are forgotten beyond it).
  void set_undo_limit(size_t n);
  /// The commands applied so far, in order, without the undone ones (what a script would replay).
  std::vector<Command> history() const;

  /// What differs from the source since it was loaded or last marked saved.
  std::vector<LayerChanges> changes() const;
  bool dirty() const;
  /// After a successful save: the saved states become the base; versions are those now stored.
  /// `new_fids` maps session fids to the fids the store gave new features (when they differ).
  void mark_saved(const std::map<std::string, std::map<int64_t, int64_t>>& new_versions,
                  const std::map<std::string, std::map<int64_t, int64_t>>& new_fids = {});

  /// The current state of one feature (exists = false when unknown or deleted).
  FeatureState feature(const std::string& layer, int64_t fid) const;
  /// Sets features to given states without the gate (journal replay, undo of a save conflict).
  /// Returns what changed.
  ApplyResult restore(const std::string& layer, const std::vector<FeatureState>& states);

  const std::vector<gis::LayerData*>& layers() const;
  int layer_index(const std::string& name) const;
  /// Index of a feature in its layer by fid, or -1.
  long feature_index(int layer_index, int64_t fid) const;
  bool is_deleted(int layer_index, int64_t fid) const;
  const gis::SceneFrame& frame() const;
  const GateOptions& gate() const;

  /// What one step (an applied, undone or redone command, or a restore) did to one layer.
  struct StepChange {
    std::string layer;
    std::vector<FeatureState> before, after;
  };
  /// Called after every applied, undone or redone command, once per step with every layer it
  /// changed (the journal writes the step to disk in one piece before apply() returns).
  using Observer = std::function<void(const std::string& what, const std::vector<StepChange>& changes)>;
  void set_observer(Observer o);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// ---- The validity gate, usable on its own ---------------------------------------------------

/// Why a polygon is refused, or "" when it is acceptable: GEOS validity (self-intersection, holes
/// outside the shell, ring crossing ...), too small, or a sliver. The message names the place.
std::string polygon_problem(const gis::Polygon& p, const gis::SceneFrame& frame, const GateOptions& gate);
/// True when `inner` lies within `outer` (shrunk by nothing, grown by `tolerance_m`).
bool polygon_within(const gis::Polygon& inner, const gis::Polygon& outer, double tolerance_m);
/// Shortest distance from `building` to the boundary of `parcel` (0 when it crosses it).
double distance_to_boundary(const gis::Polygon& building, const gis::Polygon& parcel);
/// "28.68231 N, 115.87532 E": a scene point in words for messages.
std::string where(const gis::SceneFrame& frame, glm::dvec2 p);

}  // namespace parktwin::edit
