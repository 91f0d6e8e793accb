// `parktwin bench ingest [--broker mqtt://HOST:PORT]`: how fast samples get from publishers through
// the broker into the MQTT source and are applied by a consumer.
//
// Method. Publisher threads (one connection each, QoS 0) send version-1 payloads of the default
// dataset's enterprises; the production field carries a sequence number whose publish time is kept
// in a table, so latency is publish -> applied with steady-clock precision. A consumer thread
// drains the source every millisecond and copies each sample into a per-enterprise array of
// 16-byte records (the layout of the GPU style buffer), then records the latency. Phases:
// 1k msg/s and 10k msg/s paced for 3 s each, then a ramp (x1.25 per 2 s phase from 20k) until a phase
// loses messages, lags (p99 > 100 ms) or falls short of its target; the highest clean phase is
// ingest_msgs_per_s. Finally N messages are sent as fast as possible twice: once into the source and
// once into `mosquitto_sub -C N` (the broker's raw delivery rate to a plain subscriber), both timed
// from the first publish to the last message received.
#include "bench_ingest.h"
#include "bench_util.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "parktwin/live/local_broker.h"
#include "feed.h"
#include "parktwin/live/payload.h"
#include "parktwin/live/source.h"
#include "parktwin/scene/scene.h"

extern char** environ;

