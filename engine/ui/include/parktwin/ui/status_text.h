#pragma once
// What the panels say about the state of things, as pure functions of plain values: whether a feed
// still delivers, and which colouring is in force. Kept apart from the drawing so it is testable.
#include <cstddef>
#include <deque>
#include <string>

namespace parktwin::scene {
class Scene;
}

namespace parktwin::ui {

/// When data arrived from a feed (wall-clock seconds), and how long a gap is normal for it.
class ArrivalWatch {
 public:
  static constexpr size_t kGaps = 32;         ///< recent inter-arrival gaps kept
  static constexpr double kFloor_s = 3.0;     ///< expected gap never below this (frame pacing, bursts)
  static constexpr double kUnknown_s = 10.0;  ///< expected gap until a few gaps were seen

  /// Data arrived at `t_s`.
  void arrived(double t_s);
  /// Seconds since the last arrival at `now_s` (since `started_s` when none yet).
  double silent_s(double now_s) const;
  /// The longest gap that is still normal: 3x the median of the recent gaps, at least kFloor_s
  /// (kUnknown_s while fewer than 3 gaps are known).
  double expected_gap_s() const;
  /// Forget the history (a new source); silence counts from `t_s`.
  void reset(double t_s);

 private:
  std::deque<double> gaps_;
  double last_s_ = -1.0, started_s_ = 0.0;
};

/// How a live feed is doing, in words and a level for its colour.
struct FeedHealth {
  enum Level { Ok, Late, Silent } level = Ok;
  std::string text;  ///< "data 0.4 s ago", "no data for 12 s (expected within 3 s)"
};
/// `silent_s` since data last arrived; `expected_gap_s` from ArrivalWatch; `stale_after_s` the
/// binding's stale period. Late (amber) as soon as the expected gap is missed; Silent (red) after
/// 3x that or the stale period, whichever comes first. `any_data` false: nothing arrived yet.
FeedHealth feed_health(double silent_s, double expected_gap_s, double stale_after_s, bool any_data);

/// "" when the Style panel's static colouring is what the buildings show; otherwise a note that
/// names the live metric colouring the enterprises' buildings instead.
std::string colour_override_note(const scene::Scene& scene);

/// "" when the Metrics panel's colour ramp is what enterprise buildings show, so its range (the
/// latest sample of each enterprise) is a figure to print under it; otherwise why no building
/// shows the ramp (live colouring off, or no sample yet), to print instead of a range that would
/// read 0.00 to 0.00.
std::string colour_ramp_note(const scene::Scene& scene);

}  // namespace parktwin::ui
