// A streamed layer's workers: they take jobs nearest the camera first, read tiles (or the whole
// source once) or cached tiles, extrude them and lay them out, and deliver them to the main thread.
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <limits>
#include <map>

#include "parktwin/scene/residency.h"
#include "stream_impl.h"

namespace parktwin::scene {

using namespace load_detail;
using namespace stream_detail;

namespace {


/// This thread's nice value raised by `by` (Linux: a per-thread attribute, setpriority(2)).
void lower_priority(int by) {
  if (by <= 0) return;
  const id_t tid = static_cast<id_t>(::gettid());
  errno = 0;
  const int now = ::getpriority(PRIO_PROCESS, tid);
  if (errno == 0) (void)::setpriority(PRIO_PROCESS, tid, std::min(19, now + by));
}

}  // namespace

void LayerStream::Impl::push_job(Job j) {
  std::lock_guard lock(mu);
  j.dist = j.head ? -1.0 : glm::length(tile_centre(j.key) - focus);  // the head's work before anything
  auto it = std::upper_bound(jobs.begin(), jobs.end(), j.dist, [](double d, const Job& x) { return d < x.dist; });
  jobs.insert(it, std::move(j));
  cv.notify_one();
}

uint64_t stream_detail::batch_bytes(const TileBatch& b) {
  uint64_t n = chunk_mesh_bytes(b.chunk) + layout_bytes(b.clusters) + b.features.capacity() * sizeof(gis::Feature);
  for (const gis::Feature& f : b.features) {
    n += f.attrs.capacity() * sizeof(gis::AttrValue);
    for (const gis::Polygon& p : f.geom.polygons) {
      n += sizeof(gis::Polygon) + p.outer.capacity() * sizeof(glm::dvec2);
      for (const gis::Ring& h : p.holes) n += sizeof(gis::Ring) + h.capacity() * sizeof(glm::dvec2);
    }
  }
  return n;
}

void LayerStream::Impl::deliver(TileBatch&& b) {
  b.bytes = batch_bytes(b);
  std::unique_lock lock(mu);
  // Far enough ahead of the caller: wait until it takes some (a batch without meshes or features,
  // an announcement or a report, never waits).
  if (const uint64_t limit = stream.ahead_bytes; limit > 0 && b.bytes > 0)
    room_cv.wait(lock, [&] { return stop || done.empty() || done_bytes + b.bytes <= limit; });
  if (b.is_tile && b.error.empty() && !b.features.empty()) first_delivered = true;
  done_bytes += b.bytes;
  done.push_back(std::move(b));
}

void LayerStream::Impl::hold_for_first_frame(bool read_first) {
  if (stream.first_frame_hold_s <= 0.0) return;
  std::unique_lock lock(mu);
  if (hold_released || stop || !(first_delivered || read_first)) return;
  if (hold_until == std::chrono::steady_clock::time_point{})
    hold_until = std::chrono::steady_clock::now() +
                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(stream.first_frame_hold_s));
  hold_cv.wait_until(lock, hold_until, [&] { return stop || hold_released; });
}

void LayerStream::Impl::release_hold() {
  {
    std::lock_guard lock(mu);
    if (hold_released) return;
    hold_released = true;
  }
  hold_cv.notify_all();
}

// Extrudes a tile's features into its chunk (vertices carry the feature's index in the batch).
void LayerStream::Impl::extrude(TileBatch& b, gis::Extruder& ex) {
  const auto t0 = std::chrono::steady_clock::now();
  BuildingChunk& c = b.chunk;
  c.tile = b.key;
  c.mesh.origin = tile_centre(b.key);
  c.bmin = glm::dvec2(1e300);
  c.bmax = glm::dvec2(-1e300);
  b.extruded.assign(b.features.size(), 0);
  for (size_t i = 0; i < b.features.size(); ++i) {
    const gis::Feature& f = b.features[i];
    if (f.geom.polygons.empty()) continue;
    b.extruded[i] = add_building_feature(f, static_cast<uint32_t>(i), feature_height(f, height_field.load(), floor_field.load()), c, ex);
  }
  tri_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
}

// The tile's mesh laid out as renderers draw it, here on the worker rather than on the render
// thread at upload (counted as triangulation time).
void LayerStream::Impl::lay_out(TileBatch& b) {
  if (b.chunk.mesh.indices.empty()) return;
  const auto t0 = std::chrono::steady_clock::now();
  b.clusters = std::make_shared<gis::ClusteredMesh>(gis::cluster_building_mesh(b.chunk.mesh));
  tri_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
}

void LayerStream::Impl::count_bytes(const TileBatch& b) {
  const uint64_t n = b.chunk.mesh.bytes();
  if (stream.memory_budget_mb && (bytes += n) > stream.memory_budget_mb * 1024 * 1024) over_budget = true;
}

void LayerStream::Impl::finish_batch(TileBatch&& b, gis::Extruder& ex, bool from_source) {
  extrude(b, ex);
  count_bytes(b);
  if (from_source && !cache.empty() && b.error.empty()) stream_detail::write_tile(tile_file(cache, b.key, b.part), b);
  lay_out(b);
  deliver(std::move(b));
}

