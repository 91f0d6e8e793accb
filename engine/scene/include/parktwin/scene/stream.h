#pragma once
// Streaming a big buildings layer into the scene: the layer is read tile by tile (kTileSize) with
// a spatial filter where the source has an index (GeoPackage, FlatGeobuf, PostGIS), nearest to the
// focus first, extruded on worker threads, and moved into the scene by the main thread as tiles
// finish; the renderer's update_geometry uploads the new chunks. A source without an index
// (GeoJSON, Shapefile) is read in one pass and then split into tiles for the workers.
//
// Triangulated tiles are kept on disk (StreamOptions::cache_dir), keyed by the source's path, size
// and modification time, the layer, the frame and the read options: a second start reads the
// cache instead of the source. A damaged cache file is ignored (that tile is read from the source).
//
// The result is the same set of features as add_user_layers (same FIDs, geometry and attributes);
// their order in the layer is the order tiles arrived.
//
// Usage:
//   auto s = LayerStream::start(scene, "city.fgb", "", load_options, {.focus = camera_target});
//   each frame: s->integrate(scene); renderer.update_geometry(scene); show s->progress();
//   or, for a still: s->finish(scene);
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <glm/vec2.hpp>

#include "parktwin/gis/result.h"
#include "parktwin/scene/scene.h"

namespace parktwin::gis {
class TiledLayerReader;
}

namespace parktwin::scene {

struct StreamOptions {
  unsigned threads = 0;              ///< worker threads (0 = one per core)
  /// The workers' nice value above the caller's (0: the same). With +10 loading yields the cores
  /// to the frames, which on a CPU device (lavapipe) are CPU work too: at 10k footprints the first
  /// frame came 0.03-0.09 s sooner, but at 1M the frames drawn while tiles arrive took the cores
  /// and the last tile came at 72.9 s instead of 31.3 s (same session, one run each), so the
  /// default is 0. Raised once per worker; it cannot be lowered again without privileges.
  int worker_nice = 0;
  std::optional<glm::dvec2> focus;   ///< scene frame: tiles nearest to it first (default: the layer's centre)
  std::string cache_dir;             ///< where triangulated tiles are kept ("" = no cache)
  /// Stop reading further tiles once the layer's vertex and index data pass this many MiB (0 = no
  /// limit); the tiles left out are counted in StreamProgress and named in Scene::warnings.
  uint64_t memory_budget_mb = 0;
  /// A source without a spatial index (GeoJSON, ...) is read in one pass; its features go to the
  /// workers as they are read, in batches: the first `one_pass_first` (the first frame comes
  /// before the whole file is read), then every `one_pass_batch`. Each batch makes a chunk of its
  /// own in each tile it touches, so a tile may have several (BuildingChunk::tile is the same).
  size_t one_pass_first = 1024;
  size_t one_pass_batch = 65536;
  /// The layer's extent before any tile (LayerStream::extent, for a view that fits it). A source
  /// that keeps none and has no index (GeoJSON) gives it only by a read of every feature before
  /// the one-pass read (GDAL's forced extent: at 100k footprints about 0.5 s here). false: such a
  /// source's extent is what its pass saw, known once the pass is through; each tile's bounds
  /// enter the scene as it arrives either way. For callers that know where the camera looks.
  /// A GeoJSON big enough for a head start (head_start_bytes) takes it from one scan of its text
  /// instead (TiledLayerReader::whole_file_extent: the same box; 30 MB in 0.08-0.1 s here)
  /// and still starts from its head; where the scan cannot say, GDAL's forced extent as before.
  bool extent_first = true;
  /// A one-pass GeoJSON file of at least this many bytes (0: none), streamed with no complete cache
  /// (and with extent_first, where the scan of its text gives the extent): its first `one_pass_first` features are read from a copy of the
  /// file's head while GDAL parses the whole file (which it does before handing out any feature:
  /// 0.7 s for 30 MB here), so they are on screen that much sooner. The whole file's first batch
  /// is then compared with them: where the schema, an id, an attribute or a geometry differs (a
  /// field first seen further on, a "crs" member after the features), its features replace the
  /// head's, so the layer ends exactly as without the head.
  uint64_t head_start_bytes = uint64_t{8} << 20;
  /// First frame first: once a read has given the first tiles, the workers start no further read
  /// (the next tile of an indexed source, a one-pass read's second batch) until integrate() is
  /// called again after the call that moved them in (the caller drew them), finish() is called,
  /// or this many seconds have passed (0: no hold). Work on what was read goes on. On a CPU
  /// device the first frame's shader compiles and rasterising are CPU work that the loading
  /// otherwise shares the cores with.
  double first_frame_hold_s = 1.0;
  /// Tiles read and extruded ahead of integrate(): a worker with a finished tile waits while the
  /// tiles not yet moved in would hold more than this many bytes of meshes and features (0: no
  /// limit; with none waiting, a tile always goes). Where the caller takes tiles more slowly than
  /// the workers make them (10M footprints on lavapipe: frames of seconds, kTilesPerFrame tiles
  /// each), the finished tiles otherwise piled up in memory: 20.5 GB of RSS five minutes in, on a
  /// 24 GiB machine. 1 GiB holds dozens of 10M's tiles, so a frame still finds its kTilesPerFrame.
  uint64_t ahead_bytes = uint64_t{1} << 30;
};

struct StreamProgress {
  size_t tiles_total = 0;      ///< tiles the layer's extent covers (with features or not)
  size_t tiles_done = 0;       ///< tiles moved into the scene (empty ones included)
  size_t tiles_from_cache = 0; ///< of those, read from the disk cache
  size_t tiles_over_budget = 0;///< tiles not read because of memory_budget_mb
  int64_t features = 0;        ///< features moved into the scene
  int64_t features_expected = -1;  ///< what the source declares (-1 unknown)
  double read_s = 0.0;         ///< worker time reading the source or the cache (summed over workers)
  double triangulate_s = 0.0;  ///< worker time extruding (summed over workers)
  int64_t head_features = 0;   ///< features first shown from the file's head (head_start_bytes)
  int64_t head_replaced = 0;   ///< of those, replaced by the whole file's (they differed)
  /// The head is shown and the whole file is still being parsed (no tile count means much yet).
  bool whole_pending = false;
  bool finished = false;       ///< every tile is in the scene (or left out by the budget)
  uint64_t ahead_bytes = 0;    ///< finished tiles' meshes and features waiting for integrate() (StreamOptions::ahead_bytes)
  std::string error;           ///< the first failure reading a tile ("" = none); other tiles go on
};

class LayerStream {
 public:
  /// Adds layer `layer` ("" = the first) of `path` to the scene as an empty buildings layer and
  /// starts reading it on worker threads. Fails when the source cannot be opened, has no CRS, or
  /// its layer is not polygons.
  static gis::Result<std::unique_ptr<LayerStream>> start(Scene& scene, const std::string& path,
                                                         const std::string& layer, const LoadOptions& options,
                                                         const StreamOptions& stream = {});
  ~LayerStream();
  LayerStream(const LayerStream&) = delete;
  LayerStream& operator=(const LayerStream&) = delete;

