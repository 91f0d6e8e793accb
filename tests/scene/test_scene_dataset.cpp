// The default dataset (assets/parktwin.gpkg) as the scene sees it: parks and their facts, anchors
// inside their parks, parks inside their cities, buildings and their meshes, enterprises and
// revenues, and the provenance of every layer.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "scene_test_support.h"

using namespace parktwin;
using namespace parktwin::scene;
using parktwin::scene::testing::inside_any;

namespace {

class DefaultDatasetScene : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { scene_ = parktwin::scene::testing::load_default_scene(); }
  static void TearDownTestSuite() { scene_.reset(); }
  void SetUp() override { ASSERT_NE(scene_, nullptr) << "the default dataset did not load"; }

  static const Scene& scene() { return *scene_; }
  static const Park& park(const std::string& id) {
    const int i = scene_->park_index(id);
    EXPECT_GE(i, 0) << id;
    return scene_->parks.at(static_cast<size_t>(std::max(0, i)));
  }
  static const Layer& layer(const std::string& id) {
    const int i = scene_->layer_index(id);
    EXPECT_GE(i, 0) << id;
    return scene_->layers.at(static_cast<size_t>(std::max(0, i)));
  }
  static glm::dvec2 wgs84(double lon, double lat) { return scene_->frame().from_wgs84({lon, lat}); }

  static std::unique_ptr<Scene> scene_;
};
std::unique_ptr<Scene> DefaultDatasetScene::scene_;

}  // namespace

TEST_F(DefaultDatasetScene, HasThreeParksWhoseFactsAllCarryASource) {
  ASSERT_EQ(scene().parks.size(), 3u);
  const std::vector<std::string> ids = {"nanchang", "yingtan", "yichun"};
  for (size_t i = 0; i < ids.size(); ++i) {
    const Park& p = scene().parks[i];
    EXPECT_EQ(p.id, ids[i]);
    EXPECT_FALSE(p.name_en.empty()) << p.id;
    EXPECT_FALSE(p.areas.empty()) << p.id;
    EXPECT_EQ(p.areas.size(), p.area_names.size()) << p.id;
    EXPECT_FALSE(p.facts.empty()) << p.id;
    for (const Fact& f : p.facts) {
      EXPECT_EQ(f.park, p.id) << f.id;
      EXPECT_FALSE(f.zh.empty()) << f.id;
      EXPECT_FALSE(f.en.empty()) << f.id;
      EXPECT_FALSE(f.quote.empty()) << f.id;
      EXPECT_NE(fact_source(f).find(f.quote), std::string::npos) << f.id;
    }
  }
}

TEST_F(DefaultDatasetScene, RealAnchorPointsLieInsideTheirParks) {
  EXPECT_TRUE(inside_any(park("yingtan").areas, wgs84(117.225156, 28.329914))) << "Guixi smelter";
  const glm::dvec2 yaohu[] = {{116.014219, 28.710194}, {116.109137, 28.753288}, {116.08356, 28.73628}, {116.098881, 28.726496}};
  for (glm::dvec2 p : yaohu) EXPECT_TRUE(inside_any(park("nanchang").areas, wgs84(p.x, p.y))) << p.x << ", " << p.y;
  EXPECT_TRUE(inside_any(park("yichun").areas, wgs84(114.367177, 27.868002))) << "Yichun ETDZ";
  // And not in the wrong park: the test is not satisfied by any polygon anywhere.
  EXPECT_FALSE(inside_any(park("nanchang").areas, wgs84(117.225156, 28.329914)));
  EXPECT_FALSE(inside_any(park("yingtan").areas, wgs84(114.367177, 27.868002)));
}

TEST_F(DefaultDatasetScene, EveryParkAreaLiesInsideItsCity) {
  const Layer& cities = layer("cities");
  const int code_f = cities.data.field("city_adcode");
  ASSERT_GE(code_f, 0);
  const std::map<std::string, int> city_of = {{"nanchang", 360100}, {"yingtan", 360600}, {"yichun", 360900}};
  for (const auto& [park_id, adcode] : city_of) {
    std::vector<gis::Polygon> city;
    for (const gis::Feature& f : cities.data.features)
      if (static_cast<int>(gis::attr_number(f, code_f, -1)) == adcode)
        city.insert(city.end(), f.geom.polygons.begin(), f.geom.polygons.end());
    ASSERT_FALSE(city.empty()) << "no city " << adcode;
    const Park& p = park(park_id);
    for (size_t a = 0; a < p.areas.size(); ++a)
      for (glm::dvec2 v : p.areas[a].outer)
        EXPECT_TRUE(inside_any(city, v)) << park_id << " area " << p.area_names[a] << " vertex " << v.x << ", " << v.y
                                         << " is outside city " << adcode;
  }
}

TEST_F(DefaultDatasetScene, EachParkFocusIsWithinThreeKilometresOfOneOfItsAreas) {
  for (const Park& p : scene().parks) {
    double best = 1e300;
    for (const gis::Polygon& a : p.areas)
      best = std::min(best, gis::polygon_contains(a, p.focus) ? 0.0 : parktwin::scene::testing::distance_to_ring(a.outer, p.focus));
    EXPECT_LE(best, 3000.0) << p.id << " focus " << p.focus.x << ", " << p.focus.y;
  }
}

