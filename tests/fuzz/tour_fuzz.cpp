// libFuzzer target: tour JSON (parse_tour, what read_tour and `--tour` read). Beyond "no crash,
// no UB, no leak, no escaping exception" it checks:
//   - a parsed tour written out (tour_to_json) parses again and writes out the same text;
//   - evaluating it anywhere (start, middle, end, past the end) gives a finite camera.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parktwin/scene/tour.h"

namespace {

bool finite(const parktwin::scene::GeoCamera& c) {
  return std::isfinite(c.lon) && std::isfinite(c.lat) && std::isfinite(c.distance_m) && std::isfinite(c.heading_deg) &&
         std::isfinite(c.pitch_deg) && std::isfinite(c.fov_deg);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parktwin::scene;
  const auto tour = parse_tour(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!tour) return 0;
  const std::string text = tour_to_json(*tour);
  const auto again = parse_tour(text);
  if (!again || tour_to_json(*again) != text) std::abort();

  const GeoCamera start;
  const double total = total_duration(*tour);
  for (const double t : {0.0, total * 0.25, total * 0.5, total, total + 1.0}) {
    const TourFrame f = evaluate(*tour, t, start);
    if (!finite(f.camera)) std::abort();
  }
  return 0;
}
