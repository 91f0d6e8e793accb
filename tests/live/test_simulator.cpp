// The built-in simulator and the sim:// source: determinism, calibration to the source document's
// 2022 figures, growth toward the 2026 targets, visible cycles, status rates, value bounds; the
// source's delivery, clock speed, coalescing and prompt stop.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "parktwin/gis/frame.h"
#include "parktwin/live/kpi_window.h"
#include "parktwin/live/registry.h"
#include "parktwin/live/simulator.h"
#include "parktwin/live/source.h"
#include "parktwin/scene/facts.h"
#include "parktwin/scene/scene.h"
#include "sources.h"

namespace parktwin::live {
namespace {

using scene::Metric;
using scene::Status;

constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr int64_t k2022 = 1640995200000;  // 2022-01-01T00:00:00Z
constexpr int64_t k2026 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr int kHoursPerYear = 8760;       // 2022 and 2026 both have 365 days

class SimulatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scene_ = new scene::Scene(gis::SceneFrame::jiangxi());
    auto r = scene::load_default_dataset(*scene_, std::string(PARKTWIN_ASSET_DIR) + "/parktwin.gpkg");
    ASSERT_TRUE(r) << r.error().message;
    reg_ = new Registry(*scene_);
    sim_ = new Simulator(*reg_);
  }
  static void TearDownTestSuite() {
    delete sim_;
    delete reg_;
    delete scene_;
    sim_ = nullptr, reg_ = nullptr, scene_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(sim_) << "default dataset not loaded"; }

  /// Enterprises of a park.
  static std::vector<uint32_t> park(const std::string& id) {
    std::vector<uint32_t> out;
    for (uint32_t e = 0; e < reg_->size(); ++e)
      if (reg_->enterprises()[e].park == id) out.push_back(e);
    return out;
  }
  /// Sum of a metric over a set of enterprises, hourly over a 365-day year from `start`.
  /// The integral over the 365 days from `start` of metric m (a rate per hour) summed over `es`,
  /// estimated by Monte Carlo: at() at random instants, one uniform in each of kStrata equal
  /// slices of the year (stratified, so the daily and weekly cycles do not add noise). This is a
  /// route of its own: neither the hour grid nor the two-point rule that the simulator's
  /// calibration and the KPI window use.
  static double annual_sum(const std::vector<uint32_t>& es, Metric m, int64_t start) {
    constexpr int kStrata = 12'000;
    constexpr double kSliceMs = 365.0 * kDayMs / kStrata;
    std::mt19937_64 rng(0x5eed ^ static_cast<uint64_t>(start));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    double sum = 0.0;
    for (int i = 0; i < kStrata; ++i) {
      const auto t = start + static_cast<int64_t>((i + u(rng)) * kSliceMs);
      for (uint32_t e : es) sum += sim_->at(e, t).value(m);
    }
    return sum / kStrata * kHoursPerYear;  // mean rate per hour x hours in the year
  }

  static inline scene::Scene* scene_ = nullptr;
  static inline Registry* reg_ = nullptr;
  static inline Simulator* sim_ = nullptr;
};

// ---- Determinism ---------------------------------------------------------------------------

