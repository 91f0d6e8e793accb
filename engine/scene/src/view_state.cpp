#include "parktwin/scene/view_state.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "text_file.h"

namespace parktwin::scene {

using nlohmann::ordered_json;
using gis::Failure;

namespace {

bool same_filter(const ChainFilter& a, const ChainFilter& b) {
  return a.chain_on == b.chain_on && a.segment_on == b.segment_on && a.highlight_chain == b.highlight_chain &&
         a.flows_visible == b.flows_visible;
}

bool same_binding(const MetricBinding& a, const MetricBinding& b) {
  return a.enabled == b.enabled && a.height_metric == b.height_metric && a.color_metric == b.color_metric &&
         a.color_log == b.color_log && a.transition_s == b.transition_s && a.stale_after_s == b.stale_after_s;
}

/// A malformed state: the message names the field.
struct Malformed {
  std::string message;
};

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw Malformed{where.empty() ? what : "field " + where + " " + what};
}

std::string join(const std::string& where, const char* key) { return where.empty() ? std::string(key) : where + "." + key; }

/// A float as the shortest decimal that reads back as the same float (0.3f is written 0.3).
double tidy(float f) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, f);
  return std::strtod(std::string(buf, r.ptr).c_str(), nullptr);
}

const ordered_json* field(const ordered_json& o, const char* key) {
  auto it = o.find(key);
  return it == o.end() || it->is_null() ? nullptr : &*it;
}

double number(const ordered_json& o, const char* key, const std::string& where, double fallback) {
  const ordered_json* v = field(o, key);
  if (!v) return fallback;
  if (!v->is_number()) bad(join(where, key), "wants a number");
  const double d = v->get<double>();
  if (!std::isfinite(d)) bad(join(where, key), "wants a finite number");
  return d;
}

bool boolean(const ordered_json& o, const char* key, const std::string& where, bool fallback) {
  const ordered_json* v = field(o, key);
  if (!v) return fallback;
  if (!v->is_boolean()) bad(join(where, key), "wants true or false");
  return v->get<bool>();
}

std::string text(const ordered_json& o, const char* key, const std::string& where, const std::string& fallback) {
  const ordered_json* v = field(o, key);
  if (!v) return fallback;
  if (!v->is_string()) bad(join(where, key), "wants a string");
  return v->get<std::string>();
}

const ordered_json* object(const ordered_json& o, const char* key, const std::string& where) {
  const ordered_json* v = field(o, key);
  if (v && !v->is_object()) bad(join(where, key), "wants an object");
  return v;
}

const ordered_json* array(const ordered_json& o, const char* key, const std::string& where) {
  const ordered_json* v = field(o, key);
  if (v && !v->is_array()) bad(join(where, key), "wants an array");
  return v;
}

std::vector<std::string> strings(const ordered_json& a, const std::string& where) {
  std::vector<std::string> out;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string()) bad(where + "[" + std::to_string(i) + "]", "wants a string");
    out.push_back(a[i].get<std::string>());
  }
  return out;
}

std::string chain_keys_known() {
  std::string s;
  for (const ChainInfo& c : chains()) s += (s.empty() ? "" : ", ") + std::string(c.key);
  return s;
}

