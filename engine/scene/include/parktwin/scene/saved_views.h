#pragma once
// Saved views (bookmarks): an ordered list of named ViewStates, kept per user in one versioned JSON
// file, with shipped defaults in the asset directory for users who have none yet. The format is in
// docs/views.md.
//
// Usage:
//   std::vector<std::string> messages;
//   ViewStore store = ViewStore::open(default_views_path(), shipped_views_path(), messages);
//   store.add(capture(scene, camera, ctx));              // written to disk at once, atomically
//   apply(store.views()[0].state, scene, camera);
//
// Every edit writes the whole file through a temporary file, fsync and rename, so a crash leaves
// either the old or the new file, never a torn one. A user file that cannot be read as this
// version is never overwritten: it is renamed aside (views.json.bad-<time>) before anything is
// written, and the defaults are shown.
#include <string>
#include <string_view>
#include <vector>

#include "parktwin/gis/result.h"
#include "parktwin/scene/view_state.h"

namespace parktwin::scene {

/// The version string of the saved-views file; any other is refused.
inline constexpr const char* kSavedViewsVersion = "parktwin.views/1";

/// One saved view: a stable id (names its thumbnail file; never changes on rename or move) and the state.
struct SavedView {
  std::string id;   ///< [a-z0-9_-]+, unique in the list
  ViewState state;  ///< state.name is the name shown
};

bool operator==(const SavedView& a, const SavedView& b);

/// The user's file: $XDG_CONFIG_HOME/parktwin/views.json, else ~/.config/parktwin/views.json.
std::string default_views_path();
/// The shipped defaults: <asset dir>/views/default.json (default_asset_dir(), $PARKTWIN_ASSETS).
std::string shipped_views_path();

/// The JSON form of a list (pretty-printed, "version": "parktwin.views/1").
std::string views_to_json(const std::vector<SavedView>& views);
/// Parses the JSON form; the message names the entry and field on malformed input or another version.
gis::Result<std::vector<SavedView>> views_from_json(std::string_view text);
/// Reads and parses a file (the message names it).
gis::Result<std::vector<SavedView>> read_views(const std::string& path);
/// Writes a file atomically: PATH.tmp, fsync, rename over PATH, fsync of the directory. On any
/// failure the old file is untouched and the temporary one removed.
gis::Result<bool> write_views_atomic(const std::vector<SavedView>& views, const std::string& path);

/// The list the viewer edits, bound to the user's file.
class ViewStore {
 public:
  /// Loads `user_path`; when it does not exist, the list at `defaults_path` (not written until the
  /// first edit). A user file that is not a valid list of this version is renamed aside and the
  /// defaults are used; what happened, where, and what to do is appended to `messages`.
  static ViewStore open(const std::string& user_path, const std::string& defaults_path,
                        std::vector<std::string>& messages);

  const std::vector<SavedView>& views() const { return views_; }
  size_t size() const { return views_.size(); }
  const std::string& path() const { return path_; }
  /// True while the list shown is the shipped defaults (the user has not saved a list yet).
  bool showing_defaults() const { return from_defaults_; }
  /// Where the thumbnail of `view` lives: <directory of the user's file>/thumbs/<id>.png.
  std::string thumbnail_path(const SavedView& view) const;

  /// "视图 N" with the smallest N >= size()+1 that no view is called yet.
  std::string suggested_name() const;
  /// `wanted` if no view has that name (ignoring view `except`), else "wanted (2)", "wanted (3)" ...
  std::string unique_name(const std::string& wanted, int except = -1) const;

  // Edits. Each changes the list and writes the file; on a write failure the list stays changed in
  // memory (the views are not lost while the viewer runs) and the failure says where and why.
  /// Appends `state` under a unique name (its own, or suggested_name() when empty); returns its index.
  gis::Result<int> add(ViewState state);
  gis::Result<bool> rename(int index, const std::string& name);
  gis::Result<bool> remove(int index);
  /// Moves view `index` by `delta` places (-1 up, +1 down), clamped to the list.
  gis::Result<bool> move(int index, int delta);
  /// Replaces the state of view `index`, keeping its name and id.
  gis::Result<bool> overwrite(int index, ViewState state);
  /// Writes the list now.
  gis::Result<bool> save();

 private:
  std::string new_id() const;
  bool valid(int index) const { return index >= 0 && static_cast<size_t>(index) < views_.size(); }

  std::string path_;
  std::vector<SavedView> views_;
  bool from_defaults_ = false;
  bool read_only_ = false;     ///< the bad user file could not be moved aside: never write over it
  std::string read_only_why_;
};

}  // namespace parktwin::scene
