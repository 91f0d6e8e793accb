#include "parktwin/scene/geo_camera.h"

#include <glm/trigonometric.hpp>

namespace parktwin::scene {

Camera to_camera(const GeoCamera& g, const gis::SceneFrame& frame) {
  Camera c;
  c.target = glm::dvec3(frame.from_wgs84({g.lon, g.lat}), 0.0);
  c.distance = g.distance_m;
  c.heading = glm::radians(g.heading_deg);
  c.pitch = glm::radians(g.pitch_deg);
  c.fov_y = glm::radians(g.fov_deg);
  return c;
}

GeoCamera to_geo(const Camera& c, const gis::SceneFrame& frame) {
  GeoCamera g;
  const glm::dvec2 ll = frame.to_wgs84(glm::dvec2(c.target));
  g.lon = ll.x;
  g.lat = ll.y;
  g.distance_m = c.distance;
  g.heading_deg = glm::degrees(c.heading);
  g.pitch_deg = glm::degrees(c.pitch);
  g.fov_deg = glm::degrees(c.fov_y);
  return g;
}

}  // namespace parktwin::scene
