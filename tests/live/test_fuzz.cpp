// Deterministic fuzzing of validation and the ingest pipeline: valid messages, and messages broken
// by byte flips, truncation, inserted JSON tokens, huge numbers, deep nesting, wrong types, random
// topics and field-by-field mutations. Nothing may crash or throw, every message ends up accepted
// or rejected under exactly one reason, and every valid unmutated message is accepted.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "ingest.h"
#include "parktwin/live/payload.h"

namespace parktwin::live {
namespace {

constexpr int64_t kNow = 1795600800000;  // 2026-11-25T10:00:00Z
constexpr int kIterations = 120000;      // one in four unmutated and valid
constexpr uint64_t kSeed = 20261125;

const char* const kTokens[] = {
    "{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "-", "0", "-0", "1e999", "-1e999", "1e308",
    "1e-999", "NaN", "Infinity", "-Infinity", "\"NaN\"", "0x10", "1.", ".5", "+1", "01", "99999999999999999999999",
    "18446744073709551616", "-9223372036854775809", "\"\\u0000\"", "\"\\ud800\"", "\\", "\xff", "\xc3\x28", "\t",
    "\"running\"", "\"v\":1", "\"ts\":", "{}", "[]", "/*c*/", "\"\\\"\"", "1e", "--1", "\"\\x41\""};

const char* const kFields[] = {"v", "enterprise", "ts", "output_yuan_h", "power_kw", "utilisation_pct",
                               "production", "unit", "status", "sim"};

class Fuzzer {
 public:
  explicit Fuzzer(const Registry& reg) : reg_(reg), rng_(kSeed) {}

  uint64_t below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool coin(int one_in = 2) { return below(static_cast<uint64_t>(one_in)) == 0; }
  double unit_interval() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

  /// A valid message: random enterprise, time inside the allowed window, values inside their bounds,
  /// fields in random order with random whitespace, ts as integer ms or RFC 3339.
  std::pair<std::string, std::string> valid() {
    const auto& e = reg_.enterprises()[below(reg_.size())];
    const ParseLimits lim;
    const int64_t ts = kNow - lim.max_age_ms + static_cast<int64_t>(below(static_cast<uint64_t>(lim.max_age_ms + lim.max_future_ms)));
    auto number = [&](double hi) {
      switch (below(6)) {
        case 0: return std::string("0");
        case 1: return std::to_string(below(static_cast<uint64_t>(hi)));
        default: {
          char b[40];
          std::snprintf(b, sizeof b, "%.17g", unit_interval() * hi);
          return std::string(b);
        }
      }
    };
    static const char* const statuses[] = {"running", "maintenance", "stopped", "alarm"};
    std::vector<std::pair<std::string, std::string>> f = {
        {"v", coin(4) ? "1.0" : "1"},
        {"enterprise", "\"" + e.id + "\""},
        {"ts", coin() ? std::to_string(ts) : "\"" + format_time(ts) + "\""},
        {"output_yuan_h", number(1e9)},
        {"power_kw", number(1e6)},
        {"utilisation_pct", number(150.0)},
        {"production", number(1e4)},
        {"status", std::string("\"") + statuses[below(4)] + "\""},
    };
    if (coin()) f.emplace_back("unit", "\"" + e.unit + "\"");
    if (coin()) f.emplace_back("sim", coin() ? "true" : "false");
    if (coin(5)) f.emplace_back("comment", "[1,{\"a\":null}]");
    std::shuffle(f.begin(), f.end(), rng_);
    std::string p = "{";
    for (size_t i = 0; i < f.size(); ++i) {
      if (i) p += coin(3) ? " , " : ",";
      p += "\"" + f[i].first + "\"" + (coin(3) ? " : " : ":") + f[i].second;
    }
    p += coin(4) ? "}\n" : "}";
    return {topic_for(e), p};
  }

  /// Breaks a valid message in one of many ways (the result may still happen to be valid).
  std::pair<std::string, std::string> mutated() {
    auto [topic, p] = valid();
    switch (below(12)) {
      case 0:  // byte flips
        for (uint64_t n = 1 + below(4); n-- > 0 && !p.empty();) p[below(p.size())] ^= static_cast<char>(1 + below(255));
        break;
      case 1:  // truncation
        p.resize(below(p.size()));
        break;
      case 2:  // random JSON tokens inserted
        for (uint64_t n = 1 + below(3); n-- > 0;) p.insert(below(p.size() + 1), kTokens[below(std::size(kTokens))]);
        break;
      case 3:  // a field's value replaced by a huge or odd number
        p = replace_value(p, kFields[below(std::size(kFields))],
                          kTokens[std::vector<size_t>{13, 14, 15, 16, 26, 27, 28, 12}[below(8)]]);
        break;
      case 4:  // deep nesting, as the whole payload or as one value
        p = coin() ? nest(static_cast<size_t>(below(3000))) : replace_value(p, kFields[below(std::size(kFields))], nest(below(500)));
        break;
      case 5:  // wrong types
        p = replace_value(p, kFields[below(std::size(kFields))], random_value(2));
        break;
      case 6:  // random topic
        topic = random_topic();
        break;
      case 7:  // a field removed, renamed or duplicated with another value
        p = field_edit(p);
        break;
      case 8:  // random bytes
        p.clear();
        for (uint64_t n = below(200); n-- > 0;) p += static_cast<char>(below(256));
        break;
      case 9:  // a random JSON document
        p = random_value(4);
        break;
      case 10:  // oversized by padding
        p.insert(1, "\"pad\":\"" + std::string(3000 + below(3000), 'x') + "\",");
        break;
      default:  // several mutations stacked
        p = replace_value(p, kFields[below(std::size(kFields))], random_value(1));
        if (!p.empty()) p[below(p.size())] = static_cast<char>(below(128));
        if (coin()) topic = random_topic();
        break;
    }
    return {topic, p};
  }

