// Version-1 payload validation, the topic scheme and RFC 3339 times.
//
// Validation decisions (each failing message gets exactly one reason: the first check that fails,
// in this order):
//   1. size above the limit                       -> Oversized (checked before any parsing)
//   2. topic not parktwin/v1/<park>/<enterprise>/metrics with non-empty, wildcard-free levels
//                                                  -> BadTopic
//   3. not JSON, or JSON that is not an object     -> MalformedJson
//   4. "v" absent or not the number 1              -> UnsupportedVersion
//   5. "enterprise": absent -> MissingField, not a string -> WrongType; differs from the topic's,
//      not in the registry, or the topic's park is not the enterprise's park -> UnknownEnterprise
//   6. "ts": absent -> MissingField; a boolean, object, array or null, or a string that is not an
//      RFC 3339 time or integer ms -> WrongType; a number that overflows a double (1e999) -> NotFinite;
//      beyond the int64 millisecond range -> OutOfRange
//   7. each metric: absent -> MissingField; anything but a JSON number -> WrongType (a string
//      such as "NaN" or "12.5" is a string, not a number); a number that parsed to inf/nan
//      (1e999) -> NotFinite; below zero -> Negative; |value| > max_abs_value or utilisation
//      above 150 % -> OutOfRange
//   8. "status": absent -> MissingField, not a string -> WrongType, not a known status -> UnknownStatus
//   9. "unit" present but not a string, "sim" present but not a boolean -> WrongType
//  10. ts more than max_future_ms ahead of now -> TimestampFuture; more than max_age_ms behind -> TimestampPast
// Unknown extra fields are ignored so that producers can add fields without breaking older readers.
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "parktwin/live/payload.h"

namespace parktwin::live {
namespace {

using nlohmann::json;

/// Days since 1970-01-01 of a proleptic Gregorian date (valid for any year representable in int64 arithmetic
/// here; used for years 0..9999). Works on 400-year eras whose years start in March so that the leap day is
/// the last day of a year.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                     // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;      // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                // [0, 146096]
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t y;
  unsigned m, d;
};

/// Inverse of days_from_civil.
Civil civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                      // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;    // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                  // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                       // [0, 11], March = 0
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

/// Reads exactly `n` decimal digits at `pos`; nothing when any is not a digit or the text is short.
std::optional<unsigned> digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  unsigned v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return v;
}

