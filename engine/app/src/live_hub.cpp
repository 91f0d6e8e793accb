#include "parktwin/app/live_hub.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <ostream>
#include <thread>

#include "parktwin/live/guarded.h"
#include "parktwin/live/payload.h"
#include "parktwin/live/simulator.h"
#include "parktwin/scene/kpi.h"

namespace parktwin::app {

namespace {
/// How a feed's history file is opened for reading: a history:// feed is a recording, read-only.
live::HistoryOptions reading(const std::string& feed) {
  live::HistoryOptions o;
  o.read_only = feed.rfind("history://", 0) == 0;
  return o;
}
}  // namespace
namespace {

constexpr double kStateReadInterval_s = 1.0 / 15.0;  // playback: history read at most 15 times a second
constexpr double kSeriesInterval_s = 2.0;            // dashboard sparklines
constexpr int64_t kSeriesWindow_ms = 24LL * 3600 * 1000;
constexpr int kSeriesBuckets = 96;
constexpr double kRetargetEvery_s = 0.5;            // staleness changes with time alone

double wall_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

/// Output summed over `members` in buckets of [t0, t1) from history, labelled `id` (also when the
/// query fails, so callers know whom it is for); leading empty buckets, before the history
/// starts, are left out rather than drawn as zero.
ui::ParkSeries output_series(live::HistoryStore& h, const std::string& id, const std::vector<uint32_t>& members,
                             int64_t t0, int64_t t1) {
  ui::ParkSeries ps;
  ps.park = id;
  ps.t0_ms = t0;
  ps.t1_ms = t1;
  if (auto s = h.series(scene::Metric::Output, members, t0, t1, kSeriesBuckets)) {
    size_t first = 0;
    while (first < s->size() && (*s)[first] == 0.0) ++first;
    for (size_t i = first; i < s->size(); ++i) ps.output_yuan_h.push_back(static_cast<float>((*s)[i]));
  }
  return ps;
}

}  // namespace

std::string default_history_path(const std::string& feed) {
  namespace fs = std::filesystem;
  fs::path dir;
  if (const char* s = std::getenv("XDG_STATE_HOME"); s && *s) dir = fs::path(s) / "parktwin";
  else if (const char* h = std::getenv("HOME"); h && *h) dir = fs::path(h) / ".local/state/parktwin";
  else dir = fs::temp_directory_path() / "parktwin";
  if (feed.rfind("history://", 0) == 0) return "none";  // a recording is replayed, not recorded again
  // The simulator's samples (at any speed, so often dated ahead of the clock) never mix with a real
  // feed's record.
  return (dir / (feed.rfind("sim:", 0) == 0 ? "history-sim.db" : "history.db")).string();
}

gis::Result<std::unique_ptr<LiveHub>> LiveHub::open(scene::Scene& scene, const LiveOptions& opt, std::ostream& log) {
  std::unique_ptr<LiveHub> hub(new LiveHub());
  hub->log_ = &log;
  hub->registry_ = live::Registry(scene);
  scene.reset_live();
  auto src = live::open_source(opt.feed, hub->registry_);
  if (!src) return src.error();
  hub->source_ = std::move(*src);
  const live::SourceStatus st = hub->source_->status();
  scene.live_source = opt.feed;
  scene.live_simulated = st.simulated;
  hub->feed_ = opt.feed;

  const std::string history = opt.history.empty() ? default_history_path(opt.feed) : opt.history;
  if (history != "none") {
    hub->history_path_ = history;
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(hub->history_path_).parent_path(), ec);
    live::HistoryOptions ho;
    ho.retention_ms = static_cast<int64_t>(opt.retention_days * 86400.0 * 1000.0);
    // Two connections on one WAL file: the writer thread appends while the frame reads.
    auto w = live::HistoryStore::open(hub->history_path_, scene.enterprises.size(), ho);
    auto r = live::HistoryStore::open(hub->history_path_, scene.enterprises.size(), ho);
    if (!w || !r) {
      // Live data still works without a history; say why there is none and how to fix it.
      log << "parktwin: no history (" << (!w ? w.error().message : r.error().message)
          << "); pass --history FILE to choose another file, or --history none\n";
    } else {
      hub->writer_store_ = std::move(*w);
      hub->reader_ = std::move(*r);
      hub->writer_ = std::thread([h = hub.get()] {
        live::guarded("the history writer", [h] { h->writer_loop(); }, [h](std::string why) {
          std::lock_guard<std::mutex> lock(h->mu_);
          h->writer_error_ = std::move(why) + "; samples are no longer recorded until the viewer restarts";
        });
      });
    }
  }
  // The KPI window: the simulator's own integral, or the history (the replayed file or the recording).
  if (opt.feed.rfind("sim:", 0) == 0) {
    if (auto params = live::parse_sim_url(opt.feed)) {
      // Calibrating a simulator and summing a year take a few seconds on a small CPU: on a worker,
      // so the first frame does not wait; the dashboard says "no data" until it is ready.
      live::SimulatorOptions so;
      so.seed = params->seed;
      const int64_t t = hub->source_->now_ms();
      hub->kpi_sim_job_ = std::async(std::launch::async, [reg = &hub->registry_, so, t] {
        auto sim = std::make_unique<live::Simulator>(*reg, so);
        auto window = std::make_unique<live::SimKpiWindow>(*sim);
        (void)window->at(t);
        return std::make_pair(std::move(sim), std::move(window));
      });
    }
  } else {
    const std::string path = opt.feed.rfind("history://", 0) == 0 ? opt.feed.substr(10) : hub->history_path_;
    if (!path.empty() && std::filesystem::exists(path)) {
      if (auto k = live::HistoryStore::open(path, scene.enterprises.size(), reading(opt.feed))) hub->kpi_store_ = std::move(*k);
      else log << "parktwin: no KPI window from history (" << k.error().message << ")\n";
    }
  }
  hub->arrivals_.reset(wall_s());
  if (auto ok = hub->source_->start(); !ok)
    log << "parktwin: the live source " << opt.feed << " did not start: " << ok.error().message
        << " (it keeps retrying; see the Feed panel)\n";
  return hub;
}

