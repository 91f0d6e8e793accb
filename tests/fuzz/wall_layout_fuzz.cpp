// libFuzzer target: the wall layout JSON (parse_layout, what read_layout and `--wall` read).
// Beyond "no crash, no UB, no leak, no escaping exception" it checks, for a layout it accepts:
//   - layout_to_json parses back to an equal layout (the documented round trip);
//   - the geometry is sane: a positive finite extent, every panel's subrect inside [0, 1], the
//     pixel rectangles inside the wall's pixels.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parktwin/wall/layout.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parktwin::wall;
  const auto layout = parse_layout(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!layout) return 0;
  const auto back = parse_layout(layout_to_json(*layout));
  if (!back || !(*back == *layout)) std::abort();

  const glm::dvec2 extent = wall_extent_mm(*layout);
  if (!(std::isfinite(extent.x) && std::isfinite(extent.y) && extent.x > 0.0 && extent.y > 0.0)) std::abort();
  for (const Panel& p : layout->panels) {
    const glm::dvec4 s = panel_subrect(*layout, p);
    if (!(s.x >= 0.0 && s.y >= 0.0 && s.z <= 1.0 + 1e-9 && s.w <= 1.0 + 1e-9 && s.x < s.z && s.y < s.w)) std::abort();
  }
  const WallPixels wp = wall_pixels(*layout);
  if (wp.panels.size() != layout->panels.size()) std::abort();
  for (const PixelRect& r : wp.panels)
    if (r.x < 0 || r.y < 0 || uint64_t(uint32_t(r.x)) + r.w > wp.width || uint64_t(uint32_t(r.y)) + r.h > wp.height)
      std::abort();
  return 0;
}
