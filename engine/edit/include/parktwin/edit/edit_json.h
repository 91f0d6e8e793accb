#pragma once
// Edit commands as JSON: what `parktwin edit --apply EDITS.json` reads and what the UI records.
// Absolute positions are WGS84 [lon, lat] degrees, offsets [dx, dy] metres east/north. Format:
// docs/editing.md.
//   [{"op": "move", "layer": "buildings", "fids": [12, 13], "offset": [5, 0]},
//    {"op": "set", "layer": "buildings", "fid": 12, "field": "floors", "value": 6}, ...]
#include <string>
#include <vector>

#include "parktwin/edit/edit.h"

namespace parktwin::edit {

/// Parses a JSON array of commands (or {"edits": [...]}); `where` names the file in messages.
Result<std::vector<Command>> parse_commands(const std::string& json_text, const gis::SceneFrame& frame,
                                            const std::string& where);
/// Writes commands as the JSON array parse_commands reads (positions to 1e-9 degrees).
std::string commands_to_json(const std::vector<Command>& cmds, const gis::SceneFrame& frame);
/// One command as a JSON object (one line).
std::string command_to_json(const Command& c, const gis::SceneFrame& frame);

}  // namespace parktwin::edit
