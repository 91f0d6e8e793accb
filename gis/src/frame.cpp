#include "parktwin/gis/frame.h"

#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <utility>

#include <cpl_conv.h>

#include "frame_impl.h"

namespace parktwin::gis {

namespace {

// Kept in sync with the comment in frame.h, which is the contract.
constexpr const char* kJiangxiDefinition =
    "+proj=tmerc +lat_0=27.6 +lon_0=115.8 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs";

// Linear unit tolerance: "metre" in WKT is exactly 1.0; anything else (feet, km) is refused.
constexpr double kMetreTolerance = 1e-9;

constexpr glm::dvec2 kNoPoint{std::numeric_limits<double>::quiet_NaN(),
                              std::numeric_limits<double>::quiet_NaN()};

// Builds the Impl for an already validated projected SRS. Fails only when PROJ cannot create
// the transformations (for example when proj.db is missing), and then says so.
Result<std::unique_ptr<SceneFrame::Impl>> make_impl(OGRSpatialReference frame_srs, std::string definition,
                                                    detail::ErrorCapture& capture) {
  auto impl = std::make_unique<SceneFrame::Impl>();
  impl->definition = std::move(definition);
  impl->wgs84.SetWellKnownGeogCS("WGS84");
  // Without this an EPSG:4326 SRS expects (lat, lon) and transformations return inf.
  impl->wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  impl->frame = std::move(frame_srs);
  impl->frame.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  impl->to_frame = detail::make_transform(impl->wgs84, impl->frame);
  impl->to_wgs84 = detail::make_transform(impl->frame, impl->wgs84);
  if (!impl->to_frame || !impl->to_wgs84)
    return Failure(Failure::ConfigurationError,
                   "cannot create the transformation between WGS84 and the scene frame '" + impl->definition +
                       "': " + capture.take() + "; check that PROJ's proj.db is installed (package proj-data)");
  return impl;
}

// A point outside the projection's domain is an ordinary result here (NaN), not a message for
// stderr, so PROJ's complaint is silenced for the duration of the call.
glm::dvec2 transform_one(OGRCoordinateTransformation& ct, glm::dvec2 p) {
  CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
  double x = p.x, y = p.y;
  int ok = FALSE;
  if (!ct.Transform(1, &x, &y, nullptr, &ok) || !ok || !std::isfinite(x) || !std::isfinite(y)) return kNoPoint;
  return {x, y};
}

// Frames made so far in this process, by definition. Creating the two transformations asks
// proj.db for the operations between the CRS (about 50 ms on a 2-core machine, more in a cold
// process); every later frame of the same definition (the scene's, each reader's, each stream
// worker's, the renderer's warm-up) clones them instead (well under a millisecond). A prototype
// is never used to transform: it is only cloned, under the mutex.
struct Prototypes {
  std::mutex mu;
  std::map<std::string, std::unique_ptr<SceneFrame::Impl>> by_definition;
};

Prototypes& prototypes() {
  static Prototypes* p = new Prototypes;  // never destroyed: frames may be made during static destruction
  return *p;
}

std::unique_ptr<SceneFrame::Impl> clone_impl(const SceneFrame::Impl& from) {
  auto impl = std::make_unique<SceneFrame::Impl>();
  impl->definition = from.definition;
  impl->wgs84 = from.wgs84;
  impl->frame = from.frame;
  impl->to_frame.reset(from.to_frame->Clone());
  impl->to_wgs84.reset(from.to_wgs84->Clone());
  if (!impl->to_frame || !impl->to_wgs84) return nullptr;
  return impl;
}

}  // namespace

SceneFrame::SceneFrame(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SceneFrame::SceneFrame(SceneFrame&&) noexcept = default;
SceneFrame& SceneFrame::operator=(SceneFrame&&) noexcept = default;
SceneFrame::~SceneFrame() = default;

SceneFrame SceneFrame::jiangxi() {
  // A fixed PROJ string on the WGS84 ellipsoid needs nothing from proj.db, so this cannot fail
  // in a working build; from_definition is reused so that both paths validate the same way.
  Result<SceneFrame> r = from_definition(kJiangxiDefinition);
  if (!r) {
    CPLError(CE_Fatal, CPLE_AppDefined, "ParkTwin: the built-in Jiangxi frame is unusable: %s",
             r.error().message.c_str());
  }
  return std::move(*r);
}

Result<SceneFrame> SceneFrame::from_definition(const std::string& def) {
  Prototypes& known = prototypes();
  {
    std::lock_guard lock(known.mu);
    if (auto it = known.by_definition.find(def); it != known.by_definition.end())
      if (auto impl = clone_impl(*it->second)) return SceneFrame(std::move(impl));
  }
  detail::ErrorCapture capture;
  OGRSpatialReference srs;
  if (def.empty() || srs.SetFromUserInput(def.c_str()) != OGRERR_NONE)
    return Failure(Failure::ConfigurationError, "the scene frame definition '" + def +
                                                    "' is not a CRS GDAL/PROJ understands: " + capture.take());
  if (!srs.IsProjected())
    return Failure(Failure::ConfigurationError,
                   "the scene frame '" + def + "' is not a projected CRS; the scene needs metres, for example "
                   "'+proj=tmerc +lat_0=27.6 +lon_0=115.8 +ellps=WGS84 +units=m' or 'EPSG:32650'");
  const double unit = srs.GetLinearUnits();
  if (std::abs(unit - 1.0) > kMetreTolerance)
    return Failure(Failure::ConfigurationError,
                   "the scene frame '" + def + "' is not in metres (one unit = " + std::to_string(unit) + " m)");

  // Keep a PROJ string as the canonical definition; fall back to the user's text when the CRS
  // has no PROJ string form.
  std::string definition = def;
  char* proj4 = nullptr;
  if (def.rfind("+proj", 0) != 0 && srs.exportToProj4(&proj4) == OGRERR_NONE && proj4 != nullptr && *proj4)
    definition = proj4;
  CPLFree(proj4);
  capture.clear();

  auto impl = make_impl(std::move(srs), std::move(definition), capture);
  if (!impl) return impl.error();
  if (auto copy = clone_impl(**impl)) {
    std::lock_guard lock(known.mu);
    known.by_definition.emplace(def, std::move(copy));  // another thread's, made meanwhile, stays
  }
  return SceneFrame(std::move(*impl));
}

glm::dvec2 SceneFrame::from_wgs84(glm::dvec2 lonlat) const { return transform_one(*impl_->to_frame, lonlat); }

glm::dvec2 SceneFrame::to_wgs84(glm::dvec2 xy) const { return transform_one(*impl_->to_wgs84, xy); }

const std::string& SceneFrame::definition() const { return impl_->definition; }

std::string SceneFrame::wkt() const {
  // WKT1 (GDAL's default export) is what every writer, shapefile .prj included, accepts.
  char* wkt = nullptr;
  std::string out;
  if (impl_->frame.exportToWkt(&wkt) == OGRERR_NONE && wkt != nullptr) out = wkt;
  CPLFree(wkt);
  return out;
}

}  // namespace parktwin::gis