ViewState parse(const ordered_json& j) {
  if (!j.is_object()) bad("", "wants a JSON object");
  const ordered_json* ver = field(j, "version");
  if (!ver) bad("version", std::string("missing; a view state starts with \"version\": \"") + kViewStateVersion + "\"");
  if (!ver->is_string() || ver->get<std::string>() != kViewStateVersion)
    bad("version", "is " + ver->dump() + "; this ParkTwin reads only \"" + kViewStateVersion + "\"");

  ViewState s;
  s.name = text(j, "name", "name", "");

  const ordered_json* cam = object(j, "camera", "");
  if (!cam) bad("camera", "missing");
  GeoCamera& g = s.camera;
  if (!field(*cam, "lon") || !field(*cam, "lat")) bad("camera", "wants lon and lat (WGS84 degrees)");
  g.lon = number(*cam, "lon", "camera", 0.0);
  g.lat = number(*cam, "lat", "camera", 0.0);
  g.distance_m = number(*cam, "distance_m", "camera", g.distance_m);
  g.heading_deg = number(*cam, "heading_deg", "camera", g.heading_deg);
  g.pitch_deg = number(*cam, "pitch_deg", "camera", g.pitch_deg);
  g.fov_deg = number(*cam, "fov_deg", "camera", g.fov_deg);
  if (std::abs(g.lon) > 180.0) bad("camera.lon", "is outside -180..180 degrees");
  if (std::abs(g.lat) > 90.0) bad("camera.lat", "is outside -90..90 degrees");
  if (!(g.distance_m > 0.0)) bad("camera.distance_m", "wants a positive number of metres");
  if (!(g.fov_deg > 0.0 && g.fov_deg < 180.0)) bad("camera.fov_deg", "wants degrees between 0 and 180");

  if (const ordered_json* layers = array(j, "layers", "")) {
    for (size_t i = 0; i < layers->size(); ++i) {
      const std::string where = "layers[" + std::to_string(i) + "]";
      const ordered_json& l = (*layers)[i];
      if (!l.is_object()) bad(where, "wants an object with id, visible, opacity");
      LayerView v;
      v.id = text(l, "id", where, "");
      if (v.id.empty()) bad(where + ".id", "missing");
      v.visible = boolean(l, "visible", where, true);
      const double op = number(l, "opacity", where, 1.0);
      if (op < 0.0 || op > 1.0) bad(where + ".opacity", "wants a number from 0 to 1");
      v.opacity = static_cast<float>(op);
      s.layers.push_back(std::move(v));
    }
  }

  if (const ordered_json* st = object(j, "style", "")) {
    const double hs = number(*st, "height_scale", "style", s.style.height_scale);
    if (hs < 0.0 || hs > 20.0) bad("style.height_scale", "wants a number from 0 to 20");
    s.style.height_scale = static_cast<float>(hs);
    const std::string cb = text(*st, "color_by", "style", color_by_key(s.style.color_by));
    auto c = parse_color_by(cb);
    if (!c) bad("style.color_by", "is '" + cb + "'; use kind, chain, height, revenue or uniform");
    s.style.color_by = *c;
  }

  if (const ordered_json* b = object(j, "binding", "")) {
    MetricBinding& mb = s.binding;
    mb.enabled = boolean(*b, "enabled", "binding", mb.enabled);
    for (auto [key, target] : {std::pair<const char*, Metric*>{"height_metric", &mb.height_metric},
                               std::pair<const char*, Metric*>{"color_metric", &mb.color_metric}}) {
      const std::string k = text(*b, key, "binding", metric_key(*target));
      auto m = parse_metric_key(k);
      if (!m) bad(std::string("binding.") + key, "is '" + k + "'; use output_yuan_h, power_kw, utilisation_pct or production");
      *target = *m;
    }
    mb.color_log = boolean(*b, "color_log", "binding", mb.color_log);
    const double tr = number(*b, "transition_s", "binding", mb.transition_s);
    if (tr < 0.0 || tr > 10.0) bad("binding.transition_s", "wants seconds from 0 to 10");
    mb.transition_s = static_cast<float>(tr);
    mb.stale_after_s = number(*b, "stale_after_s", "binding", mb.stale_after_s);
    if (mb.stale_after_s < 1.0) bad("binding.stale_after_s", "wants at least 1 second");
  }

  if (const ordered_json* c = object(j, "chains", "")) {
    ChainFilter& f = s.chains;
    if (const ordered_json* shown = array(*c, "shown", "chains")) {
      f.chain_on.fill(false);
      for (const std::string& k : strings(*shown, "chains.shown")) {
        const int i = chain_index(k);
        if (i < 0) bad("chains.shown", "has unknown chain '" + k + "'; the chains are " + chain_keys_known());
        f.chain_on[static_cast<size_t>(i)] = true;
      }
    }
    if (const ordered_json* segs = array(*c, "segments", "chains")) {
      f.segment_on.fill(false);
      for (const std::string& k : strings(*segs, "chains.segments")) {
        const Segment seg = parse_segment(k);
        if (seg == Segment::Unknown) bad("chains.segments", "has '" + k + "'; use upstream, midstream, downstream");
        f.segment_on[static_cast<size_t>(seg)] = true;
      }
    }
    const std::string hl = text(*c, "highlight", "chains", "");
    if (!hl.empty()) {
      f.highlight_chain = chain_index(hl);
      if (f.highlight_chain < 0) bad("chains.highlight", "is unknown chain '" + hl + "'; the chains are " + chain_keys_known());
    }
    f.flows_visible = boolean(*c, "flows", "chains", f.flows_visible);
  }

  s.selected_enterprise = text(j, "selected_enterprise", "selected_enterprise", "");
  s.language = text(j, "language", "language", "zh");
  if (s.language != "zh" && s.language != "en") bad("language", "is '" + s.language + "'; use zh or en");

  if (const ordered_json* m = field(j, "moment")) {
    if (m->is_string() && m->get<std::string>() == "live") {
      s.moment_ms.reset();
    } else if (m->is_number_integer()) {
      s.moment_ms = m->get<int64_t>();
    } else {
      bad("moment", "wants \"live\" or an integer time in ms since 1970-01-01 UTC");
    }
  }
  s.source = text(j, "source", "source", "");
  if (const ordered_json* p = array(j, "panels", "")) s.panels = strings(*p, "panels");
  return s;
}

}  // namespace

