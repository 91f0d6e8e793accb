// Turning layers read through gis into scene layers with their meshes. Geometry is tiled on a
// 4 km grid: each tile's mesh stores float positions relative to the tile centre, which keeps
// float32 error far below a millimetre inside a park and lets the renderer cull by tile.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "load_detail.h"
#include "parktwin/scene/scene.h"
#include "shared_constants.h"

namespace parktwin::scene {
// Shared with streaming (stream.cpp, stream_worker.cpp) through load_detail.h.
namespace load_detail {

constexpr float kDefaultHeight = 10.0f;

Box geometry_box(const gis::Geometry& g) {
  Box b;
  for (auto p : g.points) b.add(p);
  for (const auto& l : g.lines)
    for (auto p : l) b.add(p);
  for (const auto& poly : g.polygons)
    for (auto p : poly.outer) b.add(p);
  return b;
}

using TileMap = std::map<std::pair<int64_t, int64_t>, size_t>;

/// A new empty chunk for tile `key`, appended to `chunks`.
template <typename Chunk>
Chunk& new_chunk(std::vector<Chunk>& chunks, TileKey key) {
  Chunk& c = chunks.emplace_back();
  const glm::dvec2 origin((static_cast<double>(key.x) + 0.5) * kTileSize, (static_cast<double>(key.y) + 0.5) * kTileSize);
  if constexpr (std::is_same_v<Chunk, GroundChunk>) {
    c.fill.origin = origin;
    c.lines.origin = origin;
  } else {
    c.mesh.origin = origin;
  }
  c.bmin = glm::dvec2(1e300);
  c.bmax = glm::dvec2(-1e300);
  c.tile = key;
  return c;
}

/// The chunk of `chunks` for the tile containing `p`, created on first use.
template <typename Chunk>
Chunk& chunk_at(std::vector<Chunk>& chunks, TileMap& tiles, glm::dvec2 p) {
  const TileKey key = tile_of(p);
  auto [it, inserted] = tiles.try_emplace(std::make_pair(key.x, key.y), chunks.size());
  if (inserted) new_chunk(chunks, key);
  return chunks[it->second];
}

/// Index of the chunk of tile `key` in `chunks`, appending an empty one when there is none.
template <typename Chunk>
size_t find_or_add_chunk(std::vector<Chunk>& chunks, TileKey key) {
  for (size_t i = 0; i < chunks.size(); ++i)
    if (chunks[i].tile == key) return i;
  new_chunk(chunks, key);
  return chunks.size() - 1;
}

/// Per feature, the index of the chunk listing it (-1 for none).
template <typename Chunk>
void index_members(const std::vector<Chunk>& chunks, size_t n_features, std::vector<int32_t>& out) {
  out.assign(n_features, -1);
  for (size_t c = 0; c < chunks.size(); ++c)
    for (uint32_t f : chunks[c].features) out[f] = static_cast<int32_t>(c);
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

/// Appends feature `i` of a ground layer (already known to have geometry, box `box`) to chunk `c`.
void add_ground_feature(const Layer& layer, size_t i, const Box& box, GroundChunk& c, gis::Triangulator& tri) {
  const gis::Feature& f = layer.data.features[i];
  const Colours col = ground_colours(layer, f);
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

void build_ground(Layer& layer) {
  TileMap tiles;
  gis::Triangulator tri;
  for (size_t i = 0; i < layer.data.features.size(); ++i) {
    const Box box = geometry_box(layer.data.features[i].geom);
    if (box.empty()) continue;
    GroundChunk& c = chunk_at(layer.ground, tiles, box.mid());
    c.features.push_back(static_cast<uint32_t>(i));
    add_ground_feature(layer, i, box, c, tri);
  }
  std::erase_if(layer.ground, [](const GroundChunk& c) { return c.fill.indices.empty() && c.lines.indices.empty(); });
  index_members(layer.ground, layer.data.features.size(), layer.feature_chunk);
}

/// Rebuilds a ground chunk's meshes from its member features.
void rebuild_ground_chunk(const Layer& layer, GroundChunk& c, gis::Triangulator& tri) {
  c.fill.clear();
  c.lines.clear();
  c.bmin = glm::dvec2(1e300);
  c.bmax = glm::dvec2(-1e300);
  for (uint32_t f : c.features) add_ground_feature(layer, f, geometry_box(layer.data.features[f].geom), c, tri);
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

std::pair<int, int> height_fields(const gis::LayerData& d, const std::string& height_attr) {
  return {first_field(d, height_attr, kHeightNames, std::size(kHeightNames)),
          first_field(d, "", kFloorNames, std::size(kFloorNames))};
}

BuildingFields::BuildingFields(const Scene& scene, const gis::LayerData& d, const std::string& height_attr) {
  std::tie(height, floors) = height_fields(d, height_attr);
  kind = d.field("kind");
  enterprise = d.field("enterprise_id");
  source = d.field("source");
  for (size_t i = 0; i < scene.enterprises.size(); ++i)
    enterprise_index[scene.enterprises[i].id] = static_cast<int32_t>(i);
}

/// The static record of building feature `i` (box `box`); new kind names join Scene::building_kinds.
Building building_record(Scene& scene, const BuildingFields& bf, uint32_t layer_index, size_t i, const Box& box) {
  const gis::Feature& f = scene.layers[layer_index].data.features[i];
  Building b;
  b.layer = layer_index;
  b.feature = static_cast<uint32_t>(i);
  b.height_m = feature_height(f, bf.height, bf.floors);
  b.centroid = box.mid();
  b.generated = gis::attr_string(f, bf.source).rfind("generated", 0) == 0;
  const std::string kind = bf.kind >= 0 ? gis::attr_string(f, bf.kind) : std::string("building");
  auto kit = std::find(scene.building_kinds.begin(), scene.building_kinds.end(), kind);
  if (kit == scene.building_kinds.end()) kit = scene.building_kinds.insert(scene.building_kinds.end(), kind);
  b.kind = static_cast<uint16_t>(kit - scene.building_kinds.begin());
  if (bf.enterprise >= 0) {
    auto e = bf.enterprise_index.find(gis::attr_string(f, bf.enterprise));
    if (e != bf.enterprise_index.end()) b.enterprise = e->second;
  }
  return b;
}

/// Extrudes feature `f` as building `slot` into chunk `c`; false when nothing could be extruded.
bool add_building_feature(const gis::Feature& f, uint32_t slot, float height_m, BuildingChunk& c, gis::Extruder& ex) {
  bool any = false;
  for (const gis::Polygon& poly : f.geom.polygons) any |= ex.add(poly, slot, c.mesh);
  if (!any) return false;
  const Box box = geometry_box(f.geom);
  c.bmin = glm::min(c.bmin, box.lo);
  c.bmax = glm::max(c.bmax, box.hi);
  c.max_height = std::max(c.max_height, static_cast<double>(height_m));
  return true;
}

void build_buildings(Scene& scene, uint32_t layer_index, const std::string& height_attr) {
  Layer& layer = scene.layers[layer_index];
  const gis::LayerData& d = layer.data;
  const BuildingFields bf(scene, d, height_attr);
  layer.height_attribute = height_attr;
  layer.first_building = static_cast<uint32_t>(scene.buildings.size());
  layer.feature_building.assign(d.features.size(), -1);
  TileMap tiles;
  gis::Extruder ex;
  for (size_t i = 0; i < d.features.size(); ++i) {
    const gis::Feature& f = d.features[i];
    if (f.geom.polygons.empty()) continue;
    const Box box = geometry_box(f.geom);
    const Building b = building_record(scene, bf, layer_index, i, box);
    const uint32_t index = static_cast<uint32_t>(scene.buildings.size());
    BuildingChunk& c = chunk_at(layer.building_chunks, tiles, box.mid());
    if (!add_building_feature(f, index, b.height_m, c, ex)) continue;
    c.features.push_back(static_cast<uint32_t>(i));
    layer.feature_building[i] = static_cast<int32_t>(index);
    scene.buildings.push_back(b);
  }
  std::erase_if(layer.building_chunks, [](const BuildingChunk& c) { return c.mesh.indices.empty(); });
  index_members(layer.building_chunks, d.features.size(), layer.feature_chunk);
}

/// Rebuilds a building chunk's mesh from its member features, each as its building slot.
void rebuild_building_chunk(const Scene& scene, const Layer& layer, BuildingChunk& c, gis::Extruder& ex) {
  c.mesh.clear();
  c.evicted = false;  // a dropped chunk that is edited has its mesh again
  c.blocks = gis::BuildingMesh{};
  c.lods.clear();  // stale: build_chunk_lods makes new ones for the new revision
  c.lods_revision = 0;
  c.clusters.reset();  // stale too: a renderer lays the new mesh out itself
  c.lod_clusters.clear();
  c.clusters_revision = 0;
  c.bmin = glm::dvec2(1e300);
  c.bmax = glm::dvec2(-1e300);
  c.max_height = 0.0;
  for_each_member_building(scene, layer, c, [&](const gis::Feature& f, uint32_t slot, float height_m) {
    add_building_feature(f, slot, height_m, c, ex);
  });
}

/// Removes feature `f` from the chunk it is in (noting that chunk in `dirty`).
template <typename Chunk>
void leave_chunk(std::vector<Chunk>& chunks, std::vector<int32_t>& feature_chunk, uint32_t f, std::vector<size_t>& dirty) {
  const int32_t old = feature_chunk[f];
  if (old < 0 || static_cast<size_t>(old) >= chunks.size()) return;
  auto& members = chunks[static_cast<size_t>(old)].features;
  if (auto it = std::lower_bound(members.begin(), members.end(), f); it != members.end() && *it == f) members.erase(it);
  dirty.push_back(static_cast<size_t>(old));
  feature_chunk[f] = -1;
}

/// Adds feature `f` to the chunk of tile `key` (created when there is none), noting it in `dirty`.
template <typename Chunk>
void join_chunk(std::vector<Chunk>& chunks, std::vector<int32_t>& feature_chunk, uint32_t f, TileKey key,
                std::vector<size_t>& dirty) {
  const size_t ci = find_or_add_chunk(chunks, key);
  auto& members = chunks[ci].features;
  members.insert(std::lower_bound(members.begin(), members.end(), f), f);
  feature_chunk[f] = static_cast<int32_t>(ci);
  dirty.push_back(ci);
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

LayerKind user_layer_kind(const gis::LayerData& d, gis::GeomKind geom, const LoadOptions& opt) {
  if (!opt.kind.empty())
    return opt.kind == "buildings" ? LayerKind::Buildings
           : opt.kind == "roads"   ? LayerKind::Roads
           : opt.kind == "sites"   ? LayerKind::Sites
                                   : LayerKind::Area;
  if (geom == gis::GeomKind::Point) return LayerKind::Sites;
  if (geom == gis::GeomKind::Line) return LayerKind::Roads;
  if (!opt.height_attribute.empty() || first_field(d, "", kHeightNames, std::size(kHeightNames)) >= 0 ||
      first_field(d, "", kFloorNames, std::size(kFloorNames)) >= 0)
    return LayerKind::Buildings;
  return LayerKind::Area;
}

}  // namespace load_detail
using namespace load_detail;

TileKey tile_of(glm::dvec2 p) {
  return {static_cast<int64_t>(std::floor(p.x / kTileSize)), static_cast<int64_t>(std::floor(p.y / kTileSize))};
}

uint32_t add_layer_data(Scene& scene, gis::LayerData data, const std::string& id, LayerKind kind) {
  const std::string title = data.name;
  push_layer(scene, std::move(data), id, title, kind);
  const auto index = static_cast<uint32_t>(scene.layers.size() - 1);
  finish_layer(scene, index, "");
  scene.restyle();
  return index;
}

GeometryUpdate update_features(Scene& scene, uint32_t layer_index, const std::vector<size_t>& feature_indices) {
  GeometryUpdate out;
  if (layer_index >= scene.layers.size()) return out;
  Layer& layer = scene.layers[layer_index];
  if (layer.kind == LayerKind::Sites) return out;
  const size_t n = layer.data.features.size();
  std::vector<uint32_t> touched;
  for (size_t f : feature_indices)
    if (f < n) touched.push_back(static_cast<uint32_t>(f));
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  if (touched.empty()) return out;
  layer.feature_chunk.resize(n, -1);
  std::vector<size_t> dirty;

  if (layer.kind == LayerKind::Buildings) {
    layer.feature_building.resize(n, -1);
    const BuildingFields bf(scene, layer.data, layer.height_attribute);
    for (uint32_t f : touched) {
      leave_chunk(layer.building_chunks, layer.feature_chunk, f, dirty);
      const gis::Feature& feat = layer.data.features[f];
      int32_t& slot = layer.feature_building[f];
      if (feat.geom.polygons.empty()) {  // deleted: the slot stays, hidden
        if (slot >= 0) {
          const auto s = static_cast<size_t>(slot);
          if (s < scene.styles.size()) scene.styles[s].flags |= kFlagHidden;
          out.buildings_changed.push_back(static_cast<uint32_t>(slot));
        }
        continue;
      }
      const Box box = geometry_box(feat.geom);
      const Building b = building_record(scene, bf, layer_index, f, box);
      if (slot < 0) {
        slot = static_cast<int32_t>(scene.buildings.size());
        scene.buildings.push_back(b);
        ++out.buildings_added;
      } else {
        scene.buildings[static_cast<size_t>(slot)] = b;
        if (static_cast<size_t>(slot) < scene.styles.size()) scene.styles[static_cast<size_t>(slot)].flags &= ~kFlagHidden;
      }
      out.buildings_changed.push_back(static_cast<uint32_t>(slot));
      join_chunk(layer.building_chunks, layer.feature_chunk, f, tile_of(box.mid()), dirty);
    }
  } else {
    for (uint32_t f : touched) {
      leave_chunk(layer.ground, layer.feature_chunk, f, dirty);
      const Box box = geometry_box(layer.data.features[f].geom);
      if (!box.empty()) join_chunk(layer.ground, layer.feature_chunk, f, tile_of(box.mid()), dirty);
    }
  }

  std::sort(dirty.begin(), dirty.end());
  dirty.erase(std::unique(dirty.begin(), dirty.end()), dirty.end());
  const uint64_t revision = ++scene.geometry_revision;
  if (layer.kind == LayerKind::Buildings) {
    gis::Extruder ex;
    for (size_t ci : dirty) {
      BuildingChunk& c = layer.building_chunks[ci];
      rebuild_building_chunk(scene, layer, c, ex);
      c.revision = revision;
      if (!c.mesh.indices.empty()) scene.include_bounds(c.bmin, c.bmax);
    }
  } else {
    gis::Triangulator tri;
    for (size_t ci : dirty) {
      GroundChunk& c = layer.ground[ci];
      rebuild_ground_chunk(layer, c, tri);
      c.revision = revision;
      if (!c.fill.indices.empty() || !c.lines.indices.empty()) scene.include_bounds(c.bmin, c.bmax);
    }
  }
  out.chunks_rebuilt = dirty.size();
  if (!out.buildings_changed.empty()) scene.restyle_buildings(out.buildings_changed);
  return out;
}

namespace load_detail {

std::vector<gis::LayerData> split_by_geometry(gis::LayerData&& d) {
  std::array<size_t, 4> count{};  // by GeomKind
  for (const gis::Feature& f : d.features) ++count[static_cast<size_t>(f.geom.kind)];
  constexpr gis::GeomKind order[] = {gis::GeomKind::Polygon, gis::GeomKind::Line, gis::GeomKind::Point};
  std::vector<gis::GeomKind> present;
  for (gis::GeomKind k : order)
    if (count[static_cast<size_t>(k)] > 0) present.push_back(k);
  std::vector<gis::LayerData> parts;
  if (present.size() < 2) {
    parts.push_back(std::move(d));
    return parts;
  }
  for (gis::GeomKind k : present) {
    gis::LayerData part;
    part.source = d.source;
    part.name = d.name;
    part.crs = d.crs;
    part.kind = k;
    part.fields = d.fields;
    part.field_types = d.field_types;
    part.features.reserve(count[static_cast<size_t>(k)] + (parts.empty() ? count[0] : 0));
    parts.push_back(std::move(part));
  }
  for (gis::Feature& f : d.features) {
    size_t at = 0;  // no geometry: with the first part
    for (size_t i = 0; i < present.size(); ++i)
      if (present[i] == f.geom.kind) at = i;
    parts[at].features.push_back(std::move(f));
  }
  d.features.clear();
  // Each part's report covers its own features (kept = read); the first keeps what was skipped,
  // repaired or said, and reads the rest of the count.
  parts.front().report = std::move(d.report);
  for (size_t i = 1; i < parts.size(); ++i) {
    const auto n = static_cast<int64_t>(parts[i].features.size());
    parts[i].report.read = parts[i].report.kept = n;
    parts.front().report.read -= n;
    parts.front().report.kept -= n;
  }
  return parts;
}

static const char* geometry_part_name(gis::GeomKind k) {
  switch (k) {
    case gis::GeomKind::Polygon: return "polygons";
    case gis::GeomKind::Line: return "lines";
    case gis::GeomKind::Point: return "points";
    default: return "no geometry";
  }
}

void add_geometry_part(Scene& scene, gis::LayerData&& part, const std::string& path, bool first,
                       const LoadOptions& opt) {
  std::string id = "user:" + path + "/" + part.name;
  std::string title = part.name;
  LoadOptions own = opt;
  if (!first) {  // a mixed layer's lines or points: --layer-kind is for its polygons
    id += std::string("|") + geometry_part_name(part.kind);
    title += std::string(" \u00b7 ") + geometry_part_name(part.kind);
    own.kind.clear();
  }
  title += " (" + path + ")";
  const LayerKind kind = user_layer_kind(part, part.kind, own);
  if (kind == LayerKind::Buildings && !opt.height_attribute.empty() && part.field(opt.height_attribute) < 0)
    scene.warnings.push_back("layer '" + part.name + "' of " + path + " has no attribute '" + opt.height_attribute +
                             "'; buildings get the default height of 10 m");
  push_layer(scene, std::move(part), id, title, kind);
  finish_layer(scene, static_cast<uint32_t>(scene.layers.size() - 1), opt.height_attribute);
}

std::string mixed_layer_note(const std::vector<std::pair<gis::GeomKind, size_t>>& counts, const std::string& name,
                             const std::string& path) {
  std::string line = "layer '" + name + "' of " + path + " mixes geometries (";
  for (size_t i = 0; i < counts.size(); ++i)
    line += (i ? ", " : "") + std::to_string(counts[i].second) + " " + geometry_part_name(counts[i].first);
  return line + "): shown as " + std::to_string(counts.size()) + " layers, one per kind";
}

}  // namespace load_detail

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
    const std::string name = d.name;
    std::vector<gis::LayerData> parts = split_by_geometry(std::move(d));
    if (parts.size() > 1) {
      std::vector<std::pair<gis::GeomKind, size_t>> counts;
      for (const gis::LayerData& p : parts) {
        size_t n = 0;
        for (const gis::Feature& f : p.features) n += f.geom.kind == p.kind ? 1 : 0;
        counts.emplace_back(p.kind, n);
      }
      scene.warnings.push_back(mixed_layer_note(counts, name, path));
    }
    for (size_t i = 0; i < parts.size(); ++i) {
      add_geometry_part(scene, std::move(parts[i]), path, i == 0, opt);
      ++added;
    }
  }
  scene.restyle();
  return added;
}

}  // namespace parktwin::scene
