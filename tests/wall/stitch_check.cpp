// wall_stitch_check LAYOUT DIR FRAME: the tiles a wall's nodes presented for FRAME
// (DIR/<node>/c<col>r<row>_<frame>.png) against the master's single render of the whole wall
// (DIR/whole_<frame>.png) cropped at each panel's pixels (app::wall_stitch_diff, which
// `parktwin bench wall` uses too). Prints name=value lines (per panel and wall_stitch_diff_pct),
// writes DIR/stitched_<frame>.png (the tiles with their bezels, as the wall shows them) and exits 1
// when a tile is missing or more than 0.5 % of the panels' pixels differ by more than the golden
// tolerance.
#include <iostream>
#include <string>

#include "parktwin/app/wall_stitch.h"
#include "parktwin/render/image_diff.h"
#include "parktwin/wall/layout.h"

using namespace parktwin;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: wall_stitch_check LAYOUT DIR FRAME\n";
    return 2;
  }
  auto layout = wall::read_layout(argv[1]);
  if (!layout) {
    std::cerr << layout.error().message << "\n";
    return 2;
  }
  auto d = app::wall_stitch_diff(*layout, argv[2], std::stoull(argv[3]), render::kGoldenChannelLevels);
  if (!d) {
    std::cerr << d.error().message << "\n";
    return 1;
  }
  for (const app::WallPanelDiff& p : d->panels)
    std::cout << "panel_c" << p.col << "r" << p.row << "_differing=" << p.differing << " max_channel=" << p.max_channel << "\n";
  std::cout << "wall_stitch_pixels=" << d->pixels << "\nwall_stitch_max_channel=" << d->max_channel
            << "\nwall_stitch_diff_pct=" << d->diff_pct << "\n";
  return d->diff_pct < 0.5 ? 0 : 1;
}
