#include "parktwin/scene/scene.h"

#include <algorithm>
#include <cstdlib>

namespace parktwin::scene {

const char* layer_kind_name(LayerKind k) {
  switch (k) {
    case LayerKind::Province: return "province";
    case LayerKind::Divisions: return "divisions";
    case LayerKind::Parks: return "parks";
    case LayerKind::Parcels: return "parcels";
    case LayerKind::Roads: return "roads";
    case LayerKind::Buildings: return "buildings";
    case LayerKind::Sites: return "sites";
    case LayerKind::Area: return "area";
  }
  return "?";
}

Scene::Scene(gis::SceneFrame frame) : frame_(std::move(frame)) {}

int Scene::park_index(const std::string& id) const {
  for (size_t i = 0; i < parks.size(); ++i)
    if (parks[i].id == id) return static_cast<int>(i);
  return -1;
}

int Scene::layer_index(const std::string& id) const {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].id == id) return static_cast<int>(i);
  return -1;
}

int Scene::marker_enterprise(uint32_t layer, uint32_t marker) const {
  if (layer >= layers.size() || marker >= layers[layer].markers.size()) return -1;
  const int e = layers[layer].markers[marker].enterprise;
  return e >= 0 && static_cast<size_t>(e) < enterprises.size() ? e : -1;
}

size_t Scene::feature_count() const {
  size_t n = 0;
  for (const Layer& l : layers) n += l.data.features.size();
  return n;
}

void Scene::include_bounds(glm::dvec2 lo, glm::dvec2 hi) {
  bmin = glm::min(bmin, lo);
  bmax = glm::max(bmax, hi);
}

std::string default_asset_dir() {
  if (const char* env = std::getenv("PARKTWIN_ASSETS"); env && *env) return env;
#ifdef PARKTWIN_ASSET_DIR
  return PARKTWIN_ASSET_DIR;
#else
  return "assets";
#endif
}

}  // namespace parktwin::scene
