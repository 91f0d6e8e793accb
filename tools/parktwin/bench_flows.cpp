// `parktwin bench flows`: the default scene plus N synthetic supply links between random
// enterprises (seeded), animated, seen from a park and from the province. Prints name=value lines.
// The arcs are culled and binned by size on the GPU, so the CPU's cost per frame should not grow
// with N; the frame time grows only with the arcs that are actually drawn.
#include "bench_flows.h"
#include "bench_util.h"

#include "parktwin/scene/chains.h"
#include "parktwin/scene/frame_snapshot.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <sstream>

namespace parktwin::bench {

int run_bench_flows(const app::AppOptions& opt) {
  std::ostringstream quiet;
  auto scene = app::load_scene(opt, quiet);
  if (!scene) {
    std::cerr << "parktwin bench flows: " << scene.error().message << "\n";
    return 1;
  }
  auto still = app::StillRenderer::create(**scene, opt);
  if (!still) {
    std::cerr << "parktwin bench flows: " << still.error().message << "\n";
    return 1;
  }
  render::Renderer& r = (*still)->renderer();
  const uint32_t W = 1920, H = 1080;
  const auto& info = r.device_info();
  std::cout << "device=" << info.name << " (" << info.type << ")\n";
  std::cout << "conditions=offscreen " << W << "x" << H << ", MSAA " << info.msaa
            << "x, default scene plus N random links between its 241 enterprises (seed 1269), dashes animated, "
               "median of 10 frames after 16 (shader compilation, the value cut settling), the stills' fixed budget "
               "of about 4000 arcs; flows_100k_adaptive_*: the window's budget, which follows the measured GPU time "
               "(target 33 ms), median of 10 frames after 60, not read back; _in_view: the arcs drawn with no cut; _gpu_ms: "
               "timestamps, of which _cull_gpu_ms the flows' culling dispatch and _ribbons_gpu_ms their ribbons (each "
               "from the end of the work before it to the end of its own)\n";
  for (size_t n : {size_t(0), size_t(10000), size_t(100000)}) {
    scene::replace_with_random_links(**scene, n, 1269);
    if (auto up = r.upload_scene(**scene); !up) {
      std::cerr << "parktwin bench flows: " << up.error().message << "\n";
      return 1;
    }
    for (const char* view : {"nanchang", "province"}) {
      auto cam = app::view_camera(**scene, view, double(W) / H);
      std::vector<double> frame, cpu, gpu, cull, ribbons;
      for (int i = 0; i < 26; ++i) {
        const auto t = Clock::now();
        auto img = (*still)->render(**scene, *cam, W, H, "", false);
        if (!img) {
          std::cerr << "parktwin bench flows: " << img.error().message << "\n";
          return 1;
        }
        if (i >= 16) {  // the first frames pay shader compilation and settle the value cut (stills: about 16)
          frame.push_back(ms_since(t));
          cpu.push_back(r.stats().record_cpu_ms);
          gpu.push_back(r.stats().gpu_ms);
          cull.push_back(r.stats().flows_cull_gpu_ms);
          ribbons.push_back(r.stats().flows_ribbons_gpu_ms);
        }
      }
      const std::string tag = n == 0 ? "flows_0" : n == 10000 ? "flows_10k" : "flows_100k";
      const std::string suffix = std::string(view) == "nanchang" ? "" : "_province";
      std::cout << tag << "_frame_ms" << suffix << "=" << median(frame) << "\n";
      std::cout << tag << "_cpu_ms" << suffix << "=" << median(cpu) << "\n";
      std::cout << tag << "_gpu_ms" << suffix << "=" << median(gpu) << "\n";
      std::cout << tag << "_cull_gpu_ms" << suffix << "=" << median(cull) << "\n";
      std::cout << tag << "_ribbons_gpu_ms" << suffix << "=" << median(ribbons) << "\n";
      std::cout << tag << "_drawn" << suffix << "=" << r.stats().flows_drawn << "\n";
      std::cout << tag << "_min_value_yuan" << suffix << "=" << r.stats().flows_min_value_yuan << "\n";
    }
  }
  // The 100k links again under the window's policy: a device that draws its frames well under the
  // target lets the budget grow until no arc is held back; a slow one gives the smallest arcs up.
  scene::FrameSnapshotBuilder snapshots;
  // One offscreen frame, not read back; `min_value`: a cut decided for the whole picture.
  auto draw = [&](const scene::Camera& cam, bool adaptive, std::optional<double> min_value) {
    const auto snap = snapshots.build(**scene, cam, 0.0, min_value);
    render::FrameInput in;
    in.frame = snap.get();
    in.read_back = false;
    in.adaptive_flow_budget = adaptive;
    auto img = r.render_offscreen(in, W, H);
    if (!img) std::cerr << "parktwin bench flows: " << img.error().message << "\n";
    return img.ok();
  };
  for (const char* view : {"nanchang", "province"}) {
    auto cam = app::view_camera(**scene, view, double(W) / H);
    std::vector<double> frame, gpu, cull, ribbons;
    for (int i = 0; i < 70; ++i) {  // from the stills' cut to the window's budget, then 10 measured
      const auto t = Clock::now();
      if (!draw(*cam, true, std::nullopt)) return 1;
      if (i >= 60) {
        frame.push_back(ms_since(t));
        gpu.push_back(r.stats().gpu_ms);
        cull.push_back(r.stats().flows_cull_gpu_ms);
        ribbons.push_back(r.stats().flows_ribbons_gpu_ms);
      }
    }
    const auto st = r.stats();
    // The arcs in view with no cut: three frames with the cut set to nothing for the picture (the
    // counts arrive a frame late; such frames leave the budget's cut as it was).
    for (int i = 0; i < 3; ++i)
      if (!draw(*cam, false, 0.0)) return 1;
    const uint32_t in_view = r.stats().flows_drawn;
    const std::string suffix = std::string(view) == "nanchang" ? "" : "_province";
    std::cout << "flows_100k_adaptive_frame_ms" << suffix << "=" << median(frame) << "\n";
    std::cout << "flows_100k_adaptive_gpu_ms" << suffix << "=" << median(gpu) << "\n";
    // Of the GPU time: the culling dispatch (every arc, in one workgroup to keep their order) and
    // the ribbons (the arcs drawn).
    std::cout << "flows_100k_adaptive_cull_gpu_ms" << suffix << "=" << median(cull) << "\n";
    std::cout << "flows_100k_adaptive_ribbons_gpu_ms" << suffix << "=" << median(ribbons) << "\n";
    std::cout << "flows_100k_adaptive_drawn" << suffix << "=" << st.flows_drawn << "\n";
    std::cout << "flows_100k_adaptive_budget" << suffix << "=" << st.flows_budget << "\n";
    std::cout << "flows_100k_adaptive_min_value_yuan" << suffix << "=" << st.flows_min_value_yuan << "\n";
    std::cout << "flows_100k_adaptive_in_view" << suffix << "=" << in_view << "\n";
    // Held back: the cut, not the view, limited the arcs (the smallest by value gave way).
    std::cout << "flows_100k_adaptive_held_back" << suffix << "=" << (st.flows_drawn < in_view ? "yes" : "no")
              << "\n";
  }
  return 0;
}

}  // namespace parktwin::bench
