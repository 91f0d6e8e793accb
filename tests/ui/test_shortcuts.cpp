// The shortcut table: menu hints, Help and the bindings come from one table; taps shorter than a
// frame act once; panels open where they cover no open panel; feed and colouring wording.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "parktwin/scene/scene.h"
#include "parktwin/ui/panels.h"
#include "parktwin/ui/placement.h"
#include "parktwin/ui/shortcuts.h"
#include "parktwin/ui/status_text.h"

using namespace parktwin;
using namespace parktwin::ui;

namespace {

TEST(Shortcuts, MenuHintsAreTheKeysThatAct) {
  EXPECT_STREQ(shortcut_hint(Action::EnglishLabels), "T");
  EXPECT_EQ(action_for_key('T', 0, false), Action::EnglishLabels);
  EXPECT_STREQ(shortcut_hint(Action::Stats), "F2");
  EXPECT_EQ(action_for_key(key::F2, 0, false), Action::Stats);
  EXPECT_STREQ(shortcut_hint(Action::Search), "Ctrl+F");
  EXPECT_EQ(action_for_key('F', kModCtrl, false), Action::Search);
  // Every hint is derived from its binding: a letter or digit hint is the key, Ctrl+ the modifier.
  for (const KeyBinding& b : key_bindings()) {
    const std::string hint = b.hint;
    EXPECT_EQ(b.ctrl, hint.rfind("Ctrl+", 0) == 0) << hint;
    const std::string bare = b.ctrl ? hint.substr(5) : hint;
    if (bare.size() == 1) {
      EXPECT_EQ(b.key, bare[0]) << hint;
    }
    EXPECT_EQ(action_for_key(b.key, b.ctrl ? kModCtrl : 0, false), b.action) << hint;
  }
}

TEST(Shortcuts, NoBindingUsesAKeyHeldForTheCamera) {
  // W A S D pan, Q E turn, R F tilt (held, polled): a one-shot binding on them would fire while moving.
  for (int k : {'W', 'A', 'S', 'D', 'Q', 'E', 'R', 'F', '=', '-'}) EXPECT_FALSE(action_for_key(k, 0, false)) << char(k);
  std::set<std::pair<int, bool>> seen;
  for (const KeyBinding& b : key_bindings()) EXPECT_TRUE(seen.insert({b.key, b.ctrl}).second) << b.hint << " bound twice";
}

TEST(Shortcuts, OnlyMarkedBindingsActWhileTyping) {
  EXPECT_EQ(action_for_key('F', kModCtrl, true), Action::Search);
  EXPECT_FALSE(action_for_key('T', 0, true));
  EXPECT_FALSE(action_for_key(key::Escape, 0, true));  // Esc leaves the text field first
  EXPECT_FALSE(action_for_key('L', kModAlt, false));
}

TEST(Shortcuts, PanelActionsToggleTheirPanels) {
  PanelState st;
  EXPECT_TRUE(apply_panel_action(Action::Stats, st));
  EXPECT_TRUE(st.stats);
  EXPECT_TRUE(apply_panel_action(Action::Stats, st));
  EXPECT_FALSE(st.stats);
  EXPECT_TRUE(apply_panel_action(Action::Search, st));
  EXPECT_TRUE(st.search && st.focus_search);
  EXPECT_FALSE(apply_panel_action(Action::Quit, st));
  EXPECT_FALSE(st.quit_asked);  // the viewer asks; the table only names the action
}

TEST(Shortcuts, PresenterClickersStepTheTour) {
  // Presentation remotes send PageDown / PageUp (and some a blank key); none of them moves the camera.
  EXPECT_EQ(action_for_key(key::PageDown, 0, false), Action::TourNext);
  EXPECT_EQ(action_for_key(key::PageUp, 0, false), Action::TourPrevious);
  EXPECT_EQ(action_for_key(key::Space, 0, false), Action::TourPlayPause);
  EXPECT_FALSE(action_for_key(key::Space, 0, true));  // a space typed into a caption stays a space
}

TEST(Shortcuts, ATourClosesEveryPanelButItsOwn) {
  PanelState st;
  st.tours = true;
  st.labels = true;
  st.english_labels = true;
  close_panels(st);
  // Every window the menu lists, by the same flags the menu toggles.
  for (bool open : {st.layers, st.parks, st.style, st.stats, st.warnings, st.help, st.feed, st.metrics, st.timeline,
                    st.dashboard, st.chains, st.chain_diagram, st.clusters, st.search, st.inspector, st.views})
    EXPECT_FALSE(open);
  // And by the names a view state uses for them: none is left open.
  EXPECT_EQ(open_panel_names(st), std::vector<std::string>{});
  EXPECT_TRUE(st.tours);
  EXPECT_TRUE(st.labels && st.english_labels);  // map labels are part of the picture, not panels
}

TEST(KeyQueue, ATapWithinOneFrameActsOnceAndRepeatsDoNot) {
  KeyQueue q;
  q.on_key(key::F2, kKeyPress, 0);  // a 12 ms tap: press and release before the next frame
  q.on_key(key::F2, kKeyRelease, 0);
  q.on_key('T', kKeyPress, 0);
  q.on_key('T', kKeyRepeat, 0);
  q.on_key('T', kKeyRepeat, 0);
  const auto presses = q.take();
  ASSERT_EQ(presses.size(), 2u);
  EXPECT_EQ(presses[0].key, key::F2);
  EXPECT_EQ(presses[1].key, 'T');
  EXPECT_TRUE(q.take().empty());
}

TEST(Placement, PreferredSpotWhenFree) {
  const PanelRect area{ImVec2(0, 20), ImVec2(1600, 900)};
  const ImVec2 p = free_spot(ImVec2(100, 100), ImVec2(300, 200), {{ImVec2(500, 500), ImVec2(700, 700)}}, area);
  EXPECT_FLOAT_EQ(p.x, 100);
  EXPECT_FLOAT_EQ(p.y, 100);
}

bool overlaps(ImVec2 p, ImVec2 size, const PanelRect& r) {
  return p.x < r.max.x && p.x + size.x > r.min.x && p.y < r.max.y && p.y + size.y > r.min.y;
}

TEST(Placement, AvoidsOpenPanelsAndStaysOnScreen) {
  // The Stats panel's usual place, with the Feed panel and the attribution open there (1600 x 900).
  const PanelRect area{ImVec2(0, 20), ImVec2(1600, 900)};
  const std::vector<PanelRect> taken = {
      {ImVec2(1270, 670), ImVec2(1590, 860)},  // Feed
      {ImVec2(1000, 850), ImVec2(1600, 900)},  // attribution
      {ImVec2(470, 780), ImVec2(1130, 866)},   // Timeline
      {ImVec2(10, 30), ImVec2(350, 390)},      // Parks
  };
  const ImVec2 size(420, 210);
  const ImVec2 p = free_spot(ImVec2(920, 670), size, taken, area);
  for (const PanelRect& r : taken) EXPECT_FALSE(overlaps(p, size, r)) << p.x << "," << p.y;
  EXPECT_GE(p.x, 0);
  EXPECT_GE(p.y, 20);
  EXPECT_LE(p.x + size.x, 1600);
  EXPECT_LE(p.y + size.y, 900);
  // Near its usual place: not thrown to the far corner.
  EXPECT_LT(std::hypot(p.x - 920, p.y - 670), 400.0f);
}

TEST(Placement, LeastOverlapWhenNothingIsFree) {
  const PanelRect area{ImVec2(0, 0), ImVec2(400, 400)};
  const std::vector<PanelRect> taken = {{ImVec2(0, 0), ImVec2(400, 300)}};
  const ImVec2 p = free_spot(ImVec2(0, 0), ImVec2(200, 200), taken, area);
  EXPECT_FLOAT_EQ(p.y, 200);  // as low as it goes: half of it covers the taken panel, not all
}

TEST(FeedHealth, ExpectedGapFromRecentArrivals) {
  ArrivalWatch w;
  w.reset(0.0);
  EXPECT_DOUBLE_EQ(w.expected_gap_s(), ArrivalWatch::kUnknown_s);
  for (int i = 0; i < 10; ++i) w.arrived(i * 0.25);  // four frames a second: the floor
  EXPECT_DOUBLE_EQ(w.expected_gap_s(), ArrivalWatch::kFloor_s);
  ArrivalWatch slow;
  slow.reset(0.0);
  for (int i = 0; i < 10; ++i) slow.arrived(i * 10.0);  // a publisher every 10 s
  slow.arrived(95.0);                                     // one early burst does not move the median
  EXPECT_DOUBLE_EQ(slow.expected_gap_s(), 30.0);
  EXPECT_DOUBLE_EQ(slow.silent_s(100.0), 5.0);
}

TEST(FeedHealth, SaysNoDataAsSoonAsTheExpectedGapIsMissed) {
  const FeedHealth ok = feed_health(1.0, 3.0, 300.0, true);
  EXPECT_EQ(ok.level, FeedHealth::Ok);
  const FeedHealth late = feed_health(4.0, 3.0, 300.0, true);
  EXPECT_EQ(late.level, FeedHealth::Late);
  EXPECT_NE(late.text.find("no data for 4 s"), std::string::npos) << late.text;
  EXPECT_EQ(feed_health(10.0, 3.0, 300.0, true).level, FeedHealth::Silent);
  // Long expected gaps: red at the stale period at the latest.
  EXPECT_EQ(feed_health(301.0, 200.0, 300.0, true).level, FeedHealth::Silent);
  EXPECT_NE(feed_health(2.0, 10.0, 300.0, false).text.find("no data yet"), std::string::npos);
}

TEST(StyleNote, NamesTheLiveMetricThatOverridesTheStaticColour) {
  scene::Scene s(gis::SceneFrame::jiangxi());
  s.enterprises.resize(2);
  s.live.assign(2, scene::Metrics{});
  EXPECT_EQ(colour_override_note(s), "");  // bound but no data yet: the static colours show
  s.live[1].ts_ms = 1000;
  s.binding.color_metric = scene::Metric::Power;
  const std::string note = colour_override_note(s);
  EXPECT_NE(note.find("overridden by live metric"), std::string::npos);
  EXPECT_NE(note.find(scene::metric_label(scene::Metric::Power)), std::string::npos);
  s.binding.enabled = false;
  EXPECT_EQ(colour_override_note(s), "");
}

// The Metrics panel printed its colour range as "0.00 ... 0.00" before the first sample, under a ramp
// that no building showed then.
TEST(StyleNote, TheColourRangeIsPrintedOnlyWhileBuildingsShowTheRamp) {
  scene::Scene s(gis::SceneFrame::jiangxi());
  s.enterprises.resize(3);
  s.live.assign(3, scene::Metrics{});
  s.binding.enabled = true;
  const std::string waiting = colour_ramp_note(s);
  EXPECT_NE(waiting.find("no sample yet"), std::string::npos) << waiting;
  s.live[2].ts_ms = 5000;
  s.live[2].v[static_cast<size_t>(scene::Metric::Power)] = 800.0;
  s.binding.color_metric = scene::Metric::Power;
  EXPECT_EQ(colour_ramp_note(s), "");
  // The range printed then is a figure of the samples, not of the empty state.
  const auto range = s.live_range(scene::Metric::Power);
  EXPECT_EQ(range.second, s.live[2].value(scene::Metric::Power));
  s.binding.enabled = false;
  const std::string off = colour_ramp_note(s);
  EXPECT_NE(off.find("off"), std::string::npos) << off;
  // The Style panel says the live metric overrides its colours exactly when this panel's range is shown.
  for (bool enabled : {false, true})
    for (int64_t ts : {int64_t{0}, int64_t{5000}}) {
      s.binding.enabled = enabled;
      s.live[2].ts_ms = ts;
      EXPECT_EQ(colour_ramp_note(s).empty(), !colour_override_note(s).empty()) << enabled << " " << ts;
    }
}

}  // namespace

