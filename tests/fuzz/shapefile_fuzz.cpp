// libFuzzer target: a shapefile, loaded as `--layer FILE.shp --crs EPSG:4326` loads it (see
// gis_fuzz_support.h). A shapefile is three files, so the input is framed:
//
//   u32 n_shp (little endian) | n_shp bytes of .shp | u32 n_shx | n_shx bytes of .shx | the rest: .dbf
//
// A length beyond what is left takes what is left (so every input means something). There is no
// .prj: the CRS comes from the declared one, as for a shapefile delivered without it.
#include <algorithm>
#include <vector>

#include "gis_fuzz_support.h"

namespace {

// Takes a length-prefixed part off the front of [data, data + size).
parktwin::fuzz::MemFile take_part(const char* name, const uint8_t*& data, size_t& size) {
  uint32_t n = 0;
  for (size_t i = 0; i < 4 && i < size; ++i) n |= static_cast<uint32_t>(data[i]) << (8 * i);
  const size_t header = std::min<size_t>(4, size);
  data += header;
  size -= header;
  const size_t len = std::min<size_t>(n, size);
  parktwin::fuzz::MemFile f{name, data, len};
  data += len;
  size -= len;
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<parktwin::fuzz::MemFile> files;
  files.push_back(take_part("layer.shp", data, size));
  files.push_back(take_part("layer.shx", data, size));
  files.push_back({"layer.dbf", data, size});
  parktwin::scene::LoadOptions options;
  options.read.declared_crs = "EPSG:4326";
  parktwin::fuzz::load_as_user_layers(files, 0, options);
  return 0;
}
