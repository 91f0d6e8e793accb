#pragma once
/// Writing feature rows into a GeoPackage through the GDAL C++ API, one transaction per layer.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

namespace parktwin::dataset {

/// An attribute value: integer, real or text.
using Value = std::variant<std::int64_t, double, std::string>;

/// One attribute column of a layer.
struct FieldDef {
  std::string name;
  OGRFieldType type = OFTString;
};

/// One feature: values in the order of the layer's fields, and a lon/lat geometry.
struct Row {
  std::vector<Value> values;
  std::unique_ptr<OGRGeometry> geometry;
};

/// A layer to write.
struct LayerData {
  std::string name;
  OGRwkbGeometryType geometry_type = wkbUnknown;
  std::vector<FieldDef> fields;
  std::vector<Row> rows;
};

/// Creates (replacing) the GeoPackage at path and writes the layers in order.
/// Throws std::runtime_error with the path and the GDAL message on failure.
void writeGeoPackage(const std::filesystem::path& path, const std::vector<LayerData>& layers);

}  // namespace parktwin::dataset
