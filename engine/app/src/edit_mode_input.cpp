// The viewer's edit mode: picking and snapping, the previewed geometry of a drag, the tools'
// mouse and keys, and what is drawn over the view (edit_mode_impl.h).
#include "edit_mode_impl.h"

namespace parktwin::app {

std::pair<int, int64_t> EditMode::Impl::hit(glm::dvec2 p) {
  for (int k : {kBuildings, kParcels}) {
    const gis::LayerData& d = layer(k);
    for (const gis::Feature& f : d.features)
      for (const gis::Polygon& poly : f.geom.polygons)
        if (gis::polygon_contains(poly, p)) return {k, f.fid};
  }
  return {-1, -1};
}

std::pair<int, int64_t> EditMode::Impl::hit_under_mouse() {
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

void EditMode::Impl::select(int k, int64_t fid, bool add) {
  if (!add || ui.layer != kLayerNames[k]) ui.selection.clear();
  ui.layer = kLayerNames[k];
  auto it = std::find(ui.selection.begin(), ui.selection.end(), fid);
  if (it != ui.selection.end() && add) ui.selection.erase(it);
  else if (it == ui.selection.end()) ui.selection.push_back(fid);
}

void EditMode::Impl::rebuild_snap_index() {
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

glm::dvec2 EditMode::Impl::snap_point(glm::dvec2 p, std::optional<glm::dvec2> anchor, bool with_drawn) {
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

std::vector<const gis::Feature*> EditMode::Impl::selection_features() {
  std::vector<const gis::Feature*> out;
  const int li = session().layer_index(ui.layer);
  if (li < 0) return out;
  const gis::LayerData& d = *session().layers()[static_cast<size_t>(li)];
  for (int64_t fid : ui.selection)
    if (const long i = session().feature_index(li, fid); i >= 0) out.push_back(&d.features[static_cast<size_t>(i)]);
  return out;
}

glm::dvec2 EditMode::Impl::selection_centre() {
  glm::dvec2 lo(1e300), hi(-1e300);
  for (const gis::Feature* f : selection_features())
    for (const gis::Polygon& p : f->geom.polygons)
      for (glm::dvec2 q : p.outer) lo = glm::min(lo, q), hi = glm::max(hi, q);
  return lo.x <= hi.x ? (lo + hi) * 0.5 : glm::dvec2(0.0);
}

std::optional<edit::SnapResult> EditMode::Impl::reshape_target() {
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

glm::dvec2 EditMode::Impl::preview(glm::dvec2 p) const {
  switch (drag) {
    case Drag::Move: return p + (drag_now - drag_start);
    case Drag::Rotate: return rotate_about(p, pivot, rotate_angle());
    case Drag::Scale: return pivot + (p - pivot) * scale_factor();
    default: return p;
  }
}

void EditMode::Impl::finish_drawing() {
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

void EditMode::Impl::add_typed_segment() {
  if (drawn.empty()) return;
  const double len = std::atof(ui.seg_length);
  const double deg = std::atof(ui.seg_angle);
  if (!(len > 0.0)) return message("type the length of the next segment in metres", true);
  const double a = deg * M_PI / 180.0;  // counter-clockwise from east
  drawn.push_back(drawn.back() + len * glm::dvec2(std::cos(a), std::sin(a)));
}

bool EditMode::Impl::on_key(int key, int mods, bool typing) {
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

void EditMode::Impl::mouse(const scene::Camera& cam, double aspect) {
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

void EditMode::Impl::box_select(const scene::Camera& cam, ImVec2 a, ImVec2 b, bool add) {
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

void EditMode::Impl::overlay(const scene::Camera& cam) {
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

}  // namespace parktwin::app
