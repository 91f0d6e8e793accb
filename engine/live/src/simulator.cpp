// The built-in metric simulator. Everything below that is not a figure of the source document
// (FACTS.md) is a generated assumption: shift levels, weekly and seasonal shapes, outage and
// alarm statistics, power intensities and unit prices are plausible orders of magnitude chosen
// for a lively, readable twin, not measurements. Samples it produces carry the sim flag.
//
// Calibrated to the document (every figure read from assets/facts.json through scene::plan_facts()):
//   - output value: every enterprise's 2022 integral equals its dataset revenue, so the clusters
//     sum to 372.45 bn (Yingtan), 111.7 bn (Yichun) and 150 bn yuan (Nanchang);
//   - production: Yingtan smelters 1.2926 Mt electrolytic copper, the 14 Yichun lithium-salt
//     firms 140 kt lithium carbonate (equivalent), the 6 Nanchang handset makers 120 million;
//   - growth: output value of Yichun toward 350 bn yuan in 2026, of Nanchang and Yingtan along the
//     plan's 9 % a year; the handset makers' production toward 200 million handsets in 2026.
//
// Determinism: every random choice is a splitmix64 hash of (seed, enterprise, stream, time
// bucket). There is no generator state, so at() is a pure function and any moment can be
// evaluated in any order, on any thread.
#include "parktwin/live/simulator.h"

#include "parktwin/scene/facts.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <cmath>
#include <string_view>

namespace parktwin::live {

namespace {

using scene::Metric;
using scene::Status;

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr int64_t kWeekMs = 7 * kDayMs;
constexpr double kHoursPerYear = 8760.0;
/// The compounding year. 2022 has 365 days, so one growth year is exactly the calibration year.
constexpr double kYearMs = 365.0 * kDayMs;
/// China Standard Time (UTC+8, no daylight saving): shifts and holidays follow local time.
constexpr int64_t kChinaOffsetMs = 8 * kHourMs;

// ---- Hashing -------------------------------------------------------------------------------

/// splitmix64 finaliser: small, fast and identical on every platform.
constexpr uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Independent random streams per enterprise; each draws one hash per time bucket.
enum class Stream : uint64_t { Profile = 1, NoiseFast, NoiseSlow, Outage, Stop, Alarm };

uint64_t hash(uint64_t seed, uint32_t e, Stream s, int64_t bucket) {
  uint64_t h = mix(seed ^ 0x7061726b7477696eULL);  // "parktwin"
  h = mix(h ^ e);
  h = mix(h ^ static_cast<uint64_t>(s));
  return mix(h ^ static_cast<uint64_t>(bucket));
}

/// Uniform in [0, 1) from the top 53 bits.
double unit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }
/// A second, independent uniform from the same hash.
double unit2(uint64_t h) { return unit(mix(h)); }
double unit3(uint64_t h) { return unit(mix(mix(h))); }

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

double smoothstep(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3.0 - 2.0 * x);
}

/// Value noise in [-1, 1]: a random value at every knot, smoothly interpolated between knots.
double value_noise(uint64_t seed, uint32_t e, Stream s, int64_t t_ms, int64_t knot_ms) {
  const int64_t k = floor_div(t_ms, knot_ms);
  const double f = static_cast<double>(t_ms - k * knot_ms) / static_cast<double>(knot_ms);
  const double a = 2.0 * unit(hash(seed, e, s, k)) - 1.0;
  const double b = 2.0 * unit(hash(seed, e, s, k + 1)) - 1.0;
  return a + (b - a) * smoothstep(f);
}

// ---- Calendar ------------------------------------------------------------------------------