TEST_F(DefaultDatasetScene, BuildingsAreThePolygonFeaturesOfTheBuildingLayer) {
  const int li = scene().layer_index("buildings");
  ASSERT_GE(li, 0);
  const Layer& l = layer("buildings");
  EXPECT_EQ(l.kind, LayerKind::Buildings);
  size_t polygon_features = 0;
  for (const gis::Feature& f : l.data.features) polygon_features += f.geom.polygons.empty() ? 0 : 1;
  ASSERT_GT(polygon_features, 1000u);
  // The only building layer of the default dataset: every building is one of its features.
  EXPECT_LE(scene().buildings.size(), polygon_features);
  EXPECT_GE(static_cast<double>(scene().buildings.size()), 0.99 * static_cast<double>(polygon_features));
  EXPECT_EQ(l.first_building, 0u);
  std::set<uint32_t> features;
  for (const Building& b : scene().buildings) {
    ASSERT_EQ(b.layer, static_cast<uint32_t>(li));
    ASSERT_LT(b.feature, l.data.features.size());
    EXPECT_FALSE(l.data.features[b.feature].geom.polygons.empty());
    EXPECT_TRUE(features.insert(b.feature).second) << "feature " << b.feature << " is two buildings";
    EXPECT_GT(b.height_m, 0.0f);
    EXPECT_LT(b.kind, scene().building_kinds.size());
  }
  EXPECT_EQ(scene().styles.size(), scene().buildings.size());
}

TEST_F(DefaultDatasetScene, BuildingHeightsComeFromTheHeightAttribute) {
  const Layer& l = layer("buildings");
  const int hf = l.data.field("height_m");
  ASSERT_GE(hf, 0);
  for (const Building& b : scene().buildings)
    ASSERT_FLOAT_EQ(b.height_m, static_cast<float>(gis::attr_number(l.data.features[b.feature], hf, -1.0)))
        << "feature " << b.feature;
}

TEST_F(DefaultDatasetScene, ChunkVerticesReferenceBuildingsOfTheirOwnLayer) {
  const size_t n = scene().buildings.size();
  std::vector<bool> meshed(n, false);
  for (size_t li = 0; li < scene().layers.size(); ++li) {
    const Layer& l = scene().layers[li];
    if (l.kind != LayerKind::Buildings) {
      EXPECT_TRUE(l.building_chunks.empty()) << l.id;
      continue;
    }
    ASSERT_FALSE(l.building_chunks.empty()) << l.id;
    size_t count = 0;
    for (const Building& b : scene().buildings) count += b.layer == li ? 1 : 0;
    const uint32_t lo = l.first_building, hi = l.first_building + static_cast<uint32_t>(count);
    for (const BuildingChunk& c : l.building_chunks) {
      ASSERT_FALSE(c.mesh.vertices.empty());
      for (const gis::BuildingVertex& v : c.mesh.vertices) {
        ASSERT_LT(v.building, n) << l.id;
        ASSERT_GE(v.building, lo) << l.id;
        ASSERT_LT(v.building, hi) << l.id;
        ASSERT_EQ(scene().buildings[v.building].layer, li);
        meshed[v.building] = true;
      }
      for (uint32_t i : c.mesh.indices) ASSERT_LT(i, c.mesh.vertices.size());
      for (uint32_t i : c.mesh.edge_indices) ASSERT_LT(i, c.mesh.vertices.size());
    }
  }
  EXPECT_EQ(static_cast<size_t>(std::count(meshed.begin(), meshed.end(), true)), n) << "every building has a mesh";
}

TEST_F(DefaultDatasetScene, ChunkBoundsContainTheirBuildingsAndVertices) {
  for (const Layer& l : scene().layers)
    for (const BuildingChunk& c : l.building_chunks) {
      ASSERT_LE(c.bmin.x, c.bmax.x);
      ASSERT_LE(c.bmin.y, c.bmax.y);
      std::set<uint32_t> seen;
      for (const gis::BuildingVertex& v : c.mesh.vertices) {
        const glm::dvec2 p = c.mesh.origin + glm::dvec2(v.x, v.y);
        EXPECT_TRUE(p.x >= c.bmin.x - 0.01 && p.x <= c.bmax.x + 0.01 && p.y >= c.bmin.y - 0.01 && p.y <= c.bmax.y + 0.01)
            << l.id << " vertex of building " << v.building << " outside its chunk";
        if (!seen.insert(v.building).second) continue;
        const Building& b = scene().buildings[v.building];
        EXPECT_TRUE(b.centroid.x >= c.bmin.x && b.centroid.x <= c.bmax.x && b.centroid.y >= c.bmin.y &&
                    b.centroid.y <= c.bmax.y)
            << l.id << " building " << v.building;
        EXPECT_LE(b.height_m, c.max_height) << l.id << " building " << v.building;
      }
      // Positions relative to the chunk origin stay small, so float32 keeps them exact to well under 1 mm.
      EXPECT_LT(glm::length(c.bmin - c.mesh.origin), 10000.0);
      EXPECT_LT(glm::length(c.bmax - c.mesh.origin), 10000.0);
    }
}