bool operator==(const ViewState& a, const ViewState& b) {
  auto same_layers = [](const std::vector<LayerView>& x, const std::vector<LayerView>& y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i].id != y[i].id || x[i].visible != y[i].visible || x[i].opacity != y[i].opacity) return false;
    return true;
  };
  return a.name == b.name && a.camera == b.camera && same_layers(a.layers, b.layers) &&
         a.style.height_scale == b.style.height_scale && a.style.color_by == b.style.color_by &&
         same_binding(a.binding, b.binding) && same_filter(a.chains, b.chains) &&
         a.selected_enterprise == b.selected_enterprise && a.language == b.language && a.moment_ms == b.moment_ms &&
         a.source == b.source && a.panels == b.panels;
}

const char* color_by_key(ColorBy c) {
  switch (c) {
    case ColorBy::Kind: return "kind";
    case ColorBy::Chain: return "chain";
    case ColorBy::Height: return "height";
    case ColorBy::Revenue: return "revenue";
    case ColorBy::Uniform: return "uniform";
  }
  return "kind";
}

std::optional<ColorBy> parse_color_by(std::string_view key) {
  for (ColorBy c : {ColorBy::Kind, ColorBy::Chain, ColorBy::Height, ColorBy::Revenue, ColorBy::Uniform})
    if (key == color_by_key(c)) return c;
  return std::nullopt;
}

std::optional<Metric> parse_metric_key(std::string_view key) {
  for (size_t i = 0; i < kMetricCount; ++i)
    if (key == metric_key(static_cast<Metric>(i))) return static_cast<Metric>(i);
  return std::nullopt;
}

ViewState capture(const Scene& scene, const Camera& camera, const ViewContext& context) {
  ViewState s;
  s.name = context.name;
  s.camera = to_geo(camera, scene.frame());
  s.layers.reserve(scene.layers.size());
  for (const Layer& l : scene.layers) s.layers.push_back({l.id, l.style.visible, l.style.opacity});
  s.style = scene.style_params;
  s.binding = scene.binding;
  s.chains = scene.chains.filter;
  const int sel = scene.selected_enterprise;
  if (sel >= 0 && static_cast<size_t>(sel) < scene.enterprises.size())
    s.selected_enterprise = scene.enterprises[static_cast<size_t>(sel)].id;
  s.language = context.language;
  s.moment_ms = context.moment_ms;
  s.source = scene.live_source;
  s.panels = context.panels;
  return s;
}

std::vector<std::string> apply(const ViewState& state, Scene& scene, Camera& camera) {
  std::vector<std::string> warnings;
  camera = to_camera(state.camera, scene.frame());
  for (const LayerView& v : state.layers) {
    const int li = scene.layer_index(v.id);
    if (li < 0) {
      warnings.push_back("layer '" + v.id + "' is not in the scene; its visibility is ignored");
      continue;
    }
    LayerStyle& ls = scene.layers[static_cast<size_t>(li)].style;
    ls.visible = v.visible;
    ls.opacity = std::clamp(v.opacity, 0.0f, 1.0f);
  }
  ++scene.visibility_revision;
  scene.style_params.height_scale = std::clamp(state.style.height_scale, 0.0f, 20.0f);
  scene.style_params.color_by = state.style.color_by;
  scene.binding = state.binding;
  scene.binding.transition_s = std::clamp(scene.binding.transition_s, 0.0f, 10.0f);
  scene.binding.stale_after_s = std::max(1.0, scene.binding.stale_after_s);
  scene.chains.filter = state.chains;
  ++scene.chains.revision;
  scene.selected_enterprise = -1;
  if (!state.selected_enterprise.empty()) {
    for (size_t e = 0; e < scene.enterprises.size(); ++e)
      if (scene.enterprises[e].id == state.selected_enterprise) scene.selected_enterprise = static_cast<int>(e);
    if (scene.selected_enterprise < 0)
      warnings.push_back("enterprise '" + state.selected_enterprise + "' is not in the scene; nothing is selected");
  }
  scene.selected_layer = -1;
  scene.selected_feature = -1;
  scene.restyle();
  return warnings;
}