 private:
  /// Replaces the value after "key": with `value` (up to the next ',' or '}'), if the key is there.
  static std::string replace_value(std::string p, const std::string& key, const std::string& value) {
    const size_t k = p.find("\"" + key + "\"");
    if (k == std::string::npos) return p;
    const size_t colon = p.find(':', k);
    if (colon == std::string::npos) return p;
    size_t end = colon + 1;
    // Skip a string value as a whole, else up to the next separator.
    while (end < p.size() && p[end] == ' ') ++end;
    if (end < p.size() && p[end] == '"') end = p.find('"', end + 1) == std::string::npos ? p.size() : p.find('"', end + 1) + 1;
    while (end < p.size() && p[end] != ',' && p[end] != '}') ++end;
    return p.substr(0, colon + 1) + value + p.substr(end);
  }

  static std::string nest(size_t depth) {
    return std::string(depth, '[') + "1" + std::string(depth, ']');
  }

  std::string random_value(int depth) {
    switch (below(depth > 0 ? 8 : 6)) {
      case 0: return "null";
      case 1: return coin() ? "true" : "false";
      case 2: return std::to_string(static_cast<int64_t>(rng_()));
      case 3: return "\"" + std::string(kFields[below(std::size(kFields))]) + "\"";
      case 4: return kTokens[below(std::size(kTokens))];
      case 5: {
        char b[40];
        std::snprintf(b, sizeof b, "%.17g", (unit_interval() - 0.5) * std::pow(10.0, static_cast<double>(below(40))));
        return b;
      }
      case 6: {
        std::string a = "[";
        for (uint64_t n = below(4); n-- > 0;) {
          a += random_value(depth - 1);
          if (n) a += ',';
        }
        a += ']';
        return a;
      }
      default: {
        std::string o = "{";
        for (uint64_t n = below(5); n-- > 0;) {
          o += '"';
          o += kFields[below(std::size(kFields))];
          o += "\":";
          o += random_value(depth - 1);
          if (n) o += ',';
        }
        o += '}';
        return o;
      }
    }
  }

  std::string random_topic() {
    const auto& e = reg_.enterprises()[below(reg_.size())];
    switch (below(6)) {
      case 0: return "parktwin/v1/" + reg_.enterprises()[below(reg_.size())].park + "/" + e.id + "/metrics";
      case 1: return "parktwin/v1/+/" + e.id + "/metrics";
      case 2: return "parktwin/v2/" + e.park + "/" + e.id + "/metrics";
      case 3: return "parktwin/v1/" + e.park + "/" + e.id;
      case 4: return std::string(below(300), '/');
      default: {
        std::string t;
        for (uint64_t n = below(80); n-- > 0;) t += static_cast<char>(below(256));
        return t;
      }
    }
  }

  std::string field_edit(std::string p) {
    const std::string key = kFields[below(std::size(kFields))];
    const size_t k = p.find("\"" + key + "\"");
    if (k == std::string::npos) return p;
    switch (below(3)) {
      case 0:  // the value left out
        return replace_value(p, key, "");
      case 1:  // renamed (so it is missing)
        return p.replace(k + 1, key.size(), key + "_");
      default:  // duplicated with another value: the later one counts
        return p.insert(p.size() - (p.back() == '\n' ? 2 : 1), ",\"" + key + "\":" + random_value(1));
    }
  }

