// Payload v1 validation: every reject reason reachable and counted once, exact values for valid
// messages, RFC 3339 times, the topic scheme and the make_payload round trip.
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "ingest.h"
#include "parktwin/live/payload.h"

namespace parktwin::live {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1795600800000;  // 2026-11-25T10:00:00Z
const std::string kTopic = "parktwin/v1/nanchang/huaqin/metrics";

Registry test_registry() {
  Registry reg;
  reg.add({.id = "huaqin", .park = "nanchang", .unit = "million units"});
  reg.add({.id = "jiangxi_copper", .park = "yingtan", .unit = "t"});
  reg.add({.id = "ganfeng", .park = "yichun", .unit = "t"});
  return reg;
}

json valid_json() {
  return json{{"v", 1},
              {"enterprise", "huaqin"},
              {"ts", kNow - 1000},
              {"output_yuan_h", 1234567.25},
              {"power_kw", 8500.0},
              {"utilisation_pct", 82.5},
              {"production", 1520.0},
              {"unit", "million units"},
              {"status", "running"},
              {"sim", true}};
}

/// The valid payload with one field replaced (or removed when `value` is discarded).
std::string with(const char* key, const json& value) {
  json j = valid_json();
  if (value.is_discarded())
    j.erase(key);
  else
    j[key] = value;
  return j.dump();
}
const json kRemove = json(json::value_t::discarded);

struct Case {
  const char* what;
  std::string topic, payload;
  Reject expect;
};

std::vector<Case> reject_cases() {
  std::vector<Case> c;
  auto add = [&](const char* what, std::string payload, Reject r, std::string topic = kTopic) {
    c.push_back({what, std::move(topic), std::move(payload), r});
  };
  add("not json", "{\"v\":1,", Reject::MalformedJson);
  add("empty", "", Reject::MalformedJson);
  add("array", "[1,2,3]", Reject::MalformedJson);
  add("bare number", "42", Reject::MalformedJson);
  add("trailing garbage", valid_json().dump() + "}", Reject::MalformedJson);
  add("invalid utf-8", "{\"v\":1,\"enterprise\":\"hua\xff\"}", Reject::MalformedJson);
  add("oversized", with("note", std::string(5000, 'x')), Reject::Oversized);
  add("v2 topic", valid_json().dump(), Reject::BadTopic, "parktwin/v2/nanchang/huaqin/metrics");
  add("short topic", valid_json().dump(), Reject::BadTopic, "parktwin/v1/nanchang/huaqin");
  add("long topic", valid_json().dump(), Reject::BadTopic, "parktwin/v1/nanchang/huaqin/metrics/x");
  add("wildcard topic", valid_json().dump(), Reject::BadTopic, "parktwin/v1/+/huaqin/metrics");
  add("empty level", valid_json().dump(), Reject::BadTopic, "parktwin/v1//huaqin/metrics");
  add("other suffix", valid_json().dump(), Reject::BadTopic, "parktwin/v1/nanchang/huaqin/status");
  add("v missing", with("v", kRemove), Reject::UnsupportedVersion);
  add("v 2", with("v", 2), Reject::UnsupportedVersion);
  add("v string", with("v", "1"), Reject::UnsupportedVersion);
  add("enterprise differs", with("enterprise", "ganfeng"), Reject::UnknownEnterprise);
  add("unknown enterprise", with("enterprise", "nobody"), Reject::UnknownEnterprise,
      "parktwin/v1/nanchang/nobody/metrics");
  add("wrong park", valid_json().dump(), Reject::UnknownEnterprise, "parktwin/v1/yichun/huaqin/metrics");
  for (const char* f : {"enterprise", "ts", "output_yuan_h", "power_kw", "utilisation_pct", "production", "status"})
    add(f, with(f, kRemove), Reject::MissingField);
  add("number as string", with("power_kw", "8500"), Reject::WrongType);
  add("NaN as string", with("power_kw", "NaN"), Reject::WrongType);
  add("number as bool", with("output_yuan_h", true), Reject::WrongType);
  add("number as null", with("production", nullptr), Reject::WrongType);
  add("number as object", with("utilisation_pct", json::object()), Reject::WrongType);
  add("enterprise as number", with("enterprise", 5), Reject::WrongType);
  add("status as number", with("status", 1), Reject::WrongType);
  add("ts as bool", with("ts", false), Reject::WrongType);
  add("ts as text", with("ts", "yesterday"), Reject::WrongType);
  add("ts invalid date", with("ts", "2026-02-30T00:00:00Z"), Reject::WrongType);
  add("unit as number", with("unit", 5), Reject::WrongType);
  add("sim as string", with("sim", "yes"), Reject::WrongType);
  std::string overflow = valid_json().dump();
  overflow.replace(overflow.find("8500.0"), 6, "1e999");
  add("overflowing number", overflow, Reject::NotFinite);
  add("overflow in broken JSON", overflow.substr(0, overflow.size() - 1), Reject::MalformedJson);
  std::string ts_overflow = with("ts", 1.5);
  ts_overflow.replace(ts_overflow.find("1.5"), 3, "-1e999");
  add("overflowing ts", ts_overflow, Reject::NotFinite);
  add("negative output", with("output_yuan_h", -1.0), Reject::Negative);
  add("negative production", with("production", -0.001), Reject::Negative);
  add("utilisation above 150", with("utilisation_pct", 150.5), Reject::OutOfRange);
  add("absurd power", with("power_kw", 2e13), Reject::OutOfRange);
  add("ts beyond int64", with("ts", uint64_t{18000000000000000000ULL}), Reject::OutOfRange);
  add("status unknown", with("status", "exploded"), Reject::UnknownStatus);
  add("status 'unknown'", with("status", "unknown"), Reject::UnknownStatus);
  add("status case", with("status", "Running"), Reject::UnknownStatus);
  add("future", with("ts", kNow + 5 * 60 * 1000 + 1), Reject::TimestampFuture);
  add("past", with("ts", kNow - 7LL * 24 * 3600 * 1000 - 1), Reject::TimestampPast);
  add("before 1970", with("ts", -5), Reject::TimestampPast);
  return c;
}

TEST(Payload, ValidMessageAcceptedWithExactValues) {
  const Registry reg = test_registry();
  const auto r = parse_message(kTopic, valid_json().dump(), reg, kNow);
  ASSERT_TRUE(std::holds_alternative<Sample>(r)) << std::get<Rejected>(r).detail;
  const Sample& s = std::get<Sample>(r);
  EXPECT_EQ(s.enterprise, 0u);
  EXPECT_EQ(s.m.ts_ms, kNow - 1000);
  EXPECT_EQ(s.m.value(scene::Metric::Output), 1234567.25);
  EXPECT_EQ(s.m.value(scene::Metric::Power), 8500.0);
  EXPECT_EQ(s.m.value(scene::Metric::Utilisation), 82.5);
  EXPECT_EQ(s.m.value(scene::Metric::Production), 1520.0);
  EXPECT_EQ(s.m.status, scene::Status::Running);
  EXPECT_TRUE(s.m.simulated);
}

TEST(Payload, SimulatedMarkIsCarriedAndOptional) {
  const Registry reg = test_registry();
  const auto off = parse_message(kTopic, with("sim", false), reg, kNow);
  ASSERT_TRUE(std::holds_alternative<Sample>(off));
  EXPECT_FALSE(std::get<Sample>(off).m.simulated);
  const auto absent = parse_message(kTopic, with("sim", kRemove), reg, kNow);
  ASSERT_TRUE(std::holds_alternative<Sample>(absent));
  EXPECT_FALSE(std::get<Sample>(absent).m.simulated);
}

TEST(Payload, ValidVariantsAccepted) {
  const Registry reg = test_registry();
  const std::vector<std::string> ok = {
      with("ts", "2026-11-25T09:59:59Z"),
      with("ts", "2026-11-25T17:59:59.250+08:00"),
      with("unit", kRemove),
      with("sim", kRemove),
      with("extra_field", json::array({1, 2})),  // unknown fields are ignored
      valid_json().dump().insert(1, "\"extra\":1e999,"),  // even when their number overflows
      with("utilisation_pct", 150),              // the bound itself is allowed
      with("output_yuan_h", 0),
      with("power_kw", 1e13),
      with("v", 1.0),
      with("ts", kNow + 5 * 60 * 1000),          // exactly the allowed skew
      with("ts", kNow - 7LL * 24 * 3600 * 1000),  // exactly the allowed age
      with("status", "maintenance"),
      with("status", "stopped"),
      with("status", "alarm"),
  };
  for (const auto& p : ok) {
    const auto r = parse_message(kTopic, p, reg, kNow);
    EXPECT_TRUE(std::holds_alternative<Sample>(r)) << p << " -> " << std::get<Rejected>(r).detail;
  }
  const auto frac = parse_message(kTopic, with("ts", "2026-11-25T17:59:59.250+08:00"), reg, kNow);
  EXPECT_EQ(std::get<Sample>(frac).m.ts_ms, kNow - 750);
  // Another enterprise in another park.
  json j = valid_json();
  j["enterprise"] = "ganfeng";
  const auto g = parse_message("parktwin/v1/yichun/ganfeng/metrics", j.dump(), reg, kNow);
  ASSERT_TRUE(std::holds_alternative<Sample>(g));
  EXPECT_EQ(std::get<Sample>(g).enterprise, 2u);
}

TEST(Payload, EveryRejectReasonReachableAndCountedOnce) {
  const Registry reg = test_registry();
  std::array<bool, kRejectCount> seen{};
  for (const Case& c : reject_cases()) {
    const auto r = parse_message(c.topic, c.payload, reg, kNow);
    ASSERT_TRUE(std::holds_alternative<Rejected>(r)) << c.what;
    const Rejected& rej = std::get<Rejected>(r);
    EXPECT_EQ(rej.reason, c.expect) << c.what << ": got " << reject_name(rej.reason) << " (" << rej.detail << ")";
    EXPECT_FALSE(rej.detail.empty()) << c.what;
    seen[static_cast<size_t>(c.expect)] = true;

    // Through the pipeline: counted once, under that reason only, with the detail as last error.
    Ingest ingest(reg, SourceOptions{});
    ingest.offer(c.topic, c.payload, kNow, steady_ms());
    SourceStatus st;
    ingest.fill_status(st);
    EXPECT_EQ(st.received, 1u) << c.what;
    EXPECT_EQ(st.accepted, 0u) << c.what;
    for (size_t i = 0; i < kRejectCount; ++i)
      EXPECT_EQ(st.rejected[i], i == static_cast<size_t>(c.expect) ? 1u : 0u) << c.what << " reason " << i;
    EXPECT_EQ(st.last_error.rfind(std::string(reject_name(c.expect)) + ": ", 0), 0u) << st.last_error;
  }

  // Flood is the pipeline's own: a third message inside the burst of a 1/s limit.
  SourceOptions opt;
  opt.flood_per_enterprise_per_s = 1.0;
  Ingest ingest(reg, opt);
  const int64_t t = steady_ms();
  for (int i = 0; i < 3; ++i) ingest.offer(kTopic, with("ts", kNow - 1000 + i), kNow, t);
  EXPECT_EQ(ingest.counters().accepted.load(), 2u);
  EXPECT_EQ(ingest.counters().rejected[static_cast<size_t>(Reject::Flood)].load(), 1u);
  EXPECT_EQ(ingest.counters().rejected_total(), 1u);
  seen[static_cast<size_t>(Reject::Flood)] = true;

  // QueueFull too: a valid message when the queue is full (the app did not drain it).
  SourceOptions full;
  full.max_queued = 1;
  Ingest small(reg, full);
  for (int i = 0; i < 2; ++i) small.offer(kTopic, with("ts", kNow - 1000 + i), kNow, t);
  EXPECT_EQ(small.counters().accepted.load(), 1u);
  EXPECT_EQ(small.counters().rejected[static_cast<size_t>(Reject::QueueFull)].load(), 1u);
  EXPECT_EQ(small.counters().rejected_total(), 1u);
  seen[static_cast<size_t>(Reject::QueueFull)] = true;

  for (size_t i = 0; i < kRejectCount; ++i) EXPECT_TRUE(seen[i]) << reject_name(static_cast<Reject>(i));
}

TEST(Payload, RejectNamesAreDistinctSnakeCase) {
  std::set<std::string> names;
  for (size_t i = 0; i < kRejectCount; ++i) {
    const std::string n = reject_name(static_cast<Reject>(i));
    EXPECT_EQ(n.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string::npos) << n;
    names.insert(n);
  }
  EXPECT_EQ(names.size(), kRejectCount);
  EXPECT_STREQ(reject_name(Reject::MalformedJson), "malformed_json");
  EXPECT_STREQ(reject_name(Reject::TimestampFuture), "timestamp_future");
  EXPECT_STREQ(reject_name(Reject::Flood), "flood");
}

TEST(Payload, ParseTimeAcceptsRfc3339) {
  EXPECT_EQ(parse_time("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_time("2026-11-25T10:00:00Z"), kNow);
  EXPECT_EQ(parse_time("2026-11-25t10:00:00z"), kNow);
  EXPECT_EQ(parse_time("2026-11-25 10:00:00Z"), kNow);
  EXPECT_EQ(parse_time("2026-11-25T18:00:00+08:00"), kNow);
  EXPECT_EQ(parse_time("2026-11-25T05:30:00-04:30"), kNow);
  EXPECT_EQ(parse_time("2026-11-26T09:59:00+23:59"), kNow);
  EXPECT_EQ(parse_time("2026-11-25T10:00:00.5Z"), kNow + 500);
  EXPECT_EQ(parse_time("2026-11-25T10:00:00.05Z"), kNow + 50);
  EXPECT_EQ(parse_time("2026-11-25T10:00:00.123456789Z"), kNow + 123);  // truncated, not rounded
  EXPECT_EQ(parse_time("2026-11-25T10:00:00.999+00:00"), kNow + 999);
  EXPECT_EQ(parse_time("2024-02-29T00:00:00Z"), 1709164800000);
  EXPECT_EQ(parse_time("2000-02-29T12:00:00Z"), 951825600000);
  EXPECT_EQ(parse_time("1969-07-20T20:17:40Z"), -14182940000);
  EXPECT_EQ(parse_time("2016-12-31T23:59:60Z"), parse_time("2017-01-01T00:00:00Z"));  // leap second folds
  EXPECT_EQ(parse_time("1764000000000"), 1764000000000);
  EXPECT_EQ(parse_time("-1000"), -1000);
  EXPECT_EQ(parse_time("2026"), 2026);  // all digits: integer ms, not a year
}

TEST(Payload, ParseTimeRefusesInvalid) {
  for (const char* bad : {"", "2026-11-25", "2026-11-25T10:00Z", "2026-11-25T10:00:00", "2026-13-01T00:00:00Z",
                          "2026-00-10T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-31T00:00:00Z",
                          "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2024-02-30T00:00:00Z",
                          "2026-11-25T24:00:00Z", "2026-11-25T10:60:00Z", "2026-11-25T10:00:61Z",
                          "2026-11-25T10:00:00.Z", "2026-11-25T10:00:00+8:00", "2026-11-25T10:00:00+08",
                          "2026-11-25T10:00:00+24:00", "2026-11-25T10:00:00+08:60", "2026-11-25T10:00:00Zjunk",
                          "2026/11/25T10:00:00Z", "2026-11-25X10:00:00Z", " 2026-11-25T10:00:00Z", "12a4", "-",
                          "99999999999999999999", "+2026-11-25T10:00:00Z", "２026-11-25T10:00:00Z"}) {
    EXPECT_FALSE(parse_time(bad).has_value()) << bad;
  }
}

TEST(Payload, FormatTimeRoundTrips) {
  EXPECT_EQ(format_time(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_time(kNow + 42), "2026-11-25T10:00:00.042Z");
  EXPECT_EQ(format_time(1709164800000), "2024-02-29T00:00:00.000Z");
  // Every day from 1900 to 2100 at an odd time of day: format and parse agree and days are consecutive.
  const int64_t day = 86400000;
  for (int64_t d = -25567; d <= 47482; ++d) {
    const int64_t t = d * day + 12345678;
    const std::string s = format_time(t);
    ASSERT_EQ(parse_time(s), t) << s;
  }
  EXPECT_EQ(format_time(-25567 * day), "1900-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time(47482 * day), "2100-01-01T00:00:00.000Z");
}

TEST(Payload, TopicsAndSubscriptions) {
  const Registry reg = test_registry();
  EXPECT_EQ(topic_for(reg.enterprises()[0]), kTopic);
  EXPECT_EQ(subscription_for(""), "parktwin/v1/+/+/metrics");
  EXPECT_EQ(subscription_for("yingtan"), "parktwin/v1/yingtan/+/metrics");
}

TEST(Payload, MakePayloadRoundTrips) {
  const Registry reg = test_registry();
  const std::array<scene::Status, 4> statuses = {scene::Status::Running, scene::Status::Maintenance,
                                                 scene::Status::Stopped, scene::Status::Alarm};
  for (uint32_t e = 0; e < reg.size(); ++e) {
    for (size_t k = 0; k < statuses.size(); ++k) {
      scene::Metrics m;
      m.ts_ms = kNow - 123457 * static_cast<int64_t>(k + 1);
      m.v = {0.1 * (e + 1) + 1234567.891, 1e-7 * (k + 1), 149.99999999999997, 1.0 / 3.0};
      m.status = statuses[k];
      const EnterpriseInfo& info = reg.enterprises()[e];
      const std::string p = make_payload(info, m, k % 2 == 0);
      EXPECT_EQ(p.find(": "), std::string::npos) << "compact: " << p;
      EXPECT_EQ(p.find(", "), std::string::npos) << "compact: " << p;
      const auto r = parse_message(topic_for(info), p, reg, kNow);
      ASSERT_TRUE(std::holds_alternative<Sample>(r)) << p << " -> " << std::get<Rejected>(r).detail;
      const Sample& s = std::get<Sample>(r);
      EXPECT_EQ(s.enterprise, e);
      EXPECT_EQ(s.m.ts_ms, m.ts_ms);
      EXPECT_EQ(s.m.v, m.v) << p;  // bit-exact doubles
      EXPECT_EQ(s.m.status, m.status);
      const json j = json::parse(p);
      EXPECT_EQ(j["v"], 1);
      EXPECT_EQ(j["sim"], k % 2 == 0);
      EXPECT_EQ(j["unit"], info.unit);
    }
  }
}

}  // namespace
}  // namespace parktwin::live
