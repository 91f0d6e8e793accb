// Checks of the default dataset assets/parktwin.gpkg: reproducible regeneration, real anchors in
// the right parks, parks inside their cities, calibrated revenues and counts, unique ids,
// provenance on every feature, firm land occupied by the enterprises of its area, sound
// building footprints, and supply links that follow the chains.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

namespace {

const std::filesystem::path kAssets = PARKTWIN_ASSET_DIR;
const std::filesystem::path kDataset = kAssets / "parktwin.gpkg";

GDALDatasetUniquePtr openDataset(const std::filesystem::path& path = kDataset) {
  GDALAllRegister();
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  if (!ds) ADD_FAILURE() << "cannot open " << path << "; regenerate it with `cmake --build build --target dataset`";
  return ds;
}

OGRLayer& layer(GDALDataset& ds, const char* name) {
  OGRLayer* l = ds.GetLayerByName(name);
  if (!l) throw std::runtime_error(std::string("layer missing: ") + name);
  l->ResetReading();
  return *l;
}

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Geometries of a layer keyed by one text field.
std::map<std::string, std::unique_ptr<OGRGeometry>> geometriesBy(GDALDataset& ds, const char* name, const char* key) {
  std::map<std::string, std::unique_ptr<OGRGeometry>> out;
  for (auto& f : layer(ds, name)) out[f->GetFieldAsString(key)].reset(f->GetGeometryRef()->clone());
  return out;
}

/// Square metres per square degree at a latitude.
double m2PerDeg2(double lat) { return 111320.0 * std::cos(lat * M_PI / 180) * 110574.0; }

TEST(Dataset, RegenerationIsByteIdentical) {
  const auto out = std::filesystem::path(PARKTWIN_TEST_OUT) / "parktwin_regenerated.gpkg";
  const std::string cmd = std::string("\"") + PARKTWIN_MAKE_DATASET + "\" --spec \"" +
                          (kAssets / "dataset_spec.json").string() + "\" --source \"" + (kAssets / "source").string() +
                          "\" --out \"" + out.string() + "\" > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string fresh = readFile(out);
  const std::string shipped = readFile(kDataset);
  ASSERT_FALSE(fresh.empty());
  EXPECT_TRUE(fresh == shipped) << "assets/parktwin.gpkg is stale or generation is not deterministic; "
                                   "run `cmake --build build --target dataset` and commit the result";
}

TEST(Dataset, AnchorsLieInTheirParks) {
  auto ds = openDataset();
  const auto parks = geometriesBy(*ds, "parks", "area_id");
  const auto points = geometriesBy(*ds, "reference_points", "id");
  const std::vector<std::pair<const char*, const char*>> expected = {
      {"guixi_smelter_eia2017", "yingtan_guixi"},       {"guixi_smelter_permit_register", "yingtan_guixi"},
      {"jxcc_tongcai_rod_plant_permit", "yingtan_guixi"}, {"jxcc_group_tongcai_works", "yingtan_guixi"},
      {"guixi_smelter_ore_sidings", "yingtan_guixi"},   {"nchtz_pku_institute_lab", "nchtz_yaohu"},
      {"nchtz_yaohu_lushahe_start", "nchtz_yaohu"},     {"nchtz_yaohu_lushahe_turn", "nchtz_yaohu"},
      {"nchtz_yaohu_lushahe_end", "nchtz_yaohu"},       {"yichun_etdz_chunshui_rd3", "yichun_etdz"},
      {"yifeng_lithium_slag_site", "yichun_yifeng"},    {"yichun_park_13", "yichun_yifeng"}};
  for (const auto& [point, area] : expected) {
    ASSERT_TRUE(parks.count(area) && points.count(point)) << point << " / " << area;
    EXPECT_TRUE(parks.at(area)->Contains(points.at(point).get())) << point << " not inside park area " << area;
  }
}

TEST(Dataset, ParksLieInTheirCities) {
  auto ds = openDataset();
  std::map<int, std::unique_ptr<OGRGeometry>> cities;
  for (auto& f : layer(*ds, "cities")) cities[f->GetFieldAsInteger("city_adcode")].reset(f->GetGeometryRef()->clone());
  EXPECT_EQ(cities.size(), 11u);
  int parks = 0;
  for (auto& f : layer(*ds, "parks")) {
    ++parks;
    const int city = f->GetFieldAsInteger("city_adcode");
    ASSERT_TRUE(cities.count(city)) << city;
    EXPECT_TRUE(f->GetGeometryRef()->Within(cities.at(city).get())) << f->GetFieldAsString("area_id");
  }
  EXPECT_EQ(parks, 5);
}

TEST(Dataset, RevenueSumsMatchTheDocument) {
  auto ds = openDataset();
  std::map<std::string, double> sums;
  for (auto& f : layer(*ds, "enterprises")) sums[f->GetFieldAsString("cluster")] += f->GetFieldAsDouble("revenue_2022_yuan");
  // The document's figures, from the facts file (checked against the transcript by the scene tests).
  std::ifstream facts_in(std::string(PARKTWIN_ASSET_DIR) + "/facts.json");
  const auto facts = nlohmann::json::parse(facts_in);
  auto fact = [&](const char* id) {
    for (const auto& f : facts.at("facts"))
      if (f.at("id") == id) return f.at("value").get<double>();
    ADD_FAILURE() << "facts.json lacks " << id;
    return 0.0;
  };
  const std::map<std::string, double> expected = {{"copper_based_new_materials", fact("yingtan.copper_revenue_2022")},
                                                  {"lithium_pv_new_energy", fact("yichun.lithium_revenue_2022")},
                                                  {"electronic_information", fact("nanchang.electronics_revenue_2022")}};
  for (const auto& [cluster, total] : expected) {
    EXPECT_NEAR(sums[cluster], total, total * 1e-9) << cluster;
  }
}

TEST(Dataset, EnterpriseCountsMatchTheDocument) {
  auto ds = openDataset();
  std::map<std::string, int> byRef;
  std::map<std::string, std::string> sourceOf;
  for (auto& f : layer(*ds, "enterprises")) {
    byRef[f->GetFieldAsString("source_ref")]++;
    sourceOf[f->GetFieldAsString("enterprise_id")] = f->GetFieldAsString("source");
  }
  EXPECT_EQ(byRef["FACTS.md: Nanchang High-tech Zone / mobile smart terminals: 6 complete-device makers"], 6);
  EXPECT_EQ(byRef["FACTS.md: Nanchang High-tech Zone / mobile smart terminals: 84 supporting supply-chain enterprises"], 84);
  EXPECT_EQ(byRef["FACTS.md: Yichun / lithium salts: 14 producing firms"], 14);
  EXPECT_EQ(byRef["FACTS.md: Yichun / cells: 33 battery firms"], 33);
  for (const char* id : {"huaqin", "longcheer", "tinno", "transsion", "zhaochi_jingxian", "amec", "lattice_power",
                         "jxcc_guixi_smelter", "jxcc_tongcai", "catl_yichun", "gotion_yichun", "fulin_precision",
                         "geely_yichun"}) {
    EXPECT_EQ(sourceOf[id], "source_document") << id;
  }
}

TEST(Dataset, IdsAreUnique) {
  auto ds = openDataset();
  const std::vector<std::pair<const char*, const char*>> keys = {
      {"parks", "area_id"},         {"parcels", "parcel_id"},         {"roads", "road_id"},
      {"buildings", "building_id"}, {"enterprises", "enterprise_id"}, {"reference_points", "id"},
      {"cities", "city_adcode"},    {"districts", "district_adcode"}, {"supply_links", "link_id"}};
  for (const auto& [name, key] : keys) {
    std::set<std::string> seen;
    for (auto& f : layer(*ds, name)) EXPECT_TRUE(seen.insert(f->GetFieldAsString(key)).second) << name << " " << key;
  }
}

TEST(Dataset, EveryFeatureNamesItsSource) {
  auto ds = openDataset();
  for (auto* l : ds->GetLayers()) {
    const int field = l->GetLayerDefn()->GetFieldIndex("source");
    ASSERT_GE(field, 0) << l->GetName();
    for (auto& f : *l) EXPECT_STRNE(f->GetFieldAsString(field), "") << l->GetName() << " fid " << f->GetFID();
  }
}

TEST(Dataset, FirmLandIsOccupiedByItsAreasEnterprises) {
  auto ds = openDataset();
  std::map<std::string, std::string> areaOfFirm;
  for (auto& f : layer(*ds, "enterprises")) areaOfFirm[f->GetFieldAsString("enterprise_id")] = f->GetFieldAsString("area_id");
  std::map<std::string, std::string> landuseOf;
  for (auto& f : layer(*ds, "parcels")) landuseOf[f->GetFieldAsString("parcel_id")] = f->GetFieldAsString("landuse");
  const std::set<std::string> firmLand = {"industrial", "warehouse_logistics", "office_rnd"};
  std::map<std::string, int> onFirmLand, occupied;
  for (auto& f : layer(*ds, "buildings")) {
    const auto lu = landuseOf.find(f->GetFieldAsString("parcel_id"));
    ASSERT_NE(lu, landuseOf.end()) << f->GetFieldAsString("building_id");
    if (!firmLand.count(lu->second)) continue;
    const std::string park = f->GetFieldAsString("park_id");
    ++onFirmLand[park];
    const auto firm = areaOfFirm.find(f->GetFieldAsString("enterprise_id"));
    if (firm != areaOfFirm.end() && firm->second == f->GetFieldAsString("area_id")) ++occupied[park];
  }
  for (const char* park : {"nanchang", "yingtan", "yichun"}) {
    ASSERT_GT(onFirmLand[park], 0) << park;
    EXPECT_GE(occupied[park], 0.7 * onFirmLand[park])
        << park << ": " << occupied[park] << " of " << onFirmLand[park]
        << " buildings on industrial/warehouse/office_rnd parcels belong to an enterprise of their area";
  }
}

struct Footprint {
  std::unique_ptr<OGRGeometry> geometry;
  OGREnvelope box;
};

TEST(Dataset, BuildingsAreSound) {
  auto ds = openDataset();
  const auto parks = geometriesBy(*ds, "parks", "area_id");
  std::vector<Footprint> buildings;
  std::map<std::string, int> perPark;
  int withHoles = 0;
  for (auto& f : layer(*ds, "buildings")) {
    const OGRGeometry* g = f->GetGeometryRef();
    ASSERT_NE(g, nullptr);
    EXPECT_TRUE(g->IsValid()) << f->GetFieldAsString("building_id");
    EXPECT_TRUE(g->Within(parks.at(f->GetFieldAsString("area_id")).get())) << f->GetFieldAsString("building_id");
    perPark[f->GetFieldAsString("park_id")]++;
    if (wkbFlatten(g->getGeometryType()) == wkbPolygon && g->toPolygon()->getNumInteriorRings() > 0) ++withHoles;
    Footprint fp{std::unique_ptr<OGRGeometry>(g->clone()), {}};
    g->getEnvelope(&fp.box);
    buildings.push_back(std::move(fp));
  }
  for (const char* park : {"nanchang", "yingtan", "yichun"}) EXPECT_GE(perPark[park], 2000) << park;
  EXPECT_GT(withHoles, 0);

  // Grid prefilter (cells of ~0.005 degrees), then exact intersection area.
  constexpr double kCell = 0.005;
  std::map<std::pair<long, long>, std::vector<std::size_t>> grid;
  for (std::size_t i = 0; i < buildings.size(); ++i) {
    const auto& b = buildings[i].box;
    for (long x = std::lround(std::floor(b.MinX / kCell)); x <= std::lround(std::floor(b.MaxX / kCell)); ++x) {
      for (long y = std::lround(std::floor(b.MinY / kCell)); y <= std::lround(std::floor(b.MaxY / kCell)); ++y) {
        grid[{x, y}].push_back(i);
      }
    }
  }
  std::set<std::pair<std::size_t, std::size_t>> checked;
  int overlaps = 0;
  for (const auto& [cell, ids] : grid) {
    for (std::size_t a = 0; a < ids.size(); ++a) {
      for (std::size_t b = a + 1; b < ids.size(); ++b) {
        const auto& p = buildings[ids[a]];
        const auto& q = buildings[ids[b]];
        if (!p.box.Intersects(q.box) || !checked.insert({ids[a], ids[b]}).second) continue;
        if (!p.geometry->Intersects(q.geometry.get())) continue;
        std::unique_ptr<OGRGeometry> inter(p.geometry->Intersection(q.geometry.get()));
        const double area = inter ? OGR_G_Area(OGRGeometry::ToHandle(inter.get())) : 0;
        if (area * m2PerDeg2(p.box.MinY) >= 1.0) ++overlaps;
      }
    }
  }
  EXPECT_EQ(overlaps, 0);
}

struct Firm {
  std::string park, chain, segment;
  double revenue = 0;
  double lon = 0, lat = 0;
};

std::map<std::string, Firm> firmsById(GDALDataset& ds) {
  std::map<std::string, Firm> out;
  for (auto& f : layer(ds, "enterprises")) {
    const OGRPoint* p = f->GetGeometryRef()->toPoint();
    out[f->GetFieldAsString("enterprise_id")] = {f->GetFieldAsString("park_id"), f->GetFieldAsString("chain"),
                                                 f->GetFieldAsString("segment"),
                                                 f->GetFieldAsDouble("revenue_2022_yuan"), p->getX(), p->getY()};
  }
  return out;
}

int segmentRank(const std::string& s) { return s == "upstream" ? 0 : s == "midstream" ? 1 : s == "downstream" ? 2 : -1; }

TEST(SupplyLinks, EndsExistAndMatchTheirParksChainsAndPoints) {
  auto ds = openDataset();
  const auto firms = firmsById(*ds);
  int n = 0;
  for (auto& f : layer(*ds, "supply_links")) {
    ++n;
    const std::string id = f->GetFieldAsString("link_id");
    const auto sup = firms.find(f->GetFieldAsString("supplier_id"));
    const auto cus = firms.find(f->GetFieldAsString("customer_id"));
    ASSERT_NE(sup, firms.end()) << id;
    ASSERT_NE(cus, firms.end()) << id;
    EXPECT_EQ(f->GetFieldAsString("supplier_park"), sup->second.park) << id;
    EXPECT_EQ(f->GetFieldAsString("customer_park"), cus->second.park) << id;
    EXPECT_EQ(f->GetFieldAsString("chain"), sup->second.chain) << id;
    EXPECT_STRNE(f->GetFieldAsString("product"), "") << id;
    EXPECT_STRNE(f->GetFieldAsString("unit"), "") << id;
    EXPECT_EQ(std::string(f->GetFieldAsString("source")).rfind("generated: ", 0), 0u) << id;
    const OGRGeometry* g = f->GetGeometryRef();
    ASSERT_NE(g, nullptr) << id;
    ASSERT_EQ(wkbFlatten(g->getGeometryType()), wkbLineString) << id;
    const OGRLineString* line = g->toLineString();
    ASSERT_EQ(line->getNumPoints(), 2) << id;
    EXPECT_NEAR(line->getX(0), sup->second.lon, 1e-9) << id;
    EXPECT_NEAR(line->getY(0), sup->second.lat, 1e-9) << id;
    EXPECT_NEAR(line->getX(1), cus->second.lon, 1e-9) << id;
    EXPECT_NEAR(line->getY(1), cus->second.lat, 1e-9) << id;
  }
  EXPECT_GE(n, 1000);
  EXPECT_LE(n, 3000);
}

TEST(SupplyLinks, NoSelfLinksNoDuplicatesAndSegmentsNeverRunBackwards) {
  auto ds = openDataset();
  const auto firms = firmsById(*ds);
  std::set<std::pair<std::string, std::string>> pairs;
  for (auto& f : layer(*ds, "supply_links")) {
    const std::string id = f->GetFieldAsString("link_id");
    const std::string sup = f->GetFieldAsString("supplier_id"), cus = f->GetFieldAsString("customer_id");
    EXPECT_NE(sup, cus) << id;
    EXPECT_TRUE(pairs.insert({sup, cus}).second) << id << " repeats " << sup << " -> " << cus;
    ASSERT_TRUE(firms.count(sup) && firms.count(cus)) << id;
    const int a = segmentRank(firms.at(sup).segment), b = segmentRank(firms.at(cus).segment);
    ASSERT_GE(a, 0) << sup;
    ASSERT_GE(b, 0) << cus;
    EXPECT_LE(a, b) << id << ": " << sup << " (" << firms.at(sup).segment << ") -> " << cus << " ("
                    << firms.at(cus).segment << ")";
  }
}

TEST(SupplyLinks, EveryEnterpriseIsLinked) {
  auto ds = openDataset();
  const auto firms = firmsById(*ds);
  std::set<std::string> linked;
  for (auto& f : layer(*ds, "supply_links")) {
    linked.insert(f->GetFieldAsString("supplier_id"));
    linked.insert(f->GetFieldAsString("customer_id"));
  }
  for (const auto& [id, firm] : firms) EXPECT_TRUE(linked.count(id)) << id << " is in no supply link";
}

TEST(SupplyLinks, InterParkLinksFollowTheChains) {
  auto ds = openDataset();
  std::map<std::pair<std::string, std::string>, int> byParks;
  int foilToYichunCells = 0;
  for (auto& f : layer(*ds, "supply_links")) {
    const std::string from = f->GetFieldAsString("supplier_park"), to = f->GetFieldAsString("customer_park");
    ++byParks[{from, to}];
    if (from == "yingtan" && to == "yichun") {
      EXPECT_STREQ(f->GetFieldAsString("product"), "electrolytic copper foil") << f->GetFieldAsString("link_id");
      ++foilToYichunCells;
    }
  }
  EXPECT_GT(foilToYichunCells, 0);
  EXPECT_GT((byParks[{"yingtan", "nanchang"}]), 0);
  EXPECT_GT((byParks[{"yichun", "nanchang"}]), 0);
  EXPECT_EQ((byParks[{"nanchang", "yingtan"}]), 0);  // electronics do not feed copper or lithium
  EXPECT_EQ((byParks[{"nanchang", "yichun"}]), 0);
  EXPECT_EQ((byParks[{"yichun", "yingtan"}]), 0);
}

TEST(SupplyLinks, ValuesArePositiveAndWithinTheSuppliersRevenue) {
  auto ds = openDataset();
  const auto firms = firmsById(*ds);
  std::map<std::string, double> sold;
  for (auto& f : layer(*ds, "supply_links")) {
    const std::string id = f->GetFieldAsString("link_id");
    const double value = f->GetFieldAsDouble("value_yuan_per_year"), volume = f->GetFieldAsDouble("volume_per_year");
    EXPECT_GT(value, 0) << id;
    EXPECT_GT(volume, 0) << id;
    EXPECT_TRUE(std::isfinite(value) && std::isfinite(volume)) << id;
    sold[f->GetFieldAsString("supplier_id")] += value;
  }
  for (const auto& [id, value] : sold) {
    ASSERT_TRUE(firms.count(id)) << id;
    EXPECT_LE(value, firms.at(id).revenue) << id << " sells more through links than its revenue";
  }
}

}  // namespace
