#pragma once
// Internal: a LayerStream's state, shared by its workers (stream_worker.cpp) and the main thread
// (stream.cpp), and its tile cache's manifest (stream_cache.cpp).
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "load_detail.h"
#include "parktwin/gis/tiled_reader.h"
#include "parktwin/scene/stream.h"
#include "stream_detail.h"

namespace parktwin::scene {

/// What a complete tile cache says of its layer, so a second start needs no look at the source.
struct LayerStream::CachedLayerInfo {
  gis::LayerData schema;  // name, CRS, fields (no features)
  int64_t declared = -1;
  std::optional<std::pair<glm::dvec2, glm::dvec2>> extent;
  size_t source_layers = 1;
  bool indexed = false;
  std::vector<std::pair<TileKey, uint32_t>> tiles;  // with their part (one-pass sources: a batch of the read)
};

namespace stream_detail {

inline glm::dvec2 tile_centre(TileKey k) {
  return {(static_cast<double>(k.x) + 0.5) * kTileSize, (static_cast<double>(k.y) + 0.5) * kTileSize};
}

/// The key of the batch of features no tile took (see LayerStream::Impl::JobKind::Rest).
inline constexpr TileKey kRestKey{INT64_MIN, INT64_MIN};

/// A tile's file; a one-pass read's later batches make further parts of a tile (see ReadAll).
std::string tile_file(const std::string& dir, TileKey k, uint32_t part);

/// One entry of the manifest: a tile part and its feature count.
struct ManifestEntry {
  TileKey key;
  uint32_t part = 0;
  int64_t features = 0;
};

/// The cache directory of one source layer read one way; "" when the source is not a plain file.
std::string cache_dir_for(const std::string& root, const std::string& path, const std::string& layer,
                          const std::string& frame_def, const LoadOptions& o, const StreamOptions& so);
/// The manifest of a complete cache: the layer's schema, extent and tile parts.
void write_cache_manifest(std::ostream& out, const LayerStream::CachedLayerInfo& c,
                          const std::vector<ManifestEntry>& tiles);
/// The manifest in `dir`; nothing when it is missing, damaged or of another format.
std::optional<LayerStream::CachedLayerInfo> read_cache_manifest(const std::string& dir);

}  // namespace stream_detail

struct LayerStream::Impl {
  enum class JobKind { Tile, CachedTile, ReadAll, Rest, Extrude, HeadRead };
  struct Job {
    JobKind kind = JobKind::Tile;
    TileKey key;
    uint32_t part = 0;                            // CachedTile, Extrude: which part of the tile
    double dist = 0.0;
    std::vector<gis::Feature> features;          // Extrude: the tile's features
    std::set<std::tuple<int64_t, int64_t, uint32_t>> only;  // ReadAll after a damaged cache: these parts only
    bool report_only = false;                     // ReadAll after a damaged cached report: no tiles
    std::unordered_set<int64_t> seen;             // Rest: FIDs already read
    bool head = false;                            // HeadRead, and Extrude of what it read
    std::vector<uint32_t> ordinals;               // Extrude of the head: each feature's place in it
    bool after_head = false;                      // ReadAll whose first batch the head has shown
  };

  // Fixed at start.
  std::string path, layer_name, frame_def, cache;
  LoadOptions options;
  StreamOptions stream;
  gis::LayerData schema;
  bool indexed = false;
  // The fields heights come from (the whole file's schema can replace the head's: set before the
  // Extrude jobs that use it are queued).
  std::atomic<int> height_field{-1}, floor_field{-1};
  glm::dvec2 focus{0.0};
  std::optional<std::pair<glm::dvec2, glm::dvec2>> extent;
  size_t source_layers = 1;
  uint32_t layer = 0;
  std::unique_ptr<gis::TiledLayerReader> spare;  // the reader start() opened, for the first worker
  std::unique_ptr<load_detail::BuildingFields> fields;  // main thread

  // Shared with workers.
  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<Job> jobs;  // kept sorted by distance (nearest first)
  std::deque<stream_detail::TileBatch> done;
  uint64_t done_bytes = 0;               // TileBatch::bytes summed over `done`
  std::condition_variable room_cv;       // integrate() took from `done` (StreamOptions::ahead_bytes)
  size_t busy = 0;
  bool stop = false;
  std::atomic<bool> over_budget{false};
  std::atomic<uint64_t> bytes{0};  // vertex and index data of the tiles read so far
  std::atomic<int64_t> read_ns{0}, tri_ns{0};
  std::vector<std::thread> workers;

