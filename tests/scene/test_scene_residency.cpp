// Building meshes within a memory budget (MeshResidency): the meshes kept are the nearest to the
// focus and fit the budget, the others are dropped with every feature kept, and a mesh that comes
// back is the one the layer was loaded with, vertex for vertex; an edit of a dropped chunk gives it
// its (edited) mesh at once and a rebuild asked for before the edit does not overwrite it. The
// viewer's default budget fits the machine it runs on.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <vector>

#include <sys/sysinfo.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "parktwin/gis/building_clusters.h"
#include "parktwin/gis/synthetic.h"
#include "parktwin/scene/residency.h"
#include "parktwin/scene/scene.h"
#include "scene_test_support.h"

using namespace parktwin;
using namespace parktwin::scene;

namespace {

/// `n` synthetic footprints with heights from 6 to 60 m as a buildings layer (several 4 km tiles).
uint32_t add_footprints(Scene& s, size_t n) { return scene::testing::add_synthetic_buildings(s, n, 7, "footprints", true); }

/// How far `p` is from the chunk's bounding box (0 inside).
double gap(glm::dvec2 p, const BuildingChunk& c) {
  const double dx = p.x < c.bmin.x ? c.bmin.x - p.x : p.x > c.bmax.x ? p.x - c.bmax.x : 0.0;
  const double dy = p.y < c.bmin.y ? c.bmin.y - p.y : p.y > c.bmax.y ? p.y - c.bmax.y : 0.0;
  return std::sqrt(dx * dx + dy * dy);
}

/// Every byte the chunk's meshes hold, counted from the vectors themselves.
uint64_t bytes_held(const BuildingChunk& c) {
  auto mesh = [](const gis::BuildingMesh& m) {
    return m.vertices.size() * sizeof(gis::BuildingVertex) + (m.indices.size() + m.edge_indices.size()) * 4;
  };
  auto layout = [](const std::shared_ptr<const gis::ClusteredMesh>& m) -> uint64_t {
    return m ? (m->indices.size() + m->buildings.size() + m->cluster_end.size()) * 4 +
                   m->clusters.size() * sizeof(gis::BuildingCluster)
             : 0;
  };
  uint64_t n = mesh(c.mesh) + layout(c.clusters) + mesh(c.blocks);
  for (const auto& l : c.lods) n += mesh(l.mesh);
  for (const auto& l : c.lod_clusters) n += layout(l);
  return n;
}

struct Kept {
  glm::dvec2 origin;
  std::vector<gis::BuildingVertex> vertices;
  std::vector<uint32_t> indices, edges;
};

void expect_as_loaded(const BuildingChunk& c, const Kept& k, size_t ci) {
  EXPECT_EQ(c.mesh.origin, k.origin) << "chunk " << ci;
  ASSERT_EQ(c.mesh.vertices.size(), k.vertices.size()) << "chunk " << ci;
  for (size_t v = 0; v < k.vertices.size(); ++v) {
    const gis::BuildingVertex &a = c.mesh.vertices[v], &b = k.vertices[v];
    ASSERT_TRUE(a.x == b.x && a.y == b.y && a.top == b.top && a.building == b.building && a.nx == b.nx && a.ny == b.ny)
        << "chunk " << ci << " vertex " << v;
  }
  EXPECT_EQ(c.mesh.indices, k.indices) << "chunk " << ci;
  EXPECT_EQ(c.mesh.edge_indices, k.edges) << "chunk " << ci;
}

}  // namespace

