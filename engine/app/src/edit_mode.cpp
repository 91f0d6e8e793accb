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
namespace {

// GLFW key codes and modifier bits (viewer.cpp checks the shared ones against GLFW's constants).
constexpr int kKeyEnter = 257, kKeyKpEnter = 335, kKeyEscape = 256, kKeyBackspace = 259, kKeyDelete = 261;
constexpr int kKeyRight = 262, kKeyLeft = 263, kKeyDown = 264, kKeyUp = 265;
constexpr int kModShift = 0x0001, kModCtrl = 0x0002;

constexpr double kMessageSeconds = 6.0;
constexpr double kClickPx = 4.0;       ///< a press and release closer than this is a click
constexpr double kVertexPickPx = 10.0; ///< Reshape: how close to a vertex or edge the cursor must be

using ui::EditTool;

/// Which session layer: the sessions are built over {parcels, buildings} in that order.
constexpr int kParcels = 0, kBuildings = 1;
const char* const kLayerNames[2] = {"parcels", "buildings"};

struct Plan {
  std::unique_ptr<gis::LayerData> layers[2];
  std::unique_ptr<edit::EditSession> session;
  std::unique_ptr<edit::Journal> journal;  ///< every step on disk before it shows as done
  edit::PlanIndicators ind;
  size_t redo = 0;  ///< undone commands that can be redone
};

enum class Drag : uint8_t { None, Box, Move, Rotate, Scale, Vertex };

glm::dvec2 box_mid(const gis::Feature& f) {
  glm::dvec2 lo(1e300), hi(-1e300);
  for (const gis::Polygon& p : f.geom.polygons)
    for (glm::dvec2 q : p.outer) lo = glm::min(lo, q), hi = glm::max(hi, q);
  return (lo + hi) * 0.5;
}

glm::dvec2 rotate_about(glm::dvec2 p, glm::dvec2 c, double rad) {
  const double cs = std::cos(rad), sn = std::sin(rad);
  const glm::dvec2 d = p - c;
  return c + glm::dvec2(cs * d.x - sn * d.y, sn * d.x + cs * d.y);
}

}  // namespace

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

  std::string enter() {
    if (plans[0].session) return "";
    scene_layer[kParcels] = scene.layer_index("parcels");
    scene_layer[kBuildings] = scene.layer_index("buildings");
    if (scene_layer[0] < 0 || scene_layer[1] < 0) return "edit mode needs the default dataset's parcels and buildings layers";
    for (int k = 0; k < 2; ++k)
      base[k] = std::make_unique<gis::LayerData>(scene.layers[static_cast<size_t>(scene_layer[k])].data);
    size_t recovered[2] = {0, 0};
    for (int i = 0; i < 2; ++i) {
      Plan& p = plans[i];
      for (int k = 0; k < 2; ++k) p.layers[k] = std::make_unique<gis::LayerData>(*base[k]);
      p.session = std::make_unique<edit::EditSession>(scene.frame(), std::vector<gis::LayerData*>{p.layers[0].get(), p.layers[1].get()});
      recovered[i] = open_journal(i, true);
    }
    const std::string rules_path = scene::default_asset_dir() + "/zoning_rules.json";
    if (std::filesystem::exists(rules_path)) {
      auto r = edit::read_zoning_rules(rules_path);
      if (r) rules = std::move(*r);
      else scene.warnings.push_back("zoning rules: " + r.error().message);
    }
    for (Plan& p : plans) p.ind = edit::compute_indicators(*p.session, rules);
    ui.rules_provenance = rules.provenance.empty() ? (rules.by_landuse.empty() && rules.by_parcel.empty()
                                                          ? "no rules file: limits from the parcels' own fields"
                                                          : "rules file")
                                                    : rules.provenance;
    update_highlight();
    if (recovered[0] || recovered[1]) {
      show_plan();
      message("recovered unsaved edits from the journal: " + std::to_string(recovered[0]) + " (" + ui.plan_names[0] +
                  "), " + std::to_string(recovered[1]) + " (" + ui.plan_names[1] + ")",
              false);
      std::cout << "edit: " << ui.message << std::endl;
    }
    return "";
  }

  // ---- The journal ---------------------------------------------------------------------------

  /// True for the dataset shipped with ParkTwin, which is never written (copy it to edit and save).
  bool shipped_source() const {
    std::error_code ec;
    const std::string src = base[kParcels] ? base[kParcels]->source : std::string();
    return !src.empty() && std::filesystem::equivalent(src, default_dataset_path(), ec);
  }
  /// Where plan `i`'s journal lives: the source's journal for plan A (what `parktwin edit` uses
  /// too), beside it for plan B; the shipped dataset's under the user's state folder.
  std::string journal_path(int i) const {
    const std::string src = base[kParcels]->source;
    std::string path = edit::Journal::default_path(src);
    if (shipped_source()) {
      const char* x = std::getenv("XDG_STATE_HOME");
      const char* h = std::getenv("HOME");
      const std::string state = x && *x ? x : std::string(h && *h ? h : "/tmp") + "/.local/state";
      path = state + "/parktwin/journals/default-layout.ptjournal";
    }
    return i == 0 ? path : path + "-plan-b";
  }
  /// Opens plan `i`'s journal, replaying what it holds when `replay`; returns the entries replayed.
  size_t open_journal(int i, bool replay) {
    Plan& p = plans[i];
    p.journal.reset();
    const std::string path = journal_path(i), src = base[kParcels]->source;
    size_t n = 0;
    auto contents = edit::Journal::read(path);
    if (!contents) {
      scene.warnings.push_back("edit journal: " + contents.error().message);
      return 0;
    }
    if (replay && !contents->entries.empty() && contents->source == edit::Journal::source_name(src))
      n = edit::Journal::replay(*p.session, *contents);
    auto j = edit::Journal::open(path, src);
    if (!j) {
      scene.warnings.push_back("edit journal: " + j.error().message + " — edits are not safe from a crash");
      return n;
    }
    p.journal = std::move(*j);
    if (!replay) (void)p.journal->clear();
    p.journal->attach(*p.session);
    return n;
  }
  /// A refused write to the journal is said at once: the edit is on screen but not crash-safe.
  void check_journal() {
    if (plan().journal && !plan().journal->ok()) message(plan().journal->error(), true);
    else if (!plan().journal) message("no edit journal: edits are not safe from a crash (see the log)", true);
  }

  // ---- After an edit -------------------------------------------------------------------------

  /// Copies what the session changed into the scene's layers and tells the viewer.
  void changed(const std::vector<edit::Touched>& touched) {
    std::vector<edit::Touched> in_scene;
    for (const edit::Touched& t : touched) {
      if (t.layer_index < 0 || t.layer_index > 1) continue;
      const gis::LayerData& src = layer(t.layer_index);
      gis::LayerData& dst = scene.layers[static_cast<size_t>(scene_layer[t.layer_index])].data;
      dst.fields = src.fields;  // a save may add the version field
      if (dst.features.size() < src.features.size()) dst.features.resize(src.features.size());
      for (size_t i : t.features)
        if (i < src.features.size()) dst.features[i] = src.features[i];
      edit::Touched s = t;
      s.layer_index = scene_layer[t.layer_index];
      in_scene.push_back(std::move(s));
    }
    plan().ind = edit::compute_indicators(session(), rules);
    snap_dirty = true;
    ui.attr_for.clear();
    if (on_geometry && !in_scene.empty()) on_geometry(in_scene);
    update_highlight();  // after the geometry: new buildings have their scene index now
  }

  /// The scene shows plan `p` whole.
  void show_plan() {
    std::vector<edit::Touched> all;
    for (int k = 0; k < 2; ++k) {
      edit::Touched t;
      t.layer = kLayerNames[k];
      t.layer_index = k;
      for (size_t i = 0; i < std::max(layer(k).features.size(),
                                       scene.layers[static_cast<size_t>(scene_layer[k])].data.features.size()); ++i)
        t.features.push_back(i);
      all.push_back(std::move(t));
    }
    // Features the other plan has beyond this one's count stay as empty tombstones.
    for (int k = 0; k < 2; ++k) {
      gis::LayerData& dst = scene.layers[static_cast<size_t>(scene_layer[k])].data;
      for (size_t i = layer(k).features.size(); i < dst.features.size(); ++i) dst.features[i].geom = {};
    }
    changed(all);
  }

  bool apply(const edit::Command& c) {
    auto r = session().apply(c);
    if (!r) {
      message(r.error().message, true);
      std::cout << "edit: refused " << edit::command_name(c) << ": " << r.error().message << std::endl;
      return false;
    }
    plan().redo = 0;
    message(r->summary, false);
    check_journal();
    std::cout << "edit: " << r->summary << std::endl;
    changed(r->touched);
    drop_dead_selection();
    if (!r->created.empty()) {
      ui.selection = r->created;
      std::visit([&](const auto& cmd) { ui.layer = cmd.layer; }, c);
    }
    return true;
  }

  void undo() {
    if (auto r = session().undo()) {
      ++plan().redo;
      message(r->summary, false);
      check_journal();
      std::cout << "edit: " << r->summary << std::endl;
      changed(r->touched);
      drop_dead_selection();
    }
  }
  void redo() {
    if (auto r = session().redo()) {
      if (plan().redo) --plan().redo;
      message(r->summary, false);
      check_journal();
      std::cout << "edit: " << r->summary << std::endl;
      changed(r->touched);
      drop_dead_selection();
    }
  }

  void drop_dead_selection() {
    const int li = session().layer_index(ui.layer);
    if (li < 0) return ui.selection.clear();
    std::erase_if(ui.selection, [&](int64_t fid) { return session().feature_index(li, fid) < 0 || session().is_deleted(li, fid); });
  }

  // ---- Zoning highlight --------------------------------------------------------------------

  void update_highlight() {
    highlighted.clear();
    std::set<std::string> parcel_ids;
    std::set<int64_t> building_fids;
    for (const edit::Violation& v : plan().ind.violations) {
      parcel_ids.insert(v.parcel_id);
      if (v.building_fid >= 0) building_fids.insert(v.building_fid);
    }
    const gis::LayerData& b = layer(kBuildings);
    const int pf = b.field("parcel_id");
    std::set<uint32_t> features;
    for (size_t i = 0; i < b.features.size(); ++i)
      if (building_fids.count(b.features[i].fid) || (pf >= 0 && parcel_ids.count(gis::attr_string(b.features[i], pf))))
        features.insert(static_cast<uint32_t>(i));
    for (size_t i = 0; i < scene.buildings.size(); ++i) {
      const scene::Building& sb = scene.buildings[i];
      if (static_cast<int>(sb.layer) == scene_layer[kBuildings] && features.count(sb.feature))
        highlighted.push_back(static_cast<uint32_t>(i));
    }
    scene.restyle();  // clears the flags of buildings that no longer break a rule
  }

  void decorate() {
    bool changed_any = false;
    for (uint32_t i : highlighted) {
      if (i >= scene.styles.size()) continue;
      if (!(scene.styles[i].flags & scene::kFlagHighlighted)) {
        scene.styles[i].flags |= scene::kFlagHighlighted;
        scene.touch_style(i);
        changed_any = true;
      }
    }
    if (changed_any) scene.commit_styles();
  }

  // ---- Picking and snapping ----------------------------------------------------------------

  /// The feature under a ground point: buildings first, then parcels. {-1, -1} = none.
  std::pair<int, int64_t> hit(glm::dvec2 p) {
    for (int k : {kBuildings, kParcels}) {
      const gis::LayerData& d = layer(k);
      for (const gis::Feature& f : d.features)
        for (const gis::Polygon& poly : f.geom.polygons)
          if (gis::polygon_contains(poly, p)) return {k, f.fid};
    }
    return {-1, -1};
  }

  /// The feature under the mouse: what the renderer drew there when it is a parcel or a
  /// building, else the polygon under the ground point.
  std::pair<int, int64_t> hit_under_mouse() {
    if (pick) {
      const ImVec2 m = ImGui::GetIO().MousePos;
      const auto [sl, fi] = pick(m.x, m.y);
      for (int k = 0; k < 2; ++k)
        if (sl >= 0 && sl == scene_layer[k] && fi >= 0 && static_cast<size_t>(fi) < layer(k).features.size() &&
            !layer(k).features[static_cast<size_t>(fi)].geom.polygons.empty())
          return {k, layer(k).features[static_cast<size_t>(fi)].fid};
    }
    return hit(cursor);
  }

  bool selected(int k, int64_t fid) const {
    return ui.layer == kLayerNames[k] && std::find(ui.selection.begin(), ui.selection.end(), fid) != ui.selection.end();
  }

  void select(int k, int64_t fid, bool add) {
    if (!add || ui.layer != kLayerNames[k]) ui.selection.clear();
    ui.layer = kLayerNames[k];
    auto it = std::find(ui.selection.begin(), ui.selection.end(), fid);
    if (it != ui.selection.end() && add) ui.selection.erase(it);
    else if (it == ui.selection.end()) ui.selection.push_back(fid);
  }

  void rebuild_snap_index() {
    std::set<int64_t> skip;
    std::string skip_layer;
    const bool moving = ui.tool == EditTool::Move || ui.tool == EditTool::Reshape;
    if (moving) skip = std::set<int64_t>(ui.selection.begin(), ui.selection.end()), skip_layer = ui.layer;
    if (!snap_dirty && skip == snap_skip && skip_layer == snap_skip_layer) return;
    snap_index.clear();
    for (int k = 0; k < 2; ++k) snap_index.add_layer(k, layer(k), skip_layer == kLayerNames[k] ? skip : std::set<int64_t>{});
    snap_skip = std::move(skip);
    snap_skip_layer = std::move(skip_layer);
    snap_dirty = false;
  }

  glm::dvec2 snap_point(glm::dvec2 p, std::optional<glm::dvec2> anchor, bool with_drawn) {
    last_snap = {};
    last_snap.point = p;
    if (!ui.snapping) return p;
    rebuild_snap_index();
    edit::SnapQuery q;
    q.cursor = p;
    q.metres_per_pixel = mpp;
    q.anchor = anchor;
    if (with_drawn)
      for (size_t i = 0; i + 1 < drawn.size(); ++i) q.extra.push_back({drawn[i], drawn[i + 1]});
    edit::SnapOptions o;
    o.grid_m = ui.grid_m;
    last_snap = edit::snap(snap_index, q, o);
    return last_snap.point;
  }

  /// The selection's features (current state).
  std::vector<const gis::Feature*> selection_features() {
    std::vector<const gis::Feature*> out;
    const int li = session().layer_index(ui.layer);
    if (li < 0) return out;
    const gis::LayerData& d = *session().layers()[static_cast<size_t>(li)];
    for (int64_t fid : ui.selection)
      if (const long i = session().feature_index(li, fid); i >= 0) out.push_back(&d.features[static_cast<size_t>(i)]);
    return out;
  }

  glm::dvec2 selection_centre() {
    glm::dvec2 lo(1e300), hi(-1e300);
    for (const gis::Feature* f : selection_features())
      for (const gis::Polygon& p : f->geom.polygons)
        for (glm::dvec2 q : p.outer) lo = glm::min(lo, q), hi = glm::max(hi, q);
    return lo.x <= hi.x ? (lo + hi) * 0.5 : glm::dvec2(0.0);
  }

  /// Reshape: the vertex or edge of a selected feature under the cursor.
  std::optional<edit::SnapResult> reshape_target() {
    edit::SnapIndex idx(50.0);
    const int li = session().layer_index(ui.layer);
    for (const gis::Feature* f : selection_features())
      for (size_t k = 0; k < f->geom.polygons.size(); ++k) idx.add_polygon(li, f->fid, static_cast<int>(k), f->geom.polygons[k]);
    edit::SnapQuery q;
    q.cursor = cursor;
    q.metres_per_pixel = mpp;
    edit::SnapOptions o;
    o.tolerance_px = kVertexPickPx;
    o.perpendicular = o.parallel = false;
    const edit::SnapResult r = edit::snap(idx, q, o);
    if (r.kind == edit::SnapKind::None) return std::nullopt;
    return r;
  }

  // ---- The previewed geometry of a drag ----------------------------------------------------

  /// A point of the selection as the drag in progress would place it.
  glm::dvec2 preview(glm::dvec2 p) const {
    switch (drag) {
      case Drag::Move: return p + (drag_now - drag_start);
      case Drag::Rotate: return rotate_about(p, pivot, rotate_angle());
      case Drag::Scale: return pivot + (p - pivot) * scale_factor();
      default: return p;
    }
  }
  double rotate_angle() const {
    const glm::dvec2 a = drag_start - pivot, b = drag_now - pivot;
    return std::atan2(b.y, b.x) - std::atan2(a.y, a.x);
  }
  double scale_factor() const {
    const double a = glm::length(drag_start - pivot), b = glm::length(drag_now - pivot);
    return a > 1e-6 ? std::clamp(b / a, 0.05, 20.0) : 1.0;
  }

  // ---- Input -------------------------------------------------------------------------------

  void finish_drawing() {
    if (ui.tool == EditTool::Split) {
      if (drawn.size() < 2) return message("a split line needs at least two points", true);
      int64_t fid = -1;
      if (ui.layer == "parcels" && ui.selection.size() == 1) fid = ui.selection.front();
      else if (auto h = hit((drawn.front() + drawn.back()) * 0.5); h.first == kParcels) fid = h.second;
      if (fid < 0) return message("select the parcel to split first", true);
      if (apply(edit::SplitParcel{"parcels", fid, drawn})) drawn.clear();
      return;
    }
    if (drawn.size() < 3) return message("an outline needs at least three points", true);
    gis::Polygon poly;
    poly.outer = drawn;
    if (gis::ring_signed_area(poly.outer) < 0) std::reverse(poly.outer.begin(), poly.outer.end());
    const int k = ui.tool == EditTool::DrawBuilding ? kBuildings : kParcels;
    std::map<std::string, gis::AttrValue> attrs;
    const gis::LayerData& d = layer(k);
    // Values typed like the layer's existing ones (the session refuses a wrong type).
    auto typed = [&](const std::string& field, double v) -> std::optional<gis::AttrValue> {
      const int fi = d.field(field);
      if (fi < 0) return std::nullopt;
      for (const gis::Feature& f : d.features)
        if (static_cast<size_t>(fi) < f.attrs.size()) {
          if (std::holds_alternative<int64_t>(f.attrs[static_cast<size_t>(fi)])) return gis::AttrValue(static_cast<int64_t>(std::lround(v)));
          if (std::holds_alternative<double>(f.attrs[static_cast<size_t>(fi)])) return gis::AttrValue(v);
        }
      return gis::AttrValue(v);
    };
    const glm::dvec2 mid = [&] {
      glm::dvec2 s(0.0);
      for (auto p : drawn) s += p;
      return s / static_cast<double>(drawn.size());
    }();
    if (k == kBuildings) {
      if (auto v = typed("floors", 4)) attrs["floors"] = *v;
      if (auto v = typed("height_m", 16.0)) attrs["height_m"] = *v;
      // The parcel it stands in gives its parcel and park ids.
      const gis::LayerData& parcels = layer(kParcels);
      for (const gis::Feature& f : parcels.features)
        for (const gis::Polygon& p : f.geom.polygons)
          if (gis::polygon_contains(p, mid))
            for (const char* field : {"parcel_id", "park_id"})
              if (d.field(field) >= 0 && parcels.field(field) >= 0) attrs[field] = gis::attr_string(f, parcels.field(field));
    } else if (d.field("landuse") >= 0) {
      attrs["landuse"] = std::string("industrial");
    }
    if (apply(edit::AddFeature{kLayerNames[k], poly, attrs})) drawn.clear();
  }

  void add_typed_segment() {
    if (drawn.empty()) return;
    const double len = std::atof(ui.seg_length);
    const double deg = std::atof(ui.seg_angle);
    if (!(len > 0.0)) return message("type the length of the next segment in metres", true);
    const double a = deg * M_PI / 180.0;  // counter-clockwise from east
    drawn.push_back(drawn.back() + len * glm::dvec2(std::cos(a), std::sin(a)));
  }

  bool on_key(int key, int mods, bool typing) {
    const bool ctrl = mods & kModCtrl, shift = mods & kModShift;
    if (ctrl && key == 'Z' && !shift) return undo(), true;
    if (ctrl && (key == 'Y' || (key == 'Z' && shift))) return redo(), true;
    if (typing) return false;
    const bool drawing = ui.tool == EditTool::DrawBuilding || ui.tool == EditTool::DrawParcel || ui.tool == EditTool::Split;
    switch (key) {
      case 'S':
        if (mods) return false;
        ui.snapping = !ui.snapping;
        message(ui.snapping ? "snapping on" : "snapping off", false);
        return true;
      case kKeyEnter:
      case kKeyKpEnter:
        if (!drawing || drawn.empty()) return false;
        finish_drawing();
        return true;
      case kKeyBackspace:
        if (!drawing || drawn.empty()) return false;
        drawn.pop_back();
        return true;
      case kKeyEscape:
        if (drag != Drag::None || !drawn.empty()) {
          drag = Drag::None;
          left_owned = false;
          drawn.clear();
          return true;
        }
        if (!ui.selection.empty()) return ui.selection.clear(), true;
        return false;
      case kKeyDelete:
        if (ui.tool == EditTool::Reshape && hover && hover->kind == edit::SnapKind::Vertex) {
          apply(edit::DeleteVertex{ui.layer, {hover->fid, hover->part, hover->ring, hover->index}});
          return true;
        }
        if (ui.selection.empty()) return false;
        apply(edit::DeleteFeatures{ui.layer, ui.selection});
        return true;
      case kKeyLeft:
      case kKeyRight:
      case kKeyUp:
      case kKeyDown: {
        if (ui.tool != EditTool::Move || ui.selection.empty()) return true;  // arrows never pan in edit mode
        const double step = shift ? 10.0 : 1.0;
        const glm::dvec2 d = key == kKeyLeft ? glm::dvec2(-step, 0) : key == kKeyRight ? glm::dvec2(step, 0)
                             : key == kKeyUp ? glm::dvec2(0, step) : glm::dvec2(0, -step);
        apply(edit::Move{ui.layer, ui.selection, d});
        return true;
      }
      default: return false;
    }
  }

  void mouse(const scene::Camera& cam, double aspect) {
    ImGuiIO& io = ImGui::GetIO();
    cursor_ok = false;
    hover.reset();
    if (!ImGui::IsMousePosValid() || io.DisplaySize.x <= 0 || io.DisplaySize.y <= 0) return;
    const auto ndc = [&](double x, double y) { return glm::dvec2(2.0 * x / io.DisplaySize.x - 1.0, 2.0 * y / io.DisplaySize.y - 1.0); };
    const auto g = cam.ground_at(ndc(io.MousePos.x, io.MousePos.y), aspect);
    const auto g1 = cam.ground_at(ndc(io.MousePos.x + 1.0, io.MousePos.y), aspect);
    if (!g) return;
    cursor_ok = true;
    cursor = glm::dvec2(*g);
    mpp = g1 ? std::max(1e-3, glm::length(glm::dvec2(*g1) - cursor)) : 1.0;
    const bool drawing = ui.tool == EditTool::DrawBuilding || ui.tool == EditTool::DrawParcel || ui.tool == EditTool::Split;

    // Where the cursor lands for this tool (nothing while it is over a panel).
    snapped = cursor;
    last_snap = {};
    ui.snap_kind.clear();
    if (io.WantCaptureMouse && !left_owned) return;
    if (drawing) snapped = snap_point(cursor, drawn.empty() ? std::nullopt : std::optional(drawn.back()), true);
    else if (drag == Drag::Move) snapped = snap_point(cursor, std::nullopt, false);
    else if (drag == Drag::Vertex) snapped = snap_point(cursor, std::nullopt, false);
    if (ui.tool == EditTool::Reshape && drag == Drag::None) hover = reshape_target();
    ui.snap_kind = last_snap.kind == edit::SnapKind::None ? "" : edit::snap_kind_name(last_snap.kind);

    const bool ctrl = io.KeyCtrl;
    if (ImGui::IsMouseClicked(0) && !io.WantCaptureMouse && !io.KeyShift) {
      press_px = io.MousePos;
      left_owned = true;
      drag_start = drag_now = cursor;
      switch (ui.tool) {
        case EditTool::Select: drag = Drag::Box; break;
        case EditTool::Move: {
          const auto h = hit_under_mouse();
          if (h.first >= 0 && !selected(h.first, h.second)) select(h.first, h.second, false);
          if (h.first >= 0 || !ui.selection.empty()) {
            drag = Drag::Move;
            // Grab a vertex of the selection when the press is near one: it is what snaps.
            if (auto v = reshape_target(); v && v->kind == edit::SnapKind::Vertex) drag_start = drag_now = v->point;
          }
          break;
        }
        case EditTool::Rotate:
        case EditTool::Scale:
          if (!ui.selection.empty()) {
            drag = ui.tool == EditTool::Rotate ? Drag::Rotate : Drag::Scale;
            pivot = selection_centre();
          }
          break;
        case EditTool::Reshape:
          if (auto t = reshape_target(); t && t->kind == edit::SnapKind::Vertex) {
            drag = Drag::Vertex;
            drag_vertex = {t->fid, t->part, t->ring, t->index};
            drag_start = drag_now = t->point;
          }
          break;
        default: break;
      }
    }
    if (drag != Drag::None && ImGui::IsMouseDown(0)) {
      drag_now = (drag == Drag::Move || drag == Drag::Vertex) ? snapped : cursor;
      if (drag == Drag::Move && last_snap.kind == edit::SnapKind::None) drag_now = drag_start + (cursor - drag_start);
    }
    if (ImGui::IsMouseReleased(0) && left_owned) {
      left_owned = false;
      const double moved_px = std::hypot(io.MousePos.x - press_px.x, io.MousePos.y - press_px.y);
      const bool click = moved_px < kClickPx;
      const Drag d = drag;
      drag = Drag::None;
      switch (ui.tool) {
        case EditTool::Select:
          if (click) {
            const auto h = hit_under_mouse();
            if (h.first >= 0) select(h.first, h.second, ctrl);
            else if (!ctrl) ui.selection.clear();
          } else {
            box_select(cam, press_px, io.MousePos, ctrl);
          }
          break;
        case EditTool::Move:
          if (d == Drag::Move && !click) apply(edit::Move{ui.layer, ui.selection, drag_now - drag_start});
          break;
        case EditTool::Rotate:
          if (d == Drag::Rotate && !click) apply(edit::Rotate{ui.layer, ui.selection, rotate_angle() * 180.0 / M_PI, pivot});
          break;
        case EditTool::Scale:
          if (d == Drag::Scale && !click) apply(edit::Scale{ui.layer, ui.selection, scale_factor(), pivot});
          break;
        case EditTool::Reshape:
          if (d == Drag::Vertex && !click) {
            apply(edit::MoveVertex{ui.layer, drag_vertex, drag_now});
          } else if (click) {
            if (auto t = reshape_target(); t && t->kind == edit::SnapKind::Edge) {
              apply(edit::InsertVertex{ui.layer, {t->fid, t->part, t->ring, t->index + 1}, t->point});
            } else if (!t) {
              const auto h = hit_under_mouse();
              if (h.first >= 0) select(h.first, h.second, false);
            }
          }
          break;
        case EditTool::DrawBuilding:
        case EditTool::DrawParcel:
        case EditTool::Split:
          if (click) {
            if (drawn.empty() || glm::length(drawn.back() - snapped) > 1e-6) drawn.push_back(snapped);
            if (ImGui::IsMouseDoubleClicked(0) || io.MouseClickedCount[0] >= 2) finish_drawing();
          }
          break;
      }
    }
    // Right click: Reshape deletes the vertex under the cursor; drawing removes the last vertex.
    if (ImGui::IsMouseReleased(1) && !io.WantCaptureMouse) {
      const ImVec2 d(io.MousePos.x - io.MouseClickedPos[1].x, io.MousePos.y - io.MouseClickedPos[1].y);
      if (d.x * d.x + d.y * d.y < kClickPx * kClickPx) {
        if (ui.tool == EditTool::Reshape && hover && hover->kind == edit::SnapKind::Vertex)
          apply(edit::DeleteVertex{ui.layer, {hover->fid, hover->part, hover->ring, hover->index}});
        else if (drawing && !drawn.empty())
          drawn.pop_back();
      }
    }
  }

  void box_select(const scene::Camera& cam, ImVec2 a, ImVec2 b, bool add) {
    const ImGuiIO& io = ImGui::GetIO();
    const scene::ScreenProjector project(cam, {io.DisplaySize.x, io.DisplaySize.y});
    const double x0 = std::min(a.x, b.x), x1 = std::max(a.x, b.x), y0 = std::min(a.y, b.y), y1 = std::max(a.y, b.y);
    if (!add) ui.selection.clear();
    for (int k : {kBuildings, kParcels}) {
      std::vector<int64_t> found;
      for (const gis::Feature& f : layer(k).features) {
        if (f.geom.polygons.empty()) continue;
        const auto s = project(glm::dvec3(box_mid(f), 0.0));
        if (s && s->x >= x0 && s->x <= x1 && s->y >= y0 && s->y <= y1) found.push_back(f.fid);
      }
      if (found.empty()) continue;
      if (ui.layer != kLayerNames[k]) ui.selection.clear();
      ui.layer = kLayerNames[k];
      for (int64_t fid : found)
        if (std::find(ui.selection.begin(), ui.selection.end(), fid) == ui.selection.end()) ui.selection.push_back(fid);
      return;  // buildings first: a box over a parcel's buildings selects the buildings
    }
  }

  // ---- Drawing over the view ---------------------------------------------------------------

  void overlay(const scene::Camera& cam) {
    const ImGuiIO& io = ImGui::GetIO();
    const scene::ScreenProjector project(cam, {io.DisplaySize.x, io.DisplaySize.y});
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    auto px = [&](glm::dvec2 p) -> std::optional<ImVec2> {
      const auto s = project(glm::dvec3(p, 0.0));
      if (!s) return std::nullopt;
      return ImVec2(static_cast<float>(s->x), static_cast<float>(s->y));
    };
    auto ring = [&](const gis::Ring& r, ImU32 col, float w, auto&& transform) {
      std::vector<ImVec2> pts;
      for (glm::dvec2 q : r)
        if (auto s = px(transform(q))) pts.push_back(*s);
      if (pts.size() >= 2) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), col, ImDrawFlags_Closed, w);
    };
    const ImU32 sel_col = IM_COL32(40, 220, 255, 255), prev_col = IM_COL32(255, 170, 0, 255);
    const auto identity = [](glm::dvec2 q) { return q; };
    for (const gis::Feature* f : selection_features())
      for (size_t pi = 0; pi < f->geom.polygons.size(); ++pi) {
        const gis::Polygon& p = f->geom.polygons[pi];
        ring(p.outer, sel_col, 2.0f, identity);
        if (drag == Drag::Move || drag == Drag::Rotate || drag == Drag::Scale) {
          ring(p.outer, prev_col, 2.5f, [&](glm::dvec2 q) { return preview(q); });
        } else if (drag == Drag::Vertex && f->fid == drag_vertex.fid && static_cast<int>(pi) == drag_vertex.part) {
          gis::Ring r = drag_vertex.ring == 0 ? p.outer : p.holes[static_cast<size_t>(drag_vertex.ring - 1)];
          if (drag_vertex.index >= 0 && static_cast<size_t>(drag_vertex.index) < r.size()) r[static_cast<size_t>(drag_vertex.index)] = drag_now;
          ring(r, prev_col, 2.5f, identity);
        }
        if (ui.tool == EditTool::Reshape)
          for (glm::dvec2 q : p.outer)
            if (auto s = px(q)) dl->AddRectFilled(ImVec2(s->x - 3, s->y - 3), ImVec2(s->x + 3, s->y + 3), sel_col);
      }
    if (hover)
      if (auto s = px(hover->point)) dl->AddCircle(*s, 7.0f, IM_COL32(255, 255, 255, 255), 12, 2.0f);
    // The outline being drawn, with the rubber band to the cursor.
    if (!drawn.empty()) {
      std::vector<ImVec2> pts;
      for (glm::dvec2 q : drawn)
        if (auto s = px(q)) pts.push_back(*s);
      if (cursor_ok)
        if (auto s = px(snapped)) pts.push_back(*s);
      if (pts.size() >= 2) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), prev_col, ImDrawFlags_None, 2.0f);
      for (const ImVec2& s : pts) dl->AddCircleFilled(s, 3.0f, prev_col);
      if (cursor_ok && drawn.size() >= 1) {
        const glm::dvec2 d = snapped - drawn.back();
        char b[64];
        std::snprintf(b, sizeof b, "%.1f m  %.1f\xc2\xb0", glm::length(d), std::atan2(d.y, d.x) * 180.0 / M_PI);
        if (auto s = px(snapped)) dl->AddText(ImVec2(s->x + 12, s->y + 10), IM_COL32(255, 255, 255, 255), b);
      }
    }
    if (drag == Drag::Box) {
      const ImVec2 m = ImGui::GetIO().MousePos;
      dl->AddRect(press_px, m, sel_col, 0.0f, 0, 1.5f);
      dl->AddRectFilled(press_px, m, IM_COL32(40, 220, 255, 40));
    }
    snap_marker(dl, px);
  }

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

  void fill_attributes() {
    const std::string key = ui.layer + ":" + (ui.selection.empty() ? "-" : std::to_string(ui.selection.front())) + ":" +
                            std::to_string(ui.plan) + ":" + std::to_string(session().undo_depth()) + ":" + std::to_string(plan().redo);
    if (key == ui.attr_for) return;
    ui.attr_for = key;
    ui.attr_text.clear();
    if (ui.selection.empty()) return;
    const edit::FeatureState f = session().feature(ui.layer, ui.selection.front());
    for (const gis::AttrValue& v : f.feature.attrs) {
      if (const auto* i = std::get_if<int64_t>(&v)) ui.attr_text.push_back(std::to_string(*i));
      else if (const auto* d = std::get_if<double>(&v)) {
        char b[64];
        std::snprintf(b, sizeof b, "%.10g", *d);
        ui.attr_text.push_back(b);
      } else if (const auto* s = std::get_if<std::string>(&v)) ui.attr_text.push_back(*s);
      else ui.attr_text.push_back("");
    }
  }

  void select_where() {
    const std::string field = ui.where_field, value = ui.where_value;
    for (int k : {kBuildings, kParcels}) {
      const gis::LayerData& d = layer(k);
      const int fi = d.field(field);
      if (fi < 0) continue;
      ui.selection.clear();
      ui.layer = kLayerNames[k];
      for (const gis::Feature& f : d.features) {
        if (f.geom.polygons.empty()) continue;
        const gis::AttrValue& v = static_cast<size_t>(fi) < f.attrs.size() ? f.attrs[static_cast<size_t>(fi)] : gis::AttrValue{};
        std::string text = gis::attr_string(f, fi);
        if (const auto* i = std::get_if<int64_t>(&v)) text = std::to_string(*i);
        if (const auto* x = std::get_if<double>(&v)) {
          char b[64];
          std::snprintf(b, sizeof b, "%g", *x);
          text = b;
        }
        if (text == value) ui.selection.push_back(f.fid);
      }
      return message(std::to_string(ui.selection.size()) + " " + kLayerNames[k] + " where " + field + " = " + value, false);
    }
    message("no field '" + field + "' in parcels or buildings", true);
  }

  void carry_out(const ui::EditRequest& r) {
    switch (r.kind) {
      case ui::EditRequest::Apply: apply(r.command); break;
      case ui::EditRequest::Undo: undo(); break;
      case ui::EditRequest::Redo: redo(); break;
      case ui::EditRequest::SetTool:
        ui.tool = r.tool;
        drawn.clear();
        drag = Drag::None;
        break;
      case ui::EditRequest::SelectWhere: select_where(); break;
      case ui::EditRequest::SelectParcel:
        ui.layer = "parcels";
        ui.selection = {r.fid};
        break;
      case ui::EditRequest::FlyToParcel:
        if (const long i = session().feature_index(kParcels, r.fid); i >= 0 && fly)
          fly(box_mid(layer(kParcels).features[static_cast<size_t>(i)]), 600.0);
        break;
      case ui::EditRequest::SwitchPlan:
        if (r.plan == ui.plan || r.plan < 0 || r.plan > 1) break;
        ui.plan = r.plan;
        ui.selection.clear();
        drawn.clear();
        show_plan();
        message("showing " + ui.plan_names[ui.plan], false);
        break;
      case ui::EditRequest::ResetPlan: {
        // This plan becomes a copy of the other: a new session over the source's layers (its
        // history restarts) given the other plan's changes, so that they are this plan's to save,
        // and journaled as such.
        Plan& p = plans[r.plan];
        const Plan& o = plans[1 - r.plan];
        for (int k = 0; k < 2; ++k) p.layers[k] = std::make_unique<gis::LayerData>(*base[k]);
        p.session = std::make_unique<edit::EditSession>(scene.frame(), std::vector<gis::LayerData*>{p.layers[0].get(), p.layers[1].get()});
        open_journal(r.plan, false);
        for (const edit::LayerChanges& c : o.session->changes()) {
          std::vector<edit::FeatureState> states;
          for (const auto* list : {&c.modified, &c.added, &c.deleted})
            for (int64_t fid : *list) states.push_back(o.session->feature(c.layer, fid));
          p.session->restore(c.layer, states);
        }
        p.redo = 0;
        ui.selection.clear();
        show_plan();
        message(ui.plan_names[r.plan] + " is now a copy of " + ui.plan_names[1 - r.plan], false);
        break;
      }
      case ui::EditRequest::SegmentTyped: add_typed_segment(); break;
      case ui::EditRequest::FinishDrawing: finish_drawing(); break;
      case ui::EditRequest::Save: save(); break;
      case ui::EditRequest::Exit: leave(); break;
    }
  }

  /// Writes the plan's changes to the source both layers were read from.
  void save() {
    const std::string source = layer(kParcels).source;
    if (shipped_source())
      return message("the shipped dataset is not saved over: copy it (cp " + default_dataset_path() +
                         " plan.gpkg) and start with --dataset plan.gpkg; your edits stay in the journal " +
                         journal_path(ui.plan),
                     true);
    auto r = edit::save_changes(session(), source);
    if (!r) return message("not saved: " + r.error().message, true);
    if (!r->saved()) {
      std::string m = "not saved: " + std::to_string(r->conflicts.size()) + " conflicts with another planner's save";
      for (const edit::SaveConflict& c : r->conflicts) m += "\n" + c.message;
      return message(m, true);
    }
    message(r->summary, false);
    std::cout << "edit: " << r->summary << std::endl;
    if (plan().journal)
      if (auto c = plan().journal->clear(); !c) message(r->summary + "; " + c.error().message, true);
    // The source now holds this plan: it is the base the other plan is compared with.
    for (int k = 0; k < 2; ++k) base[k] = std::make_unique<gis::LayerData>(layer(k));
    show_plan();  // versions were bumped, new features may have taken other fids in the source
  }

  void leave() {
    active = false;
    drag = Drag::None;
    left_owned = false;
    drawn.clear();
    highlighted.clear();
    scene.restyle();
  }

  void frame(const scene::Camera& cam, double aspect, double now) {
    ui.now_s = now;
    mouse(cam, aspect);
    overlay(cam);
    ui.undo_depth = session().undo_depth();
    ui.redo_depth = plan().redo;
    ui.drawn_vertices = drawn.size();
    fill_attributes();
    ui::draw_edit_panels(session(), plan().ind, &plans[1 - ui.plan].ind, ui, requests);
    std::vector<ui::EditRequest> todo;
    todo.swap(requests);
    for (const ui::EditRequest& r : todo) carry_out(r);
  }
};

