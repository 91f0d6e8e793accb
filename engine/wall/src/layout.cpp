// Wall layouts: the JSON form (parktwin.wall/1) with its checks, the geometry of a regular grid of
// panels with bezels (each panel's part of one view) and stitching panel pictures into the wall's.
#include "parktwin/wall/layout.h"

#include <nlohmann/json.hpp>

#include <glm/common.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

namespace parktwin::wall {

namespace {

using gis::Failure;
using nlohmann::ordered_json;

constexpr int kMaxGrid = 256;          // columns or rows; far beyond any wall, small enough to be sane
constexpr uint32_t kMaxPanelPx = 32768;
/// The whole wall at its finest pixel pitch (wall_pixels), per axis: twice a full grid of the
/// largest panels, so bezels have room; beyond it the pixel rectangles would not fit an int32.
constexpr double kMaxWallPx = 2.0 * kMaxGrid * kMaxPanelPx;
// Two lengths in mm are one when closer than a micron (files written by hand round to 0.01 mm).
constexpr double kSameMm = 1e-3;

/// A refusal while reading the JSON form; parse_layout turns it into a Failure.
struct Refusal {
  std::string message;
};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string cell(int col, int row) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "[%d, %d]", col, row);
  return buf;
}

/// The finest pixel pitch (px per mm) among the panels, per axis: the wall's picture is made at it.
glm::dvec2 finest_pitch(const Layout& l) {
  glm::dvec2 pitch(0.0);
  for (const Panel& p : l.panels) pitch = glm::max(pitch, glm::dvec2(p.width_px / p.width_mm, p.height_px / p.height_mm));
  return pitch;
}

Failure refuse(const std::string& message) { return Failure(Failure::ConfigurationError, "wall layout: " + message); }

// ---- reading ---------------------------------------------------------------------------------

void refuse_unknown_keys(const ordered_json& o, std::initializer_list<const char*> known, const std::string& where) {
  for (auto it = o.begin(); it != o.end(); ++it)
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return it.key() == k; }))
      throw Refusal{where + " has an unknown key '" + it.key() + "' (misspelt?)"};
}

const ordered_json* find(const ordered_json& o, const char* key) {
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

uint32_t pixels(const ordered_json& v, const std::string& where) {
  if (!v.is_number_integer() || v.get<int64_t>() <= 0 || v.get<int64_t>() > kMaxPanelPx)
    throw Refusal{where + " must be a whole number of pixels from 1 to " + std::to_string(kMaxPanelPx) + ", not " +
                  v.dump()};
  return static_cast<uint32_t>(v.get<int64_t>());
}

double millimetres(const ordered_json& v, const std::string& where, bool zero_ok) {
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0.0 || (!zero_ok && v.get<double>() == 0.0))
    throw Refusal{where + " must be a " + (zero_ok ? "non-negative" : "positive") + " number of millimetres, not " +
                  v.dump()};
  return v.get<double>();
}

int grid_count(const ordered_json& doc, const char* key) {
  const ordered_json* v = find(doc, key);
  if (!v) throw Refusal{std::string("'") + key + "' is missing: the number of panels " +
                        (std::string(key) == "columns" ? "across" : "down") + " the wall"};
  if (!v->is_number_integer() || v->get<int64_t>() < 1 || v->get<int64_t>() > kMaxGrid)
    throw Refusal{std::string("'") + key + "' must be a whole number from 1 to " + std::to_string(kMaxGrid) + ", not " +
                  v->dump()};
  return static_cast<int>(v->get<int64_t>());
}

