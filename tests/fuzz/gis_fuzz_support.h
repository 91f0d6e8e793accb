#pragma once
// The common part of the GIS fuzz targets: the input's files are put into GDAL's in-memory file
// system (/vsimem/, local memory, not a network source) and loaded the way `--layer FILE` loads
// them, through scene::add_user_layers: read_source (open, CRS, range checks, GEOS repair,
// reprojection into the scene frame), then the kind guess, triangulation and extrusion.
//
// Beyond "no crash, no UB, no leak, no hang" it checks what the loader promises:
//   - every feature read is either kept or skipped under exactly one reason;
//   - every kept coordinate is finite and within ReadOptions::max_distance_m of the frame origin;
//   - every mesh index names a vertex of its mesh (the renderer trusts them).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>

#include "parktwin/gis/frame.h"
#include "parktwin/scene/scene.h"

namespace parktwin::fuzz {

/// One file of an input, by its name under the input's /vsimem/ directory.
struct MemFile {
  std::string name;
  const uint8_t* data = nullptr;
  size_t size = 0;
};


template <typename Mesh>
void check_mesh(const Mesh& m) {
  for (uint32_t i : m.indices)
    if (i >= m.vertices.size()) std::abort();
  for (uint32_t i : m.edge_indices)
    if (i >= m.vertices.size()) std::abort();
}

inline void check_layer(const scene::Layer& layer, const gis::ReadOptions& read) {
  const gis::LoadReport& r = layer.data.report;
  if (r.read != r.kept + r.skipped_total() || static_cast<size_t>(r.kept) != layer.data.features.size())
    std::abort();
  auto check_point = [&](const glm::dvec2& p) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y) || std::hypot(p.x, p.y) > read.max_distance_m) std::abort();
  };
  for (const gis::Feature& f : layer.data.features) {
    for (const auto& p : f.geom.points) check_point(p);
    for (const auto& line : f.geom.lines)
      for (const auto& p : line) check_point(p);
    for (const auto& poly : f.geom.polygons) {
      for (const auto& p : poly.outer) check_point(p);
      for (const auto& hole : poly.holes)
        for (const auto& p : hole) check_point(p);
    }
  }
  for (const scene::GroundChunk& c : layer.ground) {
    check_mesh(c.fill);
    check_mesh(c.lines);
  }
  for (const scene::BuildingChunk& c : layer.building_chunks) check_mesh(c.mesh);
}

/// Writes the files under a fresh /vsimem/ directory, loads `files[main]` as user layers into a
/// scene of the default frame, checks the result and removes the files again.
inline void load_as_user_layers(const std::vector<MemFile>& files, size_t main, const scene::LoadOptions& options) {
  const std::string dir = "/vsimem/parktwin_fuzz/";
  for (const MemFile& f : files) {
    // bTakeOwnership = FALSE: GDAL reads the fuzzer's buffer in place; the files are unlinked below.
    VSILFILE* fp = VSIFileFromMemBuffer((dir + f.name).c_str(), const_cast<GByte*>(f.data),
                                        static_cast<vsi_l_offset>(f.size), FALSE);
    if (fp == nullptr) std::abort();
    VSIFCloseL(fp);
  }
  {
    scene::Scene scene(gis::SceneFrame::jiangxi());
    auto added = scene::add_user_layers(scene, dir + files[main].name, options);
    if (added)
      for (const scene::Layer& layer : scene.layers) check_layer(layer, options.read);
  }
  // Whatever the drivers created beside the input (a GeoPackage's -wal or -shm, say) goes too.
  VSIRmdirRecursive(dir.c_str());
}

}  // namespace parktwin::fuzz

// libFuzzer calls this once before the first input. Defined here, so this header belongs in one
// source file per fuzz executable (each target is one file).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  CPLSetErrorHandler(CPLQuietErrorHandler);  // what the loader does not capture is of no interest here
  // Nothing written beside the input's own files (.aux.xml).
  CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");
  return 0;
}
