#pragma once
// The figures of the source document (the transcript of the Jiangxi "1269" plan press conference,
// Nanchang, 2023-07-14) that ParkTwin uses, from one data file: assets/facts.json, compiled into
// the program at build time. The simulator's calibration, the cluster KPIs' bases and targets and
// the parks' figures all read them here; no document figure is written in C++.
//
// Each fact quotes the document in its own words (`quote`, verbatim in the transcript) and names
// the figure inside that quote (`figure`); `value` is that figure in `unit`. A test checks every
// quote and figure against the transcript itself.
#include <string>
#include <string_view>
#include <vector>

#include "parktwin/gis/result.h"

namespace parktwin::scene {

/// One figure of the source document.
struct Fact {
  std::string id;         ///< stable key, "<park or plan>.<what>", e.g. yingtan.copper_revenue_2022
  std::string park;       ///< park id the figure belongs to ("" = the whole plan)
  double value = 0.0;     ///< the figure in `unit`
  std::string unit;       ///< yuan, t, units, firms, projects, GWh, share, per_year, ratio, chains, clusters
  std::string figure;     ///< the figure as the document writes it ("3724.5亿元")
  std::string quote;      ///< the document's words around it, verbatim
  std::string zh, en;     ///< what the figure is, in Chinese and English
  std::string qualifier;  ///< "", "over", "about", "striving for": how the document hedges it
  int year = 0;           ///< the year it describes (0 = not tied to one)
};

/// The facts file: its source and its facts, in file order.
struct Facts {
  std::string source_zh, source_en;  ///< the document, in full
  std::string source_short;          ///< "Jiangxi '1269' plan press conference, 2023-07-14"
  std::string transcript;            ///< file name of the transcript beside FACTS.md
  std::vector<Fact> facts;

  /// The fact with this id, or nullptr.
  const Fact* find(std::string_view id) const;
  /// The fact with this id; throws std::out_of_range naming the id when the file lacks it (a
  /// build with a facts file that misses a figure the code needs is a programming error).
  const Fact& get(std::string_view id) const;
  double value(std::string_view id) const { return get(id).value; }
  /// The facts of one park ("" = the plan's), in file order.
  std::vector<Fact> of_park(std::string_view park) const;
};

/// Parses the text of a facts file; fails naming what is wrong (schema, missing field, duplicate id).
gis::Result<Facts> parse_facts(std::string_view json_text);

/// The facts compiled into the program (assets/facts.json at build time). Parsed once.
const Facts& plan_facts();

/// "Jiangxi '1269' plan press conference, 2023-07-14: Electronics revenue 2022, 「…1500亿元」".
std::string fact_source(const Fact& f);
/// The figure for people: "1500亿元 (150 bn yuan)"; the qualifier in front where the document hedges.
std::string fact_display(const Fact& f);

}  // namespace parktwin::scene
