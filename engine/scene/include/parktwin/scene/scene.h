#pragma once
// The scene: what ParkTwin shows, as plain data. Layers hold features in the scene frame
// (double metres); ground and building meshes are derived from them once at load time, and the
// per-building style (height, colour) is a separate flat array that the renderer uploads to a
// storage buffer, so restyling never touches geometry.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <glm/vec2.hpp>
#include <glm/vec4.hpp>
#include <glm/vec3.hpp>
#include <glm/common.hpp>
#include <glm/geometric.hpp>

#include "parktwin/gis/building_clusters.h"
#include "parktwin/gis/extrude.h"
#include "parktwin/gis/frame.h"
#include "parktwin/gis/geometry.h"
#include "parktwin/gis/lod.h"
#include "parktwin/gis/reader.h"
#include "parktwin/scene/chains.h"
#include "parktwin/scene/facts.h"
#include "parktwin/scene/kpi.h"
#include "parktwin/scene/metrics.h"

namespace parktwin::scene {

/// What a layer is, which decides how it is drawn.
enum class LayerKind : uint8_t {
  Province,   ///< province outline (filled base)
  Divisions,  ///< cities / districts (outlines)
  Parks,      ///< park boundaries (tinted fill + outline)
  Parcels,    ///< land-use parcels (fill by land use)
  Roads,      ///< road centre lines (ribbons by width)
  Buildings,  ///< footprints extruded by height
  Sites,      ///< points (enterprise sites, reference points)
  Area        ///< any other polygon layer (user data): plain fill + outline
};
const char* layer_kind_name(LayerKind k);

/// How a layer looks; edited by the UI through commands.
struct LayerStyle {
  bool visible = true;
  float opacity = 1.0f;
};

/// The grid cell (kTileSize metres) a feature's bounding-box centre falls in: the key of its chunk.
struct TileKey {
  int64_t x = 0, y = 0;
  bool operator==(const TileKey&) const = default;
};
/// Side of a chunk's tile, metres.
constexpr double kTileSize = 4000.0;
/// The tile containing point `p` (scene frame).
TileKey tile_of(glm::dvec2 p);

/// A ground-level mesh tile of one layer: fills (triangles) and outlines (lines), relative to origin.
/// Chunks are the unit of geometry updates (update_features): each knows its member features and
/// has a revision that bumps whenever its meshes are rebuilt.
struct GroundChunk {
  gis::FlatMesh fill;
  gis::FlatMesh lines;          ///< line list, in `indices`
  glm::dvec2 bmin{0.0}, bmax{0.0};
  TileKey tile;
  std::vector<uint32_t> features;  ///< member feature indices (ascending)
  uint64_t revision = 1;           ///< a Scene::geometry_revision value; changes when the meshes change
};

/// A building mesh tile: walls, roofs and edges, relative to origin. Vertices carry Scene::buildings
/// indices. A chunk emptied by edits stays (with an empty mesh) so chunk indices stay stable.
struct BuildingChunk {
  gis::BuildingMesh mesh;
  glm::dvec2 bmin{0.0}, bmax{0.0};
  double max_height = 0.0;
  TileKey tile;
  std::vector<uint32_t> features;  ///< member feature indices (ascending): extruded in this order
  uint64_t revision = 1;           ///< a Scene::geometry_revision value; changes when the mesh changes
  /// Its meshes were dropped to keep within a memory budget (MeshResidency, residency.h): `mesh`
  /// (origin kept), `lods` and the layouts are empty, its features, bounds and tile stay, and its
  /// mesh comes back as it was when the camera comes near. update_features rebuilds it as usual.
  bool evicted = false;
  /// While `evicted`: what is drawn in its place (residency.h, chunk_blocks), the chunk's buildings
  /// merged into blocks, one per cell of a kBlockGrid x kBlockGrid grid over its bounds; empty
  /// otherwise. Same origin and vertex format as `mesh`; its building indices are the slots whose
  /// styles the blocks take. A stand-in, not buildings: renderers neither pick nor outline it.
  gis::BuildingMesh blocks;
  /// The mesh a renderer draws: `blocks` while evicted, else `mesh`.
  const gis::BuildingMesh& drawn_mesh() const { return evicted ? blocks : mesh; }
  /// Levels of detail, coarser with each index (tolerances gis::kBuildingLodTolerances, 4 m then
  /// 8 m): same origin, vertex format and building indices as `mesh`, every building present, ground
  /// cover within lods[i].error_m of the full footprints (see gis/lod.h). A renderer may draw level
  /// i instead of `mesh` when error_m, seen at the chunk's nearest distance, is under its pixel
  /// budget. Empty until build_chunk_lods / build_building_lods runs (they cost about twice the
  /// extrusion, so loading does not wait for them); emptied whenever `mesh` is rebuilt.
  std::vector<gis::BuildingLod> lods;
  uint64_t lods_revision = 0;  ///< the `revision` the levels were built from (0: none)
  /// `mesh` (and each of `lods`) laid out in clusters as renderers draw them
  /// (gis/building_clusters.h), made off the main thread where the meshes are made (stream workers,
  /// LodBuilder) so that uploading a chunk is copying it. Trusted only through prepared_clusters /
  /// prepared_lod_clusters: whatever rebuilds the mesh leaves them stale (their revision no longer
  /// matches) and a renderer then lays the chunk out itself.
  std::shared_ptr<const gis::ClusteredMesh> clusters;
  std::vector<std::shared_ptr<const gis::ClusteredMesh>> lod_clusters;
  uint64_t clusters_revision = 0;  ///< the `revision` `clusters` was made for (0: none)

