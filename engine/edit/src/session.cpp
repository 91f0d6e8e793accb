// EditSession: commands -> planned feature states -> validity gate -> applied, with undo/redo.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include <glm/geometric.hpp>

#include "geos_util.h"
#include "parktwin/edit/edit.h"

namespace parktwin::edit {
namespace {

using gis::Failure;

Failure refuse(std::string msg) { return Failure(Failure::InvalidData, std::move(msg)); }

bool same_geometry(const gis::Geometry& a, const gis::Geometry& b) {
  if (a.kind != b.kind || a.points != b.points || a.lines != b.lines || a.polygons.size() != b.polygons.size())
    return false;
  for (size_t i = 0; i < a.polygons.size(); ++i)
    if (a.polygons[i].outer != b.polygons[i].outer || a.polygons[i].holes != b.polygons[i].holes) return false;
  return true;
}

bool same_attrs(const std::vector<gis::AttrValue>& a, const std::vector<gis::AttrValue>& b) {
  const size_t n = std::max(a.size(), b.size());
  static const gis::AttrValue kNull;
  for (size_t i = 0; i < n; ++i)
    if ((i < a.size() ? a[i] : kNull) != (i < b.size() ? b[i] : kNull)) return false;
  return true;
}

bool same_state(const FeatureState& a, const FeatureState& b) {
  if (a.exists != b.exists) return false;
  if (!a.exists) return true;
  return same_geometry(a.feature.geom, b.feature.geom) && same_attrs(a.feature.attrs, b.feature.attrs);
}

/// Area-weighted centroid of polygons (outer rings minus holes).
glm::dvec2 centroid(const std::vector<const gis::Polygon*>& polys) {
  double a = 0.0;
  glm::dvec2 c(0.0);
  auto add_ring = [&](const gis::Ring& r, double sign) {
    if (r.empty()) return;
    const glm::dvec2 o = r[0];  // relative to a corner: no cancellation far from the origin
    double ar = 0.0;
    glm::dvec2 mr(0.0);
    for (size_t i = 0; i < r.size(); ++i) {
      const glm::dvec2 p = r[i] - o, q = r[(i + 1) % r.size()] - o;
      const double cr = (p.x * q.y - q.x * p.y) * sign;
      ar += cr;
      mr += (p + q) * cr;
    }
    a += ar;
    c += mr + 3.0 * o * ar;
  };
  for (const auto* p : polys) {
    add_ring(p->outer, gis::ring_signed_area(p->outer) >= 0 ? 1.0 : -1.0);
    for (const auto& h : p->holes) add_ring(h, gis::ring_signed_area(h) <= 0 ? 1.0 : -1.0);
  }
  if (std::fabs(a) < 1e-12) {
    glm::dvec2 s(0.0);
    size_t n = 0;
    for (const auto* p : polys)
      for (auto q : p->outer) s += q, ++n;
    return n ? s / double(n) : s;
  }
  return c / (3.0 * a);
}

template <typename F>
void for_each_point(gis::Geometry& g, F f) {
  for (auto& p : g.points) p = f(p);
  for (auto& l : g.lines)
    for (auto& p : l) p = f(p);
  for (auto& poly : g.polygons) {
    for (auto& p : poly.outer) p = f(p);
    for (auto& h : poly.holes)
      for (auto& p : h) p = f(p);
  }
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

const char* kind_name(gis::FieldType t) {
  switch (t) {
    case gis::FieldType::Integer: return "an integer";
    case gis::FieldType::Real: return "a number";
    case gis::FieldType::String: return "text";
  }
  return "a value";
}

}  // namespace

const char* command_name(const Command& c) {
  static const char* const kNames[] = {"move",   "rotate", "scale", "move_vertex", "insert_vertex", "delete_vertex",
                                       "add",    "delete", "copy",  "split",       "merge",         "set"};
  return kNames[c.index()];
}

struct EditSession::Impl {
  const gis::SceneFrame& frame;
  std::vector<gis::LayerData*> layers;
  GateOptions gate;
  std::string buildings_name, parcels_name;
  struct Index {
    std::unordered_map<int64_t, size_t> by_fid;
    std::set<int64_t> deleted;
    int64_t next_fid = 1;
    std::map<int64_t, FeatureState> base;      ///< state at load / last save of each touched feature
    std::map<int64_t, int64_t> base_version;   ///< version at load / last save of each touched feature
  };
  std::vector<Index> idx;
  struct LayerStep {
    int layer = -1;
    std::vector<FeatureState> before, after;
  };
  struct Step {
    std::string what;
    std::vector<LayerStep> layers;
    std::vector<int64_t> created;
    std::optional<Command> command;  ///< what made it (none for restores)
  };
  std::vector<Step> undo, redo;
  size_t undo_limit = 10000;
  Observer observer;

