#include "admin.hpp"

#include <algorithm>
#include <stdexcept>

namespace parktwin::dataset {
namespace {

GDALDatasetUniquePtr openVector(const std::filesystem::path& path) {
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  if (!ds || ds->GetLayerCount() < 1) {
    throw std::runtime_error("cannot read " + path.string() +
                             ": copy it from the shared Jiangxi data folder into assets/source/");
  }
  return ds;
}

std::unique_ptr<OGRGeometry> multiPolygon(const OGRGeometry* g, const std::filesystem::path& path) {
  if (!g) throw std::runtime_error("feature without geometry in " + path.string());
  return std::unique_ptr<OGRGeometry>(OGRGeometryFactory::forceToMultiPolygon(g->clone()));
}

/// Features of a layer sorted by an integer key, so the output order never depends on the file.
std::vector<std::unique_ptr<OGRFeature>> sortedFeatures(OGRLayer& layer, const char* key) {
  std::vector<std::unique_ptr<OGRFeature>> out;
  for (auto& f : layer) out.emplace_back(f.release());
  std::stable_sort(out.begin(), out.end(), [key](const auto& a, const auto& b) {
    return a->GetFieldAsInteger64(key) < b->GetFieldAsInteger64(key);
  });
  return out;
}

std::string englishName(const std::map<int, std::string>& table, int code, const char* what) {
  const auto it = table.find(code);
  if (it == table.end()) {
    throw std::runtime_error(std::string("dataset spec lacks the English name of ") + what + " " +
                             std::to_string(code) + ": add it to the spec's name table");
  }
  return it->second;
}

std::string sourceText(const Spec& spec, const std::string& file) { return spec.admin_source + ", " + file; }

LayerData provinceLayer(const Spec& spec, const std::filesystem::path& dir) {
  const auto path = dir / spec.province_file;
  auto ds = openVector(path);
  LayerData l{"province", wkbMultiPolygon,
              {{"name_zh"}, {"name_en"}, {"source"}, {"attribution"}}, {}};
  for (auto& f : *ds->GetLayer(0)) {
    Row r;
    r.values = {std::string(f->GetFieldAsString("province_name")), std::string("Jiangxi Province"),
                sourceText(spec, spec.province_file), spec.attribution};
    r.geometry = multiPolygon(f->GetGeometryRef(), path);
    l.rows.push_back(std::move(r));
  }
  return l;
}

LayerData citiesLayer(const Spec& spec, const std::filesystem::path& dir,
                      std::map<int, std::unique_ptr<OGRGeometry>>& shapes) {
  const auto path = dir / spec.cities_file;
  auto ds = openVector(path);
  LayerData l{"cities", wkbMultiPolygon,
              {{"city_adcode", OFTInteger}, {"name_zh"}, {"name_en"}, {"source"}, {"attribution"}}, {}};
  for (auto& f : sortedFeatures(*ds->GetLayer(0), "city_adcode")) {
    const int code = f->GetFieldAsInteger("city_adcode");
    Row r;
    r.values = {std::int64_t{code}, std::string(f->GetFieldAsString("city_name")),
                englishName(spec.city_en, code, "city"), sourceText(spec, spec.cities_file), spec.attribution};
    r.geometry = multiPolygon(f->GetGeometryRef(), path);
    shapes[code].reset(r.geometry->clone());
    l.rows.push_back(std::move(r));
  }
  return l;
}

LayerData districtsLayer(const Spec& spec, const std::filesystem::path& dir) {
  const auto path = dir / spec.districts_file;
  auto ds = openVector(path);
  LayerData l{"districts", wkbMultiPolygon,
              {{"district_adcode", OFTInteger}, {"city_adcode", OFTInteger}, {"name_zh"}, {"name_en"},
               {"source"}, {"attribution"}},
              {}};
  for (auto& f : sortedFeatures(*ds->GetLayer(0), "district_adcode")) {
    const int city = f->GetFieldAsInteger("city_adcode");
    if (std::find(spec.district_cities.begin(), spec.district_cities.end(), city) == spec.district_cities.end()) {
      continue;
    }
    const int code = f->GetFieldAsInteger("district_adcode");
    Row r;
    r.values = {std::int64_t{code}, std::int64_t{city}, std::string(f->GetFieldAsString("district_name")),
                englishName(spec.district_en, code, "district"), sourceText(spec, spec.districts_file),
                spec.attribution};
    r.geometry = multiPolygon(f->GetGeometryRef(), path);
    l.rows.push_back(std::move(r));
  }
  return l;
}

LayerData pointsLayer(const Spec& spec, const std::filesystem::path& dir, std::map<std::string, Vec2>& points) {
  const auto path = dir / spec.points_file;
  auto ds = openVector(path);
  OGRLayer& in = *ds->GetLayer(0);
  LayerData l{"reference_points", wkbPoint, {}, {}};
  const OGRFeatureDefn* defn = in.GetLayerDefn();
  for (int i = 0; i < defn->GetFieldCount(); ++i) {
    const std::string name = defn->GetFieldDefn(i)->GetNameRef();
    l.fields.push_back({name, (name == "lon" || name == "lat") ? OFTReal : OFTString});
  }
  for (auto& f : in) {
    Row r;
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
      if (l.fields[static_cast<std::size_t>(i)].type == OFTReal) {
        r.values.emplace_back(f->GetFieldAsDouble(i));
      } else {
        r.values.emplace_back(std::string(f->GetFieldAsString(i)));
      }
    }
    const double lon = f->GetFieldAsDouble("lon");
    const double lat = f->GetFieldAsDouble("lat");
    points[f->GetFieldAsString("id")] = {lon, lat};
    r.geometry = std::make_unique<OGRPoint>(lon, lat);
    l.rows.push_back(std::move(r));
  }
  if (l.rows.empty()) throw std::runtime_error("no rows in " + path.string());
  return l;
}

}  // namespace

RealData loadRealData(const Spec& spec, const std::filesystem::path& sourceDir) {
  GDALAllRegister();
  RealData d;
  d.province = provinceLayer(spec, sourceDir);
  d.cities = citiesLayer(spec, sourceDir, d.city_shapes);
  d.districts = districtsLayer(spec, sourceDir);
  d.reference_points = pointsLayer(spec, sourceDir, d.points);
  return d;
}

}  // namespace parktwin::dataset
