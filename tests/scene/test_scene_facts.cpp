// The facts file (assets/facts.json) against the source document itself: every quote must be found
// verbatim in the transcript, every figure inside its quote, and the value the program uses must be
// what the figure says once its Chinese multiplier and unit are read by the independent reader
// below (亿 = 1e8, 万 = 1e4, % = 1/100, 1.2亿部 = 120,000,000 handsets, 翻番 = doubling ...).
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "parktwin/scene/facts.h"
#include "seed_reader.h"

namespace {

using parktwin::scene::Fact;
using parktwin::scene::plan_facts;
using namespace parktwin::scene::testing;

}  // namespace

TEST(SeedFacts, EveryQuoteAndFigureIsInTheDocumentAndTheValueIsWhatTheFigureSays) {
  const std::string doc = transcript();
  ASSERT_GT(doc.size(), 10000u) << "transcript not found at " << PARKTWIN_SEED_TRANSCRIPT << " nor in assets/source/";
  ASSERT_GE(plan_facts().facts.size(), 20u);
  for (const Fact& f : plan_facts().facts) {
    SCOPED_TRACE(f.id);
    EXPECT_NE(doc.find(f.quote), std::string::npos) << "quote not in the document: " << f.quote;
    EXPECT_NE(f.quote.find(f.figure), std::string::npos) << "figure " << f.figure << " not in its quote";
    const auto r = read_figure(f.figure);
    ASSERT_TRUE(r.has_value()) << "figure not understood: " << f.figure;
    const auto k = factor(r->dimension, f.unit);
    ASSERT_TRUE(k.has_value()) << f.figure << " (" << r->dimension << ") cannot be in unit " << f.unit;
    EXPECT_NEAR(f.value, r->number * *k, std::abs(r->number * *k) * 1e-9) << f.figure;
  }
}

TEST(SeedFacts, TheReaderRejectsFiguresItCannotCheck) {
  // The reader above is the test's independent route: make sure it is not lenient.
  EXPECT_FALSE(read_figure("about three").has_value());
  EXPECT_FALSE(read_figure("3724.5亿美元").has_value());
  EXPECT_FALSE(factor("money", "t").has_value());
  const auto r = read_figure("129.26万吨");
  ASSERT_TRUE(r.has_value());
  EXPECT_NEAR(r->number, 1292600.0, 1e-6);
}

TEST(SeedFacts, ADamagedFactsFileIsRefusedWithTheReason) {
  auto no_quote = parktwin::scene::parse_facts(
      R"({"schema":"parktwin.facts/1","source":{"short":"x"},"facts":[{"id":"a","value":1,"unit":"t","figure":"1吨"}]})");
  ASSERT_FALSE(no_quote);
  EXPECT_NE(no_quote.error().message.find("'a'"), std::string::npos) << no_quote.error().message;
  auto dup = parktwin::scene::parse_facts(
      R"({"schema":"parktwin.facts/1","source":{"short":"x"},"facts":[)"
      R"({"id":"a","value":1,"unit":"t","figure":"1吨","quote":"1吨"},{"id":"a","value":1,"unit":"t","figure":"1吨","quote":"1吨"}]})");
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("duplicate"), std::string::npos);
  EXPECT_FALSE(parktwin::scene::parse_facts("{\"schema\":\"other/2\"}"));
  EXPECT_FALSE(parktwin::scene::parse_facts("not json"));
}

TEST(SeedFacts, EveryParkShowsFiguresAndTheCodeFindsTheFiguresItNeeds) {
  for (const char* park : {"nanchang", "yingtan", "yichun"}) EXPECT_GE(plan_facts().of_park(park).size(), 4u) << park;
  EXPECT_THROW(plan_facts().get("no.such_fact"), std::out_of_range);
}

// What a viewer reads (fact_display) read back by a reader of its own: the qualifier, a number
// with an English multiplier word or unit, then the document's figure in brackets. The number
// times the multiplier must give the fact's value to the digits shown, in the unit the fact has.
TEST(SeedFacts, EveryDisplayedFigureReadsBackAsTheFactsValue) {
  struct Suffix {
    const char* text;
    double scale;
    const char* unit;  // the fact's unit it belongs to (firms, projects, chains ... show a bare number)
  };
  const Suffix suffixes[] = {{" bn yuan", 1e9, "yuan"}, {" yuan", 1.0, "yuan"}, {" Mt", 1e6, "t"},
                             {" kt", 1e3, "t"},         {" t", 1.0, "t"},        {" million", 1e6, "units"},
                             {" %/yr", 0.01, "per_year"}, {" %", 0.01, "share"}, {" GWh", 1.0, "GWh"}};
  ASSERT_GE(plan_facts().facts.size(), 20u);
  for (const Fact& f : plan_facts().facts) {
    SCOPED_TRACE(f.id);
    std::string shown = parktwin::scene::fact_display(f);
    const std::string tail = " (" + f.figure + ")";
    ASSERT_GE(shown.size(), tail.size());
    ASSERT_EQ(shown.substr(shown.size() - tail.size()), tail) << shown;
    shown.resize(shown.size() - tail.size());
    if (!f.qualifier.empty()) {
      ASSERT_EQ(shown.rfind(f.qualifier + " ", 0), 0u) << shown;
      shown.erase(0, f.qualifier.size() + 1);
    }
    bool times = false;
    if (!shown.empty() && shown[0] == 'x') times = true, shown.erase(0, 1);
    EXPECT_EQ(times, f.unit == "ratio") << shown;
    char* end = nullptr;
    const double number = std::strtod(shown.c_str(), &end);
    ASSERT_NE(end, shown.c_str()) << "no number in '" << shown << "'";
    const std::string rest = end;
    double scale = 1.0;
    if (!rest.empty()) {
      const Suffix* s = nullptr;
      for (const Suffix& x : suffixes)
        if (rest == x.text) s = &x;
      ASSERT_NE(s, nullptr) << "unknown unit word '" << rest << "'";
      EXPECT_EQ(f.unit, s->unit) << rest;
      scale = s->scale;
    } else {
      EXPECT_TRUE(f.unit != "share" && f.unit != "per_year" && f.unit != "GWh") << f.unit << " shown without its unit";
    }
    // Shown to at least 3 significant digits.
    EXPECT_NEAR(number * scale, f.value, std::abs(f.value) * 5e-3) << parktwin::scene::fact_display(f);
  }
}