TEST(MeshResidency, KeepsTheNearestMeshesThatFitAndGivesBackTheLoadedOnes) {
  Scene s(gis::SceneFrame::jiangxi());
  const uint32_t li = add_footprints(s, 20000);  // about 14 km across: 16 chunks
  Layer& l = s.layers[li];
  ASSERT_GE(l.building_chunks.size(), 9u);
  build_building_lods(s, 2);  // levels count against the budget too
  std::vector<Kept> loaded;
  std::vector<uint64_t> most;  // the most a chunk's meshes take: as loaded, with a cluster layout too
  uint64_t total = 0;
  for (const BuildingChunk& c : l.building_chunks) {
    loaded.push_back({c.mesh.origin, c.mesh.vertices, c.mesh.indices, c.mesh.edge_indices});
    total += bytes_held(c);
    EXPECT_EQ(chunk_mesh_bytes(c), bytes_held(c));
    BuildingChunk laid_out;
    laid_out.clusters = std::make_shared<const gis::ClusteredMesh>(gis::cluster_building_mesh(c.mesh));
    most.push_back(bytes_held(c) + bytes_held(laid_out));
  }
  const auto features = l.data.features;
  const auto slots = l.feature_building;
  const uint64_t budget = total * 2 / 5;

  MeshResidency r(s, budget);
  auto check_near = [&](glm::dvec2 focus, const char* where) {
    SCOPED_TRACE(where);
    r.finish(s, focus);
    uint64_t kept = 0, blocks = 0;
    size_t dropped = 0, nearest = 0;
    for (size_t ci = 0; ci < l.building_chunks.size(); ++ci) {
      const BuildingChunk& c = l.building_chunks[ci];
      if (gap(focus, c) < gap(focus, l.building_chunks[nearest])) nearest = ci;
      if (c.evicted) {
        ++dropped;
        EXPECT_TRUE(c.mesh.vertices.empty() && c.mesh.indices.empty() && c.lods.empty() && !c.clusters);
        EXPECT_FALSE(c.features.empty());
        EXPECT_FALSE(c.blocks.indices.empty()) << "a dropped chunk is drawn as blocks";
        blocks += bytes_held(c);
      } else {
        EXPECT_TRUE(c.blocks.vertices.empty());
        kept += bytes_held(c);
      }
    }
    EXPECT_LE(kept + blocks, budget) << "the blocks count too";
    EXPECT_GT(kept, budget / 2);  // not far under it either: the chunks are much smaller than the budget
    EXPECT_GT(dropped, 0u);
    EXPECT_FALSE(l.building_chunks[nearest].evicted);
    // A dropped chunk did not fit with the chunks nearer than it (meshes come back nearest first:
    // a nearer dropped one counted at the most its meshes took) and the blocks of the farther ones
    // (which may keep their meshes until their room is needed: counted at the most blocks take,
    // kBlockGrid^2 boxes of 20 vertices and 30 indices).
    const uint64_t most_blocks = uint64_t{kBlockGrid} * kBlockGrid * (20 * sizeof(gis::BuildingVertex) + 30 * 4);
    for (size_t ci = 0; ci < l.building_chunks.size(); ++ci) {
      if (!l.building_chunks[ci].evicted) continue;
      uint64_t nearer = 0, farther = 0;
      for (size_t cj = 0; cj < l.building_chunks.size(); ++cj) {
        const BuildingChunk& c = l.building_chunks[cj];
        if (gap(focus, c) < gap(focus, l.building_chunks[ci])) nearer += c.evicted ? most[cj] : bytes_held(c);
        else if (cj != ci) farther += c.evicted ? bytes_held(c) : most_blocks;
      }
      EXPECT_GT(nearer + most[ci] + farther, budget) << "chunk " << ci << " was dropped with room for it";
    }
    EXPECT_EQ(s.mesh_budget_bytes, budget);
    // Every feature and building slot stays.
    EXPECT_EQ(l.data.features, features);
    EXPECT_EQ(l.feature_building, slots);
    const ResidencyStats st = r.stats(s);
    EXPECT_EQ(st.resident_bytes, kept);
    EXPECT_EQ(st.blocks_bytes, blocks);
    EXPECT_EQ(st.chunks_evicted, dropped);
    EXPECT_EQ(st.chunks_restoring, 0u);
  };
  check_near(s.bmin, "south-west corner");
  // Meshes kept then: those nearest to the other corner must come back.
  std::vector<bool> near_sw;
  for (const BuildingChunk& c : l.building_chunks) near_sw.push_back(!c.evicted);
  check_near(s.bmax, "north-east corner");
  size_t came_back = 0;
  for (size_t ci = 0; ci < l.building_chunks.size(); ++ci) {
    const BuildingChunk& c = l.building_chunks[ci];
    if (!c.evicted) expect_as_loaded(c, loaded[ci], ci);
    if (!c.evicted && !near_sw[ci]) ++came_back;
  }
  EXPECT_GT(came_back, 0u);
  EXPECT_GT(r.stats(s).restores, 0u);
  EXPECT_GT(r.stats(s).evictions, 0u);

  // A budget that holds everything gives every mesh back as it was loaded.
  MeshResidency all(s, total * 2);
  all.finish(s, s.bmax);
  for (size_t ci = 0; ci < l.building_chunks.size(); ++ci) {
    ASSERT_FALSE(l.building_chunks[ci].evicted) << ci;
    expect_as_loaded(l.building_chunks[ci], loaded[ci], ci);
  }
}

