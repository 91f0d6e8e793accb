// parktwin_make_dataset: builds the default ParkTwin GeoPackage from the dataset spec and the real
// source files, or (footprints mode) N synthetic building footprints for benchmarks. Usage:
//   parktwin_make_dataset --spec assets/dataset_spec.json --source assets/source --out assets/parktwin.gpkg
//   parktwin_make_dataset --footprints N [--seed 42] [--lon 116.0 --lat 28.7 --spacing 45] --out FILE.fgb|.gpkg|.geojson
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include <cpl_conv.h>

#include "admin.hpp"
#include "enterprises.hpp"
#include "footprints.hpp"
#include "gpkg.hpp"
#include "layout.hpp"
#include "supply.hpp"

namespace parktwin::dataset {
namespace {

struct Options {
  std::filesystem::path spec, source, out;
};

Options parseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--spec") o.spec = argv[i + 1];
    else if (key == "--source") o.source = argv[i + 1];
    else if (key == "--out") o.out = argv[i + 1];
    else throw std::runtime_error("unknown option " + key);
  }
  if (o.spec.empty() || o.source.empty() || o.out.empty() || argc % 2 == 0) {
    throw std::runtime_error("usage: parktwin_make_dataset --spec assets/dataset_spec.json --source assets/source "
                             "--out PATH.gpkg");
  }
  return o;
}

std::string generatedNote(const Spec& spec, const std::string& how) {
  return "generated: " + how + " (assets/dataset_spec.json, seed " + std::to_string(spec.seed) + ")";
}

std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (const std::string& i : items) s += (s.empty() ? "" : ",") + i;
  return s;
}

LayerData parksLayer(const Spec& spec, const std::vector<AreaLayout>& layouts) {
  LayerData l{"parks", wkbPolygon,
              {{"park_id"}, {"area_id"}, {"name_zh"}, {"name_en"}, {"cluster"}, {"city_adcode", OFTInteger},
               {"anchor_refs"}, {"source"}},
              {}};
  for (const AreaLayout& a : layouts) {
    Row r;
    r.values = {a.park->park_id, a.area->area_id, a.area->name.zh, a.area->name.en, a.park->cluster,
                std::int64_t{a.park->city_adcode}, joined(a.area->anchors),
                generatedNote(spec, "boundary drawn around real anchors " + a.area->boundary_note)};
    r.geometry = lonLatPolygon(a.boundary, a.frame);
    l.rows.push_back(std::move(r));
  }
  return l;
}

double round2(double x) { return std::round(x * 100) / 100; }

LayerData parcelsLayer(const Spec& spec, const std::vector<AreaLayout>& layouts) {
  LayerData l{"parcels", wkbPolygon,
              {{"parcel_id"}, {"park_id"}, {"area_id"}, {"landuse"}, {"area_m2", OFTReal}, {"plot_ratio", OFTReal},
               {"enterprise_id"}, {"source"}},
              {}};
  const std::string source = generatedNote(spec, "blocks of the generated street grid split into parcels");
  for (const AreaLayout& a : layouts) {
    for (const Parcel& p : a.parcels) {
      Row r;
      r.values = {p.parcel_id, a.park->park_id, a.area->area_id, p.landuse, round2(p.area_m2),
                  round2(p.floor_area_m2 / p.area_m2), p.enterprise_id, source};
      r.geometry = lonLatPolygon(p.shape, a.frame);
      l.rows.push_back(std::move(r));
    }
  }
  return l;
}

LayerData roadsLayer(const Spec& spec, const std::vector<AreaLayout>& layouts) {
  LayerData l{"roads", wkbLineString,
              {{"road_id"}, {"park_id"}, {"area_id"}, {"class"}, {"width_m", OFTReal}, {"lanes", OFTInteger},
               {"name_zh"}, {"source"}},
              {}};
  const std::string source = generatedNote(spec, "rotated street grid clipped to the park boundary");
  for (const AreaLayout& a : layouts) {
    for (const Road& road : a.roads) {
      Row r;
      r.values = {road.road_id, a.park->park_id, a.area->area_id, road.cls, road.width_m,
                  std::int64_t{road.lanes}, road.name_zh, source};
      r.geometry.reset(road.geometry->clone());
      l.rows.push_back(std::move(r));
    }
  }
  return l;
}

