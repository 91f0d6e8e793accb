#include "edit_geometry.h"

#include <cmath>
#include <map>
#include <unordered_map>

#include "parktwin/gis/extrude.h"
#include "parktwin/gis/triangulate.h"
#include "shared_constants.h"

namespace parktwin::app {
namespace {

// Tiles as the loader makes them (meshes relative to the tile centre keep float error small).
constexpr double kTile = 4000.0;

template <typename Chunk>
Chunk& tile_chunk(std::vector<Chunk>& chunks, std::map<std::pair<int64_t, int64_t>, size_t>& tiles, glm::dvec2 p) {
  const auto key = std::make_pair(static_cast<int64_t>(std::floor(p.x / kTile)), static_cast<int64_t>(std::floor(p.y / kTile)));
  auto [it, added] = tiles.try_emplace(key, chunks.size());
  if (added) {
    Chunk& c = chunks.emplace_back();
    const glm::dvec2 origin((static_cast<double>(key.first) + 0.5) * kTile, (static_cast<double>(key.second) + 0.5) * kTile);
    if constexpr (std::is_same_v<Chunk, scene::GroundChunk>) c.fill.origin = c.lines.origin = origin;
    else c.mesh.origin = origin;
    c.bmin = glm::dvec2(1e300);
    c.bmax = glm::dvec2(-1e300);
  }
  return chunks[it->second];
}

void bounds(const gis::Feature& f, glm::dvec2& lo, glm::dvec2& hi) {
  lo = glm::dvec2(1e300), hi = glm::dvec2(-1e300);
  for (const gis::Polygon& p : f.geom.polygons)
    for (glm::dvec2 q : p.outer) lo = glm::min(lo, q), hi = glm::max(hi, q);
}

float building_height(const gis::LayerData& d, const gis::Feature& f, float fallback) {
  const double h = gis::attr_number(f, d.field("height_m"), -1.0);
  if (h > 0.0 && h < 1000.0) return static_cast<float>(h);
  const double fl = gis::attr_number(f, d.field("floors"), -1.0);
  if (fl > 0.0 && fl < 300.0) return static_cast<float>(fl * static_cast<double>(kFloorHeightM));
  return fallback;
}

void rebuild_buildings(scene::Scene& scene, uint32_t li) {
  scene::Layer& layer = scene.layers[li];
  const gis::LayerData& d = layer.data;
  std::unordered_map<uint32_t, uint32_t> of_feature;  // feature index -> building index
  for (uint32_t b = 0; b < scene.buildings.size(); ++b)
    if (scene.buildings[b].layer == li) of_feature[scene.buildings[b].feature] = b;
  layer.building_chunks.clear();
  std::map<std::pair<int64_t, int64_t>, size_t> tiles;
  gis::Extruder ex;
  for (uint32_t i = 0; i < d.features.size(); ++i) {
    const gis::Feature& f = d.features[i];
    if (f.geom.polygons.empty()) continue;  // deleted (a tombstone)
    glm::dvec2 lo, hi;
    bounds(f, lo, hi);
    auto it = of_feature.find(i);
    if (it == of_feature.end()) {  // new: a building of the layer's first kind, no enterprise
      scene::Building b;
      b.layer = li;
      b.feature = i;
      it = of_feature.emplace(i, static_cast<uint32_t>(scene.buildings.size())).first;
      scene.buildings.push_back(b);
    }
    scene::Building& b = scene.buildings[it->second];
    b.height_m = building_height(d, f, b.height_m);
    b.centroid = (lo + hi) * 0.5;
    scene::BuildingChunk& c = tile_chunk(layer.building_chunks, tiles, b.centroid);
    bool any = false;
    for (const gis::Polygon& p : f.geom.polygons) any |= ex.add(p, it->second, c.mesh);
    if (!any) continue;
    c.bmin = glm::min(c.bmin, lo);
    c.bmax = glm::max(c.bmax, hi);
    c.max_height = std::max(c.max_height, static_cast<double>(b.height_m));
  }
  std::erase_if(layer.building_chunks, [](const scene::BuildingChunk& c) { return c.mesh.indices.empty(); });
}

void rebuild_parcels(scene::Layer& layer) {
  const gis::LayerData& d = layer.data;
  const int landuse = d.field("landuse");
  layer.ground.clear();
  std::map<std::pair<int64_t, int64_t>, size_t> tiles;
  gis::Triangulator tri;
  for (uint32_t i = 0; i < d.features.size(); ++i) {
    const gis::Feature& f = d.features[i];
    if (f.geom.polygons.empty()) continue;
    glm::dvec2 lo, hi;
    bounds(f, lo, hi);
    const glm::vec4 col = scene::landuse_color(gis::attr_string(f, landuse));
    const uint32_t fill = scene::pack_rgba(col.r, col.g, col.b, col.a);
    const uint32_t line = scene::pack_rgba(col.r * 0.8f, col.g * 0.8f, col.b * 0.8f, 0.9f);
    scene::GroundChunk& c = tile_chunk(layer.ground, tiles, (lo + hi) * 0.5);
    c.bmin = glm::min(c.bmin, lo);
    c.bmax = glm::max(c.bmax, hi);
    for (const gis::Polygon& p : f.geom.polygons) {
      gis::fill_polygon(p, fill, i, c.fill, tri);
      for (const gis::Ring* r : {&p.outer}) {
        const auto base = static_cast<uint32_t>(c.lines.vertices.size());
        for (glm::dvec2 q : *r) {
          const glm::dvec2 rel = q - c.lines.origin;
          c.lines.vertices.push_back({static_cast<float>(rel.x), static_cast<float>(rel.y), line, i});
        }
        const auto n = static_cast<uint32_t>(r->size());
        for (uint32_t k = 0; k < n; ++k) c.lines.indices.insert(c.lines.indices.end(), {base + k, base + (k + 1) % n});
      }
    }
  }
  std::erase_if(layer.ground, [](const scene::GroundChunk& c) { return c.fill.indices.empty() && c.lines.indices.empty(); });
}

}  // namespace

void refresh_edited_geometry(scene::Scene& scene, render::Renderer& renderer, const std::vector<edit::Touched>& touched) {
  std::vector<bool> done(scene.layers.size(), false);
  for (const edit::Touched& t : touched) {
    if (t.layer_index < 0 || static_cast<size_t>(t.layer_index) >= scene.layers.size() || done[static_cast<size_t>(t.layer_index)]) continue;
    done[static_cast<size_t>(t.layer_index)] = true;
    scene::Layer& l = scene.layers[static_cast<size_t>(t.layer_index)];
    if (l.kind == scene::LayerKind::Buildings) rebuild_buildings(scene, static_cast<uint32_t>(t.layer_index));
    else rebuild_parcels(l);
  }
  scene.restyle();  // one style per building, heights from the edited attributes
  if (auto up = renderer.upload_scene(scene); !up) scene.warnings.push_back("after the edit: " + up.error().message);
}

}  // namespace parktwin::app
