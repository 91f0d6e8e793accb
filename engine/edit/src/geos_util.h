#pragma once
// GEOS (C API, reentrant) for the editor: polygons in and out, owned handles. Internal to engine/edit.
#include <geos_c.h>

#include <memory>
#include <string>
#include <vector>

#include "parktwin/gis/geometry.h"

namespace parktwin::edit::geos {

/// One GEOS context per thread, with its notices and errors kept as text.
GEOSContextHandle_t ctx();
/// The last error GEOS reported on this thread ("" if none), cleared by the call.
std::string take_error();

struct GeomDeleter {
  void operator()(GEOSGeometry* g) const;
};
using Geom = std::unique_ptr<GEOSGeometry, GeomDeleter>;

/// A polygon (rings closed for GEOS); null when GEOS refuses the rings (fewer than 3 points ...).
Geom polygon(const gis::Polygon& p);
Geom line(const gis::LineString& l);
/// The polygons of a polygonal GEOS geometry (Polygon, MultiPolygon, or a collection of them);
/// rings without the closing repeat, outer counter-clockwise, holes clockwise.
std::vector<gis::Polygon> polygons(const GEOSGeometry* g);

}  // namespace parktwin::edit::geos
