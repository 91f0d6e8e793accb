#pragma once
// The save and crash-safety figures of `parktwin bench edit` (docs/editing.md):
//   save_1000_features_gpkg_ms   median time to save 1,000 moved buildings to a GeoPackage
//   crash_runs, crash_corrupt, crash_lost_edits, crash_killed_during_save
//                                `parktwin edit --save` processes killed with SIGKILL at random
//                                moments (half of them while saving), then recovered from their
//                                journal; each file checked with SQLite's integrity check and
//                                feature by feature.
#include <ostream>
#include <string>

namespace parktwin::bench {

struct CrashOptions {
  int runs = 100;
  unsigned seed = 1;
  std::string scratch;  ///< folder for the copies (default: a temporary one)
  bool verbose = false;
};

/// Prints save_1000_features_gpkg_ms lines; returns false when the save failed.
bool bench_save_1000(std::ostream& out);
/// Runs the crash loop and prints its lines; returns false when a file was corrupt or an acknowledged
/// edit was lost (or the loop could not run).
bool bench_crash(const CrashOptions& o, std::ostream& out);

}  // namespace parktwin::bench

namespace parktwin::bench {
/// `parktwin bench edit [--crash-runs N] [--seed N] [--only frame|save|crash]`: the edit-to-frame lines
/// (bench_edit.h), then these.
int run_bench_edit_durability(int argc, char** argv);
}  // namespace parktwin::bench
