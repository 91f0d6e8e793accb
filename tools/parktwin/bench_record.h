#pragma once
#include "parktwin/app/app.h"

namespace parktwin::bench {
/// `parktwin bench record`: frames per second that `parktwin record` achieves on the province tour
/// at 1920x1080 and 3840x2160, once writing PNG frames and once H.264/MP4 (render, read back,
/// encode and write), as name=value lines after the machine and the conditions.
int run_bench_record(const app::AppOptions& o);
}  // namespace parktwin::bench
