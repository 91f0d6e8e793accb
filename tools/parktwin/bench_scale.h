#pragma once
// `parktwin bench scale`: the general bench (bench_layer.h) on 100k, 1M and (with --max 10m) 10M
// generated footprints with one camera (docs/benchmarks.md).

namespace parktwin::bench {

/// `argv` is the command line after "bench scale". Returns the exit code.
int run_bench_scale(int argc, char** argv);

}  // namespace parktwin::bench