LiveHub::~LiveHub() { (void)finish(); }

void LiveHub::writer_loop() {
  std::vector<live::Sample> batch;
  auto last_retention = std::chrono::steady_clock::now();
  int failures = 0;  // consecutive writes the history refused
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (failures > 0)  // a full disk: try again after 1, 2, 4 ... 30 s (at once when stopping)
        cv_.wait_for(lock, std::chrono::seconds(std::min(30, 1 << std::min(failures - 1, 5))), [&] { return stopping_; });
      else
        cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stopping_ || pending_.size() > 4096; });
      batch.swap(pending_);
      stopping = stopping_;
      if (stopping && batch.empty()) return;
    }
    if (!batch.empty()) {
      auto r = writer_store_->append(batch);
      std::lock_guard<std::mutex> lock(mu_);
      if (!r) {
        // Nothing is thrown away: the batch goes back to the front of the queue (bounded by the
        // queue's limit, where update() counts what no longer fits) and is written once the file
        // can grow again.
        const size_t waiting = batch.size() + pending_.size();
        if (++failures == 1)
          notices_.push_back("parktwin: history " + history_path_ + ": cannot record samples (" + r.error().message +
                             "); they are kept in memory (up to " + std::to_string(kMaxPendingSamples) +
                             ") and written when the file can grow again: free space on its disk");
        if (stopping) {
          unrecorded_ += waiting;
          notices_.push_back("parktwin: history " + history_path_ + ": " + std::to_string(waiting) +
                             " samples could not be recorded before closing (" + r.error().message + ")");
          pending_.clear();
          return;
        }
        writer_error_ = r.error().message + "; " + std::to_string(waiting) + " samples waiting in memory, trying again";
        pending_.insert(pending_.begin(), batch.begin(), batch.end());
      } else {
        if (failures > 0) {
          notices_.push_back("parktwin: history " + history_path_ + ": recording again after " + std::to_string(failures) +
                             " refused write(s); the samples that waited are recorded");
          writer_error_.clear();
        }
        failures = 0;
        if (const uint64_t kept = writer_store_->duplicates_kept(); kept > 0)
          writer_error_ = std::to_string(kept) + " samples arrived again for a time already recorded (a replay, a "
                          "restarted publisher or a forged message); the recorded values were kept";
      }
      batch.clear();
    }
    // Every minute, so each purge is small: a large one holds the writer (and grows its queue) for long.
    if (failures == 0 && std::chrono::steady_clock::now() - last_retention > std::chrono::minutes(1)) {
      (void)writer_store_->apply_retention();
      last_retention = std::chrono::steady_clock::now();
    }
  }
}