  /// `clusters` when it was made from the current mesh, else null.
  const gis::ClusteredMesh* prepared_clusters() const {
    return clusters_revision == revision ? layout_of(clusters, mesh) : nullptr;
  }
  /// `lod_clusters[level]` when it was made from the current lods[level], else null.
  const gis::ClusteredMesh* prepared_lod_clusters(size_t level) const {
    if (lods_revision != revision || level >= lods.size() || level >= lod_clusters.size()) return nullptr;
    return layout_of(lod_clusters[level], lods[level].mesh);
  }

 private:
  /// `layout` when it holds as many indices as `m` (a layout only reorders them), else null.
  static const gis::ClusteredMesh* layout_of(const std::shared_ptr<const gis::ClusteredMesh>& layout,
                                             const gis::BuildingMesh& m) {
    return layout && layout->indices.size() == m.index_count() ? layout.get() : nullptr;
  }
};

/// A point symbol drawn at constant pixel size (enterprise sites, reference points).
struct Marker {
  glm::dvec2 pos{0.0};
  uint32_t rgba = 0xff000000u;
  float size_px = 8.0f;
  uint32_t feature = 0;     ///< index in its layer's features
  int32_t enterprise = -1;  ///< index into Scene::enterprises of the site it marks, -1 if none
};

struct Layer {
  std::string id;        ///< unique in the scene, e.g. "buildings" or "user:footprints.shp/footprints"
  std::string title;     ///< shown in the layers panel
  LayerKind kind = LayerKind::Area;
  gis::LayerData data;
  LayerStyle style;
  std::string provenance;  ///< "real: ..." or "generated: ..." — shown in the UI
  bool generated = false;
  uint32_t first_building = 0;  ///< Buildings: index of its first building in Scene::buildings
  std::vector<GroundChunk> ground;
  std::vector<BuildingChunk> building_chunks;
  std::vector<Marker> markers;
  /// Per feature: its chunk (index into `building_chunks` or `ground`), -1 when in none.
  std::vector<int32_t> feature_chunk;
  /// Buildings layers, per feature: its slot in Scene::buildings / Scene::styles, -1 when none.
  /// Slots never move: an edited feature keeps its slot, a deleted one keeps it hidden.
  std::vector<int32_t> feature_building;
  std::string height_attribute;  ///< Buildings: the height attribute asked for at load ("" = auto)
  /// A streamed layer: the features its source declares, of which `data.features` holds those that
  /// have arrived (a renderer sizes its buffers for the whole layer from it); -1: unknown, or the
  /// layer was loaded whole.
  int64_t features_expected = -1;
};

/// One of the three clusters (Nanchang, Yingtan, Yichun) and its areas.
struct Park {
  std::string id;        ///< nanchang | yingtan | yichun
  std::string name_zh, name_en;
  std::string cluster_en, cluster_zh;
  std::vector<gis::Polygon> areas;  ///< boundary polygons, scene frame
  std::vector<std::string> area_names;
  glm::dvec2 center{0.0};            ///< bounding-box centre of all areas
  glm::dvec2 focus{0.0};             ///< where the park view looks: its chain master's site, else its main area
  glm::dvec2 bmin{0.0}, bmax{0.0};
  std::vector<Fact> facts;
};

struct Enterprise {
  std::string id, name_zh, name_en, park, chain, cluster, segment, role, product;
  std::string unit;           ///< production unit as the dataset gives it, e.g. "t/a", "million units/a"
  double revenue_2022 = 0.0;  ///< nominal annual revenue, yuan
  glm::dvec2 pos{0.0};
  bool generated = true;
  std::string source, source_ref;
};

/// Static facts of one building; its dynamic look is in BuildingStyle.
struct Building {
  uint32_t layer = 0;      ///< index in Scene::layers
  uint32_t feature = 0;    ///< index in that layer's features
  float height_m = 10.0f;  ///< from the data (height attribute, floors, or a default)
  uint16_t kind = 0;       ///< index into Scene::building_kinds
  int32_t enterprise = -1; ///< index into Scene::enterprises, -1 if none
  bool generated = false;  ///< its feature's `source` says generated
  glm::dvec2 centroid{0.0};
};

/// Per-building GPU record: 16 bytes, layout shared with shaders/common.glsl (static_assert there).
struct BuildingStyle {
  float height;    ///< metres, already scaled
  float base;      ///< metres above ground of the base
  uint32_t rgba;   ///< 0xAABBGGRR
  uint32_t flags;  ///< see the kFlag* constants
};
constexpr uint32_t kFlagHidden = 1u << 0;
constexpr uint32_t kFlagHighlighted = 1u << 1;
constexpr uint32_t kFlagGenerated = 1u << 2;
constexpr uint32_t kFlagAlarm = 1u << 3;        ///< pulses red
constexpr uint32_t kFlagMaintenance = 1u << 4;  ///< greyed and hatched
constexpr uint32_t kFlagStopped = 1u << 5;      ///< dark grey
constexpr uint32_t kFlagStale = 1u << 6;        ///< no fresh data: washed out and checkered
/// Buildings per block of Scene::styles for change tracking: a snapshot copies and a renderer
/// uploads only the blocks that changed (64 KiB of styles each).
constexpr size_t kStyleBlock = 4096;
static_assert(sizeof(BuildingStyle) == 16);

/// How buildings are coloured.
enum class ColorBy : uint8_t { Kind, Chain, Height, Revenue, Uniform };
const char* color_by_name(ColorBy c);

struct StyleParams {
  float height_scale = 1.0f;
  ColorBy color_by = ColorBy::Kind;
  bool operator==(const StyleParams&) const = default;
};

/// The whole scene. Mutated only by the app's command layer; the renderer reads it after load and
/// after edits (update_features rebuilds the chunks of edited features, Renderer::update_geometry
/// uploads them) and reads `styles` each frame that `style_revision` changed.
class Scene {
 public:
  explicit Scene(gis::SceneFrame frame);

