// Private mosquitto broker: see local_broker.h.
#include "parktwin/live/local_broker.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace parktwin::live {
namespace {

namespace fs = std::filesystem;
using gis::Failure;

std::optional<std::string> find_executable(const std::string& name, std::vector<std::string> extra_dirs) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    for (std::string d; std::getline(ss, d, ':');)
      if (!d.empty()) dirs.push_back(d);
  }
  dirs.insert(dirs.end(), extra_dirs.begin(), extra_dirs.end());
  for (const auto& d : dirs) {
    const std::string p = d + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return std::nullopt;
}

bool port_accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

std::string tail_of(const std::string& path, size_t max_bytes = 2000) {
  std::ifstream f(path);
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return s.size() > max_bytes ? s.substr(s.size() - max_bytes) : s;
}

}  // namespace

std::optional<std::string> LocalBroker::binary() { return find_executable("mosquitto", {"/usr/sbin", "/usr/local/sbin"}); }

std::optional<std::string> client_tool(const std::string& name) { return find_executable(name, {"/usr/local/bin"}); }

int LocalBroker::free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = 0;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

gis::Result<std::unique_ptr<LocalBroker>> LocalBroker::start(const std::string& conf_template, const std::string& work_dir,
                                                   int port) {
  auto exe = binary();
  if (!exe) return Failure{Failure::ResourceUnavailable, "mosquitto is not installed (apt-get install mosquitto)"};
  std::ifstream in(conf_template);
  if (!in) return Failure{Failure::ResourceUnavailable, "cannot read broker config " + conf_template};
  std::error_code ec;
  fs::create_directories(work_dir, ec);
  if (ec) return Failure{Failure::ResourceUnavailable, "cannot create " + work_dir + ": " + ec.message()};
  std::unique_ptr<LocalBroker> b(new LocalBroker());
  b->exe_ = *exe;
  b->port_ = port > 0 ? port : free_port();
  if (b->port_ <= 0) return Failure{Failure::ResourceUnavailable, "no free loopback port"};
  b->conf_ = work_dir + "/mosquitto.conf";
  b->log_ = work_dir + "/mosquitto.log";
  // The shipped config with our port and persistence directory; everything else as shipped.
  std::ostringstream conf;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("listener ", 0) == 0) {
      int p = b->ports_.empty() ? b->port_ : 0;
      // A port just released by free_port() may come back: never give two listeners the same one.
      for (int tries = 0; p <= 0 && tries < 100; ++tries) {
        p = free_port();
        if (std::find(b->ports_.begin(), b->ports_.end(), p) != b->ports_.end()) p = 0;
      }
      if (p <= 0) return Failure{Failure::ResourceUnavailable, "no free loopback port for a further listener"};
      b->ports_.push_back(p);
      conf << "listener " << p << " 127.0.0.1\n";
    } else if (line.rfind("persistence_location ", 0) == 0) {
      conf << "persistence_location " << fs::absolute(work_dir).string() << "/\n";
    } else {
      conf << line << "\n";
    }
  }
  // Run as root (containers), mosquitto would switch to the "mosquitto" user, which cannot write
  // our persistence directory; keep the current user instead.
  if (::geteuid() == 0) conf << "user root\n";
  std::ofstream(b->conf_) << conf.str();
  auto r = b->spawn();
  if (!r) return r.error();
  return b;
}

gis::Result<bool> LocalBroker::spawn() {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> argv{exe_.data(), const_cast<char*>("-c"), conf_.data(), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, exe_.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return Failure{Failure::ResourceUnavailable, "cannot start " + exe_ + ": " + std::strerror(rc)};
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Failure{Failure::ResourceUnavailable, "mosquitto exited at start; its log:\n" + tail_of(log_)};
    }
    if (std::all_of(ports_.begin(), ports_.end(), port_accepts) && port_accepts(port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop(0);
  return Failure{Failure::ResourceUnavailable,
                 "mosquitto did not accept on port " + std::to_string(port_) + " within 5 s; log:\n" + tail_of(log_)};
}

gis::Result<bool> LocalBroker::restart() {
  stop();
  return spawn();
}

void LocalBroker::stop(int grace_ms) {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

LocalBroker::~LocalBroker() { stop(); }

}  // namespace parktwin::live