  const Registry& reg_;
  std::mt19937_64 rng_;
};

Registry fuzz_registry() {
  Registry reg;
  reg.add({.id = "huaqin", .park = "nanchang", .unit = "million units"});
  reg.add({.id = "jxcc", .park = "yingtan", .unit = "t"});
  reg.add({.id = "ganfeng", .park = "yichun", .unit = "t"});
  reg.add({.id = "catl_yichun", .park = "yichun", .unit = "GWh"});
  reg.add({.id = "omnivision", .park = "nanchang", .unit = "million units"});
  return reg;
}

TEST(Fuzz, EveryMessageAcceptedOrRejectedOnceAndValidOnesNeverLost) {
  const Registry reg = fuzz_registry();
  SourceOptions opt;
  opt.flood_per_enterprise_per_s = 0.0;  // flood limiting would refuse valid messages; it is tested on its own
  Ingest ingest(reg, opt);
  Fuzzer fz(reg);

  std::array<uint64_t, kRejectCount> reasons{};
  uint64_t valid_sent = 0, mutated_accepted = 0, drained = 0;
  std::vector<Sample> out;
  const IngestCounters& c = ingest.counters();
  for (int i = 0; i < kIterations; ++i) {
    const bool pristine = i % 4 == 0;
    const auto [topic, payload] = pristine ? fz.valid() : fz.mutated();

    ParseResult direct;
    try {
      direct = parse_message(topic, payload, reg, kNow);
    } catch (...) {
      FAIL() << "parse_message threw on message " << i;
    }
    if (const auto* rej = std::get_if<Rejected>(&direct)) {
      ASSERT_LT(static_cast<size_t>(rej->reason), kRejectCount);
      ASSERT_FALSE(rej->detail.empty());
      ++reasons[static_cast<size_t>(rej->reason)];
    }
    if (pristine) {
      ++valid_sent;
      ASSERT_TRUE(std::holds_alternative<Sample>(direct))
          << "valid message refused: " << std::get<Rejected>(direct).detail << "\n" << topic << "\n" << payload;
    } else if (std::holds_alternative<Sample>(direct)) {
      ++mutated_accepted;
    }

    // Through the pipeline: exactly one counter moves, and it agrees with the direct result.
    const uint64_t acc0 = c.accepted.load(), rej0 = c.rejected_total(), rec0 = c.received.load();
    try {
      ingest.offer(topic, payload, kNow, steady_ms());
    } catch (...) {
      FAIL() << "offer threw on message " << i;
    }
    ASSERT_EQ(c.received.load(), rec0 + 1);
    if (std::holds_alternative<Sample>(direct)) {
      ASSERT_EQ(c.accepted.load(), acc0 + 1) << i;
      ASSERT_EQ(c.rejected_total(), rej0) << i;
    } else {
      ASSERT_EQ(c.accepted.load(), acc0) << i;
      ASSERT_EQ(c.rejected_total(), rej0 + 1) << i;
      ASSERT_EQ(c.rejected[static_cast<size_t>(std::get<Rejected>(direct).reason)].load(),
                reasons[static_cast<size_t>(std::get<Rejected>(direct).reason)])
          << i;
    }
    if (i % 1000 == 999) {
      out.clear();
      ingest.drain(out);
      drained += out.size();
    }
  }
  out.clear();
  ingest.drain(out);
  drained += out.size();

  EXPECT_EQ(c.received.load(), static_cast<uint64_t>(kIterations));
  EXPECT_EQ(c.received.load(), c.accepted.load() + c.rejected_total());
  EXPECT_EQ(c.accepted.load(), valid_sent + mutated_accepted);
  EXPECT_EQ(drained, c.accepted.load());
  std::printf("[fuzz] %d messages: %llu valid sent, %llu mutated still valid, rejected:", kIterations,
              static_cast<unsigned long long>(valid_sent), static_cast<unsigned long long>(mutated_accepted));
  for (size_t r = 0; r < kRejectCount; ++r)
    if (reasons[r]) std::printf(" %s=%llu", reject_name(static_cast<Reject>(r)), static_cast<unsigned long long>(reasons[r]));
  std::printf("\n");
  // The mutations reach the interesting reasons, not only malformed_json.
  for (Reject r : {Reject::MalformedJson, Reject::Oversized, Reject::BadTopic, Reject::UnsupportedVersion,
                   Reject::UnknownEnterprise, Reject::MissingField, Reject::WrongType, Reject::NotFinite,
                   Reject::Negative, Reject::OutOfRange, Reject::UnknownStatus})
    EXPECT_GT(reasons[static_cast<size_t>(r)], 0u) << reject_name(r);
}

TEST(Fuzz, SameInputSameVerdict) {
  const Registry reg = fuzz_registry();
  Fuzzer fz(reg);
  for (int i = 0; i < 5000; ++i) {
    const auto [topic, payload] = fz.mutated();
    const auto a = parse_message(topic, payload, reg, kNow);
    const auto b = parse_message(topic, payload, reg, kNow);
    ASSERT_EQ(a.index(), b.index());
    if (const auto* ra = std::get_if<Rejected>(&a)) {
      ASSERT_EQ(ra->reason, std::get<Rejected>(b).reason);
      ASSERT_EQ(ra->detail, std::get<Rejected>(b).detail);
    } else {
      ASSERT_EQ(std::get<Sample>(a).m.v, std::get<Sample>(b).m.v);
    }
  }
}

}  // namespace
}  // namespace parktwin::live