namespace parktwin::bench {
namespace {

using Clock = std::chrono::steady_clock;
int64_t now_ns() { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); }

/// One enterprise's record as the renderer's style buffer holds it.
struct StyleRecord {
  float height, value;
  uint32_t rgba, flags;
};
static_assert(sizeof(StyleRecord) == 16);

struct Phase {
  double target = 0, achieved = 0, applied_rate = 0, p50 = 0, p99 = 0;
  uint64_t published = 0, applied = 0;
  bool clean = false;
};

double pct(std::vector<double>& v, double q) {
  if (v.empty()) return 0.0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

class Bench {
 public:
  Bench(const live::Registry& reg, live::PublisherOptions po, int threads)
      : reg_(reg), po_(std::move(po)), threads_(threads), records_(reg.size()) {
    for (const auto& e : reg.enterprises()) topics_.push_back(live::topic_for(e));
    publish_ns_.reset(new std::atomic<int64_t>[kMaxSeq]);
  }

  /// Publishes `total` messages at `rate` msg/s (0 = as fast as possible) from all threads.
  /// Returns the achieved publish rate.
  double publish(uint64_t total, double rate) {
    std::vector<std::thread> ts;
    const int64_t t0 = now_ns();
    for (int k = 0; k < threads_; ++k) {
      ts.emplace_back([&, k] {
        auto pub = live::Publisher::connect(po_);
        if (!pub) {
          std::cerr << "bench ingest: " << pub.error().message << "\n";
          return;
        }
        char buf[384];
        const uint64_t mine = total / threads_ + (static_cast<uint64_t>(k) < total % threads_ ? 1 : 0);
        const double my_rate = rate / threads_;
        for (uint64_t i = 0; i < mine; ++i) {
          if (my_rate > 0) {
            const int64_t due = t0 + static_cast<int64_t>(static_cast<double>(i) / my_rate * 1e9);
            while (now_ns() < due) {
              (*pub)->service(0);
              std::this_thread::sleep_for(std::chrono::microseconds(200));
            }
          }
          const uint64_t seq = next_seq_.fetch_add(1) % kMaxSeq;
          const size_t e = seq % reg_.size();
          const int n = std::snprintf(buf, sizeof buf,
                                      R"({"v":1,"enterprise":"%s","ts":%lld,"output_yuan_h":125000.0,"power_kw":850.0,)"
                                      R"("utilisation_pct":82.5,"production":%llu,"status":"running","sim":true})",
                                      reg_.enterprises()[e].id.c_str(), static_cast<long long>(live::wall_ms()),
                                      static_cast<unsigned long long>(seq));
          publish_ns_[seq].store(now_ns(), std::memory_order_relaxed);
          if ((*pub)->publish(topics_[e], std::string_view(buf, static_cast<size_t>(n)), 0)) published_++;
        }
        (*pub)->flush(5000);
      });
    }
    for (auto& t : ts) t.join();
    return static_cast<double>(total) / (static_cast<double>(now_ns() - t0) / 1e9);
  }

  void consume(live::Source& src) {
    std::vector<live::Sample> batch;
    batch.reserve(65536);
    while (!stop_) {
      batch.clear();
      src.drain(batch);
      const int64_t t = now_ns();
      for (const auto& s : batch) {
        StyleRecord& r = records_[s.enterprise];
        r.height = static_cast<float>(s.m.value(scene::Metric::Utilisation));
        r.value = static_cast<float>(s.m.value(scene::Metric::Power));
        r.rgba = 0xff00ff00u;
        r.flags = static_cast<uint32_t>(s.m.status);
        const auto seq = static_cast<uint64_t>(s.m.value(scene::Metric::Production)) % kMaxSeq;
        const double lat = static_cast<double>(t - publish_ns_[seq].load(std::memory_order_relaxed)) / 1e6;
        std::lock_guard lk(mu_);
        latencies_.push_back(lat);
      }
      applied_ += batch.size();
      if (batch.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  Phase run_phase(double rate, double seconds, bool paced) {
    Phase p;
    p.target = rate;
    const uint64_t total = static_cast<uint64_t>(rate * seconds);
    const uint64_t applied0 = applied_, published0 = published_;
    {
      std::lock_guard lk(mu_);
      latencies_.clear();
    }
    const int64_t t0 = now_ns();
    p.achieved = publish(total, paced ? rate : 0.0);
    p.published = published_ - published0;
    // Wait until everything is applied (or a second of silence says some is lost).
    uint64_t last = applied_;
    int64_t last_change = now_ns();
    while (applied_ - applied0 < p.published && now_ns() - last_change < 1'000'000'000) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      if (applied_ != last) last = applied_, last_change = now_ns();
    }
    p.applied = applied_ - applied0;
    p.applied_rate = static_cast<double>(p.applied) / (static_cast<double>(now_ns() - t0) / 1e9);
    std::lock_guard lk(mu_);
    p.p50 = pct(latencies_, 0.50);
    p.p99 = pct(latencies_, 0.99);
    p.clean = p.applied >= p.published && p.p99 < 100.0 && p.achieved >= 0.9 * rate;
    return p;
  }

  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> applied_{0}, published_{0};

 private:
  static constexpr uint64_t kMaxSeq = 1 << 22;
  const live::Registry& reg_;
  live::PublisherOptions po_;
  int threads_;
  std::vector<std::string> topics_;
  std::vector<StyleRecord> records_;
  std::unique_ptr<std::atomic<int64_t>[]> publish_ns_;
  std::atomic<uint64_t> next_seq_{0};
  std::mutex mu_;
  std::vector<double> latencies_;
};

/// Time for `mosquitto_sub -C n` to receive n messages that `bench` publishes as fast as it can.
/// Anonymous plain connections only: a password would have to go on mosquitto_sub's command line.
double raw_sub_rate(const std::string& tool, const live::PublisherOptions& po, Bench& bench, uint64_t n) {
  const std::string port = std::to_string(po.port), count = std::to_string(n);
  std::vector<std::string> args{tool, "-h", po.host, "-p", port, "-t", "parktwin/v1/#", "-C", count, "-q", "0"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, tool.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return 0.0;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // connected and subscribed
  const int64_t t0 = now_ns();
  bench.publish(n, 0.0);
  int status = 0;
  const int64_t deadline = now_ns() + 20'000'000'000;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (now_ns() > deadline) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, &status, 0);
      return 0.0;  // it never received all n: loss, reported as 0
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return static_cast<double>(n) / (static_cast<double>(now_ns() - t0) / 1e9);
}

}  // namespace

int run_bench_ingest(int argc, char** argv) {
  std::string broker, dataset;
  int threads = 2;
  uint64_t burst = 200000;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--broker" && i + 1 < argc) broker = argv[++i];
    else if (a == "--threads" && i + 1 < argc) threads = std::max(1, std::atoi(argv[++i]));
    else if (a == "--messages" && i + 1 < argc) burst = std::max<uint64_t>(1000, std::strtoull(argv[++i], nullptr, 10));
    else if (a == "--dataset" && i + 1 < argc) dataset = argv[++i];
    else {
      std::cerr << "usage: parktwin bench ingest [--broker mqtt://HOST:PORT] [--threads N] [--messages N]\n";
      return 2;
    }
  }
  std::unique_ptr<live::LocalBroker> own;
  if (broker.empty()) {
    const std::string dir = "/tmp/parktwin-bench-ingest-" + std::to_string(::getpid());
    auto b = live::LocalBroker::start(scene::default_asset_dir() + "/mosquitto/parktwin.conf", dir);
    if (!b) return std::cerr << "parktwin bench ingest: no --broker and " << b.error().message << "\n", 1;
    own = std::move(*b);
    broker = own->url();
    std::cout << "broker=private mosquitto on " << broker << " with assets/mosquitto/parktwin.conf (started for this run)\n";
  } else {
    std::cout << "broker=" << broker << "\n";
  }
  auto po = feed::publisher_options(broker);
  if (!po) return std::cerr << "parktwin bench ingest: " << po.error().message << "\n", 1;
  po->max_inflight = 20000;
  auto reg = feed::load_registry(dataset);
  if (!reg) return std::cerr << "parktwin bench ingest: " << reg.error().message << "\n", 1;

  live::SourceOptions so;
  so.flood_per_enterprise_per_s = 1e9;  // measuring the pipeline, not the flood limit
  // The broker's URL with its TLS and credentials settings; the last qos given wins.
  auto src = live::open_source(broker + (broker.find('?') == std::string::npos ? "?qos=0" : "&qos=0"), *reg, so);
  if (!src) return std::cerr << "parktwin bench ingest: " << src.error().message << "\n", 1;
  if (auto r = (*src)->start(); !r) return std::cerr << "parktwin bench ingest: " << r.error().message << "\n", 1;
  const int64_t wait_until = now_ns() + 5'000'000'000;
  while ((*src)->status().state != live::ConnectionState::Connected && now_ns() < wait_until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if ((*src)->status().state != live::ConnectionState::Connected)
    return std::cerr << "parktwin bench ingest: " << (*src)->status().last_error << "\n", 1;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // subscription in place

  std::cout << "machine_cpu=" << cpu_model() << "\nmachine_cores=" << std::thread::hardware_concurrency()
            << "\nconditions=loopback broker, QoS 0, " << threads << " publisher connections, " << reg->size()
            << " enterprises, ~230-byte payloads, publisher + broker + subscriber + consumer on this machine\n";
  Bench bench(*reg, *po, threads);
  std::thread consumer([&] { bench.consume(**src); });

  auto print = [](const std::string& name, const Phase& p) {
    std::cout << name << "_target=" << p.target << " " << name << "_published=" << p.published << " " << name
              << "_applied=" << p.applied << " " << name << "_p50_ms=" << p.p50 << " " << name << "_p99_ms=" << p.p99
              << " " << name << "_clean=" << p.clean << "\n";
  };
  const Phase k1 = bench.run_phase(1000, 3, true);
  print("phase_1k", k1);
  const Phase k10 = bench.run_phase(10000, 3, true);
  print("phase_10k", k10);
  double best = k10.clean ? 10000 : (k1.clean ? 1000 : 0);
  for (double rate = 20000; rate <= 400000; rate *= 1.25) {
    const Phase p = bench.run_phase(rate, 2, true);
    print("phase_" + std::to_string(static_cast<int>(rate / 1000)) + "k", p);
    if (!p.clean) break;
    best = rate;
  }
  const Phase b = bench.run_phase(static_cast<double>(burst), 1, false);
  print("burst", b);
  const double burst_rate = b.applied >= b.published ? b.applied_rate : 0.0;

  const auto tool = live::client_tool("mosquitto_sub");
  const bool plain = po->security.user.empty() && !po->security.tls;
  const double raw = tool && plain ? raw_sub_rate(*tool, *po, bench, burst) : 0.0;
  bench.stop_ = true;
  consumer.join();
  const auto st = (*src)->status();
  (*src)->stop();

  std::cout << "ingest_msgs_per_s=" << best << "\ningest_burst_msgs_per_s=" << burst_rate
            << "\ningest_p50_ms_at_1k=" << k1.p50 << "\ningest_p99_ms_at_1k=" << k1.p99
            << "\ningest_p50_ms_at_10k=" << k10.p50 << "\ningest_p99_ms_at_10k=" << k10.p99
            << "\nraw_sub_msgs_per_s=" << raw << "\ningest_vs_raw_ratio=" << (raw > 0 ? burst_rate / raw : 0.0)
            << "\nsource_received=" << st.received << "\nsource_accepted=" << st.accepted
            << "\nsource_rejected=" << st.received - st.accepted << "\n";
  if (!tool) std::cout << "raw_sub_note=mosquitto_sub not found (package mosquitto-clients)\n";
  if (tool && !plain) std::cout << "raw_sub_note=skipped: the broker needs TLS or a user, which mosquitto_sub would need on its command line\n";
  return 0;
}

}  // namespace parktwin::bench
