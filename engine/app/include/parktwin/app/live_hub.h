#pragma once
// The bridge between engine/live and the scene: owns the metric source, the history (a writer
// thread and a reader connection on the same SQLite file) and the timeline. Called once per frame
// on the app's thread; the source and the writer run on their own threads.
#include <condition_variable>
#include <future>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "parktwin/gis/result.h"
#include "parktwin/live/history.h"
#include "parktwin/live/kpi_window.h"
#include "parktwin/live/registry.h"
#include "parktwin/live/source.h"
#include "parktwin/scene/commands.h"
#include "parktwin/scene/scene.h"
#include "parktwin/ui/panels.h"
#include "parktwin/ui/status_text.h"

namespace parktwin::app {

struct LiveOptions {
  std::string feed = "sim://";     ///< source URL ("" = no live data)
  std::string history;             ///< SQLite file ("" = default_history_path(feed), "none" = keep no history)
  double retention_days = 30.0;
};

/// The default history file of a feed: $XDG_STATE_HOME/parktwin/history.db (or under
/// ~/.local/state/parktwin) for a real feed, history-sim.db beside it for the simulator, and "none"
/// for a history:// feed (a recording is not recorded again).
std::string default_history_path(const std::string& feed);

class LiveHub {
 public:
  /// `log` (kept: it must outlive the hub) gets the opening messages and, from the app's thread in
  /// update() and finish(), the history's notices: a write refused (a full disk) and recording again.
  static gis::Result<std::unique_ptr<LiveHub>> open(scene::Scene& scene, const LiveOptions& opt, std::ostream& log);
  ~LiveHub();

  /// At most this many samples wait for the history writer; a history that refuses writes (a full
  /// disk) keeps what it could not write in this queue and tries again (after 1, 2, 4 ... 30 s).
  static constexpr size_t kMaxPendingSamples = size_t{1} << 21;

  /// Stops the source, records what it still holds, and stops the writer after one last try. Returns
  /// how many samples the history never recorded (the queue overflowed, or writes still failed at
  /// the end); 0 when every accepted sample is in the history (or there is none). Idempotent.
  uint64_t finish();
  const std::string& history_path() const { return history_path_; }
  /// The source's counters and state (what fill() puts in the Feed panel, without the history's).
  live::SourceStatus source_status() const { return source_->status(); }

  /// Merges new samples (live) or reads the state at the playback time, then retargets and
  /// animates the buildings. `dt_s` is the frame's wall time step.
  void update(scene::Scene& scene, double dt_s);
  /// Timeline commands (TimelineLive, TimelineSeek); others are ignored.
  void apply(const scene::Command& c);
  /// Shows one moment and holds it (a tour's timeline step): the simulator's state at that time
  /// computed directly, a recorded feed's read from the history; nullopt = follow the source live.
  void show_moment(scene::Scene& scene, std::optional<int64_t> t_ms);
  /// Feed status, timeline and park sparklines for the panels.
  void fill(const scene::Scene& scene, ui::FrameInfo& info);
  /// True while something still moves (animation or playback): the viewer keeps rendering.
  bool busy() const { return animating_ || (!live_ && playing_); }

 private:
  LiveHub() = default;
  void writer_loop();
  void queue_for_history(const std::vector<live::Sample>& samples);
  void flush_notices();
  void refresh_series(const scene::Scene& scene);
  void update_kpis(scene::Scene& scene, double dt_s);

  live::Registry registry_;
  std::unique_ptr<live::Source> source_;
  std::unique_ptr<live::HistoryStore> reader_;
  std::string history_path_;
  std::vector<live::Sample> drained_;
  ui::ArrivalWatch arrivals_;  ///< when samples arrived (wall clock): a feed that stops is noticed

  // History writer thread.
  std::unique_ptr<live::HistoryStore> writer_store_;
  std::thread writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<live::Sample> pending_;
  bool stopping_ = false;
  std::string writer_error_;
  uint64_t history_dropped_ = 0;  ///< samples not recorded because the writer fell too far behind
  uint64_t unrecorded_ = 0;       ///< samples the writer still could not write when it stopped
  std::vector<std::string> notices_;  ///< writer -> log, written on the app's thread
  std::ostream* log_ = nullptr;
  bool finished_ = false;

  // Timeline.
  bool live_ = true, playing_ = false, animating_ = false;
  bool fixed_sim_ = false;  ///< a moment computed from the simulator is held (show_moment): no history read
  std::string feed_;        ///< the source's URL
  double speed_ = 60.0;
  double play_t_ms_ = 0.0;
  double since_state_read_s_ = 1e9, since_series_s_ = 1e9, retarget_clock_ = 0.0;
  int64_t first_ms_ = 0, last_ms_ = 0;
  std::vector<ui::ParkSeries> series_;
  ui::ParkSeries selected_series_;  ///< the selected enterprise's output (its id in `park`)

  // KPI window (trailing 365 days): the simulator integrated directly, or the history read on a
  // worker thread through its own connection (a year of samples takes a while to sum).
  std::unique_ptr<live::Simulator> kpi_sim_;
  std::unique_ptr<live::SimKpiWindow> kpi_window_;
  std::future<std::pair<std::unique_ptr<live::Simulator>, std::unique_ptr<live::SimKpiWindow>>> kpi_sim_job_;
  int64_t kpi_t_ms_ = 0;
  std::unique_ptr<live::HistoryStore> kpi_store_;
  std::future<gis::Result<scene::TrailingTotals>> kpi_job_;  ///< after kpi_store_: finishes before it closes
  double since_kpi_s_ = 1e9;
  std::string kpi_error_;
};

/// Finishes `hub` (LiveHub::finish) and, when the history lost samples, says how many and where on
/// `log`. True when samples were lost: the app's run then exits with code 3.
bool report_unrecorded(LiveHub& hub, std::ostream& log);

/// Fills scene.kpi_totals with the KPI window (the trailing 365 days ending at t_ms) of `feed`:
/// sim:// integrates the simulator directly; history://FILE reads that recording; any other feed
/// reads `history_path`, the file the viewer records it into ("none" = no history: basis None).
gis::Result<bool> load_kpi_totals(scene::Scene& scene, const std::string& feed, const std::string& history_path,
                                  int64_t t_ms);

/// Sets the scene's live state to the values of `feed` at `t_ms` (sim:// computed directly,
/// history://file read from the recording, mqtt:// collected for a few seconds) for stills.
gis::Result<bool> apply_feed_at(scene::Scene& scene, const std::string& feed, int64_t t_ms, std::ostream& log);

}  // namespace parktwin::app
