// Internal to parktwin::edit: the edit session's state (EditSession::Impl), the plan a command
// turns into, and the helpers both session.cpp and session_plan.cpp use.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <glm/geometric.hpp>

#include "geos_util.h"
#include "parktwin/edit/edit.h"

namespace parktwin::edit {

namespace session_detail {

using gis::Failure;

inline Failure refuse(std::string msg) { return Failure(Failure::InvalidData, std::move(msg)); }

inline bool same_attrs(const std::vector<gis::AttrValue>& a, const std::vector<gis::AttrValue>& b) {
  const size_t n = std::max(a.size(), b.size());
  static const gis::AttrValue kNull;
  for (size_t i = 0; i < n; ++i)
    if ((i < a.size() ? a[i] : kNull) != (i < b.size() ? b[i] : kNull)) return false;
  return true;
}

inline bool same_state(const FeatureState& a, const FeatureState& b) {
  if (a.exists != b.exists) return false;
  if (!a.exists) return true;
  return a.feature.geom == b.feature.geom && same_attrs(a.feature.attrs, b.feature.attrs);
}

/// Area-weighted centroid of polygons (outer rings minus holes).
inline glm::dvec2 centroid(const std::vector<const gis::Polygon*>& polys) {
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

inline std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

inline const char* kind_name(gis::FieldType t) {
  switch (t) {
    case gis::FieldType::Integer: return "an integer";
    case gis::FieldType::Real: return "a number";
    case gis::FieldType::String: return "text";
  }
  return "a value";
}

}  // namespace session_detail

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
          return session_detail::refuse("field '" + name + "' of " + d.name + " needs a finite number");
        }
        if (auto* i = std::get_if<int64_t>(&v)) return gis::AttrValue(static_cast<double>(*i));
        break;
      case gis::FieldType::String:
        if (auto* s = std::get_if<std::string>(&v)) return gis::AttrValue(*s);
        break;
    }
    return session_detail::refuse("field '" + name + "' of " + d.name + " holds " + session_detail::kind_name(t) + "; the value given is not");
  }
  Result<int> field_of(int li, const std::string& name) const {
    const int f = layers[li]->field(name);
    if (f < 0)
      return session_detail::refuse("layer " + layers[li]->name + " has no field '" + name + "' (its fields: " + field_list(li) + ")");
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

namespace session_detail {

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

/// Plans `c` against the session as it is (session_plan.cpp): the feature states it produces,
/// not yet gated, or why it cannot be planned.
Result<Plan> plan_command(Impl& s, const Command& c);

}  // namespace session_detail
}  // namespace parktwin::edit