  const gis::SceneFrame& frame() const { return frame_; }

  std::vector<Layer> layers;
  std::vector<Park> parks;
  std::vector<Enterprise> enterprises;
  std::vector<Building> buildings;
  std::vector<std::string> building_kinds;  ///< kind names seen in the data
  std::vector<BuildingStyle> styles;        ///< one per building
  StyleParams style_params;
  /// Bumps whenever `styles` changes. Writers outside the methods below mark what they wrote with
  /// touch_style() and then call commit_styles(); a bare `++style_revision` is still seen (as a
  /// change of every block, see styles_changed_since).
  uint64_t style_revision = 1;
  /// Bumps whenever any chunk's meshes change (update_features); chunks carry the value they were
  /// last rebuilt at, so a renderer re-uploads the chunks newer than what it holds.
  uint64_t geometry_revision = 1;
  /// The building meshes the scene keeps at most, in bytes (chunk_mesh_bytes summed; a
  /// MeshResidency sets it and keeps to it), so a renderer sizes its building buffers for that
  /// rather than for every declared feature; 0: no budget.
  uint64_t mesh_budget_bytes = 0;
  uint64_t visibility_revision = 1;

  std::vector<std::string> attributions;  ///< lines to show (data licences)
  std::vector<std::string> warnings;      ///< load problems, for the UI and the log
  int damaged_layers = 0;                 ///< layers whose source was damaged (read short or failing)

