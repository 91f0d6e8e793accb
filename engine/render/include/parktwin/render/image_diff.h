#pragma once
// How two pictures differ, pixel by pixel: the comparison behind the golden images (tests) and the
// wall's stitched tiles against one render of the whole wall (test and benchmark).
#include <cstddef>

#include "parktwin/render/renderer.h"

namespace parktwin::render {

/// The golden tolerance's channel levels: a pixel differs when a colour channel differs by more
/// (tests/render/golden.cpp says how 24 was measured).
inline constexpr int kGoldenChannelLevels = 24;

/// How two images differ: pixels beyond `channel` and the largest channel difference.
struct DiffStats {
  size_t differing = 0;  ///< every pixel of `a` when the sizes differ
  int max_channel = 0;
  size_t pixels = 0;
};
/// Compares the colour channels of `a` and `b`; `diff` (when given) receives a picture of where
/// they differ (matching pixels faded grey, differing ones red to yellow by the difference).
DiffStats diff_stats(const Image& a, const Image& b, int channel, Image* diff = nullptr);

}  // namespace parktwin::render