TEST_F(SimulatorTest, SameSeedSameValuesInAnyOrder) {
  const Simulator other(*reg_);  // same default seed
  std::vector<int64_t> times;
  for (int i = 0; i < 200; ++i) times.push_back(k2022 + static_cast<int64_t>(i) * 7919 * 60'000 + i * 17);
  std::vector<scene::Metrics> forward;
  for (int64_t t : times)
    for (uint32_t e = 0; e < reg_->size(); e += 7) forward.push_back(sim_->at(e, t));
  // The other simulator evaluates the same points backwards, enterprise-major.
  std::vector<scene::Metrics> backward(forward.size());
  size_t per_time = 0;
  for (uint32_t e = 0; e < reg_->size(); e += 7) ++per_time;
  for (size_t ti = times.size(); ti-- > 0;)
    for (size_t k = per_time; k-- > 0;)
      backward[ti * per_time + k] = other.at(static_cast<uint32_t>(k * 7), times[ti]);
  ASSERT_EQ(forward.size(), backward.size());
  for (size_t i = 0; i < forward.size(); ++i) {
    EXPECT_EQ(forward[i].ts_ms, backward[i].ts_ms);
    EXPECT_EQ(forward[i].status, backward[i].status);
    for (size_t m = 0; m < scene::kMetricCount; ++m) EXPECT_EQ(forward[i].v[m], backward[i].v[m]) << i << " " << m;
  }
  // Repeating a query gives the same answer.
  EXPECT_EQ(sim_->at(3, k2022 + 12345678).v, sim_->at(3, k2022 + 12345678).v);
}

TEST_F(SimulatorTest, DifferentSeedDifferentValues) {
  const Simulator other(*reg_, SimulatorOptions{.seed = 42});
  size_t differ = 0, total = 0;
  for (uint32_t e = 0; e < reg_->size(); e += 3)
    for (int h = 0; h < 48; h += 5) {
      const int64_t t = k2022 + 100 * kDayMs + h * kHourMs;
      ++total;
      differ += sim_->at(e, t).value(Metric::Output) != other.at(e, t).value(Metric::Output);
    }
  EXPECT_GT(differ, total * 9 / 10) << differ << " of " << total;
}

// ---- Outside its years -------------------------------------------------------------------------

// Asked for the year 4468 the growth lines overflowed and a NaN reached the colour ramp (a crash):
// outside 2000..2100 the simulator gives no sample, and a sim:// start there is refused by name.
TEST_F(SimulatorTest, OutsideItsYearsThereIsNoSampleAndNoNaN) {
  const int64_t y4468 = 78940339200000;  // 4468-01-01T00:00:00Z
  for (int64_t t : {y4468, int64_t{-62135596800000} /* year 1 */, kSimEndMs, kSimFirstMs - 1}) {
    for (uint32_t e = 0; e < reg_->size(); ++e) {
      const scene::Metrics m = sim_->at(e, t);
      ASSERT_EQ(m.ts_ms, 0) << "no sample at " << t;
      ASSERT_TRUE(scene::finite_metrics(m));
    }
  }
  // Just inside both ends: values, all finite.
  for (int64_t t : {kSimFirstMs, kSimEndMs - kHourMs}) {
    const scene::Metrics m = sim_->at(0, t);
    EXPECT_EQ(m.ts_ms, t);
    EXPECT_TRUE(scene::finite_metrics(m));
  }
  auto bad = parse_sim_url("sim://?start=5000-01-01T00:00:00Z");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("2100"), std::string::npos) << bad.error().message;
  EXPECT_TRUE(parse_sim_url("sim://?start=2099-06-01T00:00:00Z"));
}

// ---- Calibration to the 2022 figures ---------------------------------------------------------

TEST_F(SimulatorTest, OutputValueOf2022MatchesTheClusterRevenues) {
  const scene::Facts& doc = scene::plan_facts();
  const std::map<std::string, double> expected = {{"yingtan", doc.value("yingtan.copper_revenue_2022")},
                                                  {"yichun", doc.value("yichun.lithium_revenue_2022")},
                                                  {"nanchang", doc.value("nanchang.electronics_revenue_2022")}};
  for (const auto& [id, revenue] : expected) {
    const double sum = annual_sum(park(id), Metric::Output, k2022);  // yuan/h x 1 h
    std::printf("[ calib ] %-8s 2022 output value %.6g yuan (document %.6g, %+.4f %%)\n", id.c_str(), sum, revenue,
                100.0 * (sum / revenue - 1.0));
    EXPECT_NEAR(sum / revenue, 1.0, 0.01) << id;
  }
}

