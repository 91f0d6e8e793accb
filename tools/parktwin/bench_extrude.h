#pragma once
// Throughput benchmark of footprint triangulation plus extrusion on one thread.
#include <cstddef>
#include <cstdint>

namespace parktwin::bench {

/// What one extrusion benchmark run measured (best of its repeats).
struct ExtrudeBench {
  size_t footprints;        ///< footprints extruded per repeat
  uint64_t input_vertices;  ///< footprint vertices read per repeat
  uint64_t output_vertices; ///< mesh vertices written per repeat
  uint64_t triangles;       ///< mesh triangles written per repeat
  double seconds;           ///< best repeat's wall time
  double footprints_per_s;
  double vertices_per_s;    ///< input footprint vertices per second
};

/// Generates `n_footprints` synthetic footprints (not timed), then extrudes all of them into
/// BuildingMesh chunks on the calling thread, `repeats` times; chunk storage is kept between
/// repeats so later ones measure steady-state work rather than allocation. Reports the best repeat.
ExtrudeBench run_extrude_bench(size_t n_footprints = 100000, int repeats = 5);

}  // namespace parktwin::bench
