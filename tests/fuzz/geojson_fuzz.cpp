// libFuzzer target: a GeoJSON layer file, loaded as `--layer FILE.geojson` loads it (see
// gis_fuzz_support.h). Input: the file's bytes.
#include "gis_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  parktwin::fuzz::load_as_user_layers({{"layer.geojson", data, size}}, 0, {});
  return 0;
}
