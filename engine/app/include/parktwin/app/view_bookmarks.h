#pragma once
// The viewer's saved views: the store on disk (scene::ViewStore) and the thumbnails the Views panel
// shows (PNG files beside the store, uploaded as UI images). Capturing and recalling a view need
// the viewer's camera, panels and timeline, so the viewer does those and hands states in here.
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "parktwin/render/renderer.h"
#include "parktwin/scene/saved_views.h"
#include "parktwin/ui/panels.h"

namespace parktwin::app {

class ViewBookmarks {
 public:
  /// Thumbnail size in pixels (16:9, no UI drawn on it).
  static constexpr uint32_t kThumbW = 192, kThumbH = 108;

  /// Opens the user's store (or the shipped defaults); problems go to `messages`.
  ViewBookmarks(render::Renderer& renderer, const std::string& user_path, const std::string& defaults_path,
                std::vector<std::string>& messages);
  /// Releases the thumbnails' UI images (call before the renderer's UI goes).
  ~ViewBookmarks();
  ViewBookmarks(const ViewBookmarks&) = delete;
  ViewBookmarks& operator=(const ViewBookmarks&) = delete;

  /// The views' names (their characters go into the font atlas).
  std::vector<std::string> names() const;
  /// The state of view `index`, or null.
  const scene::ViewState* state(int index) const;
  /// What the Views panel shows.
  void fill(ui::ViewsInfo& info) const;

  /// Carries out the panel's edits. `capture(name)` is the current view; the scene is in that
  /// state, so Save and Overwrite render their thumbnail from it at once. `recall(index)` shows a view.
  void apply(const std::vector<ui::ViewEdit>& edits, scene::Scene& scene,
             const std::function<scene::ViewState(const std::string&)>& capture,
             const std::function<void(int)>& recall, std::vector<std::string>& messages);

  /// Gives at most one view without a thumbnail its thumbnail: the PNG beside the store, or else a
  /// render of the view (the scene is set to the view and back to `current` around it). Call once
  /// a frame; returns true when it did something.
  bool update_thumbnails(scene::Scene& scene, const scene::ViewState& current, std::vector<std::string>& messages);

 private:
  /// Renders `state` (the scene already showing it), writes the PNG and replaces the UI image.
  bool make_thumbnail(const scene::SavedView& view, const scene::Scene& scene, const scene::Camera& camera,
                      std::vector<std::string>& messages);
  void set_image(const std::string& id, uint32_t image);

  render::Renderer& renderer_;
  scene::ViewStore store_;
  std::unordered_map<std::string, uint32_t> images_;  ///< view id -> UI image id
  std::unordered_set<std::string> failed_;            ///< thumbnails that could not be made: not retried
};

}  // namespace parktwin::app
