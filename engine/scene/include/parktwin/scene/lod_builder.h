#pragma once
// Levels of detail built off the frame loop: the viewer (and `parktwin bench --layer`) start a
// pass once a layer has finished streaming; a worker thread builds the levels of copies of the
// chunks' meshes (gis::building_lods) and lays them out in the full mesh's clusters, and collect()
// moves them into the chunks that still have the geometry they were built from.
// Renderer::update_geometry then uploads them and the GPU culling draws a cluster at its coarsest
// level whose tolerance spans at most a pixel. The worker holds copies of a batch of chunks at a
// time (`batch_bytes` of mesh), which collect() tops up from the main thread as it finishes them:
// a pass over a million buildings does not hold a second copy of every mesh, and levels arrive
// chunk by chunk rather than all at the end.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "parktwin/gis/building_clusters.h"
#include "parktwin/gis/lod.h"

namespace parktwin::scene {

class Scene;

class LodBuilder {
 public:
  /// Mesh bytes the worker holds copies of at once (at least one chunk).
  static constexpr size_t kDefaultBatchBytes = size_t{64} << 20;
  LodBuilder() : LodBuilder(kDefaultBatchBytes) {}
  explicit LodBuilder(size_t batch_bytes) : batch_bytes_(batch_bytes) {}
  LodBuilder(const LodBuilder&) = delete;
  LodBuilder& operator=(const LodBuilder&) = delete;
  ~LodBuilder();  ///< stops after the chunk in hand and joins

  /// Starts a pass over the building chunks that have no levels for their revision, unless one is
  /// running or none needs levels; true when one started. Lists those chunks and copies the first
  /// batch of them.
  bool start(const Scene& scene);
  /// Moves the levels finished so far into the chunks still at the revision they were built from,
  /// copies the next chunks for the worker, and returns how many chunks got levels in this call.
  /// Call it every frame while busy(): the worker waits for copies.
  size_t collect(Scene& scene);
  /// Waits for the running pass (if any) to finish, collecting as it goes; returns how many chunks
  /// got levels meanwhile.
  size_t finish(Scene& scene);
  bool busy() const { return worker_.joinable(); }
  /// Seconds the last finished pass took on its worker (waiting for copies not counted).
  double last_pass_s() const { return last_pass_s_; }
  /// Why the last pass stopped building ("" when it did not): the chunks without levels keep
  /// drawing at full detail.
  const std::string& last_error() const { return last_error_; }

 private:
  struct Job {
    uint32_t layer = 0;
    size_t chunk = 0;
    uint64_t revision = 0;
    size_t vertices = 0, indices = 0;  ///< with the revision: the same mesh (a reloaded scene counts anew)
    size_t bytes = 0;                  ///< of `mesh`, counted against batch_bytes_
    gis::BuildingMesh mesh;
    std::vector<gis::BuildingLod> lods;
    std::shared_ptr<const gis::ClusteredMesh> clusters;  ///< the full mesh's layout (the chunk's, or made here)
    std::vector<std::shared_ptr<const gis::ClusteredMesh>> lod_clusters;  ///< the levels laid out like it
  };
  struct Target {
    uint32_t layer = 0;
    size_t chunk = 0;
  };
  void work();
  /// Copies listed chunks for the worker until batch_bytes_ are queued; the last ones: no more.
  void top_up(const Scene& scene);
  /// Moves `jobs`' levels into their chunks; how many got them.
  static size_t move_in(Scene& scene, std::vector<Job>& jobs);

  size_t batch_bytes_;
  std::vector<Target> targets_;  ///< chunks of this pass (main thread)
  size_t next_target_ = 0;
  std::mutex mu_;                ///< guards the members up to the worker's
  std::condition_variable cv_;
  std::deque<Job> queue_;        ///< copies waiting for the worker
  std::vector<Job> finished_;    ///< built, waiting for collect()
  size_t queued_bytes_ = 0;      ///< mesh bytes in queue_ and in the worker's hands
  bool no_more_ = false;         ///< every target was queued
  bool stop_ = false;
  std::string error_;            ///< the worker's failure
  std::thread worker_;
  std::atomic<bool> done_{false};
  std::atomic<double> pass_s_{0.0};
  double last_pass_s_ = 0.0;
  std::string last_error_;
};

}  // namespace parktwin::scene
