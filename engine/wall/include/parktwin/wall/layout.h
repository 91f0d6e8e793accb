#pragma once
// A video wall's layout: a grid of panels with their pixels, physical size and bezels, and which
// node (PC) drives which panels. Each panel shows its part of one view — the picture continues
// behind the bezels as through a window — given as the panel's sub-rectangle of the whole wall's
// view (the renderer's FrameInput::subrect: x0, y0, x1, y1 in [0, 1], y down). JSON form
// `parktwin.wall/1`, documented in docs/wall.md.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <glm/vec2.hpp>
#include <glm/vec4.hpp>

#include "parktwin/gis/result.h"

namespace parktwin::wall {

inline constexpr const char* kLayoutSchema = "parktwin.wall/1";

struct Bezel {
  double left_mm = 0.0, right_mm = 0.0, top_mm = 0.0, bottom_mm = 0.0;
  bool operator==(const Bezel&) const = default;
};

struct Panel {
  int col = 0, row = 0;              ///< place in the grid (row 0 at the top)
  uint32_t width_px = 1920, height_px = 1080;
  double width_mm = 0.0, height_mm = 0.0;  ///< the active (lit) area
  Bezel bezel;                       ///< frame around the active area
  std::string node;                  ///< id of the node that drives it
  int output = 0;                    ///< which of that node's outputs (monitor) shows it
  bool operator==(const Panel&) const = default;
};

struct Layout {
  std::string name;
  int columns = 0, rows = 0;
  /// One per grid cell, listed node by node (nodes in the file's order), each node's panels by
  /// output; node_ids() and layout_to_json() follow this order.
  std::vector<Panel> panels;
  bool operator==(const Layout&) const = default;
};

// ---- the file ------------------------------------------------------------------------------
// parse_layout and read_layout return only layouts that pass check_layout: every cell of the
// grid has exactly one panel, sizes are positive, and the grid is regular (all panels of a
// column have one width, all panels of a row one height, bezels included) — the geometry below
// relies on it. Messages name the field, where it is and what to do.

/// Parses the JSON form (`//` and `/* */` comments allowed); fails naming the field.
gis::Result<Layout> parse_layout(std::string_view json_text);
/// Reads and parses a layout file (the message names the file).
gis::Result<Layout> read_layout(const std::string& path);
/// The JSON form: the most common panel spec as the default, the other panels as overrides.
/// parse_layout(layout_to_json(l)) == l for a valid layout whose panels are listed node by node,
/// by output (as parse_layout and uniform_layout list them).
std::string layout_to_json(const Layout& layout);
/// Checks a layout built in code as parse_layout checks what it reads: true, or the first
/// problem (grid size, sizes, cells without a panel or with two, outputs, an irregular grid).
gis::Result<bool> check_layout(const Layout& layout);

/// A cols x rows wall of identical panels with `bezel_mm` on every side (a seam of twice that),
/// spread over `nodes` nodes ("node1", "node2", ...) in column-major blocks: the panels taken
/// column by column, top to bottom, cut into `nodes` runs of equal length (±1). `nodes` is
/// clamped to [1, cols * rows]. For tests and benchmarks.
Layout uniform_layout(int cols, int rows, uint32_t width_px, uint32_t height_px, double width_mm, double height_mm,
                      double bezel_mm, int nodes);

/// The node ids in the order of Layout::panels (the file's order), each once.
std::vector<std::string> node_ids(const Layout& layout);
/// The panels `node` drives, by output index (empty for an unknown node).
std::vector<const Panel*> panels_of(const Layout& layout, const std::string& node);
/// The panel at a grid cell, or null.
const Panel* find_panel(const Layout& layout, int col, int row);

// ---- geometry --------------------------------------------------------------------------------
// The wall is a window onto one view: the view covers the wall's whole physical extent, bezels
// included, and each panel shows the part behind its active area. Everything is derived from
// millimetres, never from pixel counts, so panels whose pixels are not square still show the
// picture undistorted. Layouts must be valid (check_layout).

/// Width and height of the whole wall in mm: per column left bezel + active width + right bezel,
/// summed; the same down the rows.
glm::dvec2 wall_extent_mm(const Layout& layout);
/// The panel's active area in mm from the wall's top-left corner (x0, y0, x1, y1), y down.
glm::dvec4 panel_rect_mm(const Layout& layout, const Panel& panel);
/// The panel's active area as fractions of the wall's extent (x0, y0, x1, y1), y down: its
/// FrameInput::subrect. The sub-frustum's aspect is then the active area's width_mm / height_mm.
glm::dvec4 panel_subrect(const Layout& layout, const Panel& panel);
/// Aspect (width / height) of the whole view: the wall's physical extent. A renderer that takes
/// the full view's aspect from a tile's pixel size and subrect (render::full_aspect) gets the same
/// value only when the panel's pixels are square; otherwise it must use this one.
double view_aspect(const Layout& layout);

/// An integer pixel rectangle: origin and size.
struct PixelRect {
  int32_t x = 0, y = 0;
  uint32_t w = 0, h = 0;
  bool operator==(const PixelRect&) const = default;
};

/// The whole wall as one picture at the panels' pixel pitch.
struct WallPixels {
  uint32_t width = 0, height = 0;     ///< wall_extent_mm at px_per_mm, rounded, bezels included
  glm::dvec2 px_per_mm{0.0};          ///< the finest pitch among the panels, per axis
  std::vector<PixelRect> panels;      ///< each panel's active area, in Layout::panels order
};
/// The wall's size in pixels and each panel's active rectangle inside it: a single render of
/// the whole view at width x height, cropped at panels[i], is what panel i must show. The
/// rectangles are the mm rectangles at the pitch with their edges rounded, so they never
/// overlap; a panel at the wall's pitch gets exactly width_px x height_px.
WallPixels wall_pixels(const Layout& layout);
/// The subrect of rectangle i of `wp` (its pixel edges over the wall's pixel size). A tile
/// rendered with it equals the crop of the single render pixel for pixel; it differs from
/// panel_subrect by less than a pixel's worth (the rounding), which is what a real wall uses.
glm::dvec4 pixel_subrect(const WallPixels& wp, std::size_t i);

// ---- pictures --------------------------------------------------------------------------------

/// A plain RGBA8 image, rows top to bottom, no padding.
struct Image {
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> rgba;  ///< width * height * 4 bytes
};
/// What one panel showed.
struct Tile {
  int col = 0, row = 0;  ///< the panel's grid cell
  Image image;           ///< width_px x height_px of the panel (or its WallPixels rectangle's size)
};
/// The whole wall at wall_pixels size: each tile at its panel's rectangle (scaled nearest-
/// neighbour when the panel's pitch is coarser than the wall's), bezels and panels without a tile
/// in `bezel_rgba`. Fails on a tile for a cell outside the grid, two tiles for one cell, or a tile
/// of the wrong size.
gis::Result<Image> stitch(const Layout& layout, const std::vector<Tile>& tiles,
                          std::array<uint8_t, 4> bezel_rgba = {0, 0, 0, 255});
/// The part of `whole` under `rect`; pixels of the rectangle outside `whole` (or all, when
/// `whole` has fewer bytes than its size says) are zero.
Image crop(const Image& whole, const PixelRect& rect);

}  // namespace parktwin::wall
