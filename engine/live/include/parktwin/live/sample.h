#pragma once
// Samples and rejects: what sources hand to the app.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "parktwin/scene/metrics.h"

namespace parktwin::live {

/// One accepted sample: all metrics of one enterprise at one time.
struct Sample {
  uint32_t enterprise = 0;  ///< index in the Registry (== scene enterprise index)
  scene::Metrics m;
  int64_t received_ms = 0;  ///< when it arrived (steady clock ms), for latency
};

/// Why a message was refused. Every reject is counted under exactly one reason.
enum class Reject : uint8_t {
  MalformedJson = 0,   ///< not JSON, or not a JSON object
  Oversized,           ///< payload larger than the limit
  BadTopic,            ///< topic not parktwin/v1/<park>/<enterprise>/metrics
  UnsupportedVersion,  ///< "v" missing or not 1
  UnknownEnterprise,   ///< enterprise id not in the registry (or topic and payload disagree)
  MissingField,        ///< a required field is absent
  WrongType,           ///< a field has the wrong JSON type
  NotFinite,           ///< NaN or infinity (JSON has none, but strings like "NaN" or 1e999 overflow)
  Negative,            ///< a negative value where none is possible
  OutOfRange,          ///< beyond physical bounds (utilisation > 150 %, absurd magnitudes)
  UnknownStatus,       ///< status not one of running, maintenance, stopped, alarm
  TimestampFuture,     ///< more than the allowed skew ahead of now
  TimestampPast,       ///< older than the allowed age
  Flood,               ///< more messages per second than allowed for one enterprise
  QueueFull,           ///< accepted, but the app had not taken the queued samples (it stalls): dropped
  Count
};
constexpr size_t kRejectCount = static_cast<size_t>(Reject::Count);
const char* reject_name(Reject r);

/// Counters shared between a source's thread and the UI (relaxed atomics; read as a snapshot).
struct IngestCounters {
  std::atomic<uint64_t> received{0};
  std::atomic<uint64_t> accepted{0};
  std::array<std::atomic<uint64_t>, kRejectCount> rejected{};
  uint64_t rejected_total() const;
};

}  // namespace parktwin::live
