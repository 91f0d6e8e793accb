#pragma once
#include "parktwin/app/app.h"

namespace parktwin::bench {
/// `parktwin bench`: prints name=value lines describing what was measured and where. Returns the exit code.
int run_bench(const app::AppOptions& o);
}  // namespace parktwin::bench
