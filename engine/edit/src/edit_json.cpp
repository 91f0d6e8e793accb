// Edit commands <-> JSON (format in edit_json.h and docs/editing.md).
#include "parktwin/edit/edit_json.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace parktwin::edit {
namespace {

using gis::Failure;
using nlohmann::json;

struct Reader {
  const gis::SceneFrame& frame;
  std::string where;

  Failure bad(const std::string& what) const { return Failure(Failure::InvalidData, where + ": " + what); }

  Result<std::string> str(const json& o, const char* key) const {
    if (!o.contains(key) || !o[key].is_string()) return bad(std::string("needs \"") + key + "\" (text)");
    return o[key].get<std::string>();
  }
  Result<double> num(const json& o, const char* key) const {
    if (!o.contains(key) || !o[key].is_number()) return bad(std::string("needs \"") + key + "\" (a number)");
    const double v = o[key].get<double>();
    if (!std::isfinite(v)) return bad(std::string("\"") + key + "\" is not finite");
    return v;
  }
  Result<int64_t> fid(const json& o, const char* key) const {
    if (!o.contains(key) || !o[key].is_number_integer()) return bad(std::string("needs \"") + key + "\" (a feature id)");
    return o[key].get<int64_t>();
  }
  Result<std::vector<int64_t>> fids(const json& o) const {
    if (!o.contains("fids") || !o["fids"].is_array()) return bad("needs \"fids\" (an array of feature ids)");
    std::vector<int64_t> out;
    for (const auto& v : o["fids"]) {
      if (!v.is_number_integer()) return bad("\"fids\" holds something that is not a feature id");
      out.push_back(v.get<int64_t>());
    }
    return out;
  }
  Result<glm::dvec2> pair(const json& v, const char* what) const {
    if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number())
      return bad(std::string(what) + " must be [x, y]");
    const glm::dvec2 p(v[0].get<double>(), v[1].get<double>());
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) return bad(std::string(what) + " is not finite");
    return p;
  }
  /// A WGS84 [lon, lat] to the scene frame.
  Result<glm::dvec2> lonlat(const json& v, const char* what) const {
    auto p = pair(v, what);
    if (!p) return p.error();
    if (std::fabs(p->x) > 180.0 || std::fabs(p->y) > 90.0) return bad(std::string(what) + " is not a [lon, lat] in degrees");
    const glm::dvec2 s = frame.from_wgs84(*p);
    if (!std::isfinite(s.x) || !std::isfinite(s.y)) return bad(std::string(what) + " cannot be placed in the scene frame");
    return s;
  }
  Result<gis::Ring> ring(const json& v, const char* what) const {
    if (!v.is_array() || v.size() < 3) return bad(std::string(what) + " must be an array of at least 3 [lon, lat]");
    gis::Ring r;
    for (const auto& p : v) {
      auto q = lonlat(p, what);
      if (!q) return q.error();
      r.push_back(*q);
    }
    if (r.size() > 3 && r.front() == r.back()) r.pop_back();  // GeoJSON-style closed ring
    return r;
  }
  Result<gis::Polygon> polygon(const json& o) const {
    if (!o.contains("rings") || !o["rings"].is_array() || o["rings"].empty())
      return bad("needs \"rings\": [[[lon, lat], ...], holes...]");
    gis::Polygon p;
    for (size_t i = 0; i < o["rings"].size(); ++i) {
      auto r = ring(o["rings"][i], i == 0 ? "the outer ring" : "a hole");
      if (!r) return r.error();
      if (i == 0) p.outer = std::move(*r);
      else p.holes.push_back(std::move(*r));
    }
    return p;
  }
  Result<VertexRef> vertex(const json& o) const {
    auto f = fid(o, "fid");
    if (!f) return f.error();
    VertexRef v;
    v.fid = *f;
    for (auto [key, dst] : {std::pair{"part", &v.part}, std::pair{"ring", &v.ring}, std::pair{"index", &v.index}}) {
      if (!o.contains(key)) {
        if (std::string(key) == "index") return bad("needs \"index\" (the vertex)");
        continue;
      }
      if (!o[key].is_number_integer()) return bad(std::string("\"") + key + "\" must be an integer");
      *dst = o[key].get<int>();
    }
    return v;
  }
  Result<gis::AttrValue> value(const json& v) const {
    if (v.is_null()) return gis::AttrValue{};
    if (v.is_number_integer()) return gis::AttrValue(v.get<int64_t>());
    if (v.is_number()) return gis::AttrValue(v.get<double>());
    if (v.is_string()) return gis::AttrValue(v.get<std::string>());
    return bad("an attribute value must be a number, text or null");
  }

  Result<Command> command(const json& o) const {
    if (!o.is_object()) return bad("each edit is an object with \"op\"");
    auto op = str(o, "op");
    if (!op) return op.error();
    auto layer = str(o, "layer");
    if (!layer) return layer.error();
    const std::string& L = *layer;
    auto opt_center = [&](std::optional<glm::dvec2>& c) -> Result<bool> {
      if (!o.contains("center")) return true;
      auto p = lonlat(o["center"], "\"center\"");
      if (!p) return p.error();
      c = *p;
      return true;
    };
    if (*op == "move" || *op == "copy") {
      auto f = fids(o);
      if (!f) return f.error();
      if (!o.contains("offset")) return bad("needs \"offset\": [dx, dy] in metres");
      auto d = pair(o["offset"], "\"offset\"");
      if (!d) return d.error();
      if (*op == "move") return Command(Move{L, *f, *d});
      return Command(CopyFeatures{L, *f, *d});
    }
    if (*op == "rotate" || *op == "scale") {
      auto f = fids(o);
      if (!f) return f.error();
      auto v = num(o, *op == "rotate" ? "degrees" : "factor");
      if (!v) return v.error();
      std::optional<glm::dvec2> c;
      if (auto r = opt_center(c); !r) return r.error();
      if (*op == "rotate") return Command(Rotate{L, *f, *v, c});
      return Command(Scale{L, *f, *v, c});
    }
    if (*op == "move_vertex" || *op == "insert_vertex" || *op == "delete_vertex") {
      auto v = vertex(o);
      if (!v) return v.error();
      if (*op == "delete_vertex") return Command(DeleteVertex{L, *v});
      if (!o.contains("to")) return bad("needs \"to\": [lon, lat]");
      auto p = lonlat(o["to"], "\"to\"");
      if (!p) return p.error();
      if (*op == "move_vertex") return Command(MoveVertex{L, *v, *p});
      return Command(InsertVertex{L, *v, *p});
    }
    if (*op == "add") {
      auto p = polygon(o);
      if (!p) return p.error();
      AddFeature a{L, *p, {}};
      if (o.contains("attrs")) {
        if (!o["attrs"].is_object()) return bad("\"attrs\" must be an object of field: value");
        for (auto it = o["attrs"].begin(); it != o["attrs"].end(); ++it) {
          auto v = value(it.value());
          if (!v) return v.error();
          a.attrs[it.key()] = *v;
        }
      }
      return Command(std::move(a));
    }
    if (*op == "delete" || *op == "merge") {
      auto f = fids(o);
      if (!f) return f.error();
      if (*op == "delete") return Command(DeleteFeatures{L, *f});
      return Command(MergeParcels{L, *f});
    }
    if (*op == "split") {
      auto f = fid(o, "fid");
      if (!f) return f.error();
      if (!o.contains("line") || !o["line"].is_array() || o["line"].size() < 2)
        return bad("needs \"line\": at least 2 [lon, lat]");
      gis::LineString line;
      for (const auto& p : o["line"]) {
        auto q = lonlat(p, "\"line\"");
        if (!q) return q.error();
        line.push_back(*q);
      }
      return Command(SplitParcel{L, *f, std::move(line)});
    }
    if (*op == "set") {
      auto f = fid(o, "fid");
      if (!f) return f.error();
      auto field = str(o, "field");
      if (!field) return field.error();
      if (!o.contains("value")) return bad("needs \"value\"");
      auto v = value(o["value"]);
      if (!v) return v.error();
      return Command(SetAttribute{L, *f, *field, *v});
    }
    return bad("unknown op \"" + *op +
               "\" (known: move, rotate, scale, move_vertex, insert_vertex, delete_vertex, add, delete, copy, split, "
               "merge, set)");
  }
};