uint64_t LiveHub::finish() {
  if (finished_) return unrecorded_ + history_dropped_;
  finished_ = true;
  if (source_) {
    source_->stop();
    // What the source accepted but no frame drained yet is recorded too.
    drained_.clear();
    source_->drain(drained_);
    queue_for_history(drained_);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  flush_notices();
  return unrecorded_ + history_dropped_;
}

bool report_unrecorded(LiveHub& hub, std::ostream& log) {
  const uint64_t lost = hub.finish();
  if (lost == 0) return false;
  log << "parktwin: history " << hub.history_path() << ": " << lost
      << " samples were not recorded (see the messages above); exit code 3\n";
  return true;
}

void LiveHub::queue_for_history(const std::vector<live::Sample>& samples) {
  if (samples.empty() || !writer_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Bounded: a history that cannot keep up (a slow or full disk) loses samples, counted and
    // said, rather than the viewer's memory.
    const size_t room = kMaxPendingSamples > pending_.size() ? kMaxPendingSamples - pending_.size() : 0;
    const size_t take = std::min(room, samples.size());
    pending_.insert(pending_.end(), samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(take));
    if (take < samples.size()) {
      if (history_dropped_ == 0)
        notices_.push_back("parktwin: history " + history_path_ + ": more than " + std::to_string(kMaxPendingSamples) +
                           " samples wait to be recorded; newer ones are no longer recorded (is the disk slow or full?)");
      history_dropped_ += samples.size() - take;
      writer_error_ = "the history cannot keep up: " + std::to_string(history_dropped_) +
                      " samples not recorded (is the disk slow or full?)";
    }
  }
  cv_.notify_one();
}

void LiveHub::flush_notices() {
  std::vector<std::string> notes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    notes.swap(notices_);
  }
  for (const std::string& n : notes) *log_ << n << std::endl;
}

void LiveHub::update(scene::Scene& scene, double dt_s) {
  const uint64_t before = scene.live_revision;
  if (live_) {
    drained_.clear();
    source_->drain(drained_);
    for (const live::Sample& s : drained_) scene.update_live(s.enterprise, s.m);
    if (!drained_.empty()) arrivals_.arrived(wall_s());
    queue_for_history(drained_);
    scene.live_time_ms = source_->now_ms();
  } else {
    if (playing_) play_t_ms_ += dt_s * speed_ * 1000.0;
    if (!fixed_sim_ && last_ms_ > 0 && play_t_ms_ > static_cast<double>(last_ms_)) {
      play_t_ms_ = static_cast<double>(last_ms_);
      playing_ = false;
    }
    since_state_read_s_ += dt_s;
    if (reader_ && !fixed_sim_ && since_state_read_s_ >= kStateReadInterval_s) {
      since_state_read_s_ = 0.0;
      if (auto st = reader_->state_at(static_cast<int64_t>(play_t_ms_))) scene.set_live_state(*st);
    }
    scene.live_time_ms = static_cast<int64_t>(play_t_ms_);
  }
  update_kpis(scene, dt_s);
  // Staleness depends on time, so targets are refreshed at least a few times a second.
  since_series_s_ += dt_s;
  retarget_clock_ += dt_s;
  if (scene.live_revision != before || retarget_clock_ >= kRetargetEvery_s) {
    retarget_clock_ = 0.0;
    scene.retarget();
  }
  animating_ = scene.animate(dt_s);
  if (reader_ && scene.selected_enterprise >= 0 &&
      selected_series_.park != scene.enterprises[static_cast<size_t>(scene.selected_enterprise)].id)
    since_series_s_ = kSeriesInterval_s;  // a new selection: its sparkline now, not in two seconds
  if (since_series_s_ >= kSeriesInterval_s) {
    since_series_s_ = 0.0;
    refresh_series(scene);
  }
  flush_notices();  // the writer goes on (and may report) while the timeline plays back too
}