/// Days from 1970-01-01 to 1 January of `y` (proleptic Gregorian).
int64_t days_before_year(int64_t y) {
  auto leaps = [](int64_t yy) { return floor_div(yy, 4) - floor_div(yy, 100) + floor_div(yy, 400); };
  return 365 * (y - 1970) + leaps(y - 1) - leaps(1969);
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

struct LocalTime {
  int64_t year = 1970;
  double day_of_year = 0.0;  ///< 0 = 1 January 00:00, fractional
  double hour = 0.0;         ///< 0..24, fractional
  int weekday = 4;           ///< 0 = Sunday
  bool leap = false;
};

LocalTime local_time(int64_t t_ms) {
  const int64_t local = t_ms + kChinaOffsetMs;
  const int64_t day = floor_div(local, kDayMs);
  const int64_t ms_of_day = local - day * kDayMs;
  LocalTime lt;
  lt.hour = static_cast<double>(ms_of_day) / static_cast<double>(kHourMs);
  lt.weekday = static_cast<int>(((day + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  int64_t y = 1970 + floor_div(day * 400, 146097);          // 146097 days per 400 years
  while (days_before_year(y) > day) --y;
  while (days_before_year(y + 1) <= day) ++y;
  lt.year = y;
  lt.leap = is_leap(y);
  lt.day_of_year = static_cast<double>(day - days_before_year(y)) + static_cast<double>(ms_of_day) / kDayMs;
  return lt;
}

/// Day of year (0 = 1 January) of the Spring Festival (Chinese New Year's day): a calendar fact.
/// Outside the table the festival is taken as 5 February, the middle of its range.
double spring_festival_doy(int64_t year) {
  struct D { int16_t year; int8_t month, day; };
  static constexpr std::array<D, 21> kDates{{
      {2015, 2, 19}, {2016, 2, 8},  {2017, 1, 28}, {2018, 2, 16}, {2019, 2, 5},  {2020, 1, 25}, {2021, 2, 12},
      {2022, 2, 1},  {2023, 1, 22}, {2024, 2, 10}, {2025, 1, 29}, {2026, 2, 17}, {2027, 2, 6},  {2028, 1, 26},
      {2029, 2, 13}, {2030, 2, 3},  {2031, 1, 23}, {2032, 2, 11}, {2033, 1, 31}, {2034, 2, 19}, {2035, 2, 8},
  }};
  for (const D& d : kDates)
    if (d.year == year) return (d.month == 1 ? 0 : 31) + d.day - 1;
  return 31 + 4;
}

// ---- Enterprise profiles (generated assumptions) ------------------------------------------

}  // namespace

namespace detail {

/// How an enterprise runs over the day, week and year.
enum class Process {
  Continuous,  ///< smelters, lithium salts and battery materials: furnaces and kilns never stop
  ThreeShift,  ///< copper rolling and drawing, cell lines, LED epitaxy: three shifts, slower nights
  Assembly,    ///< electronics assembly and applications: labour-bound, deep night and holiday dips
};

struct Profile {
  Process process = Process::Assembly;
  double day = 1.0, swing = 0.9, night = 0.6;  ///< shift levels: 08–16, 16–24, 00–08 local time
  double changeover = 0.1;                     ///< dip at each shift change
  double saturday = 0.9, sunday = 0.7;
  double spring_festival = 0.6;  ///< depth of the Chinese New Year dip
  double golden_week = 0.2;      ///< depth of the National Day holiday dip (1–7 October)
  double heat = 0.03;            ///< depth of the summer heat and power-rationing dip
  double base_load = 0.2;        ///< share of power drawn whatever the activity
  double utilisation = 0.8;      ///< capacity utilisation at full activity (0.70–0.90)
};

}  // namespace detail

namespace {

using detail::Process;
using detail::Profile;

bool contains(std::string_view s, std::string_view what) { return s.find(what) != std::string_view::npos; }

Process process_of(const EnterpriseInfo& info) {
  if (info.segment == "upstream") {
    if (info.park == "yingtan" || info.park == "yichun") return Process::Continuous;
    return Process::ThreeShift;  // substrates and process equipment
  }
  if (info.segment == "midstream") {
    if (info.park == "yichun") return Process::Continuous;  // cathode, anode, separator, electrolyte
    if (info.park == "yingtan") return Process::ThreeShift;
    if (contains(info.product, "epitax") || contains(info.product, "circuit")) return Process::ThreeShift;
    return Process::Assembly;
  }
  if (info.park == "yichun" && contains(info.product, "cells")) return Process::ThreeShift;
  return Process::Assembly;
}

Profile profile_of(const EnterpriseInfo& info, uint64_t seed, uint32_t e) {
  Profile p;
  p.process = process_of(info);
  switch (p.process) {
    case Process::Continuous:
      p.swing = 0.99, p.night = 0.96, p.changeover = 0.02, p.saturday = 1.0, p.sunday = 0.97;
      p.spring_festival = 0.12, p.golden_week = 0.03, p.heat = 0.07, p.base_load = 0.55;
      break;
    case Process::ThreeShift:
      p.swing = 0.95, p.night = 0.85, p.changeover = 0.07, p.saturday = 0.95, p.sunday = 0.85;
      p.spring_festival = 0.35, p.golden_week = 0.12, p.heat = 0.05, p.base_load = 0.35;
      break;
    case Process::Assembly:
      p.swing = 0.85, p.night = 0.55, p.changeover = 0.12, p.saturday = 0.9, p.sunday = 0.7;
      p.spring_festival = 0.65, p.golden_week = 0.25, p.heat = 0.03, p.base_load = 0.2;
      break;
  }
  p.utilisation = 0.70 + 0.20 * unit(hash(seed, e, Stream::Profile, 0));
  return p;
}

/// Shift level at local hour h: flat within a shift, blended over half an hour either side of a
/// change, with a dip at the change itself (handover, cleaning, line checks).
double shift_level(const Profile& p, double h) {
  const double levels[3] = {p.night, p.day, p.swing};  // shifts starting at 0, 8, 16
  const int s = std::clamp(static_cast<int>(h / 8.0), 0, 2);
  const double into = h - 8.0 * s;  // hours into the shift, 0..8
  double level = levels[s];
  if (into < 0.5) {
    const double prev = levels[(s + 2) % 3];
    level = prev + (level - prev) * smoothstep(0.5 + into);
  } else if (into > 7.5) {
    const double next = levels[(s + 1) % 3];
    level = level + (next - level) * smoothstep(into - 7.5);
  }
  const double d = std::min(into, 8.0 - into);  // hours to the nearest change
  if (d < 0.5) level *= 1.0 - p.changeover * (1.0 - d / 0.5) * (1.0 - d / 0.5);
  return level;
}

double seasonal_level(const Profile& p, const LocalTime& lt) {
  // Spring Festival: output winds down in the fortnight before as workers travel home, holds low
  // through the first week, and recovers over the following weeks.
  const double x = lt.day_of_year - spring_festival_doy(lt.year);
  double dip = 0.0;
  if (x > -14.0 && x < -3.0)
    dip = smoothstep((x + 14.0) / 11.0);
  else if (x >= -3.0 && x <= 7.0)
    dip = 1.0;
  else if (x > 7.0 && x < 25.0)
    dip = 1.0 - smoothstep((x - 7.0) / 18.0);
  double level = 1.0 - p.spring_festival * dip;
  // National Day holiday, 1–7 October.
  const double oct1 = 273.0 + (lt.leap ? 1.0 : 0.0);
  if (lt.day_of_year >= oct1 && lt.day_of_year < oct1 + 7.0) level *= 1.0 - p.golden_week;
  // Summer heat: air conditioning load peaks, grids ration industrial power (as in August 2022).
  const double z = (lt.day_of_year - 212.0) / 20.0;
  level *= 1.0 - p.heat * std::exp(-z * z);
  return level;
}

struct Activity {
  double level = 0.0;  ///< 1 = full rate (day shift, weekday, no dips)
  Status status = Status::Running;
};

Activity activity(const Profile& p, const SimulatorOptions& opt, uint32_t e, int64_t t) {
  const uint64_t seed = opt.seed;
  // Planned maintenance: the year is cut into outages_per_year slots, each holding one outage of
  // 2–7 days at a random place inside it (never crossing the slot, so one hash decides).
  if (opt.outages_per_year > 0.0) {
    const double slot_ms = kYearMs / opt.outages_per_year;
    const auto slot = static_cast<int64_t>(std::floor(static_cast<double>(t) / slot_ms));
    const uint64_t h = hash(seed, e, Stream::Outage, slot);
    const double duration = std::min((2.0 + 5.0 * unit(h)) * kDayMs, 0.5 * slot_ms);
    const double begin = static_cast<double>(slot) * slot_ms + unit2(h) * (slot_ms - duration);
    const auto tt = static_cast<double>(t);
    if (tt >= begin && tt < begin + duration) return {0.02, Status::Maintenance};
  }
  // Unplanned stops (supply shortage, a power-rationing order): about 0.4 a year, 6–48 hours.
  // At most one starts per week; the one of the previous week may still run.
  {
    constexpr double kStopsPerWeek = 0.4 * 7.0 / 365.0;
    const int64_t w = floor_div(t, kWeekMs);
    for (int64_t b = w; b >= w - 1; --b) {
      const uint64_t h = hash(seed, e, Stream::Stop, b);
      if (unit(h) >= kStopsPerWeek) continue;
      const auto begin = b * kWeekMs + static_cast<int64_t>(unit2(h) * kWeekMs);
      const auto duration = static_cast<int64_t>((6.0 + 42.0 * unit3(h)) * kHourMs);
      if (t >= begin && t < begin + duration) return {0.0, Status::Stopped};
    }
  }
  // Regular pattern: shift x week x season x smooth noise (hours and days).
  const LocalTime lt = local_time(t);
  double level = shift_level(p, lt.hour);
  if (lt.weekday == 0) level *= p.sunday;
  if (lt.weekday == 6) level *= p.saturday;
  level *= seasonal_level(p, lt);
  level *= 1.0 + 0.05 * value_noise(seed, e, Stream::NoiseFast, t, 6 * kHourMs) +
           0.06 * value_noise(seed, e, Stream::NoiseSlow, t, 5 * kDayMs);
  // Alarms: a fault that slows the line to 30–80 % for 5 minutes to 4 hours (log-uniform). At most
  // one starts per 6-hour bucket, with probability alarm_rate_per_day / 4.
  {
    const double p_alarm = std::clamp(opt.alarm_rate_per_day * 0.25, 0.0, 1.0);
    const int64_t bucket_ms = 6 * kHourMs;
    const int64_t k = floor_div(t, bucket_ms);
    for (int64_t b = k; b >= k - 1; --b) {
      const uint64_t h = hash(seed, e, Stream::Alarm, b);
      if (unit(h) >= p_alarm) continue;
      const auto begin = b * bucket_ms + static_cast<int64_t>(unit2(h) * bucket_ms);
      const auto duration = static_cast<int64_t>(5.0 * kMinuteMs * std::pow(48.0, unit3(h)));
      if (t >= begin && t < begin + duration) return {level * (0.3 + 0.5 * unit(mix(h ^ 0xa1))), Status::Alarm};
    }
  }
  return {std::max(level, 0.0), Status::Running};
}

// ---- Calibration (document figures) and generated unit economics --------------------------

/// Compound growth a year from a base figure to a target figure of the document (their years apart).
double growth_between(const scene::Fact& base, const scene::Fact& target) {
  return std::pow(target.value / base.value, 1.0 / static_cast<double>(target.year - base.year));
}

/// Annual growth of a park's output value: Yichun along its revenue target (111.7 -> 350 bn, the
/// only revenue target the document gives), the others along the plan's "9" (the same line the
/// dashboard draws as their derived target, so simulated revenue and derived target agree).
double output_growth(std::string_view park) {
  const scene::Facts& doc = scene::plan_facts();
  if (park == "yichun")
    return growth_between(doc.get("yichun.lithium_revenue_2022"), doc.get("yichun.lithium_revenue_target_2026"));
  return 1.0 + doc.value("plan.growth_per_year");
}

bool is_copper_smelter(const EnterpriseInfo& i) { return i.park == "yingtan" && i.segment == "upstream" && i.unit == "t"; }
bool is_lithium_salt(const EnterpriseInfo& i) {
  // The 14 lithium-salt firms produce carbonate or hydroxide; the document's 140 kt counts lithium
  // carbonate, so their output is expressed as lithium carbonate equivalent.
  return i.park == "yichun" && (contains(i.product, "lithium carbonate") || contains(i.product, "lithium hydroxide"));
}
bool is_handset_maker(const EnterpriseInfo& i) {
  return i.park == "nanchang" && (contains(i.product, "smartphone") || contains(i.product, "handset"));
}

/// Generated unit prices (yuan per unit of production) for firms whose production the document
/// does not total: 2022 orders of magnitude. An entry applies when the product names its keyword
/// and the unit matches (so "rod" cannot catch "LED lighting products"); the first one wins.
double unit_price(const EnterpriseInfo& i) {
  struct P { std::string_view keyword, unit; double yuan; };
  static constexpr P kByProduct[] = {
      // Yingtan copper products, per tonne (cathode copper traded at about 67 000 yuan/t in 2022).
      {"oxygen-free", "t", 70'000}, {"enamelled", "t", 82'000}, {"clad", "t", 76'000},
      {"lead frame", "t", 120'000}, {"strip", "t", 85'000}, {"foil", "t", 95'000}, {"bar", "t", 56'000},
      {"rod", "t", 64'000}, {"wire", "t", 68'000},
      // Yingtan applications, per million units.
      {"heat-dissipation", "million units", 40e6}, {"connectors and terminals", "million units", 2e6},
      {"valves", "million units", 60e6},
      // Yichun materials per tonne or million m2, cells per GWh, storage per MWh, packs per million.
      {"lepidolite", "t", 6'000}, {"LFP", "t", 150'000}, {"graphite", "t", 50'000}, {"electrolyte", "t", 90'000},
      {"separator", "million m2", 1.5e6}, {"cells", "GWh", 0.8e9}, {"energy-storage", "MWh", 1.2e6},
      {"two-wheeler", "million units", 800e6},
      // Nanchang: equipment per unit, wafers per million, displays and boards per m2, the rest per million.
      {"MOCVD", "units", 15e6}, {"substrates", "million wafers", 150e6}, {"epitaxial", "million wafers", 1.5e9},
      {"LED displays", "m2", 3'000}, {"circuit boards", "m2", 800}, {"SMT", "million boards", 15e6},
      {"Mini/Micro LED display", "million units", 500e6}, {"LED packaging", "million units", 20e6},
      {"automotive LED", "million units", 300e6}, {"LED lighting", "million units", 30e6},
      {"antennas", "million units", 10e6}, {"chargers", "million units", 25e6}, {"camera", "million units", 60e6},
      {"acoustic", "million units", 8e6}, {"touch display", "million units", 120e6},
      {"battery packs", "million units", 40e6}, {"structural", "million units", 15e6},
      {"cables", "million units", 3e6},
  };
  for (const P& p : kByProduct)
    if (i.unit == p.unit && contains(i.product, p.keyword)) return p.yuan;
  // Fallback by unit, for enterprises added outside the default dataset.
  if (i.unit == "t") return 50'000;
  if (i.unit == "GWh") return 0.8e9;
  if (i.unit == "MWh") return 1.2e6;
  if (i.unit == "m2") return 1'000;
  if (contains(i.unit, "million")) return 50e6;
  return 1'000;
}

/// Generated electricity intensity, kWh per yuan of output: copper smelting and electrolysis,
/// graphite anode (graphitisation), lithium salts and LED epitaxy and substrates are power-heavy
/// per yuan; electronics assembly is light. Copper entries apply to tonnes only.
double power_intensity_kwh_per_yuan(const EnterpriseInfo& i) {
  struct P { std::string_view keyword, unit; double kwh; };
  static constexpr P kByProduct[] = {
      {"graphite", "t", 0.15},       {"cells", "GWh", 0.035},         {"electrolyte", "t", 0.012},
      {"lepidolite", "t", 0.04},     {"lithium carbonate", "t", 0.035}, {"lithium hydroxide", "t", 0.035},
      {"LFP", "t", 0.03},            {"separator", "million m2", 0.03}, {"foil", "t", 0.03},
      {"cathode copper", "t", 0.016}, {"strip", "t", 0.012},           {"lead frame", "t", 0.012},
      {"wire", "t", 0.01},           {"rod", "t", 0.008},             {"bar", "t", 0.008},
      {"epitaxial", "million wafers", 0.05}, {"substrates", "million wafers", 0.06},
      {"circuit boards", "m2", 0.02},
  };
  for (const P& p : kByProduct)
    if (i.unit == p.unit && contains(i.product, p.keyword)) return p.kwh;
  if (i.park == "nanchang") return 0.004;  // assembly, modules, SMT
  return 0.01;
}

/// A calibration: the per-enterprise values at full activity.
struct Calibration {
  std::vector<double> output, production, power;
};
std::mutex& calibration_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, Calibration>& calibrations() {
  static std::map<std::string, Calibration> c;
  return c;
}
/// Everything a calibration depends on, as text.
std::string calibration_key(const std::vector<EnterpriseInfo>& list, const SimulatorOptions& o) {
  std::string k;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%llu|%lld|%a|%a", static_cast<unsigned long long>(o.seed),
                static_cast<long long>(o.base_year_start_ms), o.alarm_rate_per_day, o.outages_per_year);
  k += buf;
  for (const EnterpriseInfo& i : list) {
    std::snprintf(buf, sizeof buf, "|%a|", i.revenue_2022);
    k += i.id + "," + i.park + "," + i.segment + "," + i.product + "," + i.unit + buf;
  }
  return k;
}

}  // namespace

Simulator::Simulator(const Registry& reg, SimulatorOptions opt) : reg_(reg), opt_(opt) {
  const auto& list = reg_.enterprises();
  const size_t n = list.size();
  nominal_output_yuan_h_.assign(n, 0.0);
  nominal_power_kw_.assign(n, 0.0);
  nominal_production_h_.assign(n, 0.0);
  growth_per_year_.resize(n);
  production_growth_per_year_.resize(n);
  profiles_.resize(n);
  // Handset makers' production follows the handset target (120 -> 200 million, 2022 -> 2026): fewer
  // yuan per handset each year, as the output value keeps to its own line.
  const scene::Facts& facts = scene::plan_facts();
  const double handset_growth =
      growth_between(facts.get("nanchang.handsets_2022"), facts.get("nanchang.handsets_target_2026"));
  for (uint32_t e = 0; e < n; ++e) {
    growth_per_year_[e] = output_growth(list[e].park);
    production_growth_per_year_[e] = is_handset_maker(list[e]) ? handset_growth : growth_per_year_[e];
    profiles_[e] = profile_of(list[e], opt_.seed, e);
  }

  // Annual 2022 production: shares of the document's totals by revenue where it gives one,
  // revenue / generated unit price otherwise.
  double copper_rev = 0.0, lithium_rev = 0.0, handset_rev = 0.0;
  for (const EnterpriseInfo& i : list) {
    const double r = std::max(i.revenue_2022, 0.0);
    if (is_copper_smelter(i)) copper_rev += r;
    if (is_lithium_salt(i)) lithium_rev += r;
    if (is_handset_maker(i)) handset_rev += r;
  }
  auto share = [](double total, double r, double sum) { return sum > 0.0 ? total * r / sum : 0.0; };
  const scene::Facts& doc = scene::plan_facts();
  const double copper_t = doc.value("yingtan.electrolytic_copper_2022");             // t electrolytic copper
  const double lithium_t = doc.value("yichun.lithium_carbonate_2022");               // t lithium carbonate (equivalent)
  const double handsets_m = doc.value("nanchang.handsets_2022") / 1e6;               // the dataset's unit: million units

  // The calibration is a pure function of the enterprises and the options: computed once per
  // process for each (seed, options, registry) and shared by every simulator built on them (the
  // source's and the KPI window's), and spread over the cores, since it weighs a whole year.
  const std::string key = calibration_key(list, opt_);
  {
    std::lock_guard<std::mutex> lock(calibration_mutex());
    if (const auto it = calibrations().find(key); it != calibrations().end()) {
      nominal_output_yuan_h_ = it->second.output;
      nominal_production_h_ = it->second.production;
      nominal_power_kw_ = it->second.power;
      return;
    }
  }
  auto calibrate = [&](uint32_t e) {
    const EnterpriseInfo& i = list[e];
    const double revenue = std::max(i.revenue_2022, 0.0);
    double production = 0.0;
    if (is_copper_smelter(i))
      production = share(copper_t, revenue, copper_rev);
    else if (is_lithium_salt(i))
      production = share(lithium_t, revenue, lithium_rev);
    else if (is_handset_maker(i))
      production = share(handsets_m, revenue, handset_rev);
    else
      production = revenue / unit_price(i);

    // Mean of growth x activity over 2022, by the same two-point rule per hour as hour_mean():
    // dividing by it makes the 2022 integral of output the revenue, outages, stops, alarms,
    // holidays, shift changes and noise included.
    const Profile& p = profiles_[e];
    double sum = 0.0, sum_production = 0.0;
    for (int h = 0; h < static_cast<int>(kHoursPerYear); ++h)
      for (const int64_t at : {kHourMs / 4, 3 * kHourMs / 4}) {
        const int64_t t = opt_.base_year_start_ms + h * kHourMs + at;
        const double level = activity(p, opt_, e, t).level;
        sum += 0.5 * growth(e, t) * level;
        sum_production += 0.5 * production_growth(e, t) * level;
      }
    const double norm = sum > 0.0 ? sum / kHoursPerYear : 1.0;
    const double norm_production = sum_production > 0.0 ? sum_production / kHoursPerYear : 1.0;

    // The vectors hold the values at full activity (level 1).
    nominal_output_yuan_h_[e] = revenue / kHoursPerYear / norm;
    nominal_production_h_[e] = production / kHoursPerYear / norm_production;
    // Power: base load plus a part proportional to activity, scaled so the 2022 mean is the
    // intensity times the mean hourly output value.
    const double mean_kw = power_intensity_kwh_per_yuan(i) * revenue / kHoursPerYear;
    nominal_power_kw_[e] = mean_kw / (p.base_load + (1.0 - p.base_load) * norm);
  };
  // Every enterprise writes only its own slots; activity() and growth() are pure.
  const uint32_t workers = std::clamp<uint32_t>(std::thread::hardware_concurrency(), 1u, 8u);
  std::vector<std::thread> pool;
  for (uint32_t w = 1; w < workers; ++w)
    pool.emplace_back([&, w] {
      for (uint32_t e = w; e < n; e += workers) calibrate(e);
    });
  for (uint32_t e = 0; e < n; e += workers) calibrate(e);
  for (std::thread& t : pool) t.join();
  std::lock_guard<std::mutex> lock(calibration_mutex());
  calibrations().emplace(key, Calibration{nominal_output_yuan_h_, nominal_production_h_, nominal_power_kw_});
}

Simulator::~Simulator() = default;

scene::Metrics Simulator::hour_mean(uint32_t e, int64_t hour_start_ms) const {
  const scene::Metrics a = at(e, hour_start_ms + kHourMs / 4), b = at(e, hour_start_ms + 3 * kHourMs / 4);
  scene::Metrics m = b;
  for (size_t i = 0; i < scene::kMetricCount; ++i) m.v[i] = 0.5 * (a.v[i] + b.v[i]);
  return m;
}

double Simulator::growth(uint32_t e, int64_t t_ms) const {
  return e < reg_.size() ? compound(growth_per_year_[e], t_ms) : 1.0;
}

double Simulator::production_growth(uint32_t e, int64_t t_ms) const {
  return e < reg_.size() ? compound(production_growth_per_year_[e], t_ms) : 1.0;
}

double Simulator::compound(double g, int64_t t_ms) const {
  // Continuous compounding from base_year_start, scaled by ln g / (g - 1) so the mean over the
  // base year is exactly 1: the base year keeps its figure and each later year is g times the one
  // before (2026 = g^4 x 2022, the plan's targets).
  const double years = static_cast<double>(t_ms - opt_.base_year_start_ms) / kYearMs;
  const double lg = std::log(g);
  const double scale = lg > 1e-12 ? lg / (g - 1.0) : 1.0;
  return scale * std::exp(lg * years);
}

const char* sim_range_text() { return "the simulator covers 2000-01-01 to 2100-01-01 (UTC)"; }

scene::Metrics Simulator::at(uint32_t e, int64_t t_ms) const {
  scene::Metrics m;
  if (!sim_covers(t_ms)) return m;  // no sample
  m.ts_ms = t_ms;
  if (e >= reg_.size()) return m;  // status Unknown, no values
  const Profile& p = profiles_[e];
  const Activity a = activity(p, opt_, e, t_ms);
  const double g = growth(e, t_ms);
  double power_share = p.base_load + (1.0 - p.base_load) * a.level;
  if (a.status == Status::Maintenance) power_share = 0.3 * p.base_load;  // lighting, HVAC, crews
  if (a.status == Status::Stopped) power_share = 0.15 * p.base_load;     // standby
  m.v[static_cast<size_t>(Metric::Output)] = nominal_output_yuan_h_[e] * g * a.level;
  m.v[static_cast<size_t>(Metric::Power)] = nominal_power_kw_[e] * g * power_share;
  m.v[static_cast<size_t>(Metric::Utilisation)] = std::clamp(100.0 * p.utilisation * a.level, 0.0, 110.0);
  m.v[static_cast<size_t>(Metric::Production)] = nominal_production_h_[e] * production_growth(e, t_ms) * a.level;
  m.status = a.status;
  m.simulated = true;
  if (!scene::finite_metrics(m)) return scene::Metrics{};
  return m;
}

}  // namespace parktwin::live