/// bezel_mm: one number for all four sides, or {left, right, top, bottom}. With `base` the
/// object may give only some sides (an override); without, it must give all four.
Bezel read_bezel(const ordered_json& v, const std::string& where, const Bezel* base) {
  if (v.is_number()) {
    const double b = millimetres(v, where, true);
    return Bezel{b, b, b, b};
  }
  if (!v.is_object())
    throw Refusal{where + " must be a number (all four sides) or an object {left, right, top, bottom}, in mm"};
  refuse_unknown_keys(v, {"left", "right", "top", "bottom"}, where);
  Bezel b = base ? *base : Bezel{};
  const std::pair<const char*, double*> sides[] = {
      {"left", &b.left_mm}, {"right", &b.right_mm}, {"top", &b.top_mm}, {"bottom", &b.bottom_mm}};
  for (const auto& [key, out] : sides) {
    if (const ordered_json* s = find(v, key))
      *out = millimetres(*s, where + "." + key, true);
    else if (!base)
      throw Refusal{where + "." + key + " is missing (give all four sides, or one number for all)"};
  }
  return b;
}

/// The size fields of a panel spec. `base` null: the default spec, every field required;
/// otherwise an override, each field optional and taken from `base` when absent.
void read_spec(const ordered_json& o, const std::string& where, const Panel* base, Panel& out) {
  static constexpr const char* kWhat[] = {"the panel's pixels across", "the panel's pixels down",
                                          "the active (lit) area's width in mm", "the active area's height in mm"};
  const char* keys[] = {"width_px", "height_px", "width_mm", "height_mm"};
  for (int i = 0; i < 4; ++i) {
    const ordered_json* v = find(o, keys[i]);
    const std::string at = where + "." + keys[i];
    if (!v) {
      if (!base) throw Refusal{at + " is missing: " + kWhat[i]};
      continue;
    }
    if (i == 0) out.width_px = pixels(*v, at);
    if (i == 1) out.height_px = pixels(*v, at);
    if (i == 2) out.width_mm = millimetres(*v, at, false);
    if (i == 3) out.height_mm = millimetres(*v, at, false);
  }
  if (const ordered_json* b = find(o, "bezel_mm"))
    out.bezel = read_bezel(*b, where + ".bezel_mm", base ? &base->bezel : nullptr);
  else if (!base)
    throw Refusal{where + ".bezel_mm is missing: the frame around the active area in mm (0 for a seamless wall)"};
}

std::pair<int, int> read_cell(const ordered_json& v, const std::string& where, int columns, int rows) {
  if (!v.is_array() || v.size() != 2 || !v[0].is_number_integer() || !v[1].is_number_integer())
    throw Refusal{where + " must be a cell [col, row] of two whole numbers, not " + v.dump()};
  const int64_t c = v[0].get<int64_t>(), r = v[1].get<int64_t>();
  if (c < 0 || c >= columns || r < 0 || r >= rows)
    throw Refusal{where + " " + cell(int(c), int(r)) + " lies outside the " + std::to_string(columns) + " x " +
                  std::to_string(rows) + " grid (col 0.." + std::to_string(columns - 1) + ", row 0.." +
                  std::to_string(rows - 1) + ", row 0 at the top)"};
  return {static_cast<int>(c), static_cast<int>(r)};
}

