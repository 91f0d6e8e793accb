// The viewer's edit mode (edit_mode.h): entering and leaving, the journal, after an edit, the
// zoning highlight, the panels' requests and saving. Input and previews: edit_mode_input.cpp.
#include "edit_mode_impl.h"

namespace parktwin::app {

std::string EditMode::Impl::enter() {
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

std::string EditMode::Impl::journal_path(int i) const {
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

size_t EditMode::Impl::open_journal(int i, bool replay) {
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

void EditMode::Impl::changed(const std::vector<edit::Touched>& touched) {
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

void EditMode::Impl::show_plan() {
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

bool EditMode::Impl::apply(const edit::Command& c) {
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

void EditMode::Impl::undo() {
  if (auto r = session().undo()) {
    ++plan().redo;
    message(r->summary, false);
    check_journal();
    std::cout << "edit: " << r->summary << std::endl;
    changed(r->touched);
    drop_dead_selection();
  }
}

void EditMode::Impl::redo() {
  if (auto r = session().redo()) {
    if (plan().redo) --plan().redo;
    message(r->summary, false);
    check_journal();
    std::cout << "edit: " << r->summary << std::endl;
    changed(r->touched);
    drop_dead_selection();
  }
}

void EditMode::Impl::update_highlight() {
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

void EditMode::Impl::decorate() {
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

void EditMode::Impl::fill_attributes() {
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

void EditMode::Impl::select_where() {
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

void EditMode::Impl::carry_out(const ui::EditRequest& r) {
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

void EditMode::Impl::save() {
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

void EditMode::Impl::leave() {
  active = false;
  drag = Drag::None;
  left_owned = false;
  drawn.clear();
  highlighted.clear();
  scene.restyle();
}

void EditMode::Impl::frame(const scene::Camera& cam, double aspect, double now) {
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