void LiveHub::update_kpis(scene::Scene& scene, double dt_s) {
  constexpr double kHistoryKpiEvery_s = 10.0;
  if (kpi_sim_job_.valid() && kpi_sim_job_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    // The worker's exception comes back through get(): caught here, said in the Feed panel.
    live::guarded("the KPI worker", [&] {
      auto [sim, window] = kpi_sim_job_.get();
      kpi_sim_ = std::move(sim);
      kpi_window_ = std::move(window);
    }, [&](std::string why) { kpi_error_ = std::move(why); });
  }
  if (kpi_window_) {
    if (scene.live_time_ms != kpi_t_ms_) {
      kpi_t_ms_ = scene.live_time_ms;
      scene.kpi_totals = kpi_window_->at(kpi_t_ms_);
    }
    return;
  }
  if (!kpi_store_) return;
  since_kpi_s_ += dt_s;
  if (kpi_job_.valid() && kpi_job_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    live::guarded("the KPI worker", [&] {
      auto r = kpi_job_.get();
      if (r) {
        scene.kpi_totals = std::move(*r);
        kpi_error_.clear();
      } else {
        kpi_error_ = r.error().message;
      }
    }, [&](std::string why) { kpi_error_ = std::move(why); });
  }
  if (!kpi_job_.valid() && since_kpi_s_ >= kHistoryKpiEvery_s && scene.live_time_ms > 0) {
    since_kpi_s_ = 0.0;
    const int64_t t = scene.live_time_ms;
    kpi_job_ = std::async(std::launch::async, [store = kpi_store_.get(), t] {
      return store->window_totals(t - scene::kKpiWindowMs, t, live::kKpiSampleHoldMs);
    });
  }
}

void LiveHub::refresh_series(const scene::Scene& scene) {
  if (!reader_) return;
  if (auto range = reader_->time_range()) {
    first_ms_ = range->first;
    last_ms_ = range->second;
  }
  if (last_ms_ <= 0) {
    // Nothing recorded yet: remember who is selected so the frame does not ask again at once.
    selected_series_ = ui::ParkSeries{};
    if (scene.selected_enterprise >= 0) selected_series_.park = scene.enterprises[static_cast<size_t>(scene.selected_enterprise)].id;
    return;
  }
  const int64_t t1 = live_ ? std::max<int64_t>(scene.live_time_ms, last_ms_) : scene.live_time_ms;
  const int64_t t0 = t1 - kSeriesWindow_ms;
  series_.clear();
  for (const scene::Park& p : scene.parks) {
    std::vector<uint32_t> members;
    for (uint32_t e = 0; e < scene.enterprises.size(); ++e)
      if (scene.enterprises[e].park == p.id) members.push_back(e);
    series_.push_back(output_series(*reader_, p.id, members, t0, t1));
  }
  selected_series_ = ui::ParkSeries{};
  if (scene.selected_enterprise >= 0) {
    const auto e = static_cast<uint32_t>(scene.selected_enterprise);
    selected_series_ = output_series(*reader_, scene.enterprises[e].id, {e}, t0, t1);
  }
}

void LiveHub::apply(const scene::Command& c) {
  fixed_sim_ = false;
  if (std::holds_alternative<scene::TimelineLive>(c)) {
    live_ = true;
    playing_ = false;
  } else if (const auto* s = std::get_if<scene::TimelineSeek>(&c)) {
    live_ = false;
    play_t_ms_ = static_cast<double>(s->t_ms);
    playing_ = s->playing;
    speed_ = std::clamp(s->speed, 1.0, 3600.0);
    since_state_read_s_ = 1e9;  // read at once
  }
}

void LiveHub::show_moment(scene::Scene& scene, std::optional<int64_t> t_ms) {
  if (!t_ms) return apply(scene::TimelineLive{});
  if (feed_.rfind("sim:", 0) != 0) return apply(scene::TimelineSeek{*t_ms, false, 1.0});
  // The simulator knows every moment: computed at once, not looked up in a history that may
  // not reach back that far.
  std::ostringstream log;
  if (auto ok = apply_feed_at(scene, feed_, *t_ms, log); !ok) {
    scene.warnings.push_back("cannot show " + scene::format_beijing(*t_ms) + ": " + ok.error().message);
    return;
  }
  live_ = false;
  playing_ = false;
  fixed_sim_ = true;
  play_t_ms_ = static_cast<double>(*t_ms);
}

void LiveHub::fill(const scene::Scene& scene, ui::FrameInfo& info) {
  info.has_feed = true;
  info.feed = source_->status();
  const double now = wall_s();
  info.feed_following = live_;
  info.feed_any_data = info.feed.accepted > 0;
  info.feed_silent_s = arrivals_.silent_s(now);
  info.feed_expected_gap_s = arrivals_.expected_gap_s();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!writer_error_.empty()) info.feed.last_error = "history: " + writer_error_;
  }
  if (!kpi_error_.empty() && info.feed.last_error.empty()) info.feed.last_error = "KPI window: " + kpi_error_;
  info.timeline.live = live_;
  info.timeline.playing = playing_;
  info.timeline.speed = speed_;
  info.timeline.t_ms = scene.live_time_ms;
  info.timeline.first_ms = first_ms_;
  info.timeline.last_ms = last_ms_;
  info.timeline.has_history = reader_ != nullptr;
  info.park_series = series_;
  info.selected_series = selected_series_;
}

