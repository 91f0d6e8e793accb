// `parktwin feed`: a load generator and demo publisher. It publishes version-1 payloads of the
// built-in simulator (or of a recorded history) to a broker at a fixed total rate, cycling through
// the enterprises, and prints name=value progress once a second and a summary at the end.
//
// Timestamps: every payload carries its publish time as "ts" (subscribers judge freshness by their
// wall clock); the metric values follow the simulated clock, which runs at --speed.
#include "feed.h"

#include <csignal>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <thread>

#include "parktwin/app/app.h"
#include "parktwin/live/history.h"
#include "parktwin/live/mqtt_url.h"
#include "parktwin/live/payload.h"
#include "parktwin/live/simulator.h"
#include "parktwin/live/source.h"

namespace parktwin::feed {
namespace {

using gis::Failure;
using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) { g_interrupted = 1; }

const char* kUsage =
    "usage: parktwin feed --broker mqtt://HOST:PORT [--rate N] [--duration S] [--qos 0|1] [--seed N]\n"
    "                     [--speed X] [--from history://FILE.db] [--client ID] [--dataset FILE]\n";

int usage(const std::string& msg) {
  std::cerr << "parktwin feed: " << msg << "\n" << kUsage;
  return 2;
}

}  // namespace

gis::Result<live::PublisherOptions> publisher_options(const std::string& url) {
  // The same grammar as the mqtt:// source (one parser, so both agree on every detail: TLS files,
  // credentials from a file or the environment, no password in the URL); the park and qos of the
  // URL do not apply to publishing (--qos does).
  auto u = live::parse_mqtt_url(url);
  if (!u) return Failure{Failure::ConfigurationError, "--broker: " + u.error().message};
  live::PublisherOptions o;
  o.host = u->host;
  o.port = u->port;
  o.client_id = u->client_id;
  o.security = u->security;
  return o;
}

gis::Result<live::Registry> load_registry(const std::string& dataset) {
  scene::Scene s(gis::SceneFrame::jiangxi());
  const std::string path = dataset.empty() ? app::default_dataset_path() : dataset;
  auto r = scene::load_default_dataset(s, path);
  if (!r) return r.error();
  if (s.enterprises.empty()) return Failure{Failure::InvalidData, "no enterprises in " + path};
  return live::Registry(s);
}

