#include "frame_state.h"

#include <algorithm>
#include <array>
#include <cmath>

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

namespace {

constexpr float kQuarter = 4.0f;          ///< label positions travel in quarter pixels
constexpr size_t kLabelInts = 8;          ///< id, anchor x, y, box x0 - x, y0 - y, width, height, alpha

int64_t quarter(float v) { return static_cast<int64_t>(std::llround(static_cast<double>(v) * kQuarter)); }
int64_t alpha_255(float a) { return static_cast<int64_t>(std::llround(std::clamp(a, 0.0f, 1.0f) * 255.0)); }

/// The labels as one flat list of integers, kLabelInts each: a wall of labels in a few KB.
json encode_labels(const std::vector<scene::PlacedLabel>& labels) {
  json l = json::array();
  for (const scene::PlacedLabel& p : labels) {
    const int64_t ax = quarter(p.anchor.x), ay = quarter(p.anchor.y);
    const int64_t x0 = quarter(p.rect.min.x), y0 = quarter(p.rect.min.y);
    for (int64_t v : {int64_t{p.id}, ax, ay, x0 - ax, y0 - ay, quarter(p.rect.max.x) - x0, quarter(p.rect.max.y) - y0,
                      alpha_255(p.alpha)})
      l.push_back(v);
  }
  return l;
}

gis::Result<std::vector<scene::PlacedLabel>> decode_labels(const json& l) {
  auto bad = [] { return gis::Failure(gis::Failure::InvalidData, "a frame state whose labels cannot be read"); };
  if (!l.is_array() || l.size() % kLabelInts != 0) return bad();
  std::vector<scene::PlacedLabel> out(l.size() / kLabelInts);
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t v[kLabelInts];
    for (size_t k = 0; k < kLabelInts; ++k) {
      const json& x = l[i * kLabelInts + k];
      if (!x.is_number_integer()) return bad();
      v[k] = x.get<int64_t>();
    }
    if (v[0] < 0 || v[0] > UINT32_MAX || v[5] < 0 || v[6] < 0 || v[7] < 0 || v[7] > 255) return bad();
    scene::PlacedLabel& p = out[i];
    p.id = static_cast<uint32_t>(v[0]);
    p.anchor = {static_cast<float>(v[1]) / kQuarter, static_cast<float>(v[2]) / kQuarter};
    p.rect.min = {static_cast<float>(v[1] + v[3]) / kQuarter, static_cast<float>(v[2] + v[4]) / kQuarter};
    p.rect.max = {static_cast<float>(v[1] + v[3] + v[5]) / kQuarter, static_cast<float>(v[2] + v[4] + v[6]) / kQuarter};
    p.alpha = static_cast<float>(v[7]) / 255.0f;
  }
  return out;
}

json encode_overlay(const WallOverlay& o) {
  json j = {{"s", o.ui_scale}, {"en", o.english}, {"l", encode_labels(o.labels)}};
  if (o.caption) j["cap"] = {o.caption->zh, o.caption->en, o.caption->source};
  if (o.alarm) j["alarm"] = {o.alarm->enterprise, o.alarm->line1, o.alarm->line2};
  return j;
}

/// Three strings, or nothing when `j` is not that.
std::optional<std::array<std::string, 3>> three_strings(const json& j) {
  if (!j.is_array() || j.size() != 3 || !j[0].is_string() || !j[1].is_string() || !j[2].is_string()) return std::nullopt;
  return std::array<std::string, 3>{j[0].get<std::string>(), j[1].get<std::string>(), j[2].get<std::string>()};
}

gis::Result<WallOverlay> decode_overlay(const json& j) {
  auto bad = [] { return gis::Failure(gis::Failure::InvalidData, "a frame state whose overlay cannot be read"); };
  if (!j.is_object() || !j.contains("s") || !j["s"].is_number() || !j.contains("l")) return bad();
  WallOverlay o;
  o.ui_scale = j["s"].get<double>();
  if (!(o.ui_scale > 0.0 && o.ui_scale <= 16.0)) return bad();
  o.english = j.value("en", false);
  auto labels = decode_labels(j["l"]);
  if (!labels) return labels.error();
  o.labels = std::move(*labels);
  if (j.contains("cap")) {
    const auto t = three_strings(j["cap"]);
    if (!t) return bad();
    o.caption = scene::CaptionStep{};
    o.caption->zh = (*t)[0];
    o.caption->en = (*t)[1];
    o.caption->source = (*t)[2];
  }
  if (j.contains("alarm")) {
    const auto t = three_strings(j["alarm"]);
    if (!t) return bad();
    o.alarm = ui::AlarmBannerText{(*t)[0], (*t)[1], (*t)[2]};
  }
  return o;
}

}  // namespace

void quantize_labels(std::vector<scene::PlacedLabel>& labels) {
  for (scene::PlacedLabel& p : labels) {
    auto q = [](float v) { return static_cast<float>(quarter(v)) / kQuarter; };
    p.candidate = 0;
    p.anchor = {q(p.anchor.x), q(p.anchor.y)};
    p.rect.min = {q(p.rect.min.x), q(p.rect.min.y)};
    p.rect.max = {q(p.rect.max.x), q(p.rect.max.y)};
    p.alpha = static_cast<float>(alpha_255(p.alpha)) / 255.0f;
  }
}

std::string encode(const FrameState& f) {
  json j;
  j["v"] = kFrameStateVersion;
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
  if (f.overlay) j["o"] = encode_overlay(*f.overlay);
  return j.dump();
}

gis::Result<FrameState> decode(const std::string& bytes) try {
  const json j = json::parse(bytes, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("v") && j["v"].is_number_integer() && j["v"] != kFrameStateVersion)
    return gis::Failure(gis::Failure::InvalidData, "a frame state of version " + j["v"].dump() + ", this node reads " +
                                                       std::to_string(kFrameStateVersion) +
                                                       ": run the same parktwin on the master and every node");
  if (j.is_discarded() || !j.is_object() || j.value("v", 0) != kFrameStateVersion || !j.contains("camera") ||
      !j["camera"].is_array() || j["camera"].size() != 6 || !j.contains("view") || !j["view"].is_string())
    return gis::Failure(gis::Failure::InvalidData, "a frame state this node cannot read (damaged)");
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
  if (j.contains("o")) {
    auto o = decode_overlay(j["o"]);
    if (!o) return o.error();
    f.overlay = std::move(*o);
  }
  return f;
} catch (const nlohmann::json::exception& e) {
  // A field of the wrong type: the frame is refused, the node waits for the next.
  return gis::Failure(gis::Failure::InvalidData, std::string("a frame state with a field of the wrong type: ") + e.what());
}

}  // namespace parktwin::app