  glm::dvec2 bmin{1e300}, bmax{-1e300};  ///< bounds of everything loaded

  /// Index of a park by id, or -1.
  int park_index(const std::string& id) const;
  /// Index of a layer by id, or -1.
  int layer_index(const std::string& id) const;
  /// The enterprise a picked marker (`marker` in layer `layer`'s markers) stands for, or -1.
  int marker_enterprise(uint32_t layer, uint32_t marker) const;
  /// Features in all layers.
  size_t feature_count() const;
  /// Recomputes the target style of every building from style_params, the metric binding and the
  /// live metrics, and moves `styles` there at once (`animate` moves it gradually instead).
  /// Allocation-free after the first call.
  void restyle();
  /// Restyles only the given buildings (indices into `buildings`; `styles` first grows to
  /// buildings.size()): what restyle() would give them, at once, in time proportional to the list
  /// (plus the enterprises and kinds), not to the scene; kFlagHidden is kept. Bumps style_revision.
  void restyle_buildings(const std::vector<uint32_t>& indices);
  /// Recomputes targets like restyle() but leaves `styles` to animate() (smooth transitions).
  void retarget();
  /// Moves `styles` toward the targets by `dt_s` (binding.transition_s time constant); bumps
  /// style_revision when anything moved. Returns true while still moving.
  bool animate(double dt_s);
  /// Marks building i's style block as written; commit_styles() then bumps style_revision.
  void touch_style(size_t i);
  /// Bumps style_revision for the blocks touched since the last bump.
  void commit_styles();
  /// Which blocks of `styles` (kStyleBlock buildings each) may differ from what a consumer copied
  /// at revision `since`: all of them (true), or those whose style_block_revision is above `since`.
  bool styles_changed_since(uint64_t since) const;
  /// The style_revision at which block `b` last changed (UINT64_MAX for a block not tracked yet).
  uint64_t style_block_revision(size_t b) const;
  /// The buildings of enterprise e (indices into `buildings`, ascending), from an index rebuilt
  /// after buildings were added or restyled one by one. Main thread only (a lazily built cache).
  std::pair<const uint32_t*, const uint32_t*> buildings_of(size_t e) const;