EditMode::EditMode(scene::Scene& scene, GeometryChanged on_geometry, FlyTo fly, Pick pick)
    : impl_(std::make_unique<Impl>(scene, std::move(on_geometry), std::move(fly), std::move(pick))) {}
EditMode::~EditMode() = default;

bool EditMode::active() const { return impl_->active; }

std::string EditMode::set_active(bool on) {
  if (on == impl_->active) return "";
  if (on) {
    if (std::string m = impl_->enter(); !m.empty()) return m;
    impl_->active = true;
    impl_->update_highlight();
  } else {
    impl_->leave();
  }
  return "";
}

bool EditMode::on_key(int key, int mods, bool typing) { return impl_->active && impl_->on_key(key, mods, typing); }

void EditMode::frame(const scene::Camera& cam, double aspect, double now_s) {
  if (impl_->active) impl_->frame(cam, aspect, now_s);
}

bool EditMode::uses_left_mouse() const { return impl_->active && (impl_->left_owned || impl_->drag != Drag::None); }

void EditMode::decorate_styles() {
  if (impl_->active) impl_->decorate();
}

gis::Result<int> EditMode::apply_script(const std::string& path, std::ostream& log) {
  if (std::string m = set_active(true); !m.empty()) return gis::Failure{gis::Failure::ConfigurationError, m};
  std::ifstream in(path);
  if (!in) return gis::Failure{gis::Failure::ResourceUnavailable, "cannot read the edit script " + path};
  std::stringstream ss;
  ss << in.rdbuf();
  auto cmds = edit::parse_commands(ss.str(), impl_->scene.frame(), path);
  if (!cmds) return cmds.error();
  int applied = 0;
  for (const edit::Command& c : *cmds) {
    if (impl_->apply(c)) ++applied;  // each result is logged (stdout) as it happens
  }
  log << "edit: " << applied << " of " << cmds->size() << " commands applied from " << path << std::endl;
  return applied;
}

const edit::PlanIndicators& EditMode::indicators() const { return impl_->plans[impl_->ui.plan].ind; }

}  // namespace parktwin::app
