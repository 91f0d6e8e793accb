#include "tour_session.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <imgui.h>

#include "parktwin/app/live_hub.h"
#include "parktwin/scene/geo_camera.h"
#include "parktwin/scene/kml_tour.h"

namespace parktwin::app {

namespace fs = std::filesystem;
using State = scene::TourPlayer::State;

namespace {

/// Seconds the camera takes to rejoin a tour after the operator let go.
constexpr double kRejoin_s = 2.0;

bool is_tour_file(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".json" || ext == ".kml";
}

/// A file name a user typed, made safe for the tour folder: the extension taken off when given,
/// letters, digits, '-' and '_' kept, any other byte (path separators, dots, spaces, non-ASCII)
/// turned into '_', then the extension put back.
std::string safe_file_name(std::string name, const std::string& ext) {
  if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
    name.resize(name.size() - ext.size());
  for (char& c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) c = '_';
  if (name.empty()) name = "tour";
  return name + ext;
}

}  // namespace

std::string user_tour_dir() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return (fs::path(x) / "parktwin" / "tours").string();
  if (const char* h = std::getenv("HOME"); h && *h) return (fs::path(h) / ".config" / "parktwin" / "tours").string();
  return "parktwin-tours";
}

gis::Result<scene::Tour> load_tour_file(const std::string& path, const gis::SceneFrame& frame, std::ostream& log) {
  if (fs::path(path).extension() == ".kml") {
    auto k = scene::read_kml_tour(path, frame);
    if (!k) return k.error();
    for (const std::string& w : k->warnings) log << path << ": " << w << "\n";
    if (k->tour.name_zh.empty() && k->tour.name_en.empty()) k->tour.name_en = fs::path(path).stem().string();
    return std::move(k->tour);
  }
  return scene::read_tour(path);
}

void TourSession::collect_texts(const scene::Tour& tour) {
  texts_.push_back(tour.name_zh);
  for (const scene::TourStep& st : tour.steps)
    if (const auto* c = std::get_if<scene::CaptionStep>(&st)) texts_.insert(texts_.end(), {c->zh, c->source});
}

void TourSession::scan(const scene::Scene& scene) {
  frame_ = &scene.frame();
  panel_.user_dir = user_tour_dir();
  std::vector<ui::TourEntry> found;
  auto list = [&](const fs::path& dir, bool user) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.is_regular_file() && is_tour_file(e.path())) files.push_back(e.path());
    // The province's story first, then by name.
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
      const bool pa = a.stem() == "province", pb = b.stem() == "province";
      return pa != pb ? pa : a.filename() < b.filename();
    });
    for (const fs::path& f : files) {
      ui::TourEntry t;
      t.path = f.string();
      t.user = user;
      std::ostringstream warnings;
      auto tour = load_tour_file(t.path, scene.frame(), warnings);
      if (tour) {
        collect_texts(*tour);
        t.name_zh = tour->name_zh.empty() ? tour->name_en : tour->name_zh;
        t.name_en = tour->name_en;
      } else {
        t.name_zh = f.filename().string();
        t.error = tour.error().message;
      }
      found.push_back(std::move(t));
    }
  };
  list(fs::path(scene::default_asset_dir()) / "tours", false);
  list(panel_.user_dir, true);
  // Keep the loaded entry pointing at the same file.
  std::string loaded_path;
  if (panel_.loaded >= 0 && static_cast<size_t>(panel_.loaded) < panel_.entries.size())
    loaded_path = panel_.entries[static_cast<size_t>(panel_.loaded)].path;
  panel_.entries = std::move(found);
  panel_.loaded = -1;
  for (size_t i = 0; i < panel_.entries.size(); ++i)
    if (!loaded_path.empty() && panel_.entries[i].path == loaded_path) panel_.loaded = static_cast<int>(i);
  // Nothing loaded yet (not even a new tour being written): the first tour, the province's story,
  // is ready in the panel and for Space / PgDn.
  if (panel_.draft.steps.empty() && panel_.draft.name_zh.empty() && panel_.draft.name_en.empty() && !player_)
    for (const ui::TourEntry& e : panel_.entries)
      if (e.error.empty() && load_file(e.path, scene)) break;
}

bool TourSession::load_file(const std::string& path, const scene::Scene& scene) {
  frame_ = &scene.frame();
  std::ostringstream warnings;
  auto tour = load_tour_file(path, scene.frame(), warnings);
  if (!tour) {
    panel_.message = tour.error().message;
    return false;
  }
  collect_texts(*tour);
  panel_.draft = std::move(*tour);
  panel_.dirty = false;
  panel_.edit_step = -1;
  panel_.loaded = -1;
  for (size_t i = 0; i < panel_.entries.size(); ++i)
    if (fs::path(panel_.entries[i].path) == fs::path(path)) panel_.loaded = static_cast<int>(i);
  std::snprintf(panel_.save_name, sizeof panel_.save_name, "%s", fs::path(path).stem().string().c_str());
  panel_.message = warnings.str();
  player_.reset();
  return true;
}

