// The edit journal: steps are on disk when apply() returns, a torn last line is ignored, replay is
// idempotent, edit commands survive their JSON form.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <glm/geometric.hpp>

#include "fixture.h"
#include "parktwin/edit/edit_json.h"
#include "parktwin/edit/journal.h"

using namespace parktwin;
using namespace parktwin::edit;

namespace {

std::string scratch(const std::string& name) {
  const std::string dir = std::string(PARKTWIN_TEST_OUT) + "/edit_journal";
  std::filesystem::create_directories(dir);
  const std::string p = dir + "/" + name;
  std::filesystem::remove(p);
  return p;
}

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST(Journal, EveryStepIsOnDiskWhenApplyReturnsAndReplaysIntoAFreshSession) {
  const std::string path = scratch("steps.ptjournal");
  gis::SceneFrame frame = gis::SceneFrame::jiangxi();
  gis::LayerData parcels = fixture::parcels(), buildings = fixture::buildings();
  {
    EditSession s(frame, {&parcels, &buildings});
    auto j = Journal::open(path, "park.gpkg");
    ASSERT_TRUE(j.ok()) << j.error().message;
    (*j)->attach(s);
    ASSERT_TRUE(s.apply(Move{"buildings", {10}, {3.0, 4.0}}).ok());
    const size_t after_one = slurp(path).size();
    ASSERT_TRUE(s.apply(SplitParcel{"parcels", 1, {{40, -10}, {40, 60}}}).ok());
    EXPECT_GT(slurp(path).size(), after_one) << "the step is in the file before apply returns";
    ASSERT_TRUE(s.apply(SetAttribute{"buildings", 12, "floors", int64_t{4}}).ok());
    ASSERT_TRUE(s.undo());  // the undo is a step too
    ASSERT_TRUE(s.apply(AddFeature{"buildings", fixture::rect(160, 10, 180, 30), {}}).ok());
    EXPECT_EQ((*j)->entries(), 5u);
    EXPECT_TRUE((*j)->ok());
  }
  // A fresh session over the untouched source, as after a crash: replay gives the same layers.
  gis::LayerData p2 = fixture::parcels(), b2 = fixture::buildings();
  EditSession fresh(frame, {&p2, &b2});
  auto contents = Journal::read(path);
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  EXPECT_EQ(contents->source, "park.gpkg");
  EXPECT_EQ(contents->torn_lines, 0);
  EXPECT_EQ(Journal::replay(fresh, *contents), 5u);
  auto same = [](const gis::LayerData& a, const gis::LayerData& b) {
    if (a.features.size() != b.features.size()) return false;
    for (size_t i = 0; i < a.features.size(); ++i) {
      if (a.features[i].fid != b.features[i].fid || a.features[i].geom.polygons.size() != b.features[i].geom.polygons.size())
        return false;
      for (size_t k = 0; k < a.features[i].geom.polygons.size(); ++k)
        if (a.features[i].geom.polygons[k].outer != b.features[i].geom.polygons[k].outer) return false;
      if (a.features[i].attrs != b.features[i].attrs) return false;
    }
    return true;
  };
  EXPECT_TRUE(same(p2, parcels));
  EXPECT_TRUE(same(b2, buildings));
  EXPECT_TRUE(fresh.dirty()) << "replayed edits are unsaved changes";
  // Replaying again changes nothing (a save may already have written them).
  const auto changes_once = fresh.changes();
  Journal::replay(fresh, *contents);
  EXPECT_TRUE(same(b2, buildings));
  EXPECT_EQ(fresh.changes().size(), changes_once.size());
}

TEST(Journal, ATornLastLineIsIgnoredAndAnotherSourcesJournalRefused) {
  const std::string path = scratch("torn.ptjournal");
  gis::SceneFrame frame = gis::SceneFrame::jiangxi();
  gis::LayerData parcels = fixture::parcels(), buildings = fixture::buildings();
  {
    EditSession s(frame, {&parcels, &buildings});
    auto j = Journal::open(path, "park.gpkg");
    ASSERT_TRUE(j.ok());
    (*j)->attach(s);
    ASSERT_TRUE(s.apply(Move{"buildings", {10}, {1.0, 0.0}}).ok());
    ASSERT_TRUE(s.apply(Move{"buildings", {10}, {1.0, 0.0}}).ok());
  }
  // Cut the file in the middle of its last line, as a crash during the write would.
  const std::string text = slurp(path);
  std::filesystem::resize_file(path, text.size() - 20);
  auto c = Journal::read(path);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->entries.size(), 1u);
  EXPECT_EQ(c->torn_lines, 1);
  // Reopening appends after the good entries.
  auto again = Journal::open(path, "park.gpkg");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->entries(), 1u);
  auto twice = Journal::open(path, "park.gpkg");
  ASSERT_FALSE(twice.ok()) << "one writer at a time";
  EXPECT_NE(twice.error().message.find("in use"), std::string::npos) << twice.error().message;
  auto other = Journal::open(path, "other.gpkg");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("park.gpkg"), std::string::npos) << other.error().message;
  // Not a journal at all.
  const std::string junk = scratch("junk.ptjournal");
  std::ofstream(junk) << "hello\n";
  EXPECT_FALSE(Journal::read(junk).ok());
  // clear() starts over.
  ASSERT_TRUE((*again)->clear().ok());
  auto empty = Journal::read(path);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->entries.empty());
  EXPECT_EQ(empty->source, "park.gpkg");
}

