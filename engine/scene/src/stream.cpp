// Streaming a buildings layer: worker threads read tiles (or the whole source once) and extrude
// them (stream_worker.cpp); the main thread moves finished tiles into the scene (LayerStream::integrate
// here, the batches' integration in stream_integrate.cpp). See stream.h.
#include "parktwin/scene/stream.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "stream_impl.h"

namespace parktwin::scene {

using namespace load_detail;
using namespace stream_detail;

using Extent = std::pair<glm::dvec2, glm::dvec2>;  // scene frame

namespace {

/// Squares of this many tiles a side or more are asked about even where a filter gathers every
/// match (TiledLayerReader::filter_gathers_all), to pass over wide empty areas.
constexpr int64_t kWideSquare = 64;

/// Appends the tiles of the square of `size` (a power of two) tiles at (x0, y0), clipped to `last`, that the index
/// has features near. Where the filter gathers every match the whole extent (`root`) and the
/// squares between one tile and kWideSquare are not asked about: each such question cost a search
/// of every feature under it, which at 10M footprints from FlatGeobuf held the first tile back by
/// about 3 s (single tiles, asked once each, cost one search of every feature in all).
void nonempty_tiles(gis::TiledLayerReader& r, int64_t x0, int64_t y0, int64_t size, TileKey last,
                    std::vector<TileKey>& out, bool root = true) {
  if (x0 > last.x || y0 > last.y) return;
  const glm::dvec2 lo(static_cast<double>(x0) * kTileSize, static_cast<double>(y0) * kTileSize);
  const bool ask = !r.filter_gathers_all() || size == 1 || (size >= kWideSquare && !root);
  if (ask && !r.any_in(lo, lo + glm::dvec2(static_cast<double>(size) * kTileSize))) return;
  if (size == 1) {
    out.push_back(TileKey{x0, y0});
    return;
  }
  const int64_t half = size / 2;
  for (int64_t dy = 0; dy < 2; ++dy)
    for (int64_t dx = 0; dx < 2; ++dx) nonempty_tiles(r, x0 + dx * half, y0 + dy * half, half, last, out, false);
}


}  // namespace

LayerStream::LayerStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LayerStream::~LayerStream() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  impl_->head_cv.notify_all();
  impl_->hold_cv.notify_all();
  impl_->room_cv.notify_all();
  for (std::thread& t : impl_->workers) t.join();
}

namespace {

/// A big GeoJSON's head, to start its stream with (StreamOptions::head_start_bytes): its first
/// batch from the head, the whole file opened by a worker meanwhile. Null where that does not apply.
/// With StreamOptions::extent_first, the whole file's extent comes first from a scan of its text
/// into `extent` (TiledLayerReader::whole_file_extent); null when the scan cannot give it.
std::unique_ptr<gis::TiledLayerReader> open_head(const std::string& path, const std::string& layer,
                                                 const std::string& frame_def, const LoadOptions& options,
                                                 const StreamOptions& so, std::optional<Extent>& extent) {
  extent.reset();
  if (so.head_start_bytes == 0 || so.one_pass_first == 0) return nullptr;
  const size_t features = so.one_pass_first + so.one_pass_first / 8 + 16;  // room for a few it skips
  auto head = gis::TiledLayerReader::open_head(path, layer, frame_def, options.read, features, so.head_start_bytes);
  if (head && so.extent_first && !(extent = head->whole_file_extent())) return nullptr;
  return head;
}

}  // namespace

gis::Result<std::unique_ptr<LayerStream>> LayerStream::start(Scene& scene, const std::string& path,
                                                             const std::string& layer, const LoadOptions& options,
                                                             const StreamOptions& so) {
  const std::string frame_def = scene.frame().definition();
  auto cached = read_cache_manifest(cache_dir_for(so.cache_dir, path, layer, frame_def, options, so));
  if (cached) return launch(scene, path, layer, options, so, nullptr, std::move(cached));
  std::optional<Extent> extent;
  if (auto head = open_head(path, layer, frame_def, options, so, extent))
    return launch(scene, path, layer, options, so, std::move(head), std::nullopt, true, extent);
  auto reader = gis::TiledLayerReader::open(path, layer, frame_def, options.read);
  if (!reader) return reader.error();
  return launch(scene, path, layer, options, so, std::move(*reader), std::nullopt);
}

