// `parktwin bench labels`: what placing enterprise labels costs. The default scene in the Nanchang
// park view at 1920x1080; 10k label candidates at random roofs and ground points of the scene seen in
// that view (seeded), sized like the enterprise labels (names in the 16 px UI font), with the
// default panel layout as keep-outs. Prints name=value lines, machine and conditions first; asserts
// nothing. Sections are independent functions of the loaded scene: add new ones to run_bench_labels.
#include "bench_labels.h"
#include "bench_util.h"

#include <algorithm>
#include <filesystem>
#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "parktwin/scene/labels.h"

namespace parktwin::bench {
namespace {



/// Characters of a UTF-8 string (lead bytes).
size_t utf8_chars(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

constexpr uint32_t kW = 1920, kH = 1080;

/// n candidates at random points of the scene visible from `cam`: building roofs (three in four)
/// and ground points of the view's box, each labelled like a random enterprise.
std::vector<scene::LabelCandidate> random_candidates(const scene::Scene& s, const scene::Camera& cam, size_t n,
                                                     uint64_t seed) {
  std::mt19937_64 rng(seed);
  const scene::ScreenProjector project(cam, {double(kW), double(kH)});
  const std::vector<float> priority = scene::label_priorities(s);
  const double reach = cam.distance * 2.5;
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<scene::LabelCandidate> out;
  out.reserve(n);
  for (size_t tries = 0; out.size() < n && tries < n * 200; ++tries) {
    glm::dvec3 p;
    if (rng() % 4 != 0 && !s.buildings.empty()) {
      const size_t b = rng() % s.buildings.size();
      p = glm::dvec3(s.buildings[b].centroid, s.styles[b].base + s.styles[b].height);
    } else {
      p = glm::dvec3(cam.target.x + u(rng) * reach, cam.target.y + u(rng) * reach, 0.0);
    }
    const auto px = project(p);
    if (!px) continue;
    const glm::vec2 a(*px);
    if (a.x < 0 || a.y < 0 || a.x >= kW || a.y >= kH) continue;
    const size_t e = rng() % s.enterprises.size();
    scene::LabelCandidate c;
    c.id = static_cast<uint32_t>(out.size());
    c.anchor = a;
    c.size = {10.0f + 16.0f * static_cast<float>(std::min<size_t>(utf8_chars(s.enterprises[e].name_zh), 14)), 22.0f};
    c.priority = priority[e] + static_cast<float>(rng() % 1000) * 1e-4f;
    c.distance = static_cast<float>(glm::length(p - project.eye));
    out.push_back(c);
  }
  return out;
}

/// The default wall layout's panels (parks, metrics, clusters, feed, timeline) and the menu bar.
std::vector<scene::LabelRect> default_panels() {
  return {{{0, 0}, {float(kW), 22}},      {{10, 30}, {350, 390}},    {{10, 400}, {350, 730}},
          {{1400, 30}, {1910, 840}},      {{1590, 850}, {1910, 1040}}, {{630, 960}, {1290, 1046}}};
}

/// declutter_10k_ms: the declutter of 10k candidates, median over 50 runs, fresh and with the
/// previous frame's state (the viewer's steady case).
void bench_declutter(const scene::Scene& s, const scene::Camera& cam) {
  const auto cand = random_candidates(s, cam, 10000, 1269);
  const auto keep = default_panels();
  scene::LabelParams p;
  p.viewport = {float(kW), float(kH)};
  p.fade_near_m = static_cast<float>(std::max(1500.0, cam.distance * 1.2));
  p.fade_far_m = p.fade_near_m * 3.0f;
  std::vector<double> fresh, steady;
  size_t placed = 0;
  for (int i = 0; i < 3; ++i) scene::declutter_labels(cand, keep, p);  // warm caches
  for (int i = 0; i < 50; ++i) {
    const auto t = Clock::now();
    placed = scene::declutter_labels(cand, keep, p).size();
    fresh.push_back(ms_since(t));
  }
  scene::LabelState state;
  scene::declutter_labels(cand, keep, p, &state);
  for (int i = 0; i < 50; ++i) {
    const auto t = Clock::now();
    scene::declutter_labels(cand, keep, p, &state);
    steady.push_back(ms_since(t));
  }
  std::cout << "declutter_10k_candidates=" << cand.size() << "\n";
  std::cout << "declutter_10k_placed=" << placed << "\n";
  std::cout << "declutter_10k_ms=" << median(fresh) << "\n";
  std::cout << "declutter_10k_ms_with_state=" << median(steady) << "\n";
  std::cout << "declutter_10k_ms_max=" << *std::max_element(fresh.begin(), fresh.end()) << "\n";
}

/// A 15360x4320 still of the province (the size of a 4x2 wall of 4K screens): rendered in tiles,
/// stitched and written as PNG; reports its time and the process's peak memory after it.
int bench_snapshot(const scene::Scene& s, const app::AppOptions& opt) {
  const uint32_t W = 15360, H = 4320;
  auto still = app::StillRenderer::create(s, opt);
  if (!still) {
    std::cerr << "parktwin bench labels: " << still.error().message << "\n";
    return 1;
  }
  auto cam = app::view_camera(s, "province", double(W) / H);
  const auto t = Clock::now();
  auto img = (*still)->render(s, *cam, W, H, "ParkTwin · 江西省 Jiangxi province");
  if (!img) {
    std::cerr << "parktwin bench labels: " << img.error().message << "\n";
    return 1;
  }
  const double render_s = ms_since(t) / 1000.0;
  const std::string out = (std::filesystem::temp_directory_path() / "parktwin-bench-snapshot.png").string();
  if (auto w = render::write_png(*img, out); !w) {
    std::cerr << "parktwin bench labels: " << w.error().message << "\n";
    return 1;
  }
  const double total_s = ms_since(t) / 1000.0;
  const uint32_t tile = (*still)->max_tile();
  std::cout << "snapshot_size=" << W << "x" << H << " (" << ((W + tile - 1) / tile) * ((H + tile - 1) / tile)
            << " tiles of up to " << tile << " px, " << out << ")\n";
  std::cout << "snapshot_15360x4320_render_s=" << render_s << "\n";
  std::cout << "snapshot_15360x4320_s=" << total_s << "\n";
  std::cout << "snapshot_15360x4320_peak_rss_mb=" << peak_rss_mb() << "\n";
  std::filesystem::remove(out);
  return 0;
}

}  // namespace

int run_bench_labels(const app::AppOptions& opt) {
  std::ostringstream quiet;
  auto scene = app::load_scene(opt, quiet);
  if (!scene) {
    std::cerr << "parktwin bench labels: " << scene.error().message << "\n";
    return 1;
  }
  auto cam = app::view_camera(**scene, "nanchang", double(kW) / kH);
  if (!cam) {
    std::cerr << "parktwin bench labels: " << cam.error().message << "\n";
    return 1;
  }
  std::cout << "machine_cpu=" << cpu_model() << "\n";
  std::cout << "machine_cores=" << std::thread::hardware_concurrency() << "\n";
  std::cout << "conditions=default scene, Nanchang park view " << kW << "x" << kH << " (camera " << static_cast<int>(cam->distance)
            << " m), 10k candidates at random roofs and ground points in view (seed 1269), label sizes of "
               "enterprise names in a 16 px font, 6 keep-out panels, single thread, median of 50 runs\n";
  bench_declutter(**scene, *cam);
  return bench_snapshot(**scene, opt);
}

}  // namespace parktwin::bench
