#include "parktwin/app/wall_stitch.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "parktwin/render/image_diff.h"
#include "parktwin/render/renderer.h"

namespace parktwin::app {

namespace fs = std::filesystem;

std::string wall_frame_png(const std::string& dir, const std::string& what, uint64_t frame) {
  char name[96];
  std::snprintf(name, sizeof name, "%s_%06llu.png", what.c_str(), static_cast<unsigned long long>(frame));
  return (fs::path(dir) / name).string();
}

std::string wall_tile_png(const std::string& dir, const wall::Panel& panel, uint64_t frame) {
  // (appended, not "c" + ...: GCC 12 warns falsely of an overlap in operator+(const char*, string&&))
  std::string tile = "c";
  tile += std::to_string(panel.col);
  tile += 'r';
  tile += std::to_string(panel.row);
  return wall_frame_png((fs::path(dir) / panel.node).string(), tile, frame);
}

gis::Result<WallStitchDiff> wall_stitch_diff(const wall::Layout& layout, const std::string& dir, uint64_t frame,
                                             int channel, const std::string& reference) {
  auto whole = render::read_png(wall_frame_png(dir, reference, frame));
  if (!whole) return whole.error();
  const wall::WallPixels wp = wall::wall_pixels(layout);
  if (whole->width != wp.width || whole->height != wp.height)
    return gis::Failure(gis::Failure::InvalidData, "the whole render is " + std::to_string(whole->width) + "x" +
                                                       std::to_string(whole->height) + ", the wall " +
                                                       std::to_string(wp.width) + "x" + std::to_string(wp.height));
  const wall::Image whole_w{whole->width, whole->height, whole->rgba};
  WallStitchDiff out;
  std::vector<wall::Tile> tiles;
  for (size_t i = 0; i < layout.panels.size(); ++i) {
    const wall::Panel& p = layout.panels[i];
    auto tile = render::read_png(wall_tile_png(dir, p, frame));
    if (!tile) return gis::Failure(tile.error().kind, "missing tile: " + tile.error().message);
    const wall::Image crop = wall::crop(whole_w, wp.panels[i]);
    const render::DiffStats d = render::diff_stats(render::Image{crop.width, crop.height, crop.rgba}, *tile, channel);
    out.panels.push_back({p.col, p.row, d.differing, d.pixels, d.max_channel});
    out.differing += d.differing;
    out.pixels += d.pixels;
    out.max_channel = std::max(out.max_channel, d.max_channel);
    tiles.push_back({p.col, p.row, wall::Image{tile->width, tile->height, std::move(tile->rgba)}});
  }
  auto stitched = wall::stitch(layout, tiles, {12, 12, 14, 255});
  if (!stitched) return stitched.error();
  out.stitched = wall_frame_png(dir, "stitched", frame);
  (void)render::write_png(render::Image{stitched->width, stitched->height, std::move(stitched->rgba)}, out.stitched);
  out.diff_pct = out.pixels ? 100.0 * static_cast<double>(out.differing) / static_cast<double>(out.pixels) : 100.0;
  return out;
}

}  // namespace parktwin::app