TEST_F(SimulatorTest, ProductionOf2022MatchesTheDocument) {
  std::vector<uint32_t> smelters, lithium_salts, handsets;
  for (uint32_t e = 0; e < reg_->size(); ++e) {
    const EnterpriseInfo& i = reg_->enterprises()[e];
    const scene::Enterprise& s = scene_->enterprises[e];
    if (i.park == "yingtan" && i.segment == "upstream" && i.unit == "t") smelters.push_back(e);
    if (i.park == "yichun" && s.source_ref.find("lithium salts") != std::string::npos) lithium_salts.push_back(e);
    if (i.park == "nanchang" && i.product.find("smartphone") != std::string::npos) handsets.push_back(e);
  }
  const scene::Facts& doc = scene::plan_facts();
  EXPECT_EQ(static_cast<double>(lithium_salts.size()), doc.value("yichun.lithium_salt_firms"));
  EXPECT_EQ(static_cast<double>(handsets.size()), doc.value("nanchang.handset_makers"));
  EXPECT_GE(smelters.size(), 1u);

  const double copper_t = annual_sum(smelters, Metric::Production, k2022);
  const double lithium_t = annual_sum(lithium_salts, Metric::Production, k2022);
  const double handsets_n = annual_sum(handsets, Metric::Production, k2022) * 1e6;  // unit: million units
  std::printf("[ calib ] copper %.6g t, lithium carbonate %.6g t, handsets %.6g\n", copper_t, lithium_t, handsets_n);
  EXPECT_NEAR(copper_t / doc.value("yingtan.electrolytic_copper_2022"), 1.0, 0.01);
  EXPECT_NEAR(lithium_t / doc.value("yichun.lithium_carbonate_2022"), 1.0, 0.01);
  EXPECT_NEAR(handsets_n / doc.value("nanchang.handsets_2022"), 1.0, 0.01);
  for (uint32_t e : handsets) EXPECT_EQ(reg_->enterprises()[e].unit, "million units");
}