TEST(EditJson, EveryCommandSurvivesItsJsonForm) {
  gis::SceneFrame frame = gis::SceneFrame::jiangxi();
  // Commands written by hand in the file format, applied to one fixture; their JSON written back,
  // parsed again and applied to a second fixture: both end the same (to 1e-9 degrees, ~0.1 mm).
  const glm::dvec2 a = frame.to_wgs84({40, -10}), b = frame.to_wgs84({40, 60});
  const glm::dvec2 c0 = frame.to_wgs84({160, 10}), c1 = frame.to_wgs84({180, 10}), c2 = frame.to_wgs84({180, 30}),
                   c3 = frame.to_wgs84({160, 30});
  char text[2048];
  std::snprintf(text, sizeof text, R"([
    {"op": "move", "layer": "buildings", "fids": [10], "offset": [2, 1]},
    {"op": "rotate", "layer": "buildings", "fids": [12], "degrees": 10},
    {"op": "scale", "layer": "buildings", "fids": [12], "factor": 0.9},
    {"op": "insert_vertex", "layer": "buildings", "fid": 11, "index": 1, "to": [%.10f, %.10f]},
    {"op": "delete_vertex", "layer": "buildings", "fid": 11, "index": 1},
    {"op": "split", "layer": "parcels", "fid": 1, "line": [[%.10f, %.10f], [%.10f, %.10f]]},
    {"op": "add", "layer": "buildings", "rings": [[[%.10f, %.10f], [%.10f, %.10f], [%.10f, %.10f], [%.10f, %.10f]]],
     "attrs": {"floors": 3, "kind": "lab"}},
    {"op": "copy", "layer": "buildings", "fids": [10], "offset": [0, 15]},
    {"op": "set", "layer": "buildings", "fid": 12, "field": "height_m", "value": 33.5},
    {"op": "delete", "layer": "buildings", "fids": [11]}])",
                frame.to_wgs84({55, 20}).x, frame.to_wgs84({55, 20}).y, a.x, a.y, b.x, b.y, c0.x, c0.y, c1.x, c1.y,
                c2.x, c2.y, c3.x, c3.y);
  auto cmds = parse_commands(text, frame, "edits.json");
  ASSERT_TRUE(cmds.ok()) << cmds.error().message;
  ASSERT_EQ(cmds->size(), 10u);
  gis::LayerData p1 = fixture::parcels(), b1 = fixture::buildings();
  EditSession s1(frame, {&p1, &b1});
  for (const auto& c : *cmds) ASSERT_TRUE(s1.apply(c).ok()) << command_name(c) << ": " << s1.apply(c).error().message;
  auto again = parse_commands(commands_to_json(*cmds, frame), frame, "round trip");
  ASSERT_TRUE(again.ok()) << again.error().message;
  gis::LayerData p2 = fixture::parcels(), b2 = fixture::buildings();
  EditSession s2(frame, {&p2, &b2});
  for (const auto& c : *again) ASSERT_TRUE(s2.apply(c).ok()) << command_name(c);
  ASSERT_EQ(b1.features.size(), b2.features.size());
  for (size_t i = 0; i < b1.features.size(); ++i) {
    ASSERT_EQ(b1.features[i].geom.polygons.size(), b2.features[i].geom.polygons.size());
    for (size_t k = 0; k < b1.features[i].geom.polygons.size(); ++k)
      for (size_t v = 0; v < b1.features[i].geom.polygons[k].outer.size(); ++v)
        EXPECT_LT(glm::distance(b1.features[i].geom.polygons[k].outer[v], b2.features[i].geom.polygons[k].outer[v]), 1e-3);
    EXPECT_EQ(b1.features[i].attrs, b2.features[i].attrs);
  }
}

TEST(EditJson, BadEditsAreRefusedNamingTheEdit) {
  gis::SceneFrame frame = gis::SceneFrame::jiangxi();
  for (const char* bad : {"{", "{\"edits\": 3}", "[{\"op\": \"fly\", \"layer\": \"buildings\"}]",
                          "[{\"op\": \"move\", \"layer\": \"buildings\", \"fids\": [1]}]",
                          "[{\"op\": \"move\", \"layer\": \"buildings\", \"fids\": [\"x\"], \"offset\": [1, 1]}]",
                          "[{\"op\": \"move_vertex\", \"layer\": \"b\", \"fid\": 1, \"index\": 0, \"to\": [500, 1]}]",
                          "[{\"op\": \"add\", \"layer\": \"b\", \"rings\": [[[115, 28]]]}]",
                          "[{\"op\": \"set\", \"layer\": \"b\", \"fid\": 1, \"field\": \"x\", \"value\": [1]}]"}) {
    auto r = parse_commands(bad, frame, "edits.json");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message.rfind("edits.json", 0), 0u) << r.error().message;
  }
}

TEST(Journal, NeverHoldsAPassword) {
  for (const std::string src : {"PG:host=db dbname=parks user=planner password=s3cret port=5432",
                                "PG:host=db password='s3 cret' dbname=parks", "postgresql://planner:s3cret@db/parks"}) {
    const std::string name = Journal::source_name(src);
    EXPECT_EQ(name.find("s3"), std::string::npos) << name;
    EXPECT_NE(name.find("parks"), std::string::npos) << name;
    const std::string path = scratch("pg.ptjournal");
    {
      auto j = Journal::open(path, src);
      ASSERT_TRUE(j.ok()) << j.error().message;
    }
    EXPECT_EQ(slurp(path).find("s3"), std::string::npos) << slurp(path);
    EXPECT_TRUE(Journal::open(path, src).ok()) << "the same source matches its journal again";
  }
  EXPECT_EQ(Journal::source_name("plan.gpkg"), "plan.gpkg");
}
