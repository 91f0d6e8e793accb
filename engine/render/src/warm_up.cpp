#include "warm_up.h"

#include "parktwin/render/renderer.h"

namespace parktwin::render {
namespace {

gis::Feature feature(int64_t fid, gis::Geometry g) {
  gis::Feature f;
  f.fid = fid;
  f.geom = std::move(g);
  return f;
}

gis::Geometry square(glm::dvec2 centre, double half) {
  gis::Geometry g;
  g.kind = gis::GeomKind::Polygon;
  g.polygons.push_back({{centre + glm::dvec2(-half, -half), centre + glm::dvec2(half, -half),
                         centre + glm::dvec2(half, half), centre + glm::dvec2(-half, half)},
                        {}});
  return g;
}

gis::LayerData layer(const char* name, gis::GeomKind kind) {
  gis::LayerData d;
  d.name = name;
  d.source = "generated: renderer warm-up";
  d.kind = kind;
  return d;
}

}  // namespace

uint32_t WarmUp::for_scene(const scene::Scene& scene) {
  uint32_t bits = 0;
  for (const scene::Layer& l : scene.layers)
    bits |= l.kind == scene::LayerKind::Buildings ? kBuildings : l.kind == scene::LayerKind::Sites ? kMarkers : kGround;
  return bits;
}

scene::Scene warm_up_scene(uint32_t passes) {
  scene::Scene s(gis::SceneFrame::jiangxi());
  if (passes & WarmUp::kGround) {
    gis::LayerData ground = layer("warm-up ground", gis::GeomKind::Polygon);
    ground.features.push_back(feature(1, square({0.0, 0.0}, 120.0)));
    scene::add_layer_data(s, std::move(ground), "warm-up-ground", scene::LayerKind::Area);
  }
  if (passes & WarmUp::kBuildings) {
    gis::LayerData buildings = layer("warm-up buildings", gis::GeomKind::Polygon);
    for (int i = 0; i < 4; ++i)
      buildings.features.push_back(feature(i + 1, square({(i % 2) * 60.0 - 30.0, (i / 2) * 60.0 - 30.0}, 15.0)));
    scene::add_layer_data(s, std::move(buildings), "warm-up-buildings", scene::LayerKind::Buildings);
  }
  if (passes & WarmUp::kMarkers) {
    gis::LayerData sites = layer("warm-up sites", gis::GeomKind::Point);
    gis::Geometry p;
    p.kind = gis::GeomKind::Point;
    p.points.push_back({0.0, 0.0});
    sites.features.push_back(feature(1, std::move(p)));
    scene::add_layer_data(s, std::move(sites), "warm-up-sites", scene::LayerKind::Sites);
  }
  return s;
}

}  // namespace parktwin::render
