#pragma once
// `parktwin bench edit`: what a planner's edit costs until it is on screen.
#include <ostream>

#include "parktwin/app/app.h"

namespace parktwin::bench {

/// Prints the edit-to-frame lines (name=value): `edit_to_frame_ms`, the median latency of "move one
/// building through an edit session, update its chunks (scene::update_features), upload them
/// (Renderer::update_geometry), render and finish one offscreen 1920x1080 frame" on the default
/// scene, the same with 100k more buildings loaded (`edit_to_frame_ms_100k`), and what each edit
/// uploaded (`edit_chunks_uploaded`, `edit_upload_kb`). Returns 0, or 1 after printing why to stderr.
int print_edit_to_frame(const app::AppOptions& o, std::ostream& out);

/// `parktwin bench edit`: the machine, then the edit lines.
int run_bench_edit(const app::AppOptions& o);

}  // namespace parktwin::bench