  /// Moves up to `max_tiles` finished tiles into the scene (main thread); returns how many moved.
  /// The viewer takes kTilesPerFrame a frame, so that a frame while tiles arrive stays short.
  size_t integrate(Scene& scene, size_t max_tiles = SIZE_MAX);
  static constexpr size_t kTilesPerFrame = 8;
  /// Waits for every tile and moves it into the scene.
  void finish(Scene& scene);
  StreamProgress progress() const;
  /// Tiles not yet read are read nearest to `focus` (scene frame) first from now on (the camera moved).
  void refocus(glm::dvec2 focus);
  /// The extent the source declares for the layer (scene frame), when it could say; with
  /// StreamOptions::extent_first false, for a source without a stored extent, what its pass saw
  /// (nothing until the pass is through and integrated).
  std::optional<std::pair<glm::dvec2, glm::dvec2>> extent() const;
  /// The layer's index in Scene::layers.
  uint32_t layer_index() const;

  struct Impl;
  struct CachedLayerInfo;

 private:
  friend gis::Result<std::vector<std::unique_ptr<LayerStream>>> add_user_layers_streamed(
      Scene&, const std::string&, const LoadOptions&, const StreamOptions&, size_t*);
  /// Starts from an opened reader (taken by the first worker) or from a complete cache's manifest;
  /// with `head_start`, the reader is TiledLayerReader::open_head's (StreamOptions::head_start_bytes)
  /// and `head_extent`, when given, the whole file's (TiledLayerReader::whole_file_extent).
  static gis::Result<std::unique_ptr<LayerStream>> launch(Scene& scene, const std::string& path,
                                                          const std::string& requested, const LoadOptions& options,
                                                          const StreamOptions& stream,
                                                          std::unique_ptr<gis::TiledLayerReader> reader,
                                                          std::optional<CachedLayerInfo> cached, bool head_start = false,
                                                          std::optional<std::pair<glm::dvec2, glm::dvec2>> head_extent = std::nullopt);
  explicit LayerStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// add_user_layers, but a layer shown as buildings is streamed: its (empty) layer is added now and
/// its stream returned; every other layer is read and added at once. Fails as add_user_layers does
/// when the source cannot be listed; a layer that cannot be streamed is read the ordinary way.
gis::Result<std::vector<std::unique_ptr<LayerStream>>> add_user_layers_streamed(Scene& scene, const std::string& path,
                                                                               const LoadOptions& options,
                                                                               const StreamOptions& stream,
                                                                               size_t* layers_added = nullptr);

/// The default cache directory: $XDG_CACHE_HOME/parktwin/tiles, else ~/.cache/parktwin/tiles.
std::string default_tile_cache_dir();

}  // namespace parktwin::scene
