// KML gx:Tour import and export through libxml2. The subset (docs/tours.md): gx:FlyTo with a
// LookAt or a Camera, gx:Wait, gx:TourControl pause. Everything else in a playlist is named in
// the warnings.
#include "parktwin/scene/kml_tour.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <memory>
#include <optional>

#include <glm/trigonometric.hpp>

#include "text_file.h"

namespace parktwin::scene {

namespace {

using gis::Failure;

using DocPtr = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

const char* str(const xmlChar* s) { return reinterpret_cast<const char*>(s); }

bool in_gx(const xmlNode* n) { return n->ns && n->ns->href && std::string_view(str(n->ns->href)) == kKmlGxNamespace; }

/// An element named `name` of the gx extension (`gx` true) or of KML itself (any other namespace,
/// so documents of older KML versions read too).
bool is(const xmlNode* n, std::string_view name, bool gx) {
  return n && n->type == XML_ELEMENT_NODE && std::string_view(str(n->name)) == name && in_gx(n) == gx;
}

std::string qualified(const xmlNode* n) { return std::string(in_gx(n) ? "gx:" : "") + str(n->name); }

std::string text_of(const xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string s = c ? str(c) : "";
  xmlFree(c);
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

const xmlNode* child(const xmlNode* parent, std::string_view name, bool gx) {
  for (const xmlNode* c = parent->children; c; c = c->next)
    if (is(c, name, gx)) return c;
  return nullptr;
}

/// The number in child `name`: `fallback` when the child is absent; a failure when it is not a number.
gis::Result<double> number_in(const xmlNode* parent, std::string_view name, bool gx, double fallback, const std::string& where) {
  const xmlNode* c = child(parent, name, gx);
  if (!c) return fallback;
  const std::string t = text_of(c);
  double v = 0.0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v))
    return Failure(Failure::InvalidData, where + (gx ? "gx:" : "") + std::string(name) + " is not a number: '" + t + "'");
  return v;
}

std::string format(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back exactly
  return std::string(buf, r.ptr);
}

/// Warns about the children of a LookAt or Camera the import does not use.
void warn_unknown_children(const xmlNode* view, std::initializer_list<std::string_view> known, const std::string& where,
                           std::vector<std::string>& warnings) {
  for (const xmlNode* c = view->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    const std::string q = qualified(c);
    if (std::find(known.begin(), known.end(), q) == known.end())
      warnings.push_back(where + q + " in " + str(view->name) + " ignored");
  }
}

gis::Result<GeoCamera> read_look_at(const xmlNode* v, const std::string& where, std::vector<std::string>& warnings) {
  warn_unknown_children(v, {"longitude", "latitude", "altitude", "heading", "tilt", "range", "altitudeMode"}, where, warnings);
  if (!child(v, "longitude", false) || !child(v, "latitude", false))
    return Failure(Failure::InvalidData, where + "LookAt needs longitude and latitude");
  GeoCamera g;
  double alt = 0.0, tilt = 0.0, range = 0.0;
  const std::pair<std::string_view, double*> fields[] = {{"longitude", &g.lon}, {"latitude", &g.lat}, {"altitude", &alt},
                                                        {"heading", &g.heading_deg}, {"tilt", &tilt}, {"range", &range}};
  for (const auto& [name, out] : fields) {
    auto r = number_in(v, name, false, 0.0, where + "LookAt ");
    if (!r) return r.error();
    *out = *r;
  }
  if (range <= 0.0) return Failure(Failure::InvalidData, where + "LookAt range must be positive (got " + format(range) + ")");
  if (tilt < 0.0 || tilt >= 90.0)
    return Failure(Failure::InvalidData, where + "LookAt tilt must lie in [0, 90) (got " + format(tilt) + ")");
  const xmlNode* mode = child(v, "altitudeMode", false);
  const std::string m = mode ? text_of(mode) : "clampToGround";
  if (m != "clampToGround" && m != "relativeToGround")
    warnings.push_back(where + "LookAt altitudeMode " + m + " read as relativeToGround over flat ground");
  if (alt != 0.0) warnings.push_back(where + "LookAt altitude " + format(alt) + " m ignored: the point looked at lies on the ground");
  g.distance_m = range;
  g.pitch_deg = 90.0 - tilt;
  return g;
}

gis::Result<GeoCamera> read_camera(const xmlNode* v, const gis::SceneFrame& frame, const std::string& where,
                                   std::vector<std::string>& warnings) {
  warn_unknown_children(v, {"longitude", "latitude", "altitude", "heading", "tilt", "roll", "altitudeMode"}, where, warnings);
  if (!child(v, "longitude", false) || !child(v, "latitude", false) || !child(v, "altitude", false))
    return Failure(Failure::InvalidData, where + "Camera needs longitude, latitude and altitude");
  double lon = 0.0, lat = 0.0, alt = 0.0, heading = 0.0, tilt = 0.0, roll = 0.0;
  const std::pair<std::string_view, double*> fields[] = {{"longitude", &lon}, {"latitude", &lat}, {"altitude", &alt},
                                                        {"heading", &heading}, {"tilt", &tilt},  {"roll", &roll}};
  for (const auto& [name, out] : fields) {
    auto r = number_in(v, name, false, 0.0, where + "Camera ");
    if (!r) return r.error();
    *out = *r;
  }
  if (tilt >= 90.0)
    return Failure(Failure::InvalidData, where + "Camera tilt " + format(tilt) +
                                             " looks at or above the horizon; a tour camera must look at the ground (tilt < 90)");
  if (tilt < 0.0) return Failure(Failure::InvalidData, where + "Camera tilt must not be negative (got " + format(tilt) + ")");
  if (alt <= 0.0) return Failure(Failure::InvalidData, where + "Camera altitude must be above the ground (got " + format(alt) + ")");
  if (roll != 0.0) warnings.push_back(where + "Camera roll " + format(roll) + " ignored (the view is kept level)");
  if (const xmlNode* mode = child(v, "altitudeMode", false)) {
    const std::string m = text_of(mode);
    if (m != "relativeToGround")
      warnings.push_back(where + "Camera altitudeMode " + m + " read as relativeToGround over flat ground");
  }
  // The ground point on the view ray over flat ground: altitude·tan(tilt) ahead along the heading.
  const double h = glm::radians(heading), t = glm::radians(tilt);
  const glm::dvec2 eye = frame.from_wgs84({lon, lat});
  const glm::dvec2 target = eye + alt * std::tan(t) * glm::dvec2(std::sin(h), std::cos(h));
  const glm::dvec2 ll = frame.to_wgs84(target);
  if (!std::isfinite(ll.x) || !std::isfinite(ll.y))
    return Failure(Failure::InvalidData, where + "Camera position cannot be placed in the scene frame");
  GeoCamera g;
  g.lon = ll.x;
  g.lat = ll.y;
  g.distance_m = alt / std::cos(t);
  g.heading_deg = heading;
  g.pitch_deg = 90.0 - tilt;
  return g;
}

const xmlNode* find_tour(const xmlNode* n, int& count, const xmlNode* found = nullptr) {
  for (; n; n = n->next) {
    if (is(n, "Tour", true)) {
      ++count;
      if (!found) found = n;
      continue;
    }
    if (n->type == XML_ELEMENT_NODE) found = find_tour(n->children, count, found);
  }
  return found;
}

gis::Result<TourStep> read_fly_to(const xmlNode* n, const gis::SceneFrame& frame, const std::string& where,
                                  std::vector<std::string>& warnings) {
  auto d = number_in(n, "duration", true, 0.0, where);
  if (!d) return d.error();
  if (*d < 0.0) return Failure(Failure::InvalidData, where + "gx:duration must not be negative");
  FlyToStep step;
  step.duration_s = *d;
  if (const xmlNode* m = child(n, "flyToMode", true)) {
    const std::string mode = text_of(m);
    if (mode == "smooth")
      step.mode = FlyMode::Smooth;
    else if (mode != "bounce")
      warnings.push_back(where + "gx:flyToMode '" + mode + "' unknown, flown as bounce");
  }
  const xmlNode* view = nullptr;
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (is(c, "LookAt", false) || is(c, "Camera", false)) {
      if (view) warnings.push_back(where + "second view " + qualified(c) + " in gx:FlyTo ignored");
      if (!view) view = c;
    } else if (!is(c, "duration", true) && !is(c, "flyToMode", true)) {
      warnings.push_back(where + qualified(c) + " in gx:FlyTo ignored");
    }
  }
  if (!view) {
    warnings.push_back(where + "gx:FlyTo without LookAt or Camera: kept as a wait of " + format(*d) + " s");
    return TourStep(WaitStep{*d});
  }
  auto g = is(view, "LookAt", false) ? read_look_at(view, where, warnings) : read_camera(view, frame, where, warnings);
  if (!g) return g.error();
  step.camera = *g;
  return TourStep(step);
}

