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