gis::Result<std::unique_ptr<LayerStream>> LayerStream::launch(Scene& scene, const std::string& path,
                                                              const std::string& requested, const LoadOptions& options,
                                                              const StreamOptions& so,
                                                              std::unique_ptr<gis::TiledLayerReader> reader,
                                                              std::optional<CachedLayerInfo> cached_info,
                                                              bool head_start, std::optional<Extent> head_extent) {
  auto m = std::make_unique<Impl>();
  m->path = path;
  m->options = options;
  m->stream = so;
  m->frame_def = scene.frame().definition();
  m->cache = cache_dir_for(so.cache_dir, path, requested, m->frame_def, options, so);
  std::optional<CachedLayerInfo> cached;
  if (cached_info) cached = std::move(cached_info);
  else if (!m->cache.empty()) cached = read_cache_manifest(m->cache);
  if (reader) {
    gis::TiledLayerReader& r = *reader;
    if (r.declared_kind() != gis::GeomKind::Polygon && r.declared_kind() != gis::GeomKind::None)
      return gis::Failure(gis::Failure::InvalidData, "layer '" + r.schema().name + "' of " + path +
                                                         " is not polygons; only buildings layers are streamed");
    m->schema = r.schema();
    m->indexed = r.indexed();
    m->prog.features_expected = head_start ? -1 : r.declared_count();  // the head's count is not the file's
    m->extent = head_start ? head_extent : r.extent(so.extent_first || r.indexed());  // the index's tiles come from it
    m->source_layers = r.layer_names().size();
  } else if (cached) {
    m->schema = cached->schema;
    m->indexed = cached->indexed;
    m->prog.features_expected = cached->declared;
    m->extent = cached->extent;
    m->source_layers = cached->source_layers;
  } else {
    return gis::Failure(gis::Failure::GeneralError, "streaming " + path + ": neither the source nor a cache");
  }
  m->layer_name = m->schema.name;
  const auto extent = m->extent;
  m->focus = so.focus ? *so.focus : extent ? (extent->first + extent->second) * 0.5 : glm::dvec2(0.0);
  if (head_start && !so.focus && !head_extent)  // the head's middle (the whole file's extent comes with its pass)
    if (const auto e = reader->extent(true)) m->focus = (e->first + e->second) * 0.5;
  if (!m->cache.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(m->cache, ec);
    if (ec) m->cache.clear();
  }

  // The empty layer, as add_user_layers would name it.
  gis::LayerData empty = m->schema;
  empty.kind = gis::GeomKind::Polygon;
  empty.source = path;
  const std::string id = "user:" + path + "/" + m->layer_name;
  push_layer(scene, std::move(empty), id, m->layer_name + " (" + path + ")", LayerKind::Buildings);
  m->layer = static_cast<uint32_t>(scene.layers.size() - 1);
  Layer& l = scene.layers[m->layer];
  l.height_attribute = options.height_attribute;
  l.first_building = static_cast<uint32_t>(scene.buildings.size());
  // (Not with a memory budget: tiles past it never arrive, and buffers sized for them would spend
  // what the budget keeps.)
  l.features_expected = so.memory_budget_mb ? -1 : m->prog.features_expected;
  // Room for the declared features at once: growing these arrays by doubling moves every feature
  // and building so far on the main thread, in frames while the layer arrives (at 1M, up to a
  // second each). A count the source cannot back (a damaged header) just grows as before.
  if (l.features_expected > 0 && l.features_expected <= (int64_t{1} << 27)) {
    try {
      const auto n = static_cast<size_t>(l.features_expected);
      l.data.features.reserve(n);
      l.feature_chunk.reserve(n);
      l.feature_building.reserve(n);
      scene.buildings.reserve(scene.buildings.size() + n);
    } catch (const std::bad_alloc&) {
    }
  }
  if (!options.height_attribute.empty() && m->schema.field(options.height_attribute) < 0)
    scene.warnings.push_back("layer '" + m->layer_name + "' of " + path + " has no attribute '" +
                             options.height_attribute + "'; buildings get the default height of 10 m");
  m->fields = std::make_unique<BuildingFields>(scene, m->schema, options.height_attribute);
  m->height_field = m->fields->height;
  m->floor_field = m->fields->floors;

  // The work: the cache's tiles, or the extent's tiles through the index, or one pass.
  if (cached) {
    m->cache_complete = true;
    for (const auto& [k, part] : cached->tiles) {
      Impl::Job j;
      j.kind = Impl::JobKind::CachedTile;
      j.key = k;
      j.part = part;
      m->push_job(std::move(j));
    }
    m->tiles_expected = static_cast<size_t>(std::count_if(cached->tiles.begin(), cached->tiles.end(),
                                                          [](const auto& t) { return !(t.first == kRestKey); }));
    m->rest_checked = true;  // the cache holds what the source had, rest included
  } else if (m->indexed && extent) {
    // The tiles with features, found by descending a quadtree of the extent through the index:
    // one far outlier does not make millions of empty tiles.
    const TileKey a = tile_of(extent->first), b = tile_of(extent->second);
    std::vector<TileKey> tiles;
    int64_t size = 1;  // a power of two, so the quadrants split evenly down to single tiles
    while (size < std::max(b.x - a.x, b.y - a.y) + 1) size *= 2;
    nonempty_tiles(*reader, a.x, a.y, size, b, tiles);
    for (TileKey k : tiles) {
      Impl::Job j;
      j.kind = Impl::JobKind::Tile;
      j.key = k;
      m->push_job(std::move(j));
    }
    m->tiles_expected = tiles.size();
  } else if (head_start) {
    m->head_schema = m->schema;
    m->head_state = Impl::HeadState::Pending;
    m->head_mode = true;
    m->head_reader = std::move(reader);
    m->head_pos.assign(so.one_pass_first, SIZE_MAX);
    Impl::Job h;  // the head first (its jobs go before the others), then the whole file
    h.kind = Impl::JobKind::HeadRead;
    h.head = true;
    m->push_job(std::move(h));
    Impl::Job j;
    j.kind = Impl::JobKind::ReadAll;
    j.key = tile_of(m->focus);
    j.after_head = true;
    m->one_pass_pending = true;
    m->rest_checked = true;
    m->push_job(std::move(j));
  } else {
    Impl::Job j;
    j.kind = Impl::JobKind::ReadAll;
    j.key = tile_of(m->focus);
    m->one_pass_pending = true;
    m->rest_checked = true;  // one pass reads every feature
    m->push_job(std::move(j));
  }
  m->spare = std::move(reader);  // the first worker that needs a reader takes it
  unsigned threads = so.threads ? so.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) m->workers.emplace_back([p = m.get()] { p->worker(); });
  return std::unique_ptr<LayerStream>(new LayerStream(std::move(m)));
}

