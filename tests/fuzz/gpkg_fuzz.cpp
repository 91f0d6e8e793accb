// libFuzzer target: a GeoPackage file image, loaded as `--layer FILE.gpkg` loads it (see
// gis_fuzz_support.h). Input: the file's bytes (SQLite pages). GDAL reads it through its own
// SQLite VFS on /vsimem/.
#include "gis_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  parktwin::fuzz::load_as_user_layers({{"layer.gpkg", data, size}}, 0, {});
  return 0;
}
