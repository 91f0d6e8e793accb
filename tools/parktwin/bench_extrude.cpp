#include "bench_extrude.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <vector>

#include "parktwin/gis/extrude.h"
#include "parktwin/gis/synthetic.h"

namespace parktwin::bench {

namespace {
/// Footprints per mesh chunk: a few thousand keeps each chunk's buffers a few MiB.
constexpr size_t kChunk = 4096;
}  // namespace

ExtrudeBench run_extrude_bench(size_t n_footprints, int repeats) {
  const std::vector<gis::Polygon> footprints = gis::synthetic_footprints(n_footprints, 0x5eedULL);
  const size_t n_chunks = (footprints.size() + kChunk - 1) / kChunk;
  std::vector<gis::BuildingMesh> chunks(n_chunks);
  for (size_t c = 0; c < n_chunks; ++c) {
    const gis::Polygon& first = footprints[c * kChunk];
    chunks[c].origin = first.outer.empty() ? glm::dvec2{0.0} : first.outer.front();
  }

  ExtrudeBench r{};
  r.footprints = footprints.size();
  r.seconds = std::numeric_limits<double>::infinity();
  gis::Extruder extruder;
  for (int rep = 0; rep < std::max(1, repeats); ++rep) {
    const uint64_t seen0 = extruder.input_vertices();
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t c = 0; c < n_chunks; ++c) {
      gis::BuildingMesh& mesh = chunks[c];
      mesh.clear();
      const size_t end = std::min(footprints.size(), (c + 1) * kChunk);
      for (size_t k = c * kChunk; k < end; ++k) extruder.add(footprints[k], static_cast<uint32_t>(k), mesh);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.seconds = std::min(r.seconds, s);
    r.input_vertices = extruder.input_vertices() - seen0;
  }
  for (const gis::BuildingMesh& m : chunks) {
    r.output_vertices += m.vertices.size();
    r.triangles += m.indices.size() / 3;
  }
  r.footprints_per_s = r.seconds > 0 ? static_cast<double>(r.footprints) / r.seconds : 0.0;
  r.vertices_per_s = r.seconds > 0 ? static_cast<double>(r.input_vertices) / r.seconds : 0.0;
  return r;
}

}  // namespace parktwin::bench
