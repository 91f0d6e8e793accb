#pragma once
// The Tours panel 导览: the tours on disk, the player (play, pause, resume, step back and forth,
// loop, the operator's idle time), the step list with progress, and the editor (add the current
// view as a step, captions, highlights, moments, reorder, durations and easing, preview from any
// step, save). The panel never plays anything itself: it edits the draft tour the app owns and
// leaves requests the app carries out, so the player, the scene and the files stay the app's.
#include <string>
#include <vector>

#include <imgui.h>

#include "parktwin/scene/scene.h"
#include "parktwin/scene/tour.h"
#include "parktwin/ui/panels.h"

namespace parktwin::ui {

/// One tour file found on disk.
struct TourEntry {
  std::string path;
  std::string name_zh, name_en;  ///< from the file (the file name when it cannot be read)
  bool user = false;             ///< in the user's tour folder (shipped tours are read-only)
  std::string error;             ///< why it cannot be read ("" = fine)
};

/// What the panel asks the app to do.
enum class TourOp {
  Load,      ///< index = entry to load into the draft (stops the player)
  Play,      ///< from the start (or resume when paused)
  Pause,
  Resume,
  Stop,      ///< stop and give the view back as it was before the tour
  Next,
  Previous,
  SeekStep,  ///< index = step: preview from there (plays from its start)
  Save,      ///< text = file name (without folder) in the user's tour folder
  ExportKml, ///< text = file name of the KML export in the user's tour folder
  Rescan,    ///< look for tour files again
};

struct TourRequest {
  TourOp op;
  int index = -1;
  std::string text;
};

/// The panel's state, owned by the app (the panel reads what the app fills and edits the rest).
struct TourPanelState {
  // Filled by the app.
  std::vector<TourEntry> entries;
  std::string user_dir;                ///< where Save writes
  int loaded = -1;                     ///< entry loaded into the draft (-1 = a new tour)
  bool has_player = false;             ///< a player exists for the draft
  scene::TourPlayer::State state = scene::TourPlayer::State::Stopped;
  double t_s = 0.0, total_s = 0.0;     ///< the player's clock and the tour's length
  int step = -1;                       ///< step in progress
  double takeover_left_s = 0.0;        ///< seconds until an operator takeover resumes
  std::string message;                 ///< the last result (saved to ..., cannot read ...)

  // Edited by the panel.
  scene::Tour draft;                   ///< the tour shown, played and edited
  bool draft_changed = false;          ///< set when the editor changed the draft this frame
  bool dirty = false;                  ///< changed since loaded or saved
  bool loop = false;                   ///< start again at the end (unattended walls)
  float resume_after_s = 20.0f;        ///< idle seconds before a tour the operator took over goes on
  bool editing = false;                ///< the editor's controls are shown
  int edit_step = -1;                  ///< the step the editor works on (-1 = none)
  char save_name[96] = {};
  char caption_zh[512] = {};
  char caption_en[512] = {};
  char moment_text[64] = {};          ///< a timeline step's moment being typed
  std::string caption_error;           ///< why the caption text was refused
  std::vector<TourRequest> requests;   ///< for the app, in order; the app empties it
};

/// Draws the Tours panel when `panels.tours` is open. `camera` is the view on screen (added as a
/// fly-to step by the editor), `moment_ms` the moment it shows (nullopt = live).
void draw_tour_panel(const scene::Scene& scene, const scene::Camera& camera, std::optional<int64_t> moment_ms,
                     PanelState& panels, TourPanelState& st);

/// A tour caption over the picture: Chinese first and large, English under it, the source of any
/// figure in small type; sizes are shares of `display`'s height so it reads at wall scale. Drawn
/// straight into the foreground draw list (no window), so it shows on the very frame its step is
/// reached. `bottom` is the share of the height where the box ends (above the attribution line).
void draw_tour_caption(const scene::CaptionStep& caption, ImVec2 display, float bottom = 0.86f);

/// The one-line status of a player, bilingual ("播放中 playing", "等待讲解人 waiting for the presenter").
const char* tour_state_text(scene::TourPlayer::State s);

}  // namespace parktwin::ui
