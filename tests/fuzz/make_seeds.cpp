// Writes the binary seeds of the GIS fuzz targets from files in the repository:
//   corpus/gpkg/       GeoPackage images (no spatial index, to keep them small)
//   corpus/shapefile/  shapefiles in shapefile_fuzz.cpp's framing (u32 len + .shp, u32 len + .shx, .dbf)
//   corpus/geojson/    GeoJSON
// from tests/fixtures/footprints.geojson (polygons with a height attribute) and a few features of
// assets/parktwin.gpkg (park areas, roads, reference points).
//
// Usage: fuzz_make_seeds REPO_DIR    (writes into REPO_DIR/tests/fuzz/corpus/, replacing those seeds)
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <gdal_priv.h>
#include <gdal_utils.h>

namespace fs = std::filesystem;

namespace {

struct Source {
  std::string name;   ///< the seed's file name, without extension
  std::string path;   ///< repository-relative source
  std::vector<std::string> layers;  ///< layers to take ("" = all)
  int limit = 0;      ///< features per layer, 0 = all
};

bool translate(const std::string& src, const std::string& dst, const std::vector<std::string>& args) {
  GDALDatasetH in = GDALOpenEx(src.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
  if (in == nullptr) {
    std::cerr << "fuzz_make_seeds: cannot open " << src << "\n";
    return false;
  }
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  GDALVectorTranslateOptions* opt = GDALVectorTranslateOptionsNew(argv.data(), nullptr);
  int usage_error = 0;
  GDALDatasetH out = GDALVectorTranslate(dst.c_str(), nullptr, 1, &in, opt, &usage_error);
  GDALVectorTranslateOptionsFree(opt);
  const bool ok = out != nullptr && !usage_error;
  if (out != nullptr) GDALClose(out);
  GDALClose(in);
  if (!ok) std::cerr << "fuzz_make_seeds: cannot write " << dst << " from " << src << "\n";
  return ok;
}

std::vector<char> slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void put_u32(std::vector<char>& out, size_t n) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
}

bool write(const fs::path& p, const std::vector<char>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

std::vector<std::string> common_args(const Source& s) {
  std::vector<std::string> a;
  if (s.limit > 0) a.insert(a.end(), {"-limit", std::to_string(s.limit)});
  for (const std::string& l : s.layers) a.push_back(l);
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_seeds REPO_DIR\n";
    return 2;
  }
  GDALAllRegister();
  CPLSetConfigOption("OGR_CURRENT_DATE", "2026-01-01T00:00:00Z");  // the same bytes on every run
  const fs::path repo = argv[1];
  const fs::path corpus = repo / "tests/fuzz/corpus";
  const fs::path tmp = fs::temp_directory_path() / "parktwin_fuzz_seeds";
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  for (const char* d : {"gpkg", "shapefile", "geojson"}) fs::create_directories(corpus / d);

  const std::vector<Source> sources = {
      {"footprints", "tests/fixtures/footprints.geojson", {}, 0},
      {"parks", "assets/parktwin.gpkg", {"parks"}, 0},
      {"roads", "assets/parktwin.gpkg", {"roads"}, 6},
      {"reference_points", "assets/parktwin.gpkg", {"reference_points"}, 6},
  };
  bool ok = true;
  for (const Source& s : sources) {
    const std::string src = (repo / s.path).string();
    // GeoPackage, without the R-tree tables (a quarter of a small file).
    std::vector<std::string> gpkg = {"-f", "GPKG", "-lco", "SPATIAL_INDEX=NO"};
    for (const std::string& a : common_args(s)) gpkg.push_back(a);
    const fs::path gpkg_out = corpus / "gpkg" / (s.name + ".gpkg");
    fs::remove(gpkg_out);
    ok &= translate(src, gpkg_out.string(), gpkg);

    // Shapefile in WGS84 (the fuzz target declares EPSG:4326), framed into one input.
    std::vector<std::string> shp = {"-f", "ESRI Shapefile", "-t_srs", "EPSG:4326", "-nln", s.name};
    for (const std::string& a : common_args(s)) shp.push_back(a);
    const fs::path shp_dir = tmp / s.name;
    ok &= translate(src, shp_dir.string(), shp);
    std::vector<char> framed;
    for (const char* ext : {".shp", ".shx"}) {
      const std::vector<char> part = slurp(shp_dir / (s.name + ext));
      put_u32(framed, part.size());
      framed.insert(framed.end(), part.begin(), part.end());
    }
    const std::vector<char> dbf = slurp(shp_dir / (s.name + ".dbf"));
    framed.insert(framed.end(), dbf.begin(), dbf.end());
    ok &= write(corpus / "shapefile" / (s.name + ".shpf"), framed);

    // GeoJSON of what is not GeoJSON in the repository already.
    if (s.path.find(".geojson") == std::string::npos) {
      std::vector<std::string> gj = {"-f", "GeoJSON", "-t_srs", "EPSG:4326", "-lco", "COORDINATE_PRECISION=7"};
      for (const std::string& a : common_args(s)) gj.push_back(a);
      const fs::path gj_out = corpus / "geojson" / (s.name + ".geojson");
      fs::remove(gj_out);
      ok &= translate(src, gj_out.string(), gj);
    }
  }
  fs::remove_all(tmp);
  if (!ok) return 1;
  std::cout << "seeds written under " << corpus.string() << "\n";
  return 0;
}