Layout read_document(const ordered_json& doc) {
  if (!doc.is_object()) throw Refusal{"not a JSON object"};
  const ordered_json* schema = find(doc, "schema");
  if (!schema || !schema->is_string() || schema->get<std::string>() != kLayoutSchema)
    throw Refusal{"'schema' is " + (schema ? schema->dump() : std::string("missing")) + ", expected \"" +
                  kLayoutSchema + "\""};
  refuse_unknown_keys(doc, {"schema", "name", "columns", "rows", "panel", "overrides", "nodes"}, "the layout");
  Layout layout;
  if (const ordered_json* n = find(doc, "name")) {
    if (!n->is_string()) throw Refusal{"'name' must be a string"};
    layout.name = n->get<std::string>();
  }
  layout.columns = grid_count(doc, "columns");
  layout.rows = grid_count(doc, "rows");

  const ordered_json* spec = find(doc, "panel");
  if (!spec) throw Refusal{"'panel' is missing: the default panel {width_px, height_px, width_mm, height_mm, bezel_mm}"};
  if (!spec->is_object()) throw Refusal{"'panel' must be an object {width_px, height_px, width_mm, height_mm, bezel_mm}"};
  refuse_unknown_keys(*spec, {"width_px", "height_px", "width_mm", "height_mm", "bezel_mm"}, "panel");
  Panel base;
  read_spec(*spec, "panel", nullptr, base);

  // Overrides by cell, applied to the default spec.
  std::map<std::pair<int, int>, Panel> odd;
  if (const ordered_json* ovs = find(doc, "overrides")) {
    if (!ovs->is_array()) throw Refusal{"'overrides' must be an array of {panel: [col, row], ...}"};
    for (std::size_t i = 0; i < ovs->size(); ++i) {
      const ordered_json& o = (*ovs)[i];
      const std::string where = "overrides[" + std::to_string(i) + "]";
      if (!o.is_object()) throw Refusal{where + " must be an object {panel: [col, row], ...}"};
      refuse_unknown_keys(o, {"panel", "width_px", "height_px", "width_mm", "height_mm", "bezel_mm"}, where);
      const ordered_json* at = find(o, "panel");
      if (!at) throw Refusal{where + ".panel is missing: the cell [col, row] it changes"};
      const auto c = read_cell(*at, where + ".panel", layout.columns, layout.rows);
      if (odd.count(c)) throw Refusal{where + ": cell " + cell(c.first, c.second) + " is overridden twice; merge the two"};
      Panel p = base;
      read_spec(o, where, &base, p);
      odd.emplace(c, p);
    }
  }

  const ordered_json* nodes = find(doc, "nodes");
  if (!nodes || !nodes->is_array() || nodes->empty())
    throw Refusal{"'nodes' must be a non-empty array of {id, panels: [[col, row], ...]}"};
  std::map<std::string, std::size_t> seen_ids;
  for (std::size_t i = 0; i < nodes->size(); ++i) {
    const ordered_json& n = (*nodes)[i];
    std::string where = "nodes[" + std::to_string(i) + "]";
    if (!n.is_object()) throw Refusal{where + " must be an object {id, panels}"};
    refuse_unknown_keys(n, {"id", "panels"}, where);
    const ordered_json* id = find(n, "id");
    if (!id || !id->is_string() || id->get<std::string>().empty())
      throw Refusal{where + ".id must be a non-empty string: the name the node is started with (--node ID)"};
    const std::string name = id->get<std::string>();
    if (const auto dup = seen_ids.find(name); dup != seen_ids.end())
      throw Refusal{where + ": id '" + name + "' is also nodes[" + std::to_string(dup->second) +
                    "]'s; give each node its own id"};
    seen_ids.emplace(name, i);
    where += " ('" + name + "')";
    const ordered_json* cells = find(n, "panels");
    if (!cells || !cells->is_array() || cells->empty())
      throw Refusal{where + " has no panels: list the cells it drives in 'panels' ([[col, row], ...], in output "
                            "order) or remove the node"};
    for (std::size_t k = 0; k < cells->size(); ++k) {
      const auto c = read_cell((*cells)[k], where + ".panels[" + std::to_string(k) + "]", layout.columns, layout.rows);
      const auto o = odd.find(c);
      Panel p = o == odd.end() ? base : o->second;
      p.col = c.first;
      p.row = c.second;
      p.node = name;
      p.output = static_cast<int>(k);
      layout.panels.push_back(std::move(p));
    }
  }
  return layout;
}

// ---- geometry --------------------------------------------------------------------------------

/// Where each column and row starts in mm (the outer edge of its left/top bezel); one more entry
/// than columns/rows, the last the wall's extent. Takes each column's width and each row's height
/// from its first panel (a valid layout has them equal).
struct Grid {
  std::vector<double> x, y;
};

