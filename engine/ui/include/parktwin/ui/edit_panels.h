#pragma once
// The planners' editor panels: tool bar, attributes of the selected feature, plan indicators,
// zoning violations, plans A/B and the refusal message. Like the other panels they read the model
// (the edit session and its indicators) and emit requests; the app's edit mode carries them out.
#include <cstdint>
#include <string>
#include <vector>

#include "parktwin/edit/edit.h"
#include "parktwin/edit/indicators.h"

namespace parktwin::ui {

enum class EditTool : uint8_t { Select, Move, Rotate, Scale, Reshape, DrawBuilding, DrawParcel, Split };
/// "Select", "Move", ... as the tool bar shows them.
const char* edit_tool_name(EditTool t);
/// One line on how to use the tool (the tool bar's hint).
const char* edit_tool_hint(EditTool t);

/// The editor's UI state (owned by the app's edit mode; the panels keep none of their own).
struct EditUiState {
  EditTool tool = EditTool::Select;
  bool snapping = true;             ///< S toggles
  float grid_m = 0.0f;              ///< grid snapping spacing, 0 = off
  std::string layer;                ///< the selection's layer ("buildings" or "parcels")
  std::vector<int64_t> selection;   ///< fids in `layer`
  std::string message;              ///< the last result: the gate's refusal (red) or what was done
  bool refused = false;
  double message_until_s = 0.0;     ///< shown until then (app clock)
  double now_s = 0.0;               ///< the app clock this frame
  char where_field[64] = {}, where_value[128] = {};  ///< select by attribute: field = value
  char seg_length[32] = {}, seg_angle[32] = {};      ///< drawing: the next segment typed
  size_t drawn_vertices = 0;        ///< drawing: vertices placed so far
  std::string snap_kind;            ///< what the cursor snaps to now ("" = nothing)
  size_t undo_depth = 0, redo_depth = 0;
  std::vector<std::string> attr_text;  ///< attribute editor: the text per field of the selected feature
  std::string attr_for;             ///< which feature and edit `attr_text` was filled for
  bool indicators = true, zoning = true, attributes = true, plans = false;  ///< panels open
  int plan = 0;                     ///< 0 = plan A, 1 = plan B
  std::string plan_names[2] = {"Plan A", "Plan B"};
  std::string rules_provenance;     ///< where the zoning rules come from (shown with the violations)
  bool exit_asked = false;
};

/// What the editor panels ask for; the app's edit mode carries it out.
struct EditRequest {
  enum Kind : uint8_t {
    Apply,         ///< `command` through the session
    Undo, Redo,
    SetTool,       ///< `tool`
    SelectWhere,   ///< select the features whose where_field equals where_value
    FlyToParcel,   ///< `fid` in the parcels layer
    SelectParcel,  ///< `fid` in the parcels layer
    SwitchPlan,    ///< `plan`
    ResetPlan,     ///< plan `plan` becomes a copy of the other one
    SegmentTyped,  ///< drawing: add the vertex seg_length / seg_angle from the last one
    FinishDrawing, ///< close the outline (Enter)
    Save,          ///< write the plan's changes back to the source (edit/store.h)
    Exit,
  };
  Kind kind = Apply;
  edit::Command command;
  EditTool tool = EditTool::Select;
  int64_t fid = -1;
  int plan = 0;
};

/// Draws the editor's panels. `other` is the other plan's indicators (the A/B comparison), or null.
void draw_edit_panels(const edit::EditSession& session, const edit::PlanIndicators& ind, const edit::PlanIndicators* other,
                      EditUiState& st, std::vector<EditRequest>& out);

/// The parcel `fid`'s indicators in `ind`, or null.
const edit::ParcelIndicators* parcel_indicators(const edit::PlanIndicators& ind, int64_t fid);

}  // namespace parktwin::ui
