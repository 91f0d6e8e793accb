// Wall layouts: the 8x2 fixture read and measured against numbers worked out by hand, the JSON
// round trip (refused layouts: test_layout_refusals.cpp), subrects that
// tile the wall with the bezels as gaps, a straight line that stays straight across a seam, the
// wall's pixel rectangles, and stitch/crop.
#include "parktwin/wall/layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <glm/vec3.hpp>

#include "layout_fixture.h"

namespace {

using namespace parktwin::wall;
using parktwin::gis::Failure;

using wall_test::fixture;
using wall_test::kFixture;

// The fixture, by hand: 55" panels of 1209.6 x 680.4 mm active at 1920 x 1080 px (a pitch of
// 1920 / 1209.6 = 100/63 px per mm both ways: square pixels), 1.75 mm bezel on each side.
// A column is 1.75 + 1209.6 + 1.75 = 1213.1 mm, a row 1.75 + 680.4 + 1.75 = 683.9 mm; the wall
// 8 x 1213.1 = 9704.8 mm by 2 x 683.9 = 1367.8 mm.
constexpr double kColMm = 1213.1, kWallW = 9704.8, kWallH = 1367.8, kBezel = 1.75;
constexpr double kActiveW = 1209.6, kActiveH = 680.4;
constexpr double kEps = 1e-12;

const Panel& at(const Layout& l, int c, int r) {
  const Panel* p = find_panel(l, c, r);
  EXPECT_NE(p, nullptr) << c << "," << r;
  return *p;
}

void expect_rect(const glm::dvec4& got, const glm::dvec4& want, double eps = kEps) {
  EXPECT_NEAR(got.x, want.x, eps);
  EXPECT_NEAR(got.y, want.y, eps);
  EXPECT_NEAR(got.z, want.z, eps);
  EXPECT_NEAR(got.w, want.w, eps);
}

TEST(WallLayout, ReadsTheFixture) {
  const Layout l = fixture();
  EXPECT_EQ(l.name, "Command centre 8x2 (55-inch, 3.5 mm seams)");
  EXPECT_EQ(l.columns, 8);
  EXPECT_EQ(l.rows, 2);
  ASSERT_EQ(l.panels.size(), 16u);
  const std::vector<std::string> ids = node_ids(l);
  ASSERT_EQ(ids.size(), 8u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(ids[i], "node" + std::to_string(i + 1));
  // node3 drives column 2, top panel on its first output.
  const auto p3 = panels_of(l, "node3");
  ASSERT_EQ(p3.size(), 2u);
  EXPECT_EQ(p3[0]->col, 2);
  EXPECT_EQ(p3[0]->row, 0);
  EXPECT_EQ(p3[0]->output, 0);
  EXPECT_EQ(p3[1]->col, 2);
  EXPECT_EQ(p3[1]->row, 1);
  EXPECT_EQ(p3[1]->output, 1);
  EXPECT_TRUE(panels_of(l, "node9").empty());
  const Panel& p = at(l, 5, 1);
  EXPECT_EQ(p.node, "node6");
  EXPECT_EQ(p.width_px, 1920u);
  EXPECT_EQ(p.height_px, 1080u);
  EXPECT_EQ(p.width_mm, kActiveW);
  EXPECT_EQ(p.height_mm, kActiveH);
  EXPECT_EQ(p.bezel, (Bezel{kBezel, kBezel, kBezel, kBezel}));
  EXPECT_EQ(find_panel(l, 8, 0), nullptr);
}

TEST(WallLayout, ExtentAndSubrectsByHand) {
  const Layout l = fixture();
  const glm::dvec2 ext = wall_extent_mm(l);
  EXPECT_NEAR(ext.x, 9704.8, 1e-9);
  EXPECT_NEAR(ext.y, 1367.8, 1e-9);
  EXPECT_NEAR(view_aspect(l), 9704.8 / 1367.8, 1e-12);
  // Top-left panel: its active area starts one bezel in.
  expect_rect(panel_rect_mm(l, at(l, 0, 0)), {1.75, 1.75, 1211.35, 682.15}, 1e-9);
  expect_rect(panel_subrect(l, at(l, 0, 0)), {1.75 / kWallW, 1.75 / kWallH, 1211.35 / kWallW, 682.15 / kWallH});
  // Bottom-right: 7 columns and 1 row plus a bezel in, ending one bezel before the wall's edge.
  expect_rect(panel_rect_mm(l, at(l, 7, 1)), {8493.45, 685.65, 9703.05, 1366.05}, 1e-9);
  expect_rect(panel_subrect(l, at(l, 7, 1)), {8493.45 / kWallW, 685.65 / kWallH, 9703.05 / kWallW, 1366.05 / kWallH});
  // The middle seam (columns 3 | 4) runs from 4850.65 to 4854.15 mm: 3.5 mm centred on the
  // wall's middle, so the centre of the view lies behind it.
  const glm::dvec4 left = panel_subrect(l, at(l, 3, 0)), right = panel_subrect(l, at(l, 4, 0));
  EXPECT_NEAR(left.z, 4850.65 / kWallW, kEps);
  EXPECT_NEAR(right.x, 4854.15 / kWallW, kEps);
  EXPECT_NEAR((left.z + right.x) / 2.0, 0.5, kEps);
  EXPECT_NEAR(right.x - left.z, 3.5 / kWallW, kEps);
  // And the seam between the rows: 682.15 to 685.65 mm, centred on 683.9 = half the height.
  const glm::dvec4 top = panel_subrect(l, at(l, 2, 0)), bottom = panel_subrect(l, at(l, 2, 1));
  EXPECT_NEAR(top.w, 682.15 / kWallH, kEps);
  EXPECT_NEAR(bottom.y, 685.65 / kWallH, kEps);
  EXPECT_NEAR((top.w + bottom.y) / 2.0, 0.5, kEps);
}

TEST(WallLayout, SubrectsTileTheExtentWithBezelGaps) {
  const Layout l = fixture();
  double active_area = 0.0;
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 8; ++c) {
      const glm::dvec4 s = panel_subrect(l, at(l, c, r));
      active_area += (s.z - s.x) * (s.w - s.y);
      EXPECT_NEAR(s.z - s.x, kActiveW / kWallW, kEps);
      EXPECT_NEAR(s.w - s.y, kActiveH / kWallH, kEps);
      // Left edge: the wall's edge plus a bezel, or the neighbour's right edge plus a seam.
      const double left_gap = c == 0 ? s.x : s.x - panel_subrect(l, at(l, c - 1, r)).z;
      EXPECT_NEAR(left_gap, (c == 0 ? kBezel : 2 * kBezel) / kWallW, kEps);
      const double top_gap = r == 0 ? s.y : s.y - panel_subrect(l, at(l, c, r - 1)).w;
      EXPECT_NEAR(top_gap, (r == 0 ? kBezel : 2 * kBezel) / kWallH, kEps);
      // The right and bottom edges: one bezel before the wall's edge.
      if (c == 7) {
        EXPECT_NEAR(1.0 - s.z, kBezel / kWallW, kEps);
      }
      if (r == 1) {
        EXPECT_NEAR(1.0 - s.w, kBezel / kWallH, kEps);
      }
      // No two overlap.
      for (const Panel& o : l.panels) {
        if (o.col == c && o.row == r) continue;
        const glm::dvec4 t = panel_subrect(l, o);
        const bool apart = t.x >= s.z || s.x >= t.z || t.y >= s.w || s.y >= t.w;
        EXPECT_TRUE(apart) << c << "," << r << " overlaps " << o.col << "," << o.row;
      }
    }
  // What is not lit is bezel: 16 active areas over the wall.
  EXPECT_NEAR(active_area, 16 * kActiveW * kActiveH / (kWallW * kWallH), 1e-12);
}

TEST(WallLayout, SubFrustumAspectIsThePhysicalAspect) {
  const Layout l = fixture();
  const glm::dvec2 ext = wall_extent_mm(l);
  for (const Panel& p : l.panels) {
    const glm::dvec4 s = panel_subrect(l, p);
    // The sub-frustum spans (s.z - s.x) of the full view's width, whose aspect is the wall's.
    EXPECT_NEAR((s.z - s.x) * ext.x / ((s.w - s.y) * ext.y), kActiveW / kActiveH, 1e-12);
    // Square pixels: the renderer's full aspect from the tile's pixels agrees with the wall's.
    const double from_pixels = double(p.width_px) / p.height_px * ((s.w - s.y) / (s.z - s.x));
    EXPECT_NEAR(from_pixels, view_aspect(l), 1e-9);
  }
  // Pixels taller than wide (1920 x 1080 px on 1209.6 x 756 mm): the subrect still follows the
  // millimetres, and the aspect taken from pixel counts would squash the picture by 10 %.
  const Layout tall = uniform_layout(2, 2, 1920, 1080, 1209.6, 756.0, 1.0, 1);
  const Panel& p = tall.panels[0];
  const glm::dvec4 s = panel_subrect(tall, p);
  const glm::dvec2 tall_ext = wall_extent_mm(tall);
  EXPECT_NEAR(tall_ext.x, 2 * 1211.6, 1e-9);
  EXPECT_NEAR(tall_ext.y, 2 * 758.0, 1e-9);
  EXPECT_NEAR((s.z - s.x) * tall_ext.x / ((s.w - s.y) * tall_ext.y), 1.6, 1e-12);
  const double from_pixels = 1920.0 / 1080.0 * ((s.w - s.y) / (s.z - s.x));
  EXPECT_NEAR(from_pixels / view_aspect(tall), (1920.0 / 1080.0) / 1.6, 1e-9);
}

// ---- a straight line across a seam -------------------------------------------------------------
// Scene-free perspective: an eye at the origin looking down -z, near plane at 1, vertical field of
// view 40 degrees, the full view's aspect the wall's. A panel draws the sub-frustum of its subrect
// (the same off-axis frustum as scene::Camera::projection) onto its active area, whose place on the
// wall in mm is worked out by hand below. Points of a straight 3D line, seen on the panels, must
// land on one straight line on the wall — also across the 3.5 mm seam.

glm::dvec2 on_wall_mm(const glm::dvec3& p, const glm::dvec4& sub, const glm::dvec4& active_mm, double aspect) {
  const double t = std::tan(0.5 * 40.0 * M_PI / 180.0), r = t * aspect;
  const double l0 = -r + 2.0 * r * sub.x, r0 = -r + 2.0 * r * sub.z;
  const double t0 = t - 2.0 * t * sub.y, b0 = t - 2.0 * t * sub.w;
  const double x = p.x / -p.z, y = p.y / -p.z;                       // on the near plane
  const double ndc_x = (2.0 * x - (r0 + l0)) / (r0 - l0);            // -1..1 across the panel
  const double ndc_y = (2.0 * y - (t0 + b0)) / (t0 - b0);            // -1 (bottom) .. 1 (top)
  const double u = (ndc_x + 1.0) / 2.0, v = (1.0 - ndc_y) / 2.0;     // panel fractions, y down
  return {active_mm.x + u * (active_mm.z - active_mm.x), active_mm.y + v * (active_mm.w - active_mm.y)};
}

/// How a straight line's samples land on the wall (top row, panels showing `subs`).
struct Seen {
  double bend_mm = 0.0;    ///< largest distance from the straight line through the first and last
  double window_mm = 0.0;  ///< largest distance from where a window the wall's size would show them
  int panels = 0;          ///< panels that showed a sample
};

Seen see_line(const std::vector<glm::dvec4>& subs, double aspect) {
  // A line in view space, 50 m away at its left end and 80 m at its right, falling towards the
  // right across the top row: it crosses the seams between columns 2|3, 3|4 and 4|5 at a slant.
  const glm::dvec3 a(-60.0, 15.0, -50.0), b(100.0, 2.0, -80.0);
  const double t = std::tan(0.5 * 40.0 * M_PI / 180.0);
  std::vector<glm::dvec2> pts;
  std::vector<bool> hit(subs.size(), false);
  Seen seen;
  for (int i = 0; i <= 400; ++i) {
    const glm::dvec3 p = a + (b - a) * (i / 400.0);
    // Where it is in the full view (fractions, y down), to find the panel showing it.
    const double fx = (p.x / -p.z / (t * aspect) + 1.0) / 2.0, fy = (1.0 - p.y / -p.z / t) / 2.0;
    for (std::size_t c = 0; c < subs.size(); ++c) {
      const glm::dvec4& s = subs[c];
      if (fx < s.x || fx > s.z || fy < s.y || fy > s.w) continue;
      // The active area by hand: column c starts at c x 1213.1 mm, a bezel in from its edge.
      const glm::dvec4 active(c * kColMm + kBezel, kBezel, c * kColMm + kBezel + kActiveW, kBezel + kActiveH);
      pts.push_back(on_wall_mm(p, s, active, aspect));
      const glm::dvec2 off = pts.back() - glm::dvec2(fx * kWallW, fy * kWallH);
      seen.window_mm = std::max(seen.window_mm, std::sqrt(off.x * off.x + off.y * off.y));
      hit[c] = true;
    }
  }
  seen.panels = static_cast<int>(std::count(hit.begin(), hit.end(), true));
  if (pts.size() < 2) return seen;
  const glm::dvec2 d = pts.back() - pts.front();
  const double len = std::sqrt(d.x * d.x + d.y * d.y);
  for (const glm::dvec2& q : pts) {
    const glm::dvec2 e = q - pts.front();
    seen.bend_mm = std::max(seen.bend_mm, std::abs(e.x * d.y - e.y * d.x) / len);
  }
  return seen;
}

TEST(WallLayout, StraightLineStaysStraightAcrossSeams) {
  const Layout l = fixture();
  std::vector<glm::dvec4> subs;
  for (int c = 0; c < 8; ++c) subs.push_back(panel_subrect(l, at(l, c, 0)));
  const Seen seen = see_line(subs, view_aspect(l));
  EXPECT_EQ(seen.panels, 4);  // columns 2 to 5: three seams
  EXPECT_LT(seen.bend_mm, 1e-6);
  EXPECT_LT(seen.window_mm, 1e-6);
  // Control: panels that each show an eighth of the view (no bezel compensation) put the picture
  // up to a bezel's width off at each seam, and the line kinks there.
  std::vector<glm::dvec4> naive;
  for (int c = 0; c < 8; ++c) naive.push_back({c / 8.0, 0.0, (c + 1) / 8.0, 0.5});
  const Seen off = see_line(naive, view_aspect(l));
  EXPECT_GT(off.window_mm, 1.0);
  EXPECT_GT(off.bend_mm, 0.1);
}

// ---- pixels ----------------------------------------------------------------------------------------

TEST(WallLayout, WallPixelsByHand) {
  const Layout l = fixture();
  const WallPixels wp = wall_pixels(l);
  // 9704.8 mm x 100/63 = 15404.44 px, 1367.8 mm x 100/63 = 2171.11 px.
  EXPECT_EQ(wp.width, 15404u);
  EXPECT_EQ(wp.height, 2171u);
  EXPECT_NEAR(wp.px_per_mm.x, 100.0 / 63.0, 1e-12);
  EXPECT_NEAR(wp.px_per_mm.y, 100.0 / 63.0, 1e-12);
  ASSERT_EQ(wp.panels.size(), l.panels.size());
  auto rect_of = [&](int c, int r) { return wp.panels[static_cast<std::size_t>(&at(l, c, r) - l.panels.data())]; };
  // Bezel 1.75 mm = 2.78 px -> 3; column 1 at 1214.85 mm = 1928.33 px; column 7 at 8493.45 mm =
  // 13481.67 px; row 1 at 685.65 mm = 1088.33 px.
  EXPECT_EQ(rect_of(0, 0), (PixelRect{3, 3, 1920, 1080}));
  EXPECT_EQ(rect_of(1, 0), (PixelRect{1928, 3, 1920, 1080}));
  EXPECT_EQ(rect_of(7, 1), (PixelRect{13482, 1088, 1920, 1080}));
  for (std::size_t i = 0; i < wp.panels.size(); ++i) {
    const PixelRect& r = wp.panels[i];
    EXPECT_EQ(r.w, 1920u);
    EXPECT_EQ(r.h, 1080u);
    EXPECT_LE(r.x + r.w, wp.width);
    EXPECT_LE(r.y + r.h, wp.height);
    // Rounding (of each edge, and of the wall's size) moves an edge by less than a pixel from
    // where the mm put it.
    const glm::dvec4 px = pixel_subrect(wp, i), mm = panel_subrect(l, l.panels[i]);
    EXPECT_LE(std::abs(px.x - mm.x) * wp.width, 1.0);
    EXPECT_LE(std::abs(px.z - mm.z) * wp.width, 1.0);
    EXPECT_LE(std::abs(px.y - mm.y) * wp.height, 1.0);
    EXPECT_LE(std::abs(px.w - mm.w) * wp.height, 1.0);
  }
}

TEST(WallLayout, SeamlessWallPixelsTileExactly) {
  // No bezels (an LED wall): 3 x 2 panels of 1920 x 1080 are one 5760 x 2160 picture.
  const Layout l = uniform_layout(3, 2, 1920, 1080, 1209.6, 680.4, 0.0, 2);
  const WallPixels wp = wall_pixels(l);
  EXPECT_EQ(wp.width, 5760u);
  EXPECT_EQ(wp.height, 2160u);
  for (std::size_t i = 0; i < l.panels.size(); ++i)
    EXPECT_EQ(wp.panels[i], (PixelRect{l.panels[i].col * 1920, l.panels[i].row * 1080, 1920, 1080}));
}

TEST(WallLayout, PixelRectsNeverOverlap) {
  // Bezels of awkward fractions of a pixel, and one panel of a coarser pitch.
  for (double bezel : {0.0, 0.11, 0.3, 0.49, 0.5, 0.77, 1.75, 2.5}) {
    Layout l = uniform_layout(5, 3, 640, 360, 403.2, 226.8, bezel, 3);
    l.panels[4].width_px = 320;
    l.panels[4].height_px = 180;
    ASSERT_TRUE(check_layout(l).ok());
    const WallPixels wp = wall_pixels(l);
    for (std::size_t i = 0; i < wp.panels.size(); ++i) {
      const PixelRect& a = wp.panels[i];
      EXPECT_LE(a.x + a.w, wp.width);
      EXPECT_LE(a.y + a.h, wp.height);
      // Every rectangle covers its glass at the wall's pitch; the coarse panel's edges are
      // rounded each on its own (±1 px).
      EXPECT_NEAR(double(a.w), 640.0, i == 4 ? 1.0 : 0.0);
      for (std::size_t j = i + 1; j < wp.panels.size(); ++j) {
        const PixelRect& b = wp.panels[j];
        const bool apart = a.x + int(a.w) <= b.x || b.x + int(b.w) <= a.x || a.y + int(a.h) <= b.y || b.y + int(b.h) <= a.y;
        EXPECT_TRUE(apart) << "bezel " << bezel << ": " << i << " and " << j;
      }
    }
  }
}

// ---- the JSON form -----------------------------------------------------------------------------

TEST(WallLayout, RoundTrip) {
  const Layout l = fixture();
  const std::string text = layout_to_json(l);
  EXPECT_EQ(text.find("overrides"), std::string::npos);  // equal panels: nothing to override
  auto back = parse_layout(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, l);
  EXPECT_EQ(layout_to_json(*back), text);

  // The outer column carries a thicker left bezel, one panel has 4K pixels (the grid stays
  // regular: the whole column changes).
  Layout odd = uniform_layout(4, 2, 1920, 1080, 1209.6, 680.4, 1.75, 3);
  odd.name = "odd";
  for (Panel& p : odd.panels)
    if (p.col == 0) p.bezel.left_mm = 6.0;
  odd.panels[5].width_px = 3840;
  odd.panels[5].height_px = 2160;
  ASSERT_TRUE(check_layout(odd).ok()) << check_layout(odd).error().message;
  const std::string odd_text = layout_to_json(odd);
  auto odd_back = parse_layout(odd_text);
  ASSERT_TRUE(odd_back.ok()) << odd_back.error().message << "\n" << odd_text;
  EXPECT_EQ(*odd_back, odd);
  EXPECT_NE(odd_text.find("\"overrides\""), std::string::npos);
  EXPECT_EQ(layout_to_json(*odd_back), odd_text);
}

TEST(WallLayout, OverridesAndComments) {
  // A 2 x 1 wall whose left panel has a 5 mm outer bezel; comments are allowed.
  const std::string text = R"({
    "schema": "parktwin.wall/1",  // the format
    "name": "two",
    "columns": 2, "rows": 1,
    "panel": {"width_px": 100, "height_px": 50, "width_mm": 200, "height_mm": 100, "bezel_mm": 1},
    /* the left edge of the wall */
    "overrides": [{"panel": [0, 0], "bezel_mm": {"left": 5}}],
    "nodes": [{"id": "a", "panels": [[1, 0], [0, 0]]}]
  })";
  auto l = parse_layout(text);
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ(at(*l, 0, 0).bezel, (Bezel{5, 1, 1, 1}));
  EXPECT_EQ(at(*l, 1, 0).bezel, (Bezel{1, 1, 1, 1}));
  EXPECT_EQ(at(*l, 1, 0).output, 0);  // the order in 'panels' is the output order
  EXPECT_EQ(at(*l, 0, 0).output, 1);
  // 5 + 200 + 1 + 1 + 200 + 1 = 408 mm across, 102 mm down.
  const glm::dvec2 ext = wall_extent_mm(*l);
  EXPECT_NEAR(ext.x, 408.0, 1e-12);
  EXPECT_NEAR(ext.y, 102.0, 1e-12);
  expect_rect(panel_subrect(*l, at(*l, 1, 0)), {207.0 / 408.0, 1.0 / 102.0, 407.0 / 408.0, 101.0 / 102.0});
  const auto a = panels_of(*l, "a");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0]->col, 1);
  EXPECT_EQ(a[1]->col, 0);
}

