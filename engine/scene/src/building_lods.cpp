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
  {
    const std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

bool LodBuilder::start(const Scene& scene) {
  if (worker_.joinable()) return false;
  targets_.clear();
  next_target_ = 0;
  for (uint32_t li = 0; li < scene.layers.size(); ++li) {
    const auto& chunks = scene.layers[li].building_chunks;
    for (size_t ci = 0; ci < chunks.size(); ++ci)
      if (chunks[ci].lods_revision != chunks[ci].revision && !chunks[ci].mesh.indices.empty())
        targets_.push_back({li, ci});
  }
  if (targets_.empty()) return false;
  queue_.clear();
  finished_.clear();
  queued_bytes_ = 0;
  no_more_ = stop_ = false;
  error_.clear();
  done_ = false;
  pass_s_ = 0.0;
  top_up(scene);
  worker_ = std::thread([this] { work(); });
  return true;
}

void LodBuilder::top_up(const Scene& scene) {
  std::vector<Job> copies;
  size_t bytes = 0;
  {
    const std::lock_guard lock(mu_);
    if (no_more_) return;
    bytes = queued_bytes_;
  }
  while (next_target_ < targets_.size() && (bytes < batch_bytes_ || (bytes == 0 && copies.empty()))) {
    const Target t = targets_[next_target_++];
    if (t.layer >= scene.layers.size() || t.chunk >= scene.layers[t.layer].building_chunks.size()) continue;
    const BuildingChunk& c = scene.layers[t.layer].building_chunks[t.chunk];
    // Built (or emptied) since the pass started: nothing to do; edited: the copy is of its new mesh.
    if (c.lods_revision == c.revision || c.mesh.indices.empty()) continue;
    Job j{t.layer, t.chunk, c.revision, c.mesh.vertices.size(), c.mesh.indices.size(), c.mesh.bytes(), c.mesh, {}, {}, {}};
    if (c.prepared_clusters()) j.clusters = c.clusters;  // shared, not copied
    bytes += j.bytes;
    copies.push_back(std::move(j));
  }
  {
    const std::lock_guard lock(mu_);
    for (Job& j : copies) queued_bytes_ += j.bytes, queue_.push_back(std::move(j));
    if (next_target_ == targets_.size()) no_more_ = true;
  }
  cv_.notify_all();
}

void LodBuilder::work() {
  double busy_s = 0.0;
  for (;;) {
    Job j;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty() || no_more_; });
      if (stop_ || queue_.empty()) break;  // stopped, or every target built
      j = std::move(queue_.front());
      queue_.pop_front();
    }
    const auto t0 = std::chrono::steady_clock::now();
    std::string error;
    try {
      j.lods = gis::building_lods(j.mesh, gis::kBuildingLodTolerances);
      // The levels laid out in the full mesh's clusters (cluster i of each holds the same
      // buildings), here rather than on the render thread at upload.
      if (!j.clusters) j.clusters = std::make_shared<const gis::ClusteredMesh>(gis::cluster_building_mesh(j.mesh));
      for (const gis::BuildingLod& l : j.lods)
        j.lod_clusters.push_back(std::make_shared<const gis::ClusteredMesh>(gis::cluster_like(l.mesh, *j.clusters)));
    } catch (const std::exception& e) {  // out of memory: this chunk and those after it keep full detail
      j.lods.clear();
      j.lod_clusters.clear();
      error = std::string("building levels of detail: ") + e.what();
    }
    j.mesh = {};  // the copy's memory back now, not when collected
    busy_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::lock_guard lock(mu_);
    queued_bytes_ -= j.bytes;
    if (!j.lods.empty()) finished_.push_back(std::move(j));
    if (!error.empty()) {
      error_ = error;
      stop_ = true;
    }
  }
  pass_s_ = busy_s;
  done_ = true;
}

size_t LodBuilder::move_in(Scene& scene, std::vector<Job>& jobs) {
  size_t n = 0;
  for (Job& j : jobs) {
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
  jobs.clear();
  return n;
}

size_t LodBuilder::collect(Scene& scene) {
  if (!worker_.joinable()) return 0;
  std::vector<Job> got;
  {
    const std::lock_guard lock(mu_);
    got.swap(finished_);
  }
  size_t n = move_in(scene, got);
  if (done_) {
    worker_.join();
    got.swap(finished_);  // what it finished after the swap above (no lock needed: it has ended)
    n += move_in(scene, got);
    queue_.clear();
    last_pass_s_ = pass_s_;
    last_error_ = error_;
    return n;
  }
  top_up(scene);
  return n;
}

size_t LodBuilder::finish(Scene& scene) {
  size_t n = 0;
  while (worker_.joinable()) {
    n += collect(scene);
    if (worker_.joinable()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return n;
}

}  // namespace parktwin::scene
