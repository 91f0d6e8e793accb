// The wall sync's wire format and its never-blocking ZeroMQ helpers, shared by the master
// (sync.cpp) and the node (sync_node.cpp). Internal to parktwin::wall; docs/wall_sync.md has the
// protocol.
#pragma once

#include "parktwin/wall/sync.h"

#include <zmq.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace parktwin::wall::sync_detail {

using Clock = std::chrono::steady_clock;

inline constexpr char kMagic[4] = {'P', 'T', 'W', 'S'};
inline constexpr size_t kHeaderBytes = 24;        // magic 4, version 1, type 1, wait 2, session 8, frame 8
inline constexpr size_t kReadyPayloadBytes = 16;  // last presented u64, render time in µs u64
inline constexpr int kIdMaxBytes = 255;

enum class MsgType : uint8_t {
  Frame = 1,     // master -> nodes (PUB): header + the app's state
  Present = 2,   // master -> nodes (PUB): header only
  Hello = 16,    // node -> master (DEALER): header only, frame = last presented
  Ready = 17,    // node -> master: header + kReadyPayloadBytes, frame = the frame rendered
  Heartbeat = 18,
  Bye = 19
};

struct Header {
  MsgType type = MsgType::Frame;
  uint64_t session = 0;
  uint64_t frame = 0;
  uint16_t wait_ms = 0;  // FRAME: the longest the master's barrier for it may wait (0 elsewhere)
};

enum class Decoded { Ok, Malformed, WrongVersion };

inline void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline uint64_t get_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

inline std::string encode(MsgType type, uint64_t session, uint64_t frame, std::string_view payload = {}, uint16_t wait_ms = 0) {
  std::string out;
  out.reserve(kHeaderBytes + payload.size());
  out.append(kMagic, sizeof kMagic);
  out.push_back(static_cast<char>(kSyncProtocolVersion));
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(wait_ms & 0xff));
  out.push_back(static_cast<char>(wait_ms >> 8));
  put_u64(out, session);
  put_u64(out, frame);
  out.append(payload);
  return out;
}

/// Checks the header and the payload size the type demands; `from_master` says which types are allowed.
inline Decoded decode(std::string_view bytes, bool from_master, Header& h, std::string_view& payload) {
  if (bytes.size() < kHeaderBytes || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) return Decoded::Malformed;
  if (static_cast<uint8_t>(bytes[4]) != kSyncProtocolVersion) return Decoded::WrongVersion;
  h.type = static_cast<MsgType>(static_cast<uint8_t>(bytes[5]));
  h.wait_ms = static_cast<uint16_t>(static_cast<uint8_t>(bytes[6]) | (static_cast<uint8_t>(bytes[7]) << 8));
  h.session = get_u64(bytes.data() + 8);
  h.frame = get_u64(bytes.data() + 16);
  payload = bytes.substr(kHeaderBytes);
  switch (h.type) {
    case MsgType::Frame: return from_master ? Decoded::Ok : Decoded::Malformed;
    case MsgType::Present: return from_master && payload.empty() ? Decoded::Ok : Decoded::Malformed;
    case MsgType::Ready: return !from_master && payload.size() == kReadyPayloadBytes ? Decoded::Ok : Decoded::Malformed;
    case MsgType::Hello:
    case MsgType::Heartbeat:
    case MsgType::Bye: return !from_master && payload.empty() ? Decoded::Ok : Decoded::Malformed;
  }
  return Decoded::Malformed;
}

/// Decodes `m`; counts what is refused in `c` (MasterStats or NodeStats: malformed, wrong_version).
template <typename Counters>
bool accept(const zmq::message_t& m, bool from_master, Header& h, std::string_view& payload, Counters& c) {
  switch (decode({static_cast<const char*>(m.data()), m.size()}, from_master, h, payload)) {
    case Decoded::Malformed: ++c.malformed; return false;
    case Decoded::WrongVersion: ++c.wrong_version; return false;
    case Decoded::Ok: return true;
  }
  return false;
}

inline double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

/// Milliseconds from now to `t`, rounded up so a poll does not wake just before its deadline.
inline int ms_until(Clock::time_point now, Clock::time_point t) {
  if (t <= now) return 0;
  return static_cast<int>(std::ceil(ms_between(now, t)));
}

/// The most recent `kCap` values of something, with percentiles.
class Recent {
 public:
  static constexpr size_t kCap = 512;
  void add(double v) {
    if (values_.size() < kCap) values_.push_back(v);
    else values_[next_] = v;
    next_ = (next_ + 1) % kCap;
  }
  double percentile(double p) const {
    if (values_.empty()) return 0;
    std::vector<double> v = values_;
    const double rank = std::ceil(std::clamp(p, 0.0, 1.0) * static_cast<double>(v.size()));
    const size_t k = std::min(v.size() - 1, static_cast<size_t>(std::max(1.0, rank)) - 1);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
  }

 private:
  std::vector<double> values_;
  size_t next_ = 0;
};

/// Waits until `s` has something to read or `timeout_ms` passes; a signal only shortens the wait.
inline bool wait_readable(zmq::socket_t& s, int timeout_ms) {
  zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
  try {
    return zmq::poll(&item, 1, std::chrono::milliseconds(timeout_ms)) > 0;
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return false;
    throw;
  }
}

/// Receives one message without waiting; false when none is queued (or a signal came).
inline bool try_recv(zmq::socket_t& s, zmq::message_t& m) {
  try {
    return s.recv(m, zmq::recv_flags::dontwait).has_value();
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return false;
    throw;
  }
}

/// Sends without ever blocking; false when ZeroMQ would have to wait (no peer, queue full).
inline bool try_send(zmq::socket_t& s, std::string_view bytes) {
  try {
    return s.send(zmq::buffer(bytes.data(), bytes.size()), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR || e.num() == EHOSTUNREACH) return false;
    throw;
  }
}

inline bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= kIdMaxBytes && id.front() != '\0';
}

inline uint64_t new_session() {
  std::random_device rd;
  uint64_t s = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
               static_cast<uint64_t>(Clock::now().time_since_epoch().count());
  return s == 0 ? 1 : s;
}

inline Failure zmq_failure(const std::string& what, const zmq::error_t& e) {
  return Failure(Failure::ResourceUnavailable, what + ": " + e.what());
}

}  // namespace parktwin::wall::sync_detail