TEST(MeshResidency, AnEditedChunkKeepsItsEditOverARebuildAskedForBefore) {
  Scene s(gis::SceneFrame::jiangxi());
  const uint32_t li = add_footprints(s, 20000);
  Layer& l = s.layers[li];
  uint64_t total = 0;
  for (const BuildingChunk& c : l.building_chunks) total += chunk_mesh_bytes(c);
  MeshResidency r(s, total / 4);
  r.finish(s, s.bmin);
  // The dropped chunk farthest from the corner, and one of its buildings, moved 30 m east.
  size_t far = SIZE_MAX;
  for (size_t ci = 0; ci < l.building_chunks.size(); ++ci)
    if (l.building_chunks[ci].evicted && (far == SIZE_MAX || gap(s.bmin, l.building_chunks[ci]) > gap(s.bmin, l.building_chunks[far])))
      far = ci;
  ASSERT_NE(far, SIZE_MAX);
  const uint32_t f = l.building_chunks[far].features.front();
  // Ask for it back (the focus on it), then edit before the rebuild is collected.
  r.update(s, (l.building_chunks[far].bmin + l.building_chunks[far].bmax) * 0.5);
  for (gis::Polygon& p : l.data.features[f].geom.polygons)
    for (glm::dvec2& q : p.outer) q.x += 30.0;
  update_features(s, li, {f});
  const int32_t chunk_now = l.feature_chunk[f];
  ASSERT_GE(chunk_now, 0);
  const BuildingChunk& edited = l.building_chunks[static_cast<size_t>(chunk_now)];
  EXPECT_FALSE(edited.evicted);
  EXPECT_TRUE(edited.blocks.vertices.empty()) << "an edited chunk is drawn as itself, not as blocks";
  ASSERT_FALSE(edited.mesh.vertices.empty());
  // The building's vertices are where the edit put them, after the rebuild has come in too.
  r.finish(s, (l.building_chunks[far].bmin + l.building_chunks[far].bmax) * 0.5);
  const BuildingChunk& after = l.building_chunks[static_cast<size_t>(l.feature_chunk[f])];
  ASSERT_FALSE(after.evicted);
  const auto slot = static_cast<uint32_t>(l.feature_building[f]);
  double min_x = 1e300;
  for (const gis::BuildingVertex& v : after.mesh.vertices)
    if (v.building == slot) min_x = std::min(min_x, after.mesh.origin.x + v.x);
  double ring_min = 1e300;
  for (const gis::Polygon& p : l.data.features[f].geom.polygons)
    for (const glm::dvec2& q : p.outer) ring_min = std::min(ring_min, q.x);
  EXPECT_NEAR(min_x, ring_min, 0.01);
}

TEST(MeshResidency, RebuildsNoLongerWantedAreDroppedBeforeTheyStart) {
  Scene s(gis::SceneFrame::jiangxi());
  const uint32_t li = add_footprints(s, 20000);
  Layer& l = s.layers[li];
  uint64_t total = 0;
  // Laid out as streamed chunks are, so that a rebuilt chunk takes what it took before.
  for (BuildingChunk& c : l.building_chunks) {
    c.clusters = std::make_shared<const gis::ClusteredMesh>(gis::cluster_building_mesh(c.mesh));
    c.clusters_revision = c.revision;
    total += chunk_mesh_bytes(c);
  }
  MeshResidency r(s, total * 2 / 5);
  r.finish(s, s.bmin);
  std::vector<bool> kept_sw;
  for (const BuildingChunk& c : l.building_chunks) kept_sw.push_back(!c.evicted);
  // Held: the move north-east asks for its chunks and drops south-western ones to make room, but
  // nothing is rebuilt yet.
  r.hold(true);
  r.update(s, s.bmax);
  const ResidencyStats asked = r.stats(s);
  EXPECT_GT(asked.chunks_restoring, 0u);
  EXPECT_EQ(asked.restores, 0u);
  size_t sw_dropped = 0;
  for (size_t ci = 0; ci < l.building_chunks.size(); ++ci) sw_dropped += kept_sw[ci] && l.building_chunks[ci].evicted;
  ASSERT_GT(sw_dropped, 0u);
  // Back south-west before the worker started: the north-east's rebuilds are dropped unstarted,
  // only the south-west's dropped chunks are rebuilt.
  r.update(s, s.bmin);
  r.finish(s, s.bmin);
  const ResidencyStats back = r.stats(s);
  EXPECT_EQ(back.restores, sw_dropped);
  for (size_t ci = 0; ci < l.building_chunks.size(); ++ci)
    EXPECT_EQ(!l.building_chunks[ci].evicted, kept_sw[ci]) << "chunk " << ci;
}