LayerData buildingsLayer(const Spec& spec, const std::vector<AreaLayout>& layouts) {
  LayerData l{"buildings", wkbPolygon,
              {{"building_id"}, {"park_id"}, {"area_id"}, {"parcel_id"}, {"enterprise_id"}, {"kind"},
               {"floors", OFTInteger}, {"height_m", OFTReal}, {"source"}},
              {}};
  const std::string source = generatedNote(spec, "footprints placed in parcel slots with setbacks");
  for (const AreaLayout& a : layouts) {
    for (const Building& b : a.buildings) {
      const Parcel& p = a.parcels[b.parcel];
      Row r;
      r.values = {b.building_id, a.park->park_id, a.area->area_id, p.parcel_id, p.enterprise_id, b.kind,
                  std::int64_t{b.floors}, b.height_m, source};
      r.geometry = lonLatPolygon(b.shape, a.frame);
      l.rows.push_back(std::move(r));
    }
  }
  return l;
}

LayerData enterprisesLayer(const std::vector<Enterprise>& firms) {
  LayerData l{"enterprises", wkbPoint,
              {{"enterprise_id"}, {"name_zh"}, {"name_en"}, {"park_id"}, {"area_id"}, {"chain"}, {"cluster"},
               {"segment"}, {"role"}, {"product"}, {"unit"}, {"revenue_2022_yuan", OFTReal}, {"site_parcel_id"},
               {"source"}, {"source_ref"}},
              {}};
  for (const Enterprise& e : firms) {
    Row r;
    r.values = {e.enterprise_id, e.name.zh, e.name.en, e.park_id, e.area_id, e.chain, e.cluster, e.segment,
                e.role, e.product, e.unit, e.revenue_2022_yuan, e.site_parcel_id, e.source, e.source_ref};
    r.geometry = std::make_unique<OGRPoint>(e.lonlat.x, e.lonlat.y);
    l.rows.push_back(std::move(r));
  }
  return l;
}

/// "generated: <rule note> (...; assets/dataset_spec.json, seed N)": the spec reference joins the
/// note's closing parenthesis (its FACTS.md statements) when it has one.
std::string linkNote(const Spec& spec, const std::string& note) {
  const std::string ref = "assets/dataset_spec.json, seed " + std::to_string(spec.seed);
  if (!note.empty() && note.back() == ')') return "generated: " + note.substr(0, note.size() - 1) + "; " + ref + ")";
  return "generated: " + note + " (" + ref + ")";
}

LayerData supplyLinksLayer(const Spec& spec, const std::vector<Enterprise>& firms,
                           const std::vector<SupplyLink>& links) {
  LayerData l{"supply_links", wkbLineString,
              {{"link_id"}, {"supplier_id"}, {"customer_id"}, {"supplier_park"}, {"customer_park"}, {"chain"},
               {"product"}, {"unit"}, {"volume_per_year", OFTReal}, {"value_yuan_per_year", OFTReal}, {"source"}},
              {}};
  for (const SupplyLink& link : links) {
    const Enterprise& sup = firms[link.supplier];
    const Enterprise& cus = firms[link.customer];
    Row r;
    r.values = {link.link_id, sup.enterprise_id, cus.enterprise_id, sup.park_id, cus.park_id, sup.chain,
                link.product->flow, link.product->unit, link.volume, link.value_yuan,
                linkNote(spec, spec.supply.rules[link.rule].note)};
    auto line = std::make_unique<OGRLineString>();
    line->addPoint(sup.lonlat.x, sup.lonlat.y);
    line->addPoint(cus.lonlat.x, cus.lonlat.y);
    r.geometry = std::move(line);
    l.rows.push_back(std::move(r));
  }
  return l;
}

