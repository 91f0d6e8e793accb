// libFuzzer target: the scan that gives a big GeoJSON's extent before GDAL has parsed it, for the
// "fit" view of a streamed layer (gis/src/geojson_extent.h; docs/streaming.md). Input: a document.
//
// Beyond "no crash, no UB, no hang" it checks, by another parser (GDAL's JSON reader, json-c):
// where the scan gives an extent and json-c reads the same text, walking json-c's tree (the
// top-level "features", each feature's "geometry", GeometryCollections' "geometries", every array
// under "coordinates" with two numbers or more) counts the same positions and the same box.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <cpl_error.h>
#include <cpl_json.h>

#include "geojson_extent.h"

namespace {

struct Box {
  double min_x = 0, min_y = 0, max_x = 0, max_y = 0;
  uint64_t positions = 0;
  bool huge = false;  // an integer json-c cannot hold: the two readers may disagree on its value
  void add(double x, double y) {
    if (positions++ == 0) {
      min_x = max_x = x, min_y = max_y = y;
      return;
    }
    min_x = std::min(min_x, x), max_x = std::max(max_x, x), min_y = std::min(min_y, y), max_y = std::max(max_y, y);
  }
};

bool number(const CPLJSONObject& o, double& v, Box& box) {
  switch (o.GetType()) {
    case CPLJSONObject::Type::Integer: v = o.ToInteger(); return true;
    case CPLJSONObject::Type::Long: {
      const int64_t l = o.ToLong();
      if (l > (int64_t{1} << 62) || l < -(int64_t{1} << 62)) box.huge = true;
      v = static_cast<double>(l);
      return true;
    }
    case CPLJSONObject::Type::Double: v = o.ToDouble(); return true;
    default: return false;
  }
}

void coords(const CPLJSONObject& o, Box& box) {
  if (o.GetType() != CPLJSONObject::Type::Array) return;
  const CPLJSONArray a = o.ToArray();
  double xy[2] = {0, 0};
  int n = 0;
  for (int i = 0; i < a.Size(); ++i) {
    double v = 0;
    if (number(a[i], v, box)) {
      if (n < 2) xy[n] = v;
      ++n;
    } else {
      coords(a[i], box);
    }
  }
  if (n >= 2) box.add(xy[0], xy[1]);
}

void geometry(const CPLJSONObject& g, Box& box, int depth) {
  if (g.GetType() != CPLJSONObject::Type::Object || depth > 300) return;
  const CPLJSONObject c = g.GetObj("coordinates");
  if (c.IsValid()) coords(c, box);
  const CPLJSONObject gs = g.GetObj("geometries");
  if (gs.IsValid() && gs.GetType() == CPLJSONObject::Type::Array) {
    const CPLJSONArray a = gs.ToArray();
    for (int i = 0; i < a.Size(); ++i) geometry(a[i], box, depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto got = parktwin::gis::detail::geojson_extent_of_text(text);
  if (!got) return 0;
  if (got->positions == 0 || !(got->min_x <= got->max_x) || !(got->min_y <= got->max_y) || !std::isfinite(got->min_x) ||
      !std::isfinite(got->max_x) || !std::isfinite(got->min_y) || !std::isfinite(got->max_y))
    std::abort();
  if (std::memchr(text.data(), '\0', text.size()) != nullptr) return 0;
  CPLPushErrorHandler(CPLQuietErrorHandler);
  CPLJSONDocument doc;
  const bool parsed = doc.LoadMemory(text);
  CPLPopErrorHandler();
  if (!parsed || doc.GetRoot().GetType() != CPLJSONObject::Type::Object) return 0;
  const CPLJSONObject features = doc.GetRoot().GetObj("features");
  if (!features.IsValid() || features.GetType() != CPLJSONObject::Type::Array) std::abort();
  Box box;
  const CPLJSONArray fs = features.ToArray();
  for (int i = 0; i < fs.Size(); ++i)
    if (fs[i].GetType() == CPLJSONObject::Type::Object) geometry(fs[i].GetObj("geometry"), box, 0);
  if (box.huge) return 0;
  if (box.positions != got->positions || box.min_x != got->min_x || box.max_x != got->max_x ||
      box.min_y != got->min_y || box.max_y != got->max_y)
    std::abort();
  return 0;
}