Grid grid_of(const Layout& l) {
  std::vector<double> w(static_cast<std::size_t>(std::max(l.columns, 0)), 0.0),
      h(static_cast<std::size_t>(std::max(l.rows, 0)), 0.0);
  std::vector<bool> have_w(w.size(), false), have_h(h.size(), false);
  for (const Panel& p : l.panels) {
    if (p.col < 0 || p.col >= l.columns || p.row < 0 || p.row >= l.rows) continue;
    if (!have_w[p.col]) w[p.col] = p.bezel.left_mm + p.width_mm + p.bezel.right_mm, have_w[p.col] = true;
    if (!have_h[p.row]) h[p.row] = p.bezel.top_mm + p.height_mm + p.bezel.bottom_mm, have_h[p.row] = true;
  }
  Grid g;
  g.x.assign(w.size() + 1, 0.0);
  g.y.assign(h.size() + 1, 0.0);
  for (std::size_t i = 0; i < w.size(); ++i) g.x[i + 1] = g.x[i] + w[i];
  for (std::size_t i = 0; i < h.size(); ++i) g.y[i + 1] = g.y[i] + h[i];
  return g;
}

glm::dvec4 rect_mm(const Grid& g, const Panel& p) {
  const double x0 = g.x[p.col] + p.bezel.left_mm, y0 = g.y[p.row] + p.bezel.top_mm;
  return {x0, y0, x0 + p.width_mm, y0 + p.height_mm};
}

/// One axis of a panel's pixel rectangle: its mm span at the wall's pitch, rounded. A panel
/// at the wall's own pitch keeps exactly its pixel count (rounding both edges separately could
/// make it one more or less).
std::pair<int32_t, uint32_t> pixel_span(double lo_mm, double hi_mm, double pitch, uint32_t panel_px, uint32_t limit) {
  const double lo = std::clamp(std::round(lo_mm * pitch), 0.0, double(limit));
  const bool at_pitch = std::abs(panel_px / (hi_mm - lo_mm) - pitch) <= 1e-9 * pitch;
  const double hi = std::clamp(at_pitch ? lo + panel_px : std::round(hi_mm * pitch), lo, double(limit));
  return {static_cast<int32_t>(lo), static_cast<uint32_t>(hi - lo)};
}

}  // namespace

// ---- the file --------------------------------------------------------------------------------

gis::Result<Layout> parse_layout(std::string_view json_text) {
  ordered_json doc;
  try {
    doc = ordered_json::parse(json_text.begin(), json_text.end(), nullptr, true, /*ignore_comments=*/true);
  } catch (const ordered_json::parse_error& e) {
    return refuse(std::string("not valid JSON (") + e.what() + ")");
  } catch (const ordered_json::exception& e) {
    // Valid JSON that no double holds (1e999) throws out_of_range, not parse_error.
    return refuse(std::string("a number is out of range (") + e.what() + "); write the value as an ordinary number");
  }
  Layout layout;
  try {
    layout = read_document(doc);
  } catch (const Refusal& r) {
    return refuse(r.message);
  }
  if (auto ok = check_layout(layout); !ok) return ok.error();
  return layout;
}

gis::Result<Layout> read_layout(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Failure(Failure::ResourceUnavailable, "cannot read wall layout " + path + " (missing or unreadable)");
  std::ostringstream text;
  text << in.rdbuf();  // an empty file reads as "" and is refused as not JSON
  auto l = parse_layout(text.str());
  if (!l) return Failure(l.error().kind, path + ": " + l.error().message);
  return l;
}