  // Head start (StreamOptions::head_start_bytes): the first batch of a big GeoJSON read from the
  // file's head while the whole file's reader opens, then compared with what that reader gives.
  enum class HeadState { None, Pending, Ready, Unusable };
  std::unique_ptr<gis::TiledLayerReader> head_reader;  // taken by the HeadRead job
  gis::LayerData head_schema;                           // the head's (no features)
  HeadState head_state = HeadState::None;               // under mu; head_cv tells a change
  std::condition_variable head_cv;
  std::vector<gis::Feature> head_features;              // Ready: the head's first batch as shown

  // StreamOptions::first_frame_hold_s, under mu: hold_cv tells the release.
  std::condition_variable hold_cv;
  bool hold_released = false;
  std::chrono::steady_clock::time_point hold_until{};  // set when the hold first applies
  bool first_delivered = false;                        // a tile with features has been delivered
  // Waits while the hold applies: after the first tiles, or `read_first` (a one-pass read whose
  // first batch has gone to the workers).
  void hold_for_first_frame(bool read_first);
  void release_hold();

  // Main thread.
  StreamProgress prog;
  bool first_integrated = false;   // an integrate() has moved a tile in (the next one releases the hold)
  size_t tiles_expected = 0;       // known tiles (grows when a one-pass read splits the layer)
  bool one_pass_pending = false;   // a ReadAll has not delivered yet
  bool rest_checked = false;
  std::unordered_set<int64_t> seen_fids;
  std::vector<stream_detail::ManifestEntry> manifest;  // tile parts with their feature counts
  bool cache_complete = false, cache_usable = true;
  std::vector<size_t> head_pos;                 // head feature (its place in the head) -> layer feature
  bool head_mode = false;                       // started from the head (launch)
  bool head_announced = false;                  // the head's announcement is in (its tile count)
  bool whole_opened = false;                    // the whole file's reader is open (or failed to open)
  size_t head_tiles_expected = 0, head_tiles_done = 0;
  std::string head_error;                       // the whole file's failure, said once the head is in
  std::optional<stream_detail::TileBatch> head_fix;  // the whole file's first batch, once the head's tiles are in
  // Lines and points of a source that mixes them with its polygons (a GeoJSON started from its
  // head: the head held polygons only): added as layers of their own once the stream is in, as
  // add_user_layers splits such a layer.
  std::vector<gis::Feature> others;
  void add_others(Scene& scene);

  // The job queue (nearest the focus first) and the workers' side (stream_worker.cpp).
  void push_job(Job j);
  void deliver(stream_detail::TileBatch&& b);
  // Extrudes a tile's features into its chunk (vertices carry the feature's index in the batch).
  void extrude(stream_detail::TileBatch& b, gis::Extruder& ex);
  // The tile's mesh laid out as renderers draw it, here on the worker rather than on the render
  // thread at upload (counted as triangulation time).
  void lay_out(stream_detail::TileBatch& b);
  void count_bytes(const stream_detail::TileBatch& b);
  // A one-pass read's batch `part` split by tile into Extrude jobs (announced first); `only`, when
  // not empty, keeps those tile parts alone. Head batches carry each feature's place in the head.
  void split_to_tiles(std::vector<gis::Feature>&& feats, uint32_t part,
                      const std::set<std::tuple<int64_t, int64_t, uint32_t>>& only, bool head);
  // The HeadRead job, and the ReadAll job's check of the head against the whole file.
  void read_head();
  bool head_agrees(const gis::TiledLayerReader& whole, std::vector<gis::Feature>& head);
  void finish_batch(stream_detail::TileBatch&& b, gis::Extruder& ex, bool from_source);
  // A read's features and report into `b`; on failure delivers `b` with the message instead.
  bool take(stream_detail::TileBatch& b, gis::Result<gis::LayerData>&& d);
  void run_job(Job& j, std::unique_ptr<gis::TiledLayerReader>& reader, gis::Extruder& ex);
  void worker();

  // The main thread's side (stream.cpp): one delivered batch into the scene; the cache's manifest
  // once the layer is in.
  void integrate_batch(Scene& scene, stream_detail::TileBatch&& b);
  // The whole file's word on the head: its schema (the fields heights come from), and its first
  // batch in place of the head's once all of the head's tiles are in.
  void take_whole_schema(Scene& scene, const gis::LayerData& whole);
  // Once the head's tiles are in: the fix, and the whole file's failure said with their count.
  void settle_head(Scene& scene);
  void write_manifest();
};

}  // namespace parktwin::scene