size_t LayerStream::integrate(Scene& scene, size_t max_tiles) {
  Impl& m = *impl_;
  if (m.first_integrated) m.release_hold();  // the caller has drawn the first tiles
  size_t moved = 0;
  while (moved < max_tiles) {
    TileBatch b;
    {
      std::lock_guard lock(m.mu);
      if (m.done.empty()) break;
      b = std::move(m.done.front());
      m.done.pop_front();
      m.done_bytes -= b.bytes;
    }
    m.room_cv.notify_all();  // a worker waiting with a finished tile may deliver it
    const bool tile = b.is_tile && b.error.empty();
    m.integrate_batch(scene, std::move(b));
    m.settle_head(scene);  // the fix and the whole file's failure, once the head's last tile is in
    moved += tile ? 1 : 0;
  }
  if (moved > 0) m.first_integrated = true;
  m.prog.tiles_total = m.tiles_expected;
  m.prog.whole_pending = m.head_mode && !m.whole_opened && m.one_pass_pending && m.prog.error.empty();
  // (Head start: not before the head has announced its tiles and they are in.)
  const bool head_in = !m.head_mode ||
                       (m.head_announced && m.head_tiles_done >= m.head_tiles_expected && !m.head_fix);
  const bool tiles_in = head_in && !m.one_pass_pending && m.prog.tiles_done >= m.tiles_expected;
  if (tiles_in && !m.rest_checked) {
    m.rest_checked = true;
    // Features no tile took (no geometry; or a feature the index did not return): one more pass.
    const int64_t expected = m.prog.features_expected;
    const bool short_count = expected < 0 || static_cast<int64_t>(m.seen_fids.size()) < expected;
    if (short_count && m.prog.tiles_over_budget == 0) {
      Impl::Job j;
      j.kind = Impl::JobKind::Rest;
      j.seen = m.seen_fids;
      m.push_job(std::move(j));
      m.one_pass_pending = true;  // until the rest arrives
      return moved;
    }
  }
  if (tiles_in && m.rest_checked && !m.prog.finished) {
    bool idle;
    {
      std::lock_guard lock(m.mu);
      idle = m.jobs.empty() && m.busy == 0 && m.done.empty();
    }
    if (idle) {
      m.prog.finished = true;
      m.write_manifest();
      if (m.prog.tiles_over_budget > 0)
        scene.warnings.push_back("streaming " + m.path + ": " + std::to_string(m.prog.tiles_over_budget) +
                                 " tiles not loaded, the memory budget of " +
                                 std::to_string(m.stream.memory_budget_mb) + " MiB was reached");
      note_report(scene, scene.layers[m.layer].data);
      m.add_others(scene);
      m.seen_fids.clear();
    }
  }
  return moved;
}

