// Wall layouts that are refused: every malformed layout named by the field at fault, the file
// named when it cannot be read, numbers beyond a double, walls of too many pixels, and the checks
// on a layout built in code (the well-formed ones: test_layout.cpp).
#include "parktwin/wall/layout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "layout_fixture.h"

namespace {

using namespace parktwin::wall;
using parktwin::gis::Failure;
using wall_test::fixture;
using wall_test::kFixture;

// A 2 x 1 wall with each piece replaceable, for the refusals.
struct Doc {
  std::string schema = R"("schema": "parktwin.wall/1")";
  std::string grid = R"("columns": 2, "rows": 1)";
  std::string panel = R"("panel": {"width_px": 1920, "height_px": 1080, "width_mm": 1209.6, "height_mm": 680.4,
                         "bezel_mm": {"left": 1.75, "right": 1.75, "top": 1.75, "bottom": 1.75}})";
  std::string nodes = R"("nodes": [{"id": "a", "panels": [[0, 0]]}, {"id": "b", "panels": [[1, 0]]}])";
  std::string extra;
  std::string text() const {
    std::string s = "{" + schema;
    for (const std::string* part : {&grid, &panel, &nodes, &extra})
      if (!part->empty()) s += ", " + *part;
    return s + "}";
  }
};

std::string refusal(const std::string& text) {
  auto l = parse_layout(text);
  if (l.ok()) return "(accepted)";
  EXPECT_EQ(l.error().kind, Failure::ConfigurationError);
  EXPECT_EQ(l.error().message.rfind("wall layout: ", 0), 0u) << l.error().message;
  return l.error().message;
}

