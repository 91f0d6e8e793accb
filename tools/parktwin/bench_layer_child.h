#pragma once
// The child side of `parktwin bench --layer` (bench_layer.cpp re-executes this binary with the
// hidden --bench-child): it loads the layer, creates the renderer, uploads, renders the first
// offscreen frame and then the steady ones, and prints raw figures (CLOCK_MONOTONIC stamps
// included) for the parent to turn into name=value lines.
#include "bench_layer.h"

namespace parktwin::bench::layer_child {

/// Frames drawn and not timed before the steady ones.
inline constexpr int kWarmupFrames = 3;

/// Measures `o` in this process and prints the raw figures on stdout; returns the exit code.
int run_child(const LayerBenchOptions& o);

}  // namespace parktwin::bench::layer_child
