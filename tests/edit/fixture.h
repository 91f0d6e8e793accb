#pragma once
// A small park for the editor's tests, built in code in the scene frame (metres):
//   parcel P1 (fid 1): 100 x 50 m square at (0,0)-(100,50), industrial
//   parcel P2 (fid 2): 100 x 50 m at (100,0)-(200,50), shares P1's east edge, office_rnd
//   parcel G1 (fid 3): 40 x 40 m green at (0,60)-(40,100)
//   building B1 (fid 10) on P1: 20 x 10 m at (10,10)-(30,20), 3 floors, 12 m
//   building B2 (fid 11) on P1: 10 x 10 m at (50,20)-(60,30), no floors field value, 21 m
//   building B3 (fid 12) on P2: 30 x 20 m at (120,10)-(150,30), 10 floors, 40 m
#include "parktwin/gis/geometry.h"

namespace fixture {

inline parktwin::gis::Polygon rect(double x0, double y0, double x1, double y1) {
  parktwin::gis::Polygon p;
  p.outer = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
  return p;
}

inline parktwin::gis::Feature feature(int64_t fid, parktwin::gis::Polygon p, std::vector<parktwin::gis::AttrValue> attrs) {
  parktwin::gis::Feature f;
  f.fid = fid;
  f.geom.kind = parktwin::gis::GeomKind::Polygon;
  f.geom.polygons.push_back(std::move(p));
  f.attrs = std::move(attrs);
  return f;
}

inline parktwin::gis::LayerData parcels() {
  using parktwin::gis::FieldType;
  parktwin::gis::LayerData d;
  d.name = "parcels";
  d.kind = parktwin::gis::GeomKind::Polygon;
  d.fields = {"parcel_id", "park_id", "landuse", "area_m2"};
  d.field_types = {FieldType::String, FieldType::String, FieldType::String, FieldType::Real};
  d.features.push_back(feature(1, rect(0, 0, 100, 50), {std::string("P1"), std::string("nanchang"), std::string("industrial"), 5000.0}));
  d.features.push_back(feature(2, rect(100, 0, 200, 50), {std::string("P2"), std::string("nanchang"), std::string("office_rnd"), 5000.0}));
  d.features.push_back(feature(3, rect(0, 60, 40, 100), {std::string("G1"), std::string("nanchang"), std::string("green"), 1600.0}));
  return d;
}

inline parktwin::gis::LayerData buildings() {
  using parktwin::gis::FieldType;
  parktwin::gis::LayerData d;
  d.name = "buildings";
  d.kind = parktwin::gis::GeomKind::Polygon;
  d.fields = {"building_id", "parcel_id", "park_id", "kind", "floors", "height_m", "source"};
  d.field_types = {FieldType::String, FieldType::String, FieldType::String, FieldType::String,
                   FieldType::Integer, FieldType::Real, FieldType::String};
  const std::string gen = "generated: test";
  d.features.push_back(feature(10, rect(10, 10, 30, 20), {std::string("B1"), std::string("P1"), std::string("nanchang"), std::string("factory_hall"), int64_t{3}, 12.0, gen}));
  d.features.push_back(feature(11, rect(50, 20, 60, 30), {std::string("B2"), std::string("P1"), std::string("nanchang"), std::string("office"), {}, 21.0, gen}));
  d.features.push_back(feature(12, rect(120, 10, 150, 30), {std::string("B3"), std::string("P2"), std::string("nanchang"), std::string("office"), int64_t{10}, 40.0, gen}));
  return d;
}

}  // namespace fixture