TEST_F(DefaultDatasetScene, NamedEnterprisesAreRealAndTheRestGenerated) {
  const auto& ents = scene().enterprises;
  EXPECT_EQ(ents.size(), 241u);
  auto named = [&](const std::string& token) {
    return std::count_if(ents.begin(), ents.end(), [&](const Enterprise& e) {
      return e.name_en.find(token) != std::string::npos;
    });
  };
  for (const char* token : {"Huaqin", "CATL", "Gotion"}) {
    EXPECT_GE(named(token), 1) << token;
    for (const Enterprise& e : ents)
      if (e.name_en.find(token) != std::string::npos) {
        EXPECT_FALSE(e.generated) << e.name_en;
        EXPECT_EQ(e.source.rfind("generated", 0), std::string::npos) << e.name_en << ": " << e.source;
      }
  }
  // The named firms of the source document (assets/README.md); every other firm is generated.
  const std::vector<std::string> tokens = {"Huaqin", "Longcheer", "Tinno", "Transsion", "Zhaochi", "AMEC", "Lattice",
                                           "Jiangxi Copper", "CATL", "Gotion", "Fulin", "Geely"};
  size_t real = 0;
  for (const Enterprise& e : ents) {
    const bool is_named = std::any_of(tokens.begin(), tokens.end(),
                                      [&](const std::string& t) { return e.name_en.find(t) != std::string::npos; });
    EXPECT_EQ(e.generated, !is_named) << e.name_en << " (" << e.source << ")";
    EXPECT_FALSE(e.source.empty()) << e.name_en;
    EXPECT_FALSE(e.id.empty());
    real += e.generated ? 0 : 1;
  }
  EXPECT_GE(real, tokens.size());
}

TEST_F(DefaultDatasetScene, RevenuesSumToTheClusterFiguresOfEachPark) {
  const Facts& doc = plan_facts();
  const std::map<std::string, double> expected = {{"nanchang", doc.value("nanchang.electronics_revenue_2022")},
                                                  {"yingtan", doc.value("yingtan.copper_revenue_2022")},
                                                  {"yichun", doc.value("yichun.lithium_revenue_2022")}};
  std::map<std::string, double> sum;
  for (const Enterprise& e : scene().enterprises) {
    EXPECT_GE(e.revenue_2022, 0.0) << e.name_en;
    sum[e.park] += e.revenue_2022;
  }
  EXPECT_EQ(sum.size(), expected.size()) << "enterprises in parks other than the three";
  for (const auto& [id, value] : expected) EXPECT_NEAR(sum[id] / value, 1.0, 1e-6) << id << ": " << sum[id];
}

TEST_F(DefaultDatasetScene, YingtanFocusIsNearItsChainMasterTheGuixiSmelter) {
  // Yingtan's chain master is the Guixi smelter, a real point: the park view must show it.
  const glm::dvec2 smelter = wgs84(117.225156, 28.329914);
  int masters = 0;
  for (const Enterprise& e : scene().enterprises) {
    if (e.park != "yingtan" || e.role != "chain_master") continue;
    ++masters;
    EXPECT_LT(glm::length(e.pos - smelter), 50.0) << e.name_en;
  }
  EXPECT_GE(masters, 1);
  EXPECT_LT(glm::length(park("yingtan").focus - smelter), 3000.0);
}

TEST_F(DefaultDatasetScene, EveryLayerStatesItsProvenance) {
  for (const Layer& l : scene().layers) EXPECT_FALSE(l.provenance.empty()) << l.id;
  for (const char* id : {"parcels", "roads", "buildings"}) {
    EXPECT_TRUE(layer(id).generated) << id;
    EXPECT_EQ(layer(id).provenance.rfind("generated", 0), 0u) << id << ": " << layer(id).provenance;
  }
  for (const char* id : {"province", "cities", "districts"}) {
    EXPECT_FALSE(layer(id).generated) << id;
    EXPECT_EQ(layer(id).provenance.rfind("real:", 0), 0u) << id << ": " << layer(id).provenance;
  }
  EXPECT_FALSE(scene().attributions.empty());
}

TEST_F(DefaultDatasetScene, LoadsEveryLayerWithoutWarnings) {
  for (const char* id : {"province", "cities", "districts", "parks", "parcels", "roads", "enterprises", "buildings",
                         "reference_points"})
    EXPECT_GE(scene().layer_index(id), 0) << id;
  std::string all;
  for (const std::string& w : scene().warnings) all += w + "\n";
  EXPECT_TRUE(scene().warnings.empty()) << all;
  EXPECT_EQ(layer("enterprises").markers.size(), scene().enterprises.size());
  EXPECT_FALSE(layer("reference_points").style.visible) << "reference points start hidden";
  EXPECT_TRUE(layer("buildings").style.visible);
}