// A read's features and report into `b`; on failure delivers `b` with the message instead.
bool LayerStream::Impl::take(TileBatch& b, gis::Result<gis::LayerData>&& d) {
  if (!d) {
    b.error = d.error().message;
    deliver(std::move(b));
    return false;
  }
  b.features = std::move(d->features);
  b.report = std::move(d->report);
  return true;
}

void LayerStream::Impl::split_to_tiles(std::vector<gis::Feature>&& feats, uint32_t part,
                                      const std::set<std::tuple<int64_t, int64_t, uint32_t>>& only, bool head) {
  std::map<std::pair<int64_t, int64_t>, Job> tiles;
  for (size_t i = 0; i < feats.size(); ++i) {
    gis::Feature& f = feats[i];
    const Box box = geometry_box(f.geom);
    const TileKey k = box.empty() ? TileKey{} : tile_of(box.mid());
    if (!only.empty() && !only.contains({k.x, k.y, part})) continue;
    Job& e = tiles[{k.x, k.y}];
    e.features.push_back(std::move(f));
    if (head) e.ordinals.push_back(static_cast<uint32_t>(i));
  }
  TileBatch announce;  // before its tiles: the main thread counts them as expected first
  announce.is_tile = false;
  announce.more = true;
  announce.head = head;
  announce.seen.push_back(static_cast<int64_t>(tiles.size()));
  deliver(std::move(announce));
  for (auto& [k, e] : tiles) {
    e.kind = JobKind::Extrude;
    e.key = TileKey{k.first, k.second};
    e.part = part;
    e.head = head;
    push_job(std::move(e));
  }
}

void LayerStream::Impl::read_head() {
  std::unique_ptr<gis::TiledLayerReader> r;
  {
    std::lock_guard lock(mu);
    r = std::move(head_reader);
  }
  // The head's first batch is the whole file's first batch (the first `one_pass_first` features
  // kept) when its document holds enough of them; else the head shows nothing.
  std::vector<gis::Feature> first;
  bool got = false;
  if (r) {
    const auto d = r->read_all(stream.one_pass_first, std::numeric_limits<size_t>::max(), [&](std::vector<gis::Feature>&& b) {
      if (!got) first = std::move(b), got = true;
    });
    got = got && d && first.size() == stream.one_pass_first;
    r.reset();  // the head's document goes with it
  }
  {
    std::lock_guard lock(mu);
    head_state = got ? HeadState::Ready : HeadState::Unusable;
    if (got) head_features = first;  // for the whole file's pass to compare with
  }
  head_cv.notify_all();
  // Announced either way (no tiles when of no use): the main thread waits for the head to settle.
  split_to_tiles(got ? std::move(first) : std::vector<gis::Feature>{}, 0, {}, true);
}

bool LayerStream::Impl::head_agrees(const gis::TiledLayerReader& whole, std::vector<gis::Feature>& head) {
  TileBatch open;  // what the whole file's reader says, before any of its tiles
  open.is_tile = false;
  open.more = true;
  open.whole_open = true;
  open.declared = whole.declared_count();
  const gis::LayerData& w = whole.schema();
  const bool same_schema = w.name == head_schema.name && w.crs == head_schema.crs && w.kind == head_schema.kind &&
                           w.fields == head_schema.fields && w.field_types == head_schema.field_types;
  if (!same_schema) {
    // Heights come from the whole file's fields from here on (the Extrude jobs queued after).
    const auto [h, fl] = height_fields(w, options.height_attribute);
    height_field = h;
    floor_field = fl;
    open.schema = w;
  }
  deliver(std::move(open));
  std::unique_lock lock(mu);
  head_cv.wait(lock, [&] { return stop || head_state != HeadState::Pending; });
  if (head_state != HeadState::Ready) return false;
  head = std::move(head_features);
  // A schema of its own: the head's features, read by it, are replaced whatever their values.
  if (!same_schema) head.clear();
  return true;
}

