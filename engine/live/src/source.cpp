// open_source(): the URL of a metric source, parsed into the parameters of one of the concrete
// sources in sources.h. Every malformed part is refused with a message that names it and shows a
// well-formed example, because the URL is typed by people (command line, Feed panel).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <string_view>
#include <utility>
#include <vector>

#include "mqtt_client.h"
#include "parktwin/live/simulator.h"
#include "sources.h"

namespace parktwin::live {
namespace {

constexpr const char* kSimExample = "sim://?seed=7&speed=60&start=2026-11-25T08:00:00Z&interval=60";
constexpr const char* kMqttExample =
    "mqtts://viewer@broker.example:8883/yingtan?qos=1&cafile=ca.crt&credentials=/home/me/.config/parktwin/mqtt.cred";
constexpr const char* kHistoryExample = "history://recordings/2026-11-25.db?speed=60";

Failure bad(const std::string& url, const std::string& what, const char* example) {
  return Failure{Failure::ConfigurationError, "source URL '" + url + "': " + what + " (example: " + example + ")"};
}

/// %XX decoding for user names, passwords, paths and query values; nothing on a broken escape.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    unsigned v = 0;
    const auto r = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (r.ec != std::errc{} || r.ptr != s.data() + i + 3) return std::nullopt;
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

struct Query {
  std::vector<std::pair<std::string, std::string>> items;
};

/// Splits "a=1&b=2" into decoded pairs; an item without '=' or with an empty key is an error.
Result<Query> parse_query(const std::string& url, std::string_view q, const char* example) {
  Query out;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    const std::string_view item = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return bad(url, "query item '" + std::string(item) + "' is not name=value", example);
    auto key = percent_decode(item.substr(0, eq));
    auto value = percent_decode(item.substr(eq + 1));
    if (!key || !value) return bad(url, "broken %-escape in '" + std::string(item) + "'", example);
    out.items.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

template <typename T>
bool parse_number(const std::string& s, T& out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size() && !s.empty();
}

bool parse_flag(const std::string& s, bool& out) {
  if (s == "1" || s == "true" || s == "yes" || s == "on") return out = true, true;
  if (s == "0" || s == "false" || s == "no" || s == "off") return out = false, true;
  return false;
}

Result<SimParams> parse_sim(const std::string& url, std::string_view rest) {
  // Accept "sim://", "sim://?seed=1" and "sim:?seed=1"; anything between "//" and "?" is an error.
  if (rest.starts_with("//")) rest.remove_prefix(2);
  const size_t qpos = rest.find('?');
  if (!rest.substr(0, qpos).empty() && rest.substr(0, qpos) != "/")
    return bad(url, "sim:// takes no host or path, only ?seed=N&speed=X&start=TIME&interval=S", kSimExample);
  SimParams p;
  if (qpos != std::string_view::npos) {
    auto q = parse_query(url, rest.substr(qpos + 1), kSimExample);
    if (!q) return q.error();
    for (const auto& [k, v] : q->items) {
      if (k == "seed") {
        if (!parse_number(v, p.seed)) return bad(url, "seed '" + v + "' is not an unsigned integer", kSimExample);
      } else if (k == "speed") {
        if (!parse_number(v, p.speed) || !std::isfinite(p.speed) || p.speed <= 0.0 || p.speed > 1e7)
          return bad(url, "speed '" + v + "' must be a number > 0 (simulated seconds per second)", kSimExample);
      } else if (k == "start") {
        auto t = parse_time(v);
        if (!t) return bad(url, "start '" + v + "' is not an RFC 3339 time or ms since 1970", kSimExample);
        if (!sim_covers(*t)) return bad(url, "start '" + v + "' is outside what " + sim_range_text(), kSimExample);
        p.start_ms = *t;
      } else if (k == "interval") {
        if (!parse_number(v, p.interval_s) || !std::isfinite(p.interval_s) || p.interval_s <= 0.0)
          return bad(url, "interval '" + v + "' must be a number of seconds > 0", kSimExample);
      } else {
        return bad(url, "unknown parameter '" + k + "' (sim:// knows seed, speed, start, interval)", kSimExample);
      }
    }
  }
  return p;
}

Result<std::unique_ptr<Source>> open_sim(const std::string& url, std::string_view rest, const Registry& reg,
                                         const SourceOptions& opt) {
  auto p = parse_sim(url, rest);
  if (!p) return p.error();
  return make_sim_source(reg, *p, opt);
}

/// The mqtt:// grammar; `shown` is the URL as messages may show it (password redacted).
Result<MqttUrl> parse_mqtt(const std::string& shown, std::string_view rest, bool tls_scheme) {
  if (!rest.starts_with("//")) return bad(shown, "MQTT URLs start with mqtt:// or mqtts://", kMqttExample);
  rest.remove_prefix(2);
  MqttUrl p;
  MqttSecurity& sec = p.security;
  sec.tls = tls_scheme;
  std::string_view query;
  if (const size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  if (const size_t s = rest.find('/'); s != std::string_view::npos) {
    path = rest.substr(s + 1);
    rest = rest.substr(0, s);
  }
  // The user may contain '@' when escaped; the last '@' separates it from the host.
  std::string url_user;
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const size_t colon = cred.find(':');
    if (colon != std::string_view::npos && colon + 1 < cred.size())
      return bad(shown,
                 "a password in the URL is refused: a command line is visible to every user of this machine "
                 "(process list) and stays in shell history. Remove ':PASSWORD' and put the line user:password "
                 "in a file only you can read (chmod 600 FILE), given as ?credentials=FILE, or set the "
                 "environment variables " + std::string(kMqttUserEnv) + " and " + kMqttPasswordEnv,
                 kMqttExample);
    auto user = percent_decode(cred.substr(0, colon));
    if (!user) return bad(shown, "broken %-escape in the user name", kMqttExample);
    if (user->empty()) return bad(shown, "empty user name before '@'", kMqttExample);
    url_user = std::move(*user);
  }
  // Host, with an optional port; IPv6 literals in brackets ("[::1]:1883").
  std::string_view host = rest, port;
  if (rest.starts_with('[')) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad(shown, "unclosed '[' in the IPv6 host", kMqttExample);
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad(shown, "unexpected '" + std::string(after) + "' after the host", kMqttExample);
      port = after.substr(1);
      if (port.empty()) return bad(shown, "empty port after ':'", kMqttExample);
    }
  } else if (const size_t colon = rest.find(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (port.empty()) return bad(shown, "empty port after ':'", kMqttExample);
  }
  if (host.empty()) return bad(shown, "missing broker host", kMqttExample);
  p.host = std::string(host);
  if (!port.empty()) {
    int v = 0;
    if (!parse_number(std::string(port), v) || v < 1 || v > 65535)
      return bad(shown, "port '" + std::string(port) + "' is not a number from 1 to 65535", kMqttExample);
    p.port = v;
  }
  if (!path.empty()) {
    if (path.ends_with('/')) path.remove_suffix(1);
    if (path.find('/') != std::string_view::npos || path.find_first_of("#+") != std::string_view::npos)
      return bad(shown, "the path is one park id (nanchang, yingtan, yichun), not '" + std::string(path) + "'",
                 kMqttExample);
    p.park = std::string(path);
  }
  auto q = parse_query(shown, query, kMqttExample);
  if (!q) return q.error();
  std::string credentials;
  for (const auto& [k, v] : q->items) {
    if (k == "qos") {
      if (v != "0" && v != "1") return bad(shown, "qos '" + v + "' must be 0 or 1", kMqttExample);
      p.qos = v[0] - '0';
    } else if (k == "tls") {
      if (!parse_flag(v, sec.tls)) return bad(shown, "tls '" + v + "' must be 0 or 1", kMqttExample);
    } else if (k == "insecure") {
      if (!parse_flag(v, sec.insecure)) return bad(shown, "insecure '" + v + "' must be 0 or 1", kMqttExample);
    } else if (k == "cafile" || k == "certfile" || k == "keyfile" || k == "credentials") {
      if (v.empty()) return bad(shown, k + " is empty: give the path of a file", kMqttExample);
      (k == "cafile" ? sec.cafile : k == "certfile" ? sec.certfile : k == "keyfile" ? sec.keyfile : credentials) = v;
    } else if (k == "client") {
      if (v.empty() || v.size() > 256) return bad(shown, "client id must be 1 to 256 characters", kMqttExample);
      p.client_id = v;
    } else {
      return bad(shown, "unknown parameter '" + k +
                 "' (MQTT URLs know qos, client, tls, cafile, certfile, keyfile, credentials, insecure)",
                 kMqttExample);
    }
  }
  // TLS files only make sense over TLS: imply it rather than silently ignoring them.
  if (!sec.cafile.empty() || !sec.certfile.empty() || !sec.keyfile.empty() || sec.insecure) sec.tls = true;
  if (port.empty() && sec.tls) p.port = 8883;
  if (auto tls = check_tls_files(sec); !tls) return bad(shown, tls.error().message, kMqttExample);
  auto who = resolve_credentials(url_user, credentials, sec);
  if (!who) return bad(shown, who.error().message, kMqttExample);
  return p;
}

Result<std::unique_ptr<Source>> open_mqtt(const std::string& url, std::string_view rest, bool tls_scheme,
                                          const Registry& reg, const SourceOptions& opt) {
  const std::string shown = redact_mqtt_url(url);
  auto p = parse_mqtt(shown, rest, tls_scheme);
  if (!p) return p.error();
  if (!p->park.empty() && reg.size() > 0) {
    bool known = false;
    for (const auto& e : reg.enterprises()) known = known || e.park == p->park;
    if (!known) return bad(shown, "unknown park '" + p->park + "' (known: nanchang, yingtan, yichun)", kMqttExample);
  }
  return make_mqtt_source(reg, *p, opt);
}

Result<std::unique_ptr<Source>> open_history(const std::string& url, std::string_view rest, const Registry& reg,
                                             const SourceOptions& opt) {
  if (rest.starts_with("//")) rest.remove_prefix(2);
  std::string_view query;
  if (const size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  auto path = percent_decode(rest);
  if (!path) return bad(url, "broken %-escape in the path", kHistoryExample);
  if (path->empty()) return bad(url, "missing the path of the history database", kHistoryExample);
  double speed = 1.0;
  int64_t start_ms = 0;
  auto q = parse_query(url, query, kHistoryExample);
  if (!q) return q.error();
  for (const auto& [k, v] : q->items) {
    if (k == "speed") {
      if (!parse_number(v, speed) || !std::isfinite(speed) || speed <= 0.0)
        return bad(url, "speed '" + v + "' must be a number > 0", kHistoryExample);
    } else if (k == "start") {
      auto t = parse_time(v);
      if (!t) return bad(url, "start '" + v + "' is not an RFC 3339 time or ms since 1970", kHistoryExample);
      start_ms = *t;
    } else {
      return bad(url, "unknown parameter '" + k + "' (history:// knows speed, start)", kHistoryExample);
    }
  }
  return make_history_source(reg, *path, speed, start_ms, opt);
}

}  // namespace

const char* connection_state_name(ConnectionState s) {
  switch (s) {
    case ConnectionState::Idle: return "idle";
    case ConnectionState::Connecting: return "connecting";
    case ConnectionState::Connected: return "connected";
    case ConnectionState::Reconnecting: return "reconnecting";
    case ConnectionState::Failed: return "failed";
  }
  return "unknown";
}

std::string redact_mqtt_url(const std::string& url) {
  const size_t start = url.find("//");
  if (start == std::string::npos) return url;
  const size_t end = std::min(url.find_first_of("/?", start + 2), url.size());
  const size_t at = url.rfind('@', end - 1);
  if (at == std::string::npos || at < start + 2) return url;
  const size_t colon = url.find(':', start + 2);
  if (colon == std::string::npos || colon >= at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

Result<MqttUrl> parse_mqtt_url(const std::string& url) {
  const std::string shown = redact_mqtt_url(url);
  const bool tls = url.starts_with("mqtts:");
  if (!tls && !url.starts_with("mqtt:")) return bad(shown, "not an mqtt:// or mqtts:// URL", kMqttExample);
  return parse_mqtt(shown, std::string_view(url).substr(tls ? 6 : 5), tls);
}

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Result<SimParams> parse_sim_url(const std::string& url) {
  if (url.empty() || url == "sim" || url == "sim://") return SimParams{};
  if (url.rfind("sim:", 0) != 0) return bad(url, "not a sim: URL", kSimExample);
  return parse_sim(url, std::string_view(url).substr(4));
}

Result<std::unique_ptr<Source>> open_source(const std::string& url, const Registry& reg, const SourceOptions& opt) {
  if (url.empty() || url == "sim" || url == "sim://") return open_sim(url, "", reg, opt);
  const size_t colon = url.find(':');
  if (colon == std::string::npos)
    return Failure{Failure::ConfigurationError, "source URL '" + redact_mqtt_url(url) + "' has no scheme: use sim://, mqtt://HOST[:PORT] or history://FILE.db"};
  const std::string scheme = url.substr(0, colon);
  const std::string_view rest = std::string_view(url).substr(colon + 1);
  if (scheme == "sim") return open_sim(url, rest, reg, opt);
  if (scheme == "mqtt" || scheme == "mqtts") return open_mqtt(url, rest, scheme == "mqtts", reg, opt);
  if (scheme == "history") return open_history(url, rest, reg, opt);
  return Failure{Failure::ConfigurationError, "source URL '" + redact_mqtt_url(url) + "': unknown scheme '" + scheme +
                 "' (use sim://, mqtt://, mqtts:// or history://; example: " + kMqttExample + ")"};
}

}  // namespace parktwin::live
