#pragma once
// KML tours (gx:Tour, the Google Earth touring extension of KML 2.2) in and out of ParkTwin tours.
// The subset read and written is documented in docs/tours.md: gx:FlyTo with a LookAt or a Camera,
// gx:Wait and gx:TourControl pause. Whatever else a playlist holds is named in the warnings and
// skipped, never dropped silently.
#include <string>
#include <string_view>
#include <vector>

#include "parktwin/gis/frame.h"
#include "parktwin/gis/result.h"
#include "parktwin/scene/tour.h"

namespace parktwin::scene {

inline constexpr const char* kKmlNamespace = "http://www.opengis.net/kml/2.2";
inline constexpr const char* kKmlGxNamespace = "http://www.google.com/kml/ext/2.2";

struct KmlTourImport {
  Tour tour;
  std::vector<std::string> warnings;  ///< what was skipped or approximated, one line each
};

/// The first gx:Tour of a KML document. A Camera's eye is turned into the ground point it looks
/// at over flat ground (in `frame`): offset altitude·tan(tilt) along the heading, distance
/// altitude / cos(tilt), pitch 90 − tilt; a LookAt maps directly (distance = range, pitch =
/// 90 − tilt). Fails on XML that does not parse, a document without gx:Tour, and views that
/// cannot be placed (a Camera looking at or above the horizon, a non-positive range or altitude).
gis::Result<KmlTourImport> import_kml_tour(std::string_view kml_text, const gis::SceneFrame& frame);
/// Reads a .kml file and imports its tour (the message names the file).
gis::Result<KmlTourImport> read_kml_tour(const std::string& path, const gis::SceneFrame& frame);

struct KmlTourExport {
  std::string kml;                    ///< a KML 2.2 document with the gx namespace
  std::vector<std::string> warnings;  ///< steps KML cannot carry (captions, highlights, moments)
};

/// A KML document holding the tour as one gx:Tour: flights as gx:FlyTo with a LookAt, waits as
/// gx:Wait, pauses as gx:TourControl. It re-imports to the same flights, waits and pauses; the
/// field of view has no place in a LookAt and comes back as GeoCamera's default.
KmlTourExport export_kml_tour(const Tour& tour);

}  // namespace parktwin::scene
