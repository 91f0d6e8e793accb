#pragma once
// Private to parktwin::gis: the GDAL/OGR state behind SceneFrame, and a scoped capture of GDAL's
// error messages. Never included from a public header, so no GDAL type leaves the library.
#include <memory>
#include <string>
#include <vector>

#include <cpl_error.h>
#include <ogr_spatialref.h>

#include "parktwin/gis/frame.h"

namespace parktwin::gis {

namespace detail {

/// Deleter for coordinate transformations created by OGRCreateCoordinateTransformation.
struct TransformDeleter {
  void operator()(OGRCoordinateTransformation* ct) const { OGRCoordinateTransformation::DestroyCT(ct); }
};
using TransformPtr = std::unique_ptr<OGRCoordinateTransformation, TransformDeleter>;

/// Collects the messages GDAL reports on this thread while it is alive (warnings and failures),
/// instead of letting them reach stderr. GDAL's handler stack is per thread, so this is safe to
/// use from several threads at once, each with its own capture.
class ErrorCapture {
 public:
  ErrorCapture() { CPLPushErrorHandlerEx(&ErrorCapture::handle, this); }
  /// One that takes messages only inside a Scope, on the Scope's thread: for an object that lives
  /// on one thread and is used or destroyed on another (a TiledLayerReader handed to a worker).
  struct Deferred {};
  explicit ErrorCapture(Deferred) : pushed_(false) {}
  ~ErrorCapture() {
    if (pushed_) CPLPopErrorHandler();
  }
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;

  /// A deferred capture's messages, from the thread that makes the Scope while it lives.
  class Scope {
   public:
    explicit Scope(ErrorCapture& c) { CPLPushErrorHandlerEx(&ErrorCapture::handle, &c); }
    ~Scope() { CPLPopErrorHandler(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
  };

  /// Messages seen since construction or the last take(), in order.
  const std::vector<std::string>& messages() const { return messages_; }
  /// All messages joined with "; " ("no details from GDAL" when there are none), then cleared.
  std::string take() {
    std::string out;
    for (const std::string& m : messages_) out += (out.empty() ? "" : "; ") + m;
    messages_.clear();
    return out.empty() ? std::string("no details from GDAL") : out;
  }
  void clear() {
    messages_.clear();
    failures_ = 0;
    first_failure_.clear();
  }
  /// Errors (CE_Failure or worse) since construction or the last clear(), and the first one's text.
  size_t failures() const { return failures_; }
  const std::string& first_failure() const { return first_failure_; }

 private:
  static void CPL_STDCALL handle(CPLErr cls, CPLErrorNum, const char* msg) {
    if (cls < CE_Warning || msg == nullptr) return;  // CE_None and CE_Debug are not for users
    auto* self = static_cast<ErrorCapture*>(CPLGetErrorHandlerUserData());
    if (self == nullptr) return;
    // One line per message: drivers such as PostgreSQL's pass multi-line text.
    std::string line;
    for (const char* c = msg; *c; ++c) {
      const bool space = *c == '\n' || *c == '\r' || *c == '\t' || *c == ' ';
      if (!space) line += *c;
      else if (!line.empty() && line.back() != ' ') line += ' ';
    }
    while (!line.empty() && (line.back() == ' ' || line.back() == '.')) line.pop_back();
    if (cls >= CE_Failure && self->failures_++ == 0) self->first_failure_ = line;
    if (!line.empty()) self->messages_.push_back(std::move(line));
  }
  bool pushed_ = true;
  std::vector<std::string> messages_;
  size_t failures_ = 0;
  std::string first_failure_;
};

/// Creates a transformation between two SRS; null on failure (GDAL reports why to its error handler).
inline TransformPtr make_transform(const OGRSpatialReference& from, const OGRSpatialReference& to) {
  return TransformPtr(OGRCreateCoordinateTransformation(&from, &to));
}

}  // namespace detail

/// The state behind a SceneFrame. Both SRS use the traditional GIS axis order (x = lon/east,
/// y = lat/north). The two transformations are not thread-safe: a SceneFrame (and anything that
/// uses its Impl, such as read_source) is used from one thread at a time.
struct SceneFrame::Impl {
  std::string definition;         ///< PROJ string of the frame
  OGRSpatialReference wgs84;      ///< EPSG:4326, lon/lat order
  OGRSpatialReference frame;      ///< the projected frame CRS
  detail::TransformPtr to_frame;  ///< wgs84 -> frame
  detail::TransformPtr to_wgs84;  ///< frame -> wgs84
};

}  // namespace parktwin::gis