TEST(WallLayout, DocumentedExampleIsTheFixture) {
  // docs/wall.md shows the fixture with comments; it must read as that wall.
  std::ifstream in(std::string(PARKTWIN_FIXTURES) + "/../../docs/wall.md");
  ASSERT_TRUE(in) << "docs/wall.md";
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t from = doc.find("```jsonc\n");
  ASSERT_NE(from, std::string::npos);
  const std::size_t to = doc.find("\n```", from + 9);
  ASSERT_NE(to, std::string::npos);
  auto l = parse_layout(doc.substr(from + 9, to - from - 9));
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ(*l, fixture());
}

TEST(WallLayout, UniformLayoutSpreadsColumnMajorBlocks) {
  // With 8 nodes, the fixture: one column per node, top panel first.
  Layout u = uniform_layout(8, 2, 1920, 1080, kActiveW, kActiveH, kBezel, 8);
  ASSERT_TRUE(check_layout(u).ok());
  EXPECT_EQ(u.panels, fixture().panels);
  // 16 panels over 3 nodes: runs of 6, 5 and 5 in column-major order.
  u = uniform_layout(8, 2, 1920, 1080, kActiveW, kActiveH, kBezel, 3);
  ASSERT_TRUE(check_layout(u).ok());
  EXPECT_EQ(node_ids(u), (std::vector<std::string>{"node1", "node2", "node3"}));
  const auto n1 = panels_of(u, "node1"), n2 = panels_of(u, "node2"), n3 = panels_of(u, "node3");
  ASSERT_EQ(n1.size(), 6u);
  EXPECT_EQ(n2.size(), 5u);
  EXPECT_EQ(n3.size(), 5u);
  const int want[6][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 0}, {2, 1}};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(n1[i]->col, want[i][0]);
    EXPECT_EQ(n1[i]->row, want[i][1]);
    EXPECT_EQ(n1[i]->output, i);
  }
  EXPECT_EQ(n2[0]->col, 3);
  EXPECT_EQ(n2[0]->row, 0);
  EXPECT_EQ(node_ids(uniform_layout(2, 2, 64, 36, 40, 22.5, 1, 0)).size(), 1u);
  EXPECT_EQ(node_ids(uniform_layout(2, 2, 64, 36, 40, 22.5, 1, 99)).size(), 4u);
}

