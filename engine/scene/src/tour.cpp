// Tours: evaluation as a pure function of tour time, captions with the document's figures by fact
// id, the JSON form (parktwin.tour/1) and the player's clock.
#include "parktwin/scene/tour.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <initializer_list>

#include <glm/trigonometric.hpp>

#include "parktwin/scene/camera.h"
#include "parktwin/scene/chains.h"
#include "parktwin/scene/facts.h"
#include "parktwin/scene/kpi.h"
#include "parktwin/scene/scene.h"
#include "text_file.h"

namespace parktwin::scene {

namespace {

using gis::Failure;
using nlohmann::json;
using nlohmann::ordered_json;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// Metres per degree on a sphere of the Earth's mean radius: flights are interpolated in a local
// equirectangular plane around their start, which is straight and distance-true enough over the
// few hundred kilometres of the province.
constexpr double kMetresPerDegree = 6371008.8 * M_PI / 180.0;

Camera local_camera(const GeoCamera& g, const GeoCamera& origin) {
  const double kx = kMetresPerDegree * std::cos(glm::radians(origin.lat));
  Camera c;
  c.target = glm::dvec3((g.lon - origin.lon) * kx, (g.lat - origin.lat) * kMetresPerDegree, 0.0);
  c.distance = g.distance_m;
  c.heading = glm::radians(g.heading_deg);
  c.pitch = glm::radians(g.pitch_deg);
  c.fov_y = glm::radians(g.fov_deg);
  return c;
}

GeoCamera geo_camera(const Camera& c, const GeoCamera& origin) {
  const double kx = kMetresPerDegree * std::cos(glm::radians(origin.lat));
  GeoCamera g;
  g.lon = origin.lon + c.target.x / kx;
  g.lat = origin.lat + c.target.y / kMetresPerDegree;
  g.distance_m = c.distance;
  g.heading_deg = glm::degrees(c.heading);
  g.pitch_deg = glm::degrees(c.pitch);
  g.fov_deg = glm::degrees(c.fov_y);
  return g;
}

std::string fail_prefix(std::size_t i, const char* type) {
  return "tour: step " + std::to_string(i + 1) + " (" + type + "): ";
}

// ---- reading -----------------------------------------------------------------------------------

/// Refuses keys the step type does not know (a misspelt key would otherwise be ignored silently).
std::optional<std::string> unknown_key(const json& o, std::initializer_list<const char*> known) {
  for (auto it = o.begin(); it != o.end(); ++it) {
    const bool ok = std::any_of(known.begin(), known.end(), [&](const char* k) { return it.key() == k; });
    if (!ok) return it.key();
  }
  return std::nullopt;
}

/// A finite number at `key`; `fallback` when absent (nullopt = required).
gis::Result<double> number_at(const json& o, const char* key, std::optional<double> fallback, const std::string& where) {
  const auto it = o.find(key);
  if (it == o.end()) {
    if (fallback) return *fallback;
    return Failure(Failure::ConfigurationError, where + "'" + key + "' is missing");
  }
  if (!it->is_number() || !std::isfinite(it->get<double>()))
    return Failure(Failure::ConfigurationError, where + "'" + key + "' must be a finite number");
  return it->get<double>();
}

std::string string_at(const json& o, const char* key) {
  const auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// Refuses a value of the wrong JSON type at one of `keys` (strings) or `flags` (booleans).
std::optional<Failure> wrong_type(const json& o, std::initializer_list<const char*> keys,
                                  std::initializer_list<const char*> flags, const std::string& where) {
  for (const char* k : keys)
    if (const auto it = o.find(k); it != o.end() && !it->is_string())
      return Failure(Failure::ConfigurationError, where + "'" + k + "' must be a string");
  for (const char* k : flags)
    if (const auto it = o.find(k); it != o.end() && !it->is_boolean())
      return Failure(Failure::ConfigurationError, where + "'" + k + "' must be true or false");
  return std::nullopt;
}

gis::Result<GeoCamera> parse_camera(const json& o, const std::string& where) {
  if (!o.is_object()) return Failure(Failure::ConfigurationError, where + "'camera' must be an object");
  if (auto k = unknown_key(o, {"lon", "lat", "distance_m", "heading_deg", "pitch_deg", "fov_deg"}))
    return Failure(Failure::ConfigurationError, where + "camera has an unknown key '" + *k + "'");
  GeoCamera g;
  const std::pair<const char*, double*> fields[] = {{"lon", &g.lon}, {"lat", &g.lat}, {"distance_m", &g.distance_m}};
  for (const auto& [key, out] : fields) {
    auto v = number_at(o, key, std::nullopt, where + "camera: ");
    if (!v) return v.error();
    *out = *v;
  }
  const std::pair<const char*, double*> optional_fields[] = {
      {"heading_deg", &g.heading_deg}, {"pitch_deg", &g.pitch_deg}, {"fov_deg", &g.fov_deg}};
  for (const auto& [key, out] : optional_fields) {
    auto v = number_at(o, key, *out, where + "camera: ");
    if (!v) return v.error();
    *out = *v;
  }
  if (std::abs(g.lon) > 180.0 || std::abs(g.lat) > 90.0)
    return Failure(Failure::ConfigurationError, where + "camera lon/lat out of range");
  if (g.distance_m <= 0.0) return Failure(Failure::ConfigurationError, where + "camera distance_m must be positive");
  if (g.pitch_deg <= 0.0 || g.pitch_deg > 90.0)
    return Failure(Failure::ConfigurationError, where + "camera pitch_deg must lie in (0, 90] (90 = straight down)");
  if (g.fov_deg <= 0.0 || g.fov_deg >= 180.0)
    return Failure(Failure::ConfigurationError, where + "camera fov_deg must lie in (0, 180)");
  return g;
}

/// "2026-03-01T08:00:00Z" (the form format_utc writes) as ms since 1970 UTC.
std::optional<int64_t> parse_utc(const std::string& s) {
  int y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  char z = 0;
  int used = 0;
  if (std::sscanf(s.c_str(), "%4d-%2u-%2uT%2u:%2u:%2u%c%n", &y, &mo, &d, &h, &mi, &sec, &z, &used) != 7 || z != 'Z' ||
      used != static_cast<int>(s.size()) || h > 23 || mi > 59 || sec > 59)
    return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo), std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  const auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return (static_cast<int64_t>(days) * 86400 + h * 3600 + mi * 60 + sec) * 1000;
}

gis::Result<TourStep> parse_step(const json& o, std::size_t i) {
  if (!o.is_object()) return Failure(Failure::ConfigurationError, "tour: step " + std::to_string(i + 1) + " is not an object");
  const std::string type = string_at(o, "type");
  const std::string where = fail_prefix(i, type.empty() ? "?" : type.c_str());
  auto refuse_unknown = [&](std::initializer_list<const char*> known) -> std::optional<Failure> {
    if (auto k = unknown_key(o, known)) return Failure(Failure::ConfigurationError, where + "unknown key '" + *k + "'");
    return std::nullopt;
  };
  if (auto f = wrong_type(o, {"type", "mode", "zh", "en", "source", "enterprise", "chain", "utc"}, {"hide", "live"}, where))
    return *f;
  if (type == "fly_to") {
    if (auto f = refuse_unknown({"type", "camera", "duration_s", "mode"})) return *f;
    const auto cam = o.find("camera");
    if (cam == o.end()) return Failure(Failure::ConfigurationError, where + "'camera' is missing");
    auto g = parse_camera(*cam, where);
    if (!g) return g.error();
    auto d = number_at(o, "duration_s", std::nullopt, where);
    if (!d) return d.error();
    if (*d < 0.0) return Failure(Failure::ConfigurationError, where + "duration_s must not be negative");
    const std::string mode = o.contains("mode") ? string_at(o, "mode") : "bounce";
    if (mode != "bounce" && mode != "smooth")
      return Failure(Failure::ConfigurationError, where + "mode must be \"bounce\" or \"smooth\"");
    return TourStep(FlyToStep{*g, *d, mode == "smooth" ? FlyMode::Smooth : FlyMode::Bounce});
  }
  if (type == "wait") {
    if (auto f = refuse_unknown({"type", "duration_s"})) return *f;
    auto d = number_at(o, "duration_s", std::nullopt, where);
    if (!d) return d.error();
    if (*d < 0.0) return Failure(Failure::ConfigurationError, where + "duration_s must not be negative");
    return TourStep(WaitStep{*d});
  }
  if (type == "caption") {
    if (auto f = refuse_unknown({"type", "zh", "en", "source", "hide"})) return *f;
    if (o.value("hide", false)) {
      if (o.contains("zh") || o.contains("en")) return Failure(Failure::ConfigurationError, where + "a hiding caption has no text");
      CaptionStep c;
      c.show = false;
      return TourStep(c);
    }
    const std::string zh = string_at(o, "zh"), en = string_at(o, "en");
    if (zh.empty() && en.empty()) return Failure(Failure::ConfigurationError, where + "needs 'zh' or 'en' text (or \"hide\": true)");
    auto c = make_caption(zh, en, string_at(o, "source"));
    if (!c) return Failure(Failure::ConfigurationError, where + c.error().message);
    return TourStep(std::move(*c));
  }
  if (type == "highlight") {
    if (auto f = refuse_unknown({"type", "enterprise", "chain"})) return *f;
    const std::string ent = string_at(o, "enterprise"), chain = string_at(o, "chain");
    if (!ent.empty() && !chain.empty())
      return Failure(Failure::ConfigurationError, where + "give 'enterprise' or 'chain', not both");
    if (!chain.empty() && chain_index(chain) < 0)
      return Failure(Failure::ConfigurationError, where + "unknown chain '" + chain + "'");
    if (!ent.empty()) return TourStep(HighlightStep{HighlightStep::Enterprise, ent});
    if (!chain.empty()) return TourStep(HighlightStep{HighlightStep::Chain, chain});
    return TourStep(HighlightStep{});
  }
  if (type == "timeline") {
    if (auto f = refuse_unknown({"type", "utc", "live"})) return *f;
    if (o.value("live", false)) {
      if (o.contains("utc")) return Failure(Failure::ConfigurationError, where + "give 'utc' or \"live\": true, not both");
      return TourStep(TimelineStep{});
    }
    const std::string s = string_at(o, "utc");
    const auto t = parse_utc(s);
    if (!t) return Failure(Failure::ConfigurationError, where + "'utc' must be a moment like 2026-03-01T08:00:00Z (got '" + s + "')");
    return TourStep(TimelineStep{*t});
  }
  if (type == "pause") {
    if (auto f = refuse_unknown({"type"})) return *f;
    return TourStep(PauseStep{});
  }
  return Failure(Failure::ConfigurationError,
                 where + "unknown type '" + type + "' (fly_to, wait, caption, highlight, timeline, pause)");
}

// ---- writing -----------------------------------------------------------------------------------

ordered_json camera_json(const GeoCamera& g) {
  ordered_json c;
  c["lon"] = g.lon;
  c["lat"] = g.lat;
  c["distance_m"] = g.distance_m;
  c["heading_deg"] = g.heading_deg;
  c["pitch_deg"] = g.pitch_deg;
  c["fov_deg"] = g.fov_deg;
  return c;
}

ordered_json step_json(const TourStep& step) {
  ordered_json j;
  j["type"] = step_type(step);
  std::visit(Overloaded{
                 [&](const FlyToStep& s) {
                   j["camera"] = camera_json(s.camera);
                   j["duration_s"] = s.duration_s;
                   j["mode"] = s.mode == FlyMode::Smooth ? "smooth" : "bounce";
                 },
                 [&](const WaitStep& s) { j["duration_s"] = s.duration_s; },
                 [&](const CaptionStep& s) {
                   if (!s.show) {
                     j["hide"] = true;
                     return;
                   }
                   const bool written = !s.zh_written.empty() || !s.en_written.empty();
                   const std::string& zh = written ? s.zh_written : s.zh;
                   const std::string& en = written ? s.en_written : s.en;
                   if (!zh.empty()) j["zh"] = zh;
                   if (!en.empty()) j["en"] = en;
                   const std::string& src = written ? s.source_written : (s.fact_ids.empty() ? s.source : std::string());
                   if (!src.empty()) j["source"] = src;
                 },
                 [&](const HighlightStep& s) {
                   if (s.kind == HighlightStep::Enterprise) j["enterprise"] = s.key;
                   if (s.kind == HighlightStep::Chain) j["chain"] = s.key;
                 },
                 [&](const TimelineStep& s) {
                   if (s.utc_ms)
                     j["utc"] = format_utc(*s.utc_ms);
                   else
                     j["live"] = true;
                 },
                 [&](const PauseStep&) {},
             },
             step);
  return j;
}

}  // namespace

// ---- time --------------------------------------------------------------------------------------

double step_duration(const TourStep& step) {
  if (const auto* f = std::get_if<FlyToStep>(&step)) return f->duration_s;
  if (const auto* w = std::get_if<WaitStep>(&step)) return w->duration_s;
  return 0.0;
}

const char* step_type(const TourStep& step) {
  static constexpr const char* kNames[] = {"fly_to", "wait", "caption", "highlight", "timeline", "pause"};
  return kNames[step.index()];
}

std::vector<double> step_starts(const Tour& tour) {
  std::vector<double> out;
  out.reserve(tour.steps.size());
  double at = 0.0;
  for (const TourStep& s : tour.steps) {
    out.push_back(at);
    at += step_duration(s);
  }
  return out;
}

double total_duration(const Tour& tour) {
  double at = 0.0;
  for (const TourStep& s : tour.steps) at += step_duration(s);
  return at;
}

GeoCamera fly_between(const GeoCamera& a, const GeoCamera& b, double s, FlyMode mode) {
  if (!(s > 0.0)) return a;
  if (s >= 1.0) return b;
  const Camera ca = local_camera(a, a), cb = local_camera(b, a);
  Camera c = interpolate(ca, cb, s);
  if (mode == FlyMode::Smooth)  // log-space, without the climb: stays between the two distances
    c.distance = std::exp(std::log(ca.distance) + (std::log(cb.distance) - std::log(ca.distance)) * s);
  return geo_camera(c, a);
}

TourFrame evaluate(const Tour& tour, double t_s, const GeoCamera& start, std::optional<std::size_t> hold) {
  TourFrame f;
  const double total = total_duration(tour);
  const double t = std::isfinite(t_s) ? std::clamp(t_s, 0.0, total) : 0.0;
  GeoCamera cam = start;  // the camera once every step started so far has run to its end
  f.camera = start;
  double at = 0.0;
  for (std::size_t i = 0; i < tour.steps.size(); ++i) {
    if (at > t || (hold && i > *hold)) break;
    const TourStep& step = tour.steps[i];
    const double d = step_duration(step);
    f.step = static_cast<int>(i);
    std::visit(Overloaded{
                   [&](const FlyToStep& s) {
                     const GeoCamera from = cam;
                     cam = s.camera;
                     // Compare times, not the ratio, so the end of a flight is its keyframe exactly.
                     f.camera = t >= at + d ? s.camera : fly_between(from, s.camera, ease_in_out((t - at) / d), s.mode);
                   },
                   [&](const WaitStep&) {},
                   [&](const CaptionStep& s) {
                     if (s.show)
                       f.caption = s;
                     else
                       f.caption.reset();
                   },
                   [&](const HighlightStep& s) { f.highlight = s; },
                   [&](const TimelineStep& s) { f.timeline = s; },
                   [&](const PauseStep&) {
                     if (at == t) f.pause_step = static_cast<int>(i);
                   },
               },
               step);
    at += d;
  }
  f.finished = t >= total;
  return f;
}

// ---- captions ----------------------------------------------------------------------------------

gis::Result<CaptionStep> make_caption(std::string zh, std::string en, std::string own_source) {
  CaptionStep c;
  c.zh_written = zh;
  c.en_written = en;
  c.source_written = own_source;
  const Facts& facts = plan_facts();
  // Replaces every {fact:ID} in `text`; `chinese` picks the document's own figure over the
  // figure for English readers.
  auto expand = [&](const std::string& text, bool chinese) -> gis::Result<std::string> {
    static constexpr std::string_view kOpen = "{fact:";
    std::string out;
    std::size_t pos = 0;
    while (true) {
      const std::size_t open = text.find(kOpen, pos);
      if (open == std::string::npos) break;
      const std::size_t close = text.find('}', open);
      if (close == std::string::npos)
        return Failure(Failure::ConfigurationError, "caption placeholder not closed: '" + text.substr(open, 40) + "'");
      const std::string id = text.substr(open + kOpen.size(), close - open - kOpen.size());
      const Fact* f = facts.find(id);
      if (!f) return Failure(Failure::ConfigurationError, "caption names an unknown fact id '" + id + "'");
      if (std::find(c.fact_ids.begin(), c.fact_ids.end(), id) == c.fact_ids.end()) c.fact_ids.push_back(id);
      out += text.substr(pos, open - pos);
      out += chinese ? f->figure : fact_display(*f);
      pos = close + 1;
    }
    return out + text.substr(pos);
  };
  auto z = expand(zh, true);
  if (!z) return z.error();
  auto e = expand(en, false);
  if (!e) return e.error();
  c.zh = std::move(*z);
  c.en = std::move(*e);
  c.source = own_source;
  for (const std::string& id : c.fact_ids) c.source += (c.source.empty() ? "" : "; ") + fact_source(facts.get(id));
  return c;
}

// ---- JSON --------------------------------------------------------------------------------------

gis::Result<Tour> parse_tour(std::string_view text) {
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Failure(Failure::ConfigurationError, "tour: not valid JSON");
  if (!doc.is_object()) return Failure(Failure::ConfigurationError, "tour: not a JSON object");
  if (string_at(doc, "schema") != kTourSchema)
    return Failure(Failure::ConfigurationError,
                   "tour: schema is '" + string_at(doc, "schema") + "', expected " + std::string(kTourSchema));
  if (auto k = unknown_key(doc, {"schema", "name", "steps"}))
    return Failure(Failure::ConfigurationError, "tour: unknown key '" + *k + "'");
  Tour tour;
  if (const auto n = doc.find("name"); n != doc.end()) {
    if (!n->is_object()) return Failure(Failure::ConfigurationError, "tour: 'name' must be an object {\"zh\", \"en\"}");
    tour.name_zh = string_at(*n, "zh");
    tour.name_en = string_at(*n, "en");
  }
  if (tour.name_zh.empty() && tour.name_en.empty())
    return Failure(Failure::ConfigurationError, "tour: 'name' needs 'zh' or 'en'");
  const auto steps = doc.find("steps");
  if (steps == doc.end() || !steps->is_array()) return Failure(Failure::ConfigurationError, "tour: 'steps' is not an array");
  for (std::size_t i = 0; i < steps->size(); ++i) {
    auto s = parse_step((*steps)[i], i);
    if (!s) return s.error();
    tour.steps.push_back(std::move(*s));
  }
  return tour;
}

gis::Result<Tour> read_tour(const std::string& path) {
  const auto text = read_text_file(path, "tour file");
  if (!text) return text.error();
  auto t = parse_tour(*text);
  if (!t) return Failure(t.error().kind, path + ": " + t.error().message);
  return t;
}

std::string tour_to_json(const Tour& tour) {
  ordered_json doc;
  doc["schema"] = kTourSchema;
  doc["name"] = ordered_json{{"zh", tour.name_zh}, {"en", tour.name_en}};
  doc["steps"] = ordered_json::array();
  for (const TourStep& s : tour.steps) doc["steps"].push_back(step_json(s));
  return doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

gis::Result<bool> write_tour(const Tour& tour, const std::string& path) {
  return write_text_file_atomic(path, tour_to_json(tour), "tour file");
}

bool apply_highlight(const std::optional<HighlightStep>& highlight, Scene& scene) {
  int selected = -1, chain = -1;
  if (highlight && highlight->kind == HighlightStep::Enterprise)
    for (size_t e = 0; e < scene.enterprises.size(); ++e)
      if (scene.enterprises[e].id == highlight->key) selected = static_cast<int>(e);
  if (highlight && highlight->kind == HighlightStep::Chain) chain = chain_index(highlight->key);
  if (selected == scene.selected_enterprise && chain == scene.chains.filter.highlight_chain) return false;
  scene.selected_enterprise = selected;
  scene.chains.filter.highlight_chain = chain;
  scene.restyle();
  return true;
}

// ---- player ------------------------------------------------------------------------------------

TourPlayer::TourPlayer(Tour tour, GeoCamera start)
    : tour_(std::move(tour)), start_(start), starts_(step_starts(tour_)), total_(total_duration(tour_)) {
  for (std::size_t i = 0; i < tour_.steps.size(); ++i)
    if (std::holds_alternative<PauseStep>(tour_.steps[i])) pauses_.push_back(i);
}

std::optional<double> TourPlayer::pause_time(std::size_t pause) const {
  if (pause >= pauses_.size()) return std::nullopt;
  return starts_[pauses_[pause]];
}

void TourPlayer::jump_to(double t) {
  t_ = std::isfinite(t) ? std::clamp(t, 0.0, total_) : 0.0;
  held_.reset();
  next_pause_ = 0;
  while (next_pause_ < pauses_.size() && *pause_time(next_pause_) < t_) ++next_pause_;
  if (state_ == State::AtPauseStep) state_ = State::Playing;
  if (state_ == State::Finished && t_ < total_) state_ = State::Paused;
}

void TourPlayer::play() {
  if (state_ == State::Stopped || state_ == State::Finished) {
    state_ = State::Playing;
    jump_to(0.0);
    return;
  }
  resume();
}

void TourPlayer::pause() {
  if (state_ == State::Playing) state_ = State::Paused;
}

void TourPlayer::resume() {
  if (state_ == State::Stopped || state_ == State::Finished) return play();
  held_.reset();  // next_pause_ already points behind the Pause step held at
  state_ = State::Playing;
}

void TourPlayer::next() {
  if (state_ == State::AtPauseStep) return resume();
  double to = total_;
  for (double s : starts_)
    if (s > t_) {
      to = std::min(to, s);
    }
  jump_to(to);
}

void TourPlayer::previous() {
  double to = 0.0;
  for (double s : starts_)
    if (s < t_ - 1e-6) to = std::max(to, s);
  jump_to(to);
}

void TourPlayer::seek(double t_s) { jump_to(t_s); }

void TourPlayer::operator_input() {
  if (state_ != State::Takeover) {
    before_takeover_ = state_;
    state_ = State::Takeover;
  }
  idle_s_ = 0.0;
}

TourFrame TourPlayer::update(double dt_s) {
  const double dt = std::isfinite(dt_s) ? std::max(0.0, dt_s) : 0.0;
  if (state_ == State::Takeover) {
    idle_s_ += dt;
    if (idle_s_ >= resume_after_s_) state_ = before_takeover_;  // the clock starts again next update
    return frame();
  }
  if (state_ != State::Playing) return frame();
  double to = t_ + dt;
  // At most a few laps for a looping tour (a huge dt on a tiny tour must not spin).
  for (int lap = 0; lap < 4; ++lap) {
    if (const auto p = pause_time(next_pause_); p && *p <= to) {
      t_ = *p;
      held_ = pauses_[next_pause_++];
      state_ = State::AtPauseStep;
      return frame();
    }
    if (to < total_) {
      t_ = to;
      return frame();
    }
    if (!loop_ || total_ <= 0.0) {
      t_ = total_;
      state_ = State::Finished;
      return frame();
    }
    to -= total_;
    jump_to(0.0);
  }
  t_ = std::fmod(to, total_);
  return frame();
}

TourFrame TourPlayer::frame() const { return evaluate(tour_, t_, start_, held_); }

}  // namespace parktwin::scene
