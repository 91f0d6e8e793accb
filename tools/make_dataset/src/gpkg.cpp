#include "gpkg.hpp"

#include <stdexcept>

#include <cpl_error.h>

namespace parktwin::dataset {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw std::runtime_error("writing " + path.string() + ": " + what + " (GDAL: " + CPLGetLastErrorMsg() +
                           "); check that the folder exists and is writable");
}

void setValue(OGRFeature& f, int index, const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) {
    f.SetField(index, static_cast<GIntBig>(*i));
  } else if (const auto* d = std::get_if<double>(&v)) {
    f.SetField(index, *d);
  } else {
    f.SetField(index, std::get<std::string>(v).c_str());
  }
}

void writeLayer(GDALDataset& ds, const OGRSpatialReference& srs, const LayerData& data,
                const std::filesystem::path& path) {
  const char* options[] = {"FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES", nullptr};
  OGRLayer* layer = ds.CreateLayer(data.name.c_str(), const_cast<OGRSpatialReference*>(&srs), data.geometry_type, const_cast<char**>(options));
  if (!layer) fail(path, "cannot create layer " + data.name);
  for (const FieldDef& fd : data.fields) {
    OGRFieldDefn defn(fd.name.c_str(), fd.type);
    if (layer->CreateField(&defn) != OGRERR_NONE) fail(path, "cannot create field " + data.name + "." + fd.name);
  }
  if (ds.StartTransaction() != OGRERR_NONE) fail(path, "cannot start transaction for " + data.name);
  for (const Row& row : data.rows) {
    OGRFeature f(layer->GetLayerDefn());
    for (std::size_t i = 0; i < row.values.size(); ++i) setValue(f, static_cast<int>(i), row.values[i]);
    if (row.geometry) f.SetGeometry(row.geometry.get());
    if (layer->CreateFeature(&f) != OGRERR_NONE) fail(path, "cannot write a feature of " + data.name);
  }
  if (ds.CommitTransaction() != OGRERR_NONE) fail(path, "cannot commit layer " + data.name);
}

}  // namespace

void writeGeoPackage(const std::filesystem::path& path, const std::vector<LayerData>& layers) {
  GDALAllRegister();
  std::error_code ec;
  std::filesystem::remove(path, ec);
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
  if (!driver) fail(path, "the GDAL GPKG driver is not available");
  GDALDatasetUniquePtr ds(driver->Create(path.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) fail(path, "cannot create the GeoPackage");
  OGRSpatialReference srs;
  srs.importFromEPSG(4326);
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  for (const LayerData& layer : layers) writeLayer(*ds, srs, layer, path);
  ds.reset();
}

}  // namespace parktwin::dataset
