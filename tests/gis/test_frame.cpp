// SceneFrame: round trips, the origin, distances against an independent PROJ pipeline, refusals.
#include <cmath>
#include <numbers>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <ogr_spatialref.h>

#include <glm/geometric.hpp>
#include <gtest/gtest.h>

#include "parktwin/gis/frame.h"

using parktwin::gis::Failure;
using parktwin::gis::SceneFrame;

namespace {

struct Place {
  const char* name;
  glm::dvec2 lonlat;
};

// Sourced positions (see the dataset README) and the corners of Jiangxi's bounding box.
const std::vector<Place> kPlaces = {
    {"Guixi smelter", {117.225156, 28.329914}}, {"Nanchang", {115.88333, 28.68333}},
    {"Yichun", {114.4, 27.83333}},              {"Guixi", {117.21329, 28.28857}},
    {"SW corner", {113.57, 24.49}},             {"SE corner", {118.48, 24.49}},
    {"NW corner", {113.57, 30.08}},             {"NE corner", {118.48, 30.08}},
};

// Metres between two nearby lon/lat positions (local equirectangular; exact enough below 1 m).
double metres_between(glm::dvec2 a, glm::dvec2 b) {
  constexpr double kMetresPerDegree = 6378137.0 * std::numbers::pi / 180.0;
  const double c = std::cos(a.y * std::numbers::pi / 180.0);
  return kMetresPerDegree * std::hypot((b.x - a.x) * c, b.y - a.y);
}

// Geodesic distance in metres, from a different PROJ pipeline: PROJ's ellipsoidal azimuthal
// equidistant projection centred on `a` preserves the geodesic distance from its centre.
double geodesic(glm::dvec2 a, glm::dvec2 b) {
  auto aeqd = SceneFrame::from_definition("+proj=aeqd +lat_0=" + std::to_string(a.y) + " +lon_0=" +
                                          std::to_string(a.x) + " +ellps=WGS84 +units=m");
  EXPECT_TRUE(aeqd.ok()) << aeqd.error().message;
  return glm::length(aeqd->from_wgs84(b));
}

}  // namespace

TEST(Frame, JiangxiDefinitionMatchesTheContract) {
  const SceneFrame f = SceneFrame::jiangxi();
  EXPECT_NE(f.definition().find("+proj=tmerc"), std::string::npos);
  EXPECT_NE(f.definition().find("+lat_0=27.6"), std::string::npos);
  EXPECT_NE(f.definition().find("+lon_0=115.8"), std::string::npos);
  EXPECT_NE(f.wkt().find("Transverse_Mercator"), std::string::npos) << f.wkt();
}

TEST(Frame, OriginMapsToZero) {
  const SceneFrame f = SceneFrame::jiangxi();
  const glm::dvec2 o = f.from_wgs84({115.8, 27.6});
  EXPECT_NEAR(o.x, 0.0, 1e-6);
  EXPECT_NEAR(o.y, 0.0, 1e-6);
  const glm::dvec2 back = f.to_wgs84({0.0, 0.0});
  EXPECT_NEAR(back.x, 115.8, 1e-12);
  EXPECT_NEAR(back.y, 27.6, 1e-12);
}

TEST(Frame, AxesPointEastAndNorth) {
  const SceneFrame f = SceneFrame::jiangxi();
  const glm::dvec2 east = f.from_wgs84({115.9, 27.6});
  const glm::dvec2 north = f.from_wgs84({115.8, 27.7});
  EXPECT_GT(east.x, 9000.0);
  EXPECT_NEAR(east.y, 0.0, 50.0);
  EXPECT_GT(north.y, 11000.0);
  EXPECT_NEAR(north.x, 0.0, 1e-6);
}

TEST(Frame, RoundTripWithinOneCentimetre) {
  const SceneFrame f = SceneFrame::jiangxi();
  for (const Place& p : kPlaces) {
    const glm::dvec2 xy = f.from_wgs84(p.lonlat);
    const glm::dvec2 back = f.to_wgs84(xy);
    EXPECT_LT(metres_between(p.lonlat, back), 0.01) << p.name;
    // The frame covers the province within a few hundred kilometres of its origin.
    EXPECT_LT(glm::length(xy), 450000.0) << p.name;
  }
}

TEST(Frame, DistancesMatchTheGeodesicWithinATenthOfAPercent) {
  const SceneFrame f = SceneFrame::jiangxi();
  auto utm50 = SceneFrame::from_definition("EPSG:32650");
  ASSERT_TRUE(utm50.ok()) << utm50.error().message;
  for (size_t i = 0; i < kPlaces.size(); ++i) {
    for (size_t j = i + 1; j < kPlaces.size(); ++j) {
      const glm::dvec2 a = kPlaces[i].lonlat, b = kPlaces[j].lonlat;
      const double ref = geodesic(a, b);
      ASSERT_GT(ref, 1000.0);
      const double ours = glm::length(f.from_wgs84(a) - f.from_wgs84(b));
      EXPECT_NEAR(ours / ref, 1.0, 1e-3) << kPlaces[i].name << " - " << kPlaces[j].name;
      // UTM 50N (central meridian 117 E) is another check of the reference itself.
      const double utm = glm::length(utm50->from_wgs84(a) - utm50->from_wgs84(b));
      EXPECT_NEAR(utm / ref, 1.0, 2e-3) << kPlaces[i].name << " - " << kPlaces[j].name;
    }
  }
  // Order of magnitude sanity: Nanchang to the Guixi smelter is about 130 km.
  const double d = glm::length(f.from_wgs84(kPlaces[0].lonlat) - f.from_wgs84(kPlaces[1].lonlat));
  EXPECT_GT(d, 120000.0);
  EXPECT_LT(d, 145000.0);
}

