#pragma once
// The viewer's tours: the tour files on disk, the player and what it drives (camera, highlight,
// the moment shown, the caption), the Tours panel's requests and the editor's saves. The viewer
// owns one and calls it once a frame; everything else about a tour lives in scene::Tour/TourPlayer.
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "parktwin/scene/camera.h"
#include "parktwin/scene/scene.h"
#include "parktwin/scene/tour.h"
#include "parktwin/ui/tour_panel.h"

namespace parktwin::app {

class LiveHub;

/// The folder a user's own tours are saved to: $XDG_CONFIG_HOME/parktwin/tours, else
/// ~/.config/parktwin/tours (created when first saved to).
std::string user_tour_dir();

/// Reads a tour file: JSON (parktwin.tour/1) or KML with a gx:Tour (its warnings go to `log`,
/// each prefixed with the file name).
gis::Result<scene::Tour> load_tour_file(const std::string& path, const gis::SceneFrame& frame, std::ostream& log);

class TourSession {
 public:
  /// Every text the listed tours show (names, captions, sources): the viewer's font atlas covers them.
  const std::vector<std::string>& texts() const { return texts_; }
  /// Lists the shipped tours (asset dir /tours) and the user's; with nothing loaded yet, loads the
  /// first (the province's story).
  void scan(const scene::Scene& scene);
  /// Loads a tour file into the draft (any path, e.g. --tour); false with the reason in the panel's message.
  bool load_file(const std::string& path, const scene::Scene& scene);
  /// Starts the draft from the current camera.
  void play(const scene::Camera& camera);
  /// Space: play, pause or resume as fits the player's state.
  void play_pause(const scene::Camera& camera);
  void next(const scene::Camera& camera) { step(true, camera); }
  void previous(const scene::Camera& camera) { step(false, camera); }

  /// The operator moved the camera: a running tour hands it over until the idle time has passed.
  void operator_input();
  /// Carries out the panel's requests, advances the player by `dt_s` of wall time and applies its
  /// frame: camera (blended back in after a takeover), highlight and moment when they change.
  /// Returns true while the tour moves something (the viewer keeps rendering).
  bool update(double dt_s, scene::Scene& scene, scene::Camera& camera, LiveHub* live);
  /// Draws the caption the tour shows now (foreground, sized for `display`).
  void draw_caption(float display_w, float display_h) const;
  /// The caption the tour shows now (none between captions or without a tour).
  const std::optional<scene::CaptionStep>& caption() const { return caption_; }

  /// True while a tour has the camera (playing, paused or held at a pause step; not while the
  /// operator has taken over).
  bool engaged() const;
  /// True from play until stop or the end (the viewer shows a clean picture meanwhile).
  bool presenting() const;
  ui::TourPanelState& panel() { return panel_; }
  /// Where state changes are reported, one line each ("tour: held at pause step 5 of 8, t=1.5 s");
  /// an unattended wall's log shows what its tour did. Null = silent.
  void set_log(std::ostream* log) { log_ = log; }
  const scene::TourPlayer* player() const { return player_.get(); }

 private:
  void handle(const ui::TourRequest& r, scene::Scene& scene, const scene::Camera& camera, LiveHub* live);
  void ensure_player(const scene::Camera& camera);
  void collect_texts(const scene::Tour& tour);  ///< its name and captions into texts_
  void step(bool forward, const scene::Camera& camera);
  void rebuild_player();
  void stop(scene::Scene& scene, LiveHub* live);
  void save(const std::string& name, bool kml);

  ui::TourPanelState panel_;
  std::vector<std::string> texts_;
  std::ostream* log_ = nullptr;
  scene::TourPlayer::State logged_ = scene::TourPlayer::State::Stopped;
  std::unique_ptr<scene::TourPlayer> player_;
  scene::GeoCamera start_;           ///< the camera the tour started from
  const gis::SceneFrame* frame_ = nullptr;
  // What the tour changed, to apply only changes and to give the view back on stop.
  std::optional<scene::HighlightStep> shown_highlight_;
  bool highlight_applied_ = false;
  std::optional<std::optional<int64_t>> shown_moment_;  ///< outer empty = the tour set no moment
  int saved_selected_ = -1, saved_chain_ = -1;
  // Blending the camera back into the tour after an operator takeover.
  bool was_takeover_ = false;
  double rejoin_s_ = -1.0;           ///< seconds into the rejoin blend (< 0 = none)
  scene::GeoCamera rejoin_from_;
  std::optional<scene::CaptionStep> caption_;
};

}  // namespace parktwin::app