ViewState lerp(const ViewState& a, const ViewState& b, double s, const gis::SceneFrame& frame) {
  if (!(s > 0.0)) return a;
  if (s >= 1.0) return b;
  ViewState r = s < 0.5 ? a : b;
  r.camera = to_geo(interpolate(to_camera(a.camera, frame), to_camera(b.camera, frame), s), frame);
  auto mix = [s](double x, double y) { return (1.0 - s) * x + s * y; };
  // Layers: a's order, then those only b lists; opacity blends where both list the layer.
  r.layers = a.layers;
  for (LayerView& v : r.layers) {
    auto it = std::find_if(b.layers.begin(), b.layers.end(), [&](const LayerView& w) { return w.id == v.id; });
    if (it == b.layers.end()) continue;
    if (s >= 0.5) v.visible = it->visible;
    v.opacity = static_cast<float>(mix(v.opacity, it->opacity));
  }
  for (const LayerView& w : b.layers)
    if (std::none_of(a.layers.begin(), a.layers.end(), [&](const LayerView& v) { return v.id == w.id; }))
      r.layers.push_back(w);
  r.style.height_scale = static_cast<float>(mix(a.style.height_scale, b.style.height_scale));
  if (a.moment_ms && b.moment_ms)
    r.moment_ms = *a.moment_ms + static_cast<int64_t>(std::llround(static_cast<double>(*b.moment_ms - *a.moment_ms) * s));
  return r;
}

std::string to_json(const ViewState& s) {
  ordered_json j;
  j["version"] = kViewStateVersion;
  j["name"] = s.name;
  j["camera"] = {{"lon", s.camera.lon},
                 {"lat", s.camera.lat},
                 {"distance_m", s.camera.distance_m},
                 {"heading_deg", s.camera.heading_deg},
                 {"pitch_deg", s.camera.pitch_deg},
                 {"fov_deg", s.camera.fov_deg}};
  ordered_json layers = ordered_json::array();
  for (const LayerView& v : s.layers) layers.push_back({{"id", v.id}, {"visible", v.visible}, {"opacity", tidy(v.opacity)}});
  j["layers"] = std::move(layers);
  j["style"] = {{"height_scale", tidy(s.style.height_scale)}, {"color_by", color_by_key(s.style.color_by)}};
  j["binding"] = {{"enabled", s.binding.enabled},
                  {"height_metric", metric_key(s.binding.height_metric)},
                  {"color_metric", metric_key(s.binding.color_metric)},
                  {"color_log", s.binding.color_log},
                  {"transition_s", tidy(s.binding.transition_s)},
                  {"stale_after_s", s.binding.stale_after_s}};
  ordered_json shown = ordered_json::array(), segs = ordered_json::array();
  for (size_t i = 0; i < chains().size(); ++i)
    if (s.chains.chain_on[i]) shown.push_back(chains()[i].key);
  for (size_t i = 0; i < s.chains.segment_on.size(); ++i)
    if (s.chains.segment_on[i]) segs.push_back(segment_name(static_cast<Segment>(i)));
  const int hl = s.chains.highlight_chain;
  j["chains"] = {{"shown", std::move(shown)},
                 {"segments", std::move(segs)},
                 {"highlight", hl >= 0 && static_cast<size_t>(hl) < chains().size() ? ordered_json(chains()[size_t(hl)].key)
                                                                                   : ordered_json(nullptr)},
                 {"flows", s.chains.flows_visible}};
  j["selected_enterprise"] = s.selected_enterprise.empty() ? ordered_json(nullptr) : ordered_json(s.selected_enterprise);
  j["language"] = s.language;
  if (s.moment_ms) {
    j["moment"] = *s.moment_ms;
    j["moment_utc"] = format_utc(*s.moment_ms);  // for people; `moment` is what is read
  } else {
    j["moment"] = "live";
  }
  j["source"] = s.source;
  j["panels"] = s.panels;
  return j.dump(2) + "\n";
}

gis::Result<ViewState> from_json(std::string_view text) {
  ordered_json j;
  try {
    j = ordered_json::parse(text.begin(), text.end());
  } catch (const ordered_json::parse_error& e) {
    return Failure(Failure::InvalidData, std::string("not JSON: ") + e.what());
  } catch (const ordered_json::exception& e) {
    // Valid JSON that no double holds (1e999) throws out_of_range, not parse_error.
    return Failure(Failure::InvalidData, std::string("a number is out of range: ") + e.what());
  }
  try {
    return parse(j);
  } catch (const Malformed& m) {
    return Failure(Failure::InvalidData, "view state: " + m.message);
  } catch (const nlohmann::json::exception& e) {
    return Failure(Failure::InvalidData, std::string("view state: ") + e.what());
  }
}

gis::Result<ViewState> read_view_state(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Failure(Failure::ResourceUnavailable, "cannot read view state " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  auto s = from_json(ss.str());
  if (!s) return Failure(s.error().kind, path + ": " + s.error().message);
  return s;
}

gis::Result<bool> write_view_state(const ViewState& state, const std::string& path) {
  return write_text_file_atomic(path, to_json(state), "view state");
}

}  // namespace parktwin::scene
