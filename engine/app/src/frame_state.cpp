#include "frame_state.h"

#include <nlohmann/json.hpp>

namespace parktwin::app {

using nlohmann::json;

std::string encode(const FrameState& f) {
  json j;
  j["v"] = 1;
  j["view"] = f.view;
  j["camera"] = {f.camera.lon, f.camera.lat, f.camera.distance_m, f.camera.heading_deg, f.camera.pitch_deg, f.camera.fov_deg};
  j["t"] = f.time_s;
  j["flow_min"] = f.flow_min_value_yuan;
  j["counted"] = f.counted;
  return j.dump();
}

gis::Result<FrameState> decode(const std::string& bytes) {
  const json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("v", 0) != 1 || !j.contains("camera") || !j["camera"].is_array() ||
      j["camera"].size() != 6 || !j.contains("view") || !j["view"].is_string())
    return gis::Failure(gis::Failure::InvalidData, "a frame state this node cannot read (other version or damaged)");
  FrameState f;
  f.view = j["view"].get<std::string>();
  const auto& c = j["camera"];
  f.camera = {c[0].get<double>(), c[1].get<double>(), c[2].get<double>(), c[3].get<double>(), c[4].get<double>(),
              c[5].get<double>()};
  f.time_s = j.value("t", 0.0);
  f.flow_min_value_yuan = j.value("flow_min", 0.0);
  f.counted = j.value("counted", true);
  return f;
}

}  // namespace parktwin::app
