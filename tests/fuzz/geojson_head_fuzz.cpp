// libFuzzer target: the scan that finds where a GeoJSON's first N features end, for the head start
// of big layers (gis/src/geojson_head.h; docs/streaming.md). Input: the first byte picks N (1 to
// 8), the rest is the start of a file.
//
// Beyond "no crash, no UB, no hang" it checks, by another parser (GDAL's JSON reader, json-c):
// where the scan cuts, the cut lies inside the text right after a closing brace, and when the
// text up to the cut with "]}" appended is valid JSON, its top-level "features" array holds
// exactly N elements, all of them objects.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <cpl_error.h>
#include <cpl_json.h>

#include "geojson_head.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t n = 1 + data[0] % 8;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto cut = parktwin::gis::detail::geojson_head_cut(text, n);
  if (!cut) return 0;
  if (*cut == 0 || *cut > text.size() || text[*cut - 1] != '}') std::abort();
  CPLPushErrorHandler(CPLQuietErrorHandler);
  CPLJSONDocument doc;
  const std::string head = text.substr(0, *cut) + "]}";
  const bool parsed = doc.LoadMemory(head);
  CPLPopErrorHandler();
  if (!parsed || doc.GetRoot().GetType() != CPLJSONObject::Type::Object) return 0;
  const CPLJSONArray features = doc.GetRoot().GetArray("features");
  if (!features.IsValid() || features.Size() != static_cast<int>(n)) std::abort();
  for (int i = 0; i < features.Size(); ++i)
    if (features[i].GetType() != CPLJSONObject::Type::Object) std::abort();
  return 0;
}
