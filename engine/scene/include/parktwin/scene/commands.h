#pragma once
// Edits to the scene are commands: the UI emits them, the app applies them in one place, and each
// knows how to undo itself. Camera moves are commands too, but the app applies those.
#include <string>
#include <variant>
#include <vector>

#include "parktwin/scene/scene.h"

namespace parktwin::scene {

struct SetLayerVisible { int layer; bool visible; };
struct SetLayerOpacity { int layer; float opacity; };
struct SetHeightScale { float scale; };
struct SetColorBy { ColorBy mode; };
struct FlyToPark { int park; };
struct FlyToProvince {};
struct FlyToFit {};
struct SetBinding { MetricBinding binding; };
/// Timeline: follow the source's clock.
struct TimelineLive {};
/// Timeline: show the state at a time from history (ms since epoch), paused or playing at `speed`.
struct TimelineSeek { int64_t t_ms; bool playing; double speed; };

/// Chain filter and highlight (what flows are shown, which chain stands out).
struct SetChainFilter { ChainFilter filter; };
/// Selects an enterprise (-1 = none): its buildings are highlighted and the camera flies to it.
struct SelectEnterprise { int enterprise; };
/// Selects one feature of a layer (a parcel, a building without an enterprise, ...); -1 = none.
struct SelectFeature { int layer; int feature; };

using Command = std::variant<SetLayerVisible, SetLayerOpacity, SetHeightScale, SetColorBy, FlyToPark, FlyToProvince,
                             FlyToFit, SetBinding, TimelineLive, TimelineSeek, SetChainFilter, SelectEnterprise,
                             SelectFeature>;

/// True for commands that change the scene (the rest move the camera).
bool is_scene_edit(const Command& c);

/// Applies a scene edit and returns the command that undoes it. Camera commands return themselves.
Command apply_command(Scene& scene, const Command& c);

/// Undo/redo history of scene edits. Consecutive edits of the same control (a slider drag) merge.
class UndoStack {
 public:
  void push(Command done, Command undo);
  bool can_undo() const { return !undo_.empty(); }
  bool can_redo() const { return !redo_.empty(); }
  void undo(Scene& scene);
  void redo(Scene& scene);

 private:
  struct Entry { Command done, undo; };
  std::vector<Entry> undo_, redo_;
};

}  // namespace parktwin::scene
