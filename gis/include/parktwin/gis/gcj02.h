#pragma once
// GCJ-02 ("Mars coordinates"), the obfuscated datum of Chinese web maps (AMap/Gaode, Tencent, DataV).
// It shifts WGS84 positions by 0.3-0.7 km in a smooth, non-linear way inside China.
//
// wgs84_to_gcj02 is the published forward algorithm. gcj02_to_wgs84 inverts it by fixed-point
// iteration until the forward image matches the input to better than 1e-9 degree (about 0.1 mm);
// the documented tolerance of the round trip is 1 cm. Outside China both are the identity,
// as the forward algorithm is.
#include <glm/vec2.hpp>

namespace parktwin::gis {

/// True when (lon, lat) lies in the rough box where GCJ-02 applies.
bool gcj02_applies(glm::dvec2 lonlat);
/// WGS84 -> GCJ-02, degrees (lon, lat).
glm::dvec2 wgs84_to_gcj02(glm::dvec2 lonlat);
/// GCJ-02 -> WGS84, degrees (lon, lat), iterative inverse.
glm::dvec2 gcj02_to_wgs84(glm::dvec2 lonlat);

}  // namespace parktwin::gis
