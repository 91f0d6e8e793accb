// The facts file: parsing, lookup and how a figure is shown. The file itself is assets/facts.json;
// the build compiles its text in (facts_data.cpp, generated from facts_data.cpp.in), so the
// program never depends on finding it at run time.
#include "parktwin/scene/facts.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

#include "parktwin/scene/scene.h"

namespace parktwin::scene {

extern const char* const kFactsJson;  // facts_data.cpp (generated)

namespace {

using nlohmann::json;

std::string str(const json& o, const char* key) {
  const auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string number(double v, int sig = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", sig, v);
  return buf;
}

/// The value in words a reader of English takes in at once: 150 bn yuan, 1.2926 Mt, 120 million.
std::string english_value(const Fact& f) {
  const double v = f.value;
  if (f.unit == "yuan") return v >= 1e9 ? number(v / 1e9) + " bn yuan" : number(v) + " yuan";
  if (f.unit == "t") return v >= 1e6 ? number(v / 1e6) + " Mt" : v >= 1e3 ? number(v / 1e3) + " kt" : number(v) + " t";
  if (f.unit == "units") return v >= 1e6 ? number(v / 1e6) + " million" : number(v);
  if (f.unit == "share") return number(100.0 * v, 3) + " %";
  if (f.unit == "per_year") return number(100.0 * v, 3) + " %/yr";
  if (f.unit == "ratio") {  // (appended, not "x" + number(v): GCC 12 warns falsely of an overlap there)
    std::string r = "x";
    return r += number(v);
  }
  if (f.unit == "GWh") return number(v) + " GWh";
  return number(v);
}

}  // namespace

const Fact* Facts::find(std::string_view id) const {
  for (const Fact& f : facts)
    if (f.id == id) return &f;
  return nullptr;
}

const Fact& Facts::get(std::string_view id) const {
  if (const Fact* f = find(id)) return *f;
  throw std::out_of_range("assets/facts.json has no fact '" + std::string(id) + "'");
}

std::vector<Fact> Facts::of_park(std::string_view park) const {
  std::vector<Fact> out;
  for (const Fact& f : facts)
    if (f.park == park) out.push_back(f);
  return out;
}

gis::Result<Facts> parse_facts(std::string_view text) {
  using gis::Failure;
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Failure(Failure::ConfigurationError, "facts file: not a JSON object");
  if (str(doc, "schema") != "parktwin.facts/1")
    return Failure(Failure::ConfigurationError, "facts file: schema is '" + str(doc, "schema") + "', expected parktwin.facts/1");
  Facts out;
  if (const auto src = doc.find("source"); src != doc.end() && src->is_object()) {
    out.source_zh = str(*src, "zh");
    out.source_en = str(*src, "en");
    out.source_short = str(*src, "short");
    out.transcript = str(*src, "transcript");
  }
  if (out.source_short.empty()) return Failure(Failure::ConfigurationError, "facts file: source.short is missing");
  const auto list = doc.find("facts");
  if (list == doc.end() || !list->is_array()) return Failure(Failure::ConfigurationError, "facts file: 'facts' is not an array");
  std::set<std::string> ids;
  for (const json& j : *list) {
    Fact f;
    f.id = str(j, "id");
    f.park = str(j, "park");
    f.unit = str(j, "unit");
    f.figure = str(j, "figure");
    f.quote = str(j, "quote");
    f.zh = str(j, "zh");
    f.en = str(j, "en");
    f.qualifier = str(j, "qualifier");
    const auto v = j.find("value");
    if (f.id.empty() || v == j.end() || !v->is_number() || !std::isfinite(v->get<double>()) || f.unit.empty() ||
        f.figure.empty() || f.quote.empty())
      return Failure(Failure::ConfigurationError,
                     "facts file: fact '" + f.id + "' needs id, a finite value, unit, figure and quote");
    f.value = v->get<double>();
    if (const auto y = j.find("year"); y != j.end() && y->is_number_integer()) f.year = y->get<int>();
    if (!ids.insert(f.id).second) return Failure(Failure::ConfigurationError, "facts file: duplicate id '" + f.id + "'");
    out.facts.push_back(std::move(f));
  }
  return out;
}

const Facts& plan_facts() {
  static const Facts facts = [] {
    auto parsed = parse_facts(kFactsJson);
    if (!parsed) throw std::runtime_error(parsed.error().message);  // the build compiled a broken file in
    return std::move(*parsed);
  }();
  return facts;
}

std::string fact_source(const Fact& f) {
  return plan_facts().source_short + ": " + f.en + ": " + f.figure + " 「" + f.quote + "」";
}

std::string fact_display(const Fact& f) {
  std::string q = f.qualifier.empty() ? "" : f.qualifier + " ";
  return q + english_value(f) + " (" + f.figure + ")";
}

std::vector<Fact> park_facts(const std::string& id) { return plan_facts().of_park(id); }

}  // namespace parktwin::scene