void TourSession::ensure_player(const scene::Camera& camera) {
  if (player_ && player_->state() != State::Stopped) return;
  start_ = scene::to_geo(camera, *frame_);
  player_ = std::make_unique<scene::TourPlayer>(panel_.draft, start_);
}

void TourSession::rebuild_player() {
  // The editor changed the draft: the player plays the new steps from the same time and state.
  if (!player_) return;
  const State was = player_->state();
  const double t = player_->time();
  player_ = std::make_unique<scene::TourPlayer>(panel_.draft, start_);
  if (was == State::Stopped) return;
  player_->play();
  player_->seek(t);
  if (was != State::Playing) player_->pause();
}

void TourSession::play(const scene::Camera& camera) {
  if (!player_ || player_->state() == State::Stopped || player_->state() == State::Finished) {
    if (player_) player_.reset();
    ensure_player(camera);
  }
  player_->play();
}

void TourSession::play_pause(const scene::Camera& camera) {
  if (panel_.draft.steps.empty()) return;
  const State s = player_ ? player_->state() : State::Stopped;
  if (s == State::Playing) player_->pause();
  else if (s == State::Paused || s == State::AtPauseStep || s == State::Takeover) player_->resume();
  else play(camera);
}

void TourSession::step(bool forward, const scene::Camera& camera) {
  if (panel_.draft.steps.empty()) return;
  if (!player_ || player_->state() == State::Stopped) {
    // Stepping a tour not yet started: it starts paused at the step, for the presenter to go on.
    ensure_player(camera);
    player_->play();
    player_->pause();
  }
  if (forward) player_->next();
  else player_->previous();
}

void TourSession::operator_input() {
  if (!player_) return;
  const State s = player_->state();
  if (s == State::Playing || s == State::Paused || s == State::AtPauseStep || s == State::Takeover) {
    player_->operator_input();
    rejoin_s_ = -1.0;
  }
}

bool TourSession::engaged() const {
  if (!player_) return false;
  const State s = player_->state();
  return s == State::Playing || s == State::Paused || s == State::AtPauseStep;
}

bool TourSession::presenting() const {
  return player_ && player_->state() != State::Stopped && player_->state() != State::Finished;
}

void TourSession::stop(scene::Scene& scene, LiveHub* live) {
  if (!player_) return;
  if (log_) *log_ << "tour: stopped" << std::endl;
  logged_ = State::Stopped;
  player_.reset();
  caption_.reset();
  // Give the view back as it was before the tour: selection, highlighted chain, the live moment.
  if (highlight_applied_) {
    scene.selected_enterprise = saved_selected_;
    scene.chains.filter.highlight_chain = saved_chain_;
    scene.restyle();
  }
  if (shown_moment_ && live) live->show_moment(scene, std::nullopt);
  highlight_applied_ = false;
  shown_highlight_.reset();
  shown_moment_.reset();
  rejoin_s_ = -1.0;
}

void TourSession::save(const std::string& name, bool kml) {
  if (panel_.user_dir.empty()) panel_.user_dir = user_tour_dir();
  std::error_code ec;
  fs::create_directories(panel_.user_dir, ec);
  if (ec) {
    panel_.message = "cannot create the tour folder " + panel_.user_dir + ": " + ec.message();
    return;
  }
  const std::string path = (fs::path(panel_.user_dir) / safe_file_name(name, kml ? ".kml" : ".json")).string();
  if (kml) {
    const scene::KmlTourExport x = scene::export_kml_tour(panel_.draft);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << x.kml;
    out.close();
    panel_.message = out ? "exported " + path : "cannot write " + path;
    for (const std::string& w : x.warnings) panel_.message += "\n" + w;
    return;
  }
  if (auto w = scene::write_tour(panel_.draft, path); !w) {
    panel_.message = w.error().message;
    return;
  }
  panel_.message = "saved " + path;
  panel_.dirty = false;
}

