// Levels of detail of building chunks, built apart from loading (they cost about twice the
// extrusion), on worker threads when asked.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "parktwin/gis/lod.h"
#include "parktwin/scene/scene.h"

namespace parktwin::scene {

bool build_chunk_lods(BuildingChunk& chunk) {
  if (chunk.lods_revision == chunk.revision) return false;
  if (chunk.mesh.indices.empty()) {
    chunk.lods.clear();
    chunk.lods_revision = chunk.revision;
    return false;
  }
  chunk.lods = gis::building_lods(chunk.mesh, gis::kBuildingLodTolerances);
  chunk.lods_revision = chunk.revision;
  chunk.lod_clusters.clear();  // a renderer lays these levels out itself
  return true;
}

size_t build_building_lods(Scene& scene, unsigned threads) {
  std::vector<BuildingChunk*> todo;
  for (Layer& l : scene.layers)
    for (BuildingChunk& c : l.building_chunks)
      if (c.lods_revision != c.revision) todo.push_back(&c);
  if (todo.empty()) return 0;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, todo.size()));
  std::atomic<size_t> next{0}, built{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    try {
      for (size_t i; (i = next.fetch_add(1)) < todo.size();)
        if (build_chunk_lods(*todo[i])) built.fetch_add(1);
    } catch (...) {
      const std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next.store(todo.size());  // the others stop after their current chunk
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return built.load();
}

}  // namespace parktwin::scene

#include <chrono>

#include "parktwin/scene/lod_builder.h"

namespace parktwin::scene {

LodBuilder::~LodBuilder() {
  stop_ = true;
  if (worker_.joinable()) worker_.join();
}

bool LodBuilder::start(const Scene& scene) {
  if (worker_.joinable()) return false;
  jobs_.clear();
  for (uint32_t li = 0; li < scene.layers.size(); ++li) {
    const auto& chunks = scene.layers[li].building_chunks;
    for (size_t ci = 0; ci < chunks.size(); ++ci) {
      const BuildingChunk& c = chunks[ci];
      if (c.lods_revision == c.revision || c.mesh.indices.empty()) continue;
      Job j{li, ci, c.revision, c.mesh.vertices.size(), c.mesh.indices.size(), c.mesh, {}};
      if (c.prepared_clusters()) j.clusters = c.clusters;  // shared, not copied
      jobs_.push_back(std::move(j));
    }
  }
  if (jobs_.empty()) return false;
  done_ = false;
  stop_ = false;
  error_.clear();
  worker_ = std::thread([this] {
    const auto t0 = std::chrono::steady_clock::now();
    try {
      for (Job& j : jobs_) {
        if (stop_) break;
        j.lods = gis::building_lods(j.mesh, gis::kBuildingLodTolerances);
        // The levels laid out in the full mesh's clusters (cluster i of each holds the same
        // buildings), here rather than on the render thread at upload.
        if (!j.clusters) j.clusters = std::make_shared<const gis::ClusteredMesh>(gis::cluster_building_mesh(j.mesh));
        for (const gis::BuildingLod& l : j.lods)
          j.lod_clusters.push_back(std::make_shared<const gis::ClusteredMesh>(gis::cluster_like(l.mesh, *j.clusters)));
        j.mesh.clear();
      }
    } catch (const std::exception& e) {  // out of memory: the chunks keep drawing at full detail
      for (Job& j : jobs_) j.lods.clear(), j.lod_clusters.clear();
      error_ = std::string("building levels of detail: ") + e.what();
    }
    pass_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    done_ = true;
  });
  return true;
}

size_t LodBuilder::finish(Scene& scene) {
  if (!worker_.joinable()) return 0;
  while (!done_) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return collect(scene);
}

size_t LodBuilder::collect(Scene& scene) {
  if (!worker_.joinable() || !done_) return 0;
  worker_.join();
  last_pass_s_ = pass_s_;
  last_error_ = error_;
  size_t n = 0;
  for (Job& j : jobs_) {
    if (j.lods.empty() || j.layer >= scene.layers.size()) continue;
    auto& chunks = scene.layers[j.layer].building_chunks;
    if (j.chunk >= chunks.size()) continue;
    BuildingChunk& c = chunks[j.chunk];
    if (c.revision != j.revision || c.mesh.vertices.size() != j.vertices || c.mesh.indices.size() != j.indices)
      continue;  // edited (or loaded anew) meanwhile
    c.lods = std::move(j.lods);
    c.lods_revision = j.revision;
    c.lod_clusters = std::move(j.lod_clusters);
    if (!c.prepared_clusters()) {  // the full mesh's layout the levels were laid out like
      c.clusters = std::move(j.clusters);
      c.clusters_revision = j.revision;
    }
    ++n;
  }
  jobs_.clear();
  return n;
}

}  // namespace parktwin::scene