json ll(const gis::SceneFrame& frame, glm::dvec2 p) {
  const glm::dvec2 q = frame.to_wgs84(p);
  auto r9 = [](double v) { return std::round(v * 1e9) / 1e9; };
  return json::array({r9(q.x), r9(q.y)});
}

json attr_json(const gis::AttrValue& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

json to_json(const Command& c, const gis::SceneFrame& frame) {
  json o;
  o["op"] = command_name(c);
  std::visit(
      [&](const auto& cmd) {
        using T = std::decay_t<decltype(cmd)>;
        o["layer"] = cmd.layer;
        auto vertex = [&](const VertexRef& v) {
          o["fid"] = v.fid;
          o["part"] = v.part;
          o["ring"] = v.ring;
          o["index"] = v.index;
        };
        if constexpr (std::is_same_v<T, Move> || std::is_same_v<T, CopyFeatures>) {
          o["fids"] = cmd.fids;
          o["offset"] = json::array({cmd.offset.x, cmd.offset.y});
        } else if constexpr (std::is_same_v<T, Rotate> || std::is_same_v<T, Scale>) {
          o["fids"] = cmd.fids;
          if constexpr (std::is_same_v<T, Rotate>) o["degrees"] = cmd.degrees;
          else o["factor"] = cmd.factor;
          if (cmd.center) o["center"] = ll(frame, *cmd.center);
        } else if constexpr (std::is_same_v<T, MoveVertex>) {
          vertex(cmd.at);
          o["to"] = ll(frame, cmd.to);
        } else if constexpr (std::is_same_v<T, InsertVertex>) {
          vertex(cmd.at);
          o["to"] = ll(frame, cmd.pos);
        } else if constexpr (std::is_same_v<T, DeleteVertex>) {
          vertex(cmd.at);
        } else if constexpr (std::is_same_v<T, AddFeature>) {
          json rings = json::array();
          auto ring = [&](const gis::Ring& r) {
            json a = json::array();
            for (auto p : r) a.push_back(ll(frame, p));
            rings.push_back(a);
          };
          ring(cmd.polygon.outer);
          for (const auto& h : cmd.polygon.holes) ring(h);
          o["rings"] = rings;
          json attrs = json::object();
          for (const auto& [k, v] : cmd.attrs) attrs[k] = attr_json(v);
          o["attrs"] = attrs;
        } else if constexpr (std::is_same_v<T, DeleteFeatures> || std::is_same_v<T, MergeParcels>) {
          o["fids"] = cmd.fids;
        } else if constexpr (std::is_same_v<T, SplitParcel>) {
          o["fid"] = cmd.fid;
          json line = json::array();
          for (auto p : cmd.line) line.push_back(ll(frame, p));
          o["line"] = line;
        } else if constexpr (std::is_same_v<T, SetAttribute>) {
          o["fid"] = cmd.fid;
          o["field"] = cmd.field;
          o["value"] = attr_json(cmd.value);
        }
      },
      c);
  return o;
}

}  // namespace

Result<std::vector<Command>> parse_commands(const std::string& text, const gis::SceneFrame& frame,
                                            const std::string& where) {
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    return Failure(Failure::InvalidData, where + ": not JSON (" + e.what() + ")");
  }
  if (j.is_object() && j.contains("edits")) j = j["edits"];
  if (!j.is_array()) return Failure(Failure::InvalidData, where + ": expected an array of edits or {\"edits\": [...]}");
  std::vector<Command> out;
  for (size_t i = 0; i < j.size(); ++i) {
    Reader r{frame, where + ", edit " + std::to_string(i + 1)};
    try {
      auto c = r.command(j[i]);
      if (!c) return c.error();
      out.push_back(std::move(*c));
    } catch (const std::exception& e) {
      return r.bad(e.what());
    }
  }
  return out;
}

std::string command_to_json(const Command& c, const gis::SceneFrame& frame) { return to_json(c, frame).dump(); }

std::string commands_to_json(const std::vector<Command>& cmds, const gis::SceneFrame& frame) {
  json a = json::array();
  for (const auto& c : cmds) a.push_back(to_json(c, frame));
  return a.dump(1);
}

}  // namespace parktwin::edit