namespace {

TEST(Shortcuts, DigitsRecallSavedViewsInListOrder) {
  for (int d = 1; d <= 9; ++d) {
    const auto a = action_for_key('0' + d, 0, false);
    ASSERT_TRUE(a) << d;
    EXPECT_EQ(recalled_view(*a), d - 1) << d;
    // The Views panel shows each view's key from the same table.
    const auto back = recall_action(d - 1);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, *a);
    EXPECT_EQ(std::string(shortcut_hint(*back)), std::to_string(d));
  }
  EXPECT_FALSE(recall_action(9)) << "a tenth view has no key";
  EXPECT_FALSE(recall_action(-1));
  EXPECT_EQ(action_for_key('0', 0, false), Action::FlyProvince);
  EXPECT_EQ(recalled_view(Action::FlyProvince), -1);
  EXPECT_EQ(recalled_view(Action::Quit), -1);
  // Not while a text field has the keyboard: typing "3" in the search box recalls nothing.
  EXPECT_FALSE(action_for_key('3', 0, true));
}

TEST(Shortcuts, CtrlBAsksForTheNameOfANewView) {
  EXPECT_EQ(action_for_key('B', kModCtrl, false), Action::SaveView);
  EXPECT_FALSE(action_for_key('B', 0, false));
  PanelState st;
  EXPECT_TRUE(apply_panel_action(Action::SaveView, st));
  EXPECT_TRUE(st.save_view_asked);
  EXPECT_TRUE(apply_panel_action(Action::Views, st));
  EXPECT_TRUE(st.views);
  // Help lists the digits once, as a group, and every other binding on its own row.
  size_t unlisted = 0;
  for (const KeyBinding& b : key_bindings()) unlisted += b.listed ? 0 : 1;
  EXPECT_EQ(unlisted, 9u);
  ASSERT_EQ(grouped_help_rows().size(), 1u);
  EXPECT_NE(std::string(grouped_help_rows()[0].keys).find('9'), std::string::npos);
}

