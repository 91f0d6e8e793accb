#pragma once
// The tests' own reader of the source document: finds the transcript and reads a figure as the
// document writes it (亿 = 1e8, 万 = 1e4, % = 1/100, 翻番 = doubling ...) into a number and a
// dimension, independently of the program's facts file and its parser.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

namespace parktwin::scene::testing {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The transcript: ../shared/seed beside the repository when present (the document as delivered),
/// else the copy shipped in assets/source/. When both exist they must be the same bytes.
inline std::string transcript() {
  const std::string shared = read_file(PARKTWIN_SEED_TRANSCRIPT);
  const std::string shipped = read_file(std::string(PARKTWIN_ASSET_DIR) + "/source/000_a38f8452e5e1f2ab.txt");
  if (!shared.empty() && !shipped.empty()) {
    EXPECT_EQ(shared, shipped) << "assets/source/ differs from ../shared/seed/";
  }
  return shared.empty() ? shipped : shared;
}

inline bool starts_with(const std::string& s, size_t pos, const char* what) { return s.compare(pos, std::strlen(what), what) == 0; }

/// A figure as the document writes it, read into (number, dimension). Returns nullopt when the
/// reader does not understand it (the test then fails: a figure nobody can check is not accepted).
struct Reading {
  double number = 0.0;
  std::string dimension;  ///< money, mass, devices, firms, projects, energy, percent, fraction, multiple, chains, clusters
};
inline std::optional<Reading> read_figure(const std::string& fig) {
  Reading r;
  if (fig == "翻番") return Reading{2.0, "multiple"};
  size_t pos = 0;
  while (pos < fig.size() && (std::isdigit(static_cast<unsigned char>(fig[pos])) || fig[pos] == '.')) ++pos;
  if (pos == 0) return std::nullopt;
  r.number = std::stod(fig.substr(0, pos));
  if (pos < fig.size() && fig[pos] == '/') {  // "1/3"
    const std::string den = fig.substr(pos + 1);
    if (den.empty() || den.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return Reading{r.number / std::stod(den), "fraction"};
  }
  if (starts_with(fig, pos, "多")) pos += std::strlen("多");  // "200多家": over 200
  const std::map<std::string, double> multipliers = {{"亿", 1e8}, {"万", 1e4}, {"千", 1e3}};
  for (const auto& [m, f] : multipliers)
    if (starts_with(fig, pos, m.c_str())) {
      r.number *= f;
      pos += m.size();
    }
  const std::map<std::string, std::string> units = {{"元", "money"},   {"吨", "mass"},     {"部", "devices"},
                                                    {"台", "devices"}, {"家", "firms"},    {"个", "count"},
                                                    {"GWh", "energy"}, {"Gwh", "energy"},  {"%", "percent"},
                                                    {"条", "chains"}};
  const std::string rest = fig.substr(pos);
  const auto u = units.find(rest);
  if (u == units.end()) return std::nullopt;
  r.dimension = u->second;
  return r;
}

/// What a figure of each dimension means in each unit of the facts file: value in the file's unit
/// = number read × factor. A pair not listed is a unit mismatch.
inline std::optional<double> factor(const std::string& dimension, const std::string& unit) {
  static const std::map<std::pair<std::string, std::string>, double> k = {
      {{"money", "yuan"}, 1.0},        {{"mass", "t"}, 1.0},          {{"devices", "units"}, 1.0},
      {{"firms", "firms"}, 1.0},       {{"count", "projects"}, 1.0},  {{"count", "clusters"}, 1.0},
      {{"energy", "GWh"}, 1.0},        {{"percent", "share"}, 0.01},  {{"percent", "per_year"}, 0.01},
      {{"fraction", "share"}, 1.0},    {{"multiple", "ratio"}, 1.0},  {{"chains", "chains"}, 1.0},
  };
  const auto it = k.find({dimension, unit});
  if (it == k.end()) return std::nullopt;
  return it->second;
}


/// The figure a source line names: "...: <figure> 「<quote>」" (scene::fact_source's layout).
inline std::string figure_of_source(const std::string& source) {
  const size_t q = source.rfind(" 「");
  if (q == std::string::npos) return {};
  const size_t c = source.rfind(": ", q);
  return c == std::string::npos ? std::string() : source.substr(c + 2, q - c - 2);
}
/// The quote a source line carries.
inline std::string quote_of_source(const std::string& source) {
  const size_t a = source.rfind("「"), b = source.rfind("」");
  if (a == std::string::npos || b == std::string::npos || b < a) return {};
  return source.substr(a + std::strlen("「"), b - a - std::strlen("「"));
}

}  // namespace parktwin::scene::testing
