// wall_stitch_check LAYOUT DIR FRAME: the tiles a wall's nodes presented for FRAME
// (DIR/<node>/c<col>r<row>_<frame>.png) against the master's single render of the whole wall
// (DIR/whole_<frame>.png) cropped at each panel's pixels. Prints name=value lines (per panel and
// wall_stitch_diff_pct), writes DIR/stitched_<frame>.png (the tiles with their bezels, as the wall
// shows them) and exits 1 when a tile is missing or more than 0.5 % of the panels' pixels differ
// by more than the golden tolerance.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "../render/golden.h"
#include "parktwin/render/renderer.h"
#include "parktwin/wall/layout.h"

using namespace parktwin;

namespace {

std::string frame_name(const std::string& what, unsigned long long n) {
  char b[96];
  std::snprintf(b, sizeof b, "%s_%06llu.png", what.c_str(), n);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: wall_stitch_check LAYOUT DIR FRAME\n";
    return 2;
  }
  const std::string dir = argv[2];
  const unsigned long long frame = std::stoull(argv[3]);
  auto layout = wall::read_layout(argv[1]);
  if (!layout) {
    std::cerr << layout.error().message << "\n";
    return 2;
  }
  auto whole = render::read_png((std::filesystem::path(dir) / frame_name("whole", frame)).string());
  if (!whole) {
    std::cerr << whole.error().message << "\n";
    return 1;
  }
  const wall::WallPixels wp = wall::wall_pixels(*layout);
  if (whole->width != wp.width || whole->height != wp.height) {
    std::cerr << "the whole render is " << whole->width << "x" << whole->height << ", the wall " << wp.width << "x" << wp.height << "\n";
    return 1;
  }
  const wall::Image whole_w{whole->width, whole->height, whole->rgba};
  std::vector<wall::Tile> tiles;
  size_t differing = 0, pixels = 0;
  int worst = 0;
  for (size_t i = 0; i < layout->panels.size(); ++i) {
    const wall::Panel& p = layout->panels[i];
    char tile_name[32];
    std::snprintf(tile_name, sizeof tile_name, "c%dr%d", p.col, p.row);
    const std::string tile_path = (std::filesystem::path(dir) / p.node / frame_name(tile_name, frame)).string();
    auto tile = render::read_png(tile_path);
    if (!tile) {
      std::cerr << "missing tile: " << tile.error().message << "\n";
      return 1;
    }
    const wall::Image crop = wall::crop(whole_w, wp.panels[i]);
    const render::Image expected{crop.width, crop.height, crop.rgba};
    const test::DiffStats d = test::diff_stats(expected, *tile, test::Tolerance{}.channel);
    std::cout << "panel_c" << p.col << "r" << p.row << "_differing=" << d.differing << " max_channel=" << d.max_channel << "\n";
    differing += d.differing;
    pixels += d.pixels;
    worst = std::max(worst, d.max_channel);
    tiles.push_back({p.col, p.row, wall::Image{tile->width, tile->height, tile->rgba}});
  }
  auto stitched = wall::stitch(*layout, tiles, {12, 12, 14, 255});
  if (!stitched) {
    std::cerr << stitched.error().message << "\n";
    return 1;
  }
  const render::Image out{stitched->width, stitched->height, stitched->rgba};
  (void)render::write_png(out, (std::filesystem::path(dir) / frame_name("stitched", frame)).string());
  const double pct = pixels ? 100.0 * static_cast<double>(differing) / static_cast<double>(pixels) : 100.0;
  std::cout << "wall_stitch_pixels=" << pixels << "\nwall_stitch_max_channel=" << worst << "\nwall_stitch_diff_pct=" << pct << "\n";
  return pct < 0.5 ? 0 : 1;
}
