#include "parktwin/render/image_diff.h"

#include <algorithm>
#include <cstdlib>

namespace parktwin::render {

DiffStats diff_stats(const Image& a, const Image& b, int channel, Image* diff) {
  DiffStats st;
  st.pixels = size_t(a.width) * a.height;
  if (a.width != b.width || a.height != b.height || a.rgba.size() != b.rgba.size()) {
    st.differing = st.pixels;
    st.max_channel = 255;
    return st;
  }
  if (diff) *diff = a;
  for (size_t i = 0; i < st.pixels; ++i) {
    int d = 0;
    for (int c = 0; c < 3; ++c) d = std::max(d, std::abs(int(a.rgba[i * 4 + c]) - int(b.rgba[i * 4 + c])));
    const bool off = d > channel;
    st.differing += off;
    st.max_channel = std::max(st.max_channel, d);
    if (diff) {
      // Matching pixels as a faded grey picture, differing ones in red to yellow by the difference.
      const uint8_t g = static_cast<uint8_t>(160 + a.rgba[i * 4 + 1] / 3);
      diff->rgba[i * 4 + 0] = off ? 255 : g;
      diff->rgba[i * 4 + 1] = off ? static_cast<uint8_t>(255 - std::min(255, d * 2)) : g;
      diff->rgba[i * 4 + 2] = off ? 0 : g;
      diff->rgba[i * 4 + 3] = 255;
    }
  }
  return st;
}

}  // namespace parktwin::render
