#pragma once
// `parktwin bench ingest`: MQTT ingest throughput and latency through a real broker.
namespace parktwin::bench {
/// Runs the ingest benchmark with the words after "bench ingest"; prints name=value lines.
int run_bench_ingest(int argc, char** argv);
}  // namespace parktwin::bench