/// Splits "parktwin/v1/<park>/<enterprise>/metrics" into park and enterprise.
std::optional<std::pair<std::string_view, std::string_view>> split_topic(std::string_view topic) {
  if (!topic.starts_with(kTopicPrefix)) return std::nullopt;
  std::string_view rest = topic.substr(kTopicPrefix.size());
  const size_t a = rest.find('/');
  if (a == std::string_view::npos) return std::nullopt;
  const size_t b = rest.find('/', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  const std::string_view park = rest.substr(0, a);
  const std::string_view ent = rest.substr(a + 1, b - a - 1);
  if (rest.substr(b + 1) != "metrics") return std::nullopt;
  // Wildcards belong to subscriptions, never to a published topic; NUL is not allowed by MQTT either.
  for (std::string_view level : {park, ent}) {
    if (level.empty() || level.find_first_of(std::string_view("+#\0", 3)) != std::string_view::npos)
      return std::nullopt;
  }
  return std::pair{park, ent};
}

/// A short, printable excerpt of untrusted text for a reject detail.
std::string excerpt(std::string_view s) {
  constexpr size_t kMax = 48;
  std::string out;
  for (char c : s.substr(0, kMax)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (s.size() > kMax) out += "...";
  return out;
}

Rejected reject(Reject r, std::string detail) { return Rejected{r, std::move(detail)}; }

/// nlohmann::json refuses a number that overflows a double (1e999) as a parse error (out_of_range
/// 406), which would make it indistinguishable from broken JSON. On that rare path the overflowing
/// token is replaced by a sentinel of the same sign (±DBL_MAX) and the text parsed again, so that
/// valid JSON with an overflowing number reaches field validation and is refused as NotFinite
/// (is_overflow below) — only when that number sits in a field that matters.
constexpr int kNumberOverflowId = 406;
constexpr int kMaxOverflowRepairs = 16;  ///< bounds the work a hostile message can cause

bool is_overflow(double v) { return std::fabs(v) == std::numeric_limits<double>::max(); }

/// A SAX consumer that only records why parsing stopped.
struct ErrorProbe final : nlohmann::json_sax<json> {
  int id = 0;
  size_t position = 0;
  std::string token;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t pos, const std::string& last_token, const nlohmann::detail::exception& ex) override {
    id = ex.id;
    position = pos;
    token = last_token;
    return false;
  }
};

/// Parses without exceptions; a discarded value when the text is not JSON. Overflowing numbers come
/// back as ±DBL_MAX (see above).
json parse_json(std::string_view payload) {
  json doc = json::parse(payload.begin(), payload.end(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) return doc;
  std::string text(payload);
  for (int round = 0; round < kMaxOverflowRepairs; ++round) {
    ErrorProbe probe;
    json::sax_parse(text.begin(), text.end(), &probe);
    if (probe.id != kNumberOverflowId || probe.token.empty()) break;
    // The error is reported once the token has been read: find it ending at or just before the position.
    const size_t at = text.rfind(probe.token, std::min(probe.position, text.size()));
    if (at == std::string::npos) break;
    text.replace(at, probe.token.size(), probe.token.front() == '-' ? "-1.7976931348623157e308" : "1.7976931348623157e308");
    doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (!doc.is_discarded()) return doc;
  }
  return json(json::value_t::discarded);
}

/// Reads a required metric. Returns the value or the reject.
std::variant<double, Rejected> read_metric(const json& obj, const char* key, double max_abs) {
  const auto it = obj.find(key);
  if (it == obj.end()) return reject(Reject::MissingField, std::string(key) + " is missing");
  if (!it->is_number())
    return reject(Reject::WrongType, std::string(key) + " is a " + it->type_name() + ", expected a number");
  const double v = it->get<double>();
  if (!std::isfinite(v) || is_overflow(v)) return reject(Reject::NotFinite, std::string(key) + " is not finite (overflows a double)");
  if (v < 0.0) return reject(Reject::Negative, std::string(key) + " is negative (" + std::to_string(v) + ")");
  if (v > max_abs)
    return reject(Reject::OutOfRange, std::string(key) + " = " + std::to_string(v) + " exceeds " + std::to_string(max_abs));
  return v;
}

/// Reads "ts": integer ms, a float (rounded to ms), or an RFC 3339 / integer-ms string.
std::variant<int64_t, Rejected> read_ts(const json& obj) {
  const auto it = obj.find("ts");
  if (it == obj.end()) return reject(Reject::MissingField, "ts is missing");
  if (it->is_number_integer() && !it->is_number_unsigned()) return it->get<int64_t>();
  if (it->is_number_unsigned()) {
    const auto u = it->get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return reject(Reject::OutOfRange, "ts " + std::to_string(u) + " is beyond any representable time");
    return static_cast<int64_t>(u);
  }
  if (it->is_number_float()) {
    const double d = it->get<double>();
    if (!std::isfinite(d) || is_overflow(d)) return reject(Reject::NotFinite, "ts is not finite (overflows a double)");
    // 9.2e18 ms is about 292 million years: anything beyond cannot be a time.
    if (std::fabs(d) >= 9.2e18) return reject(Reject::OutOfRange, "ts is beyond any representable time");
    return static_cast<int64_t>(std::llround(d));
  }
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    if (auto t = parse_time(s)) return *t;
    return reject(Reject::WrongType, "ts \"" + excerpt(s) + "\" is neither an RFC 3339 time nor integer ms");
  }
  return reject(Reject::WrongType, std::string("ts is a ") + it->type_name() + ", expected ms or an RFC 3339 string");
}

ParseResult parse_checked(std::string_view topic, std::string_view payload, const Registry& reg, int64_t now_ms,
                          const ParseLimits& limits) {
  if (payload.size() > limits.max_payload_bytes)
    return reject(Reject::Oversized, std::to_string(payload.size()) + " bytes, limit " +
                                         std::to_string(limits.max_payload_bytes));
  const auto parts = split_topic(topic);
  if (!parts)
    return reject(Reject::BadTopic, "topic \"" + excerpt(topic) + "\" is not parktwin/v1/<park>/<enterprise>/metrics");
  const auto [topic_park, topic_ent] = *parts;

  const json doc = parse_json(payload);
  if (doc.is_discarded()) return reject(Reject::MalformedJson, "payload is not valid JSON");
  if (!doc.is_object()) return reject(Reject::MalformedJson, std::string("payload is a JSON ") + doc.type_name() + ", expected an object");

  const auto v = doc.find("v");
  if (v == doc.end()) return reject(Reject::UnsupportedVersion, "\"v\" is missing (expected 1)");
  if (!v->is_number() || v->get<double>() != 1.0)
    return reject(Reject::UnsupportedVersion, "\"v\" is " + excerpt(v->dump()) + ", only version 1 is understood");

  const auto ent = doc.find("enterprise");
  if (ent == doc.end()) return reject(Reject::MissingField, "enterprise is missing");
  if (!ent->is_string()) return reject(Reject::WrongType, std::string("enterprise is a ") + ent->type_name() + ", expected a string");
  const auto& ent_id = ent->get_ref<const std::string&>();
  if (ent_id != topic_ent)
    return reject(Reject::UnknownEnterprise,
                  "payload enterprise \"" + excerpt(ent_id) + "\" differs from the topic's \"" + excerpt(topic_ent) + "\"");
  const auto index = reg.find(ent_id);
  if (!index) return reject(Reject::UnknownEnterprise, "enterprise \"" + excerpt(ent_id) + "\" is not in the registry");
  const EnterpriseInfo& info = reg.enterprises()[*index];
  if (info.park != topic_park)
    return reject(Reject::UnknownEnterprise, "enterprise \"" + info.id + "\" belongs to park \"" + info.park +
                                                 "\", not \"" + excerpt(topic_park) + "\"");

  auto ts = read_ts(doc);
  if (auto* r = std::get_if<Rejected>(&ts)) return std::move(*r);

  Sample s;
  s.enterprise = *index;
  s.m.ts_ms = std::get<int64_t>(ts);
  for (size_t i = 0; i < scene::kMetricCount; ++i) {
    const auto metric = static_cast<scene::Metric>(i);
    auto value = read_metric(doc, scene::metric_key(metric), limits.max_abs_value);
    if (auto* r = std::get_if<Rejected>(&value)) return std::move(*r);
    s.m.v[i] = std::get<double>(value);
    if (metric == scene::Metric::Utilisation && s.m.v[i] > 150.0)
      return reject(Reject::OutOfRange, "utilisation_pct = " + std::to_string(s.m.v[i]) + " exceeds 150");
  }

  const auto st = doc.find("status");
  if (st == doc.end()) return reject(Reject::MissingField, "status is missing");
  if (!st->is_string()) return reject(Reject::WrongType, std::string("status is a ") + st->type_name() + ", expected a string");
  const auto status = scene::parse_status(st->get_ref<const std::string&>());
  if (!status)
    return reject(Reject::UnknownStatus, "status \"" + excerpt(st->get_ref<const std::string&>()) +
                                             "\" is not running, maintenance, stopped or alarm");
  s.m.status = *status;

  if (const auto unit = doc.find("unit"); unit != doc.end() && !unit->is_string())
    return reject(Reject::WrongType, std::string("unit is a ") + unit->type_name() + ", expected a string");
  if (const auto sim = doc.find("sim"); sim != doc.end() && !sim->is_boolean())
    return reject(Reject::WrongType, std::string("sim is a ") + sim->type_name() + ", expected true or false");
  else if (sim != doc.end())
    s.m.simulated = sim->get<bool>();

  // Differences are computed in double so that extreme timestamps cannot overflow.
  const double ahead = static_cast<double>(s.m.ts_ms) - static_cast<double>(now_ms);
  if (ahead > static_cast<double>(limits.max_future_ms))
    return reject(Reject::TimestampFuture, "ts " + format_time(s.m.ts_ms) + " is " + std::to_string(static_cast<int64_t>(ahead / 1000)) +
                                               " s ahead of now (" + format_time(now_ms) + "); check the publisher's clock");
  if (-ahead > static_cast<double>(limits.max_age_ms))
    return reject(Reject::TimestampPast, "ts " + format_time(s.m.ts_ms) + " is older than the " +
                                             std::to_string(limits.max_age_ms / 1000) + " s allowed");
  return s;
}

}  // namespace