void TourSession::handle(const ui::TourRequest& r, scene::Scene& scene, const scene::Camera& camera, LiveHub* live) {
  switch (r.op) {
    case ui::TourOp::Load:
      stop(scene, live);
      if (r.index < 0) {
        panel_.draft = scene::Tour{};
        panel_.draft.name_zh = "新导览";
        panel_.draft.name_en = "New tour";
        panel_.loaded = -1;
        panel_.dirty = false;
        panel_.editing = true;
        panel_.edit_step = -1;
        panel_.save_name[0] = '\0';
      } else if (static_cast<size_t>(r.index) < panel_.entries.size()) {
        load_file(panel_.entries[static_cast<size_t>(r.index)].path, scene);
      }
      break;
    case ui::TourOp::Play: play(camera); break;
    case ui::TourOp::Pause:
      if (player_) player_->pause();
      break;
    case ui::TourOp::Resume:
      if (player_) player_->resume();
      break;
    case ui::TourOp::Stop: stop(scene, live); break;
    case ui::TourOp::Next: next(camera); break;
    case ui::TourOp::Previous: previous(camera); break;
    case ui::TourOp::SeekStep: {
      if (r.index < 0 || static_cast<size_t>(r.index) >= panel_.draft.steps.size()) break;
      ensure_player(camera);
      if (player_->state() == State::Stopped || player_->state() == State::Finished) player_->play();
      player_->seek(scene::step_starts(panel_.draft)[static_cast<size_t>(r.index)]);
      player_->resume();
      rejoin_s_ = -1.0;
      break;
    }
    case ui::TourOp::Save: save(r.text.empty() ? panel_.draft.name_en : r.text, false), scan(scene); break;
    case ui::TourOp::ExportKml: save(r.text.empty() ? panel_.draft.name_en : r.text, true), scan(scene); break;
    case ui::TourOp::Rescan: scan(scene); break;
  }
}

bool TourSession::update(double dt_s, scene::Scene& scene, scene::Camera& camera, LiveHub* live) {
  frame_ = &scene.frame();
  if (panel_.draft_changed) rebuild_player();
  std::vector<ui::TourRequest> requests;
  requests.swap(panel_.requests);
  for (const ui::TourRequest& r : requests) handle(r, scene, camera, live);

  panel_.has_player = player_ != nullptr;
  panel_.total_s = scene::total_duration(panel_.draft);
  if (!player_) {
    panel_.state = State::Stopped;
    panel_.t_s = 0.0;
    panel_.step = -1;
    caption_.reset();
    return false;
  }
  player_->set_loop(panel_.loop);
  player_->set_resume_after(panel_.resume_after_s);
  const State before = player_->state();
  const scene::TourFrame f = player_->update(dt_s);
  const State now = player_->state();
  panel_.state = now;
  panel_.t_s = player_->time();
  panel_.step = f.step;

  // The operator let go: fly back into the tour instead of jumping.
  bool rejoin_starts = false;
  if (before == State::Takeover && now != State::Takeover) {
    rejoin_s_ = 0.0;
    rejoin_from_ = scene::to_geo(camera, scene.frame());
    rejoin_starts = true;  // this frame's dt was idle time, not blend time
  }
  panel_.takeover_left_s = player_->takeover_left();

  const bool drives_camera = now == State::Playing || now == State::Paused || now == State::AtPauseStep;
  if (drives_camera) {
    scene::GeoCamera g = f.camera;
    if (rejoin_s_ >= 0.0) {
      if (!rejoin_starts) rejoin_s_ += dt_s;
      const double s = std::min(1.0, rejoin_s_ / kRejoin_s);
      g = scene::fly_between(rejoin_from_, f.camera, scene::ease_in_out(s), scene::FlyMode::Smooth);
      if (s >= 1.0) rejoin_s_ = -1.0;
    }
    camera = scene::to_camera(g, scene.frame());
  }
  if (now != State::Takeover) {
    // Highlight and moment: applied when the tour's value changes, so a user's click in between stands.
    if (f.highlight != shown_highlight_) {
      if (!highlight_applied_) {
        saved_selected_ = scene.selected_enterprise;
        saved_chain_ = scene.chains.filter.highlight_chain;
      }
      scene::apply_highlight(f.highlight, scene);
      shown_highlight_ = f.highlight;
      highlight_applied_ = true;
    }
    const std::optional<int64_t> moment = f.timeline ? f.timeline->utc_ms : std::nullopt;
    if (f.timeline && (!shown_moment_ || *shown_moment_ != moment)) {
      if (live) live->show_moment(scene, moment);
      shown_moment_ = moment;
    }
  }
  caption_.reset();
  if (f.caption && f.caption->show) caption_ = f.caption;
  if (log_ && now != logged_) {
    const char* en = std::strchr(ui::tour_state_text(now), ' ');
    *log_ << "tour: " << (en ? en + 1 : "") << " at step " << f.step + 1 << " of " << panel_.draft.steps.size()
          << ", t=" << player_->time() << " s" << std::endl;  // flushed: a wall's log is read while it runs
    logged_ = now;
  }
  return now == State::Playing || now == State::Takeover || rejoin_s_ >= 0.0;
}

void TourSession::draw_caption(float display_w, float display_h) const {
  if (caption_) ui::draw_tour_caption(*caption_, ImVec2(display_w, display_h));
}

}  // namespace parktwin::app
