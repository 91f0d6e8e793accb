// The dataset tool's footprints mode (parktwin_make_dataset --footprints N): the file holds N
// valid footprints with heights in range, two runs give the same features, and the layout is the
// deck.gl peer harness's (gen_buildings.mjs, seed 42) so both sides render the same buildings.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include "footprints.hpp"

namespace {

const std::filesystem::path kOut = std::filesystem::path(PARKTWIN_TEST_OUT) / "footprints";

std::string run_tool(std::uint64_t n, const std::filesystem::path& out) {
  std::filesystem::create_directories(out.parent_path());
  const std::string cmd = std::string("\"") + PARKTWIN_MAKE_DATASET + "\" --footprints " + std::to_string(n) +
                          " --seed 42 --out \"" + out.string() + "\" > \"" + out.string() + ".log\"";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return cmd;
}

struct ReadBack {
  std::uint64_t features = 0, invalid = 0, holes = 0, height_out_of_range = 0, not_polygon = 0;
  std::uint64_t hash = 1469598103934665603ull;  ///< FNV-1a over every feature's WKB and attributes
  bool has_index = false;
};

void fnv(std::uint64_t& h, const void* p, size_t n) {
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<const unsigned char*>(p)[i]) * 1099511628211ull;
}

ReadBack read_back(const std::filesystem::path& path) {
  ReadBack r;
  GDALAllRegister();
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  if (!ds) {
    ADD_FAILURE() << "cannot open " << path;
    return r;
  }
  OGRLayer* l = ds->GetLayerByName("buildings");
  if (!l) {
    ADD_FAILURE() << path << " has no layer 'buildings'";
    return r;
  }
  r.has_index = l->TestCapability(OLCFastSpatialFilter) != 0;
  const int fh = l->GetLayerDefn()->GetFieldIndex("height");
  EXPECT_GE(fh, 0);
  for (auto& f : *l) {
    ++r.features;
    const OGRGeometry* g = f->GetGeometryRef();
    if (!g || wkbFlatten(g->getGeometryType()) != wkbPolygon) {
      ++r.not_polygon;
      continue;
    }
    if (!g->IsValid()) ++r.invalid;
    if (g->toPolygon()->getNumInteriorRings() > 0) ++r.holes;
    const double h = f->GetFieldAsDouble(fh);
    if (!(h >= 10.0 && h <= 120.0)) ++r.height_out_of_range;
    std::string wkb(static_cast<size_t>(g->WkbSize()), '\0');
    g->exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(wkb.data()));
    fnv(r.hash, wkb.data(), wkb.size());
    fnv(r.hash, &h, sizeof h);
    const std::string kind = f->GetFieldAsString("kind");
    fnv(r.hash, kind.data(), kind.size());
  }
  return r;
}

void check_file(const std::string& ext) {
  constexpr std::uint64_t n = 3000;
  const auto a = kOut / ("a" + ext), b = kOut / ("b" + ext);
  run_tool(n, a);
  run_tool(n, b);
  const ReadBack ra = read_back(a), rb = read_back(b);
  EXPECT_EQ(ra.features, n);
  EXPECT_EQ(ra.not_polygon, 0u);
  EXPECT_EQ(ra.invalid, 0u);
  EXPECT_EQ(ra.height_out_of_range, 0u);
  // About 4 % of the footprints have a courtyard (10 % of the larger rectangles).
  EXPECT_GT(ra.holes, n * 2 / 100);
  EXPECT_LT(ra.holes, n * 10 / 100);
  EXPECT_TRUE(ra.has_index) << ext << " without a spatial index";
  EXPECT_EQ(ra.hash, rb.hash) << "two runs wrote different features";
  EXPECT_EQ(ra.features, rb.features);
}

TEST(Footprints, FlatGeobufHasNValidFootprintsAndIsDeterministic) { check_file(".fgb"); }

TEST(Footprints, GeoPackageHasNValidFootprintsAndIsDeterministic) { check_file(".gpkg"); }

TEST(Footprints, AnotherSeedGivesOtherFootprints) {
  parktwin::dataset::FootprintOptions o;
  o.n = 50;
  parktwin::dataset::FootprintGenerator g42(o);
  o.seed = 43;
  parktwin::dataset::FootprintGenerator g43(o);
  parktwin::dataset::Footprint f42, f43;
  int same = 0;
  while (g42.next(f42) && g43.next(f43)) same += f42.outer == f43.outer;
  EXPECT_EQ(same, 0);
}

// The first ten footprints of `node tools/gen_buildings.mjs --n 10 --seed 42` (the peer harness).
TEST(Footprints, SameLayoutAsThePeerHarness) {
  parktwin::dataset::FootprintOptions o;
  o.n = 10;
  parktwin::dataset::FootprintGenerator gen(o);
  parktwin::dataset::Footprint f;
  const double heights[] = {18.2, 61.9, 13.8, 10.2, 38.4, 108, 10.7, 44.8, 88.2, 77.9};
  const char* kinds[] = {"L", "L", "rect", "rect_chamfer", "L_chamfer", "rect", "L_chamfer", "U", "rect_chamfer", "rect"};
  std::uint64_t vertices = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(gen.next(f));
    EXPECT_EQ(f.id, i);
    EXPECT_DOUBLE_EQ(f.height_m, heights[i]) << i;
    EXPECT_STREQ(f.kind, kinds[i]) << i;
    EXPECT_EQ(!f.hole.empty(), i == 5) << i;
    vertices += f.outer.size() - 1 + (f.hole.empty() ? 0 : f.hole.size() - 1);
    if (i == 0) {
      const double expect[7][2] = {{115.9992725, 28.699466},  {115.9994615, 28.6995682}, {115.9994218, 28.6996255},
                                   {115.9993238, 28.6995725}, {115.9992634, 28.6996596}, {115.9991725, 28.6996104},
                                   {115.9992725, 28.699466}};
      ASSERT_EQ(f.outer.size(), 7u);
      for (int k = 0; k < 7; ++k) {
        EXPECT_NEAR(f.outer[k][0], expect[k][0], 1e-9) << k;
        EXPECT_NEAR(f.outer[k][1], expect[k][1], 1e-9) << k;
      }
    }
    if (i == 9) {
      EXPECT_NEAR(f.outer[1][0], 115.9997663, 1e-9);
      EXPECT_NEAR(f.outer[1][1], 28.7004824, 1e-9);
    }
  }
  EXPECT_FALSE(gen.next(f));
  EXPECT_EQ(vertices, 60u);  // gen_vertices_unique of the peer's file
}

}  // namespace
