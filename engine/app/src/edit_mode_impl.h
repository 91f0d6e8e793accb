// Internal to the viewer's edit mode: EditMode::Impl, whose methods are in edit_mode.cpp (entering,
// the journal, after an edit, zoning, the panels' requests, saving) and edit_mode_input.cpp
// (picking, snapping, the tools' mouse and keys, the previews drawn over the view).
#pragma once

#include "edit_mode.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <unordered_map>

#include <imgui.h>
#include <glm/geometric.hpp>

#include "parktwin/app/app.h"
#include "parktwin/edit/edit_json.h"
#include "parktwin/edit/journal.h"
#include "parktwin/edit/snap.h"
#include "parktwin/edit/store.h"
#include "parktwin/ui/edit_panels.h"

namespace parktwin::app {
namespace edit_mode_detail {

// GLFW key codes and modifier bits (viewer.cpp checks the shared ones against GLFW's constants).
inline constexpr int kKeyEnter = 257, kKeyKpEnter = 335, kKeyEscape = 256, kKeyBackspace = 259, kKeyDelete = 261;
inline constexpr int kKeyRight = 262, kKeyLeft = 263, kKeyDown = 264, kKeyUp = 265;
inline constexpr int kModShift = 0x0001, kModCtrl = 0x0002;

inline constexpr double kMessageSeconds = 6.0;
inline constexpr double kClickPx = 4.0;       ///< a press and release closer than this is a click
inline constexpr double kVertexPickPx = 10.0; ///< Reshape: how close to a vertex or edge the cursor must be

using ui::EditTool;

/// Which session layer: the sessions are built over {parcels, buildings} in that order.
inline constexpr int kParcels = 0, kBuildings = 1;
inline const char* const kLayerNames[2] = {"parcels", "buildings"};

struct Plan {
  std::unique_ptr<gis::LayerData> layers[2];
  std::unique_ptr<edit::EditSession> session;
  std::unique_ptr<edit::Journal> journal;  ///< every step on disk before it shows as done
  edit::PlanIndicators ind;
  size_t redo = 0;  ///< undone commands that can be redone
};

enum class Drag : uint8_t { None, Box, Move, Rotate, Scale, Vertex };

inline glm::dvec2 box_mid(const gis::Feature& f) {
  glm::dvec2 lo(1e300), hi(-1e300);
  for (const gis::Polygon& p : f.geom.polygons)
    for (glm::dvec2 q : p.outer) lo = glm::min(lo, q), hi = glm::max(hi, q);
  return (lo + hi) * 0.5;
}

inline glm::dvec2 rotate_about(glm::dvec2 p, glm::dvec2 c, double rad) {
  const double cs = std::cos(rad), sn = std::sin(rad);
  const glm::dvec2 d = p - c;
  return c + glm::dvec2(cs * d.x - sn * d.y, sn * d.x + cs * d.y);
}

}  // namespace edit_mode_detail

using edit_mode_detail::EditTool;
using edit_mode_detail::kKeyEnter;
using edit_mode_detail::kKeyKpEnter;
using edit_mode_detail::kKeyEscape;
using edit_mode_detail::kKeyBackspace;
using edit_mode_detail::kKeyDelete;
using edit_mode_detail::kKeyRight;
using edit_mode_detail::kKeyLeft;
using edit_mode_detail::kKeyDown;
using edit_mode_detail::kKeyUp;
using edit_mode_detail::kModShift;
using edit_mode_detail::kModCtrl;
using edit_mode_detail::kMessageSeconds;
using edit_mode_detail::kClickPx;
using edit_mode_detail::kVertexPickPx;
using edit_mode_detail::kParcels;
using edit_mode_detail::kBuildings;
using edit_mode_detail::kLayerNames;
using edit_mode_detail::Plan;
using edit_mode_detail::Drag;
using edit_mode_detail::box_mid;
using edit_mode_detail::rotate_about;

struct EditMode::Impl {
  scene::Scene& scene;
  GeometryChanged on_geometry;
  FlyTo fly;
  Pick pick;
  bool active = false;
  int scene_layer[2] = {-1, -1};  ///< scene layer index of the session's parcels, buildings
  Plan plans[2];
  std::unique_ptr<gis::LayerData> base[2];  ///< the layers as in the source (loaded or last saved)
  edit::ZoningRules rules;
  ui::EditUiState ui;
  std::vector<ui::EditRequest> requests;

