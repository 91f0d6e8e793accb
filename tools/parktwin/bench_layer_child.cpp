// `parktwin bench --layer`, the child: see bench_layer_child.h.
#include "bench_layer_child.h"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <chrono>

#include "bench_util.h"
#include "parktwin/app/app.h"
#include "parktwin/scene/lod_builder.h"
#include "parktwin/scene/residency.h"
#include "parktwin/scene/stream.h"
#include "parktwin/scene/geo_camera.h"

namespace parktwin::bench::layer_child {
namespace {

double seconds_since(int64_t t0_ns) { return static_cast<double>(clock_ns(CLOCK_MONOTONIC) - t0_ns) * 1e-9; }

/// RenderStats::pipelines_ms once the renderer has it (it is coming with the renderer split);
/// nothing until then, and the bench reports the renderer's creation instead.
template <typename Stats>
std::optional<double> pipelines_ms_of(const Stats& s) {
  if constexpr (requires { s.pipelines_ms; }) return static_cast<double>(s.pipelines_ms);
  else return std::nullopt;
}

struct LoadTimes {
  double read_s = 0.0;         ///< worker time reading the source (or the tile cache), summed over workers
  double triangulate_s = 0.0;  ///< worker time extruding and triangulating, summed over workers
  int64_t features_read = 0, features_kept = 0;
  size_t tiles = 0, tiles_from_cache = 0;
  int64_t head_features = 0, head_replaced = 0;  ///< StreamProgress's: first shown from the file's head
};

/// The layer as `parktwin --no-dataset --layer FILE --height-attr NAME --layer-kind buildings`
/// shows it: streamed by tile (scene::add_user_layers_streamed: nearest to the camera first,
/// read and extruded on worker threads). Returns the scene (the layers added, no tile in yet) and
/// its streams. The one place the bench loads data.
gis::Result<std::unique_ptr<scene::Scene>> start_layer(const LayerBenchOptions& o,
                                                      std::vector<std::unique_ptr<scene::LayerStream>>& streams) {
  auto s = std::make_unique<scene::Scene>(gis::SceneFrame::jiangxi());
  scene::LoadOptions lo;
  lo.height_attribute = o.height_attr;
  lo.kind = "buildings";
  scene::StreamOptions so;
  so.cache_dir = o.tile_cache;
  if (o.worker_nice >= 0) so.worker_nice = o.worker_nice;
  if (o.stream_ahead_mb >= 0) so.ahead_bytes = static_cast<uint64_t>(o.stream_ahead_mb) << 20;
  if (!o.head_start) so.head_start_bytes = 0;
  if (!o.first_frame_hold) so.first_frame_hold_s = 0.0;
  if (!o.look.empty()) {  // LON,LAT,...: nearest to where the camera looks first
    double lon = 0.0, lat = 0.0;
    if (std::sscanf(o.look.c_str(), "%lf,%lf", &lon, &lat) == 2) so.focus = s->frame().from_wgs84({lon, lat});
    so.extent_first = false;  // the camera is given: no read of a whole GeoJSON for its extent first (as the viewer's named views)
  }
  auto added = scene::add_user_layers_streamed(*s, o.layer, lo, so);
  if (!added) return added.error();
  streams = std::move(*added);
  for (const auto& st : streams)
    if (auto e = st->extent()) s->include_bounds(e->first, e->second);
  if (s->layers.empty()) return gis::Failure(gis::Failure::ResourceUnavailable, o.layer + " has no features to show");
  return s;
}

/// Moves arrived tiles into the scene; true when every stream has finished.
bool take_tiles(scene::Scene& s, std::vector<std::unique_ptr<scene::LayerStream>>& streams, size_t& moved,
                size_t max_tiles = SIZE_MAX) {
  bool all = true;
  for (auto& st : streams) {
    moved += st->integrate(s, max_tiles);
    all = all && st->progress().finished;
  }
  return all;
}


// --- the child: measures and prints raw figures ---------------------------------------------

/// "a,b,c" (empty: none).
std::string join(const std::vector<uint64_t>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(v[i]);
  }
  return out;
}

/// Memory the scene holds in cluster layouts made by its workers (BuildingChunk::clusters and
/// lod_clusters): what handing them to the renderer ready-made costs.
uint64_t layout_bytes(const scene::Scene& s) {
  auto bytes = [](const std::shared_ptr<const gis::ClusteredMesh>& m) -> uint64_t {
    if (!m) return 0;
    return m->indices.capacity() * sizeof(uint32_t) + m->clusters.capacity() * sizeof(gis::BuildingCluster) +
           (m->buildings.capacity() + m->cluster_end.capacity()) * sizeof(uint32_t);
  };
  uint64_t n = 0;
  for (const scene::Layer& l : s.layers)
    for (const scene::BuildingChunk& c : l.building_chunks) {
      n += bytes(c.clusters);
      for (const auto& m : c.lod_clusters) n += bytes(m);
    }
  return n;
}

}  // namespace

