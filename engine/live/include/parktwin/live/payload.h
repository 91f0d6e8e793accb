#pragma once
// The MQTT topic scheme and JSON payload, version 1 (documented in the README).
//
//   topic:   parktwin/v1/<park>/<enterprise>/metrics
//   payload: {"v":1,"enterprise":"huaqin","ts":1764000000000,
//             "output_yuan_h":1234567.0,"power_kw":8500.0,"utilisation_pct":82.5,
//             "production":1520.0,"unit":"units","status":"running","sim":true}
//
// ts: ms since 1970-01-01 UTC (integer) or an RFC 3339 string ("2026-11-25T10:00:00Z").
// "enterprise" must match the topic's; "unit" and "sim" are optional (sim marks simulated data).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "parktwin/live/registry.h"
#include "parktwin/live/sample.h"

namespace parktwin::live {

constexpr std::string_view kTopicPrefix = "parktwin/v1/";

struct ParseLimits {
  size_t max_payload_bytes = 4096;
  int64_t max_future_ms = 5 * 60 * 1000;             ///< clock skew allowed ahead of now
  int64_t max_age_ms = 7LL * 24 * 3600 * 1000;       ///< older samples are refused
  double max_abs_value = 1e13;                       ///< any metric beyond this is OutOfRange
};

struct Rejected {
  Reject reason;
  std::string detail;  ///< what was wrong, naming the field or enterprise
};

using ParseResult = std::variant<Sample, Rejected>;

/// Validates a message. `now_ms` is the reference time (wall clock, or the simulated clock).
/// Never throws; every failure is a Rejected with a reason.
ParseResult parse_message(std::string_view topic, std::string_view payload, const Registry& reg, int64_t now_ms,
                          const ParseLimits& limits = {});

/// The topic for an enterprise.
std::string topic_for(const EnterpriseInfo& e);
/// The subscription filter for one park ("" = all parks).
std::string subscription_for(std::string_view park);
/// Serialises a sample as a version-1 payload.
std::string make_payload(const EnterpriseInfo& e, const scene::Metrics& m, bool simulated);

/// Parses an RFC 3339 UTC time ("2026-11-25T10:00:00Z", fractional seconds and offsets allowed) or
/// integer ms; nothing when invalid.
std::optional<int64_t> parse_time(std::string_view s);
/// Formats ms since epoch as RFC 3339 UTC with milliseconds.
std::string format_time(int64_t ms);

}  // namespace parktwin::live