// ---- stitch and crop -----------------------------------------------------------------------------

Image pattern(uint32_t w, uint32_t h) {
  Image im{w, h, std::vector<uint8_t>(std::size_t(w) * h * 4)};
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      uint8_t* p = &im.rgba[(std::size_t(y) * w + x) * 4];
      p[0] = uint8_t(x * 7 + y * 13), p[1] = uint8_t(x ^ y), p[2] = uint8_t(x * y), p[3] = 255;
    }
  return im;
}

bool inside(const PixelRect& r, uint32_t x, uint32_t y) {
  return int64_t(x) >= r.x && int64_t(x) < r.x + int64_t(r.w) && int64_t(y) >= r.y && int64_t(y) < r.y + int64_t(r.h);
}

TEST(WallLayout, StitchOfCropsIsTheWholeInsideThePanels) {
  // 4 x 2 small panels at 1.6 px/mm with 1.3 mm bezels (2.08 px): the fixture's shape, small.
  const Layout l = uniform_layout(4, 2, 64, 36, 40.0, 22.5, 1.3, 4);
  const WallPixels wp = wall_pixels(l);
  // 4 x (1.3 + 40 + 1.3) mm x 1.6 = 272.64 px; 2 x 25.1 mm x 1.6 = 80.32 px; bezel 2.08 -> 2.
  EXPECT_EQ(wp.width, 273u);
  EXPECT_EQ(wp.height, 80u);
  EXPECT_EQ(wp.panels[0], (PixelRect{2, 2, 64, 36}));
  const Image whole = pattern(wp.width, wp.height);
  std::vector<Tile> tiles;
  for (std::size_t i = 0; i < l.panels.size(); ++i) {
    tiles.push_back(Tile{l.panels[i].col, l.panels[i].row, crop(whole, wp.panels[i])});
    EXPECT_EQ(tiles.back().image.width, 64u);
    EXPECT_EQ(tiles.back().image.height, 36u);
  }
  const std::array<uint8_t, 4> bezel{10, 20, 30, 255};
  auto wall = stitch(l, tiles, bezel);
  ASSERT_TRUE(wall.ok()) << wall.error().message;
  ASSERT_EQ(wall->width, wp.width);
  ASSERT_EQ(wall->height, wp.height);
  std::size_t lit = 0;
  for (uint32_t y = 0; y < wp.height; ++y)
    for (uint32_t x = 0; x < wp.width; ++x) {
      const bool in_panel = std::any_of(wp.panels.begin(), wp.panels.end(), [&](const PixelRect& r) { return inside(r, x, y); });
      const uint8_t* got = &wall->rgba[(std::size_t(y) * wp.width + x) * 4];
      const uint8_t* want = in_panel ? &whole.rgba[(std::size_t(y) * wp.width + x) * 4] : bezel.data();
      lit += in_panel;
      ASSERT_TRUE(std::equal(got, got + 4, want)) << x << "," << y << (in_panel ? " (panel)" : " (bezel)");
    }
  EXPECT_EQ(lit, 8u * 64 * 36);

  // A panel without its tile stays bezel-coloured; bad tiles are refused.
  tiles.pop_back();
  auto partial = stitch(l, tiles, bezel);
  ASSERT_TRUE(partial.ok());
  const PixelRect& r7 = wp.panels.back();
  EXPECT_EQ(partial->rgba[(std::size_t(r7.y) * wp.width + r7.x) * 4], 10);
  std::vector<Tile> twice = tiles;
  twice.push_back(tiles[0]);
  ASSERT_FALSE(stitch(l, twice, bezel).ok());
  EXPECT_NE(stitch(l, twice, bezel).error().message.find("given twice"), std::string::npos);
  std::vector<Tile> outside = {Tile{4, 0, pattern(64, 36)}};
  ASSERT_FALSE(stitch(l, outside, bezel).ok());
  EXPECT_NE(stitch(l, outside, bezel).error().message.find("no panel there"), std::string::npos);
  std::vector<Tile> wrong = {Tile{0, 0, pattern(63, 36)}};
  ASSERT_FALSE(stitch(l, wrong, bezel).ok());
  EXPECT_NE(stitch(l, wrong, bezel).error().message.find("is 63x36"), std::string::npos);
}

