#pragma once
// Levels of detail built off the frame loop: the viewer (and `parktwin bench --layer`) start a
// pass once a layer has finished streaming; a worker thread builds the levels of copies of the
// chunks' meshes (gis::building_lods), and collect() moves them into the chunks that still have
// the geometry they were built from. Renderer::update_geometry then uploads them and the GPU
// culling draws a cluster at its coarsest level whose tolerance spans at most a pixel.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "parktwin/gis/building_clusters.h"
#include "parktwin/gis/lod.h"

namespace parktwin::scene {

struct Scene;

class LodBuilder {
 public:
  LodBuilder() = default;
  LodBuilder(const LodBuilder&) = delete;
  LodBuilder& operator=(const LodBuilder&) = delete;
  ~LodBuilder();  ///< stops after the chunk in hand and joins

  /// Starts a pass over the building chunks that have no levels for their revision, unless one is
  /// running or none needs levels; true when one started. Reads the scene only here.
  bool start(const Scene& scene);
  /// When the pass has finished: moves its levels into the chunks still at the revision they were
  /// built from, and returns how many got levels (0 while it runs).
  size_t collect(Scene& scene);
  /// Waits for the running pass (if any), then collects it.
  size_t finish(Scene& scene);
  bool busy() const { return worker_.joinable(); }
  /// Seconds the last finished pass took on its worker.
  double last_pass_s() const { return last_pass_s_; }
  /// Why the last pass built nothing ("" when it did or had nothing to do): its chunks then keep
  /// drawing at full detail.
  const std::string& last_error() const { return last_error_; }

 private:
  struct Job {
    uint32_t layer = 0;
    size_t chunk = 0;
    uint64_t revision = 0;
    size_t vertices = 0, indices = 0;  ///< with the revision: the same mesh (a reloaded scene counts anew)
    gis::BuildingMesh mesh;
    std::vector<gis::BuildingLod> lods;
    std::shared_ptr<const gis::ClusteredMesh> clusters;  ///< the full mesh's layout (the chunk's, or made here)
    std::vector<std::shared_ptr<const gis::ClusteredMesh>> lod_clusters;  ///< the levels laid out like it
  };
  std::vector<Job> jobs_;
  std::thread worker_;
  std::atomic<bool> done_{false}, stop_{false};
  std::atomic<double> pass_s_{0.0};
  double last_pass_s_ = 0.0;
  std::string error_, last_error_;  ///< written by the worker / read after the join
};

}  // namespace parktwin::scene
