#pragma once
// Application-level entry points shared by the parktwin executable, tests and benchmarks.
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <imgui.h>

#include "parktwin/render/renderer.h"
#include "parktwin/scene/frame_snapshot.h"
#include "parktwin/scene/camera.h"
#include "parktwin/scene/labels.h"
#include "parktwin/scene/scene.h"
#include "parktwin/scene/stream.h"
#include "parktwin/wall/layout.h"

namespace parktwin::app {

template <typename T>
using Result = gis::Result<T>;
using gis::Failure;

struct AppOptions {
  std::string dataset;                  ///< GeoPackage of the default layout ("" = assets/parktwin.gpkg)
  bool no_dataset = false;              ///< start with only the extra layers
  std::vector<std::string> extra_layers;///< any OGR sources to add
  scene::LoadOptions layer_options;     ///< --crs, --height-attr, --layer-kind for the extra layers
  bool stream_layers = true;            ///< extra buildings layers are streamed by tile (--no-stream: read at once)
  std::string tile_cache = "default";   ///< where streamed tiles are cached ("default" = scene::default_tile_cache_dir(), "" = none)
  uint64_t stream_budget_mb = 0;        ///< stop streaming tiles past this much mesh data (0 = no limit)
  /// Keep only the nearest building meshes within this (MeshResidency). 0: render and record keep
  /// every mesh; the viewer with streamed layers takes scene::default_mesh_budget_bytes of the
  /// machine's memory unless every_mesh.
  uint64_t mesh_budget_mb = 0;
  bool every_mesh = false;              ///< --mesh-budget-mb all: the viewer keeps every mesh too
  uint64_t assume_memory_mb = 0;        ///< --assume-memory-mb: the viewer's default budget as if this much were available (0 = MemAvailable)
  std::string view = "province";        ///< province | nanchang | yingtan | yichun | fit
  uint32_t width = 1600, height = 900;
  bool fullscreen = false;
  int frames = 0;                       ///< viewer: quit after this many frames (0 = until closed)
  bool validation = false;
  uint32_t msaa = 4;
  std::string caption;                  ///< render: caption in the top-left corner ("" = view name)
  std::string feed;                     ///< live source URL (viewer default sim://; render: none unless given)
  bool feed_given = false;              ///< --feed was on the command line
  std::string at;                       ///< render: the moment to show (RFC 3339 or ms), "" = now
  std::string history;                  ///< history file ("" = default, "none" = no history)
  double retention_days = 30.0;
  bool overlay = true;                  ///< render: draw the caption and attribution overlay
  std::vector<std::string> extra_text;  ///< more text stills will show (tour captions): its glyphs go into the atlas
  std::string state;                    ///< render: a view state file (docs/viewstate.md) to render ("" = none)
  std::string save_state;               ///< render: where to write the state of the still ("" = nowhere)
  std::string tour;                     ///< viewer: a tour (JSON or KML) to play at start ("" = none)
  bool tour_loop = false;               ///< viewer: play the tour again and again (unattended walls)
  bool wall_output = false;             ///< viewer: clean wall output (fullscreen, no panels, menu or cursor, Esc off, alarms take it)
  double viewing_distance_m = 4.0;
  double ui_scale = 0.0;                ///< viewer --wall: text scale given outright (0 = from the monitor's size)      ///< viewer --wall: how far the audience stands (text is sized for it)
  std::string wall_layout;              ///< viewer: be the operator console of this wall layout ("" = none)
  std::string wall_frame_endpoint, wall_sync_endpoint;  ///< viewer console: where to bind ("" = tcp://*:5560 / 5561)
  int wall_barrier_timeout_ms = 500, wall_drop_after_ms = 1000;  ///< viewer console: the wall sync's timeouts
  double cycle_views_s = 0.0;           ///< viewer: show the next saved view every this many idle seconds (0 = off)
  bool alarm_takeover = false;          ///< viewer: an alarm from the feed takes the camera until acknowledged or cleared
  double tour_resume_s = 20.0;          ///< viewer: idle seconds before a tour the operator took over goes on
  bool edit_mode = false;               ///< viewer: start in edit mode (--edit)
  std::string edit_script;              ///< viewer: edit commands (JSON, edit_json.h) applied in edit mode at start
};

/// The moment --at names (RFC 3339 with Z or an offset, or ms since 1970); nothing when --at is
/// empty; a failure whose message says what --at wants.
Result<std::optional<int64_t>> moment_of(const AppOptions& o);

/// Path of the default dataset.
std::string default_dataset_path();

/// Loads the dataset and extra layers, printing what went wrong to `log`. Fails only when nothing
/// at all could be loaded; a failing extra layer is reported and skipped (`failures` counts them).
/// Buildings layers among the extra layers are streamed (scene::LayerStream); with `pending` the
/// streams are handed to the caller unfinished (the viewer shows tiles as they arrive; call
/// integrate() each frame), without it they are finished before this returns.
Result<std::unique_ptr<scene::Scene>> load_scene(const AppOptions& o, std::ostream& log, int* failures = nullptr,
                                                 std::vector<std::unique_ptr<scene::LayerStream>>* pending = nullptr);
/// The stream options the app options ask for (cache directory, budget; focus unset).
scene::StreamOptions stream_options(const AppOptions& o);

/// The camera for a named view; fails on an unknown name (listing the known ones).
Result<scene::Camera> view_camera(const scene::Scene& s, const std::string& view, double aspect);
/// Names accepted by view_camera.
std::vector<std::string> view_names(const scene::Scene& s);

/// Offscreen renderer with its own ImGui context for overlays: used by `render`, `bench` and tests.
class UiLayer;

class StillRenderer {
 public:
  /// `font_px`: the size the UI font's atlas is built at (stills scale it with the image; a wall's
  /// nodes build it for the wall's text size, wall_font_px).
  static Result<std::unique_ptr<StillRenderer>> create(const scene::Scene& s, const AppOptions& o, float font_px = 15.0f);
  ~StillRenderer();
  /// Renders one image. `caption` empty = no overlay; `draw_ui`, when given, draws more ImGui on top
  /// (the viewer's panels, for benchmarks).
  Result<render::Image> render(const scene::Scene& s, const scene::Camera& cam, uint32_t w, uint32_t h,
                               const std::string& caption, bool read_back = true,
                               const std::function<void()>& draw_ui = {});
  /// One frame of a picture `w` x `h` (a video wall's, bezels included) rendered in parts: `draw_ui`
  /// lays the overlay out once at the full size (ImGui's display is w x h, text `font_scale` times
  /// the atlas), and each part, a pixel rectangle of the picture, shows its piece of the view (an
  /// off-axis sub-frustum) and of the overlay, as the tiles of a large still do. `in.frame` is the
  /// frame's snapshot; subrect and ui are set per part. Parts within max_tile().
  Result<std::vector<render::Image>> render_parts(const render::FrameInput& in, uint32_t w,
                                                  uint32_t h, const std::vector<wall::PixelRect>& parts,
                                                  float font_scale, const std::function<void()>& draw_ui);
  /// The size the UI font's atlas was built at.
  float font_px() const;
  /// Builds the UI font's atlas again at `font_px` (same glyphs) and uploads it; nothing when it is
  /// that size already. A wall's node does this when the master's text scale asks for another size.
  Result<bool> set_font_px(const scene::Scene& s, float font_px);
  /// CPU milliseconds the last render() spent building its ImGui frame.
  double last_ui_ms() const { return last_ui_ms_; }
  /// Largest tile side: images larger than this are rendered in tiles and stitched.
  uint32_t max_tile() const;
  /// Forces a smaller tile (tests: a tiled image must equal the untiled one). 0 = default.
  void set_tile_limit(uint32_t px) { tile_limit_ = px; }
  /// Enterprise labels in Chinese only (false) or Chinese and English (true).
  void set_english_labels(bool on) { english_labels_ = on; }
  render::Renderer& renderer() { return *renderer_; }
  /// The snapshots this renderer's frames are drawn from (one builder: shared parts stay shared).
  scene::FrameSnapshotBuilder& snapshots() { return snapshots_; }

