#pragma once
// The scene frame: one projected CRS for the whole province, metres, double precision.
//
// ParkTwin uses a transverse Mercator on the WGS84 ellipsoid centred on Jiangxi
// (+proj=tmerc +lat_0=27.6 +lon_0=115.8 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m),
// x east, y north, z up. Scale error stays under 0.04 % across the province (±2.5° of lon_0).
//
// Threads: a SceneFrame holds PROJ transformations, which are not thread-safe. Use one SceneFrame
// (and the read_source calls given it) from one thread at a time; give each thread its own frame.
// A point that cannot be transformed comes back as (NaN, NaN).
#include <memory>
#include <string>

#include <glm/vec2.hpp>

#include "parktwin/gis/result.h"

namespace parktwin::gis {

class SceneFrame {
 public:
  /// The default frame (see above). Never fails: PROJ is part of the build.
  static SceneFrame jiangxi();
  /// A frame from any PROJ/OGR definition of a projected CRS in metres.
  static Result<SceneFrame> from_definition(const std::string& def);

  SceneFrame(SceneFrame&&) noexcept;
  SceneFrame& operator=(SceneFrame&&) noexcept;
  ~SceneFrame();

  /// WGS84 longitude/latitude (degrees) -> scene metres.
  glm::dvec2 from_wgs84(glm::dvec2 lonlat) const;
  /// Scene metres -> WGS84 longitude/latitude (degrees).
  glm::dvec2 to_wgs84(glm::dvec2 xy) const;
  /// The frame's definition as a PROJ string.
  const std::string& definition() const;
  /// The frame's WKT (for writing data back).
  std::string wkt() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit SceneFrame(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parktwin::gis
