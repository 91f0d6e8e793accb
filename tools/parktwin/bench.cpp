// `parktwin bench`: what the default scene costs on this machine. Prints name=value lines with the
// machine and conditions first; it asserts nothing (speed goals are read off these lines).
#include "bench.h"
#include "bench_util.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include "bench_extrude.h"
#include "parktwin/app/live_hub.h"
#include "parktwin/ui/panels.h"

namespace parktwin::bench {
namespace {





}  // namespace

int run_bench(const app::AppOptions& opt) {
  std::cout << "machine_cpu=" << cpu_model() << "\n";
  std::cout << "machine_cores=" << std::thread::hardware_concurrency() << "\n";

  // 1. Load to first frame: dataset read, meshes built, device up, uploaded, one 1920x1080 frame done.
  const auto t0 = Clock::now();
  int failures = 0;
  std::ostringstream quiet;
  auto scene = app::load_scene(opt, quiet, &failures);
  if (!scene) {
    std::cerr << "parktwin bench: " << scene.error().message << "\n" << quiet.str();
    return 1;
  }
  const double load_ms = ms_since(t0);
  app::AppOptions ro = opt;
  auto still = app::StillRenderer::create(**scene, ro);
  if (!still) {
    std::cerr << "parktwin bench: " << still.error().message << "\n";
    return 1;
  }
  const uint32_t W = 1920, H = 1080;
  const double aspect = static_cast<double>(W) / H;
  auto first = (*still)->render(**scene, *app::view_camera(**scene, "province", aspect), W, H, "", false);
  if (!first) {
    std::cerr << "parktwin bench: " << first.error().message << "\n";
    return 1;
  }
  const double first_frame_s = ms_since(t0) / 1000.0;
  render::Renderer& r = (*still)->renderer();
  const auto& info = r.device_info();
  std::cout << "device=" << info.name << " (" << info.type << ", Vulkan " << info.api_version << ")\n";
  std::cout << "conditions=Release build, offscreen " << W << "x" << H << ", MSAA " << info.msaa
            << "x, no readback in frame timings, default dataset\n";
  std::cout << "scene_buildings=" << (*scene)->buildings.size() << "\n";
  std::cout << "scene_features=" << (*scene)->feature_count() << "\n";
  std::cout << "dataset_load_ms=" << load_ms << "\n";
  std::cout << "load_to_first_frame_s=" << first_frame_s << "\n";

  // 2. Triangulation + extrusion throughput, one thread, 100k synthetic footprints.
  const ExtrudeBench ex = run_extrude_bench(100000, 5);
  std::cout << "extrude_footprints=" << ex.footprints << "\n";
  std::cout << "extrude_input_vertices=" << ex.input_vertices << "\n";
  std::cout << "extrude_footprints_per_s=" << ex.footprints_per_s << "\n";
  std::cout << "extrude_vertices_per_s=" << ex.vertices_per_s << "\n";
  std::cout << "extrude_output_vertices_per_s=" << static_cast<double>(ex.output_vertices) / ex.seconds << "\n";

  // 3. Frame times per view.
  std::vector<double> cpu_all;
  for (const char* view : {"province", "nanchang", "yingtan", "yichun"}) {
    auto cam = app::view_camera(**scene, view, aspect);
    if (!cam) continue;
    std::vector<double> frame_ms;
    for (int i = 0; i < 12; ++i) {
      const auto tf = Clock::now();
      auto img = (*still)->render(**scene, *cam, W, H, "", false);
      const double ms = ms_since(tf);
      if (!img) {
        std::cerr << "parktwin bench: " << img.error().message << "\n";
        return 1;
      }
      if (i >= 2) {  // the first frames pay shader compilation
        frame_ms.push_back(ms);
        cpu_all.push_back(r.stats().record_cpu_ms);
      }
    }
    std::cout << "frame_ms_" << view << "=" << median(frame_ms) << "\n";
    std::cout << "frame_triangles_" << view << "=" << r.stats().triangles << "\n";
    std::cout << "frame_draw_calls_" << view << "=" << r.stats().draw_calls << "\n";
  }
  std::cout << "frame_cpu_ms=" << median(cpu_all) << "\n";

  // 3b. The same with the viewer's panels built and drawn (ImGui CPU work + recording).
  {
    ui::PanelState panels;
    ui::FrameInfo fi;
    std::vector<scene::Command> cmds;
    auto cam = app::view_camera(**scene, "nanchang", aspect);
    std::vector<double> cpu;
    for (int i = 0; i < 12; ++i) {
      auto img = (*still)->render(**scene, *cam, W, H, "", false, [&] {
        fi.camera = *cam;
        ui::draw_park_labels(**scene, *cam);
        ui::draw_panels(**scene, fi, panels, cmds);
      });
      if (i >= 2) cpu.push_back((*still)->last_ui_ms() + r.stats().record_cpu_ms);
    }
    std::cout << "frame_cpu_ms_with_panels=" << median(cpu) << "\n";
  }

  // 3c. Live metrics: the per-frame cost of merging samples, retargeting and animating every
  // building, with the simulator at 3600x (every enterprise reports every frame).
  {
    app::LiveOptions lo;
    lo.feed = "sim://?speed=3600&interval=1";
    lo.history = "none";
    std::ostringstream log;
    auto hub = app::LiveHub::open(**scene, lo, log);
    if (hub) {
      std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the simulator starts on its thread
      std::vector<double> upd;
      for (int i = 0; i < 40; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(16));
        const auto tu = Clock::now();
        (*hub)->update(**scene, 1.0 / 60.0);
        upd.push_back(ms_since(tu));
      }
      std::cout << "frame_live_update_ms=" << median(upd) << "\n";
    }
  }

  // 4. Restyle every building (what a height slider or colour switch costs per frame).
  scene::Scene& s = **scene;
  std::vector<double> restyle;
  for (int i = 0; i < 41; ++i) {
    s.style_params.height_scale = 1.0f + 0.01f * static_cast<float>(i % 7);
    s.style_params.color_by = static_cast<scene::ColorBy>(i % 5);
    const auto tr = Clock::now();
    s.restyle();
    restyle.push_back(ms_since(tr));
  }
  std::cout << "restyle_all_buildings_cpu_ms=" << median(restyle) << "\n";
  std::cout << "gpu_memory_mb=" << static_cast<double>(r.stats().gpu_memory_bytes) / (1024.0 * 1024.0) << "\n";
  std::cout << "peak_rss_mb=" << peak_rss_mb() << "\n";
  return 0;
}

}  // namespace parktwin::bench