 private:
  StillRenderer() = default;
  /// Renders the rectangle (x0, y0, pw, ph) of a picture w x h: its sub-frustum, and its part of
  /// the overlay in `in.ui` (ImGui's display rectangle moved there for this draw).
  Result<render::Image> render_piece(render::FrameInput in, uint32_t x0, uint32_t y0, uint32_t pw,
                                     uint32_t ph, uint32_t w, uint32_t h);
  std::unique_ptr<render::Renderer> renderer_;
  std::unique_ptr<UiLayer> ui_;  ///< after renderer_: goes first
  double last_ui_ms_ = 0.0;
  uint32_t tile_limit_ = 0;
  bool english_labels_ = false;
  scene::LabelState labels_;  ///< enterprise label placement (stills with an overlay show labels)
  scene::FrameSnapshotBuilder snapshots_;
};

/// `parktwin render`: writes one PNG. Returns the process exit code.
int run_render(const AppOptions& o, const std::string& out_png);
/// What `parktwin record` is asked for.
struct RecordStats {
  int64_t frames = 0;         ///< frames rendered and written
  double frame_loop_s = 0.0;  ///< seconds spent rendering, reading back and writing them (load excluded)
};
struct RecordOptions {
  std::string tour;     ///< a JSON tour (parktwin.tour/1) or a KML file with a gx:Tour
  double fps = 30.0;
  std::string out;      ///< FILE.mp4 (any case): H.264 video; anything else: a folder for frame_00000.png ...
  int64_t max_frames = 0;         ///< stop after this many frames (0 = the whole tour; benchmarks)
  RecordStats* stats = nullptr;   ///< filled when given
  bool progress = true;           ///< the progress bar on stderr
};
/// `parktwin record`: renders a tour offscreen on a fixed clock (frame k at k / fps) into PNG
/// frames or an MP4 (VideoWriter), with its captions; the same tour twice gives the same bytes.
/// Returns the exit code (2 for bad options, such as an odd --size for MP4).
int run_record(const AppOptions& o, const RecordOptions& r);
/// `parktwin wall`: one process of a video wall (docs/wall.md, docs/wall_sync.md).
struct WallOptions {
  std::string layout;          ///< the wall layout file (parktwin.wall/1)
  std::string node;            ///< run as this node; "" = the master
  std::string frame_endpoint;  ///< master: where to bind frames (default tcp://*:5560); node: the master's
  std::string sync_endpoint;   ///< master: where to bind reports (default tcp://*:5561); node: the master's
  std::string offscreen;       ///< node: render offscreen, write each presented frame as PNG under this folder ("" = windows)
  bool windowed = false;       ///< node: windows at the panels' pixel sizes on the primary monitor, not fullscreen
  bool reference = false;      ///< master: also render the whole wall as one image per frame (tests)
  int64_t frames = 0;          ///< master: frames to drive, node: frames to present (0 = until stopped)
  double fps = 10.0;           ///< master: frames per second it drives
  int barrier_timeout_ms = 500;
  int drop_after_ms = 1000;
  double wait_nodes_s = 60.0;  ///< master: how long to wait for every node before the first counted frame
  std::string endpoints_file;  ///< master: write the endpoints it bound here (tests, scripts)
};
int run_wall(const AppOptions& o, const WallOptions& w);

/// `parktwin kpi`: the cluster KPIs (trailing 365 days ending at --at, default now) of --feed
/// (default sim://) as name=value lines on stdout. Returns the process exit code.
int run_kpi(const AppOptions& o);
/// `parktwin` (viewer): a window; without a display it says so and renders headless instead.
int run_viewer(const AppOptions& o);

}  // namespace parktwin::app