void LayerStream::finish(Scene& scene) {
  impl_->release_hold();  // nothing is drawn before every tile is in
  while (!impl_->prog.finished) {
    if (integrate(scene) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

StreamProgress LayerStream::progress() const {
  StreamProgress p = impl_->prog;
  {
    std::lock_guard lock(impl_->mu);
    p.ahead_bytes = impl_->done_bytes;
  }
  p.read_s = static_cast<double>(impl_->read_ns.load()) * 1e-9;
  p.triangulate_s = static_cast<double>(impl_->tri_ns.load()) * 1e-9;
  return p;
}

uint32_t LayerStream::layer_index() const { return impl_->layer; }

std::optional<std::pair<glm::dvec2, glm::dvec2>> LayerStream::extent() const { return impl_->extent; }

void LayerStream::refocus(glm::dvec2 focus) {
  Impl& m = *impl_;
  std::lock_guard lock(m.mu);
  m.focus = focus;
  for (Impl::Job& j : m.jobs) j.dist = glm::length(tile_centre(j.key) - focus);
  std::stable_sort(m.jobs.begin(), m.jobs.end(), [](const Impl::Job& a, const Impl::Job& b) { return a.dist < b.dist; });
}

gis::Result<std::vector<std::unique_ptr<LayerStream>>> add_user_layers_streamed(Scene& scene, const std::string& path,
                                                                               const LoadOptions& options,
                                                                               const StreamOptions& stream,
                                                                               size_t* layers_added) {
  std::vector<std::unique_ptr<LayerStream>> streams;
  size_t added = 0;
  auto finish = [&]() -> gis::Result<std::vector<std::unique_ptr<LayerStream>>> {
    if (layers_added) *layers_added = added;
    return std::move(streams);
  };
  const std::string frame_def = scene.frame().definition();
  const bool all_layers = options.read.layers.empty();
  // A single-layer source streamed before: its complete cache says everything; the source is not opened.
  if (all_layers) {
    if (auto cached = read_cache_manifest(cache_dir_for(stream.cache_dir, path, "", frame_def, options, stream));
        cached && cached->source_layers == 1) {
      auto s = LayerStream::launch(scene, path, "", options, stream, nullptr, std::move(cached));
      if (s) {
        streams.push_back(std::move(*s));
        ++added;
        return finish();
      }
    }
  }
  const auto is_buildings = [&](const gis::TiledLayerReader& r) {
    return r.declared_kind() == gis::GeomKind::Polygon && r.declared_count() != 0 &&
           user_layer_kind(r.schema(), gis::GeomKind::Polygon, options) == LayerKind::Buildings;
  };
  // A big GeoJSON (one layer) whose head holds buildings: started from the head.
  std::optional<Extent> head_extent;
  if (all_layers)
    if (auto head = open_head(path, "", frame_def, options, stream, head_extent); head && is_buildings(*head))
      if (auto s = LayerStream::launch(scene, path, "", options, stream, std::move(head), std::nullopt, true, head_extent)) {
        streams.push_back(std::move(*s));
        ++added;
        return finish();
      }
  // Is it a single layer of buildings? Then one reader serves the kind check, the schema and the first worker.
  auto first = gis::TiledLayerReader::open(path, "", frame_def, options.read);
  if (first && all_layers && (*first)->layer_names().size() == 1 && is_buildings(**first)) {
    if (auto s = LayerStream::launch(scene, path, "", options, stream, std::move(*first), std::nullopt)) {
      streams.push_back(std::move(*s));
      ++added;
      return finish();
    }
  }
  auto names = first ? gis::Result<std::vector<std::string>>((*first)->layer_names()) : gis::list_layers(path, options.read.allow_remote);
  if (first) first->reset();
  if (!names) return names.error();
  for (const std::string& name : *names) {
    if (!all_layers && std::find(options.read.layers.begin(), options.read.layers.end(), name) == options.read.layers.end())
      continue;
    auto r = gis::TiledLayerReader::open(path, name, frame_def, options.read);
    if (r && is_buildings(**r)) {
      if (auto s = LayerStream::launch(scene, path, name, options, stream, std::move(*r), std::nullopt)) {
        streams.push_back(std::move(*s));
        ++added;
        continue;
      }
    }
    LoadOptions one = options;
    one.read.layers = {name};
    auto a = add_user_layers(scene, path, one);
    if (!a) return a.error();
    added += *a;
  }
  return finish();
}

}  // namespace parktwin::scene
