#include "gpu_scene.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "gpu_types.h"

namespace parktwin::render {

GpuScene::GpuScene(Context& ctx, SubmitNow submit, const uint32_t& frames_started)
    : ctx_(ctx), submit_(std::move(submit)), frames_started_(frames_started) {
  const VkMemoryPropertyFlags direct = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                       VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  const bool unified = ctx_.props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU ||
                       ctx_.props.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
  // PARKTWIN_STAGING_UPLOADS=1 takes the staging path of discrete GPUs anywhere (tests of it).
  const char* staging = std::getenv("PARKTWIN_STAGING_UPLOADS");
  direct_uploads_ = unified && ctx_.dev.find_memory_type(~0u, direct) != UINT32_MAX && !(staging && *staging == '1');

  const VkDevice dev = ctx_.device();
  styles_layout_ = vk::make_storage_set_layout(dev, 1, VK_SHADER_STAGE_VERTEX_BIT, "vkCreateDescriptorSetLayout (styles)");
  styles_pool_ = vk::make_storage_pool(dev, kFramesInFlight, kFramesInFlight, "vkCreateDescriptorPool (styles)");
  for (Styles& s : styles_)
    s.set = vk::allocate_set(dev, styles_pool_.vk(), styles_layout_.vk(), "vkAllocateDescriptorSets (styles)");
}

vk::Buffer GpuScene::make_static_buffer(const void* data, size_t bytes, VkBufferUsageFlags usage) {
  const VkMemoryPropertyFlags direct = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                       VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  const bool unified = ctx_.props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU ||
                       ctx_.props.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
  if (unified && ctx_.dev.find_memory_type(~0u, direct) != UINT32_MAX) {
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

bool GpuScene::place_building_chunk(const scene::BuildingChunk& c, BuildingChunk& g, RenderStats& stats) {
  const auto& m = c.mesh;
  const size_t nv = m.vertices.size(), ni = m.indices.size() + m.edge_indices.size();
  if (!m.indices.empty() && (vertices_used_ + nv > vertex_capacity_ || indices_used_ + ni > index_capacity_)) return false;
  g.revision = c.revision;
  g.origin = m.origin;
  g.bmin = c.bmin;
  g.bmax = c.bmax;
  g.zmax = c.max_height;
  g.vertex_count = g.index_count = g.edge_count = 0;
  if (m.indices.empty()) return true;
  g.vertex_base = static_cast<uint32_t>(vertices_used_);
  g.index_base = static_cast<uint32_t>(indices_used_);
  g.vertex_count = static_cast<uint32_t>(nv);
  g.index_count = static_cast<uint32_t>(m.indices.size());
  g.edge_count = static_cast<uint32_t>(m.edge_indices.size());
  const size_t vbytes = nv * sizeof(gis::BuildingVertex);
  const size_t ibytes = ni * sizeof(uint32_t);
  write_range(building_vb_, vertices_used_ * sizeof(gis::BuildingVertex), {{m.vertices.data(), vbytes}});
  write_range(building_ib_, indices_used_ * sizeof(uint32_t),
              {{m.indices.data(), m.indices.size() * sizeof(uint32_t)},
               {m.edge_indices.data(), m.edge_indices.size() * sizeof(uint32_t)}});
  vertices_used_ += nv;
  indices_used_ += ni;
  ++stats.chunks_uploaded;
  stats.bytes_uploaded += vbytes + ibytes;
  return true;
}

void GpuScene::pack_buildings(const scene::Scene& scene, RenderStats& stats) {
  uint64_t nv = 0, ni = 0;
  for (const scene::Layer& l : scene.layers)
    for (const scene::BuildingChunk& c : l.building_chunks)
      if (!c.mesh.indices.empty()) nv += c.mesh.vertices.size(), ni += c.mesh.indices.size() + c.mesh.edge_indices.size();
  // A quarter to spare: edits append their chunks' new meshes until it is used up.
  vertex_capacity_ = nv + nv / 4 + 4096;
  index_capacity_ = ni + ni / 4 + 16384;
  if (vertex_capacity_ > UINT32_MAX || index_capacity_ > UINT32_MAX)
    throw vk::Error("packing building chunks (more than 2^32 vertices or indices)", VK_ERROR_OUT_OF_DEVICE_MEMORY);
  retire(std::move(building_vb_));
  retire(std::move(building_ib_));
  const VkMemoryPropertyFlags props =
      direct_uploads_ ? VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                            VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
                      : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  const VkBufferUsageFlags copy = direct_uploads_ ? 0 : VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  building_vb_ = vk::Buffer(ctx_.dev, vertex_capacity_ * sizeof(gis::BuildingVertex), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | copy, props);
  building_ib_ = vk::Buffer(ctx_.dev, index_capacity_ * sizeof(uint32_t), VK_BUFFER_USAGE_INDEX_BUFFER_BIT | copy, props);
  vertices_used_ = indices_used_ = 0;
  for (uint32_t li = 0; li < scene.layers.size(); ++li) {
    const scene::Layer& l = scene.layers[li];
    Layer& g = layers_[li];
    g.buildings.assign(l.building_chunks.size(), BuildingChunk{});
    for (size_t c = 0; c < l.building_chunks.size(); ++c)
      if (!place_building_chunk(l.building_chunks[c], g.buildings[c], stats))
        throw vk::Error("packing building chunks (capacity)", VK_ERROR_OUT_OF_DEVICE_MEMORY);  // a bug
  }
}

void GpuScene::rebuild_building_records() {
  building_records_.clear();
  building_layers_.clear();
  building_draws_.clear();
  edge_draws_.clear();
  for (uint32_t li = 0; li < layers_.size(); ++li) {
    BuildingLayerSpan span{li, static_cast<uint32_t>(building_records_.size()), 0};
    for (const BuildingChunk& g : layers_[li].buildings) {
      if (g.index_count == 0) continue;
      const auto record = static_cast<uint32_t>(building_records_.size());
      BuildingChunkGpu r{};
      r.origin = g.origin;
      r.bmin = g.bmin;
      r.bmax = g.bmax;
      r.lo = glm::vec2(g.bmin - g.origin);  // as the CPU's frustum test computes them
      r.hi = glm::vec2(g.bmax - g.origin);
      r.zmax = static_cast<float>(g.zmax);
      r.first_index = g.index_base;
      r.index_count = g.index_count;
      r.edge_first = g.index_base + g.index_count;
      r.edge_count = g.edge_count;
      r.vertex_offset = static_cast<int32_t>(g.vertex_base);
      building_records_.push_back(r);
      building_draws_.push_back({DrawKind::Buildings, li, g.origin, g.bmin, g.bmax, g.zmax, r.first_index, r.index_count,
                                 r.vertex_offset, building_vb_.vk(), building_ib_.vk(), record});
      if (g.edge_count)
        edge_draws_.push_back({DrawKind::Edges, li, g.origin, g.bmin, g.bmax, g.zmax, r.edge_first, r.edge_count,
                               r.vertex_offset, building_vb_.vk(), building_ib_.vk(), record});
    }
    span.count = static_cast<uint32_t>(building_records_.size()) - span.first;
    if (span.count) building_layers_.push_back(span);
  }
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
  for (Styles& s : styles_) s.revision = 0;
}

bool GpuScene::update(const scene::Scene& scene, RenderStats& stats) {
  if (scene.layers.size() != layers_.size()) return false;
  stats.chunks_uploaded = 0;
  stats.bytes_uploaded = 0;
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
      if (g.buildings[c].revision == l.building_chunks[c].revision) continue;
      buildings_changed = true;
      if (!place_building_chunk(l.building_chunks[c], g.buildings[c], stats)) {
        pack_buildings(scene, stats);  // out of room: every chunk again, into larger buffers
        packed = true;
        break;
      }
    }
  }
  if (ground_changed) rebuild_draws();
  if (buildings_changed) rebuild_building_records();
  return true;
}

void GpuScene::sync_styles(uint32_t slot, const scene::FrameSnapshot& f) {
  Styles& s = styles_[slot];
  if (s.revision == f.styles_revision && s.buffer) return;
  static const std::vector<scene::BuildingStyle> kNone;
  const std::vector<scene::BuildingStyle>& styles = f.styles ? *f.styles : kNone;
  const size_t bytes = std::max<size_t>(1, styles.size()) * sizeof(scene::BuildingStyle);
  if (!s.buffer || s.buffer.size() < bytes) {
    s.buffer = vk::Buffer(ctx_.dev, bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                          VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    vk::write_storage_set(ctx_.device(), s.set, {s.buffer.vk()});
  }
  if (!styles.empty()) std::memcpy(s.buffer.mapped(), styles.data(), styles.size() * sizeof(scene::BuildingStyle));
  s.revision = f.styles_revision;
}

}  // namespace parktwin::render