int run(const Options& o) {
  const auto start = std::chrono::steady_clock::now();
  const Spec spec = loadSpec(o.spec);
  // Fixed timestamps in gpkg_contents make the file byte-identical on regeneration.
  CPLSetConfigOption("OGR_CURRENT_DATE", spec.ogr_current_date.c_str());
  CPLSetConfigOption("OGR_SQLITE_JOURNAL", "OFF");
  RealData real = loadRealData(spec, o.source);

  const Rng root(spec.seed);
  std::vector<AreaLayout> layouts;
  for (const ParkSpec& park : spec.parks) {
    for (const AreaSpec& area : park.areas) {
      layouts.push_back(layoutArea(park, area, real, root.fork("layout:" + area.area_id)));
      placeBuildings(layouts.back(), root.fork("buildings:" + area.area_id));
    }
  }
  const auto firms = makeEnterprises(spec, layouts, real, root.fork("enterprises"));
  const auto links = makeSupplyLinks(spec, firms, root.fork("supply_links"));

  std::vector<LayerData> layers;
  layers.push_back(std::move(real.province));
  layers.push_back(std::move(real.cities));
  layers.push_back(std::move(real.districts));
  layers.push_back(parksLayer(spec, layouts));
  layers.push_back(parcelsLayer(spec, layouts));
  layers.push_back(roadsLayer(spec, layouts));
  layers.push_back(buildingsLayer(spec, layouts));
  layers.push_back(enterprisesLayer(firms));
  layers.push_back(supplyLinksLayer(spec, firms, links));
  layers.push_back(std::move(real.reference_points));
  writeGeoPackage(o.out, layers);

  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const LayerData& l : layers) std::printf("%-17s %6zu features\n", l.name.c_str(), l.rows.size());
  for (const AreaLayout& a : layouts) {
    std::printf("  %-14s %5zu buildings %5zu parcels %4zu roads\n", a.area->area_id.c_str(), a.buildings.size(),
                a.parcels.size(), a.roads.size());
  }
  std::printf("wrote %s in %.1f s\n", o.out.string().c_str(), secs);
  return 0;
}

}  // namespace
}  // namespace parktwin::dataset

namespace parktwin::dataset {
namespace {

// A count with an optional k/m suffix (100k, 1m, 10m).
std::uint64_t parseCount(const std::string& v) {
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  const std::string suffix = end ? end : "";
  const double scale = suffix.empty() ? 1 : suffix == "k" ? 1e3 : suffix == "m" || suffix == "M" ? 1e6 : 0;
  if (end == v.c_str() || scale == 0 || !(x >= 0) || x * scale > 1e9 || x * scale != std::floor(x * scale))
    throw std::runtime_error("--footprints wants a count such as 100000, 100k or 1m (got '" + v + "')");
  return static_cast<std::uint64_t>(x * scale);
}

double parseNumber(const std::string& name, const std::string& v) {
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0' || !std::isfinite(x)) throw std::runtime_error(name + " wants a number (got '" + v + "')");
  return x;
}

int runFootprints(int argc, char** argv) {
  FootprintOptions o;
  std::string out;
  for (int i = 1; i < argc; i += 2) {
    const std::string key = argv[i];
    if (i + 1 >= argc) throw std::runtime_error(key + " needs a value");
    const std::string v = argv[i + 1];
    if (key == "--footprints") o.n = parseCount(v);
    else if (key == "--seed") o.seed = static_cast<std::uint32_t>(parseNumber(key, v));
    else if (key == "--lon") o.lon = parseNumber(key, v);
    else if (key == "--lat") o.lat = parseNumber(key, v);
    else if (key == "--spacing") o.spacing_m = parseNumber(key, v);
    else if (key == "--out") out = v;
    else throw std::runtime_error("unknown option " + key);
  }
  if (out.empty()) throw std::runtime_error("--footprints needs --out FILE.fgb|FILE.gpkg|FILE.geojson");
  if (std::abs(o.lon) > 180 || std::abs(o.lat) > 85 || !(o.spacing_m >= 35 && o.spacing_m <= 1e4))
    throw std::runtime_error("--lon/--lat must be WGS84 degrees and --spacing in [35, 10000] m (footprints are up to 34 m across)");
  const FootprintStats st = write_footprints(out, o, [](std::uint64_t n) {
    std::fprintf(stderr, "  %llu footprints\n", static_cast<unsigned long long>(n));
  });
  std::printf("footprints=%llu\nholes=%llu\nvertices=%llu\nseed=%u\nout=%s\nwrite_s=%.2f\n",
              static_cast<unsigned long long>(st.features), static_cast<unsigned long long>(st.holes),
              static_cast<unsigned long long>(st.vertices), o.seed, out.c_str(), st.seconds);
  return 0;
}

}  // namespace
}  // namespace parktwin::dataset

int main(int argc, char** argv) {
  try {
    for (int i = 1; i < argc; ++i)
      if (std::string(argv[i]) == "--footprints") return parktwin::dataset::runFootprints(argc, argv);
    return parktwin::dataset::run(parktwin::dataset::parseArgs(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parktwin_make_dataset: %s\n", e.what());
    return 1;
  }
}
