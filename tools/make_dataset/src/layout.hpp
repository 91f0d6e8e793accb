#pragma once
/// Generated ground layout of one park area: boundary, street network, blocks and parcels, and
/// (filled by placeBuildings) the buildings. Everything is built in the area's grid frame (metres).
#include <memory>
#include <string>
#include <vector>

#include "admin.hpp"
#include "geometry.hpp"
#include "rng.hpp"
#include "spec.hpp"

namespace parktwin::dataset {

/// A land parcel. Developed parcels are rectangles in the grid frame; edge parcels are clipped.
struct Parcel {
  std::string parcel_id;
  std::string landuse;
  Shape shape;              ///< grid frame
  Rect rect;                ///< grid frame; meaningful when developed
  bool developed = false;   ///< rectangular parcel inside a block, may carry buildings
  double area_m2 = 0;
  double floor_area_m2 = 0; ///< summed by placeBuildings
  std::string enterprise_id;
  bool smelter = false;     ///< built as a smelting works
  int stacks = 0;           ///< stacks to place on this parcel
};

/// A road centre line (one connected piece after clipping to the park boundary).
struct Road {
  std::string road_id;
  std::string cls;
  std::string name_zh;
  double width_m = 0;
  int lanes = 0;
  std::unique_ptr<OGRGeometry> geometry;  ///< lon/lat line string
};

/// A building footprint with its attributes.
struct Building {
  std::string building_id;
  std::size_t parcel = 0;  ///< index into AreaLayout::parcels
  std::string kind;
  int floors = 1;
  double height_m = 0;
  Shape shape;             ///< grid frame
};

/// The generated layout of one park area.
struct AreaLayout {
  const ParkSpec* park = nullptr;
  const AreaSpec* area = nullptr;
  AreaFrame frame{0, 0, 0};
  Shape boundary;  ///< grid frame
  std::vector<Road> roads;
  std::vector<Parcel> parcels;
  std::vector<Building> buildings;
};

/// Builds boundary, roads and parcels of an area. Checks that the boundary holds its anchors and
/// lies inside its city; throws std::runtime_error saying which spec entry to adjust otherwise.
AreaLayout layoutArea(const ParkSpec& park, const AreaSpec& area, const RealData& real, Rng rng);

/// Fills layout.buildings (and the parcels' floor areas) for every developed parcel.
void placeBuildings(AreaLayout& layout, Rng rng);

/// Index of the parcel holding a grid-frame point, or the nearest developed one.
std::size_t parcelAt(const AreaLayout& layout, Vec2 grid);

}  // namespace parktwin::dataset
