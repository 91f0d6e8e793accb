#pragma once
// A video wall's layout: a grid of panels with their pixels, physical size and bezels, and which
// node (PC) drives which panels. Each panel shows its part of one view — the picture continues
// behind the bezels as through a window — given as the panel's sub-rectangle of the whole wall's
// view (the renderer's FrameInput::subrect: x0, y0, x1, y1 in [0, 1], y down). JSON form
// `parktwin.wall/1`, documented in docs/wall.md.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <glm/vec4.hpp>

#include "parktwin/gis/result.h"

namespace parktwin::wall {

inline constexpr const char* kLayoutSchema = "parktwin.wall/1";

struct Bezel {
  double left_mm = 0.0, right_mm = 0.0, top_mm = 0.0, bottom_mm = 0.0;
};

struct Panel {
  int col = 0, row = 0;              ///< place in the grid (row 0 at the top)
  uint32_t width_px = 1920, height_px = 1080;
  double width_mm = 0.0, height_mm = 0.0;  ///< the active (lit) area
  Bezel bezel;                       ///< frame around the active area
  std::string node;                  ///< id of the node that drives it
  int output = 0;                    ///< which of that node's outputs (monitor) shows it
};

struct Layout {
  std::string name;
  int columns = 0, rows = 0;
  std::vector<Panel> panels;         ///< one per grid cell
};

// Interfaces to be filled in: parse/validate, geometry (each panel's subrect with bezel
// compensation, the whole wall's virtual pixel size), per-node panel lists, and stitching
// tiles into the whole wall's picture for tests.

}  // namespace parktwin::wall
