#pragma once
// Guided tours: a named list of steps — camera flights, waits, captions, highlights, moments on
// the timeline and presenter pauses — evaluated as a pure function of tour time, so a still, a
// recording frame and the live player all see the same picture at the same second. Tours are read
// from and written to JSON (parktwin.tour/1, docs/tours.md); captions name the document's figures
// by fact id ({fact:ID}), never by typing them. KML gx:Tour import and export: kml_tour.h.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "parktwin/gis/result.h"
#include "parktwin/scene/geo_camera.h"

namespace parktwin::scene {

class Scene;

/// The version string of the JSON form; parse_tour refuses any other.
inline constexpr const char* kTourSchema = "parktwin.tour/1";

/// How a flight moves between two cameras.
enum class FlyMode {
  Bounce,  ///< rises and descends on long flights (the eye climbs with the ground distance travelled)
  Smooth,  ///< eased along a straight path; the distance never leaves the range of its endpoints
};

/// Flies from the camera before this step to `camera` in `duration_s` seconds.
struct FlyToStep {
  GeoCamera camera;
  double duration_s = 0.0;
  FlyMode mode = FlyMode::Bounce;
};

/// Holds the picture for `duration_s` seconds.
struct WaitStep {
  double duration_s = 0.0;
};

/// Shows a caption (or hides the one shown). Zero-length.
struct CaptionStep {
  bool show = true;
  std::string zh, en;                 ///< the text shown, placeholders expanded
  std::string source;                 ///< where its figures come from ("" when it quotes none)
  std::vector<std::string> fact_ids;  ///< the facts it quotes, in order of first use
  /// The text as the tour file writes it, with {fact:ID} placeholders; written back by
  /// tour_to_json so no figure is ever typed into a file. Empty when the caption was built in code.
  std::string zh_written, en_written;
  std::string source_written;         ///< the file's own "source" (for captions quoting no fact)
};

/// Highlights one enterprise, one chain, or nothing. Zero-length.
struct HighlightStep {
  enum Kind { None, Enterprise, Chain };
  Kind kind = None;
  std::string key;  ///< Enterprise::id or a chain key (chains()), "" for None
  bool operator==(const HighlightStep&) const = default;
};

/// Sets the moment the data shows. Zero-length.
struct TimelineStep {
  std::optional<int64_t> utc_ms;  ///< ms since 1970 UTC; empty = follow the live source
  bool operator==(const TimelineStep&) const = default;
};

/// The presenter's pause: the player stops here until resumed. Zero-length (a recording runs on).
struct PauseStep {};

using TourStep = std::variant<FlyToStep, WaitStep, CaptionStep, HighlightStep, TimelineStep, PauseStep>;

struct Tour {
  std::string name_zh, name_en;
  std::vector<TourStep> steps;
};

/// Seconds a step takes (flights and waits; every other step is instantaneous).
double step_duration(const TourStep& step);
/// The step's name in the JSON form: fly_to, wait, caption, highlight, timeline, pause.
const char* step_type(const TourStep& step);
/// The tour time at which each step starts (same order as tour.steps).
std::vector<double> step_starts(const Tour& tour);
/// Total tour time in seconds.
double total_duration(const Tour& tour);

/// What the tour shows at one moment.
struct TourFrame {
  GeoCamera camera;                      ///< the camera at t
  std::optional<CaptionStep> caption;    ///< the caption shown (none before the first or after a hide)
  std::optional<HighlightStep> highlight;  ///< the last highlight step reached (none before the first)
  std::optional<TimelineStep> timeline;  ///< the last moment set (none before the first timeline step)
  int step = -1;                         ///< index of the last step started at or before t (-1: none)
  int pause_step = -1;                   ///< index of a Pause step standing exactly at t (-1: none)
  bool finished = false;                 ///< t is at or past the end
};

/// The camera between two keyframes at `s` in [0, 1] (time already eased): targets along a
/// straight line, heading the short way round; "bounce" climbs with the ground distance on long
/// hops (scene::interpolate), "smooth" keeps the distance between its endpoints. The endpoints
/// come back exactly.
GeoCamera fly_between(const GeoCamera& a, const GeoCamera& b, double s, FlyMode mode);

/// The tour at time `t_s` (clamped to [0, total]), starting from the camera `start`. Zero-length
/// steps at t are applied, except those after step index `hold` when given (the player holds at a
/// Pause step so the steps behind it wait for the presenter).
TourFrame evaluate(const Tour& tour, double t_s, const GeoCamera& start, std::optional<std::size_t> hold = std::nullopt);

/// A caption from the text with {fact:ID} placeholders: zh gets the figure as the document writes
/// it ("3724.5亿元"), en the figure for people (fact_display); source lists each fact's source.
/// `own_source` is kept in front (for captions that quote a figure from elsewhere). Fails naming
/// an unknown fact id or a placeholder that is not closed.
gis::Result<CaptionStep> make_caption(std::string zh, std::string en, std::string own_source = {});

/// Parses the JSON form; fails naming the step and field on malformed input.
gis::Result<Tour> parse_tour(std::string_view json_text);
/// Reads and parses a tour file (the message names the file).
gis::Result<Tour> read_tour(const std::string& path);
/// The JSON form (pretty-printed); captions are written with their placeholders.
std::string tour_to_json(const Tour& tour);
/// Writes a tour file.
gis::Result<bool> write_tour(const Tour& tour, const std::string& path);

/// Shows a tour's highlight on the scene: an Enterprise highlight selects that enterprise (by id),
/// a Chain highlight makes that chain stand out (the others dim), None or no highlight clears both.
/// Edits the scene directly (no undo step) and restyles only when something changed; returns
/// whether it did. An id the scene lacks selects nothing.
bool apply_highlight(const std::optional<HighlightStep>& highlight, Scene& scene);

/// Plays a tour on a clock that only runs while playing: pausing (by the presenter, at a Pause
/// step, or when the operator takes the camera) stops the clock, and resuming continues from the
/// same tour time. An operator takeover resumes by itself after `resume_after_s` without input.
class TourPlayer {
 public:
  enum class State { Stopped, Playing, Paused, AtPauseStep, Takeover, Finished };