int run_child(const LayerBenchOptions& o) {
  const int64_t main_ns = clock_ns(CLOCK_MONOTONIC);
  auto fail = [](const std::string& msg) {
    std::cout << "error=" << msg << "\n";
    return 1;
  };
  // The renderer (Vulkan start-up and pipeline compilation) on a thread of its own while the
  // workers read and triangulate: on two cores the two overlap.
  render::RendererOptions ro;
  ro.msaa = o.msaa;
  if (o.warm_up) {  // as the viewer: first draws compiled here, at the frames' size, while the workers read
    ro.warm_up = render::WarmUp::kBuildings;
    ro.warm_up_width = o.width;
    ro.warm_up_height = o.height;
  }
  ro.outlines_after_first_frame = o.outlines_later;
  gis::Result<std::unique_ptr<render::Renderer>> created = gis::Failure(gis::Failure::GeneralError, "not created");
  double create_s = 0.0;
  int64_t renderer_ready_ns = 0;
  std::thread creator([&] {
    const int64_t tr = clock_ns(CLOCK_MONOTONIC);
    created = render::Renderer::create(ro);
    renderer_ready_ns = clock_ns(CLOCK_MONOTONIC);
    create_s = static_cast<double>(renderer_ready_ns - tr) * 1e-9;
  });
  LoadTimes lt;
  std::vector<std::unique_ptr<scene::LayerStream>> streams;
  auto scene = start_layer(o, streams);
  if (!scene) {
    creator.join();
    return fail(scene.error().message);
  }
  scene::Scene& s = **scene;
  // The camera as the viewer places it at start: "fit" frames the layer's extent where the stream
  // knows it (not the first tiles' bounds).
  const double aspect = static_cast<double>(o.width) / o.height;
  auto cam = app::view_camera(s, o.look.empty() ? std::string("fit") : "look:" + o.look, aspect);
  if (!cam) {
    creator.join();
    return fail(cam.error().message);
  }
  // The first frame shows what has arrived once the first tile is in (nearest to the camera).
  size_t moved = 0;
  bool complete = take_tiles(s, streams, moved);
  while (!complete && moved == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    complete = take_tiles(s, streams, moved);
  }
  const int64_t first_tile_ns = clock_ns(CLOCK_MONOTONIC);
  // As the viewer with --mesh-budget-mb: the farthest meshes dropped as tiles arrive.
  std::unique_ptr<scene::MeshResidency> residency;
  if (o.mesh_budget_mb) {
    residency = std::make_unique<scene::MeshResidency>(s, o.mesh_budget_mb << 20);
    residency->update(s, glm::dvec2(cam->target));
  }
  creator.join();
  if (!created) return fail(created.error().message);
  render::Renderer& r = **created;
  const int64_t tu = clock_ns(CLOCK_MONOTONIC);
  if (auto up = r.upload_scene(s); !up) return fail(up.error().message);
  const double upload_s = seconds_since(tu);
  // Building meshes the render thread had to lay out in clusters itself (streamed tiles and the
  // levels of detail come laid out from the workers), over every upload.
  uint64_t laid_out = r.stats().meshes_laid_out, packs = r.stats().building_packs;
  double lay_out_ms = r.stats().lay_out_ms;
  auto count_lay_out = [&] {
    laid_out += r.stats().meshes_laid_out;
    lay_out_ms += r.stats().lay_out_ms;
    packs += r.stats().building_packs;
  };

  scene::FrameSnapshotBuilder snapshots;
  std::vector<double> frame_ms, cpu_ms, snapshot_ms, record_ms;
  int64_t first_frame_ns = 0;
  double first_render_ms = 0.0;
  int64_t complete_frame_ns = 0;
  size_t first_frame_buildings = 0;
  bool first_frame_cpu_culled = false;  // the renderer's first frame with buildings after its warm-up
  bool first_frame_outlines = true;
  int partial_frames = 0;
  double loading_frame_ms_max = 0.0;  // the longest of those frames: tiles in, upload, render
  size_t lod_chunks = 0;
  std::vector<uint64_t> lod_triangles;  // per level of detail, over every chunk
  double lod_s = 0.0;
  for (int i = 0; i < 1 + kWarmupFrames + o.frames; ++i) {
    if (i == 1 && !complete) {
      // Frames while the rest arrives (the viewer's loop), until the one that shows every tile.
      for (;;) {
        const int64_t tl = clock_ns(CLOCK_MONOTONIC);
        complete = take_tiles(s, streams, moved, scene::LayerStream::kTilesPerFrame);  // as the viewer does
        if (residency) residency->update(s, glm::dvec2(cam->target));
        if (auto up = r.update_geometry(s); !up) return fail(up.error().message);
        count_lay_out();
        const auto snap = snapshots.build(s, *cam, 0.0);
        render::FrameInput in;
        in.frame = snap.get();
        in.read_back = false;
        if (auto img = r.render_offscreen(in, o.width, o.height); !img) return fail(img.error().message);
        ++partial_frames;
        loading_frame_ms_max = std::max(loading_frame_ms_max, static_cast<double>(clock_ns(CLOCK_MONOTONIC) - tl) * 1e-6);
        if (complete) break;
      }
    }
    if (i == 1 && complete_frame_ns == 0) complete_frame_ns = clock_ns(CLOCK_MONOTONIC);
    if (i == 1 && o.lods) {  // the viewer's pass, waited for here: the steady frames draw what it settles on
      scene::LodBuilder lods;
      lods.start(s);
      lod_chunks = lods.finish(s);
      for (const scene::Layer& l : s.layers)
        for (const scene::BuildingChunk& c : l.building_chunks)
          for (size_t lv = 0; lv < c.lods.size(); ++lv) {
            if (lod_triangles.size() <= lv) lod_triangles.resize(lv + 1, 0);
            lod_triangles[lv] += c.lods[lv].mesh.indices.size() / 3;
          }
      lod_s = lods.last_pass_s();
      if (!lods.last_error().empty()) std::cerr << "parktwin bench: " << lods.last_error() << "\n";
    }
    if (i == 1 && (o.lods || residency)) {  // the levels, and what the budget keeps of them, uploaded
      if (residency) residency->finish(s, glm::dvec2(cam->target));  // the levels count against the budget
      if (auto up = r.update_geometry(s); !up) return fail(up.error().message);
      count_lay_out();
    }
    const int64_t tf = clock_ns(CLOCK_MONOTONIC), tc = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    const auto snap = snapshots.build(s, *cam, 0.0);
    const double snap_cpu_ms = static_cast<double>(clock_ns(CLOCK_THREAD_CPUTIME_ID) - tc) * 1e-6;
    render::FrameInput in;
    in.frame = snap.get();
    in.read_back = false;
    auto img = r.render_offscreen(in, o.width, o.height);  // returns once the frame has finished
    if (!img) return fail(img.error().message);
    const double ms = static_cast<double>(clock_ns(CLOCK_MONOTONIC) - tf) * 1e-6;
    if (i == 0) {
      first_frame_ns = clock_ns(CLOCK_MONOTONIC);
      first_render_ms = ms;
      first_frame_buildings = s.buildings.size();
      first_frame_cpu_culled = r.stats().buildings_culled_on_cpu;
      first_frame_outlines = !r.stats().outlines_put_off;
      if (complete) complete_frame_ns = first_frame_ns;
    } else if (i > kWarmupFrames) {
      frame_ms.push_back(ms);
      snapshot_ms.push_back(snap_cpu_ms);
      record_ms.push_back(r.stats().record_cpu_ms);
      cpu_ms.push_back(snap_cpu_ms + r.stats().record_cpu_ms);
    }
  }
  // Frames in which 200 buildings' styles change (an enterprise's buildings take a live sample, an
  // edit): what restyling them, the snapshot and recording cost on the CPU, and how many blocks of
  // styles went to the GPU.
  std::vector<double> restyle_cpu_ms;
  uint32_t style_blocks = 0;
  if (!s.buildings.empty()) {
    for (int k = 0; k < 9; ++k) {
      const size_t n = s.buildings.size(), first = (static_cast<size_t>(k) * 104729u * 131u) % n;
      std::vector<uint32_t> some;
      for (size_t i = first; i < std::min(n, first + 200); ++i) some.push_back(static_cast<uint32_t>(i));
      const int64_t tc = clock_ns(CLOCK_THREAD_CPUTIME_ID);
      s.restyle_buildings(some);
      const auto snap = snapshots.build(s, *cam, 0.0);
      const double cpu = static_cast<double>(clock_ns(CLOCK_THREAD_CPUTIME_ID) - tc) * 1e-6;
      render::FrameInput in;
      in.frame = snap.get();
      in.read_back = false;
      if (auto img = r.render_offscreen(in, o.width, o.height); !img) return fail(img.error().message);
      if (k > 0) restyle_cpu_ms.push_back(cpu + r.stats().record_cpu_ms);
      style_blocks = r.stats().style_blocks_uploaded;
    }
  }
  // With a mesh budget: what the steady frames held, then the camera moved to the corner of the
  // layer farthest from where it looked, timed until the meshes there are back and drawn.
  const render::RenderStats steady_stats = r.stats();  // the figures below are the steady camera's
  scene::ResidencyStats held;
  double move_s = 0.0;
  size_t move_restores = 0;
  if (residency) {
    held = residency->stats(s);
    const glm::dvec2 at(cam->target);
    glm::dvec2 far = s.bmin;
    for (const glm::dvec2 c : {glm::dvec2(s.bmax.x, s.bmin.y), glm::dvec2(s.bmin.x, s.bmax.y), s.bmax})
      if (glm::length(c - at) > glm::length(far - at)) far = c;
    scene::Camera moved = *cam;
    moved.target.x = far.x;
    moved.target.y = far.y;
    const int64_t tm = clock_ns(CLOCK_MONOTONIC);
    residency->finish(s, far);
    if (auto up = r.update_geometry(s); !up) return fail(up.error().message);
    const auto snap = snapshots.build(s, moved, 0.0);
    render::FrameInput in;
    in.frame = snap.get();
    in.read_back = false;
    if (auto img = r.render_offscreen(in, o.width, o.height); !img) return fail(img.error().message);
    move_s = static_cast<double>(clock_ns(CLOCK_MONOTONIC) - tm) * 1e-9;
    move_restores = residency->stats(s).restores - held.restores;
    if (!residency->error().empty()) std::cerr << "parktwin bench: " << residency->error() << "\n";
  }
  for (const auto& st : streams) {
    const scene::StreamProgress p = st->progress();
    lt.read_s += p.read_s;
    lt.triangulate_s += p.triangulate_s;
    lt.tiles += p.tiles_done;
    lt.tiles_from_cache += p.tiles_from_cache;
    lt.head_features += p.head_features;
    lt.head_replaced += p.head_replaced;
  }
  for (const auto& l : s.layers) {
    lt.features_read += l.data.report.read;
    lt.features_kept += l.data.report.kept;
  }
  // Pipelines compile on the renderer's worker threads; by now every one the frames used is done.
  const std::optional<double> pipelines_ms = pipelines_ms_of(r.stats());
  uint64_t triangles = 0;
  for (const auto& l : s.layers)
    for (const auto& c : l.building_chunks) triangles += c.mesh.indices.size() / 3;
  const render::RenderStats& st = steady_stats;
  const uint64_t gpu_memory_bytes = st.gpu_memory_bytes;
  const auto& info = r.device_info();
  const scene::GeoCamera g = scene::to_geo(*cam, s.frame());
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::cout << "device=" << info.name << " (" << info.type << ", Vulkan " << info.api_version << ")\n"
            << "msaa=" << info.msaa << "\n"
            << "camera=" << fixed(g.lon, 6) << "," << fixed(g.lat, 6) << "," << fixed(g.distance_m, 0) << ","
            << fixed(g.heading_deg, 1) << "," << fixed(g.pitch_deg, 1) << "\n"
            << "features_read=" << lt.features_read << "\nfeatures_kept=" << lt.features_kept << "\n"
            << "buildings=" << s.buildings.size() << "\n"
            << "triangles=" << triangles << "\n"
            << "triangles_drawn=" << st.triangles << "\n"
            << "triangles_facing_away=" << st.triangles_facing_away << "\n"
            << "clusters_drawn=" << st.building_chunks_drawn << "\nclusters_lod=" << st.building_clusters_lod << "\n"
            << "lod=" << (o.lods ? "on" : "off") << "\nlod_chunks=" << lod_chunks << "\nlod_s=" << fixed(lod_s, 3) << "\n"
            << "lod_triangles=" << join(lod_triangles) << "\n"
            << "draw_calls=" << st.draw_calls << "\n"
            << "load_s=" << fixed(lt.read_s, 3) << "\n"
            << "triangulate_s=" << fixed(lt.triangulate_s, 3) << "\n"
            << "renderer_create_s=" << fixed(create_s, 3) << "\n"
            << "renderer_warm_up_s=" << fixed(st.warm_up_ms / 1000.0, 3) << "\n"
            << "tiles=" << lt.tiles << "\ntiles_from_cache=" << lt.tiles_from_cache << "\n"
            << "head_features=" << lt.head_features << "\nhead_replaced=" << lt.head_replaced << "\n"
            << "first_frame_buildings=" << first_frame_buildings << "\n"
            << "frames_while_loading=" << partial_frames << "\n"
            << "stream_ahead_mb=" << (o.stream_ahead_mb >= 0 ? static_cast<uint64_t>(o.stream_ahead_mb) : scene::StreamOptions{}.ahead_bytes >> 20) << "\n"
            << "loading_frame_ms_max=" << fixed(loading_frame_ms_max, 1) << "\n";
  if (pipelines_ms) std::cout << "pipelines_ms=" << fixed(*pipelines_ms, 1) << "\n";
  std::cout << "upload_s=" << fixed(upload_s, 3) << "\n"
            << "render_thread_lay_outs=" << laid_out << "\n"
            << "render_thread_lay_out_ms=" << fixed(lay_out_ms, 1) << "\n"
            << "building_packs=" << packs << "\n"
            << "chunks_without_room=" << r.stats().building_chunks_without_room << "\n"
            << "device_max_allocation_mb=" << (r.device_info().max_allocation_bytes >> 20) << "\n"
            << "cluster_layouts_mb=" << fixed(static_cast<double>(layout_bytes(s)) / (1024.0 * 1024.0), 1) << "\n"
            << "first_frame_render_ms=" << fixed(first_render_ms, 1) << "\n"
            << "first_frame_culled_on=" << (first_frame_cpu_culled ? "cpu" : "gpu") << "\n"
            << "first_frame_outlines=" << (first_frame_outlines ? 1 : 0) << "\n"
            << "frame_ms=" << fixed(median(frame_ms), 1) << "\n"
            << "frame_ms_min=" << fixed(frame_ms.empty() ? 0.0 : *std::min_element(frame_ms.begin(), frame_ms.end()), 1) << "\n"
            << "frame_cpu_ms=" << fixed(median(cpu_ms), 3) << "\n"
            << "frame_snapshot_cpu_ms=" << fixed(median(snapshot_ms), 3) << "\n"
            << "frame_record_cpu_ms=" << fixed(median(record_ms), 3) << "\n"
            << "frame_cpu_ms_restyle_200=" << fixed(median(restyle_cpu_ms), 3) << "\n"
            << "style_blocks_uploaded=" << style_blocks << "\n"
            << "frames=" << frame_ms.size() << "\n";
  if (residency)
    std::cout << "mesh_budget_mb=" << o.mesh_budget_mb << "\n"
              << "meshes_resident_mb=" << fixed(static_cast<double>(held.resident_bytes) / (1024.0 * 1024.0), 1) << "\n"
              << "blocks_mb=" << fixed(static_cast<double>(held.blocks_bytes) / (1024.0 * 1024.0), 2) << "\n"
              << "chunks_resident=" << held.chunks_resident << "\nchunks_evicted=" << held.chunks_evicted << "\n"
              << "residency_evictions=" << held.evictions << "\nresidency_restores=" << held.restores << "\n"
              << "residency_move_s=" << fixed(move_s, 3) << "\nresidency_move_restores=" << move_restores << "\n"
              << "residency_restore_s=" << fixed(residency->stats(s).restore_s, 3) << "\n";
  std::cout
            << "gpu_memory_mb=" << fixed(static_cast<double>(gpu_memory_bytes) / (1024.0 * 1024.0), 1) << "\n"
            << "child_peak_rss_mb=" << fixed(static_cast<double>(ru.ru_maxrss) / 1024.0, 1) << "\n"
            << "mono_main_ns=" << main_ns << "\n"
            << "mono_first_tile_ns=" << first_tile_ns << "\n"
            << "mono_renderer_ready_ns=" << renderer_ready_ns << "\n"
            << "mono_first_frame_ns=" << first_frame_ns << "\n"
            << "mono_complete_frame_ns=" << complete_frame_ns << "\n";
  return 0;
}

}  // namespace parktwin::bench::layer_child
