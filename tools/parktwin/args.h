#pragma once
// Reading the command line's numbers, shared by the main options and the subcommands that parse
// their own.
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

}  // namespace parktwin::args