gis::Result<bool> check_layout(const Layout& l) {
  if (l.columns < 1 || l.columns > kMaxGrid || l.rows < 1 || l.rows > kMaxGrid)
    return refuse("the grid is " + std::to_string(l.columns) + " x " + std::to_string(l.rows) +
                  "; columns and rows must lie in 1.." + std::to_string(kMaxGrid));
  std::vector<const Panel*> at(static_cast<std::size_t>(l.columns) * l.rows, nullptr);
  std::map<std::string, std::vector<int>> outputs;
  for (const Panel& p : l.panels) {
    const std::string who = "panel " + cell(p.col, p.row) + " of node '" + p.node + "'";
    if (p.node.empty()) return refuse("panel " + cell(p.col, p.row) + " has no node: every panel is driven by one");
    if (p.col < 0 || p.col >= l.columns || p.row < 0 || p.row >= l.rows)
      return refuse(who + " lies outside the " + std::to_string(l.columns) + " x " + std::to_string(l.rows) + " grid");
    if (p.width_px == 0 || p.height_px == 0 || p.width_px > kMaxPanelPx || p.height_px > kMaxPanelPx)
      return refuse(who + ": width_px and height_px must lie in 1.." + std::to_string(kMaxPanelPx));
    if (!(p.width_mm > 0.0) || !(p.height_mm > 0.0) || !std::isfinite(p.width_mm) || !std::isfinite(p.height_mm))
      return refuse(who + ": width_mm and height_mm (the active area) must be positive");
    for (double b : {p.bezel.left_mm, p.bezel.right_mm, p.bezel.top_mm, p.bezel.bottom_mm})
      if (!(b >= 0.0) || !std::isfinite(b)) return refuse(who + ": bezels must not be negative");
    const Panel*& slot = at[static_cast<std::size_t>(p.row) * l.columns + p.col];
    if (slot) {
      if (slot->node == p.node)
        return refuse("node '" + p.node + "' lists cell " + cell(p.col, p.row) + " twice: keep one");
      return refuse("cell " + cell(p.col, p.row) + " is driven by both node '" + slot->node + "' and node '" + p.node +
                    "': keep it in one node's 'panels'");
    }
    slot = &p;
    outputs[p.node].push_back(p.output);
  }
  for (int r = 0; r < l.rows; ++r)
    for (int c = 0; c < l.columns; ++c)
      if (!at[static_cast<std::size_t>(r) * l.columns + c])
        return refuse("cell " + cell(c, r) + " has no panel: add it to the 'panels' of the node that drives it");
  for (auto& [node, outs] : outputs) {
    std::sort(outs.begin(), outs.end());
    for (std::size_t i = 0; i < outs.size(); ++i)
      if (outs[i] != static_cast<int>(i))
        return refuse("node '" + node + "': its panels' outputs must be 0.." + std::to_string(outs.size() - 1) +
                      ", each once");
  }
  // The geometry places columns side by side and rows one under another, so every panel of a
  // column must be as wide and every panel of a row as tall — active area and bezels alike.
  auto irregular = [&](const Panel& a, const Panel& b, bool column) -> std::optional<Failure> {
    const double act_a = column ? a.width_mm : a.height_mm, act_b = column ? b.width_mm : b.height_mm;
    const double out_a = column ? a.bezel.left_mm + a.width_mm + a.bezel.right_mm
                                : a.bezel.top_mm + a.height_mm + a.bezel.bottom_mm;
    const double out_b = column ? b.bezel.left_mm + b.width_mm + b.bezel.right_mm
                                : b.bezel.top_mm + b.height_mm + b.bezel.bottom_mm;
    const bool active_differs = std::abs(act_a - act_b) > kSameMm;
    if (!active_differs && std::abs(out_a - out_b) <= kSameMm) return std::nullopt;
    const std::string what = column ? "wide" : "tall";
    const std::string line = column ? "column " + std::to_string(a.col) : "row " + std::to_string(a.row);
    const std::string size = active_differs ? "" : " with its bezels";
    return refuse(line + " has panels of different sizes: " + cell(a.col, a.row) + " is " +
                  num(active_differs ? act_a : out_a) + " mm " + what + size + ", " + cell(b.col, b.row) + " " +
                  num(active_differs ? act_b : out_b) + " mm. The wall's geometry assumes a regular grid (every panel " +
                  "of a column as wide, every panel of a row as tall, bezels included): make them agree (see "
                  "'overrides'), or describe such a wall as separate layouts");
  };
  for (int r = 0; r < l.rows; ++r)
    for (int c = 0; c < l.columns; ++c) {
      const Panel& p = *at[static_cast<std::size_t>(r) * l.columns + c];
      if (r > 0)
        if (auto f = irregular(*at[static_cast<std::size_t>(c)], p, true)) return *f;
      if (c > 0)
        if (auto f = irregular(*at[static_cast<std::size_t>(r) * l.columns], p, false)) return *f;
    }
  // Every panel is shown at the finest pitch among them (wall_pixels): a huge bezel or active area
  // next to a panel of fine pitch makes a wall of billions of pixels, or an infinite one.
  const glm::dvec2 extent = wall_extent_mm(l), pitch = finest_pitch(l);
  for (int axis = 0; axis < 2; ++axis) {
    const double px = extent[axis] * pitch[axis];
    if (!(px <= kMaxWallPx))
      return refuse(std::string("the wall is ") + num(extent[axis]) + " mm " + (axis == 0 ? "wide" : "tall") +
                    " and its finest panel has " + num(pitch[axis]) + " px per mm: " + num(px) +
                    " px, more than the " + num(kMaxWallPx) +
                    " a wall may have. A size in mm is far too large (bezel_mm, width_mm, height_mm are "
                    "millimetres) or a panel's pixels far too fine; check the panel data sheet's numbers");
  }
  return true;
}

