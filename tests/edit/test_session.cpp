// EditSession on the fixture park (tests/edit/fixture.h): every command, its undo and redo, the
// validity gate, buildings kept in their parcels, changes since load. Expected coordinates and
// areas are worked out by hand from the fixture's rectangles.
#include <gtest/gtest.h>

#include <cmath>

#include "fixture.h"
#include "parktwin/edit/edit.h"

using namespace parktwin;
using namespace parktwin::edit;

namespace {

struct Park {
  gis::SceneFrame frame = gis::SceneFrame::jiangxi();
  gis::LayerData parcels = fixture::parcels(), buildings = fixture::buildings();
  EditSession s{frame, {&parcels, &buildings}};
  const gis::Feature& b(int64_t fid) { return buildings.features[s.feature_index(1, fid)]; }
  const gis::Feature& p(int64_t fid) { return parcels.features[s.feature_index(0, fid)]; }
};

std::string attr(const gis::LayerData& d, const gis::Feature& f, const char* field) {
  return gis::attr_string(f, d.field(field));
}

/// The layer as it was built by the fixture (the independent reference for undo).
void expect_same_layer(const gis::LayerData& got, const gis::LayerData& want) {
  ASSERT_EQ(got.features.size(), want.features.size());
  for (size_t i = 0; i < want.features.size(); ++i) {
    EXPECT_EQ(got.features[i].fid, want.features[i].fid);
    ASSERT_EQ(got.features[i].geom.polygons.size(), want.features[i].geom.polygons.size()) << "fid " << want.features[i].fid;
    for (size_t k = 0; k < want.features[i].geom.polygons.size(); ++k)
      EXPECT_EQ(got.features[i].geom.polygons[k].outer, want.features[i].geom.polygons[k].outer);
    EXPECT_EQ(got.features[i].attrs, want.features[i].attrs) << "fid " << want.features[i].fid;
  }
}

void expect_ring(const gis::Ring& got, const std::vector<glm::dvec2>& want, double tol = 1e-9) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(got[i].x, want[i].x, tol) << "vertex " << i;
    EXPECT_NEAR(got[i].y, want[i].y, tol) << "vertex " << i;
  }
}

}  // namespace

