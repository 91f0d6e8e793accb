#pragma once

namespace parktwin::bench {
/// `parktwin bench soak --minutes N [--speed X] [--history FILE]`: the viewer's frame loop offscreen
/// for N minutes (simulator, history, flows, labels, panels); prints memory growth, frames and errors
/// as name=value lines after the machine and the conditions.
int run_bench_soak(int argc, char** argv);
}  // namespace parktwin::bench
