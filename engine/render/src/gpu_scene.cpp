#include "gpu_scene.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "gpu_types.h"

namespace parktwin::render {

GpuScene::GpuScene(Context& ctx, SubmitNow submit, const uint32_t& frames_started)
    : ctx_(ctx), submit_(std::move(submit)), frames_started_(frames_started) {
  const VkMemoryPropertyFlags direct = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                       VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  const bool unified = ctx_.info.uses_host_memory;
  // PARKTWIN_STAGING_UPLOADS=1 takes the staging path of discrete GPUs anywhere (tests of it).
  const char* staging = std::getenv("PARKTWIN_STAGING_UPLOADS");
  direct_uploads_ = unified && ctx_.dev.find_memory_type(~0u, direct) != UINT32_MAX && !(staging && *staging == '1');

  const VkDevice dev = ctx_.device();
  styles_layout_ = vk::make_storage_set_layout(dev, 1, VK_SHADER_STAGE_VERTEX_BIT, "vkCreateDescriptorSetLayout (styles)");
  styles_pool_ = vk::make_storage_pool(dev, kFramesInFlight, kFramesInFlight, "vkCreateDescriptorPool (styles)");
  for (Styles& s : styles_)
    s.set = vk::allocate_set(dev, styles_pool_.vk(), styles_layout_.vk(), "vkAllocateDescriptorSets (styles)");
  // Vertex and index values are 32-bit, and each buffer one allocation.
  max_vertices_ = std::min<uint64_t>(ctx_.max_allocation_bytes / sizeof(gis::BuildingVertex), UINT32_MAX);
  max_indices_ = std::min<uint64_t>(ctx_.max_allocation_bytes / sizeof(uint32_t), UINT32_MAX);
}

vk::Buffer GpuScene::make_static_buffer(const void* data, size_t bytes, VkBufferUsageFlags usage) {
  const VkMemoryPropertyFlags direct = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                       VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  if (ctx_.info.uses_host_memory && ctx_.dev.find_memory_type(~0u, direct) != UINT32_MAX) {
    vk::Buffer b(ctx_.dev, bytes, usage, direct);
    if (bytes) std::memcpy(b.mapped(), data, bytes);
    return b;
  }
  vk::Buffer staging(ctx_.dev, bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                     VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
  if (bytes) std::memcpy(staging.mapped(), data, bytes);
  vk::Buffer b(ctx_.dev, bytes, usage | VK_BUFFER_USAGE_TRANSFER_DST_BIT, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  if (bytes)
    submit_([&](VkCommandBuffer cmd) {
      VkBufferCopy c{0, 0, bytes};
      vkCmdCopyBuffer(cmd, staging.vk(), b.vk(), 1, &c);
    });
  return b;
}

vk::Buffer GpuScene::make_mesh_buffer(std::initializer_list<std::pair<const void*, size_t>> parts,
                                      VkBufferUsageFlags usage) {
  size_t bytes = 0;
  for (const auto& p : parts) bytes += p.second;
  auto fill = [&](void* dst) {
    auto* d = static_cast<uint8_t*>(dst);
    for (const auto& p : parts)
      if (p.second) std::memcpy(d, p.first, p.second), d += p.second;
  };
  if (direct_uploads_) {
    vk::Buffer b(ctx_.dev, bytes, usage,
                 VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                     VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    fill(b.mapped());
    return b;
  }
  vk::Buffer staging(ctx_.dev, bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                     VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
  fill(staging.mapped());
  vk::Buffer b(ctx_.dev, bytes, usage | VK_BUFFER_USAGE_TRANSFER_DST_BIT, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  pending_copies_.push_back({std::move(staging), b.vk(), 0, bytes});
  return b;
}

void GpuScene::write_range(const vk::Buffer& dst, VkDeviceSize offset,
                           std::initializer_list<std::pair<const void*, size_t>> parts) {
  size_t bytes = 0;
  for (const auto& p : parts) bytes += p.second;
  if (bytes == 0) return;
  auto fill = [&](void* out) {
    auto* d = static_cast<uint8_t*>(out);
    for (const auto& p : parts)
      if (p.second) std::memcpy(d, p.first, p.second), d += p.second;
  };
  if (direct_uploads_) {  // a range no frame in flight reads (fresh space at the end)
    fill(static_cast<uint8_t*>(dst.mapped()) + offset);
    return;
  }
  vk::Buffer staging(ctx_.dev, bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                     VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
  fill(staging.mapped());
  pending_copies_.push_back({std::move(staging), dst.vk(), offset, bytes});
}

void GpuScene::retire(vk::Buffer&& b) {
  if (!b) return;
  // A copy into it that no frame has recorded yet is dropped with it.
  for (auto it = pending_copies_.begin(); it != pending_copies_.end();) {
    if (it->dst == b.vk()) {
      retired_.push_back({frames_started_, std::move(it->staging)});
      it = pending_copies_.erase(it);
    } else {
      ++it;
    }
  }
  retired_.push_back({frames_started_, std::move(b)});
}

void GpuScene::collect_retired(uint64_t frames_done) {
  std::erase_if(retired_, [&](const Retired& r) { return r.after <= frames_done; });
}

void GpuScene::record_pending_copies(VkCommandBuffer cmd) {
  if (pending_copies_.empty()) return;
  for (PendingCopy& p : pending_copies_) {
    VkBufferCopy c{0, p.dst_offset, p.bytes};
    vkCmdCopyBuffer(cmd, p.staging.vk(), p.dst, 1, &c);
  }
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  mb.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_VERTEX_ATTRIBUTE_READ_BIT | VK_ACCESS_INDEX_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_VERTEX_INPUT_BIT, 0, 1, &mb, 0, nullptr, 0,
                       nullptr);
  // This command buffer's frame (already counted in frames_started_) reads them.
  for (PendingCopy& p : pending_copies_) retired_.push_back({frames_started_, std::move(p.staging)});
  pending_copies_.clear();
}

void GpuScene::reset_chunk(Chunk& g, uint64_t revision) {
  retire(std::move(g.vb));
  retire(std::move(g.ib));
  g.draws.clear();
  g.revision = revision;
}

void GpuScene::upload_ground_chunk(const scene::GroundChunk& c, uint32_t layer, Chunk& g, RenderStats& stats) {
  reset_chunk(g, c.revision);
  const auto& f = c.fill;
  const auto& l = c.lines;
  if (f.indices.empty() && l.indices.empty()) return;
  const size_t vbytes = (f.vertices.size() + l.vertices.size()) * sizeof(gis::FlatVertex);
  const size_t ibytes = (f.indices.size() + l.indices.size()) * sizeof(uint32_t);
  g.vb = make_mesh_buffer({{f.vertices.data(), f.vertices.size() * sizeof(gis::FlatVertex)},
                           {l.vertices.data(), l.vertices.size() * sizeof(gis::FlatVertex)}},
                          VK_BUFFER_USAGE_VERTEX_BUFFER_BIT);
  g.ib = make_mesh_buffer({{f.indices.data(), f.indices.size() * sizeof(uint32_t)},
                           {l.indices.data(), l.indices.size() * sizeof(uint32_t)}},
                          VK_BUFFER_USAGE_INDEX_BUFFER_BIT);
  if (!f.indices.empty())
    g.draws.push_back({DrawKind::Fill, layer, f.origin, c.bmin, c.bmax, 0.0, 0, static_cast<uint32_t>(f.indices.size()),
                       0, g.vb.vk(), g.ib.vk()});
  if (!l.indices.empty())
    g.draws.push_back({DrawKind::Lines, layer, l.origin, c.bmin, c.bmax, 0.0, static_cast<uint32_t>(f.indices.size()),
                       static_cast<uint32_t>(l.indices.size()), static_cast<int32_t>(f.vertices.size()), g.vb.vk(),
                       g.ib.vk()});
  ++stats.chunks_uploaded;
  stats.bytes_uploaded += vbytes + ibytes;
}

namespace {

/// Faults in the pages of [p, p + bytes) writable without changing them (Linux 5.14+).
void populate_write(void* p, size_t bytes) {
#ifdef MADV_POPULATE_WRITE
  if (!p || bytes == 0) return;
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto start = reinterpret_cast<uintptr_t>(p) & ~(page - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(p) + bytes;
  ::madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_WRITE);  // best effort
#else
  (void)p;
  (void)bytes;
#endif
}

/// The meshes of a chunk the GPU holds: its full mesh, and its levels of detail when they were
/// built for its current geometry; only its blocks when its meshes were dropped.
std::vector<const gis::BuildingMesh*> chunk_meshes(const scene::BuildingChunk& c) {
  std::vector<const gis::BuildingMesh*> m;
  const gis::BuildingMesh& drawn = c.drawn_mesh();
  if (drawn.indices.empty()) return m;
  m.push_back(&drawn);
  if (c.evicted) return m;  // blocks have no levels
  if (c.lods_revision == c.revision)
    for (const gis::BuildingLod& l : c.lods)
      if (!l.mesh.indices.empty()) m.push_back(&l.mesh);
  return m;
}

}  // namespace

bool GpuScene::place_building_chunk(const scene::BuildingChunk& c, BuildingChunk& g, RenderStats& stats) {
  const std::vector<const gis::BuildingMesh*> meshes = chunk_meshes(c);
  // Levels of detail that arrived (or went) for geometry already placed: the full mesh stays where
  // it is and only the levels are appended (or dropped).
  const size_t keep = g.revision == c.revision && !g.levels.empty() && !meshes.empty() ? 1 : 0;
  size_t nv = 0, ni = 0;
  for (size_t l = keep; l < meshes.size(); ++l)
    nv += meshes[l]->vertices.size(), ni += meshes[l]->index_count();
  if (nv > 0 && (vertices_used_ + nv > vertex_capacity_ || indices_used_ + ni > index_capacity_)) return false;
  g.no_room = false;
  g.revision = c.revision;
  g.lods_revision = c.lods_revision;
  g.origin = c.mesh.origin;
  g.zmax = c.max_height;
  g.blocks = c.evicted;
  g.levels.resize(keep);
  ClusteredMesh full_here, level_here;  // layouts made here when the chunk has none for its meshes
  auto lay_out = [&](ClusteredMesh& here, auto&& make) -> const ClusteredMesh* {
    const auto t0 = std::chrono::steady_clock::now();
    here = make();
    ++stats.meshes_laid_out;
    stats.lay_out_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return &here;
  };
  const ClusteredMesh* full = c.evicted ? nullptr : c.prepared_clusters();
  for (size_t l = keep; l < meshes.size(); ++l) {
    const gis::BuildingMesh& m = *meshes[l];
    if (!full) full = lay_out(full_here, [&] { return cluster_building_mesh(*meshes[0]); });
    const ClusteredMesh* prepared = l == 0 ? full : c.prepared_lod_clusters(l - 1);
    if (!prepared) prepared = lay_out(level_here, [&] { return cluster_like(m, *full); });
    const ClusteredMesh& cm = *prepared;
    BuildingLevel& level = g.levels.emplace_back();
    level.vertex_base = static_cast<uint32_t>(vertices_used_);
    level.index_base = static_cast<uint32_t>(indices_used_);
    level.vertex_count = static_cast<uint32_t>(m.vertices.size());
    level.index_count = static_cast<uint32_t>(cm.indices.size());
    level.clusters = cm.clusters;
    level.error_m = l == 0 ? 0.0f : static_cast<float>(c.lods[l - 1].error_m);
    const size_t vbytes = m.vertices.size() * sizeof(gis::BuildingVertex), ibytes = cm.indices.size() * sizeof(uint32_t);
    write_range(building_vb_, vertices_used_ * sizeof(gis::BuildingVertex), {{m.vertices.data(), vbytes}});
    write_range(building_ib_, indices_used_ * sizeof(uint32_t), {{cm.indices.data(), ibytes}});
    vertices_used_ += m.vertices.size();
    indices_used_ += cm.indices.size();
    stats.bytes_uploaded += vbytes + ibytes;
  }
  if (meshes.size() > keep) ++stats.chunks_uploaded;
  return true;
}

void GpuScene::pack_buildings(const scene::Scene& scene, RenderStats& stats, bool grow) {
  if (prefault_.joinable()) prefault_.join();  // the buffers it works on are about to be retired
  ++stats.building_packs;
  uint64_t nv = 0, ni = 0;      // what there is
  double est_v = 0, est_i = 0;  // what there will be once streamed layers have arrived
  for (const scene::Layer& l : scene.layers) {
    // Full meshes; levels of detail; the full meshes of the chunks that have levels. Once some
    // chunks have levels the others get theirs too (the levels-of-detail pass covers every chunk):
    // room for them at the ratio seen so far, so that levels arriving chunk by chunk repack once.
    double full_v = 0, full_i = 0, lev_v = 0, lev_i = 0, with_v = 0, with_i = 0;
    for (const scene::BuildingChunk& c : l.building_chunks) {
      const std::vector<const gis::BuildingMesh*> meshes = chunk_meshes(c);
      for (size_t k = 0; k < meshes.size(); ++k) {
        const uint64_t v = meshes[k]->vertices.size(), i = meshes[k]->index_count();
        nv += v;
        ni += i;
        (k == 0 ? full_v : lev_v) += static_cast<double>(v);
        (k == 0 ? full_i : lev_i) += static_cast<double>(i);
        if (k == 0 && meshes.size() > 1) with_v += static_cast<double>(v), with_i += static_cast<double>(i);
      }
    }
    if (with_v > 0 && with_i > 0) {
      lev_v += (full_v - with_v) * lev_v / with_v;
      lev_i += (full_i - with_i) * lev_i / with_i;
    }
    const auto arrived = static_cast<double>(l.data.features.size());
    const double scale = l.features_expected > 0 && arrived > 0 ? std::max(1.0, static_cast<double>(l.features_expected) / arrived) : 1.0;
    est_v += (full_v + lev_v) * scale;
    est_i += (full_i + lev_i) * scale;
  }
  // Meshes kept within a budget (MeshResidency): room for that much, not for every declared feature.
  if (const double budget = static_cast<double>(scene.mesh_budget_bytes); budget > 0) {
    const double est_bytes = est_v * sizeof(gis::BuildingVertex) + est_i * sizeof(uint32_t);
    if (est_bytes > budget) {
      est_v = std::max(static_cast<double>(nv), est_v * budget / est_bytes);
      est_i = std::max(static_cast<double>(ni), est_i * budget / est_bytes);
    }
  }
  // A quarter to spare: edits append their chunks' new meshes until it is used up. Out of room,
  // the buffers grow by half unless packing alone frees enough (chunks whose meshes were dropped,
  // MeshResidency, leave holes that meshes coming back would otherwise grow the buffers over).
  // Never past the device's largest buffer: what does not fit there is left undrawn (below).
  auto capacity = [&](uint64_t need, double estimate, uint64_t before, uint64_t pad, uint64_t most) -> uint64_t {
    const auto est = static_cast<uint64_t>(std::min(estimate, 8.0e9));
    uint64_t cap = std::max(est + est / 4, need + need / 4) + pad;
    if (grow) cap = std::max(cap, cap > before ? before + before / 2 : before);
    return std::min(cap, most);
  };
  vertex_capacity_ = capacity(nv, est_v, vertex_capacity_, kPackPadVertices, max_vertices_);
  index_capacity_ = capacity(ni, est_i, index_capacity_, kPackPadIndices, max_indices_);
  retire(std::move(building_vb_));
  retire(std::move(building_ib_));
  const VkMemoryPropertyFlags props =
      direct_uploads_ ? VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                            VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
                      : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  const VkBufferUsageFlags copy = direct_uploads_ ? 0 : VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  auto allocate = [&] {
    building_vb_ = vk::Buffer(ctx_.dev, vertex_capacity_ * sizeof(gis::BuildingVertex), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | copy, props);
    building_ib_ = vk::Buffer(ctx_.dev, index_capacity_ * sizeof(uint32_t), VK_BUFFER_USAGE_INDEX_BUFFER_BIT | copy, props);
  };
  try {
    allocate();
  } catch (const vk::Error&) {
    // Room for what a streamed layer declares does not fit the device (or the source declares far
    // more than it holds): room for what there is, grown again as it arrives.
    if (est_v <= static_cast<double>(nv) && est_i <= static_cast<double>(ni)) throw;
    building_vb_ = {};
    building_ib_ = {};
    est_v = static_cast<double>(nv);
    est_i = static_cast<double>(ni);
    vertex_capacity_ = capacity(nv, est_v, 0, kPackPadVertices, max_vertices_);
    index_capacity_ = capacity(ni, est_i, 0, kPackPadIndices, max_indices_);
    allocate();
  }
  vertices_used_ = indices_used_ = 0;
  packed_for_budget_ = scene.mesh_budget_bytes > 0 ? scene.mesh_budget_bytes : UINT64_MAX;
  if (direct_uploads_) {
    // The first write into each page of fresh host memory faults it in (zeroed by the kernel; in a
    // VM here about 20 us per 4 KiB: 30-50 ms per chunk of 6,000 buildings at upload, on the render
    // thread). A worker faults in what the layers are expected to fill; MADV_POPULATE_WRITE does
    // not change the contents, so uploads may write meanwhile. Where the kernel lacks it, nothing.
    const size_t vb = static_cast<size_t>(std::min<double>(est_v, static_cast<double>(vertex_capacity_))) * sizeof(gis::BuildingVertex);
    const size_t ib = static_cast<size_t>(std::min<double>(est_i, static_cast<double>(index_capacity_))) * sizeof(uint32_t);
    prefault_ = std::jthread([v = building_vb_.mapped(), vb, i = building_ib_.mapped(), ib] {
      populate_write(v, vb);
      populate_write(i, ib);
    });
  }
  for (uint32_t li = 0; li < scene.layers.size(); ++li) {
    const scene::Layer& l = scene.layers[li];
    Layer& g = layers_[li];
    g.buildings.assign(l.building_chunks.size(), BuildingChunk{});
    for (size_t c = 0; c < l.building_chunks.size(); ++c)
      if (!place_building_chunk(l.building_chunks[c], g.buildings[c], stats)) leave_without_room(l.building_chunks[c], g.buildings[c]);
  }
  count_without_room();
}

bool GpuScene::larger_than_the_budget_needs(const scene::Scene& scene) const {
  const uint64_t budget = scene.mesh_budget_bytes;
  if (budget == 0) return false;
  const auto [live_v, live_i] = placed_counts();
  const uint64_t live = live_v * sizeof(gis::BuildingVertex) + live_i * sizeof(uint32_t);
  // A packing sizes them for at most the larger of the budget and what is placed, with a quarter
  // to spare (pack_buildings).
  const uint64_t held = vertex_capacity_ * sizeof(gis::BuildingVertex) + index_capacity_ * sizeof(uint32_t);
  const uint64_t sized = std::max(budget, live), packed = sized + sized / 4 + kPackPadBytes;
  return held > packed && held - packed > held / 8;
}

std::pair<uint64_t, uint64_t> GpuScene::placed_counts() const {
  uint64_t v = 0, i = 0;
  for (const Layer& l : layers_)
    for (const BuildingChunk& b : l.buildings)
      for (const BuildingLevel& lv : b.levels) v += lv.vertex_count, i += lv.index_count;
  return {v, i};
}

bool GpuScene::room_to_reclaim() const {
  const auto [live_v, live_i] = placed_counts();
  // Holes left by meshes replaced or dropped since the last packing: worth packing for an eighth.
  return vertices_used_ - live_v > vertex_capacity_ / 8 || indices_used_ - live_i > index_capacity_ / 8;
}

void GpuScene::leave_without_room(const scene::BuildingChunk& c, BuildingChunk& g) {
  g = BuildingChunk{};
  g.revision = c.revision;
  g.lods_revision = c.lods_revision;
  g.no_room = true;
}

void GpuScene::count_without_room() {
  chunks_without_room_ = 0;
  for (const Layer& l : layers_)
    for (const BuildingChunk& b : l.buildings) chunks_without_room_ += b.no_room ? 1 : 0;
  if (chunks_without_room_ > 0 && !told_no_room_) {
    told_no_room_ = true;
    std::fprintf(stderr,
                 "parktwin: the building meshes need more room than this device's largest buffer (%llu MiB): %zu "
                 "chunks are not drawn; keep fewer meshes with --mesh-budget-mb\n",
                 static_cast<unsigned long long>(ctx_.max_allocation_bytes >> 20), chunks_without_room_);
  }
}

void GpuScene::rebuild_building_records() {
  building_records_.clear();
  building_layers_.clear();
  building_draws_.clear();
  edge_draws_.clear();
  auto record_of = [](const BuildingChunk& g, const BuildingLevel& level, const BuildingCluster& c) {
    BuildingChunkGpu r{};
    r.origin = g.origin;
    r.lo = c.lo;
    r.hi = c.hi;
    r.zmax = static_cast<float>(g.zmax);
    r.first_index = level.index_base + c.first_index;
    r.index_count = c.index_count;
    r.edge_first = level.index_base + c.edge_first;
    r.edge_count = c.edge_count;
    r.vertex_offset = static_cast<int32_t>(level.vertex_base);
    r.roof_count = c.roof_count;
    std::copy(c.bin_end.begin(), c.bin_end.end(), r.bin_end);
    r.lod_record[0] = r.lod_record[1] = UINT32_MAX;
    return r;
  };
  std::vector<BuildingChunkGpu> lod_records;  // appended after every layer's records
  std::vector<std::pair<size_t, uint32_t>> lod_links;  // (record, lod_records index)
  for (uint32_t li = 0; li < layers_.size(); ++li) {
    BuildingLayerSpan span{li, static_cast<uint32_t>(building_records_.size()), 0};
    for (const BuildingChunk& g : layers_[li].buildings) {
      if (g.levels.empty()) continue;
      for (size_t ci = 0; ci < g.levels[0].clusters.size(); ++ci) {
        const BuildingCluster& c = g.levels[0].clusters[ci];
        const auto record = static_cast<uint32_t>(building_records_.size());
        BuildingChunkGpu r = record_of(g, g.levels[0], c);
        // The box holds every level (a coarser outline may reach error_m beyond the full one).
        for (size_t l = 1; l < g.levels.size() && l <= 2; ++l) {
          const BuildingCluster& lc = g.levels[l].clusters[ci];
          r.lo = glm::min(r.lo, lc.lo);
          r.hi = glm::max(r.hi, lc.hi);
          r.lod_error[l - 1] = g.levels[l].error_m;
          lod_links.emplace_back(record * 2 + (l - 1), static_cast<uint32_t>(lod_records.size()));
          lod_records.push_back(record_of(g, g.levels[l], lc));
        }
        r.bmin = g.origin + glm::dvec2(r.lo);  // exact: the float bounds come back from bmin - origin
        r.bmax = g.origin + glm::dvec2(r.hi);
        building_records_.push_back(r);
        building_draws_.push_back({DrawKind::Buildings, li, g.origin, r.bmin, r.bmax, g.zmax, r.first_index,
                                   r.index_count, r.vertex_offset, building_vb_.vk(), building_ib_.vk(), record, g.blocks});
        if (r.edge_count)
          edge_draws_.push_back({DrawKind::Edges, li, g.origin, r.bmin, r.bmax, g.zmax, r.edge_first, r.edge_count,
                                 r.vertex_offset, building_vb_.vk(), building_ib_.vk(), record});
      }
    }
    span.count = static_cast<uint32_t>(building_records_.size()) - span.first;
    if (span.count) building_layers_.push_back(span);
  }
  const auto lod_base = static_cast<uint32_t>(building_records_.size());
  for (const auto& [slot, k] : lod_links) building_records_[slot / 2].lod_record[slot % 2] = lod_base + k;
  building_records_.insert(building_records_.end(), lod_records.begin(), lod_records.end());
  ++buildings_revision_;
}

void GpuScene::rebuild_draws() {
  // Draw order: ground layers as painted (fills before outlines within a layer), then buildings,
  // their edges, and markers on top.
  ground_draws_.clear();
  for (const Layer& l : layers_) {
    for (const DrawKind k : {DrawKind::Fill, DrawKind::Lines})
      for (const Chunk& c : l.ground)
        for (const DrawItem& d : c.draws)
          if (d.kind == k) ground_draws_.push_back(d);
  }
}

void GpuScene::upload(const scene::Scene& scene, RenderStats& stats) {
  retired_.clear();
  pending_copies_.clear();
  layers_.clear();
  layers_.resize(scene.layers.size());
  stats.chunks_uploaded = 0;
  stats.bytes_uploaded = 0;
  stats.meshes_laid_out = 0;
  stats.lay_out_ms = 0.0;
  stats.building_packs = 0;
  std::vector<MarkerInstance> mv;
  marker_draws_.clear();
  for (uint32_t li = 0; li < scene.layers.size(); ++li) {
    const scene::Layer& l = scene.layers[li];
    Layer& g = layers_[li];
    g.ground.resize(l.ground.size());
    for (size_t c = 0; c < l.ground.size(); ++c) upload_ground_chunk(l.ground[c], li, g.ground[c], stats);
    if (!l.markers.empty()) {
      glm::dvec2 lo(1e300), hi(-1e300);
      for (const auto& mk : l.markers) {
        lo = glm::min(lo, mk.pos);
        hi = glm::max(hi, mk.pos);
      }
      const glm::dvec2 origin = (lo + hi) * 0.5;
      marker_draws_.push_back({DrawKind::Markers, li, origin, lo, hi, 0.0, static_cast<uint32_t>(mv.size()),
                               static_cast<uint32_t>(l.markers.size()), 0});
      for (const auto& mk : l.markers)
        mv.push_back({static_cast<float>(mk.pos.x - origin.x), static_cast<float>(mk.pos.y - origin.y), mk.rgba, mk.size_px});
    }
  }
  pack_buildings(scene, stats);
  marker_vb_ = make_static_buffer(mv.data(), mv.size() * sizeof(MarkerInstance), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT);
  for (DrawItem& d : marker_draws_) d.vb = marker_vb_.vk();
  if (!pending_copies_.empty()) {  // the first load: one submission for all staging copies
    submit_([&](VkCommandBuffer cmd) { record_pending_copies(cmd); });
    retired_.clear();  // the submission was waited for
  }
  rebuild_draws();
  rebuild_building_records();
  stats.building_chunks_without_room = static_cast<uint32_t>(chunks_without_room_);
  for (Styles& s : styles_) s.revision = 0, s.held.clear();
}

bool GpuScene::update(const scene::Scene& scene, RenderStats& stats) {
  if (scene.layers.size() != layers_.size()) return false;
  stats.chunks_uploaded = 0;
  stats.bytes_uploaded = 0;
  stats.meshes_laid_out = 0;
  stats.lay_out_ms = 0.0;
  stats.building_packs = 0;
  bool ground_changed = false, buildings_changed = false;
  for (uint32_t li = 0; li < scene.layers.size(); ++li) {
    const scene::Layer& l = scene.layers[li];
    Layer& g = layers_[li];
    if (g.ground.size() < l.ground.size()) g.ground.resize(l.ground.size()), ground_changed = true;
    for (size_t c = 0; c < l.ground.size(); ++c)
      if (g.ground[c].revision != l.ground[c].revision)
        upload_ground_chunk(l.ground[c], li, g.ground[c], stats), ground_changed = true;
  }
  bool packed = false;
  for (uint32_t li = 0; li < scene.layers.size() && !packed; ++li) {
    // A changed chunk's old mesh stays where it is (frames in flight may draw it) until the next packing.
    const scene::Layer& l = scene.layers[li];
    Layer& g = layers_[li];
    if (g.buildings.size() < l.building_chunks.size()) g.buildings.resize(l.building_chunks.size());
    for (size_t c = 0; c < l.building_chunks.size(); ++c) {
      const scene::BuildingChunk& sc = l.building_chunks[c];
      // New geometry, or levels of detail that arrived (or went) since the chunk was placed.
      const bool lods_now = sc.lods_revision == sc.revision && !sc.lods.empty();
      const bool lods_placed = g.buildings[c].levels.size() > 1;
      if (g.buildings[c].revision == sc.revision && (lods_now == lods_placed || g.buildings[c].no_room)) continue;
      buildings_changed = true;
      if (!place_building_chunk(l.building_chunks[c], g.buildings[c], stats)) {
        // Out of room: every chunk again, into larger buffers, or (at the device's largest) packed
        // closer where enough has been freed; else this chunk waits undrawn for the next packing.
        const bool at_most = vertex_capacity_ >= max_vertices_ || index_capacity_ >= max_indices_;
        if (!at_most || room_to_reclaim()) {
          pack_buildings(scene, stats, !at_most);
          packed = true;
          break;
        }
        leave_without_room(sc, g.buildings[c]);
        count_without_room();
      }
    }
  }
  // Chunks left without room get it back once what was dropped or replaced since is worth packing.
  if (!packed && buildings_changed && chunks_without_room_ > 0 && room_to_reclaim()) pack_buildings(scene, stats), packed = true;
  // A budget lowered since the last packing (memory pressure): smaller buffers where that frees an
  // eighth of them, so that the memory goes back (on a CPU device or an integrated GPU it is the
  // host's). Once per lowering, whether or not it packs.
  if (const uint64_t budget = scene.mesh_budget_bytes; !packed && budget > 0 && budget < packed_for_budget_) {
    packed_for_budget_ = budget;
    if (larger_than_the_budget_needs(scene)) pack_buildings(scene, stats), buildings_changed = true;
  }
  stats.building_chunks_without_room = static_cast<uint32_t>(chunks_without_room_);
  if (ground_changed) rebuild_draws();
  if (buildings_changed) rebuild_building_records();
  return true;
}

uint32_t GpuScene::sync_styles(uint32_t slot, const scene::FrameSnapshot& f) {
  Styles& s = styles_[slot];
  if (s.revision == f.styles_revision && s.buffer) return 0;
  static const scene::StyleBlocks kNone;
  const scene::StyleBlocks& styles = f.styles ? *f.styles : kNone;
  const size_t bytes = std::max<size_t>(1, styles.size()) * sizeof(scene::BuildingStyle);
  if (!s.buffer || s.buffer.size() < bytes) {
    s.buffer = vk::Buffer(ctx_.dev, bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                          VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    vk::write_storage_set(ctx_.device(), s.set, {s.buffer.vk()});
    s.held.clear();
  }
  const auto& blocks = styles.blocks();
  s.held.resize(blocks.size());
  uint32_t written = 0;
  auto* out = static_cast<scene::BuildingStyle*>(s.buffer.mapped());
  for (size_t b = 0; b < blocks.size(); ++b) {
    if (s.held[b] == blocks[b]) continue;
    std::memcpy(out + b * scene::kStyleBlock, blocks[b]->data(), blocks[b]->size() * sizeof(scene::BuildingStyle));
    s.held[b] = blocks[b];
    ++written;
  }
  s.revision = f.styles_revision;
  return written;
}

}  // namespace parktwin::render