  Impl(const gis::SceneFrame& f, std::vector<gis::LayerData*> ls, GateOptions g, std::string b, std::string p)
      : frame(f), layers(std::move(ls)), gate(g), buildings_name(std::move(b)), parcels_name(std::move(p)) {
    idx.resize(layers.size());
    for (size_t li = 0; li < layers.size(); ++li) {
      auto& ix = idx[li];
      int64_t max_fid = 0;
      for (size_t i = 0; i < layers[li]->features.size(); ++i) {
        const gis::Feature& f = layers[li]->features[i];
        ix.by_fid[f.fid] = i;
        max_fid = std::max(max_fid, f.fid);
        if (f.geom.kind == gis::GeomKind::Polygon && f.geom.polygons.empty()) ix.deleted.insert(f.fid);
      }
      ix.next_fid = max_fid + 1;
    }
  }

  int layer_of(const std::string& name) const {
    for (size_t i = 0; i < layers.size(); ++i)
      if (layers[i]->name == name) return static_cast<int>(i);
    return -1;
  }
  bool live(int li, int64_t fid) const {
    return idx[li].by_fid.count(fid) && !idx[li].deleted.count(fid);
  }
  FeatureState state(int li, int64_t fid) const {
    FeatureState s;
    s.fid = fid;
    if (li < 0 || !live(li, fid)) return s;
    s.exists = true;
    s.feature = layers[li]->features[idx[li].by_fid.at(fid)];
    return s;
  }
  std::string feature_name(int li, const gis::Feature& f) const {
    const gis::LayerData& d = *layers[li];
    for (const char* k : {"building_id", "parcel_id", "name", "id"}) {
      const int fi = d.field(k);
      if (fi >= 0) {
        const std::string v = gis::attr_string(f, fi);
        if (!v.empty()) return d.name + " " + v + " (fid " + std::to_string(f.fid) + ")";
      }
    }
    return d.name + " fid " + std::to_string(f.fid);
  }
  std::string feature_name(int li, int64_t fid) const {
    if (li >= 0 && idx[li].by_fid.count(fid)) return feature_name(li, layers[li]->features[idx[li].by_fid.at(fid)]);
    return (li >= 0 ? layers[li]->name : std::string("?")) + " fid " + std::to_string(fid);
  }

  // ---- attributes ----
  static void set_attr(gis::Feature& f, int field, gis::AttrValue v) {
    if (field < 0) return;
    if (f.attrs.size() <= static_cast<size_t>(field)) f.attrs.resize(field + 1);
    f.attrs[field] = std::move(v);
  }
  /// The value converted to the field's type, or a refusal.
  Result<gis::AttrValue> typed(int li, int field, const gis::AttrValue& v) const {
    const gis::LayerData& d = *layers[li];
    if (std::holds_alternative<std::monostate>(v)) return gis::AttrValue(v);
    if (d.field_types.size() <= static_cast<size_t>(field)) return gis::AttrValue(v);
    const gis::FieldType t = d.field_types[field];
    const std::string& name = d.fields[field];
    switch (t) {
      case gis::FieldType::Integer:
        if (auto* i = std::get_if<int64_t>(&v)) return gis::AttrValue(*i);
        if (auto* x = std::get_if<double>(&v))
          if (std::isfinite(*x) && std::floor(*x) == *x && std::fabs(*x) < 9e15) return gis::AttrValue(static_cast<int64_t>(*x));
        break;
      case gis::FieldType::Real:
        if (auto* x = std::get_if<double>(&v)) {
          if (std::isfinite(*x)) return gis::AttrValue(*x);
          return refuse("field '" + name + "' of " + d.name + " needs a finite number");
        }
        if (auto* i = std::get_if<int64_t>(&v)) return gis::AttrValue(static_cast<double>(*i));
        break;
      case gis::FieldType::String:
        if (auto* s = std::get_if<std::string>(&v)) return gis::AttrValue(*s);
        break;
    }
    return refuse("field '" + name + "' of " + d.name + " holds " + kind_name(t) + "; the value given is not");
  }
  Result<int> field_of(int li, const std::string& name) const {
    const int f = layers[li]->field(name);
    if (f < 0)
      return refuse("layer " + layers[li]->name + " has no field '" + name + "' (its fields: " + field_list(li) + ")");
    return f;
  }
  std::string field_list(int li) const {
    std::string s;
    for (const auto& f : layers[li]->fields) s += (s.empty() ? "" : ", ") + f;
    return s;
  }