  TourPlayer(Tour tour, GeoCamera start);

  /// Starts playing (from the beginning when stopped or finished; otherwise like resume()).
  void play();
  /// The presenter stops the clock.
  void pause();
  /// Continues from where the clock stopped; past a Pause step the tour goes on behind it.
  void resume();
  /// Jumps to the next step boundary (a Pause step reached there holds the player again).
  void next();
  /// Jumps back to the start of the step in progress, or of the one before when already there.
  void previous();
  /// Moves the clock to `t_s` (clamped), keeping the play state.
  void seek(double t_s);
  void set_loop(bool loop) { loop_ = loop; }
  bool loop() const { return loop_; }
  /// The operator moved the camera: the clock stops; without further input for `resume_after_s`
  /// the tour resumes where it stopped. Every call restarts that idle count.
  void operator_input();
  void set_resume_after(double seconds) { resume_after_s_ = seconds; }

  /// Advances the clock by `dt_s` of wall time (only while playing) and returns the frame.
  TourFrame update(double dt_s);
  /// The frame at the current clock.
  TourFrame frame() const;

  double time() const { return t_; }
  /// Seconds until an operator takeover resumes by itself (0 when not taken over).
  double takeover_left() const { return state_ == State::Takeover ? std::max(0.0, resume_after_s_ - idle_s_) : 0.0; }
  State state() const { return state_; }
  const Tour& tour() const { return tour_; }

 private:
  void jump_to(double t);
  std::optional<double> pause_time(std::size_t pause) const;

  Tour tour_;
  GeoCamera start_;
  std::vector<double> starts_;
  std::vector<std::size_t> pauses_;  ///< indices of the Pause steps, in order
  double total_ = 0.0;
  double t_ = 0.0;
  State state_ = State::Stopped;
  State before_takeover_ = State::Stopped;
  std::size_t next_pause_ = 0;  ///< index into pauses_ of the next Pause step to honour
  std::optional<std::size_t> held_;  ///< the Pause step held at
  bool loop_ = false;
  double resume_after_s_ = 20.0;
  double idle_s_ = 0.0;
};

}  // namespace parktwin::scene