ParseResult parse_message(std::string_view topic, std::string_view payload, const Registry& reg, int64_t now_ms,
                          const ParseLimits& limits) {
  // The parser is called without exceptions, but allocation can still throw (and a registry or
  // library surprise must not take down a source thread): whatever escapes becomes a reject.
  try {
    return parse_checked(topic, payload, reg, now_ms, limits);
  } catch (const std::exception& e) {
    return reject(Reject::MalformedJson, std::string("payload could not be processed: ") + e.what());
  } catch (...) {
    return reject(Reject::MalformedJson, "payload could not be processed");
  }
}

std::string topic_for(const EnterpriseInfo& e) {
  return std::string(kTopicPrefix) + e.park + "/" + e.id + "/metrics";
}

std::string subscription_for(std::string_view park) {
  return std::string(kTopicPrefix) + (park.empty() ? std::string("+") : std::string(park)) + "/+/metrics";
}

std::string make_payload(const EnterpriseInfo& e, const scene::Metrics& m, bool simulated) {
  // ordered_json keeps the documented field order, which makes captured traffic easy to read.
  // Doubles are written with the shortest text that reads back to the same value.
  nlohmann::ordered_json j;
  j["v"] = 1;
  j["enterprise"] = e.id;
  j["ts"] = m.ts_ms;
  for (size_t i = 0; i < scene::kMetricCount; ++i) j[scene::metric_key(static_cast<scene::Metric>(i))] = m.v[i];
  if (!e.unit.empty()) j["unit"] = e.unit;
  j["status"] = scene::status_name(m.status);
  j["sim"] = simulated;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::optional<int64_t> parse_time(std::string_view s) {
  if (s.empty()) return std::nullopt;
  // Integer milliseconds ("1764000000000", optionally negative).
  if (s.find_first_not_of("-0123456789") == std::string_view::npos) {
    int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return v;
  }
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm); RFC 3339 allows 't'/'z' in lower case and a space separator.
  const auto year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  const auto hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month)) return std::nullopt;
  // Second 60 is a leap second; like POSIX time it folds into the first second of the next minute.
  if (*hour > 23 || *minute > 59 || *second > 60) return std::nullopt;

  size_t pos = 19;
  int64_t frac_ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      // Digits beyond milliseconds are truncated, so a time never moves past the instant it names.
      if (pos - start < 3) frac_ms = frac_ms * 10 + (s[pos] - '0');
      ++pos;
    }
    if (pos == start) return std::nullopt;
    for (size_t n = pos - start; n < 3; ++n) frac_ms *= 10;
  }
  if (pos >= s.size()) return std::nullopt;  // the offset is required
  int64_t offset_min = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const auto oh = digits(s, pos + 1, 2), om = digits(s, pos + 4, 2);
    if (!oh || !om || s[pos + 3] != ':' || *oh > 23 || *om > 59) return std::nullopt;
    offset_min = (s[pos] == '-' ? -1 : 1) * static_cast<int64_t>(*oh * 60 + *om);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;

  const int64_t days = days_from_civil(*year, *month, *day);
  const int64_t secs = days * 86400 + *hour * 3600 + *minute * 60 + *second - offset_min * 60;
  return secs * 1000 + frac_ms;
}

std::string format_time(int64_t ms) {
  // Floor division so that times before 1970 format correctly.
  int64_t days = ms / 86400000;
  int64_t rem = ms % 86400000;
  if (rem < 0) {
    rem += 86400000;
    --days;
  }
  const Civil c = civil_from_days(days);
  const int64_t sec = rem / 1000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(c.y), c.m, c.d,
                static_cast<long long>(sec / 3600), static_cast<long long>(sec / 60 % 60),
                static_cast<long long>(sec % 60), static_cast<long long>(rem % 1000));
  return buf;
}

}  // namespace parktwin::live
