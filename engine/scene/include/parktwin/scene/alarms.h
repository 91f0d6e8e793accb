#pragma once
// Alarms as a command centre handles them: an enterprise whose latest sample reports status Alarm
// raises one; it stays listed until its samples stop saying Alarm (cleared) and someone has
// acknowledged it, or until it has been cleared for a while. The wall is taken by the oldest alarm
// nobody has acknowledged yet that is still active. A pure function of the scene's live state and
// the time, so the console and every wall node decide the same.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parktwin::scene {

class Scene;

struct Alarm {
  std::string enterprise;      ///< Enterprise::id
  int index = -1;              ///< index in Scene::enterprises when raised
  int64_t raised_ms = 0;       ///< data time of the first sample that said Alarm (ms since 1970 UTC)
  int64_t cleared_ms = 0;      ///< data time of the first sample after it that did not (0 = still active)
  bool acknowledged = false;
  bool active() const { return cleared_ms == 0; }
};

class AlarmWatch {
 public:
  /// Alarms cleared this long ago (data time) and acknowledged, or cleared for twice as long without
  /// acknowledgement, leave the list.
  static constexpr int64_t kKeepClearedMs = 15 * 60 * 1000;

  /// Reads every enterprise's latest sample: a new Alarm status raises an alarm, a sample without it
  /// clears the enterprise's active alarm. Returns the alarms raised by this call. An enterprise
  /// without samples (or whose last sample is older than the scene's stale limit) changes nothing.
  std::vector<Alarm> update(const Scene& scene);
  /// Marks the enterprise's alarms acknowledged; false when it has none listed.
  bool acknowledge(const std::string& enterprise);
  /// Acknowledges every listed alarm; returns how many were not yet.
  int acknowledge_all();

  /// Listed alarms, oldest first.
  const std::vector<Alarm>& alarms() const { return alarms_; }
  /// The alarm that takes the wall: the oldest active one nobody has acknowledged (none otherwise).
  std::optional<Alarm> takeover() const;
  /// Active alarms (acknowledged or not).
  int active_count() const;

 private:
  std::vector<Alarm> alarms_;
};

}  // namespace parktwin::scene