  // ---- lookups across layers ----
  int parcels() const { return layer_of(parcels_name); }
  int buildings() const { return layer_of(buildings_name); }
  /// Index of the parcel whose parcel_id is `id` (live), or -1.
  long parcel_by_id(const std::string& id) const {
    const int pl = parcels();
    if (pl < 0 || id.empty()) return -1;
    const int pf = layers[pl]->field("parcel_id");
    if (pf < 0) return -1;
    const auto& fs = layers[pl]->features;
    for (size_t i = 0; i < fs.size(); ++i)
      if (!idx[pl].deleted.count(fs[i].fid) && gis::attr_string(fs[i], pf) == id) return static_cast<long>(i);
    return -1;
  }
};

namespace {

using Impl = EditSession::Impl;
using LayerStep = Impl::LayerStep;
using Step = Impl::Step;

/// A command turned into the feature states it produces, before the gate.
struct Plan {
  Step step;
  LayerStep& layer(Impl& s, int li) {
    for (auto& l : step.layers)
      if (l.layer == li) return l;
    step.layers.push_back({li, {}, {}});
    (void)s;
    return step.layers.back();
  }
  /// The planned state of a feature (after this plan so far), else the session's.
  FeatureState current(const Impl& s, int li, int64_t fid) const {
    for (const auto& l : step.layers)
      if (l.layer == li)
        for (const auto& a : l.after)
          if (a.fid == fid) return a;
    return s.state(li, fid);
  }
  void put(Impl& s, int li, FeatureState after) {
    LayerStep& l = layer(s, li);
    for (size_t i = 0; i < l.after.size(); ++i)
      if (l.after[i].fid == after.fid) {
        l.after[i] = std::move(after);
        return;
      }
    l.before.push_back(s.state(li, after.fid));
    l.after.push_back(std::move(after));
  }
};

class Planner {
 public:
  explicit Planner(Impl& s) : s_(s) {}

  Result<Plan> plan(const Command& c) {
    return std::visit([&](const auto& cmd) { return do_plan(cmd); }, c);
  }

 private:
  Impl& s_;
  Plan p_;

  Result<int> layer(const std::string& name) {
    const int li = s_.layer_of(name);
    if (li < 0) {
      std::string names;
      for (auto* l : s_.layers) names += (names.empty() ? "" : ", ") + l->name;
      return refuse("no layer '" + name + "' in this edit session (editable layers: " + names + ")");
    }
    return li;
  }
  Result<FeatureState> existing(int li, int64_t fid) {
    FeatureState st = p_.current(s_, li, fid);
    if (!st.exists) {
      if (s_.idx[li].by_fid.count(fid)) return refuse(s_.feature_name(li, fid) + " was deleted");
      return refuse("layer " + s_.layers[li]->name + " has no feature with fid " + std::to_string(fid));
    }
    if (st.feature.geom.polygons.empty())
      return refuse(s_.feature_name(li, st.feature) + " has no polygon to edit");
    return st;
  }
  Result<gis::Ring*> ring(FeatureState& st, const VertexRef& v, int li) {
    auto& polys = st.feature.geom.polygons;
    if (v.part < 0 || static_cast<size_t>(v.part) >= polys.size())
      return refuse(s_.feature_name(li, st.feature) + " has no part " + std::to_string(v.part));
    auto& poly = polys[v.part];
    if (v.ring < 0 || static_cast<size_t>(v.ring) > poly.holes.size())
      return refuse(s_.feature_name(li, st.feature) + " has no ring " + std::to_string(v.ring));
    return v.ring == 0 ? &poly.outer : &poly.holes[v.ring - 1];
  }
  template <typename F>
  Result<Plan> transform(const std::string& lname, const std::vector<int64_t>& fids, F make_fn, const char* verb,
                         std::optional<glm::dvec2> center, std::string tail) {
    auto li = layer(lname);
    if (!li) return li.error();
    if (fids.empty()) return refuse(std::string("nothing selected to ") + verb);
    std::vector<FeatureState> states;
    for (int64_t fid : fids) {
      auto st = existing(*li, fid);
      if (!st) return st.error();
      states.push_back(std::move(*st));
    }
    if (!center) {
      std::vector<const gis::Polygon*> polys;
      for (const auto& st : states)
        for (const auto& poly : st.feature.geom.polygons) polys.push_back(&poly);
      center = centroid(polys);
    }
    auto fn = make_fn(*center);
    for (auto& st : states) {
      for_each_point(st.feature.geom, fn);
      p_.put(s_, *li, std::move(st));
    }
    p_.step.what = std::string(verb) + " " + count(fids.size(), s_.layers[*li]->name) + tail;
    return std::move(p_);
  }
  static std::string count(size_t n, const std::string& layer) {
    return std::to_string(n) + " " + (n == 1 && !layer.empty() && layer.back() == 's' ? layer.substr(0, layer.size() - 1) : layer);
  }