TEST(PanelNames, CaptureAndApplyUseOneMapping) {
  PanelState st;
  st.layers = true;
  st.parks = false;
  st.chain_diagram = true;
  st.warnings = false;
  const auto names = open_panel_names(st);
  EXPECT_NE(std::find(names.begin(), names.end(), "chain_diagram"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "parks"), names.end());
  PanelState other;  // the defaults: parks, timeline, ... open
  EXPECT_TRUE(show_panels(names, other).empty());
  EXPECT_EQ(other.layers, true);
  EXPECT_EQ(other.parks, false);
  EXPECT_EQ(other.chain_diagram, true);
  EXPECT_EQ(other.warnings, false);
  EXPECT_EQ(open_panel_names(other), names);
  // A name this version does not know is reported, the rest still applied.
  const auto unknown = show_panels({"timeline", "tour_player"}, other);
  EXPECT_EQ(unknown, std::vector<std::string>{"tour_player"});
  EXPECT_TRUE(other.timeline);
  EXPECT_FALSE(other.layers);
}

}  // namespace

namespace {

TEST(WallUiScale, TextGrowsWithTheRoomAndThePixelPitch) {
  // A 55-inch 1080p panel (1209.6 mm wide) seen from 5 m: text 33.3 mm tall over 0.63 mm pixels
  // is 52.9 px, 3.3 times the 16 px of a desk.
  const double wall = parktwin::ui::wall_ui_scale(1920, 1210, 5.0);
  EXPECT_NEAR(wall, 3.306, 0.001);
  // The same panel at 4K has pixels half as large: twice the scale.
  EXPECT_NEAR(parktwin::ui::wall_ui_scale(3840, 1210, 5.0), 2.0 * wall, 1e-9);
  // Twice as far: twice the text.
  EXPECT_NEAR(parktwin::ui::wall_ui_scale(1920, 1210, 10.0), std::min(8.0, 2.0 * wall), 1e-9);
  // A desk monitor from 60 cm needs no more than the desk size; unknown sizes change nothing.
  EXPECT_DOUBLE_EQ(parktwin::ui::wall_ui_scale(1920, 527, 0.6), 1.0);
  EXPECT_DOUBLE_EQ(parktwin::ui::wall_ui_scale(1920, 0, 5.0), 1.0);
  EXPECT_DOUBLE_EQ(parktwin::ui::wall_ui_scale(0, 1210, 5.0), 1.0);
  // Never beyond 8 (a far audience on a fine panel).
  EXPECT_DOUBLE_EQ(parktwin::ui::wall_ui_scale(7680, 600, 50.0), 8.0);
}

}  // namespace
