#include <cstdlib>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "parktwin/app/app.h"
#include "parktwin/live/payload.h"

namespace parktwin::app {

std::string default_dataset_path() { return scene::default_asset_dir() + "/parktwin.gpkg"; }

scene::StreamOptions stream_options(const AppOptions& o) {
  scene::StreamOptions so;
  so.cache_dir = o.tile_cache == "default" ? scene::default_tile_cache_dir() : o.tile_cache;
  so.memory_budget_mb = o.stream_budget_mb;
  // Only the "fit" view needs a streamed layer's extent before its tiles; the others know where
  // they look (a GeoJSON is not read a whole extra time before its first tile for them).
  so.extent_first = o.view == "fit";
  return so;
}

Result<std::unique_ptr<scene::Scene>> load_scene(const AppOptions& o, std::ostream& log, int* failures,
                                                 std::vector<std::unique_ptr<scene::LayerStream>>* pending) {
  auto s = std::make_unique<scene::Scene>(gis::SceneFrame::jiangxi());
  int failed = 0;
  if (!o.no_dataset) {
    const std::string path = o.dataset.empty() ? default_dataset_path() : o.dataset;
    auto r = scene::load_default_dataset(*s, path);
    if (!r) {
      log << "parktwin: cannot load the dataset: " << r.error().message << "\n";
      ++failed;
    }
  }
  std::vector<std::unique_ptr<scene::LayerStream>> streams;
  for (const std::string& path : o.extra_layers) {
    Result<size_t> r = size_t{0};
    if (o.stream_layers) {
      size_t added = 0;
      auto st = scene::add_user_layers_streamed(*s, path, o.layer_options, stream_options(o), &added);
      if (st) {
        for (auto& one : *st) streams.push_back(std::move(one));
        r = added;
      } else {
        r = st.error();
      }
    } else {
      r = scene::add_user_layers(*s, path, o.layer_options);
    }
    if (!r) {
      log << "parktwin: skipping " << path << ": " << r.error().message << "\n";
      ++failed;
    } else if (*r == 0) {
      log << "parktwin: " << path << " has no layer with features to show\n";
      ++failed;
    }
  }
  if (pending) {
    for (auto& one : streams) pending->push_back(std::move(one));
  } else {
    for (auto& one : streams) one->finish(*s);
  }
  for (const std::string& w : s->warnings) log << "parktwin: " << w << "\n";
  if (s->damaged_layers > 0) {
    log << "parktwin: " << s->damaged_layers << " layer(s) came from a damaged source (above): only part of it is shown\n";
    failed += s->damaged_layers;
  }
  if (failures) *failures = failed;
  if (s->layers.empty()) return Failure(Failure::ResourceUnavailable, "nothing could be loaded");
  return s;
}

Result<std::optional<int64_t>> moment_of(const AppOptions& o) {
  if (o.at.empty()) return std::optional<int64_t>{};
  if (auto t = live::parse_time(o.at)) return std::optional<int64_t>{*t};
  return Failure(Failure::ConfigurationError,
                 "--at wants an RFC 3339 time like 2023-01-01T00:00:00+08:00 or 2026-11-25T10:00:00Z, or ms since 1970 (got '" +
                     o.at + "')");
}

std::vector<std::string> view_names(const scene::Scene& s) {
  std::vector<std::string> v{"province"};
  for (const auto& p : s.parks) v.push_back(p.id);
  v.push_back("fit");
  return v;
}

Result<scene::Camera> view_camera(const scene::Scene& s, const std::string& view, double aspect) {
  if (view == "province") {
    const int li = s.layer_index("province");
    glm::dvec2 lo = s.bmin, hi = s.bmax;
    if (li >= 0) {
      lo = glm::dvec2(1e300);
      hi = glm::dvec2(-1e300);
      for (const auto& c : s.layers[static_cast<size_t>(li)].ground) {
        lo = glm::min(lo, c.bmin);
        hi = glm::max(hi, c.bmax);
      }
    }
    // Seen almost from above, so the whole province and all three parks fit.
    return scene::Camera::framing(lo, hi, aspect, 0.0, 1.40);
  }
  if (view == "fit") {
    glm::dvec2 lo(1e300), hi(-1e300);
    for (const auto& l : s.layers) {
      if (l.id.rfind("user:", 0) != 0) continue;
      for (const auto& c : l.ground) lo = glm::min(lo, c.bmin), hi = glm::max(hi, c.bmax);
      for (const auto& c : l.building_chunks) lo = glm::min(lo, c.bmin), hi = glm::max(hi, c.bmax);
      for (const auto& m : l.markers) lo = glm::min(lo, m.pos - 50.0), hi = glm::max(hi, m.pos + 50.0);
    }
    if (lo.x > hi.x) lo = s.bmin, hi = s.bmax;
    return scene::Camera::framing(lo, hi, aspect, 0.3, 0.8);
  }
  if (view.rfind("look:", 0) == 0) {
    // look:LON,LAT,DISTANCE[,HEADING_DEG[,PITCH_DEG]] — WGS84 target, metres, degrees.
    // Every field a whole, finite number (NaN drew a blank picture, "1x" passed as 1).
    double f[5] = {0, 0, 0, 0, 50};
    int n = 0;
    bool whole = true;
    for (const char* p = view.c_str() + 5; whole && n < 5;) {
      char* end = nullptr;
      f[n] = std::strtod(p, &end);
      whole = end != p && std::isfinite(f[n]) && (*end == ',' || *end == '\0');
      ++n;
      if (!whole || *end == '\0') break;
      p = end + 1;
    }
    const double lon = f[0], lat = f[1], dist = f[2], hdg = f[3], pitch = f[4];
    if (!whole || n < 3 || std::abs(lon) > 180 || std::abs(lat) > 90 || !(dist > 0 && dist <= 1e7) || std::abs(hdg) > 3600 ||
        std::abs(pitch) > 90)
      return Failure(Failure::ConfigurationError,
                     "--look wants LON,LAT,DISTANCE[,HEADING,PITCH] in degrees and metres (got '" + view.substr(5) + "')");
    scene::Camera c;
    c.target = glm::dvec3(s.frame().from_wgs84({lon, lat}), 0.0);
    c.distance = dist;
    c.heading = hdg * M_PI / 180.0;
    c.pitch = pitch * M_PI / 180.0;
    c.clamp();
    return c;
  }
  const int pi = s.park_index(view);
  if (pi >= 0) {
    const scene::Park& p = s.parks[static_cast<size_t>(pi)];
    // Oblique, on about 3 km around the park's focus: at whole-park distance (the areas of one
    // cluster lie up to 60 km apart) footprints are too small to read as 3D.
    const glm::dvec2 half(1500.0, 1500.0);
    return scene::Camera::framing(p.focus - half, p.focus + half, aspect, 0.35, 0.62);
  }
  std::string known;
  for (const auto& n : view_names(s)) known += (known.empty() ? "" : ", ") + n;
  return Failure(Failure::ConfigurationError, "unknown view '" + view + "'; use one of: " + known);
}

}  // namespace parktwin::app