  // ---- Live metrics (written by the app from engine/live; read by panels and restyle) ----
  std::vector<Metrics> live;         ///< latest sample per enterprise (ts_ms 0 = none yet)
  int64_t live_time_ms = 0;          ///< the moment the scene shows (live clock or playback time)
  bool live_simulated = false;       ///< the values come from the built-in simulator
  std::string live_source;           ///< the source's URL, for the UI
  TrailingTotals kpi_totals;         ///< per-enterprise totals of the KPI window (trailing 365 days), from engine/live
  MetricBinding binding;
  ChainModel chains;                 ///< supply links, park flows, chain filter
  int selected_enterprise = -1;      ///< its buildings are highlighted
  int selected_layer = -1, selected_feature = -1;  ///< a selected feature without an enterprise (a parcel ...)
  uint64_t live_revision = 0;        ///< bumps with every update_live / set_live_state
  bool any_alarm = false;            ///< some building shows an alarm (it pulses: keep drawing)
  /// Merges newer samples (by enterprise index). Returns false, storing nothing, for an older
  /// sample than the stored one, an unknown enterprise or a non-finite value (finite_metrics). A
  /// stored sample dated after live_time_ms gives way to any sample at or before it.
  bool update_live(uint32_t enterprise, const Metrics& m);
  /// Forgets all live values and peaks (a new source).
  void reset_live();
  /// Replaces the whole state (playback: the state at a time from history); peaks are kept. A row
  /// with a non-finite value counts as no sample.
  void set_live_state(const std::vector<Metrics>& state);
  /// True when the enterprise has no sample newer than binding.stale_after_s before live_time_ms.
  bool is_stale(uint32_t enterprise) const;
  /// The value range of `m` over enterprises with data (min > 0 for log use), for legends.
  std::pair<double, double> live_range(Metric m) const;
  /// Per-enterprise peak of each metric seen so far (the height reference).
  double live_peak(uint32_t enterprise, Metric m) const;

  void include_bounds(glm::dvec2 lo, glm::dvec2 hi);