std::string layout_to_json(const Layout& l) {
  // The default spec is the most common one (the first seen among equals), so a wall of equal
  // panels has no overrides and one odd panel costs one override.
  auto same_spec = [](const Panel& a, const Panel& b) {
    return a.width_px == b.width_px && a.height_px == b.height_px && a.width_mm == b.width_mm &&
           a.height_mm == b.height_mm && a.bezel == b.bezel;
  };
  const Panel* base = l.panels.empty() ? nullptr : &l.panels.front();
  std::size_t best = 0;
  for (const Panel& p : l.panels) {
    const auto n = static_cast<std::size_t>(
        std::count_if(l.panels.begin(), l.panels.end(), [&](const Panel& q) { return same_spec(p, q); }));
    if (n > best) best = n, base = &p;
  }
  const Panel def = base ? *base : Panel{};
  auto bezel_json = [](const Bezel& b) {
    return ordered_json{{"left", b.left_mm}, {"right", b.right_mm}, {"top", b.top_mm}, {"bottom", b.bottom_mm}};
  };
  ordered_json doc;
  doc["schema"] = kLayoutSchema;
  doc["name"] = l.name;
  doc["columns"] = l.columns;
  doc["rows"] = l.rows;
  doc["panel"] = ordered_json{{"width_px", def.width_px}, {"height_px", def.height_px}, {"width_mm", def.width_mm},
                              {"height_mm", def.height_mm}, {"bezel_mm", bezel_json(def.bezel)}};
  // Overrides and nodes one per line: a wall of 8 x 2 panels stays a page an installer can read.
  std::vector<ordered_json> overrides, nodes;
  for (int r = 0; r < l.rows; ++r)
    for (int c = 0; c < l.columns; ++c) {
      const Panel* p = find_panel(l, c, r);
      if (!p || same_spec(*p, def)) continue;
      ordered_json o{{"panel", {c, r}}};
      if (p->width_px != def.width_px) o["width_px"] = p->width_px;
      if (p->height_px != def.height_px) o["height_px"] = p->height_px;
      if (p->width_mm != def.width_mm) o["width_mm"] = p->width_mm;
      if (p->height_mm != def.height_mm) o["height_mm"] = p->height_mm;
      if (!(p->bezel == def.bezel)) o["bezel_mm"] = bezel_json(p->bezel);
      overrides.push_back(std::move(o));
    }
  for (const std::string& id : node_ids(l)) {
    ordered_json cells = ordered_json::array();
    for (const Panel* p : panels_of(l, id)) cells.push_back({p->col, p->row});
    nodes.push_back(ordered_json{{"id", id}, {"panels", std::move(cells)}});
  }
  auto dump = [](const ordered_json& j, int indent) {
    return j.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
  };
  auto list = [&](const char* key, const std::vector<ordered_json>& items) {
    std::string s = ",\n  \"" + std::string(key) + "\": [";
    for (std::size_t i = 0; i < items.size(); ++i) s += (i ? ",\n    " : "\n    ") + dump(items[i], -1);
    return s + (items.empty() ? "]" : "\n  ]");
  };
  std::string text = dump(doc, 2);
  text.resize(text.size() - 2);  // the closing "\n}"
  if (!overrides.empty()) text += list("overrides", overrides);
  return text + list("nodes", nodes) + "\n}\n";
}

