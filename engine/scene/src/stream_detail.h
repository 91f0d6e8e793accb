#pragma once
// Internal: one tile of a streamed layer as a worker delivers it, and its disk cache form.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parktwin/scene/scene.h"

namespace parktwin::scene::stream_detail {

struct TileBatch {
  bool is_tile = true;             ///< false: a one-pass read's announcement of tiles to come, or its report (no features)
  bool more = false;               ///< not a tile: further announcements of the same read follow
  TileKey key;
  uint32_t part = 0;               ///< of the tile: a one-pass read's batch (0 for indexed reads)
  std::vector<gis::Feature> features;
  /// The tile's mesh; vertices carry the index of their feature in `features` until integrated.
  BuildingChunk chunk;
  std::vector<uint8_t> extruded;   ///< per feature: 1 when it is in the mesh
  /// The mesh laid out in clusters (gis/building_clusters.h), made by the worker; its buildings are
  /// feature indices in `features` until integrated, like the vertices'. Not in the cache file.
  std::shared_ptr<gis::ClusteredMesh> clusters;
  gis::LoadReport report;
  std::vector<int64_t> seen;       ///< FIDs this tile's read covered (kept or skipped)
  bool from_cache = false;
  std::string error;               ///< reading failed: nothing else in the batch
  /// A one-pass read's report: the extent of what the pass saw (TiledLayerReader::pass_extent);
  /// not in the cache file (the manifest keeps the layer's).
  std::optional<std::pair<glm::dvec2, glm::dvec2>> extent;
  /// Head start (StreamOptions::head_start_bytes). A tile of the head: `ordinals` gives each
  /// feature's place in the head; an announcement: of the head's tiles.
  bool head = false;
  std::vector<uint32_t> ordinals;
  /// Not a tile: the whole file's reader is open. `declared`: its feature count (-1 unknown);
  /// `schema`: its schema where the head's differs. With `head_fix`, `features` is the whole
  /// file's first batch, which differs from the head's and takes its place.
  bool whole_open = false, head_fix = false;
  int64_t declared = -1;
  std::optional<gis::LayerData> schema;
  /// Its meshes' and features' memory, counted against StreamOptions::ahead_bytes while it waits.
  uint64_t bytes = 0;
};

/// About what a finished batch holds in memory: its chunk's meshes and layout, its features.
uint64_t batch_bytes(const TileBatch& b);

/// Writes a batch to `path` (through a temporary file and a rename); false on any failure.
bool write_tile(const std::string& path, const TileBatch& b);
/// Reads a batch written by write_tile; nothing when the file is missing, short, damaged
/// (checksum) or of another format version.
std::optional<TileBatch> read_tile(const std::string& path);

}  // namespace parktwin::scene::stream_detail