// The blocks a dropped chunk is drawn as: at most kBlockGrid^2 boxes inside the chunk's bounds,
// without outlines, each styled as one of the chunk's buildings, and together with the footprint
// area and the volume of the chunk's buildings (measured here from the roof triangles and the
// building heights, against the footprints' own areas and heights).
TEST(MeshResidency, BlocksKeepTheAreaAndVolumeOfTheirChunksBuildings) {
  Scene s(gis::SceneFrame::jiangxi());
  const uint32_t li = add_footprints(s, 20000);
  const Layer& l = s.layers[li];
  size_t checked = 0;
  for (const BuildingChunk& c : l.building_chunks) {
    double area = 0.0, volume = 0.0;
    std::vector<bool> member(s.buildings.size(), false);
    for (uint32_t f : c.features) {
      const int32_t slot = l.feature_building[f];
      if (slot < 0) continue;
      member[static_cast<size_t>(slot)] = true;
      for (const gis::Polygon& p : l.data.features[f].geom.polygons) {
        area += gis::polygon_area(p);
        volume += gis::polygon_area(p) * s.buildings[static_cast<size_t>(slot)].height_m;
      }
    }
    if (area <= 0.0) continue;
    const gis::BuildingMesh b = chunk_blocks(s, l, c);
    SCOPED_TRACE("chunk of " + std::to_string(c.features.size()) + " buildings");
    EXPECT_EQ(b.origin, c.mesh.origin);
    EXPECT_TRUE(b.edge_indices.empty());
    ASSERT_FALSE(b.indices.empty());
    EXPECT_LE(b.vertices.size(), size_t{kBlockGrid} * kBlockGrid * 20);
    EXPECT_LT(b.bytes() * 20, c.mesh.bytes()) << "blocks are a small part of the chunk's mesh";
    double roof_area = 0.0, roof_volume = 0.0;
    for (size_t i = 0; i + 2 < b.indices.size(); i += 3) {
      const gis::BuildingVertex &p = b.vertices[b.indices[i]], &q = b.vertices[b.indices[i + 1]], &r = b.vertices[b.indices[i + 2]];
      if (!(p.roof() && q.roof() && r.roof())) continue;
      const double a = 0.5 * std::abs((q.x - p.x) * (r.y - p.y) - (r.x - p.x) * (q.y - p.y));
      ASSERT_LT(p.building, s.buildings.size());
      roof_area += a;
      roof_volume += a * p.top * s.buildings[p.building].height_m;
    }
    for (const gis::BuildingVertex& v : b.vertices) {
      ASSERT_LT(v.building, member.size());
      EXPECT_TRUE(member[v.building]) << "a block is styled as a building of its chunk";
      const glm::dvec2 at = b.origin + glm::dvec2(v.x, v.y);
      EXPECT_TRUE(at.x >= c.bmin.x - 0.01 && at.y >= c.bmin.y - 0.01 && at.x <= c.bmax.x + 0.01 && at.y <= c.bmax.y + 0.01);
    }
    EXPECT_NEAR(roof_area, area, area * 1e-4);
    EXPECT_NEAR(roof_volume, volume, volume * 1e-4);
    ++checked;
  }
  EXPECT_GE(checked, 9u);
}

