#pragma once
// The files a wall writes with --offscreen DIR, and the check of its picture: the tiles the nodes
// presented for one frame (DIR/<node>/c<col>r<row>_<frame>.png) against the master's single render
// of the whole wall (DIR/whole_<frame>.png, --reference; DIR/bare_<frame>.png is the same without the
// overlay) cropped at each panel's pixels. Used by
// the test tool wall_stitch_check and by `parktwin bench wall`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "parktwin/gis/result.h"
#include "parktwin/wall/layout.h"

namespace parktwin::app {

/// DIR/<what>_<frame, 6 digits>.png
std::string wall_frame_png(const std::string& dir, const std::string& what, uint64_t frame);
/// Where a node writes the tile of `panel` for `frame`: DIR/<node>/c<col>r<row>_<frame>.png
std::string wall_tile_png(const std::string& dir, const wall::Panel& panel, uint64_t frame);

struct WallPanelDiff {
  int col = 0, row = 0;
  size_t differing = 0;  ///< pixels beyond the channel tolerance
  size_t pixels = 0;
  int max_channel = 0;
};
struct WallStitchDiff {
  std::vector<WallPanelDiff> panels;  ///< in Layout::panels order
  size_t differing = 0, pixels = 0;
  int max_channel = 0;
  double diff_pct = 100.0;            ///< 100 * differing / pixels
  std::string stitched;               ///< DIR/stitched_<frame>.png: the tiles with their bezels, as the wall shows them
};

/// Compares the tiles of `frame` with the whole render (DIR/<reference>_<frame>.png: "whole", with
/// the overlay; "bare", the master's render without it), a pixel differing when a colour channel is
/// off by more than `channel` levels; writes the stitched picture. Fails when the whole render or a
/// tile is missing or the whole render is not the wall's size.
gis::Result<WallStitchDiff> wall_stitch_diff(const wall::Layout& layout, const std::string& dir, uint64_t frame,
                                             int channel, const std::string& reference = "whole");

}  // namespace parktwin::app
