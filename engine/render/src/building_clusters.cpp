#include "building_clusters.h"

#include <cmath>
#include <numbers>

#include <glm/geometric.hpp>

namespace parktwin::render {

const std::array<glm::vec2, kFacingBins>& facing_normals() {
  static const std::array<glm::vec2, kFacingBins> normals = [] {
    std::array<glm::vec2, kFacingBins> n{};
    for (uint32_t j = 0; j < kFacingBins; ++j) {
      const float a = -std::numbers::pi_v<float> + float(j) * (2.0f * std::numbers::pi_v<float> / kFacingBins);
      n[j] = glm::vec2(std::cos(a), std::sin(a));
    }
    return n;
  }();
  return normals;
}

uint32_t facing_mask(glm::dvec2 eye, glm::dvec2 bmin, glm::dvec2 bmax) {
  glm::vec2 d[4];
  for (int i = 0; i < 4; ++i) d[i] = glm::vec2(eye - glm::dvec2(i & 1 ? bmax.x : bmin.x, i & 2 ? bmax.y : bmin.y));
  // Boundary normal j of the bins (j = 0..kFacingBins, the last equal to the first): whether it
  // points away from every corner's direction to the eye, with the margin.
  const std::array<glm::vec2, kFacingBins>& normals = facing_normals();
  bool away[kFacingBins + 1];
  for (uint32_t j = 0; j <= kFacingBins; ++j) {
    const glm::vec2 n = normals[j % kFacingBins];
    away[j] = true;
    for (const glm::vec2& v : d) away[j] = away[j] && glm::dot(n, v) < -kFacingMargin * glm::length(v);
  }
  uint32_t mask = 0;
  for (uint32_t k = 0; k < kFacingBins; ++k)
    if (!(away[k] && away[k + 1])) mask |= 1u << k;
  return mask;
}

uint32_t facing_runs(uint32_t index_count, uint32_t roof_count, std::span<const uint32_t, kFacingBins> bin_end,
                     uint32_t mask, std::array<uint32_t, 2>& first, std::array<uint32_t, 2>& count) {
  // Parts in layout order: roofs, then bins 0..kFacingBins-1; an empty part joins its neighbours.
  uint32_t runs = 0, begin = 0;
  bool open = false;
  for (uint32_t p = 0; p <= kFacingBins; ++p) {
    const uint32_t pb = p == 0 ? 0 : (p == 1 ? roof_count : bin_end[p - 2]);
    const uint32_t pe = p == 0 ? roof_count : bin_end[p - 1];
    const bool drawn = p == 0 || pe == pb || (mask >> (p - 1) & 1u) != 0;
    if (drawn && !open) {
      if (runs == 2) {
        --runs;  // a third run: extend the second over the gap
      } else {
        begin = pb;
      }
      open = true;
    }
    if (!drawn && open) {
      first[runs] = begin;
      count[runs] = pb - begin;
      ++runs;
      open = false;
    }
  }
  if (open) {
    first[runs] = begin;
    count[runs] = index_count - begin;
    ++runs;
  }
  // Drop empty runs (a cluster of walls only, all facing away, leaves an empty roof run).
  uint32_t n = 0;
  for (uint32_t r = 0; r < runs; ++r)
    if (count[r]) first[n] = first[r], count[n] = count[r], ++n;
  return n;
}

}  // namespace parktwin::render