// The dropped chunks' blocks take room in the budget: with a budget that holds the four chunks
// nearest to the focus but not also the blocks of the others, three keep their meshes.
TEST(MeshResidency, TheBlocksOfDroppedChunksCountInTheBudget) {
  Scene s(gis::SceneFrame::jiangxi());
  const uint32_t li = add_footprints(s, 20000);
  const Layer& l = s.layers[li];
  std::vector<size_t> order(l.building_chunks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return gap(s.bmin, l.building_chunks[a]) < gap(s.bmin, l.building_chunks[b]);
  });
  ASSERT_GE(order.size(), 9u);
  uint64_t four = 0, blocks_of_rest = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const BuildingChunk& c = l.building_chunks[order[k]];
    if (k < 4) four += bytes_held(c);
    else blocks_of_rest += chunk_blocks(s, l, c).bytes();
  }
  ASSERT_GT(blocks_of_rest, 0u);
  const uint64_t budget = four + blocks_of_rest - 1;
  MeshResidency r(s, budget);
  r.finish(s, s.bmin);
  uint64_t held = 0;
  size_t kept = 0;
  for (const BuildingChunk& c : l.building_chunks) {
    held += bytes_held(c);  // meshes of the kept chunks, blocks of the dropped ones
    kept += c.evicted ? 0 : 1;
  }
  EXPECT_LE(held, budget);
  EXPECT_EQ(kept, 3u);
  for (size_t k = 0; k < 3; ++k) EXPECT_FALSE(l.building_chunks[order[k]].evicted) << "the nearest three keep theirs";
}

// The viewer's default budget (no --mesh-budget-mb) on machines of different shapes: the meshes
// and the renderer's copy of them stay within a quarter of the host's memory, a discrete GPU's
// local memory bounds its copy, and a tiny or unknown machine still gets a usable budget.
TEST(DefaultMeshBudget, LeavesTheMachineRoomForEverythingElse) {
  constexpr uint64_t GiB = uint64_t{1} << 30;
  // This development machine's shape: 20 GiB available, lavapipe (its "device" memory is the host's).
  MemoryFigures cpu{20 * GiB, 20 * GiB, true};
  const uint64_t on_cpu = default_mesh_budget_bytes(cpu);
  EXPECT_LE(2 * on_cpu, cpu.host_available / 4) << "the scene's meshes and the device's copy, both in host RAM";
  EXPECT_GE(2 * on_cpu, cpu.host_available / 4 - 1);  // and not much less: the budget is used

  // The same host with a discrete GPU: the copy goes to the GPU, so the host keeps twice as much.
  MemoryFigures big_gpu{20 * GiB, 141 * GiB, false};
  EXPECT_EQ(default_mesh_budget_bytes(big_gpu), 2 * on_cpu);
  // A small discrete GPU bounds its copy (with room for the rest of the frame) whatever the host has.
  MemoryFigures small_gpu{120 * GiB, 4 * GiB, false};
  EXPECT_LE(default_mesh_budget_bytes(small_gpu), small_gpu.device_local / 2);
  EXPECT_LT(default_mesh_budget_bytes(small_gpu), default_mesh_budget_bytes(MemoryFigures{120 * GiB, 141 * GiB, false}));

  // The device's largest buffer bounds it (every drawn chunk's vertices share one buffer, and are
  // at most three quarters of the meshes' bytes): lavapipe's 2 GiB.
  MemoryFigures big_host_cpu{64 * GiB, 64 * GiB, true, 2 * GiB};
  EXPECT_LE(default_mesh_budget_bytes(big_host_cpu) * 3 / 4, big_host_cpu.largest_buffer);
  EXPECT_GT(default_mesh_budget_bytes(big_host_cpu), default_mesh_budget_bytes(MemoryFigures{8 * GiB, 8 * GiB, true, 2 * GiB}));
  // A nearly full machine still keeps the chunk nearest the camera and the far chunks' blocks.
  EXPECT_EQ(default_mesh_budget_bytes(MemoryFigures{64u << 20, 0, true}), kMinDefaultMeshBudget);
  // Nothing known (no /proc/meminfo, no heap): no bound, every mesh is kept as before.
  EXPECT_EQ(default_mesh_budget_bytes(MemoryFigures{}), UINT64_MAX);
}

