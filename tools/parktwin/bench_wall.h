#pragma once

namespace parktwin::bench {
/// `parktwin bench wall [--nodes N] [--frames N] [--fps X]`: a video wall on this machine (the
/// master and N node processes of this executable on loopback, offscreen, one node killed halfway):
/// skew, barrier overhead, state size, the stitched tiles against one render of the whole wall and
/// the stall of the drop, as name=value lines after the machine and the conditions, with the bars.
/// `argv` holds the arguments after "bench wall".
int run_bench_wall(int argc, char** argv);
}  // namespace parktwin::bench