gis::Result<bool> load_kpi_totals(scene::Scene& scene, const std::string& feed, const std::string& history_path,
                                  int64_t t_ms) {
  scene.kpi_totals = scene::TrailingTotals{};
  if (feed.rfind("sim:", 0) == 0) {
    auto params = live::parse_sim_url(feed);
    if (!params) return params.error();
    if (!live::sim_covers(t_ms))
      return gis::Failure(gis::Failure::ConfigurationError, "cannot show " + scene::format_utc(t_ms) + ": " +
                                                                live::sim_range_text() + "; pick a time inside it");
    live::Registry reg(scene);
    live::SimulatorOptions so;
    so.seed = params->seed;
    live::Simulator sim(reg, so);
    live::SimKpiWindow window(sim);
    scene.kpi_totals = window.at(t_ms);
    return true;
  }
  const std::string path = feed.rfind("history://", 0) == 0 ? feed.substr(10) : history_path;
  if (path.empty() || path == "none") return false;  // no record: no window
  if (!std::filesystem::exists(path))
    return gis::Failure(gis::Failure::ResourceUnavailable,
                        "no history file " + path + " for the KPI window; the viewer records its feed there (--history FILE)");
  auto h = live::HistoryStore::open(path, scene.enterprises.size(), reading(feed));
  if (!h) return h.error();
  auto totals = (*h)->window_totals(t_ms - scene::kKpiWindowMs, t_ms, live::kKpiSampleHoldMs);
  if (!totals) return totals.error();
  scene.kpi_totals = std::move(*totals);
  return true;
}

gis::Result<bool> apply_feed_at(scene::Scene& scene, const std::string& feed, int64_t t_ms, std::ostream& log) {
  live::Registry reg(scene);
  std::vector<scene::Metrics> state(scene.enterprises.size());
  if (feed.rfind("sim:", 0) == 0) {
    auto params = live::parse_sim_url(feed);
    if (!params) return params.error();
    if (!live::sim_covers(t_ms))
      return gis::Failure(gis::Failure::ConfigurationError, "cannot show " + scene::format_utc(t_ms) + ": " +
                                                                live::sim_range_text() + "; pick a time inside it");
    live::SimulatorOptions so;
    so.seed = params->seed;
    live::Simulator sim(reg, so);
    for (uint32_t e = 0; e < state.size(); ++e) state[e] = sim.at(e, t_ms);
    scene.live_simulated = true;
  } else if (feed.rfind("history://", 0) == 0) {
    const std::string path = feed.substr(10);
    if (!std::filesystem::exists(path))
      return gis::Failure(gis::Failure::ResourceUnavailable, "no history file " + path + "; record one with the viewer (--history FILE)");
    auto h = live::HistoryStore::open(path, scene.enterprises.size(), reading(feed));
    if (!h) return h.error();
    auto st = (*h)->state_at(t_ms);
    if (!st) return st.error();
    state = *st;
  } else {
    auto src = live::open_source(feed, reg);
    if (!src) return src.error();
    if (auto ok = (*src)->start(); !ok) return ok.error();
    // Collect for a few seconds (or until every enterprise reported), then take the latest values.
    std::vector<live::Sample> got;
    size_t seen = 0;
    std::vector<bool> have(state.size(), false);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline && seen < state.size()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      got.clear();
      (*src)->drain(got);
      for (const auto& s : got) {
        if (s.enterprise >= state.size() || s.m.ts_ms < state[s.enterprise].ts_ms) continue;
        state[s.enterprise] = s.m;
        if (!have[s.enterprise]) have[s.enterprise] = true, ++seen;
      }
    }
    (*src)->stop();
    log << "parktwin: " << seen << " of " << state.size() << " enterprises reported on " << feed << "\n";
    scene.live_simulated = (*src)->status().simulated;
  }
  scene.live_source = feed;
  scene.set_live_state(state);
  scene.live_time_ms = t_ms;
  scene.restyle();
  return true;
}

}  // namespace parktwin::app