TEST(DefaultMeshBudget, HostMemoryAvailableIsReadFromTheKernel) {
  const uint64_t avail = host_memory_available_bytes();
  struct sysinfo si {};
  ASSERT_EQ(sysinfo(&si), 0);
  const uint64_t total = static_cast<uint64_t>(si.totalram) * si.mem_unit;
  EXPECT_GT(avail, 0u) << "MemAvailable was not read";
  EXPECT_LE(avail, total) << "more available than the machine has";
  // At least what the kernel counts as free right now, less what others may have taken since.
  const uint64_t free_now = static_cast<uint64_t>(si.freeram) * si.mem_unit;
  EXPECT_GE(avail + total / 20, free_now);
}

// Memory pressure: with MemAvailable under the reserve the budget gives up the shortfall (never
// below the minimum); with enough, or figures unknown, it stays.
TEST(DefaultMeshBudget, MemoryPressureLowersTheBudgetByTheShortfall) {
  constexpr uint64_t GiB = uint64_t{1} << 30, MiB = uint64_t{1} << 20;
  const uint64_t total = 24 * GiB, reserve = memory_reserve_bytes(total);
  EXPECT_GE(reserve, total / 10);
  EXPECT_GE(reserve, 512 * MiB);
  const uint64_t budget = 2730 * MiB;
  EXPECT_EQ(budget_under_pressure(budget, 20 * GiB, total), budget) << "plenty left";
  EXPECT_EQ(budget_under_pressure(budget, reserve, total), budget) << "exactly the reserve";
  const uint64_t short_by = 300 * MiB;
  EXPECT_EQ(budget_under_pressure(budget, reserve - short_by, total), budget - short_by);
  EXPECT_EQ(budget_under_pressure(1 * GiB, 1, total), kMinDefaultMeshBudget) << "a shortfall past the budget";
  EXPECT_EQ(budget_under_pressure(8 * MiB, 1, total), 8 * MiB) << "a budget under the minimum is not raised";
  EXPECT_EQ(budget_under_pressure(budget, 0, total), budget) << "MemAvailable unknown";
  EXPECT_EQ(budget_under_pressure(budget, 1, 0), budget) << "MemTotal unknown";
  EXPECT_GT(host_memory_total_bytes(), host_memory_available_bytes());
}

// A budget lowered while running (memory pressure) drops the farthest meshes at the next update,
// down to the new budget; every feature stays.
TEST(MeshResidency, ALoweredBudgetDropsTheFarthestMeshesAtTheNextUpdate) {
  Scene s(gis::SceneFrame::jiangxi());
  Layer& l = s.layers[add_footprints(s, 20000)];
  const size_t features = l.data.features.size();
  const uint64_t total = std::accumulate(l.building_chunks.begin(), l.building_chunks.end(), uint64_t{0},
                                         [](uint64_t sum, const BuildingChunk& c) { return sum + bytes_held(c); });
  MeshResidency r(s, total * 2);
  const glm::dvec2 focus = s.bmin;
  r.finish(s, focus);
  EXPECT_EQ(r.stats(s).chunks_evicted, 0u) << "everything fits at first";

  r.set_budget(s, total / 3);
  EXPECT_EQ(s.mesh_budget_bytes, total / 3);
  r.finish(s, focus);
  uint64_t kept = 0;
  double farthest_kept = 0.0, nearest_dropped = 1e300;
  for (const BuildingChunk& c : l.building_chunks) {
    if (c.evicted) nearest_dropped = std::min(nearest_dropped, gap(focus, c));
    else kept += bytes_held(c), farthest_kept = std::max(farthest_kept, gap(focus, c));
  }
  EXPECT_GT(r.stats(s).chunks_evicted, 0u);
  EXPECT_LE(kept, total / 3);
  EXPECT_LE(farthest_kept, nearest_dropped) << "the meshes kept are the nearest";
  EXPECT_EQ(l.data.features.size(), features);
}

// Memory freed in holes of the heap (meshes dropped between features that stay) goes back to the
// system: the process's resident memory, read from /proc/self/statm, falls by about what was freed.
TEST(DefaultMeshBudget, FreedHeapMemoryGoesBackToTheSystem) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer has its own allocator";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  GTEST_SKIP() << "AddressSanitizer has its own allocator";
#endif
#endif
#ifndef __GLIBC__
  GTEST_SKIP() << "not glibc: nothing to give back this way";
