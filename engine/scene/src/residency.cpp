// Building meshes within a memory budget (residency.h): the farthest chunks drop their meshes, the
// nearest missing ones are rebuilt from their features on a worker.
#include "parktwin/scene/residency.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <fstream>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <map>
#include <string>
#include <tuple>

#include "load_detail.h"
#include "parktwin/gis/extrude.h"
#include "parktwin/scene/scene.h"

namespace parktwin::scene {
namespace {

// The focus must move this far before the chunks are ranked again (a tile is kTileSize across).
constexpr double kReplanMetres = 50.0;
// The most a chunk's blocks take: kBlockGrid^2 boxes of 20 vertices and 10 triangles.
constexpr uint64_t kBlocksBound = uint64_t{kBlockGrid} * kBlockGrid * (20 * sizeof(gis::BuildingVertex) + 30 * sizeof(uint32_t));

double distance_to_box(glm::dvec2 p, glm::dvec2 lo, glm::dvec2 hi) {
  const glm::dvec2 d = glm::max(glm::max(lo - p, p - hi), glm::dvec2(0.0));
  return std::hypot(d.x, d.y);
}

template <typename T>
uint64_t vector_bytes(const std::vector<T>& v) {
  return v.size() * sizeof(T);
}


/// Drops a chunk's meshes and gives their memory back; its features, bounds and tile stay, and
/// `blocks` (made before the drop) stands in for it.
void drop_meshes(BuildingChunk& c, gis::BuildingMesh blocks) {
  const glm::dvec2 origin = c.mesh.origin;
  c.mesh = gis::BuildingMesh{};
  c.mesh.origin = origin;
  c.lods = {};
  c.lods_revision = 0;
  c.clusters.reset();
  c.lod_clusters = {};
  c.clusters_revision = 0;
  c.blocks = std::move(blocks);  // chunk_blocks gave it the chunk's origin
  c.evicted = true;
}

/// The buildings of one grid cell of chunk_blocks.
struct Cell {
  double area = 0.0;              ///< m², of their footprints
  glm::dvec2 moment{0.0};         ///< sum of area x centroid
  double volume = 0.0;            ///< sum of area x height
  double largest = -1.0;          ///< the largest footprint's area
  uint32_t slot = 0;              ///< its building slot
};

}  // namespace

uint64_t default_mesh_budget_bytes(const MemoryFigures& m) {
  uint64_t budget = UINT64_MAX;
  if (m.host_available > 0) budget = m.host_available / (m.device_uses_host_memory ? 8 : 4);
  if (m.device_local > 0 && !m.device_uses_host_memory) budget = std::min(budget, m.device_local / 2);
  // Vertices are at most about three quarters of the meshes' bytes (the rest indices, their
  // cluster order, levels' indices): four thirds of the largest buffer keeps them within it.
  if (m.largest_buffer > 0) budget = std::min(budget, m.largest_buffer / 3 * 4);
  return std::max(budget, kMinDefaultMeshBudget);
}

std::string mesh_budget_caveats(uint64_t asked, const MemoryFigures& m) {
  auto mib = [](uint64_t b) { return std::to_string(b >> 20) + " MiB"; };
  std::string out;
  auto say = [&](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
  MemoryFigures buffer_only;
  buffer_only.largest_buffer = m.largest_buffer;
  if (const uint64_t bound = default_mesh_budget_bytes(buffer_only); m.largest_buffer > 0 && asked > bound)
    say("more than the device's largest buffer holds (" + mib(m.largest_buffer) + " of vertices, about " + mib(bound) +
        " of meshes): chunks past it are left undrawn");
  if (!m.device_uses_host_memory && m.device_local > 0 && asked > m.device_local)
    say("more than the GPU's memory (" + mib(m.device_local) + ")");
  const uint64_t host_need = m.device_uses_host_memory ? asked * 2 : asked;
  if (m.host_available > 0 && host_need > m.host_available)
    say("more than the " + mib(m.host_available) + " of memory available" +
        (m.device_uses_host_memory ? " (the device's copy of the meshes is host memory too: twice the budget)" : "") +
        "; the budget gives way when memory runs short");
  return out;
}

namespace {
/// The value of `key` (e.g. "MemAvailable:") in a /proc file of "key value kB" lines, in bytes
/// (0 when missing). Lines whose value is not a number (/proc/self/status's "State:") are skipped.
uint64_t proc_kb_field_bytes(const char* path, const char* key) {
  std::ifstream f(path);
  std::string k;
  uint64_t kb = 0;
  while (f >> k) {
    if (k == key && f >> kb) return kb * 1024;
    f.ignore(1 << 12, '\n');
  }
  return 0;
}
}  // namespace

uint64_t host_memory_available_bytes() { return proc_kb_field_bytes("/proc/meminfo", "MemAvailable:"); }
uint64_t host_memory_total_bytes() { return proc_kb_field_bytes("/proc/meminfo", "MemTotal:"); }
uint64_t process_resident_bytes() { return proc_kb_field_bytes("/proc/self/status", "VmRSS:"); }

uint64_t return_free_heap_to_system() {
#ifdef __GLIBC__
  const uint64_t before = process_resident_bytes();
  malloc_trim(0);
  const uint64_t after = process_resident_bytes();
  return before > after ? before - after : 0;
#else
  return 0;
#endif
}

uint64_t memory_reserve_bytes(uint64_t host_total) { return std::max<uint64_t>(uint64_t{512} << 20, host_total / 10); }

uint64_t budget_under_pressure(uint64_t budget, uint64_t host_available, uint64_t host_total) {
  if (host_available == 0 || host_total == 0) return budget;
  const uint64_t reserve = memory_reserve_bytes(host_total);
  if (host_available >= reserve) return budget;
  const uint64_t shortfall = reserve - host_available;
  return budget > kMinDefaultMeshBudget + shortfall ? budget - shortfall : std::min(budget, kMinDefaultMeshBudget);
}

void MeshResidency::set_budget(Scene& scene, uint64_t budget_bytes) {
  budget_ = budget_bytes;
  scene.mesh_budget_bytes = budget_;
  planned_ = false;  // the next update ranks the chunks against it
}

uint64_t layout_bytes(const std::shared_ptr<const gis::ClusteredMesh>& m) {
  return m ? vector_bytes(m->indices) + vector_bytes(m->clusters) + vector_bytes(m->buildings) + vector_bytes(m->cluster_end)
           : 0;
}

uint64_t chunk_mesh_bytes(const BuildingChunk& c) {
  uint64_t n = c.mesh.bytes() + layout_bytes(c.clusters) + c.blocks.bytes();
  for (const gis::BuildingLod& l : c.lods) n += l.mesh.bytes();
  for (const auto& lc : c.lod_clusters) n += layout_bytes(lc);
  return n;
}

gis::BuildingMesh chunk_blocks(const Scene& scene, const Layer& layer, const BuildingChunk& c) {
  gis::BuildingMesh out;
  out.origin = c.mesh.origin;
  const glm::dvec2 lo = c.bmin, size = c.bmax - c.bmin;
  if (!(size.x >= 0.0 && size.y >= 0.0)) return out;  // no bounds (no buildings)
  const glm::dvec2 cell = glm::max(size / double(kBlockGrid), glm::dvec2(1e-6));
  std::vector<Cell> cells(kBlockGrid * kBlockGrid);
  load_detail::for_each_member_building(scene, layer, c, [&](const gis::Feature& f, uint32_t slot, float height_m) {
    for (const gis::Polygon& p : f.geom.polygons) {
      const double a = gis::polygon_area(p);
      if (!(a > 0.0) || p.outer.empty()) continue;
      glm::dvec2 centre(0.0);  // of the outer ring's points: inside a footprint for ordinary shapes
      for (const glm::dvec2& q : p.outer) centre += q;
      centre /= double(p.outer.size());
      const glm::ivec2 at = glm::clamp(glm::ivec2(glm::floor((centre - lo) / cell)), glm::ivec2(0), glm::ivec2(kBlockGrid - 1));
      Cell& k = cells[static_cast<size_t>(at.y * kBlockGrid + at.x)];
      k.area += a;
      k.moment += a * centre;
      k.volume += a * std::max(0.0, double(height_m));
      if (a > k.largest) k.largest = a, k.slot = slot;
    }
  });
  gis::Extruder ex;
  for (int y = 0; y < kBlockGrid; ++y)
    for (int x = 0; x < kBlockGrid; ++x) {
      const Cell& k = cells[static_cast<size_t>(y * kBlockGrid + x)];
      if (k.largest < 0.0) continue;
      const glm::dvec2 cmin = lo + cell * glm::dvec2(x, y), cmax = cmin + cell;
      // A square of the group's area, clipped to its cell, kept inside the cell.
      const glm::dvec2 half = glm::min(glm::dvec2(std::sqrt(k.area) * 0.5), cell * 0.5);
      const glm::dvec2 centre = glm::clamp(k.moment / k.area, cmin + half, cmax - half);
      gis::Polygon sq;
      sq.outer = {centre - half, {centre.x + half.x, centre.y - half.y}, centre + half, {centre.x - half.x, centre.y + half.y}};
      const size_t first = out.vertices.size();
      if (!ex.add(sq, k.slot, out)) continue;
      // The roof at the group's mean height, as a share of its largest building's (whose style
      // the block takes, its height included).
      const float own = k.slot < scene.buildings.size() ? scene.buildings[k.slot].height_m : 0.0f;
      const float top = own > 0.0f ? static_cast<float>(k.volume / k.area) / own : 0.0f;
      for (size_t i = first; i < out.vertices.size(); ++i)
        if (out.vertices[i].top > 0.0f) out.vertices[i].top = top;
    }
  out.edge_indices.clear();  // a stand-in has no outlines
  return out;
}

MeshResidency::MeshResidency(Scene& scene, uint64_t budget_bytes) : budget_(budget_bytes) {
  scene.mesh_budget_bytes = budget_;
  worker_ = std::thread([this] { work(); });
}

MeshResidency::~MeshResidency() {
  {
    const std::lock_guard lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void MeshResidency::work() {
  gis::Extruder ex;
  for (;;) {
    Job j;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || (!queue_.empty() && !held_); });
      if (stop_) return;
      j = std::move(queue_.front());
      queue_.pop_front();
    }
    const auto t0 = std::chrono::steady_clock::now();
    try {
      // As rebuild_building_chunk does for an edited chunk: each member (for_each_member_building,
      // copied by plan) as its building slot.
      BuildingChunk c;
      c.mesh.origin = j.origin;
      c.bmin = glm::dvec2(1e300);
      c.bmax = glm::dvec2(-1e300);
      gis::Feature f;
      for (size_t i = 0; i < j.footprints.size(); ++i) {
        f.geom = std::move(j.footprints[i]);
        load_detail::add_building_feature(f, j.slots[i], j.heights[i], c, ex);
      }
      j.footprints = {};
      if (!c.mesh.indices.empty())
        j.clusters = std::make_shared<const gis::ClusteredMesh>(gis::cluster_building_mesh(c.mesh));
      j.mesh = std::move(c.mesh);
    } catch (const std::exception& e) {  // out of memory: this chunk stays without its mesh
      j.mesh = {};
      j.clusters.reset();
      j.error = std::string("rebuilding the meshes of a building chunk: ") + e.what();
    }
    j.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    {
      const std::lock_guard lock(mu_);
      done_.push_back(std::move(j));
    }
    cv_.notify_all();
  }
}

MeshResidency::Entry& MeshResidency::entry(uint32_t layer, size_t chunk) {
  if (entries_.size() <= layer) entries_.resize(layer + 1);
  if (entries_[layer].size() <= chunk) entries_[layer].resize(chunk + 1);
  return entries_[layer][chunk];
}

size_t MeshResidency::collect(Scene& scene) {
  std::vector<Job> got;
  {
    const std::lock_guard lock(mu_);
    got.swap(done_);
    in_flight_ -= got.size();
  }
  if (got.empty()) return 0;
  const uint64_t revision = ++scene.geometry_revision;
  size_t moved = 0;
  for (Job& j : got) {
    restore_s_ += j.seconds;
    if (j.layer < entries_.size() && j.chunk < entries_[j.layer].size()) entries_[j.layer][j.chunk].restoring = false;
    if (!j.error.empty() && error_.empty()) error_ = j.error;
    if (j.layer >= scene.layers.size() || j.chunk >= scene.layers[j.layer].building_chunks.size()) continue;
    BuildingChunk& c = scene.layers[j.layer].building_chunks[j.chunk];
    // Edited (rebuilt by update_features) or loaded anew meanwhile: the chunk has what it should.
    if (!c.evicted || c.revision != j.revision || !j.error.empty()) continue;
    c.mesh = std::move(j.mesh);
    c.blocks = gis::BuildingMesh{};
    c.clusters = std::move(j.clusters);
    c.clusters_revision = revision;
    c.revision = revision;
    c.evicted = false;
    ++restores_;
    ++moved;
  }
  return moved;
}

void MeshResidency::plan(Scene& scene, glm::dvec2 focus) {
  // A scene whose layers changed (reloaded) starts over: entries belong to chunks by index. Layers
  // added after the others (a stream that ends with its lines and points) change nothing.
  bool same = layer_ids_.size() <= scene.layers.size();
  for (size_t i = 0; same && i < layer_ids_.size(); ++i) same = layer_ids_[i] == scene.layers[i].id;
  if (same) {
    for (size_t i = layer_ids_.size(); i < scene.layers.size(); ++i) layer_ids_.push_back(scene.layers[i].id);
  } else {
    {
      const std::lock_guard lock(mu_);
      in_flight_ -= queue_.size();  // what is in hand is dropped by collect (its chunk no longer matches)
      queue_.clear();
    }
    entries_.clear();
    layer_ids_.clear();
    for (const Layer& l : scene.layers) layer_ids_.push_back(l.id);
  }

  scene.mesh_budget_bytes = budget_;
  struct Item {
    double distance;
    uint32_t layer;
    size_t chunk;
    uint64_t bytes;
    uint64_t blocks;  ///< its stand-in's bytes while dropped (an upper bound while it has its mesh)
    bool resident, restoring;
  };
  std::vector<Item> items;
  uint64_t resident = 0, in_flight = 0;
  for (uint32_t li = 0; li < scene.layers.size(); ++li) {
    Layer& l = scene.layers[li];
    if (l.kind != LayerKind::Buildings) continue;
    for (size_t ci = 0; ci < l.building_chunks.size(); ++ci) {
      BuildingChunk& c = l.building_chunks[ci];
      Entry& e = entry(li, ci);
      if (!c.evicted) {
        if (c.mesh.indices.empty()) continue;  // nothing to keep (every member deleted, say)
        e.bytes = chunk_mesh_bytes(c);
        resident += e.bytes;
      } else {
        resident += c.blocks.bytes();  // its stand-in, there until the mesh is back
        if (e.restoring) in_flight += e.bytes;
      }
      items.push_back({distance_to_box(focus, c.bmin, c.bmax), li, ci, e.bytes, c.evicted ? c.blocks.bytes() : kBlocksBound,
                       !c.evicted, e.restoring});
    }
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.distance, a.layer, a.chunk) < std::tie(b.distance, b.layer, b.chunk);
  });
  // The nearest chunks whose meshes fit together with the blocks of all the others (at least the
  // nearest one).
  std::vector<uint64_t> blocks_after(items.size() + 1, 0);
  for (size_t i = items.size(); i-- > 0;) blocks_after[i] = blocks_after[i + 1] + items[i].blocks;
  size_t wanted = 0;
  for (uint64_t sum = 0; wanted < items.size(); ++wanted) {
    if (wanted > 0 && sum + items[wanted].bytes + blocks_after[wanted + 1] > budget_) break;
    sum += items[wanted].bytes;
  }
  // Drops the farthest resident chunk past the wanted ones; false when there is none.
  size_t far = items.size();
  uint64_t dropped_revision = 0;
  auto evict_farthest = [&]() -> bool {
    while (far > wanted && !items[far - 1].resident) --far;
    if (far <= wanted) return false;
    Item& it = items[--far];
    BuildingChunk& c = scene.layers[it.layer].building_chunks[it.chunk];
    gis::BuildingMesh blocks = chunk_blocks(scene, scene.layers[it.layer], c);
    resident += blocks.bytes();
    drop_meshes(c, std::move(blocks));
    if (!dropped_revision) dropped_revision = ++scene.geometry_revision;
    c.revision = dropped_revision;
    it.resident = false;
    resident -= it.bytes;
    ++evictions_;
    return true;
  };
  // Rebuilds not started yet: those of chunks no longer wanted are dropped (a camera that moves on
  // does not leave a backlog to work through before the chunks it now looks at), the others are
  // queued again in the new order.
  std::map<std::pair<uint32_t, size_t>, Job> waiting;
  {
    const std::lock_guard lock(mu_);
    in_flight_ -= queue_.size();
    for (Job& j : queue_) {
      const auto key = std::make_pair(j.layer, j.chunk);
      waiting.emplace(key, std::move(j));
    }
    queue_.clear();
  }
  for (size_t i = wanted; i < items.size(); ++i) {
    Item& it = items[i];
    if (it.restoring && waiting.erase({it.layer, it.chunk})) {
      it.restoring = false;
      entry(it.layer, it.chunk).restoring = false;
      in_flight -= it.bytes;
    }
  }
  while (resident + in_flight > budget_ && evict_farthest()) {
  }
  std::vector<Job> jobs;
  for (size_t i = 0; i < wanted; ++i) {
    Item& it = items[i];
    if (it.restoring) {
      if (auto w = waiting.find({it.layer, it.chunk}); w != waiting.end()) jobs.push_back(std::move(w->second));
      continue;  // else in the worker's hands
    }
    if (it.resident) continue;
    while (resident + in_flight + it.bytes > budget_ && evict_farthest()) {
    }
    const Layer& l = scene.layers[it.layer];
    const BuildingChunk& c = l.building_chunks[it.chunk];
    Job j;
    j.layer = it.layer;
    j.chunk = it.chunk;
    j.revision = c.revision;
    j.origin = c.mesh.origin;
    load_detail::for_each_member_building(scene, l, c, [&](const gis::Feature& f, uint32_t slot, float height_m) {
      j.slots.push_back(slot);
      j.heights.push_back(height_m);
      j.footprints.push_back(f.geom);
    });
    entry(it.layer, it.chunk).restoring = true;
    in_flight += it.bytes;
    jobs.push_back(std::move(j));
  }
  {
    const std::lock_guard lock(mu_);
    in_flight_ += jobs.size();
    for (Job& j : jobs) queue_.push_back(std::move(j));
  }
  if (!jobs.empty()) cv_.notify_all();
  planned_ = true;
  planned_focus_ = focus;
}

