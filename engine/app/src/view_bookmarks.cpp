#include "parktwin/app/view_bookmarks.h"

#include <filesystem>

namespace parktwin::app {

ViewBookmarks::ViewBookmarks(render::Renderer& renderer, const std::string& user_path, const std::string& defaults_path,
                             std::vector<std::string>& messages)
    : renderer_(renderer), store_(scene::ViewStore::open(user_path, defaults_path, messages)) {}

ViewBookmarks::~ViewBookmarks() {
  for (const auto& [id, image] : images_) renderer_.ui_image_release(image);
}

std::vector<std::string> ViewBookmarks::names() const {
  std::vector<std::string> out;
  for (const scene::SavedView& v : store_.views()) out.push_back(v.state.name);
  return out;
}

const scene::ViewState* ViewBookmarks::state(int index) const {
  if (index < 0 || static_cast<size_t>(index) >= store_.size()) return nullptr;
  return &store_.views()[static_cast<size_t>(index)].state;
}

void ViewBookmarks::fill(ui::ViewsInfo& info) const {
  info.items.clear();
  for (const scene::SavedView& v : store_.views()) {
    const auto it = images_.find(v.id);
    info.items.push_back({v.state.name, it == images_.end() ? 0u : it->second});
  }
  info.suggested_name = store_.suggested_name();
  info.note = store_.showing_defaults()
                  ? "默认视图 Shipped views; your changes are saved to " + store_.path()
                  : "保存的视图 Saved in " + store_.path();
}

void ViewBookmarks::set_image(const std::string& id, uint32_t image) {
  if (auto it = images_.find(id); it != images_.end()) renderer_.ui_image_release(it->second);
  if (image) images_[id] = image;
  else images_.erase(id);
}

bool ViewBookmarks::make_thumbnail(const scene::SavedView& view, const scene::Scene& scene, const scene::Camera& camera,
                                   std::vector<std::string>& messages) {
  const auto snap = scene::snapshot_of(scene, camera);
  auto img = renderer_.render_offscreen({.frame = snap.get()}, kThumbW, kThumbH);
  if (!img) {
    failed_.insert(view.id);
    messages.push_back("thumbnail of view '" + view.state.name + "': " + img.error().message);
    return false;
  }
  // The picture is shown even when it cannot be kept on disk; it is rendered again next time then.
  const std::string path = store_.thumbnail_path(view);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (auto w = render::write_png(*img, path); !w) messages.push_back("thumbnail not kept: " + w.error().message);
  auto id = renderer_.ui_image_upload(*img);
  if (!id) {
    failed_.insert(view.id);
    messages.push_back("thumbnail of view '" + view.state.name + "': " + id.error().message);
    return false;
  }
  set_image(view.id, *id);
  return true;
}

void ViewBookmarks::apply(const std::vector<ui::ViewEdit>& edits, scene::Scene& scene,
                          const std::function<scene::ViewState(const std::string&)>& capture,
                          const std::function<void(int)>& recall, std::vector<std::string>& messages) {
  auto report = [&](const gis::Result<bool>& r) {
    if (!r) messages.push_back(r.error().message);
  };
  for (const ui::ViewEdit& e : edits) {
    switch (e.kind) {
      case ui::ViewEdit::Recall: recall(e.index); break;
      case ui::ViewEdit::Save:
      case ui::ViewEdit::Overwrite: {
        const scene::ViewState now = capture(e.name);
        int index = e.index;
        if (e.kind == ui::ViewEdit::Save) {
          auto added = store_.add(now);
          if (!added) messages.push_back(added.error().message);
          index = static_cast<int>(store_.size()) - 1;  // kept in memory even when not written
        } else {
          report(store_.overwrite(e.index, now));
        }
        if (index < 0 || static_cast<size_t>(index) >= store_.size()) break;
        const scene::SavedView& v = store_.views()[static_cast<size_t>(index)];
        failed_.erase(v.id);
        make_thumbnail(v, scene, scene::to_camera(now.camera, scene.frame()), messages);
        break;
      }
      case ui::ViewEdit::Rename: report(store_.rename(e.index, e.name)); break;
      case ui::ViewEdit::Delete:
        if (state(e.index)) {
          const std::string id = store_.views()[static_cast<size_t>(e.index)].id;
          report(store_.remove(e.index));
          set_image(id, 0);
        }
        break;
      case ui::ViewEdit::MoveUp: report(store_.move(e.index, -1)); break;
      case ui::ViewEdit::MoveDown: report(store_.move(e.index, +1)); break;
    }
  }
}

bool ViewBookmarks::update_thumbnails(scene::Scene& scene, const scene::ViewState& current,
                                      std::vector<std::string>& messages) {
  for (const scene::SavedView& v : store_.views()) {
    if (images_.count(v.id) || failed_.count(v.id)) continue;
    // A thumbnail kept from an earlier run: just upload it.
    const std::string path = store_.thumbnail_path(v);
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
      auto img = render::read_png(path);
      if (img && img->width > 0) {
        if (auto id = renderer_.ui_image_upload(*img)) {
          set_image(v.id, *id);
          return true;
        }
      }
    }
    // Render it: show the view's state for one offscreen frame, then put the current state back
    // (what the selection held beyond the state too). Ids the scene lacks only cost the picture.
    const int sel_layer = scene.selected_layer, sel_feature = scene.selected_feature;
    scene::Camera cam;
    (void)scene::apply(v.state, scene, cam);
    make_thumbnail(v, scene, cam, messages);
    scene::Camera ignored;
    (void)scene::apply(current, scene, ignored);
    scene.selected_layer = sel_layer;
    scene.selected_feature = sel_feature;
    return true;
  }
  return false;
}

}  // namespace parktwin::app
