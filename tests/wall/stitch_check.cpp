// wall_stitch_check LAYOUT DIR FRAME [MIN_OVERLAY_PIXELS]: the tiles a wall's nodes presented for
// FRAME (DIR/<node>/c<col>r<row>_<frame>.png) against the master's single render of the whole wall
// with the same overlay (DIR/whole_<frame>.png) cropped at each panel's pixels (app::wall_stitch_diff,
// which `parktwin bench wall` uses too). Prints name=value lines (per panel and wall_stitch_diff_pct),
// writes DIR/stitched_<frame>.png (the tiles with their bezels, as the wall shows them) and exits 1
// when a tile is missing or more than 0.5 % of the panels' pixels differ by more than the golden
// tolerance. With MIN_OVERLAY_PIXELS, the tiles are also compared with the master's render without
// the overlay (DIR/bare_<frame>.png): fewer than that many differing pixels means the nodes did not
// draw the overlay (labels, caption, attribution), and it exits 1 too.
#include <iostream>
#include <string>

#include "parktwin/app/wall_stitch.h"
#include "parktwin/render/image_diff.h"
#include "parktwin/wall/layout.h"

using namespace parktwin;

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::cerr << "usage: wall_stitch_check LAYOUT DIR FRAME [MIN_OVERLAY_PIXELS]\n";
    return 2;
  }
  auto layout = wall::read_layout(argv[1]);
  if (!layout) {
    std::cerr << layout.error().message << "\n";
    return 2;
  }
  const uint64_t frame = std::stoull(argv[3]);
  auto d = app::wall_stitch_diff(*layout, argv[2], frame, render::kGoldenChannelLevels);
  if (!d) {
    std::cerr << d.error().message << "\n";
    return 1;
  }
  for (const app::WallPanelDiff& p : d->panels)
    std::cout << "panel_c" << p.col << "r" << p.row << "_differing=" << p.differing << " max_channel=" << p.max_channel << "\n";
  std::cout << "wall_stitch_pixels=" << d->pixels << "\nwall_stitch_differing=" << d->differing
            << "\nwall_stitch_max_channel=" << d->max_channel << "\nwall_stitch_diff_pct=" << d->diff_pct << "\n";
  int rc = d->diff_pct < 0.5 ? 0 : 1;
  if (argc == 5) {
    const size_t min_overlay = std::stoull(argv[4]);
    auto bare = app::wall_stitch_diff(*layout, argv[2], frame, render::kGoldenChannelLevels, "bare");
    if (!bare) {
      std::cerr << bare.error().message << "\n";
      return 1;
    }
    std::cout << "wall_overlay_differing=" << bare->differing << " (against the render without the overlay; at least "
              << min_overlay << " wanted)\n";
    if (bare->differing < min_overlay) {
      std::cerr << "the tiles barely differ from the picture without the overlay: the nodes did not draw it\n";
      rc = 1;
    }
  }
  return rc;
}
