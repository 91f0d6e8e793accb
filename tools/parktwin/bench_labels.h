#pragma once
#include "parktwin/app/app.h"

namespace parktwin::bench {
/// `parktwin bench labels`: label declutter cost (10k candidates in a park view at 1920x1080), as
/// name=value lines after the machine and the conditions. Each measurement is one section.
int run_bench_labels(const app::AppOptions& o);
}  // namespace parktwin::bench