TEST(WallLayout, RefusesBadLayoutsNamingTheField) {
  ASSERT_TRUE(parse_layout(Doc{}.text()).ok());
  struct Case {
    std::string text;
    std::vector<std::string> says;
  };
  auto with = [](auto edit) {
    Doc d;
    edit(d);
    return d.text();
  };
  const std::string wide = R"("width_px": 1920, "height_px": 1080, "width_mm": 1209.6, "height_mm": 680.4)";
  const std::vector<Case> cases = {
      {"{", {"not valid JSON"}},
      {"[1, 2]", {"not a JSON object"}},
      {with([](Doc& d) { d.schema = R"("schema": "parktwin.wall/2")"; }), {"'schema' is \"parktwin.wall/2\"", "expected \"parktwin.wall/1\""}},
      {with([](Doc& d) { d.schema = R"("name": "x")"; }), {"'schema' is missing"}},
      {with([](Doc& d) { d.extra = R"("colour": "red")"; }), {"unknown key 'colour'"}},
      {with([](Doc& d) { d.grid = R"("rows": 1)"; }), {"'columns' is missing"}},
      {with([](Doc& d) { d.grid = R"("columns": 0, "rows": 1)"; }), {"'columns' must be a whole number from 1"}},
      {with([](Doc& d) { d.grid = R"("columns": 2, "rows": 1.5)"; }), {"'rows' must be a whole number"}},
      {with([](Doc& d) { d.panel = ""; }), {"'panel' is missing"}},
      {with([&](Doc& d) { d.panel = R"("panel": {"width_px": 1920, "height_px": 1080, "height_mm": 680.4, "bezel_mm": 1})"; }),
       {"panel.width_mm is missing", "active"}},
      {with([&](Doc& d) { d.panel = R"("panel": {"width_px": 1920, "height_px": 1080, "width_mm": -1209.6, "height_mm": 680.4, "bezel_mm": 1})"; }),
       {"panel.width_mm must be a positive number of millimetres", "-1209.6"}},
      {with([&](Doc& d) { d.panel = R"("panel": {"width_px": 1920, "height_px": 1080, "width_mm": 1209.6, "height_mm": 0, "bezel_mm": 1})"; }),
       {"panel.height_mm must be a positive number"}},
      {with([&](Doc& d) { d.panel = R"("panel": {"width_px": 0, "height_px": 1080, "width_mm": 1209.6, "height_mm": 680.4, "bezel_mm": 1})"; }),
       {"panel.width_px must be a whole number of pixels"}},
      {with([&](Doc& d) { d.panel = R"("panel": {"width_px": 1920, "height_px": 1080.5, "width_mm": 1209.6, "height_mm": 680.4, "bezel_mm": 1})"; }),
       {"panel.height_px must be a whole number of pixels"}},
      {with([&](Doc& d) { d.panel = "\"panel\": {" + wide + "}"; }), {"panel.bezel_mm is missing", "0 for a seamless wall"}},
      {with([&](Doc& d) { d.panel = "\"panel\": {" + wide + R"(, "bezel_mm": -1})"; }),
       {"panel.bezel_mm must be a non-negative number"}},
      {with([&](Doc& d) { d.panel = "\"panel\": {" + wide + R"(, "bezel_mm": {"left": 1, "right": 1, "bottom": 1}})"; }),
       {"panel.bezel_mm.top is missing"}},
      {with([&](Doc& d) { d.panel = "\"panel\": {" + wide + R"(, "bezel_mm": {"left": 1, "right": -1, "top": 1, "bottom": 1}})"; }),
       {"panel.bezel_mm.right must be a non-negative"}},
      {with([](Doc& d) { d.nodes = ""; }), {"'nodes' must be a non-empty array"}},
      {with([](Doc& d) { d.nodes = R"("nodes": [])"; }), {"'nodes' must be a non-empty array"}},
      {with([](Doc& d) { d.nodes = R"("nodes": [{"panels": [[0, 0], [1, 0]]}])"; }), {"nodes[0].id must be a non-empty string"}},
      {with([](Doc& d) { d.nodes = R"("nodes": [{"id": "a", "panels": [[0, 0], [1, 0]]}, {"id": "b", "panels": []}])"; }),
       {"nodes[1] ('b') has no panels", "remove the node"}},
      {with([](Doc& d) { d.nodes = R"("nodes": [{"id": "a", "panels": [[0, 0]]}, {"id": "a", "panels": [[1, 0]]}])"; }),
       {"nodes[1]: id 'a' is also nodes[0]'s"}},
      {with([](Doc& d) { d.nodes = R"("nodes": [{"id": "a", "panels": [[0, 0], [2, 0]]}])"; }),
       {"nodes[0] ('a').panels[1] [2, 0] lies outside the 2 x 1 grid"}},
      {with([](Doc& d) { d.nodes = R"("nodes": [{"id": "a", "panels": [[0, 0], [1]]}])"; }),
       {"nodes[0] ('a').panels[1] must be a cell [col, row]"}},
      {with([](Doc& d) { d.nodes = R"("nodes": [{"id": "a", "panels": [[0, 0]]}])"; }),
       {"cell [1, 0] has no panel", "add it"}},
      {with([](Doc& d) { d.nodes = R"("nodes": [{"id": "a", "panels": [[0, 0], [1, 0]]}, {"id": "b", "panels": [[1, 0]]}])"; }),
       {"cell [1, 0] is driven by both node 'a' and node 'b'"}},
      {with([](Doc& d) { d.nodes = R"("nodes": [{"id": "a", "panels": [[0, 0], [0, 0], [1, 0]]}])"; }),
       {"node 'a' lists cell [0, 0] twice"}},
      {with([](Doc& d) { d.extra = R"("overrides": [{"panel": [1, 0], "height_mm": 700}])"; }),
       {"row 0 has panels of different sizes", "680.4 mm tall", "700 mm", "regular grid"}},
      {with([](Doc& d) { d.extra = R"("overrides": [{"panel": [1, 0], "bezel_mm": {"top": 3}}])"; }),
       {"row 0 has panels of different sizes", "683.9 mm tall with its bezels", "685.15 mm"}},
      {with([](Doc& d) {
         d.grid = R"("columns": 1, "rows": 2)";
         d.nodes = R"("nodes": [{"id": "a", "panels": [[0, 0], [0, 1]]}])";
         d.extra = R"("overrides": [{"panel": [0, 1], "width_mm": 1000}])";
       }),
       {"column 0 has panels of different sizes", "1209.6 mm wide", "1000 mm", "regular grid"}},
      {with([](Doc& d) { d.extra = R"("overrides": [{"panel": [5, 0], "width_px": 3840}])"; }),
       {"overrides[0].panel [5, 0] lies outside the 2 x 1 grid"}},
      {with([](Doc& d) { d.extra = R"("overrides": [{"panel": [1, 0], "width_px": 3840}, {"panel": [1, 0], "height_px": 2160}])"; }),
       {"overrides[1]: cell [1, 0] is overridden twice"}},
      {with([](Doc& d) { d.extra = R"("overrides": [{"panel": [1, 0], "colour": 1}])"; }),
       {"overrides[0] has an unknown key 'colour'"}},
      {with([](Doc& d) { d.extra = R"("overrides": [{"width_px": 3840}])"; }), {"overrides[0].panel is missing"}},
      {with([](Doc& d) { d.extra = R"("overrides": [{"panel": [1, 0], "width_mm": -3}])"; }),
       {"overrides[0].width_mm must be a positive number"}},
  };
  for (const Case& c : cases) {
    const std::string said = refusal(c.text);
    for (const std::string& s : c.says) EXPECT_NE(said.find(s), std::string::npos) << "wanted: " << s << "\ngot:    " << said;
  }
}