Layout uniform_layout(int cols, int rows, uint32_t width_px, uint32_t height_px, double width_mm, double height_mm,
                      double bezel_mm, int nodes) {
  Layout l;
  l.name = "uniform " + std::to_string(cols) + "x" + std::to_string(rows);
  l.columns = cols;
  l.rows = rows;
  const int n = std::max(cols, 0) * std::max(rows, 0);
  nodes = std::clamp(nodes, 1, std::max(n, 1));
  int last_node = -1, output = 0;
  // Column-major order cut into `nodes` runs: panel k goes to node floor(k * nodes / n), so the
  // panels stay listed node by node, each node's by output.
  for (int k = 0; k < n; ++k) {
    const int node = static_cast<int>(int64_t(k) * nodes / n);
    output = node == last_node ? output + 1 : 0;
    last_node = node;
    Panel p;
    p.col = k / rows;
    p.row = k % rows;
    p.width_px = width_px;
    p.height_px = height_px;
    p.width_mm = width_mm;
    p.height_mm = height_mm;
    p.bezel = Bezel{bezel_mm, bezel_mm, bezel_mm, bezel_mm};
    p.node = "node" + std::to_string(node + 1);
    p.output = output;
    l.panels.push_back(std::move(p));
  }
  return l;
}

std::vector<std::string> node_ids(const Layout& l) {
  std::vector<std::string> ids;
  for (const Panel& p : l.panels)
    if (std::find(ids.begin(), ids.end(), p.node) == ids.end()) ids.push_back(p.node);
  return ids;
}

std::vector<const Panel*> panels_of(const Layout& l, const std::string& node) {
  std::vector<const Panel*> out;
  for (const Panel& p : l.panels)
    if (p.node == node) out.push_back(&p);
  std::stable_sort(out.begin(), out.end(), [](const Panel* a, const Panel* b) { return a->output < b->output; });
  return out;
}

const Panel* find_panel(const Layout& l, int col, int row) {
  for (const Panel& p : l.panels)
    if (p.col == col && p.row == row) return &p;
  return nullptr;
}

// ---- geometry --------------------------------------------------------------------------------

glm::dvec2 wall_extent_mm(const Layout& l) {
  const Grid g = grid_of(l);
  return {g.x.back(), g.y.back()};
}

glm::dvec4 panel_rect_mm(const Layout& l, const Panel& p) { return rect_mm(grid_of(l), p); }

glm::dvec4 panel_subrect(const Layout& l, const Panel& p) {
  const Grid g = grid_of(l);
  const glm::dvec2 ext(g.x.back(), g.y.back());
  const glm::dvec4 r = rect_mm(g, p);
  return {r.x / ext.x, r.y / ext.y, r.z / ext.x, r.w / ext.y};
}

double view_aspect(const Layout& l) {
  const glm::dvec2 ext = wall_extent_mm(l);
  return ext.x / ext.y;
}

WallPixels wall_pixels(const Layout& l) {
  WallPixels wp;
  wp.px_per_mm = finest_pitch(l);
  const Grid g = grid_of(l);
  wp.width = static_cast<uint32_t>(std::lround(g.x.back() * wp.px_per_mm.x));
  wp.height = static_cast<uint32_t>(std::lround(g.y.back() * wp.px_per_mm.y));
  for (const Panel& p : l.panels) {
    const glm::dvec4 r = rect_mm(g, p);
    const auto [x, w] = pixel_span(r.x, r.z, wp.px_per_mm.x, p.width_px, wp.width);
    const auto [y, h] = pixel_span(r.y, r.w, wp.px_per_mm.y, p.height_px, wp.height);
    wp.panels.push_back(PixelRect{x, y, w, h});
  }
  return wp;
}