  Result<Plan> do_plan(const Move& m) {
    if (!std::isfinite(m.offset.x) || !std::isfinite(m.offset.y)) return refuse("move: the offset is not a finite number");
    const glm::dvec2 d = m.offset;
    return transform(m.layer, m.fids, [d](glm::dvec2) { return [d](glm::dvec2 p) { return p + d; }; }, "moved",
                     glm::dvec2(0.0), " by " + fmt("%.2f m", glm::length(d)));
  }
  Result<Plan> do_plan(const Rotate& r) {
    if (!std::isfinite(r.degrees)) return refuse("rotate: the angle is not a finite number");
    const double a = r.degrees * M_PI / 180.0, c = std::cos(a), sn = std::sin(a);
    return transform(
        r.layer, r.fids,
        [c, sn](glm::dvec2 o) {
          return [c, sn, o](glm::dvec2 p) {
            const glm::dvec2 q = p - o;
            return o + glm::dvec2(c * q.x - sn * q.y, sn * q.x + c * q.y);
          };
        },
        "rotated", r.center, " by " + fmt("%.1f°", r.degrees));
  }
  Result<Plan> do_plan(const Scale& sc) {
    if (!std::isfinite(sc.factor) || sc.factor <= 0.0) return refuse("scale: the factor must be a positive number");
    const double k = sc.factor;
    return transform(sc.layer, sc.fids, [k](glm::dvec2 o) { return [k, o](glm::dvec2 p) { return o + (p - o) * k; }; },
                     "scaled", sc.center, " by " + fmt("%.3f", k));
  }
  Result<Plan> do_plan(const MoveVertex& m) {
    auto li = layer(m.layer);
    if (!li) return li.error();
    auto st = existing(*li, m.at.fid);
    if (!st) return st.error();
    auto r = ring(*st, m.at, *li);
    if (!r) return r.error();
    if (m.at.index < 0 || static_cast<size_t>(m.at.index) >= (*r)->size())
      return refuse(s_.feature_name(*li, st->feature) + " has no vertex " + std::to_string(m.at.index));
    (**r)[m.at.index] = m.to;
    p_.step.what = "moved a vertex of " + s_.feature_name(*li, st->feature);
    p_.put(s_, *li, std::move(*st));
    return std::move(p_);
  }
  Result<Plan> do_plan(const InsertVertex& m) {
    auto li = layer(m.layer);
    if (!li) return li.error();
    auto st = existing(*li, m.at.fid);
    if (!st) return st.error();
    auto r = ring(*st, m.at, *li);
    if (!r) return r.error();
    if (m.at.index < 0 || static_cast<size_t>(m.at.index) > (*r)->size())
      return refuse(s_.feature_name(*li, st->feature) + ": cannot insert a vertex at " + std::to_string(m.at.index));
    (*r)->insert((*r)->begin() + m.at.index, m.pos);
    p_.step.what = "inserted a vertex in " + s_.feature_name(*li, st->feature);
    p_.put(s_, *li, std::move(*st));
    return std::move(p_);
  }
  Result<Plan> do_plan(const DeleteVertex& m) {
    auto li = layer(m.layer);
    if (!li) return li.error();
    auto st = existing(*li, m.at.fid);
    if (!st) return st.error();
    auto r = ring(*st, m.at, *li);
    if (!r) return r.error();
    if (m.at.index < 0 || static_cast<size_t>(m.at.index) >= (*r)->size())
      return refuse(s_.feature_name(*li, st->feature) + " has no vertex " + std::to_string(m.at.index));
    if ((*r)->size() <= 3)
      return refuse(s_.feature_name(*li, st->feature) + ": a ring keeps at least 3 corners; delete the feature instead");
    (*r)->erase((*r)->begin() + m.at.index);
    p_.step.what = "deleted a vertex of " + s_.feature_name(*li, st->feature);
    p_.put(s_, *li, std::move(*st));
    return std::move(p_);
  }
  /// A new fid for layer `li`, above every fid it has and every one planned.
  int64_t new_fid(int li) {
    int64_t fid = s_.idx[li].next_fid;
    for (const auto& l : p_.step.layers)
      if (l.layer == li)
        for (const auto& a : l.after) fid = std::max(fid, a.fid + 1);
    return fid;
  }
  /// An id field value unique in the layer: `base` when free, else base-2, base-3 ...
  std::string unique_id(int li, int field, const std::string& base) {
    auto taken = [&](const std::string& v) {
      for (const auto& f : s_.layers[li]->features)
        if (!s_.idx[li].deleted.count(f.fid) && gis::attr_string(f, field) == v) return true;
      for (const auto& l : p_.step.layers)
        if (l.layer == li)
          for (const auto& a : l.after)
            if (a.exists && gis::attr_string(a.feature, field) == v) return true;
      return false;
    };
    if (!taken(base)) return base;
    for (int k = 2;; ++k)
      if (!taken(base + "-" + std::to_string(k))) return base + "-" + std::to_string(k);
  }
  int id_field(int li) const {
    const gis::LayerData& d = *s_.layers[li];
    if (d.name == s_.buildings_name) return d.field("building_id");
    if (d.name == s_.parcels_name) return d.field("parcel_id");
    return -1;
  }
  /// A new building stands in the parcel that contains its centroid: its parcel_id and park say so.
  void assign_parcel(int li, gis::Feature& f) {
    if (s_.layers[li]->name != s_.buildings_name) return;
    const int pl = s_.parcels();
    const int bf = s_.layers[li]->field("parcel_id");
    if (pl < 0 || bf < 0 || f.geom.polygons.empty()) return;
    std::vector<const gis::Polygon*> polys;
    for (const auto& p : f.geom.polygons) polys.push_back(&p);
    const glm::dvec2 c = centroid(polys);
    const gis::LayerData& parcels = *s_.layers[pl];
    const int pid = parcels.field("parcel_id");
    for (const auto& pf : parcels.features) {
      const FeatureState ps = p_.current(s_, pl, pf.fid);
      if (!ps.exists) continue;
      for (const auto& poly : ps.feature.geom.polygons)
        if (gis::polygon_contains(poly, c)) {
          Impl::set_attr(f, bf, gis::attr_string(ps.feature, pid));
          for (const char* k : {"park_id", "area_id"}) {
            const int a = s_.layers[li]->field(k), b = parcels.field(k);
            if (a >= 0 && b >= 0) Impl::set_attr(f, a, gis::attr_string(ps.feature, b));
          }
          return;
        }
    }
  }
  void mark_planned(int li, gis::Feature& f) {
    const int sf = s_.layers[li]->field("source");
    if (sf >= 0 && gis::attr_string(f, sf).empty()) Impl::set_attr(f, sf, std::string("planned: drawn in the editor"));
  }
  Result<Plan> do_plan(const AddFeature& a) {
    auto li = layer(a.layer);
    if (!li) return li.error();
    FeatureState st;
    st.fid = new_fid(*li);
    st.exists = true;
    st.feature.fid = st.fid;
    st.feature.geom.kind = gis::GeomKind::Polygon;
    st.feature.geom.polygons.push_back(a.polygon);
    st.feature.attrs.resize(s_.layers[*li]->fields.size());
    for (const auto& [name, v] : a.attrs) {
      auto f = s_.field_of(*li, name);
      if (!f) return f.error();
      auto tv = s_.typed(*li, *f, v);
      if (!tv) return tv.error();
      Impl::set_attr(st.feature, *f, *tv);
    }
    const int idf = id_field(*li);
    if (idf >= 0 && gis::attr_string(st.feature, idf).empty())
      Impl::set_attr(st.feature, idf, unique_id(*li, idf, "new-" + std::to_string(st.fid)));
    if (s_.layers[*li]->name == s_.buildings_name) {
      const int bf = s_.layers[*li]->field("parcel_id");
      if (bf >= 0 && gis::attr_string(st.feature, bf).empty()) assign_parcel(*li, st.feature);
    }
    mark_planned(*li, st.feature);
    p_.step.what = "added " + s_.feature_name(*li, st.feature);
    p_.step.created.push_back(st.fid);
    p_.put(s_, *li, std::move(st));
    return std::move(p_);
  }
  /// Buildings (live, after the plan so far) whose parcel_id is `parcel_id`.
  std::vector<FeatureState> buildings_on(const std::string& parcel_id) {
    std::vector<FeatureState> out;
    const int bl = s_.buildings();
    if (bl < 0 || parcel_id.empty()) return out;
    const int bf = s_.layers[bl]->field("parcel_id");
    if (bf < 0) return out;
    for (const auto& f : s_.layers[bl]->features) {
      FeatureState st = p_.current(s_, bl, f.fid);
      if (st.exists && gis::attr_string(st.feature, bf) == parcel_id) out.push_back(std::move(st));
    }
    return out;
  }
  Result<Plan> do_plan(const DeleteFeatures& d) {
    auto li = layer(d.layer);
    if (!li) return li.error();
    if (d.fids.empty()) return refuse("nothing selected to delete");
    for (int64_t fid : d.fids) {
      auto st = existing(*li, fid);
      if (!st) return st.error();
      if (s_.layers[*li]->name == s_.parcels_name) {
        const int pid = s_.layers[*li]->field("parcel_id");
        const auto on = buildings_on(gis::attr_string(st->feature, pid));
        if (!on.empty())
          return refuse(s_.feature_name(*li, st->feature) + " still has " + std::to_string(on.size()) +
                        " building(s) on it; delete or move them first");
      }
      FeatureState gone;
      gone.fid = fid;
      p_.put(s_, *li, std::move(gone));
    }
    p_.step.what = "deleted " + count(d.fids.size(), s_.layers[*li]->name);
    return std::move(p_);
  }
  Result<Plan> do_plan(const CopyFeatures& c) {
    auto li = layer(c.layer);
    if (!li) return li.error();
    if (c.fids.empty()) return refuse("nothing selected to copy");
    const int idf = id_field(*li);
    for (int64_t fid : c.fids) {
      auto st = existing(*li, fid);
      if (!st) return st.error();
      FeatureState copy = std::move(*st);
      copy.fid = new_fid(*li);
      copy.feature.fid = copy.fid;
      for_each_point(copy.feature.geom, [&](glm::dvec2 p) { return p + c.offset; });
      if (idf >= 0) Impl::set_attr(copy.feature, idf, unique_id(*li, idf, gis::attr_string(copy.feature, idf) + "-copy"));
      const int vf = s_.layers[*li]->field(kVersionField);
      if (vf >= 0) Impl::set_attr(copy.feature, vf, gis::AttrValue{});
      if (s_.layers[*li]->name == s_.buildings_name) assign_parcel(*li, copy.feature);
      p_.step.created.push_back(copy.fid);
      p_.put(s_, *li, std::move(copy));
    }
    p_.step.what = "copied " + count(c.fids.size(), s_.layers[*li]->name);
    return std::move(p_);
  }
  /// Moves the buildings of parcel `old_id` to whichever of `pieces` (fid, polygon, id) covers them.
  Result<bool> rehome_buildings(const std::string& old_id,
                                const std::vector<std::pair<std::string, const gis::Polygon*>>& pieces) {
    const int bl = s_.buildings();
    if (bl < 0) return true;
    const int bf = s_.layers[bl]->field("parcel_id");
    for (FeatureState b : buildings_on(old_id)) {
      std::string home;
      for (const auto& [id, poly] : pieces) {
        bool inside = !b.feature.geom.polygons.empty();
        for (const auto& bp : b.feature.geom.polygons) inside &= polygon_within(bp, *poly, s_.gate.parcel_tolerance_m);
        if (inside) {
          home = id;
          break;
        }
      }
      if (home.empty()) return refuse("the cut goes through " + s_.feature_name(bl, b.feature) + "; draw the line around it");
      if (home != old_id) {
        Impl::set_attr(b.feature, bf, home);
        p_.put(s_, bl, std::move(b));
      }
    }
    return true;
  }
  void update_area(int li, gis::Feature& f) {
    const int af = s_.layers[li]->field("area_m2");
    if (af < 0) return;
    double a = 0.0;
    for (const auto& p : f.geom.polygons) a += gis::polygon_area(p);
    Impl::set_attr(f, af, std::round(a * 100.0) / 100.0);
  }
  Result<Plan> do_plan(const SplitParcel& sp) {
    auto li = layer(sp.layer);
    if (!li) return li.error();
    auto st = existing(*li, sp.fid);
    if (!st) return st.error();
    if (sp.line.size() < 2) return refuse("split: the cut line needs at least 2 points");
    if (st->feature.geom.polygons.size() != 1)
      return refuse("split: " + s_.feature_name(*li, st->feature) + " has several parts; split one part at a time");
    geos::Geom poly = geos::polygon(st->feature.geom.polygons[0]);
    geos::Geom cut = geos::line(sp.line);
    if (!poly || !cut) return refuse("split: cannot build the geometry (" + geos::take_error() + ")");
    auto* c = geos::ctx();
    geos::Geom edge(GEOSBoundary_r(c, poly.get()));
    geos::Geom noded(edge ? GEOSUnion_r(c, edge.get(), cut.get()) : nullptr);
    if (!noded) return refuse("split: GEOS could not node the cut (" + geos::take_error() + ")");
    const GEOSGeometry* in[] = {noded.get()};
    geos::Geom faces(GEOSPolygonize_r(c, in, 1));
    std::vector<gis::Polygon> pieces;
    for (gis::Polygon& f : geos::polygons(faces.get())) {
      geos::Geom fg = geos::polygon(f);
      geos::Geom inner(fg ? GEOSPointOnSurface_r(c, fg.get()) : nullptr);
      if (inner && GEOSContains_r(c, poly.get(), inner.get()) == 1) pieces.push_back(std::move(f));
    }
    if (pieces.size() < 2)
      return refuse("split: the line does not cut " + s_.feature_name(*li, st->feature) +
                    " in two; draw it from outside the parcel across to outside");
    std::sort(pieces.begin(), pieces.end(),
              [](const gis::Polygon& a, const gis::Polygon& b) { return gis::polygon_area(a) > gis::polygon_area(b); });
    const int idf = id_field(*li);
    const std::string old_id = idf >= 0 ? gis::attr_string(st->feature, idf) : std::string();
    std::vector<FeatureState> states;
    for (size_t k = 0; k < pieces.size(); ++k) {
      FeatureState piece = *st;
      if (k > 0) {
        piece.fid = new_fid(*li);
        piece.feature.fid = piece.fid;
        if (idf >= 0) Impl::set_attr(piece.feature, idf, unique_id(*li, idf, old_id + "-" + static_cast<char>('a' + k)));
        const int vf = s_.layers[*li]->field(kVersionField);
        if (vf >= 0) Impl::set_attr(piece.feature, vf, gis::AttrValue{});
        p_.step.created.push_back(piece.fid);
      }
      piece.feature.geom.polygons = {pieces[k]};
      update_area(*li, piece.feature);
      p_.put(s_, *li, piece);
      states.push_back(std::move(piece));
    }
    std::vector<std::pair<std::string, const gis::Polygon*>> homes;
    for (const auto& s : states)
      homes.emplace_back(idf >= 0 ? gis::attr_string(s.feature, idf) : std::string(), &s.feature.geom.polygons[0]);
    if (auto r = rehome_buildings(old_id, homes); !r) return r.error();
    p_.step.what = "split " + s_.feature_name(*li, st->feature) + " in " + std::to_string(pieces.size());
    return std::move(p_);
  }
  Result<Plan> do_plan(const MergeParcels& m) {
    auto li = layer(m.layer);
    if (!li) return li.error();
    if (m.fids.size() < 2) return refuse("merge: select at least two parcels");
    auto* c = geos::ctx();
    std::vector<FeatureState> states;
    std::vector<geos::Geom> geoms;
    for (int64_t fid : m.fids) {
      auto st = existing(*li, fid);
      if (!st) return st.error();
      for (const auto& poly : st->feature.geom.polygons) {
        geos::Geom g = geos::polygon(poly);
        if (!g) return refuse("merge: " + s_.feature_name(*li, st->feature) + " is not a polygon GEOS accepts");
        geoms.push_back(std::move(g));
      }
      states.push_back(std::move(*st));
    }
    std::vector<GEOSGeometry*> raw;
    for (auto& g : geoms) raw.push_back(g.release());
    geos::Geom coll(GEOSGeom_createCollection_r(c, GEOS_MULTIPOLYGON, raw.data(), static_cast<unsigned>(raw.size())));
    // A 1 mm grid joins edges that neighbours share up to rounding.
    geos::Geom u(coll ? GEOSUnaryUnionPrec_r(c, coll.get(), 0.001) : nullptr);
    std::vector<gis::Polygon> out = geos::polygons(u.get());
    if (out.size() != 1) {
      std::string names;
      for (const auto& s : states) names += (names.empty() ? "" : ", ") + s_.feature_name(*li, s.feature);
      return refuse("merge: " + names + " do not form one piece (they must share edges); merge neighbours only");
    }
    FeatureState first = states[0];
    first.feature.geom.polygons = {out[0]};
    update_area(*li, first.feature);
    const int idf = id_field(*li);
    const std::string keep = idf >= 0 ? gis::attr_string(first.feature, idf) : std::string();
    p_.put(s_, *li, first);
    const int bl = s_.buildings();
    const int bf = bl >= 0 ? s_.layers[bl]->field("parcel_id") : -1;
    for (size_t k = 1; k < states.size(); ++k) {
      if (bf >= 0 && idf >= 0)
        for (FeatureState b : buildings_on(gis::attr_string(states[k].feature, idf))) {
          Impl::set_attr(b.feature, bf, keep);
          p_.put(s_, bl, std::move(b));
        }
      FeatureState gone;
      gone.fid = states[k].fid;
      p_.put(s_, *li, std::move(gone));
    }
    p_.step.what = "merged " + std::to_string(states.size()) + " parcels into " + s_.feature_name(*li, first.feature);
    return std::move(p_);
  }
  Result<Plan> do_plan(const SetAttribute& a) {
    auto li = layer(a.layer);
    if (!li) return li.error();
    FeatureState st = p_.current(s_, *li, a.fid);
    if (!st.exists) return refuse("layer " + a.layer + " has no feature with fid " + std::to_string(a.fid));
    auto f = s_.field_of(*li, a.field);
    if (!f) return f.error();
    if (a.field == kVersionField) return refuse("the field " + a.field + " is kept by the editor; it cannot be set");
    auto v = s_.typed(*li, *f, a.value);
    if (!v) return v.error();
    if (a.field == "floors" || a.field == "height_m") {
      const double x = std::holds_alternative<int64_t>(*v) ? double(std::get<int64_t>(*v))
                       : std::holds_alternative<double>(*v) ? std::get<double>(*v)
                                                            : 1.0;
      if (x < 0.0 || x > (a.field == "floors" ? 300.0 : 1000.0))
        return refuse(a.field + " " + fmt("%g", x) + " is out of range for " + s_.feature_name(*li, st.feature));
    }
    Impl::set_attr(st.feature, *f, *v);
    p_.step.what = "set " + a.field + " of " + s_.feature_name(*li, st.feature);
    p_.put(s_, *li, std::move(st));
    return std::move(p_);
  }
};

}  // namespace

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
      if (same_geometry(a.feature.geom, l.before[i].feature.geom)) continue;
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
  Planner planner(*impl_);
  auto plan = planner.plan(c);
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
  Planner planner(*impl_);
  auto plan = planner.plan(c);
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
