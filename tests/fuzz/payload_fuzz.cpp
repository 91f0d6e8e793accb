// libFuzzer target: the MQTT payload parser (parse_message) and the time parser behind "ts".
//
// Input: the topic, a newline, the payload (no newline: the whole input is the payload of the
// topic parktwin/v1/nanchang/huaqin/metrics). Beyond "no crash, no UB, no leak" it checks:
//   - an accepted sample made back into a payload (make_payload) is accepted again, unchanged;
//   - a time parse_time reads inside RFC 3339's years (0000-9999) formats and reads back to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "parktwin/live/payload.h"

namespace {

using namespace parktwin::live;

constexpr int64_t kNow = 1795600800000;  // 2026-11-25T10:00:00Z
constexpr int64_t kYear0Ms = -62167219200000;    // 0000-01-01T00:00:00Z
constexpr int64_t kYear10000Ms = 253402300800000;  // 10000-01-01T00:00:00Z

const Registry& registry() {
  static const Registry reg = [] {
    Registry r;
    r.add({.id = "huaqin", .park = "nanchang", .unit = "million units"});
    r.add({.id = "jxcc", .park = "yingtan", .unit = "t"});
    r.add({.id = "catl_yichun", .park = "yichun", .unit = "GWh"});
    return r;
  }();
  return reg;
}

bool same(const parktwin::scene::Metrics& a, const parktwin::scene::Metrics& b) {
  return a.ts_ms == b.ts_ms && a.v == b.v && a.status == b.status && a.simulated == b.simulated;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view topic = nl == std::string_view::npos ? "parktwin/v1/nanchang/huaqin/metrics" : input.substr(0, nl);
  const std::string_view payload = nl == std::string_view::npos ? input : input.substr(nl + 1);

  const ParseResult r = parse_message(topic, payload, registry(), kNow);
  if (const Sample* s = std::get_if<Sample>(&r)) {
    const EnterpriseInfo& e = registry().enterprises().at(s->enterprise);
    const std::string again = make_payload(e, s->m, s->m.simulated);
    const ParseResult r2 = parse_message(topic_for(e), again, registry(), kNow);
    const Sample* s2 = std::get_if<Sample>(&r2);
    if (s2 == nullptr || s2->enterprise != s->enterprise || !same(s2->m, s->m)) std::abort();
  }

  if (const auto t = parse_time(payload); t && *t >= kYear0Ms && *t < kYear10000Ms) {
    const auto back = parse_time(format_time(*t));
    if (!back || *back != *t) std::abort();
  }
  return 0;
}