glm::dvec4 pixel_subrect(const WallPixels& wp, std::size_t i) {
  const PixelRect& r = wp.panels.at(i);
  const double w = std::max(1u, wp.width), h = std::max(1u, wp.height);
  return {r.x / w, r.y / h, (r.x + double(r.w)) / w, (r.y + double(r.h)) / h};
}

// ---- pictures --------------------------------------------------------------------------------

gis::Result<Image> stitch(const Layout& l, const std::vector<Tile>& tiles, std::array<uint8_t, 4> bezel_rgba) {
  const WallPixels wp = wall_pixels(l);
  Image out;
  out.width = wp.width;
  out.height = wp.height;
  out.rgba.resize(std::size_t(out.width) * out.height * 4);
  for (std::size_t i = 0; i < out.rgba.size(); i += 4) std::copy(bezel_rgba.begin(), bezel_rgba.end(), &out.rgba[i]);
  std::set<std::pair<int, int>> placed;
  for (const Tile& t : tiles) {
    const std::string which = "stitch: tile for cell " + cell(t.col, t.row);
    const Panel* p = find_panel(l, t.col, t.row);
    if (!p) return Failure(Failure::InvalidData, which + ": the layout has no panel there");
    if (!placed.insert({t.col, t.row}).second) return Failure(Failure::InvalidData, which + " given twice");
    const PixelRect& r = wp.panels[static_cast<std::size_t>(p - l.panels.data())];
    const bool rect_size = t.image.width == r.w && t.image.height == r.h;
    const bool panel_size = t.image.width == p->width_px && t.image.height == p->height_px;
    if ((!rect_size && !panel_size) || t.image.rgba.size() != std::size_t(t.image.width) * t.image.height * 4)
      return Failure(Failure::InvalidData, which + " is " + std::to_string(t.image.width) + "x" +
                                               std::to_string(t.image.height) + " (" +
                                               std::to_string(t.image.rgba.size()) + " bytes); the panel is " +
                                               std::to_string(p->width_px) + "x" + std::to_string(p->height_px));
    // Nearest neighbour from the tile's pixels to the rectangle's (the identity when equal).
    for (uint32_t y = 0; y < r.h; ++y) {
      const uint32_t sy = uint32_t(uint64_t(y) * t.image.height / r.h);
      uint8_t* dst = &out.rgba[(std::size_t(r.y + y) * out.width + r.x) * 4];
      const uint8_t* src = &t.image.rgba[std::size_t(sy) * t.image.width * 4];
      if (t.image.width == r.w) {
        std::copy(src, src + std::size_t(r.w) * 4, dst);
        continue;
      }
      for (uint32_t x = 0; x < r.w; ++x) {
        const uint32_t sx = uint32_t(uint64_t(x) * t.image.width / r.w);
        std::copy(src + std::size_t(sx) * 4, src + std::size_t(sx) * 4 + 4, dst + std::size_t(x) * 4);
      }
    }
  }
  return out;
}

Image crop(const Image& whole, const PixelRect& rect) {
  Image out;
  out.width = rect.w;
  out.height = rect.h;
  out.rgba.assign(std::size_t(rect.w) * rect.h * 4, 0);
  const int64_t x0 = std::max<int64_t>(rect.x, 0), x1 = std::min<int64_t>(int64_t(rect.x) + rect.w, whole.width);
  if (x1 <= x0 || whole.rgba.size() < std::size_t(whole.width) * whole.height * 4) return out;
  for (uint32_t y = 0; y < rect.h; ++y) {
    const int64_t sy = int64_t(rect.y) + y;
    if (sy < 0 || sy >= int64_t(whole.height)) continue;
    const uint8_t* src = &whole.rgba[(std::size_t(sy) * whole.width + std::size_t(x0)) * 4];
    std::copy(src, src + std::size_t(x1 - x0) * 4, &out.rgba[(std::size_t(y) * rect.w + std::size_t(x0 - rect.x)) * 4]);
  }
  return out;
}

}  // namespace parktwin::wall
