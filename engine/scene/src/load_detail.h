#pragma once
// Internal: the parts of load.cpp that streaming (stream.cpp, stream_worker.cpp) builds layers with.
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "parktwin/scene/scene.h"

namespace parktwin::scene::load_detail {

struct Box {
  glm::dvec2 lo{1e300}, hi{-1e300};
  void add(glm::dvec2 p) { lo = glm::min(lo, p); hi = glm::max(hi, p); }
  bool empty() const { return lo.x > hi.x; }
  glm::dvec2 mid() const { return (lo + hi) * 0.5; }
};
Box geometry_box(const gis::Geometry& g);

/// The fields a building's height comes from (height_attr, else a known height name) and its
/// floors field: indices into `d.fields`, -1 when none.
std::pair<int, int> height_fields(const gis::LayerData& d, const std::string& height_attr);

/// The attribute fields a buildings layer's records are read from.
struct BuildingFields {
  int height = -1, floors = -1, kind = -1, enterprise = -1, source = -1;
  std::unordered_map<std::string, int32_t> enterprise_index;
  BuildingFields(const Scene& scene, const gis::LayerData& d, const std::string& height_attr);
};

/// The static record of building feature `i` of layer `layer_index` (box `box`); new kind names
/// join Scene::building_kinds.
Building building_record(Scene& scene, const BuildingFields& bf, uint32_t layer_index, size_t i, const Box& box);
/// Extrudes feature `f` as building `slot` into chunk `c`; false when nothing could be extruded.
bool add_building_feature(const gis::Feature& f, uint32_t slot, float height_m, BuildingChunk& c, gis::Extruder& ex);
/// Calls `fn(feature, slot, height_m)` for each member of building chunk `c` of `layer` that has a
/// building slot, in member order: what the chunk's mesh is built from, by rebuild_building_chunk
/// here and by MeshResidency's rebuilds (on copies, on a worker).
template <typename Fn>
void for_each_member_building(const Scene& scene, const Layer& layer, const BuildingChunk& c, Fn&& fn) {
  for (uint32_t f : c.features) {
    if (f >= layer.feature_building.size() || f >= layer.data.features.size()) continue;
    const int32_t slot = layer.feature_building[f];
    if (slot < 0 || static_cast<size_t>(slot) >= scene.buildings.size()) continue;
    fn(layer.data.features[f], static_cast<uint32_t>(slot), scene.buildings[static_cast<size_t>(slot)].height_m);
  }
}
/// A feature's height in metres by the load rules (height field, else floors field, else 10 m).
float feature_height(const gis::Feature& f, int height_field, int floor_field);
/// The kind a user layer is shown as (forced by options, else by geometry and attributes).
LayerKind user_layer_kind(const gis::LayerData& d, gis::GeomKind geom, const LoadOptions& opt);
/// Appends its load report to the scene's warnings.
void note_report(Scene& scene, const gis::LayerData& d);
/// Appends a layer (provenance from its `source` field) without building anything.
Layer& push_layer(Scene& scene, gis::LayerData&& data, std::string id, std::string title, LayerKind kind);
/// A layer whose features mix geometry kinds, as one layer per kind, polygons first, then lines,
/// then points (features without geometry go with the first); each part keeps the layer's name,
/// CRS and fields, and a load report of its own features (the first also what was skipped,
/// repaired or said). A layer of one kind comes back whole.
std::vector<gis::LayerData> split_by_geometry(gis::LayerData&& d);
/// Adds one part of split_by_geometry as a user layer of `path`: the first with the layer's own id
/// and title, the others with their kind after them ("|lines", "|points"), shown as roads or sites
/// (--layer-kind applies to the first only).
void add_geometry_part(Scene& scene, gis::LayerData&& part, const std::string& path, bool first, const LoadOptions& opt);
/// The warning that says a layer was split: how many features of each kind.
std::string mixed_layer_note(const std::vector<std::pair<gis::GeomKind, size_t>>& counts, const std::string& name,
                             const std::string& path);
/// Builds what layer `index` draws by its kind (buildings, markers or ground meshes) and widens
/// the scene's bounds to it.
void finish_layer(Scene& scene, uint32_t index, const std::string& height_attr);

}  // namespace parktwin::scene::load_detail