TEST(WallLayout, ReadLayoutNamesTheFile) {
  auto missing = read_layout(std::string(PARKTWIN_TEST_OUT) + "/no_such_wall.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, Failure::ResourceUnavailable);
  EXPECT_NE(missing.error().message.find("no_such_wall.json"), std::string::npos);
  const std::string bad = std::string(PARKTWIN_TEST_OUT) + "/wall_bad_schema.json";
  std::ofstream(bad) << R"({"schema": "parktwin.wall/0"})";
  auto refused = read_layout(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message.rfind(bad + ": wall layout: 'schema'", 0), 0u) << refused.error().message;
  const std::string empty = std::string(PARKTWIN_TEST_OUT) + "/wall_empty.json";
  std::ofstream(empty).close();
  auto nothing = read_layout(empty);
  ASSERT_FALSE(nothing.ok());
  EXPECT_NE(nothing.error().message.find(empty + ": wall layout: not valid JSON"), std::string::npos) << nothing.error().message;
}

// Found by tests/fuzz/wall_layout_fuzz: 1e999 is valid JSON but no double; nlohmann::json throws
// out_of_range for it (not parse_error), which escaped parse_layout and terminated the program.
TEST(WallLayout, ANumberBeyondADoubleIsRefusedNotThrown) {
  const std::string path = std::string(PARKTWIN_FUZZ_CORPUS) + "/wall_layout/regress_number_overflow.json";
  std::optional<parktwin::gis::Result<Layout>> r;
  ASSERT_NO_THROW(r = read_layout(path));
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error().kind, Failure::ConfigurationError);
  for (const char* says : {"regress_number_overflow.json: wall layout: a number is out of range", "1e999"})
    EXPECT_NE(r->error().message.find(says), std::string::npos) << r->error().message;
  // With the fixture's 1080 in its place the file is the fixture's wall again.
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("1e999"), 5, "1080");
  auto fixed = parse_layout(text);
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  EXPECT_EQ(*fixed, fixture());
}

// Found by tests/fuzz/wall_layout_fuzz: a bezel of 3e12 mm passed every check, and wall_pixels
// then converted a pixel edge of 3e9 to int32 (undefined behaviour; garbage rectangles).
TEST(WallLayout, AWallOfTooManyPixelsIsRefused) {
  auto r = read_layout(std::string(PARKTWIN_FUZZ_CORPUS) + "/wall_layout/regress_huge_bezel.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Failure::ConfigurationError);
  for (const char* says : {"regress_huge_bezel.json: wall layout: the wall is", "mm wide", "px per mm", "16777216",
                           "bezel_mm"})
    EXPECT_NE(r.error().message.find(says), std::string::npos) << r.error().message;
  // The limit, 2 x 256 x 32768 = 16777216 px a side, by hand: 256 panels of 32768 px across at
  // 32.768 px/mm make 8388608 px without bezels; with 600 mm of bezel on each side a column is
  // 2200 mm = 72089.6 px, and 256 of them about 18.45 million px, beyond it.
  EXPECT_TRUE(check_layout(uniform_layout(256, 1, 32768, 1080, 1000.0, 500.0, 0.0, 4)).ok());
  const auto wide = check_layout(uniform_layout(256, 1, 32768, 1080, 1000.0, 500.0, 600.0, 4));
  ASSERT_FALSE(wide.ok());
  EXPECT_NE(wide.error().message.find("mm wide"), std::string::npos) << wide.error().message;
}

TEST(WallLayout, CheckLayoutBuiltInCode) {
  Layout l = uniform_layout(2, 2, 1920, 1080, 1209.6, 680.4, 1.75, 2);
  ASSERT_TRUE(check_layout(l).ok());
  Layout outs = l;
  outs.panels[1].output = 5;
  ASSERT_FALSE(check_layout(outs).ok());
  EXPECT_NE(check_layout(outs).error().message.find("node 'node1': its panels' outputs must be 0..1"), std::string::npos);
  Layout gone = l;
  gone.panels.pop_back();
  ASSERT_FALSE(check_layout(gone).ok());
  EXPECT_NE(check_layout(gone).error().message.find("cell [1, 1] has no panel"), std::string::npos);
  Layout neg = l;
  neg.panels[2].bezel.top_mm = -1.0;
  ASSERT_FALSE(check_layout(neg).ok());
  EXPECT_NE(check_layout(neg).error().message.find("bezels must not be negative"), std::string::npos);
  Layout empty;
  EXPECT_FALSE(check_layout(empty).ok());
}

}  // namespace
