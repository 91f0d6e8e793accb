#pragma once
// Reading the command line's numbers, shared by the main options and the subcommands that parse
// their own.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

namespace parktwin::args {

/// `v` as a number when the whole token is one and it lies in [lo, hi] ((lo, hi] when `lo_open`);
/// NaN and trailing characters are refused.
inline std::optional<double> number_in(const std::string& v, double lo, double hi, bool lo_open = false) {
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0' || !((lo_open ? x > lo : x >= lo) && x <= hi)) return std::nullopt;
  return x;
}

/// The same for a whole number (1e9 is one; 2.5 is not).
inline std::optional<double> whole_in(const std::string& v, double lo, double hi) {
  const std::optional<double> x = number_in(v, lo, hi);
  if (!x || *x != static_cast<double>(static_cast<int64_t>(*x))) return std::nullopt;
  return x;
}

}  // namespace parktwin::args
