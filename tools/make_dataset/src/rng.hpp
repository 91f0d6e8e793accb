#pragma once
/// Deterministic pseudo-random numbers: splitmix64 seeding a xoshiro256** generator.
/// No std::*_distribution is used, so results are identical on every platform and library.
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

namespace parktwin::dataset {

/// FNV-1a 64-bit hash of a string; used to derive per-area and per-group seeds from ids.
constexpr std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// xoshiro256** seeded through splitmix64.
class Rng {
public:
  /// Seeds the generator; equal seeds give equal sequences.
  explicit Rng(std::uint64_t seed) : base_(seed) {
    std::uint64_t x = seed;
    for (auto& s : state_) s = splitmix(x);
  }
  /// A generator for a named sub-stream, independent of how much of this one was used.
  [[nodiscard]] Rng fork(std::string_view salt) const { return Rng(base_ ^ fnv1a(salt)); }

  /// Next raw 64-bit value.
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }
  /// Uniform in [0, 1) with 53 bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform in [lo, hi).
  double range(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [lo, hi] (inclusive).
  int integer(int lo, int hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo + 1);
    return lo + static_cast<int>(next() % span);
  }
  /// True with probability p.
  bool chance(double p) { return uniform() < p; }
  /// Index drawn with probability proportional to weights (all non-negative, sum > 0).
  std::size_t weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double r = uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return weights.size() - 1;
  }

private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t base_;
  std::uint64_t state_[4]{};
};

}  // namespace parktwin::dataset
