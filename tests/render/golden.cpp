#include "golden.h"

#include <cstdlib>
#include <filesystem>

namespace parktwin::test {

double diff_fraction(const render::Image& a, const render::Image& b, int channel, render::Image* diff) {
  if (a.width != b.width || a.height != b.height || a.rgba.size() != b.rgba.size()) return 1.0;
  size_t bad = 0;
  const size_t n = size_t(a.width) * a.height;
  if (diff) {
    *diff = a;
  }
  for (size_t i = 0; i < n; ++i) {
    int d = 0;
    for (int c = 0; c < 3; ++c) d = std::max(d, std::abs(int(a.rgba[i * 4 + c]) - int(b.rgba[i * 4 + c])));
    const bool off = d > channel;
    bad += off;
    if (diff) {
      // Matching pixels as a faded grey picture, differing ones in red to yellow by the difference.
      const uint8_t g = static_cast<uint8_t>(160 + a.rgba[i * 4 + 1] / 3);
      diff->rgba[i * 4 + 0] = off ? 255 : g;
      diff->rgba[i * 4 + 1] = off ? static_cast<uint8_t>(255 - std::min(255, d * 2)) : g;
      diff->rgba[i * 4 + 2] = off ? 0 : g;
      diff->rgba[i * 4 + 3] = 255;
    }
  }
  return static_cast<double>(bad) / static_cast<double>(n);
}

GoldenResult compare_golden(const std::string& name, const render::Image& actual, Tolerance tol) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(PARKTWIN_GOLDEN_DIR) / name;
  const fs::path expected = dir / "expected.png";
  const char* rebase = std::getenv("PARKTWIN_REBASELINE");
  if (rebase && std::string(rebase) == "1") {
    fs::create_directories(dir);
    auto w = render::write_png(actual, expected.string());
    return {w.ok(), w.ok() ? "rebaselined " + expected.string() : w.error().message};
  }
  auto exp = render::read_png(expected.string());
  if (!exp) {
    fs::create_directories(dir);
    (void)render::write_png(actual, (dir / "actual.png").string());
    return {false, "no expected image " + expected.string() + " (actual.png written; accept it with "
                   "`cmake --build build --target rebaseline`)"};
  }
  render::Image diff;
  const double f = diff_fraction(actual, *exp, tol.channel, &diff);
  if (f <= tol.max_fraction) {
    std::error_code ec;
    fs::remove(dir / "actual.png", ec);
    fs::remove(dir / "diff.png", ec);
    return {true, {}};
  }
  (void)render::write_png(actual, (dir / "actual.png").string());
  if (diff.width) (void)render::write_png(diff, (dir / "diff.png").string());
  return {false, name + ": " + std::to_string(f * 100.0) + " % of pixels differ by more than " +
                     std::to_string(tol.channel) + " (allowed " + std::to_string(tol.max_fraction * 100.0) +
                     " %); see " + (dir / "actual.png").string() + " and diff.png"};
}

}  // namespace parktwin::test