bool MeshResidency::update(Scene& scene, glm::dvec2 focus) {
  const uint64_t before = scene.geometry_revision;
  collect(scene);
  const bool moved = !planned_ || glm::length(focus - planned_focus_) > kReplanMetres;
  if (moved || scene.geometry_revision != planned_revision_) plan(scene, moved ? focus : planned_focus_);
  planned_revision_ = scene.geometry_revision;
  return scene.geometry_revision != before;
}

void MeshResidency::finish(Scene& scene, glm::dvec2 focus) {
  hold(false);
  planned_ = false;  // rank by this focus, however near the last one was
  // Until a plan made after the last meshes came in asks for nothing more (a mesh that comes back
  // laid out but without its levels takes other bytes than it did, so the plan after it may differ).
  for (;;) {
    update(scene, focus);
    std::unique_lock lock(mu_);
    if (in_flight_ == 0) break;
    cv_.wait(lock, [&] { return !done_.empty(); });
  }
}

void MeshResidency::hold(bool on) {
  {
    const std::lock_guard lock(mu_);
    held_ = on;
  }
  cv_.notify_all();
}

bool MeshResidency::busy() const {
  const std::lock_guard lock(mu_);
  return in_flight_ > 0;
}

ResidencyStats MeshResidency::stats(const Scene& scene) const {
  ResidencyStats s;
  s.budget_bytes = budget_;
  for (uint32_t li = 0; li < scene.layers.size(); ++li) {
    const Layer& l = scene.layers[li];
    if (l.kind != LayerKind::Buildings) continue;
    for (size_t ci = 0; ci < l.building_chunks.size(); ++ci) {
      const BuildingChunk& c = l.building_chunks[ci];
      const bool known = li < entries_.size() && ci < entries_[li].size();
      if (!c.evicted) {
        if (c.mesh.indices.empty()) continue;
        ++s.chunks_resident;
        s.resident_bytes += chunk_mesh_bytes(c);
      } else {
        ++s.chunks_evicted;
        s.blocks_bytes += c.blocks.bytes();
        if (known) s.evicted_bytes += entries_[li][ci].bytes;
        if (known && entries_[li][ci].restoring) ++s.chunks_restoring;
      }
    }
  }
  s.evictions = evictions_;
  s.restores = restores_;
  s.restore_s = restore_s_;
  return s;
}

}  // namespace parktwin::scene
