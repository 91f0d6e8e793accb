// Streaming a buildings layer, the main thread's side of the stream's Impl: the batches the workers
// deliver (stream_worker.cpp) moved into the scene, the head start's checks against the whole file,
// and the tile cache's manifest. The LayerStream class itself is in stream.cpp. See stream.h.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "stream_impl.h"

namespace parktwin::scene {

using namespace load_detail;
using namespace stream_detail;

namespace {

/// A line or point feature (a source that mixes them with its polygons): not a building.
bool is_other(const gis::Feature& f) {
  return f.geom.kind == gis::GeomKind::Line || f.geom.kind == gis::GeomKind::Point;
}

void merge_report(gis::LoadReport& into, const gis::LoadReport& r) {
  into.read += r.read;
  into.kept += r.kept;
  into.repaired += r.repaired;
  into.damaged = into.damaged || r.damaged;
  for (const auto& [reason, n] : r.skipped) into.skipped[reason] += n;
  for (const std::string& m : r.messages)
    if (into.messages.size() < 40) into.messages.push_back(m);
}

}  // namespace

// Main thread: one delivered batch into the scene.
void LayerStream::Impl::integrate_batch(Scene& scene, TileBatch&& b) {
  if (!b.error.empty()) {
    if (b.error == "budget") {
      ++prog.tiles_over_budget;
      ++prog.tiles_done;
      cache_usable = false;
      if (b.head) ++head_tiles_done;
      return;
    }
    if (b.error.rfind("cache:", 0) == 0) {  // a damaged cache tile: read it from the source
      scene.warnings.push_back("the tile cache file " + b.error.substr(6) + " is damaged; that tile is read from " + path);
      cache_complete = false;  // written again once everything is in
      if (b.key == kRestKey && indexed) {  // the features no tile took: asked for again once the tiles are in
        rest_checked = false;
        return;
      }
      if (b.key == kRestKey) {  // a one-pass read's report: the pass again, for its report only
        Job j;
        j.kind = JobKind::ReadAll;
        j.report_only = true;
        one_pass_pending = true;
        push_job(std::move(j));
        return;
      }
      Job j;
      if (indexed) {
        j.kind = JobKind::Tile;
        j.key = b.key;
      } else {
        j.kind = JobKind::ReadAll;
        j.only.insert({b.key.x, b.key.y, b.part});
        one_pass_pending = true;
        --tiles_expected;  // the one-pass read announces it again
      }
      push_job(std::move(j));
      return;
    }
    if (prog.error.empty()) prog.error = b.error;
    if (head_mode && !b.is_tile) {  // the whole file's read failed: said once the head's tiles are in (settle_head)
      if (head_error.empty()) head_error = b.error;
      else scene.warnings.push_back("streaming " + path + ": " + b.error);
    } else {
      scene.warnings.push_back("streaming " + path + ": " + b.error);
    }
    cache_usable = false;
    if (b.is_tile && !(b.key == kRestKey)) ++prog.tiles_done;
    else one_pass_pending = false;
    return;
  }
  Layer& l = scene.layers[layer];
  merge_report(l.data.report, b.report);
  if (b.whole_open) {  // head start: the whole file's reader is open
    whole_opened = true;
    if (b.declared >= 0) {
      prog.features_expected = b.declared;
      if (!stream.memory_budget_mb && b.declared <= (int64_t{1} << 27)) {
        l.features_expected = b.declared;
        try {
          const auto n = static_cast<size_t>(b.declared);
          l.data.features.reserve(n);
          l.feature_chunk.reserve(n);
          l.feature_building.reserve(n);
          scene.buildings.reserve(scene.buildings.size() + n - std::min(n, l.data.features.size()));
        } catch (const std::bad_alloc&) {
        }
      }
    }
    if (b.schema) take_whole_schema(scene, *b.schema);
    return;
  }
  if (b.head_fix) {  // the whole file's first batch differs from the head's (settle_head takes it)
    head_fix = std::move(b);
    return;
  }
  if (!b.is_tile) {  // a one-pass read: how many tile parts follow (and, at its end, its report)
    if (!b.seen.empty()) tiles_expected += static_cast<size_t>(b.seen.front());
    if (b.head) {  // the head's one announcement (no tiles when the head was of no use)
      if (!b.seen.empty()) head_tiles_expected += static_cast<size_t>(b.seen.front());
      head_announced = true;
      return;
    }
    if (b.extent && !extent) extent = b.extent;  // StreamOptions::extent_first false: the pass's
    one_pass_pending = b.more;
    if (b.key == kRestKey) manifest.push_back({kRestKey, 0, 0});  // the pass's report, in the cache
    return;
  }
  if (b.from_cache && !(b.key == kRestKey)) ++prog.tiles_from_cache;
  for (int64_t fid : b.seen) seen_fids.insert(fid);
  const bool rest = b.key == kRestKey;
  if (!rest) ++prog.tiles_done;
  manifest.push_back({b.key, b.part, static_cast<int64_t>(b.features.size())});
  const size_t base = l.data.features.size();
  prog.features += static_cast<int64_t>(b.features.size());
  std::vector<size_t> at(b.features.size(), SIZE_MAX);  // batch feature -> layer feature (lines, points: none)
  for (size_t i = 0; i < b.features.size(); ++i) {
    gis::Feature& f = b.features[i];
    if (is_other(f)) {
      others.push_back(std::move(f));
      continue;
    }
    at[i] = l.data.features.size();
    l.data.features.push_back(std::move(f));
  }
  const size_t n = l.data.features.size();
  l.feature_chunk.resize(n, -1);
  l.feature_building.resize(n, -1);
  if (b.head) {  // where the head's features are, should the whole file's replace them
    for (size_t i = 0; i < b.ordinals.size() && i < at.size(); ++i)
      if (b.ordinals[i] < head_pos.size() && at[i] != SIZE_MAX) head_pos[b.ordinals[i]] = at[i];
    prog.head_features += static_cast<int64_t>(n - base);
    ++head_tiles_done;
  }
  if (rest) {
    one_pass_pending = false;
    std::vector<size_t> fresh;
    for (size_t i = base; i < n; ++i) fresh.push_back(i);
    if (!fresh.empty()) update_features(scene, layer, fresh);
    return;
  }
  if (b.chunk.mesh.indices.empty()) return;
  BuildingChunk& c = b.chunk;
  c.revision = ++scene.geometry_revision;
  const auto ci = static_cast<int32_t>(l.building_chunks.size());
  std::vector<uint32_t> slot_of(b.extruded.size(), 0);
  std::vector<uint32_t> fresh;
  for (size_t i = 0; i < b.extruded.size(); ++i) {
    if (!b.extruded[i] || at[i] == SIZE_MAX) continue;
    const size_t fi = at[i];
    const auto slot = static_cast<uint32_t>(scene.buildings.size());
    scene.buildings.push_back(building_record(scene, *fields, layer, fi, geometry_box(l.data.features[fi].geom)));
    l.feature_building[fi] = static_cast<int32_t>(slot);
    l.feature_chunk[fi] = ci;
    c.features.push_back(static_cast<uint32_t>(fi));
    slot_of[i] = slot;
    fresh.push_back(slot);
  }
  for (gis::BuildingVertex& v : c.mesh.vertices) v.building = slot_of[v.building];
  if (b.clusters) {  // the worker's layout, its buildings renamed the same way (order kept: slots ascend)
    for (uint32_t& bi : b.clusters->buildings) bi = slot_of[bi];
    c.clusters = std::move(b.clusters);
    c.clusters_revision = c.revision;
  }
  scene.include_bounds(c.bmin, c.bmax);
  l.building_chunks.push_back(std::move(c));
  scene.restyle_buildings(fresh);
}

void LayerStream::Impl::add_others(Scene& scene) {
  if (others.empty()) return;
  gis::LayerData& l = scene.layers[layer].data;
  // The report of what stays counts only the layer's own features, as split_by_geometry's first part.
  const auto moved = static_cast<int64_t>(others.size());
  l.report.read -= moved;
  l.report.kept -= moved;
  gis::LayerData o;
  o.source = l.source;
  o.name = l.name;
  o.crs = l.crs;
  o.fields = l.fields;
  o.field_types = l.field_types;
  o.features = std::move(others);
  others.clear();
  o.report.read = o.report.kept = moved;
  std::vector<gis::LayerData> parts = split_by_geometry(std::move(o));
  if (parts.size() == 1) parts.front().kind = parts.front().features.front().geom.kind;  // one kind: not split
  size_t polygons = 0;
  for (const gis::Feature& f : l.features) polygons += f.geom.kind == gis::GeomKind::Polygon ? 1 : 0;
  std::vector<std::pair<gis::GeomKind, size_t>> counts{{gis::GeomKind::Polygon, polygons}};
  for (const gis::LayerData& p : parts) counts.emplace_back(p.kind, p.features.size());
  scene.warnings.push_back(mixed_layer_note(counts, l.name, path));
  for (gis::LayerData& p : parts) add_geometry_part(scene, std::move(p), path, false, options);
  scene.restyle();
}

void LayerStream::Impl::take_whole_schema(Scene& scene, const gis::LayerData& whole) {
  Layer& l = scene.layers[layer];
  if (whole.name != l.data.name) {  // named by a member after the features: the head had the file's stem
    const std::string old_id = "user:" + path + "/" + l.data.name;
    if (l.id == old_id) l.id = "user:" + path + "/" + whole.name;
    l.title = whole.name + " (" + path + ")";
    l.data.name = whole.name;
    schema.name = whole.name;
  }
  l.data.crs = whole.crs;
  l.data.fields = whole.fields;
  l.data.field_types = whole.field_types;
  schema.crs = whole.crs;
  schema.fields = whole.fields;
  schema.field_types = whole.field_types;
  fields = std::make_unique<BuildingFields>(scene, schema, options.height_attribute);
  cache_usable = false;  // the cache's first parts hold the head's features (head_fix replaces them here)
}

void LayerStream::Impl::settle_head(Scene& scene) {
  if (!head_mode || !head_announced || head_tiles_done < head_tiles_expected) return;
  if (!head_error.empty()) {  // the whole file failed after the head was read
    scene.warnings.push_back("streaming " + path + ": " + head_error +
                             (prog.head_features > 0 ? "; the first " + std::to_string(prog.head_features) +
                                                           " features, read from the head of the file before the "
                                                           "whole of it, stay shown"
                                                     : std::string()));
    head_error.clear();
  }
  if (!head_fix) return;
  std::vector<gis::Feature> whole = std::move(head_fix->features);
  head_fix.reset();
  Layer& l = scene.layers[layer];
  std::vector<size_t> touched;
  for (size_t i = 0; i < head_pos.size(); ++i) {
    const size_t at = head_pos[i];
    if (at >= l.data.features.size()) continue;  // not shown (left out by the memory budget)
    if (i < whole.size() && is_other(whole[i])) {  // a line or point where the head had a polygon
      others.push_back(std::move(whole[i]));
      l.data.features[at].geom = gis::Geometry{};
    } else if (i < whole.size()) {
      l.data.features[at] = std::move(whole[i]);
    } else {  // the whole file kept fewer: this one is not in it (deleted: its slot stays, hidden)
      l.data.features[at].geom = gis::Geometry{};
    }
    touched.push_back(at);
  }
  update_features(scene, layer, touched);
  prog.head_replaced += static_cast<int64_t>(touched.size());
  cache_usable = false;  // the cache's first parts hold the head's features
}

void LayerStream::Impl::write_manifest() {
  if (cache.empty() || !cache_usable || cache_complete) return;
  std::ofstream out(cache + "/manifest.tmp", std::ios::trunc);
  write_cache_manifest(out, {schema, prog.features_expected, extent, source_layers, indexed, {}}, manifest);
  out.close();
  std::error_code ec;
  if (out) std::filesystem::rename(cache + "/manifest.tmp", cache + "/manifest", ec);
}

}  // namespace parktwin::scene