TEST(EditSession, MoveShiftsEveryVertexAndUndoRestoresTheSource) {
  Park k;
  auto r = k.s.apply(Move{"buildings", {10, 11}, {5.0, -2.0}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  expect_ring(k.b(10).geom.polygons[0].outer, {{15, 8}, {35, 8}, {35, 18}, {15, 18}});
  expect_ring(k.b(11).geom.polygons[0].outer, {{55, 18}, {65, 18}, {65, 28}, {55, 28}});
  ASSERT_EQ(r->touched.size(), 1u);
  EXPECT_EQ(r->touched[0].features, (std::vector<size_t>{0, 1}));
  ASSERT_TRUE(k.s.undo());
  expect_same_layer(k.buildings, fixture::buildings());
  ASSERT_TRUE(k.s.redo());
  expect_ring(k.b(10).geom.polygons[0].outer, {{15, 8}, {35, 8}, {35, 18}, {15, 18}});
  EXPECT_FALSE(k.s.can_redo());
}

TEST(EditSession, RotateAndScaleAboutTheCentroid) {
  Park k;
  // B1's centroid is (20, 15); a quarter turn maps (10,10) -> (25,5).
  ASSERT_TRUE(k.s.apply(Rotate{"buildings", {10}, 90.0, std::nullopt}).ok());
  expect_ring(k.b(10).geom.polygons[0].outer, {{25, 5}, {25, 25}, {15, 25}, {15, 5}}, 1e-9);
  ASSERT_TRUE(k.s.undo());
  // Half size about (20, 15): 10 x 5 m.
  ASSERT_TRUE(k.s.apply(Scale{"buildings", {10}, 0.5, std::nullopt}).ok());
  expect_ring(k.b(10).geom.polygons[0].outer, {{15, 12.5}, {25, 12.5}, {25, 17.5}, {15, 17.5}});
  EXPECT_NEAR(gis::polygon_area(k.b(10).geom.polygons[0]), 50.0, 1e-9);
  ASSERT_TRUE(k.s.undo());
  expect_same_layer(k.buildings, fixture::buildings());
}

TEST(EditSession, ReshapeVerticesAndUndoEachStep) {
  Park k;
  ASSERT_TRUE(k.s.apply(MoveVertex{"buildings", {10, 0, 0, 2}, {32, 24}}).ok());
  expect_ring(k.b(10).geom.polygons[0].outer, {{10, 10}, {30, 10}, {32, 24}, {10, 20}});
  ASSERT_TRUE(k.s.apply(InsertVertex{"buildings", {10, 0, 0, 1}, {20, 8}}).ok());
  expect_ring(k.b(10).geom.polygons[0].outer, {{10, 10}, {20, 8}, {30, 10}, {32, 24}, {10, 20}});
  ASSERT_TRUE(k.s.apply(DeleteVertex{"buildings", {10, 0, 0, 3}}).ok());
  expect_ring(k.b(10).geom.polygons[0].outer, {{10, 10}, {20, 8}, {30, 10}, {10, 20}});
  EXPECT_EQ(k.s.undo_depth(), 3u);
  ASSERT_TRUE(k.s.undo());
  expect_ring(k.b(10).geom.polygons[0].outer, {{10, 10}, {20, 8}, {30, 10}, {32, 24}, {10, 20}});
  ASSERT_TRUE(k.s.undo());
  ASSERT_TRUE(k.s.undo());
  expect_same_layer(k.buildings, fixture::buildings());
  // A triangle keeps its three corners.
  ASSERT_TRUE(k.s.apply(DeleteVertex{"buildings", {10, 0, 0, 0}}).ok());
  auto r = k.s.apply(DeleteVertex{"buildings", {10, 0, 0, 0}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("at least 3"), std::string::npos) << r.error().message;
}

TEST(EditSession, DrawCopyDeleteAndTheirUndo) {
  Park k;
  auto add = k.s.apply(AddFeature{"buildings", fixture::rect(70, 30, 90, 45), {{"floors", int64_t{4}}}});
  ASSERT_TRUE(add.ok()) << add.error().message;
  ASSERT_EQ(add->created.size(), 1u);
  const int64_t fid = add->created[0];
  EXPECT_GT(fid, 12);
  const gis::Feature& nb = k.b(fid);
  EXPECT_EQ(attr(k.buildings, nb, "parcel_id"), "P1") << "a drawn building stands in the parcel it was drawn in";
  EXPECT_EQ(attr(k.buildings, nb, "park_id"), "nanchang");
  EXPECT_EQ(attr(k.buildings, nb, "source").rfind("planned", 0), 0u) << "drawn features are not facts";
  EXPECT_FALSE(attr(k.buildings, nb, "building_id").empty());

  auto copy = k.s.apply(CopyFeatures{"buildings", {12}, {0.0, 15.0}});
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  const gis::Feature& c = k.b(copy->created[0]);
  expect_ring(c.geom.polygons[0].outer, {{120, 25}, {150, 25}, {150, 45}, {120, 45}});
  EXPECT_NE(attr(k.buildings, c, "building_id"), "B3") << "ids stay unique";
  EXPECT_EQ(attr(k.buildings, c, "floors"), "10");

  ASSERT_TRUE(k.s.apply(DeleteFeatures{"buildings", {11}}).ok());
  EXPECT_TRUE(k.s.is_deleted(1, 11));
  EXPECT_TRUE(k.b(11).geom.polygons.empty()) << "a deleted feature stays as a tombstone without geometry";
  EXPECT_FALSE(k.s.feature("buildings", 11).exists);

  const auto ch = k.s.changes();
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].added.size(), 2u);
  EXPECT_EQ(ch[0].deleted, (std::vector<int64_t>{11}));
  EXPECT_TRUE(ch[0].modified.empty());

  ASSERT_TRUE(k.s.undo());
  ASSERT_TRUE(k.s.undo());
  ASSERT_TRUE(k.s.undo());
  EXPECT_FALSE(k.s.feature("buildings", fid).exists) << "undoing a draw removes it";
  EXPECT_TRUE(k.s.feature("buildings", 11).exists);
  EXPECT_FALSE(k.s.dirty()) << "everything undone: nothing to save";
}

TEST(EditSession, GateRefusesABowtieAndSaysWhere) {
  Park k;
  // Moving corner 2 of B1 to (10, 25) makes the edges cross: a bowtie.
  auto r = k.s.apply(MoveVertex{"buildings", {10, 0, 0, 1}, {10, 25}});
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_NE(m.find("B1"), std::string::npos) << m;
  EXPECT_NE(m.find("self-intersection"), std::string::npos) << m;
  EXPECT_NE(m.find(" N, "), std::string::npos) << "the place is given as lat/lon: " << m;
  expect_same_layer(k.buildings, fixture::buildings());
  EXPECT_EQ(k.s.undo_depth(), 0u) << "a refused edit leaves nothing to undo";
  // Drawing one is refused the same way.
  gis::Polygon bow;
  bow.outer = {{60, 5}, {80, 25}, {80, 5}, {60, 25}};
  EXPECT_FALSE(k.s.apply(AddFeature{"buildings", bow, {}}).ok());
  // A sliver and a speck.
  EXPECT_FALSE(k.s.apply(AddFeature{"buildings", fixture::rect(60, 5, 95, 5.2), {}}).ok());
  EXPECT_FALSE(k.s.apply(AddFeature{"buildings", fixture::rect(60, 5, 60.5, 5.5), {}}).ok());
}

TEST(EditSession, GateKeepsBuildingsInsideTheirParcel) {
  Park k;
  // B1 moved 75 m east would straddle P1 and P2.
  auto r = k.s.apply(Move{"buildings", {10}, {75.0, 0.0}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("outside its parcel"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("P1"), std::string::npos) << r.error().message;
  // The place named is where the building would stand: its centre (20, 15) moved to (95, 15).
  EXPECT_NE(r.error().message.find(where(k.frame, {95.0, 15.0})), std::string::npos)
      << r.error().message << " (expected " << where(k.frame, {95.0, 15.0}) << ")";
  // Moved wholly into P2 it changes parcel.
  ASSERT_TRUE(k.s.apply(Move{"buildings", {10}, {150.0, 20.0}}).ok());
  EXPECT_EQ(attr(k.buildings, k.b(10), "parcel_id"), "P2");
  ASSERT_TRUE(k.s.undo());
  EXPECT_EQ(attr(k.buildings, k.b(10), "parcel_id"), "P1");
  // Shrinking a parcel under its buildings is refused; a parcel with buildings is not deleted.
  EXPECT_FALSE(k.s.apply(MoveVertex{"parcels", {1, 0, 0, 2}, {20, 50}}).ok());
  auto d = k.s.apply(DeleteFeatures{"parcels", {1}});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("building"), std::string::npos) << d.error().message;
  expect_same_layer(k.parcels, fixture::parcels());
}

TEST(EditSession, SplitParcelAlongALineAndMergeBack) {
  Park k;
  // A cut at x = 40 leaves 40 x 50 (2000 m², with B1) and 60 x 50 (3000 m², with B2): the larger keeps fid 1.
  auto r = k.s.apply(SplitParcel{"parcels", 1, {{40, -10}, {40, 60}}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->created.size(), 1u);
  const int64_t west = r->created[0];
  EXPECT_NEAR(gis::polygon_area(k.p(1).geom.polygons[0]), 3000.0, 1e-6);
  EXPECT_NEAR(gis::polygon_area(k.p(west).geom.polygons[0]), 2000.0, 1e-6);
  EXPECT_NEAR(gis::attr_number(k.p(west), k.parcels.field("area_m2"), 0), 2000.0, 0.01);
  const std::string west_id = attr(k.parcels, k.p(west), "parcel_id");
  EXPECT_NE(west_id, "P1");
  EXPECT_EQ(attr(k.buildings, k.b(10), "parcel_id"), west_id) << "B1 stands on the western piece";
  EXPECT_EQ(attr(k.buildings, k.b(11), "parcel_id"), "P1");
  EXPECT_EQ(attr(k.parcels, k.p(west), "landuse"), "industrial");

  // Merge them again: one 100 x 50 parcel, B1 back on P1.
  auto m = k.s.apply(MergeParcels{"parcels", {1, west}});
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_NEAR(gis::polygon_area(k.p(1).geom.polygons[0]), 5000.0, 1e-3);
  EXPECT_FALSE(k.s.feature("parcels", west).exists);
  EXPECT_EQ(attr(k.buildings, k.b(10), "parcel_id"), "P1");

  // Undo both: exactly the fixture again.
  ASSERT_TRUE(k.s.undo());
  ASSERT_TRUE(k.s.undo());
  EXPECT_FALSE(k.s.feature("parcels", west).exists);
  expect_same_layer(k.buildings, fixture::buildings());
  for (int64_t fid : {1, 2, 3}) EXPECT_EQ(k.p(fid).geom.polygons[0].outer, fixture::parcels().features[fid - 1].geom.polygons[0].outer);

  // A cut through a building, a line that misses, and parcels that do not touch are refused.
  EXPECT_FALSE(k.s.apply(SplitParcel{"parcels", 1, {{20, -10}, {20, 60}}}).ok());
  EXPECT_FALSE(k.s.apply(SplitParcel{"parcels", 1, {{-20, -10}, {-20, 60}}}).ok());
  auto far = k.s.apply(MergeParcels{"parcels", {1, 3}});
  ASSERT_FALSE(far.ok());
  EXPECT_NE(far.error().message.find("share edges"), std::string::npos) << far.error().message;
}

TEST(EditSession, AttributesAreTypeChecked) {
  Park k;
  ASSERT_TRUE(k.s.apply(SetAttribute{"buildings", 10, "floors", int64_t{6}}).ok());
  EXPECT_EQ(attr(k.buildings, k.b(10), "floors"), "6");
  ASSERT_TRUE(k.s.apply(SetAttribute{"buildings", 10, "height_m", int64_t{24}}).ok());
  EXPECT_TRUE(std::holds_alternative<double>(k.b(10).attrs[k.buildings.field("height_m")])) << "an integer given to a real field is stored as a real";
  auto bad = k.s.apply(SetAttribute{"buildings", 10, "floors", std::string("six")});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("integer"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(k.s.apply(SetAttribute{"buildings", 10, "floors", 2.5}).ok());
  EXPECT_FALSE(k.s.apply(SetAttribute{"buildings", 10, "floors", int64_t{-3}}).ok());
  EXPECT_FALSE(k.s.apply(SetAttribute{"buildings", 10, "no_such_field", 1.0}).ok());
  EXPECT_FALSE(k.s.apply(SetAttribute{"buildings", 99, "floors", int64_t{1}}).ok());
  EXPECT_FALSE(k.s.apply(SetAttribute{"roads", 10, "floors", int64_t{1}}).ok());
  ASSERT_TRUE(k.s.undo());
  ASSERT_TRUE(k.s.undo());
  expect_same_layer(k.buildings, fixture::buildings());
}

TEST(EditSession, UndoReachesBackOverAThousandEdits) {
  Park k;
  for (int i = 0; i < 1500; ++i) ASSERT_TRUE(k.s.apply(Move{"buildings", {12}, {i % 2 ? -0.01 : 0.01, 0.0}}).ok());
  ASSERT_TRUE(k.s.apply(Move{"buildings", {12}, {1.0, 0.0}}).ok());
  EXPECT_EQ(k.s.undo_depth(), 1501u);
  EXPECT_EQ(k.s.history().size(), 1501u);
  int undone = 0;
  while (k.s.undo()) ++undone;
  EXPECT_EQ(undone, 1501);
  expect_same_layer(k.buildings, fixture::buildings());
}

TEST(EditSession, ChangesNameModifiedFeaturesWithTheirVersions) {
  Park k;
  k.buildings.fields.push_back(kVersionField);
  k.buildings.field_types.push_back(gis::FieldType::Integer);
  for (auto& f : k.buildings.features) f.attrs.push_back(int64_t{7});
  ASSERT_TRUE(k.s.apply(Move{"buildings", {12}, {1.0, 1.0}}).ok());
  auto ch = k.s.changes();
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].modified, (std::vector<int64_t>{12}));
  EXPECT_EQ(ch[0].base_version.at(12), 7);
  k.s.mark_saved({{"buildings", {{12, 8}}}});
  EXPECT_FALSE(k.s.dirty());
  EXPECT_EQ(attr(k.buildings, k.b(12), kVersionField), "8");
  ASSERT_TRUE(k.s.undo()) << "undo still works after a save";
  ch = k.s.changes();
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].base_version.at(12), 8) << "the next save compares against the saved version";
  EXPECT_EQ(k.b(12).geom.polygons[0].outer, fixture::buildings().features[2].geom.polygons[0].outer);
}

TEST(EditSession, ObserverSeesEveryStateChangeBeforeApplyReturns) {
  Park k;
  std::vector<std::string> seen;
  k.s.set_observer([&](const std::string& what, const std::vector<EditSession::StepChange>& changes) {
    std::string layers;
    for (const auto& c : changes) {
      EXPECT_EQ(c.before.size(), c.after.size());
      layers += c.layer + ",";
    }
    seen.push_back(layers + what);
  });
  ASSERT_TRUE(k.s.apply(SplitParcel{"parcels", 1, {{40, -10}, {40, 60}}}).ok());
  ASSERT_EQ(seen.size(), 1u) << "one step, reported once";
  EXPECT_EQ(seen[0].rfind("parcels,buildings,", 0), 0u) << "with the parcels and the building that changed parcel: " << seen[0];
  ASSERT_TRUE(k.s.undo());
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_FALSE(k.s.apply(Move{"buildings", {10}, {75.0, 0.0}}).ok());
  EXPECT_EQ(seen.size(), 2u) << "a refused edit is not reported";
}