TEST(WallLayout, StitchScalesACoarserPanel) {
  // One panel of half the pixels on the same glass: its tile fills its whole rectangle.
  Layout l = uniform_layout(2, 1, 64, 36, 40.0, 22.5, 0.5, 1);
  l.panels[1].width_px = 32;
  l.panels[1].height_px = 18;
  const WallPixels wp = wall_pixels(l);
  ASSERT_EQ(wp.panels[1].w, 64u);
  ASSERT_EQ(wp.panels[1].h, 36u);
  Image half = pattern(32, 18);
  auto wall = stitch(l, {Tile{1, 0, half}}, {0, 0, 0, 255});
  ASSERT_TRUE(wall.ok()) << wall.error().message;
  const Image back = crop(*wall, wp.panels[1]);
  for (uint32_t y = 0; y < 36; ++y)
    for (uint32_t x = 0; x < 64; ++x)
      ASSERT_EQ(back.rgba[(std::size_t(y) * 64 + x) * 4], half.rgba[(std::size_t(y / 2) * 32 + x / 2) * 4]) << x << "," << y;
}

TEST(WallLayout, CropOutsideIsZero) {
  const Image whole = pattern(8, 4);
  const Image c = crop(whole, PixelRect{6, 2, 4, 4});
  ASSERT_EQ(c.width, 4u);
  ASSERT_EQ(c.height, 4u);
  EXPECT_EQ(c.rgba[0], whole.rgba[(2 * 8 + 6) * 4]);
  EXPECT_EQ(c.rgba[(1 * 4 + 1) * 4], whole.rgba[(3 * 8 + 7) * 4]);
  EXPECT_EQ(c.rgba[(0 * 4 + 2) * 4 + 3], 0);  // x 8: beyond the right edge
  EXPECT_EQ(c.rgba[(2 * 4 + 0) * 4 + 3], 0);  // y 4: below the bottom
}

}  // namespace