  // Snapping: an index over both layers without the features being edited.
  edit::SnapIndex snap_index{50.0};
  bool snap_dirty = true;
  std::set<int64_t> snap_skip;
  std::string snap_skip_layer;
  edit::SnapResult last_snap;

  // The pointer this frame.
  bool cursor_ok = false;
  glm::dvec2 cursor{0.0}, snapped{0.0};
  double mpp = 1.0;

  // A drag in progress.
  Drag drag = Drag::None;
  bool left_owned = false;
  glm::dvec2 drag_start{0.0}, drag_now{0.0}, pivot{0.0};
  ImVec2 press_px{0, 0};
  edit::VertexRef drag_vertex;
  std::optional<edit::SnapResult> hover;  ///< Reshape: the vertex or edge under the cursor

  std::vector<glm::dvec2> drawn;  ///< drawing tools: the vertices so far

  // Zoning highlight: scene building indices to flag.
  std::vector<uint32_t> highlighted;

  Impl(scene::Scene& s, GeometryChanged g, FlyTo f, Pick p)
      : scene(s), on_geometry(std::move(g)), fly(std::move(f)), pick(std::move(p)) {}

  Plan& plan() { return plans[ui.plan]; }
  edit::EditSession& session() { return *plan().session; }
  const gis::LayerData& layer(int k) { return *plan().layers[k]; }

  void message(const std::string& m, bool refused) {
    ui.message = m;
    ui.refused = refused;
    ui.message_until_s = ui.now_s + (refused ? 2.0 * kMessageSeconds : kMessageSeconds);
  }

  std::string enter();

  // ---- The journal ---------------------------------------------------------------------------

  /// True for the dataset shipped with ParkTwin, which is never written (copy it to edit and save).
  bool shipped_source() const {
    std::error_code ec;
    const std::string src = base[kParcels] ? base[kParcels]->source : std::string();
    return !src.empty() && std::filesystem::equivalent(src, default_dataset_path(), ec);
  }
  /// Where plan `i`'s journal lives: the source's journal for plan A (what `parktwin edit` uses
  /// too), beside it for plan B; the shipped dataset's under the user's state folder.
  std::string journal_path(int i) const;
  /// Opens plan `i`'s journal, replaying what it holds when `replay`; returns the entries replayed.
  size_t open_journal(int i, bool replay);
  /// A refused write to the journal is said at once: the edit is on screen but not crash-safe.
  void check_journal() {
    if (plan().journal && !plan().journal->ok()) message(plan().journal->error(), true);
    else if (!plan().journal) message("no edit journal: edits are not safe from a crash (see the log)", true);
  }

  // ---- After an edit -------------------------------------------------------------------------

  /// Copies what the session changed into the scene's layers and tells the viewer.
  void changed(const std::vector<edit::Touched>& touched);

  /// The scene shows plan `p` whole.
  void show_plan();

  bool apply(const edit::Command& c);

  void undo();
  void redo();

  void drop_dead_selection() {
    const int li = session().layer_index(ui.layer);
    if (li < 0) return ui.selection.clear();
    std::erase_if(ui.selection, [&](int64_t fid) { return session().feature_index(li, fid) < 0 || session().is_deleted(li, fid); });
  }

  // ---- Zoning highlight --------------------------------------------------------------------

  void update_highlight();

  void decorate();

  // ---- Picking and snapping ----------------------------------------------------------------

  /// The feature under a ground point: buildings first, then parcels. {-1, -1} = none.
  std::pair<int, int64_t> hit(glm::dvec2 p);

  /// The feature under the mouse: what the renderer drew there when it is a parcel or a
  /// building, else the polygon under the ground point.
  std::pair<int, int64_t> hit_under_mouse();

  bool selected(int k, int64_t fid) const {
    return ui.layer == kLayerNames[k] && std::find(ui.selection.begin(), ui.selection.end(), fid) != ui.selection.end();
  }

  void select(int k, int64_t fid, bool add);

