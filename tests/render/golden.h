#pragma once
// Golden-image comparison with an explicit tolerance. On mismatch, actual.png and diff.png are
// written next to expected.png; PARKTWIN_REBASELINE=1 rewrites expected.png instead.
#include <cstddef>
#include <string>

#include "parktwin/render/image_diff.h"
#include "parktwin/render/renderer.h"

namespace parktwin::test {

/// A pixel differs when any colour channel differs by more than `channel` levels; an image fails
/// when more than `max_pixels` pixels differ. The defaults are sized in golden.cpp against
/// deliberately broken renders (one building, one flow arc, one label missing) and against the
/// run-to-run noise of the renderer.
struct Tolerance {
  int channel = render::kGoldenChannelLevels;
  size_t max_pixels = 16;
};

struct GoldenResult {
  bool ok = false;
  std::string message;
  size_t differing = 0;  ///< pixels beyond the channel tolerance (every pixel when sizes differ)
  int max_channel = 0;   ///< largest channel difference seen
};

using render::diff_stats;
using render::DiffStats;

/// Compares `actual` with tests/golden/<name>/expected.png.
GoldenResult compare_golden(const std::string& name, const render::Image& actual, Tolerance tol = {});

/// The same comparison, writing nothing (for pictures that are altered on purpose).
GoldenResult check_golden(const std::string& name, const render::Image& actual, Tolerance tol = {});

/// Fraction of pixels that differ beyond `channel` (1.0 when sizes differ); writes a diff image if asked.
double diff_fraction(const render::Image& a, const render::Image& b, int channel, render::Image* diff);

}  // namespace parktwin::test