#endif
  auto statm_resident = [] {
    std::ifstream f("/proc/self/statm");
    uint64_t size = 0, resident = 0;
    f >> size >> resident;
    return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  };
  // 3,000 blocks of 96 KiB (under glibc's smallest mmap threshold: they come from the heap),
  // written, then all but every sixteenth freed: about 270 MiB in holes the heap cannot shrink over.
  constexpr size_t kBlock = 96 << 10, kBlocks = 3000;
  std::vector<std::vector<char>> blocks(kBlocks);
  for (auto& b : blocks) b.assign(kBlock, 1);
  uint64_t freed = 0;
  for (size_t i = 0; i < kBlocks; ++i)
    if (i % 16 != 15) {
      freed += blocks[i].capacity();
      std::vector<char>().swap(blocks[i]);
    }
  const uint64_t before = statm_resident();
  const uint64_t back = return_free_heap_to_system();
  const uint64_t after = statm_resident();
  std::printf("freed %.0f MiB; resident %.0f -> %.0f MiB; reported %.0f MiB back\n", freed / 1048576.0,
              before / 1048576.0, after / 1048576.0, back / 1048576.0);
  ASSERT_LT(after, before);
  EXPECT_GE(before - after, freed * 3 / 4) << "most of what was freed left the process";
  EXPECT_NEAR(static_cast<double>(back), static_cast<double>(before - after), 8.0 * 1048576.0)
      << "the figure reported is what left";
  EXPECT_GT(process_resident_bytes(), 0u);
}

// A budget asked for explicitly is kept, but what it risks on this machine is said: past the
// largest buffer, the GPU's memory or the memory available (twice over where the device's copy
// is host memory); nothing within them, nothing where the figures are unknown.
TEST(DefaultMeshBudget, AnExplicitBudgetPastTheMachineIsSaid) {
  constexpr uint64_t MiB = uint64_t{1} << 20, GiB = uint64_t{1} << 30;
  MemoryFigures lavapipe;  // this machine: lavapipe's 2 GiB largest buffer, 22 GiB available
  lavapipe.host_available = 22 * GiB;
  lavapipe.device_uses_host_memory = true;
  lavapipe.largest_buffer = 2 * GiB;
  const uint64_t holds = default_mesh_budget_bytes({.largest_buffer = 2 * GiB});  // what the buffer bounds
  EXPECT_EQ(mesh_budget_caveats(holds, lavapipe), "") << "at the bound";
  const std::string past = mesh_budget_caveats(holds + MiB, lavapipe);
  EXPECT_NE(past.find("largest buffer"), std::string::npos) << past;
  EXPECT_NE(past.find("left undrawn"), std::string::npos) << past;
  EXPECT_EQ(past.find("available"), std::string::npos) << "22 GiB hold twice 2.7 GiB: " << past;

  MemoryFigures little = lavapipe;  // the same device with 4 GiB available: twice the budget counts
  little.host_available = 4 * GiB;
  EXPECT_EQ(mesh_budget_caveats(2 * GiB, little), "");
  const std::string short_host = mesh_budget_caveats(2 * GiB + 64 * MiB, little);
  EXPECT_NE(short_host.find("4096 MiB of memory available"), std::string::npos) << short_host;
  EXPECT_NE(short_host.find("twice"), std::string::npos) << short_host;

  MemoryFigures gpu;  // a discrete 8 GiB GPU with a 4 GiB largest buffer on a 64 GiB host
  gpu.host_available = 64 * GiB;
  gpu.device_local = 8 * GiB;
  gpu.largest_buffer = 4 * GiB;
  EXPECT_EQ(mesh_budget_caveats(5 * GiB, gpu), "");
  const std::string over = mesh_budget_caveats(9 * GiB, gpu);
  EXPECT_NE(over.find("GPU's memory (8192 MiB)"), std::string::npos) << over;
  EXPECT_NE(over.find("largest buffer"), std::string::npos) << over;
  EXPECT_EQ(over.find("available"), std::string::npos) << "the host holds 9 GiB: " << over;

  EXPECT_EQ(mesh_budget_caveats(uint64_t{1} << 50, MemoryFigures{}), "") << "nothing known, nothing said";
}