int run_feed(int argc, char** argv) {
  std::string broker, from, dataset, client;
  double rate = 100.0, duration_s = 0.0, speed = 1.0;
  int qos = 0;
  uint64_t seed = live::SimulatorOptions{}.seed;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage(a + " needs a value");
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--broker") broker = value();
    else if (a == "--rate") rate = std::atof(value().c_str());
    else if (a == "--duration") duration_s = std::atof(value().c_str());
    else if (a == "--qos") qos = std::atoi(value().c_str());
    else if (a == "--seed") seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--speed") speed = std::atof(value().c_str());
    else if (a == "--from") from = value();
    else if (a == "--client") client = value();
    else if (a == "--dataset") dataset = value();
    else if (a == "--help" || a == "-h") return std::cout << kUsage, 0;
    else return usage("unknown argument " + a);
  }
  if (broker.empty()) return usage("--broker is required");
  if (!(rate > 0.0) || rate > 1e7) return usage("--rate wants messages per second > 0");
  if (qos != 0 && qos != 1) return usage("--qos takes 0 or 1");
  if (!(speed > 0.0)) return usage("--speed wants a number > 0");
  if (!from.empty() && from.rfind("history://", 0) != 0) return usage("--from wants history://FILE.db");

  auto po = publisher_options(broker);
  if (!po) return usage(po.error().message);
  if (!client.empty()) po->client_id = client;
  po->max_inflight = qos == 1 ? 1000 : 20000;
  auto reg = load_registry(dataset);
  if (!reg) {
    std::cerr << "parktwin feed: " << reg.error().message << "\n";
    return 1;
  }
  const size_t n = reg->size();
  std::vector<std::string> topics;
  for (const auto& e : reg->enterprises()) topics.push_back(live::topic_for(e));

  // Where the values come from: the simulator, or the states of a recording.
  live::SimulatorOptions so;
  so.seed = seed;
  live::Simulator sim(*reg, so);
  std::unique_ptr<live::HistoryStore> history;
  int64_t hist_t0 = 0, hist_t1 = 0;
  if (!from.empty()) {
    auto h = live::HistoryStore::open(from.substr(10), n);
    if (!h) return std::cerr << "parktwin feed: " << h.error().message << "\n", 1;
    history = std::move(*h);
    auto range = history->time_range();
    if (!range || range->second == 0) return std::cerr << "parktwin feed: " << from << " holds no samples\n", 1;
    std::tie(hist_t0, hist_t1) = *range;
  }

  auto pub = live::Publisher::connect(*po);
  if (!pub) return std::cerr << "parktwin feed: " << pub.error().message << "\n", 1;
  std::signal(SIGINT, on_sigint);
  std::signal(SIGTERM, on_sigint);
  std::cout << "feed_broker=" << po->host << ":" << po->port << "\nfeed_source="
            << (from.empty() ? "simulator seed " + std::to_string(seed) : from) << "\nfeed_enterprises=" << n
            << "\nfeed_rate_target=" << rate << "\nfeed_qos=" << qos << "\nfeed_speed=" << speed << "\n";

  const auto t0 = Clock::now();
  const int64_t wall0 = live::wall_ms();
  uint64_t sent = 0, failed = 0, skipped = 0;
  size_t next = 0;
  std::vector<scene::Metrics> states;  // history: the state of every enterprise at the current time
  int64_t states_at = -1;
  double last_report = 0.0;
  uint64_t sent_at_report = 0;
  std::string last_error;
  while (!g_interrupted) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    if (duration_s > 0.0 && elapsed >= duration_s) break;
    const auto due = static_cast<uint64_t>(elapsed * rate) + 1;
    if (sent >= due) {
      pub.value()->service(1);  // acks and keepalive while waiting for the next slot
      continue;
    }
    const int64_t now = live::wall_ms();
    const int64_t sim_t = wall0 + static_cast<int64_t>(elapsed * speed * 1000.0);
    scene::Metrics m;
    if (history) {
      // Replay the recording from its start at --speed, looping at its end; states once per second.
      const int64_t span = std::max<int64_t>(1, hist_t1 - hist_t0 + 1);
      const int64_t t = hist_t0 + static_cast<int64_t>(elapsed * speed * 1000.0) % span;
      if (states_at < 0 || std::abs(t - states_at) >= 1000) {
        auto st = history->state_at(t);
        if (st) states = std::move(*st), states_at = t;
      }
      if (next >= states.size() || states[next].ts_ms == 0) {
        next = (next + 1) % n;
        if (++skipped > 10 * n && sent == 0) return std::cerr << "parktwin feed: nothing to replay\n", 1;
        continue;
      }
      m = states[next];
    } else {
      m = sim.at(static_cast<uint32_t>(next), sim_t);
    }
    m.ts_ms = now;
    auto r = pub.value()->publish(topics[next], live::make_payload(reg->enterprises()[next], m, !history), qos);
    if (!r) {
      ++failed;
      last_error = r.error().message;
    } else {
      ++sent;
    }
    next = (next + 1) % n;
    if (elapsed - last_report >= 1.0) {
      const auto st = pub.value()->stats();
      std::cout << "t_s=" << static_cast<int>(elapsed) << " published=" << st.published
                << " acknowledged=" << st.acknowledged << " rate=" << static_cast<uint64_t>((sent - sent_at_report) / (elapsed - last_report))
                << " connected=" << (st.connected ? 1 : 0) << " reconnects=" << st.reconnects << "\n" << std::flush;
      last_report = elapsed;
      sent_at_report = sent;
    }
  }
  const bool flushed = pub.value()->flush(5000);
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  const auto st = pub.value()->stats();
  std::cout << "feed_seconds=" << elapsed << "\nfeed_published=" << st.published << "\nfeed_acknowledged=" << st.acknowledged
            << "\nfeed_failed=" << failed << "\nfeed_reconnects=" << st.reconnects
            << "\nfeed_msgs_per_s=" << (elapsed > 0 ? static_cast<double>(st.published) / elapsed : 0.0)
            << "\nfeed_flushed=" << (flushed ? 1 : 0) << "\n";
  if (!last_error.empty()) std::cout << "feed_last_error=" << last_error << "\n";
  return failed > 0 && st.published == 0 ? 1 : 0;
}

}  // namespace parktwin::feed
