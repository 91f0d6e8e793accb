#pragma once
// A camera in geographic terms, the way people and files say where to look: a WGS84 target, the
// distance to it, and heading, pitch and field of view in degrees. Saved views, tours and KML use
// it; the renderer's scene::Camera (scene frame, radians) is derived from it for one SceneFrame.
#include "parktwin/gis/frame.h"
#include "parktwin/scene/camera.h"

namespace parktwin::scene {

struct GeoCamera {
  double lon = 0.0, lat = 0.0;  ///< WGS84 degrees of the point looked at (on the ground)
  double distance_m = 1000.0;   ///< metres from that point to the eye
  double heading_deg = 0.0;     ///< 0 = looking north, clockwise positive (as KML)
  double pitch_deg = 45.0;      ///< degrees above the horizon the eye sits at; 90 = straight down (KML tilt = 90 - pitch)
  double fov_deg = 40.107;      ///< vertical field of view (scene::Camera's default 0.7 rad)

  bool operator==(const GeoCamera&) const = default;
};

/// The scene camera for a geographic one (target on the ground plane, z = 0).
Camera to_camera(const GeoCamera& g, const gis::SceneFrame& frame);
/// The geographic camera of a scene camera.
GeoCamera to_geo(const Camera& c, const gis::SceneFrame& frame);

}  // namespace parktwin::scene
