#pragma once
#include "parktwin/app/app.h"

namespace parktwin::bench {
/// `parktwin bench flows`: frame time and CPU time with 10k and 100k animated flow arcs.
int run_bench_flows(const app::AppOptions& o);
}  // namespace parktwin::bench
