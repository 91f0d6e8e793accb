#pragma once
// `parktwin bench --layer FILE`: what any OGR layer costs from a cold process to its first frame
// and per steady frame (docs/benchmarks.md).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "parktwin/gis/result.h"

namespace parktwin::bench {

struct LayerBenchOptions {
  std::string layer;        ///< any OGR source
  std::string height_attr;  ///< attribute with the height in metres ("" = auto: height_m, height, ...)
  std::string look;         ///< LON,LAT,DIST[,HEADING,PITCH]; "" = fit the layer
  uint32_t width = 1920, height = 1080;
  int frames = 30;          ///< steady frames timed (after 3 untimed)
  uint32_t msaa = 4;
  std::string tile_cache;   ///< tile cache directory ("" = none: a cold read of the source)
  bool lods = true;         ///< build levels of detail after the last tile (as the viewer does) before
                            ///< the steady frames; false: full detail everywhere
  bool warm_up = true;      ///< the renderer's warm-up (RendererOptions::warm_up) while the layer loads, as the viewer
  int worker_nice = -1;     ///< the stream workers' StreamOptions::worker_nice (-1: its default, as the viewer)
  int64_t stream_ahead_mb = -1;  ///< StreamOptions::ahead_bytes in MiB (0: no limit; -1: its default, as the viewer)
  bool head_start = true;   ///< StreamOptions::head_start_bytes at its default (as the viewer); false: 0
  bool outlines_later = true;  ///< RendererOptions::outlines_after_first_frame (as the viewer); false: --first-frame-outlines
  bool first_frame_hold = true;  ///< StreamOptions::first_frame_hold_s at its default (as the viewer); false: 0
  /// Building meshes kept nearest to the camera within this many MiB (scene::MeshResidency, the
  /// viewer's --mesh-budget-mb); 0: every mesh. With it the bench also moves the camera to the far
  /// side of the layer and times how long the meshes there take to come back.
  uint64_t mesh_budget_mb = 0;
};

/// name=value figures, in the order they are printed.
using Figures = std::vector<std::pair<std::string, std::string>>;

/// Runs the bench in a fresh process (this executable, re-executed with a hidden --bench-child) so
/// dynamic loading, Vulkan start-up, loading, triangulation and pipeline creation all count in
/// first_frame_s, and returns its figures. Fails when the child cannot start or reports an error.
gis::Result<Figures> measure_layer(const LayerBenchOptions& o);

/// The machine and the time's conditions as name=value lines (CPU, cores, load average).
void print_machine();

/// `parktwin bench --layer FILE [...]`: `argv` is the command line after "bench". Also runs the
/// child side when --bench-child is given. Returns the exit code.
int run_bench_layer(int argc, char** argv);

/// Parses WIDTHxHEIGHT (each side 1..16384); false when it is not one.
bool parse_size(const std::string& s, uint32_t& w, uint32_t& h);

}  // namespace parktwin::bench