 private:
  gis::SceneFrame frame_;
  std::vector<uint32_t> enterprise_rgba_;  ///< restyle() scratch: one colour per enterprise
  std::vector<std::array<double, kMetricCount>> peaks_;  ///< per enterprise
  std::vector<float> live_height_;      ///< per enterprise: height factor, -1 without a sample
  std::vector<uint32_t> live_rgba_, live_flags_;
  std::vector<float> target_height_;
  std::vector<glm::vec4> target_color_, current_color_;
  std::vector<uint32_t> kind_rgba_;  ///< per building kind, from the last prepare_targets()
  /// Per enterprise, everything its buildings' targets depend on (prepare_targets()).
  struct EnterpriseTarget {
    uint32_t rgba = 0, live_rgba = 0, live_flags = 0;
    float live_height = -1.0f;
    bool selected = false;
    bool operator==(const EnterpriseTarget&) const = default;
  };
  /// What every building's target depends on beyond its enterprise.
  struct GlobalTarget {
    StyleParams params;
    bool use_live = false;
    size_t buildings = 0, enterprises = 0;
    std::vector<uint32_t> kinds;
    bool operator==(const GlobalTarget&) const = default;
  };
  std::vector<EnterpriseTarget> ent_now_, ent_targets_;  ///< now / when every target was last brought up to date
  GlobalTarget global_now_, global_targets_;
  bool targets_valid_ = false;  ///< ent_targets_/global_targets_ describe every building's target
  std::vector<uint32_t> moving_;     ///< buildings whose style may still differ from the target
  std::vector<uint8_t> is_moving_;   ///< per building: in moving_
  std::vector<uint64_t> style_block_rev_;  ///< per block of kStyleBlock: the revision it last changed at
  uint64_t styles_all_rev_ = 1;      ///< every block changed at this revision
  uint64_t styles_marked_rev_ = 1;   ///< style_revision as the last bump through commit_styles left it
  bool styles_touched_ = false;      ///< touch_style() since the last bump
  mutable std::vector<uint32_t> by_ent_offsets_, by_ent_items_;  ///< buildings_of(), CSR
  mutable bool by_ent_valid_ = false;
  /// Every block changed (a restyle of all): bumps style_revision.
  void commit_all_styles();
  /// Target of building i now, and whether it moves: bring its target up to date and queue it.
  void update_target(size_t i);
  void compute_targets();
  /// The per-kind and per-enterprise parts of the targets (no per-building work).
  void prepare_targets();
  /// Target height, colour and flags of building i (needs prepare_targets()).
  void target_of(size_t i);
};

/// Options for adding layers from a file to a scene.
struct LoadOptions {
  gis::ReadOptions read;
  std::string height_attribute;  ///< for user footprints: attribute with the height in metres ("" = auto)
  std::string kind;              ///< force a kind for user layers: "buildings", "area", "roads", "sites" ("" = auto)
};

/// Loads the default dataset (assets/parktwin.gpkg layout) into an empty scene: layers, parks,
/// enterprises, buildings, meshes, facts, attribution. Fails only if the file cannot be read at all.
gis::Result<bool> load_default_dataset(Scene& scene, const std::string& gpkg_path);

/// Adds every layer of any OGR source as user layers (kind chosen from geometry and attributes).
/// Returns the number of layers added; problems are appended to scene.warnings.
gis::Result<size_t> add_user_layers(Scene& scene, const std::string& path, const LoadOptions& options);

/// Adds one layer from data already read (scene frame), built like a loaded layer of `kind`
/// (meshes, buildings, markers) and restyled. Returns its index in Scene::layers.
uint32_t add_layer_data(Scene& scene, gis::LayerData data, const std::string& id, LayerKind kind);

/// What update_features rebuilt.
struct GeometryUpdate {
  size_t chunks_rebuilt = 0;               ///< building or ground chunks whose meshes were rebuilt
  std::vector<uint32_t> buildings_changed; ///< Scene::buildings slots updated, added or hidden
  size_t buildings_added = 0;              ///< new slots appended to Scene::buildings
};

/// Brings the meshes of layer `layer_index` up to date after its features `feature_indices` (indices
/// into layer.data.features) were edited in place, added (appended to the features) or deleted
/// (left without geometry), e.g. from an edit::EditSession's Touched. Only the chunks those features
/// were in and are in now are rebuilt, exactly as a fresh load of the edited data would build them
/// (a feature moved to another tile leaves its old chunk and joins the new one, created if needed).
/// Buildings layers: each feature keeps its Scene::buildings slot (height, kind, enterprise,
/// centroid, generated re-read from its attributes); a new feature gets a new slot at the end
/// (Scene::styles grows); a deleted one keeps its slot, hidden (kFlagHidden) and out of its chunk.
/// Only the changed buildings are restyled. Parcels, parks, divisions, area and road layers: their
/// ground chunks (fills and outlines). Sites layers are not handled (nothing happens). Bumps
/// geometry_revision and the rebuilt chunks' revisions; a renderer picks them up with
/// Renderer::update_geometry. Unknown layer or feature indices are ignored.
GeometryUpdate update_features(Scene& scene, uint32_t layer_index, const std::vector<size_t>& feature_indices);

/// Builds the levels of detail (BuildingChunk::lods) of one building chunk if it has none for its
/// current revision. Reads and writes only that chunk: distinct chunks may be built on different
/// threads while nothing else touches them. Returns whether it built anything.
bool build_chunk_lods(BuildingChunk& chunk);

/// Builds the missing or stale levels of detail of every building chunk of the scene on up to
/// `threads` threads (0: one per hardware thread), and returns how many chunks got levels. The
/// scene must not be read or changed by others meanwhile; a renderer that wants levels without
/// the wait copies the chunk's mesh and calls gis::building_lods on a worker instead.
size_t build_building_lods(Scene& scene, unsigned threads = 0);

/// The facts shown for each park, quoted from the source document (see FACTS.md).
std::vector<Fact> park_facts(const std::string& park_id);

/// Where the default dataset lives: $PARKTWIN_ASSETS, else the install/source asset directory.
std::string default_asset_dir();

/// Packs a colour (0..1 floats) into 0xAABBGGRR.
uint32_t pack_rgba(float r, float g, float b, float a = 1.0f);
/// Colour of an industrial chain key (electronic_information, nonferrous_metals, new_energy, ...).
glm::vec4 chain_color(const std::string& chain);
/// Colour of a park's cluster (nanchang, yingtan, yichun).
glm::vec4 park_color(const std::string& park_id);
/// Colour of a land-use class of the parcels layer.
glm::vec4 landuse_color(const std::string& landuse);
/// A perceptual ramp (dark blue -> teal -> yellow) at t in [0, 1].
glm::vec4 ramp_color(float t);

}  // namespace parktwin::scene
