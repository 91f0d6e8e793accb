// Commands planned into feature states (session_impl.h): what each edit command does to the
// features it touches, before the validity gate (session.cpp).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <glm/geometric.hpp>

#include "session_impl.h"

namespace parktwin::edit::session_detail {
namespace {

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

Result<Plan> plan_command(Impl& s, const Command& c) {
  Planner planner(s);
  return planner.plan(c);
}

}  // namespace parktwin::edit::session_detail