TEST(Frame, FromDefinitionAcceptsProjectedMetres) {
  auto utm = SceneFrame::from_definition("EPSG:32650");
  ASSERT_TRUE(utm.ok()) << utm.error().message;
  EXPECT_NE(utm->definition().find("+proj=utm"), std::string::npos) << utm->definition();
  const glm::dvec2 xy = utm->from_wgs84({117.0, 0.0});
  EXPECT_NEAR(xy.x, 500000.0, 1e-6);
  EXPECT_NEAR(xy.y, 0.0, 1e-6);

  SceneFrame moved = std::move(*utm);
  EXPECT_NEAR(moved.from_wgs84({117.0, 0.0}).x, 500000.0, 1e-6);
}

TEST(Frame, FromDefinitionRefusesGeographicFeetAndGarbage) {
  for (const char* def : {"EPSG:4326", "+proj=longlat +datum=WGS84", "EPSG:2229", "this is not a crs", ""}) {
    auto r = SceneFrame::from_definition(def);
    ASSERT_FALSE(r.ok()) << def;
    EXPECT_EQ(r.error().kind, Failure::ConfigurationError) << def;
    EXPECT_NE(r.error().message.find(def), std::string::npos) << r.error().message;
  }
}

TEST(Frame, UntransformablePointIsNaN) {
  const SceneFrame f = SceneFrame::jiangxi();
  const glm::dvec2 bad = f.from_wgs84({std::nan(""), 28.0});
  EXPECT_TRUE(std::isnan(bad.x) && std::isnan(bad.y));
}

// Frames after the first of a definition are clones of it (SceneFrame::from_definition keeps one
// per definition). Each, made and used on its own thread at once, transforms as a transformation
// GDAL creates afresh for the same pair of CRS does.
TEST(Frame, EveryFrameOfADefinitionTransformsAsAFreshGdalTransformationOnEveryThread) {
  for (const char* def_text : {"+proj=tmerc +lat_0=27.6 +lon_0=115.8 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs",
                               "EPSG:32650"}) {
    const std::string def = def_text;
    OGRSpatialReference wgs84, frame;
    wgs84.SetWellKnownGeogCS("WGS84");
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    ASSERT_EQ(frame.SetFromUserInput(def.c_str()), OGRERR_NONE) << def;
    frame.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformation* fwd = OGRCreateCoordinateTransformation(&wgs84, &frame);
    OGRCoordinateTransformation* inv = OGRCreateCoordinateTransformation(&frame, &wgs84);
    ASSERT_TRUE(fwd && inv) << def;
    std::vector<glm::dvec2> want_xy, want_ll;
    for (const Place& p : kPlaces) {
      double x = p.lonlat.x, y = p.lonlat.y;
      ASSERT_TRUE(fwd->Transform(1, &x, &y)) << p.name;
      want_xy.emplace_back(x, y);
      double lon = x + 1000.0, lat = y - 2000.0;  // a point off the place, back to lon/lat
      ASSERT_TRUE(inv->Transform(1, &lon, &lat)) << p.name;
      want_ll.emplace_back(lon, lat);
    }
    OGRCoordinateTransformation::DestroyCT(fwd);
    OGRCoordinateTransformation::DestroyCT(inv);

    auto first = SceneFrame::from_definition(def);  // made, or cloned from an earlier test's
    ASSERT_TRUE(first.ok()) << first.error().message;
    constexpr int kThreads = 4;
    std::vector<std::vector<glm::dvec2>> got_xy(kThreads), got_ll(kThreads);
    std::vector<std::string> defs(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        auto f = SceneFrame::from_definition(def);
        if (!f) return;
        defs[t] = f->definition();
        for (int round = 0; round < 50; ++round)  // the threads transform at the same time
          for (size_t i = 0; i < kPlaces.size(); ++i) {
            const glm::dvec2 xy = f->from_wgs84(kPlaces[i].lonlat);
            const glm::dvec2 ll = f->to_wgs84(want_xy[i] + glm::dvec2(1000.0, -2000.0));
            if (round == 0) {
              got_xy[t].push_back(xy);
              got_ll[t].push_back(ll);
            } else if (xy != got_xy[t][i] || ll != got_ll[t][i]) {
              got_xy[t][i] = glm::dvec2(std::nan(""));  // a round that differs fails below
            }
          }
      });
    for (std::thread& t : threads) t.join();
    for (int t = 0; t < kThreads; ++t) {
      EXPECT_EQ(defs[t], first->definition()) << def;
      ASSERT_EQ(got_xy[t].size(), kPlaces.size()) << def << " thread " << t;
      for (size_t i = 0; i < kPlaces.size(); ++i) {
        EXPECT_NEAR(got_xy[t][i].x, want_xy[i].x, 1e-6) << def << " " << kPlaces[i].name;
        EXPECT_NEAR(got_xy[t][i].y, want_xy[i].y, 1e-6) << def << " " << kPlaces[i].name;
        EXPECT_NEAR(got_ll[t][i].x, want_ll[i].x, 1e-11) << def << " " << kPlaces[i].name;
        EXPECT_NEAR(got_ll[t][i].y, want_ll[i].y, 1e-11) << def << " " << kPlaces[i].name;
      }
    }
  }
}
