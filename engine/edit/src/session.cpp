// EditSession: commands -> planned feature states -> validity gate -> applied, with undo/redo.
#include "session_impl.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <glm/geometric.hpp>

namespace parktwin::edit {

using namespace session_detail;

const char* command_name(const Command& c) {
  static const char* const kNames[] = {"move",   "rotate", "scale", "move_vertex", "insert_vertex", "delete_vertex",
                                       "add",    "delete", "copy",  "split",       "merge",         "set"};
  return kNames[c.index()];
}

// ---- the gate over a plan ----
static Result<bool> gate_plan(const Impl& s, const Plan& p) {
  const int pl = s.parcels(), bl = s.buildings();
  auto planned = [&](int li, int64_t fid) { return p.current(s, li, fid); };
  for (const auto& l : p.step.layers) {
    for (const auto& a : l.after) {
      if (!a.exists) continue;
      for (size_t k = 0; k < a.feature.geom.polygons.size(); ++k) {
        const std::string why = polygon_problem(a.feature.geom.polygons[k], s.frame, s.gate);
        if (!why.empty()) return refuse(s.feature_name(l.layer, a.feature) + ": " + why);
      }
    }
  }
  if (pl < 0 || bl < 0) return true;
  const int bf = s.layers[bl]->field("parcel_id"), pid = s.layers[pl]->field("parcel_id");
  if (bf < 0 || pid < 0) return true;
  // Every building this plan touches, and every building on a parcel it touches, stands in its parcel.
  std::set<int64_t> check;
  std::set<std::string> touched_parcels;
  for (const auto& l : p.step.layers) {
    if (l.layer == bl)
      for (const auto& a : l.after)
        if (a.exists) check.insert(a.fid);
    if (l.layer == pl)
      for (size_t i = 0; i < l.after.size(); ++i) {
        if (l.before[i].exists) touched_parcels.insert(gis::attr_string(l.before[i].feature, pid));
        if (l.after[i].exists) touched_parcels.insert(gis::attr_string(l.after[i].feature, pid));
      }
  }
  if (!touched_parcels.empty())
    for (const auto& f : s.layers[bl]->features) {
      const FeatureState b = planned(bl, f.fid);
      if (b.exists && touched_parcels.count(gis::attr_string(b.feature, bf))) check.insert(f.fid);
    }
  if (check.empty()) return true;
  // A parcel by id as planned: the plan's own states first, then the session's.
  auto parcel_of = [&](const std::string& id) -> std::optional<FeatureState> {
    for (const auto& l : p.step.layers)
      if (l.layer == pl)
        for (const auto& a : l.after)
          if (a.exists && gis::attr_string(a.feature, pid) == id) return a;
    const long i = s.parcel_by_id(id);
    if (i < 0) return std::nullopt;
    const FeatureState st = planned(pl, s.layers[pl]->features[i].fid);
    if (!st.exists || gis::attr_string(st.feature, pid) != id) return std::nullopt;
    return st;
  };
  for (int64_t fid : check) {
    const FeatureState b = planned(bl, fid);
    const std::string home = gis::attr_string(b.feature, bf);
    if (home.empty()) continue;  // a building in no parcel (user data): nothing to stand in
    const auto parcel = parcel_of(home);
    if (!parcel)
      return refuse(s.feature_name(bl, b.feature) + " belongs to parcel " + home +
                    ", which does not exist (any more); set its parcel_id or delete it");
    for (const auto& bp : b.feature.geom.polygons) {
      bool inside = false;
      for (const auto& pp : parcel->feature.geom.polygons) inside |= polygon_within(bp, pp, s.gate.parcel_tolerance_m);
      if (!inside) {
        std::vector<const gis::Polygon*> polys{&bp};
        return refuse(s.feature_name(bl, b.feature) + " would stand outside its parcel " +
                      s.feature_name(pl, parcel->feature) + " at " + where(s.frame, centroid(polys)) +
                      "; keep it inside or move it wholly into another parcel");
      }
    }
  }
  return true;
}

/// Buildings moved wholly into another parcel change parcel: their parcel_id follows (before the gate).
static void follow_parcels(const Impl& s, Plan& p) {
  const int pl = s.parcels(), bl = s.buildings();
  if (pl < 0 || bl < 0) return;
  const int bf = s.layers[bl]->field("parcel_id"), pid = s.layers[pl]->field("parcel_id");
  if (bf < 0 || pid < 0) return;
  for (auto& l : p.step.layers) {
    if (l.layer != bl) continue;
    for (size_t i = 0; i < l.after.size(); ++i) {
      FeatureState& a = l.after[i];
      if (!a.exists || a.feature.geom.polygons.empty() || !l.before[i].exists) continue;
      if (a.feature.geom == l.before[i].feature.geom) continue;
      const std::string home = gis::attr_string(a.feature, bf);
      const long hi = s.parcel_by_id(home);
      auto covered_by = [&](const gis::Feature& parcel) {
        for (const auto& bp : a.feature.geom.polygons) {
          bool in = false;
          for (const auto& pp : parcel.geom.polygons) in |= polygon_within(bp, pp, s.gate.parcel_tolerance_m);
          if (!in) return false;
        }
        return true;
      };
      if (hi >= 0 && covered_by(s.layers[pl]->features[hi])) continue;
      std::vector<const gis::Polygon*> polys;
      for (const auto& bp : a.feature.geom.polygons) polys.push_back(&bp);
      const glm::dvec2 c = centroid(polys);
      for (const auto& pf : s.layers[pl]->features) {
        if (s.idx[pl].deleted.count(pf.fid)) continue;
        bool contains = false;
        for (const auto& pp : pf.geom.polygons) contains |= gis::polygon_contains(pp, c);
        if (contains && covered_by(pf)) {
          Impl::set_attr(a.feature, bf, gis::attr_string(pf, pid));
          break;
        }
      }
    }
  }
}

EditSession::EditSession(const gis::SceneFrame& frame, std::vector<gis::LayerData*> layers, GateOptions gate,
                         std::string buildings_layer, std::string parcels_layer)
    : impl_(std::make_unique<Impl>(frame, std::move(layers), gate, std::move(buildings_layer), std::move(parcels_layer))) {}
EditSession::~EditSession() = default;

namespace {
ApplyResult write_states(Impl& s, const Step& step, bool forward) {
  ApplyResult r;
  r.summary = step.what;
  r.created = step.created;
  for (const auto& l : step.layers) {
    gis::LayerData& d = *s.layers[l.layer];
    auto& ix = s.idx[l.layer];
    Touched t;
    t.layer = d.name;
    t.layer_index = l.layer;
    const auto& states = forward ? l.after : l.before;
    for (size_t i = 0; i < states.size(); ++i) {
      const FeatureState& st = states[i];
      // The first time a feature changes after load or save, remember how it stood (changes()).
      if (!ix.base.count(st.fid)) {
        const FeatureState& was = forward ? l.before[i] : l.after[i];
        ix.base[st.fid] = was;
        int64_t v = 0;
        const int vf = d.field(kVersionField);
        if (was.exists && vf >= 0) {
          const auto& a = was.feature.attrs;
          if (static_cast<size_t>(vf) < a.size() && std::holds_alternative<int64_t>(a[vf])) v = std::get<int64_t>(a[vf]);
        }
        ix.base_version[st.fid] = v;
      }
      auto it = ix.by_fid.find(st.fid);
      size_t at;
      if (it == ix.by_fid.end()) {
        if (!st.exists) continue;  // never was, still is not
        at = d.features.size();
        d.features.push_back(st.feature);
        ix.by_fid[st.fid] = at;
        ix.next_fid = std::max(ix.next_fid, st.fid + 1);
      } else {
        at = it->second;
      }
      gis::Feature& f = d.features[at];
      if (st.exists) {
        f = st.feature;
        f.fid = st.fid;
        ix.deleted.erase(st.fid);
      } else {
        f.geom.polygons.clear();
        f.geom.kind = gis::GeomKind::Polygon;
        ix.deleted.insert(st.fid);
      }
      t.features.push_back(at);
    }
    r.touched.push_back(std::move(t));
  }
  return r;
}

void notify(const Impl& s, const std::string& what, const Step& step, bool forward) {
  if (!s.observer) return;
  std::vector<EditSession::StepChange> changes;
  for (const auto& l : step.layers)
    changes.push_back({s.layers[l.layer]->name, forward ? l.before : l.after, forward ? l.after : l.before});
  s.observer(what, changes);
}
}  // namespace

Result<ApplyResult> EditSession::apply(const Command& c) {
  auto plan = plan_command(*impl_, c);
  if (!plan) return plan.error();
  follow_parcels(*impl_, *plan);
  if (auto g = gate_plan(*impl_, *plan); !g) return g.error();
  Step step = std::move(plan->step);
  step.command = c;
  ApplyResult r = write_states(*impl_, step, true);
  notify(*impl_, step.what, step, true);
  impl_->undo.push_back(std::move(step));
  if (impl_->undo.size() > impl_->undo_limit) impl_->undo.erase(impl_->undo.begin());
  impl_->redo.clear();
  return r;
}

Result<bool> EditSession::check(const Command& c) const {
  auto plan = plan_command(*impl_, c);
  if (!plan) return plan.error();
  follow_parcels(*impl_, *plan);
  return gate_plan(*impl_, *plan);
}

bool EditSession::can_undo() const { return !impl_->undo.empty(); }
bool EditSession::can_redo() const { return !impl_->redo.empty(); }
size_t EditSession::undo_depth() const { return impl_->undo.size(); }
void EditSession::set_undo_limit(size_t n) {
  impl_->undo_limit = std::max<size_t>(1, n);
  while (impl_->undo.size() > impl_->undo_limit) impl_->undo.erase(impl_->undo.begin());
}

std::optional<ApplyResult> EditSession::undo() {
  if (impl_->undo.empty()) return std::nullopt;
  Step step = std::move(impl_->undo.back());
  impl_->undo.pop_back();
  ApplyResult r = write_states(*impl_, step, false);
  r.summary = "undid: " + step.what;
  notify(*impl_, r.summary, step, false);
  impl_->redo.push_back(std::move(step));
  return r;
}

std::optional<ApplyResult> EditSession::redo() {
  if (impl_->redo.empty()) return std::nullopt;
  Step step = std::move(impl_->redo.back());
  impl_->redo.pop_back();
  ApplyResult r = write_states(*impl_, step, true);
  r.summary = "redid: " + step.what;
  notify(*impl_, r.summary, step, true);
  impl_->undo.push_back(std::move(step));
  return r;
}

std::vector<LayerChanges> EditSession::changes() const {
  std::vector<LayerChanges> out;
  for (size_t li = 0; li < impl_->layers.size(); ++li) {
    const auto& ix = impl_->idx[li];
    LayerChanges c;
    c.layer = impl_->layers[li]->name;
    for (const auto& [fid, base] : ix.base) {
      const FeatureState now = impl_->state(static_cast<int>(li), fid);
      if (same_state(base, now)) continue;
      if (base.exists && now.exists) c.modified.push_back(fid);
      else if (!base.exists && now.exists) c.added.push_back(fid);
      else if (base.exists && !now.exists) c.deleted.push_back(fid);
      if (base.exists) c.base_version[fid] = ix.base_version.at(fid);
    }
    if (!c.empty()) out.push_back(std::move(c));
  }
  return out;
}

bool EditSession::dirty() const { return !changes().empty(); }

void EditSession::mark_saved(const std::map<std::string, std::map<int64_t, int64_t>>& new_versions,
                             const std::map<std::string, std::map<int64_t, int64_t>>& new_fids) {
  for (size_t li = 0; li < impl_->layers.size(); ++li) {
    gis::LayerData& d = *impl_->layers[li];
    auto& ix = impl_->idx[li];
    if (auto nf = new_fids.find(d.name); nf != new_fids.end())
      for (const auto& [from, to] : nf->second) {
        auto it = ix.by_fid.find(from);
        if (it == ix.by_fid.end() || from == to) continue;
        const size_t at = it->second;
        ix.by_fid.erase(it);
        ix.by_fid[to] = at;
        d.features[at].fid = to;
        if (ix.deleted.erase(from)) ix.deleted.insert(to);
        ix.next_fid = std::max(ix.next_fid, to + 1);
      }
    if (auto nv = new_versions.find(d.name); nv != new_versions.end() && !nv->second.empty()) {
      int vf = d.field(kVersionField);
      if (vf < 0) {
        d.fields.push_back(kVersionField);
        if (!d.field_types.empty()) d.field_types.push_back(gis::FieldType::Integer);
        vf = static_cast<int>(d.fields.size()) - 1;
      }
      for (const auto& [fid, v] : nv->second) {
        auto it = ix.by_fid.find(fid);
        if (it != ix.by_fid.end()) Impl::set_attr(d.features[it->second], vf, v);
      }
    }
    ix.base.clear();
    ix.base_version.clear();
  }
  // Undo steps hold states with the old versions; after a save they would bring those back.
  // Versions are the store's business: strip them from the undo history's states.
  for (auto* stack : {&impl_->undo, &impl_->redo})
    for (auto& step : *stack)
      for (auto& l : step.layers) {
        const gis::LayerData& d = *impl_->layers[l.layer];
        const int vf = d.field(kVersionField);
        if (vf < 0) continue;
        auto fix = [&](std::vector<FeatureState>& states) {
          for (auto& st : states) {
            auto it = impl_->idx[l.layer].by_fid.find(st.fid);
            if (!st.exists || it == impl_->idx[l.layer].by_fid.end()) continue;
            const auto& cur = d.features[it->second].attrs;
            Impl::set_attr(st.feature, vf, static_cast<size_t>(vf) < cur.size() ? cur[vf] : gis::AttrValue{});
          }
        };
        fix(l.before);
        fix(l.after);
      }
}

FeatureState EditSession::feature(const std::string& layer, int64_t fid) const {
  return impl_->state(impl_->layer_of(layer), fid);
}

ApplyResult EditSession::restore(const std::string& layer, const std::vector<FeatureState>& states) {
  const int li = impl_->layer_of(layer);
  if (li < 0) return {};
  Step step;
  step.what = "restored " + std::to_string(states.size()) + " feature(s) of " + layer;
  LayerStep ls;
  ls.layer = li;
  for (const auto& st : states) {
    ls.before.push_back(impl_->state(li, st.fid));
    ls.after.push_back(st);
    if (ls.after.back().exists) ls.after.back().feature.fid = st.fid;
  }
  step.layers.push_back(std::move(ls));
  ApplyResult r = write_states(*impl_, step, true);
  notify(*impl_, step.what, step, true);
  return r;
}

std::vector<Command> EditSession::history() const {
  std::vector<Command> out;
  for (const auto& step : impl_->undo)
    if (step.command) out.push_back(*step.command);
  return out;
}

const std::vector<gis::LayerData*>& EditSession::layers() const { return impl_->layers; }
int EditSession::layer_index(const std::string& name) const { return impl_->layer_of(name); }
long EditSession::feature_index(int li, int64_t fid) const {
  if (li < 0 || static_cast<size_t>(li) >= impl_->idx.size()) return -1;
  auto it = impl_->idx[li].by_fid.find(fid);
  return it == impl_->idx[li].by_fid.end() ? -1 : static_cast<long>(it->second);
}
bool EditSession::is_deleted(int li, int64_t fid) const {
  return li >= 0 && static_cast<size_t>(li) < impl_->idx.size() && impl_->idx[li].deleted.count(fid) > 0;
}
const gis::SceneFrame& EditSession::frame() const { return impl_->frame; }
const GateOptions& EditSession::gate() const { return impl_->gate; }
void EditSession::set_observer(Observer o) { impl_->observer = std::move(o); }

}  // namespace parktwin::edit