xmlNode* add(xmlNode* parent, xmlNs* ns, const char* name, const std::string& text) {
  return xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST text.c_str());
}

}  // namespace

gis::Result<KmlTourImport> import_kml_tour(std::string_view kml_text, const gis::SceneFrame& frame) {
  xmlInitParser();
  xmlResetLastError();
  DocPtr doc(xmlReadMemory(kml_text.data(), static_cast<int>(kml_text.size()), "tour.kml", nullptr,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
             &xmlFreeDoc);
  if (!doc) {
    const xmlError* e = xmlGetLastError();
    std::string why = e && e->message ? e->message : "unreadable";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Failure(Failure::InvalidData, "KML: not well-formed XML" + (e ? " (line " + std::to_string(e->line) + ")" : std::string()) + ": " + why);
  }
  int tours = 0;
  const xmlNode* tour = find_tour(xmlDocGetRootElement(doc.get()), tours);
  if (!tour) return Failure(Failure::InvalidData, "KML: the document holds no gx:Tour");
  KmlTourImport out;
  if (tours > 1) out.warnings.push_back("KML: " + std::to_string(tours) + " gx:Tour elements; only the first is imported");
  if (const xmlNode* name = child(tour, "name", false)) out.tour.name_en = text_of(name);
  if (const xmlNode* ext = child(tour, "ExtendedData", false))
    for (const xmlNode* d = ext->children; d; d = d->next)
      if (is(d, "Data", false)) {
        xmlChar* key = xmlGetProp(d, BAD_CAST "name");
        const bool zh = key && std::string_view(str(key)) == "name_zh";
        xmlFree(key);
        if (const xmlNode* v = child(d, "value", false); zh && v) out.tour.name_zh = text_of(v);
      }
  if (out.tour.name_en.empty() && out.tour.name_zh.empty()) out.tour.name_en = "KML tour";
  const xmlNode* playlist = child(tour, "Playlist", true);
  if (!playlist) return Failure(Failure::InvalidData, "KML: gx:Tour has no gx:Playlist");
  int item = 0;
  for (const xmlNode* n = playlist->children; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    const std::string where = "gx:Playlist item " + std::to_string(++item) + " (" + qualified(n) + "): ";
    if (is(n, "FlyTo", true)) {
      auto s = read_fly_to(n, frame, where, out.warnings);
      if (!s) return s.error();
      out.tour.steps.push_back(std::move(*s));
    } else if (is(n, "Wait", true)) {
      auto d = number_in(n, "duration", true, 0.0, where);
      if (!d) return d.error();
      if (*d < 0.0) return Failure(Failure::InvalidData, where + "gx:duration must not be negative");
      out.tour.steps.push_back(WaitStep{*d});
    } else if (is(n, "TourControl", true)) {
      const xmlNode* mode = child(n, "playMode", true);
      if (mode && text_of(mode) == "pause")
        out.tour.steps.push_back(PauseStep{});
      else
        out.warnings.push_back(where + "gx:TourControl without gx:playMode pause skipped");
    } else if (is(n, "AnimatedUpdate", true)) {
      out.warnings.push_back(where + "skipped: feature updates are not supported");
    } else if (is(n, "SoundCue", true)) {
      out.warnings.push_back(where + "skipped: sound is not supported");
    } else {
      out.warnings.push_back(where + "skipped: not a tour primitive ParkTwin knows");
    }
  }
  return out;
}

gis::Result<KmlTourImport> read_kml_tour(const std::string& path, const gis::SceneFrame& frame) {
  const auto text = read_text_file(path, "KML file");
  if (!text) return text.error();
  auto r = import_kml_tour(*text, frame);
  if (!r) return Failure(r.error().kind, path + ": " + r.error().message);
  return r;
}

KmlTourExport export_kml_tour(const Tour& tour) {
  KmlTourExport out;
  DocPtr doc(xmlNewDoc(BAD_CAST "1.0"), &xmlFreeDoc);
  xmlNode* root = xmlNewNode(nullptr, BAD_CAST "kml");
  xmlDocSetRootElement(doc.get(), root);
  xmlNs* kml = xmlNewNs(root, BAD_CAST kKmlNamespace, nullptr);
  xmlNs* gx = xmlNewNs(root, BAD_CAST kKmlGxNamespace, BAD_CAST "gx");
  xmlSetNs(root, kml);
  xmlNode* t = xmlNewChild(root, gx, BAD_CAST "Tour", nullptr);
  add(t, kml, "name", tour.name_en.empty() ? tour.name_zh : tour.name_en);
  if (!tour.name_zh.empty()) {
    xmlNode* data = xmlNewChild(xmlNewChild(t, kml, BAD_CAST "ExtendedData", nullptr), kml, BAD_CAST "Data", nullptr);
    xmlNewProp(data, BAD_CAST "name", BAD_CAST "name_zh");
    add(data, kml, "value", tour.name_zh);
  }
  xmlNode* playlist = xmlNewChild(t, gx, BAD_CAST "Playlist", nullptr);
  for (std::size_t i = 0; i < tour.steps.size(); ++i) {
    const TourStep& step = tour.steps[i];
    if (const auto* f = std::get_if<FlyToStep>(&step)) {
      xmlNode* n = xmlNewChild(playlist, gx, BAD_CAST "FlyTo", nullptr);
      add(n, gx, "duration", format(f->duration_s));
      add(n, gx, "flyToMode", f->mode == FlyMode::Smooth ? "smooth" : "bounce");
      xmlNode* v = xmlNewChild(n, kml, BAD_CAST "LookAt", nullptr);
      add(v, kml, "longitude", format(f->camera.lon));
      add(v, kml, "latitude", format(f->camera.lat));
      add(v, kml, "altitude", "0");
      add(v, kml, "heading", format(f->camera.heading_deg));
      add(v, kml, "tilt", format(90.0 - f->camera.pitch_deg));
      add(v, kml, "range", format(f->camera.distance_m));
      add(v, kml, "altitudeMode", "relativeToGround");
    } else if (const auto* w = std::get_if<WaitStep>(&step)) {
      add(xmlNewChild(playlist, gx, BAD_CAST "Wait", nullptr), gx, "duration", format(w->duration_s));
    } else if (std::holds_alternative<PauseStep>(step)) {
      add(xmlNewChild(playlist, gx, BAD_CAST "TourControl", nullptr), gx, "playMode", "pause");
    } else {
      out.warnings.push_back("step " + std::to_string(i + 1) + " (" + step_type(step) + ") has no KML form; left out");
    }
  }
  xmlChar* mem = nullptr;
  int size = 0;
  xmlDocDumpFormatMemoryEnc(doc.get(), &mem, &size, "UTF-8", 1);
  out.kml.assign(str(mem), static_cast<std::size_t>(size));
  xmlFree(mem);
  return out;
}

}  // namespace parktwin::scene