void LayerStream::Impl::run_job(Job& j, std::unique_ptr<gis::TiledLayerReader>& reader, gis::Extruder& ex) {
  auto open_reader = [&]() -> bool {
    if (reader) return true;
    {
      std::lock_guard lock(mu);
      reader = std::move(spare);
    }
    if (reader) return true;
    // (Started from its head: the file's one layer, whatever the whole file names it; a "name"
    // member after the features is not in the head.)
    auto r = gis::TiledLayerReader::open(path, head_mode ? std::string() : layer_name, frame_def, options.read);
    if (!r) {
      TileBatch b;
      b.key = j.key;
      b.is_tile = j.kind == JobKind::Tile;  // a one-pass read's failure ends the pass (Rest: its key says)
      b.error = r.error().message;
      deliver(std::move(b));
      return false;
    }
    reader = std::move(*r);
    return true;
  };
  const auto t0 = std::chrono::steady_clock::now();
  auto add_read_time = [&] {
    read_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  };
  switch (j.kind) {
    case JobKind::CachedTile: {
      auto b = stream_detail::read_tile(tile_file(cache, j.key, j.part));
      add_read_time();
      if (b && b->key == j.key) {
        b->part = j.part;
        count_bytes(*b);
        lay_out(*b);
        deliver(std::move(*b));
        return;
      }
      // Damaged or missing: this tile from the source.
      TileBatch miss;
      miss.key = j.key;
      miss.part = j.part;
      miss.is_tile = false;
      miss.error = "cache:" + tile_file(cache, j.key, j.part);
      deliver(std::move(miss));
      return;
    }
    case JobKind::Tile: {
      if (!open_reader()) return;
      const glm::dvec2 lo(static_cast<double>(j.key.x) * kTileSize, static_cast<double>(j.key.y) * kTileSize);
      TileBatch b;
      b.key = j.key;
      auto d = reader->read_tile(lo, lo + glm::dvec2(kTileSize), &b.seen);
      add_read_time();
      if (!take(b, std::move(d))) return;
      finish_batch(std::move(b), ex, true);
      return;
    }
    case JobKind::Rest: {
      if (!open_reader()) return;
      TileBatch b;
      b.key = kRestKey;
      auto d = reader->read_rest(j.seen);
      add_read_time();
      if (!take(b, std::move(d))) return;
      // Features a tile did not take (no geometry, or missed by the index): each to its own tile's
      // chunk by the main thread (update_features), so they are delivered unextruded.
      b.extruded.assign(b.features.size(), 0);
      if (!cache.empty()) stream_detail::write_tile(tile_file(cache, b.key, 0), b);
      deliver(std::move(b));
      return;
    }
    case JobKind::ReadAll: {
      if (!open_reader()) return;
      // Batches of the pass go to the workers as they are read (a first frame long before a big
      // file is through), each split by tile into parts: batch k makes part k of its tiles, the
      // same on every read of the file (a damaged cached part is read again by its number).
      uint32_t part = 0;
      std::vector<gis::Feature> head;
      bool head_shown = false;
      if (j.after_head) head_shown = head_agrees(*reader, head);
      const auto split = [&](std::vector<gis::Feature>&& feats) {
        if (j.report_only) {
          ++part;
          return;
        }
        if (part == 0 && head_shown) {  // on screen already, from the head: only where they differ
          if (feats != head) {  // ids, attributes, geometries, in order
            TileBatch fix;
            fix.is_tile = false;
            fix.more = true;
            fix.head_fix = true;
            fix.features = std::move(feats);
            deliver(std::move(fix));
          }
          ++part;
          hold_for_first_frame(true);
          return;
        }
        split_to_tiles(std::move(feats), part, j.only, false);
        if (part++ == 0) hold_for_first_frame(true);  // the next batch waits for the first frame
      };
      auto d = reader->read_all(stream.one_pass_first, stream.one_pass_batch, split);
      add_read_time();
      TileBatch rep;
      rep.is_tile = false;
      if (!d) {
        rep.error = d.error().message;
        deliver(std::move(rep));
        return;
      }
      rep.seen.push_back(0);
      if (j.only.empty()) {  // the whole pass's report: kept in the cache as its rest tile (no features)
        rep.extent = reader->pass_extent();  // (taken where the layer's was not known)
        rep.key = kRestKey;
        rep.report = std::move(d->report);
        if (!cache.empty()) {
          TileBatch r;
          r.key = kRestKey;
          r.report = rep.report;
          stream_detail::write_tile(tile_file(cache, kRestKey, 0), r);
        }
      }
      deliver(std::move(rep));
      return;
    }
    case JobKind::HeadRead:
      read_head();
      add_read_time();
      return;
    case JobKind::Extrude: {
      TileBatch b;
      b.key = j.key;
      b.part = j.part;
      b.features = std::move(j.features);  // the one-pass read's report counted them
      b.head = j.head;
      b.ordinals = std::move(j.ordinals);
      for (const gis::Feature& f : b.features) b.seen.push_back(f.fid);
      finish_batch(std::move(b), ex, true);
      return;
    }
  }
}

void LayerStream::Impl::worker() {
  lower_priority(stream.worker_nice);
  pthread_setname_np(pthread_self(), "parktwin-stream");  // after the priority: a named worker has it
  std::unique_ptr<gis::TiledLayerReader> reader;
  gis::Extruder ex;
  for (;;) {
    Job j;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return stop || !jobs.empty(); });
      if (stop) return;
      j = std::move(jobs.front());
      jobs.pop_front();
      ++busy;
    }
    if (over_budget && (j.kind == JobKind::Tile || j.kind == JobKind::CachedTile || j.kind == JobKind::Extrude)) {
      TileBatch skipped;
      skipped.key = j.key;
      skipped.head = j.head;
      skipped.error = "budget";
      deliver(std::move(skipped));
    } else {
      // A further read of an indexed source or the cache waits for the first tiles to be drawn.
      if (j.kind == JobKind::Tile || j.kind == JobKind::CachedTile) hold_for_first_frame(false);
      run_job(j, reader, ex);
    }
    std::lock_guard lock(mu);
    --busy;
  }
}

}  // namespace parktwin::scene
