#pragma once
// Golden-image comparison with an explicit tolerance. On mismatch, actual.png and diff.png are
// written next to expected.png; PARKTWIN_REBASELINE=1 rewrites expected.png instead.
#include <string>

#include "parktwin/render/renderer.h"

namespace parktwin::test {

struct Tolerance {
  int channel = 24;            ///< a pixel differs when any channel differs by more than this
  double max_fraction = 0.005; ///< the image fails when more than this fraction of pixels differ
};

struct GoldenResult {
  bool ok = false;
  std::string message;
};

/// Compares `actual` with tests/golden/<name>/expected.png.
GoldenResult compare_golden(const std::string& name, const render::Image& actual, Tolerance tol = {});

/// Fraction of pixels that differ beyond `channel` (1.0 when sizes differ); writes a diff image if asked.
double diff_fraction(const render::Image& a, const render::Image& b, int channel, render::Image* diff);

}  // namespace parktwin::test