  void rebuild_snap_index();

  glm::dvec2 snap_point(glm::dvec2 p, std::optional<glm::dvec2> anchor, bool with_drawn);

  /// The selection's features (current state).
  std::vector<const gis::Feature*> selection_features();

  glm::dvec2 selection_centre();

  /// Reshape: the vertex or edge of a selected feature under the cursor.
  std::optional<edit::SnapResult> reshape_target();

  // ---- The previewed geometry of a drag ----------------------------------------------------

  /// A point of the selection as the drag in progress would place it.
  glm::dvec2 preview(glm::dvec2 p) const;
  double rotate_angle() const {
    const glm::dvec2 a = drag_start - pivot, b = drag_now - pivot;
    return std::atan2(b.y, b.x) - std::atan2(a.y, a.x);
  }
  double scale_factor() const {
    const double a = glm::length(drag_start - pivot), b = glm::length(drag_now - pivot);
    return a > 1e-6 ? std::clamp(b / a, 0.05, 20.0) : 1.0;
  }

  // ---- Input -------------------------------------------------------------------------------

  void finish_drawing();

  void add_typed_segment();

  bool on_key(int key, int mods, bool typing);

  void mouse(const scene::Camera& cam, double aspect);

  void box_select(const scene::Camera& cam, ImVec2 a, ImVec2 b, bool add);

  // ---- Drawing over the view ---------------------------------------------------------------

  void overlay(const scene::Camera& cam);

  template <typename Px>
  void snap_marker(ImDrawList* dl, Px&& px) {
    if (last_snap.kind == edit::SnapKind::None || !cursor_ok) return;
    const auto s = px(last_snap.point);
    if (!s) return;
    const ImU32 c = IM_COL32(255, 0, 200, 255);
    const float r = 7.0f;
    switch (last_snap.kind) {
      case edit::SnapKind::Vertex:  // a square
        dl->AddRect(ImVec2(s->x - r, s->y - r), ImVec2(s->x + r, s->y + r), c, 0.0f, 0, 2.0f);
        break;
      case edit::SnapKind::Edge:  // an hourglass on the edge
        dl->AddTriangle(ImVec2(s->x - r, s->y - r), ImVec2(s->x + r, s->y - r), *s, c, 2.0f);
        dl->AddTriangle(ImVec2(s->x - r, s->y + r), ImVec2(s->x + r, s->y + r), *s, c, 2.0f);
        break;
      case edit::SnapKind::Perpendicular:  // a right-angle sign
        dl->AddLine(ImVec2(s->x - r, s->y + r), ImVec2(s->x + r, s->y + r), c, 2.0f);
        dl->AddLine(ImVec2(s->x, s->y + r), ImVec2(s->x, s->y - r), c, 2.0f);
        break;
      case edit::SnapKind::Parallel:  // two slanted strokes
        dl->AddLine(ImVec2(s->x - r, s->y + r), ImVec2(s->x - 1, s->y - r), c, 2.0f);
        dl->AddLine(ImVec2(s->x + 1, s->y + r), ImVec2(s->x + r, s->y - r), c, 2.0f);
        break;
      case edit::SnapKind::Grid:  // a plus
        dl->AddLine(ImVec2(s->x - r, s->y), ImVec2(s->x + r, s->y), c, 2.0f);
        dl->AddLine(ImVec2(s->x, s->y - r), ImVec2(s->x, s->y + r), c, 2.0f);
        break;
      default: break;
    }
    // The reference edge of a perpendicular or parallel snap.
    if (last_snap.kind == edit::SnapKind::Perpendicular || last_snap.kind == edit::SnapKind::Parallel) {
      const auto a = px(last_snap.ref_a), b = px(last_snap.ref_b);
      if (a && b) dl->AddLine(*a, *b, IM_COL32(255, 0, 200, 140), 3.0f);
    }
  }

  // ---- The panels and what they ask --------------------------------------------------------

  void fill_attributes();

  void select_where();

  void carry_out(const ui::EditRequest& r);

  /// Writes the plan's changes to the source both layers were read from.
  void save();

  void leave();

  void frame(const scene::Camera& cam, double aspect, double now);
};

}  // namespace parktwin::app
