#include "frame_state.h"

#include <nlohmann/json.hpp>

namespace parktwin::app {

using nlohmann::json;

bool LiveSender::due(uint64_t live_revision, const std::vector<wall::NodeStatus>& nodes) const {
  for (const wall::NodeStatus& n : nodes) {
    if (n.state != wall::NodeState::Live) continue;
    const auto it = have_.find(n.id);
    if (it == have_.end() || it->second != live_revision) return true;
  }
  return false;
}

void LiveSender::sent(std::optional<uint64_t> live_revision, const wall::BarrierReport& report) {
  for (const std::string& id : report.joined) have_.erase(id);
  for (const std::string& id : report.dropped) have_.erase(id);
  if (!live_revision) return;
  for (const std::string& id : report.ready) have_[id] = *live_revision;
}

std::string encode(const FrameState& f) {
  json j;
  j["v"] = 1;
  j["view"] = f.view;
  j["camera"] = {f.camera.lon, f.camera.lat, f.camera.distance_m, f.camera.heading_deg, f.camera.pitch_deg, f.camera.fov_deg};
  j["t"] = f.time_s;
  j["flow_min"] = f.flow_min_value_yuan;
  j["counted"] = f.counted;
  if (f.live) {
    json m = json::array();
    for (const scene::Metrics& x : f.live->state) {
      json row = json::array({x.ts_ms});
      for (double v : x.v) row.push_back(v);
      row.push_back(static_cast<int>(x.status));
      row.push_back(x.simulated);
      m.push_back(std::move(row));
    }
    j["live"] = {{"t", f.live->time_ms}, {"sim", f.live->simulated}, {"m", std::move(m)}};
  }
  return j.dump();
}

gis::Result<FrameState> decode(const std::string& bytes) try {
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
  if (j.contains("live")) {
    const json& l = j["live"];
    const size_t width = 1 + scene::kMetricCount + 2;  // ts, the metrics, status, simulated
    if (!l.is_object() || !l.contains("m") || !l["m"].is_array())
      return gis::Failure(gis::Failure::InvalidData, "a frame state whose live values cannot be read");
    LiveSnapshot snap;
    snap.time_ms = l.value("t", int64_t{0});
    snap.simulated = l.value("sim", false);
    for (const json& row : l["m"]) {
      if (!row.is_array() || row.size() != width)
        return gis::Failure(gis::Failure::InvalidData, "a frame state whose live values have another shape");
      scene::Metrics x;
      x.ts_ms = row[0].get<int64_t>();
      for (size_t k = 0; k < scene::kMetricCount; ++k) x.v[k] = row[1 + k].get<double>();
      const int status = row[1 + scene::kMetricCount].get<int>();
      if (status < 0 || status > static_cast<int>(scene::Status::Alarm))
        return gis::Failure(gis::Failure::InvalidData, "a frame state with an unknown status");
      x.status = static_cast<scene::Status>(status);
      x.simulated = row[2 + scene::kMetricCount].get<bool>();
      snap.state.push_back(x);
    }
    f.live = std::move(snap);
  }
  return f;
} catch (const nlohmann::json::exception& e) {
  // A field of the wrong type: the frame is refused, the node waits for the next.
  return gis::Failure(gis::Failure::InvalidData, std::string("a frame state with a field of the wrong type: ") + e.what());
}

}  // namespace parktwin::app