TEST_F(SimulatorTest, KpiWindowAgreesWithRandomInstantsAndFollowsAMovingClock) {
  // The KPI window's hour sums against the Monte Carlo route, on a window that straddles a Spring
  // Festival and crosses the UTC day (ends 2024-03-05 07:30 UTC).
  const int64_t end = k2022 + (2 * 365 + 1 + 64) * kDayMs + 7 * kHourMs + 30 * 60'000;
  SimKpiWindow window(*sim_);
  const scene::TrailingTotals t = window.at(end);
  EXPECT_EQ(t.end_ms - t.start_ms, 365 * kDayMs);
  for (const char* id : {"nanchang", "yingtan", "yichun"}) {
    double from_window = 0.0;
    for (uint32_t e : park(id)) from_window += t.output_yuan[e];
    const double mc = annual_sum(park(id), Metric::Output, end - 365 * kDayMs);
    std::printf("[ window] %-8s %.6g yuan, random instants %.6g (%+.3f %%)\n", id, from_window, mc,
                100.0 * (from_window / mc - 1.0));
    EXPECT_NEAR(from_window / mc, 1.0, 0.005) << id;
  }
  // Sliding the window by hours gives what a fresh window computes (no drift in the running sums).
  scene::TrailingTotals slid;
  for (int step = 1; step <= 30; ++step) slid = window.at(end + step * 37 * 60'000);
  SimKpiWindow fresh(*sim_);
  const scene::TrailingTotals direct = fresh.at(end + 30 * 37 * 60'000);
  for (uint32_t e = 0; e < reg_->size(); e += 7)
    EXPECT_NEAR(slid.output_yuan[e], direct.output_yuan[e], 1e-9 * direct.output_yuan[e] + 1e-6) << e;
  // Going back in time too.
  const scene::TrailingTotals back = window.at(end);
  for (uint32_t e = 0; e < reg_->size(); e += 7) EXPECT_NEAR(back.output_yuan[e], t.output_yuan[e], 1e-9 * t.output_yuan[e] + 1e-6);
}

// ---- Growth toward the 2026 targets ---------------------------------------------------------

TEST_F(SimulatorTest, GrowthReachesThe2026Targets) {
  const double yichun_2026 = annual_sum(park("yichun"), Metric::Output, k2026);
  std::vector<uint32_t> handsets;
  for (uint32_t e : park("nanchang"))
    if (reg_->enterprises()[e].product.find("smartphone") != std::string::npos) handsets.push_back(e);
  const double handsets_2026 = annual_sum(handsets, Metric::Production, k2026) * 1e6;
  const scene::Facts& doc = scene::plan_facts();
  std::printf("[ growth] 2026: Yichun %.6g yuan (target %.6g), handsets %.6g (target %.6g)\n", yichun_2026,
              doc.value("yichun.lithium_revenue_target_2026"), handsets_2026, doc.value("nanchang.handsets_target_2026"));
  EXPECT_NEAR(yichun_2026 / doc.value("yichun.lithium_revenue_target_2026"), 1.0, 0.02);
  EXPECT_NEAR(handsets_2026 / doc.value("nanchang.handsets_target_2026"), 1.0, 0.02);
  // Without a revenue target in the document, Nanchang's and Yingtan's output value follow the
  // plan's growth a year, the line the dashboard draws as their derived 2026 target.
  const double plan = 1.0 + doc.value("plan.growth_per_year");
  for (const auto& [id, base] : {std::pair<const char*, const char*>{"nanchang", "nanchang.electronics_revenue_2022"},
                                 {"yingtan", "yingtan.copper_revenue_2022"}}) {
    const double v = annual_sum(park(id), Metric::Output, k2026);
    EXPECT_NEAR(v / (doc.value(base) * std::pow(plan, 4)), 1.0, 0.02) << id << " " << v;
  }

  // Growth averages 1 over 2022 and compounds: Yingtan about 9 % a year.
  const auto yt = park("yingtan").front();
  double mean = 0.0;
  for (int h = 0; h < kHoursPerYear; ++h) mean += sim_->growth(yt, k2022 + h * kHourMs);
  EXPECT_NEAR(mean / kHoursPerYear, 1.0, 1e-4);
  EXPECT_NEAR(sim_->growth(yt, k2022 + 365 * kDayMs) / sim_->growth(yt, k2022), 1.09, 1e-9);
}

// ---- Cycles -----------------------------------------------------------------------------------

TEST_F(SimulatorTest, NightSundayAndSpringFestivalAreLower) {
  // Local time is UTC+8: 03:00 local = 19:00 UTC the day before, 11:00 local = 03:00 UTC.
  double night = 0, day = 0, sunday = 0, weekday = 0, feb = 0, oct = 0;
  int n_sunday = 0, n_weekday = 0;
  const int64_t feb1 = k2022 + 31 * kDayMs, oct1 = k2022 + 273 * kDayMs;
  for (uint32_t e = 0; e < reg_->size(); ++e) {
    for (int d = 0; d < 365; d += 3) {
      const int64_t midnight_local = k2022 + d * kDayMs - 8 * kHourMs;
      night += sim_->at(e, midnight_local + 3 * kHourMs).value(Metric::Output);
      day += sim_->at(e, midnight_local + 11 * kHourMs).value(Metric::Output);
    }
    // 2022-01-02 was a Sunday.
    for (int d = 1; d < 365; ++d) {
      const int64_t noon_local = k2022 + d * kDayMs + 4 * kHourMs;
      const double v = sim_->at(e, noon_local).value(Metric::Output);
      const int dow = (d - 1) % 7;  // 0 = Sunday
      if (dow == 0) {
        sunday += v;
        ++n_sunday;
      } else if (dow <= 5) {
        weekday += v;
        ++n_weekday;
      }
    }
    for (int h = 0; h < 28 * 24; h += 3) feb += sim_->at(e, feb1 + h * kHourMs).value(Metric::Output) / 28.0;
    for (int h = 0; h < 31 * 24; h += 3) oct += sim_->at(e, oct1 + h * kHourMs).value(Metric::Output) / 31.0;
  }
  std::printf("[ cycles] night/day %.3f, sunday/weekday %.3f, feb/oct per day %.3f\n", night / day,
              (sunday / n_sunday) / (weekday / n_weekday), feb / oct);
  EXPECT_LT(night, 0.95 * day);
  EXPECT_LT(sunday / n_sunday, 0.97 * weekday / n_weekday);
  EXPECT_LT(feb, 0.95 * oct);
}

// ---- Statuses and bounds ------------------------------------------------------------------------

TEST_F(SimulatorTest, StatusesOccurAtPlausibleRatesAndValuesStayInBounds) {
  std::array<uint64_t, 5> count{};
  uint64_t total = 0;
  for (uint32_t e = 0; e < reg_->size(); ++e) {
    const std::string unit = reg_->enterprises()[e].unit;
    for (int h = 0; h < kHoursPerYear; ++h) {
      const int64_t t = k2022 + h * kHourMs + 1234;
      const scene::Metrics m = sim_->at(e, t);
      ++count[static_cast<size_t>(m.status)];
      ++total;
      EXPECT_EQ(m.ts_ms, t);
      for (double v : m.v) {
        ASSERT_TRUE(std::isfinite(v)) << e << " " << h;
        ASSERT_GE(v, 0.0) << e << " " << h;
      }
      ASSERT_LE(m.value(Metric::Utilisation), 110.0);
      if (m.status == Status::Maintenance || m.status == Status::Stopped) {
        EXPECT_LT(m.value(Metric::Utilisation), 5.0);
      }
    }
  }
  const auto share = [&](Status s) { return static_cast<double>(count[static_cast<size_t>(s)]) / total; };
  std::printf("[ status] running %.4f, maintenance %.4f, alarm %.5f, stopped %.5f\n", share(Status::Running),
              share(Status::Maintenance), share(Status::Alarm), share(Status::Stopped));
  EXPECT_EQ(count[static_cast<size_t>(Status::Unknown)], 0u);
  EXPECT_GT(share(Status::Running), 0.9);
  EXPECT_GT(share(Status::Maintenance), 0.005);  // two multi-day outages a year: a few per cent
  EXPECT_LT(share(Status::Maintenance), 0.06);
  EXPECT_GT(count[static_cast<size_t>(Status::Alarm)], 0u);
  EXPECT_LT(share(Status::Alarm), 0.01);
  EXPECT_LT(share(Status::Stopped), 0.01);
}

TEST_F(SimulatorTest, MaintenanceDrawsLittlePowerAndCopperSmeltingIsPowerHeavy) {
  // Power intensity per yuan: the copper smelter far above the handset ODMs.
  const auto smelter = *reg_->find("jxcc_guixi_smelter");
  const auto huaqin = *reg_->find("huaqin");
  double kw_s = 0, kw_h = 0, maint_kw = 0, run_kw = 0;
  int maint = 0, run = 0;
  for (int h = 0; h < kHoursPerYear; ++h) {
    const int64_t t = k2022 + h * kHourMs;
    const auto ms = sim_->at(smelter, t), mh = sim_->at(huaqin, t);
    kw_s += ms.value(Metric::Power) / ms.value(Metric::Output);
    kw_h += mh.value(Metric::Power) / mh.value(Metric::Output);
    if (ms.status == Status::Maintenance) {
      maint_kw += ms.value(Metric::Power);
      ++maint;
    } else if (ms.status == Status::Running) {
      run_kw += ms.value(Metric::Power);
      ++run;
    }
  }
  EXPECT_GT(kw_s, 2.0 * kw_h);
  ASSERT_GT(run, 0);
  if (maint > 0) {
    EXPECT_LT(maint_kw / maint, 0.5 * run_kw / run);
  }
}

TEST_F(SimulatorTest, UnknownEnterpriseGivesNoValues) {
  const scene::Metrics m = sim_->at(static_cast<uint32_t>(reg_->size()), k2022);
  EXPECT_EQ(m.status, Status::Unknown);
  for (double v : m.v) EXPECT_EQ(v, 0.0);
}

// ---- The sim:// source ------------------------------------------------------------------------

TEST_F(SimulatorTest, SourceDeliversEveryEnterpriseAtTheRequestedSpeed) {
  const SimParams p{.speed = 3600.0, .start_ms = k2022 + 150 * kDayMs, .interval_s = 60.0};
  auto src = make_sim_source(*reg_, p, SourceOptions{});
  ASSERT_TRUE(src);
  EXPECT_EQ(src->now_ms(), p.start_ms);  // not started: the clock waits at the start

  using clock = std::chrono::steady_clock;
  const auto w0 = clock::now();
  ASSERT_TRUE(src->start());
  const int64_t s0 = src->now_ms();

  std::vector<Sample> got;
  std::vector<int> per(reg_->size(), 0);
  size_t seen = 0;
  while (clock::now() - w0 < std::chrono::seconds(5) && seen < reg_->size()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const size_t before = got.size();
    src->drain(got);
    for (size_t i = before; i < got.size(); ++i)
      if (per[got[i].enterprise]++ == 0) ++seen;
  }
  EXPECT_EQ(seen, reg_->size()) << "not every enterprise delivered a sample within 5 s";
  const double first_all_s = std::chrono::duration<double>(clock::now() - w0).count();
  std::printf("[ source] every enterprise within %.3f s wall\n", first_all_s);

  // The clock: about 3600 simulated seconds per wall second.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const int64_t s1 = src->now_ms();
  const double wall_s = std::chrono::duration<double>(clock::now() - w0).count();
  const double speed = static_cast<double>(s1 - s0) / 1000.0 / wall_s;
  std::printf("[ source] measured speed %.1f (requested 3600)\n", speed);
  EXPECT_NEAR(speed / 3600.0, 1.0, 0.2);

  const SourceStatus st = src->status();
  EXPECT_TRUE(st.simulated);
  EXPECT_EQ(st.kind, "simulator");
  EXPECT_EQ(st.url.rfind("sim://", 0), 0u) << st.url;
  EXPECT_EQ(st.state, ConnectionState::Connected);
  EXPECT_GE(st.clock_ms, s1);

  // Samples are the simulator's values at their own times, never in the future of the clock.
  src->drain(got);
  const Simulator sim(*reg_);
  for (size_t i = 0; i < got.size(); i += 97) {
    const Sample& s = got[i];
    const scene::Metrics want = sim.at(s.enterprise, s.m.ts_ms);
    EXPECT_EQ(s.m.v, want.v);
    EXPECT_EQ(s.m.status, want.status);
    EXPECT_GE(s.m.ts_ms, p.start_ms - static_cast<int64_t>(p.interval_s * 1000));
    EXPECT_LE(s.m.ts_ms, src->now_ms());
  }

  const auto t_stop = clock::now();
  src->stop();
  const double stop_ms = std::chrono::duration<double, std::milli>(clock::now() - t_stop).count();
  std::printf("[ source] stop() took %.2f ms\n", stop_ms);
  EXPECT_LT(stop_ms, 500.0);
  EXPECT_EQ(src->status().state, ConnectionState::Idle);
  const int64_t frozen = src->now_ms();
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(src->now_ms(), frozen);
}

TEST_F(SimulatorTest, SourceCoalescesAtHighSpeed) {
  // One simulated second per sample at 36 000 x: without coalescing that is 36 000 samples per
  // enterprise per wall second; coalesced, one per tick.
  auto src = make_sim_source(*reg_, SimParams{.speed = 36000.0, .start_ms = k2022 + 10 * kDayMs, .interval_s = 1.0},
                             SourceOptions{});
  ASSERT_TRUE(src->start());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  src->stop();
  std::vector<Sample> got;
  src->drain(got);
  std::vector<int> per(reg_->size(), 0);
  for (const Sample& s : got) ++per[s.enterprise];
  int most = 0;
  for (int c : per) most = std::max(most, c);
  std::printf("[ source] %zu samples in 1.5 s at 36000x, at most %d per enterprise\n", got.size(), most);
  EXPECT_GT(got.size(), reg_->size());
  EXPECT_LE(most, 100);
}

TEST_F(SimulatorTest, DestructorStopsARunningSource) {
  auto src = make_sim_source(*reg_, SimParams{.speed = 60.0}, SourceOptions{});
  ASSERT_TRUE(src->start());
  EXPECT_TRUE(src->start());  // starting twice is harmless
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const auto t0 = std::chrono::steady_clock::now();
  src.reset();
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(ms, 1000.0);
}

}  // namespace
}  // namespace parktwin::live
