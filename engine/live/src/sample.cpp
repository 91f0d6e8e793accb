#include "parktwin/live/sample.h"

namespace parktwin::live {

const char* reject_name(Reject r) {
  switch (r) {
    case Reject::MalformedJson: return "malformed_json";
    case Reject::Oversized: return "oversized";
    case Reject::BadTopic: return "bad_topic";
    case Reject::UnsupportedVersion: return "unsupported_version";
    case Reject::UnknownEnterprise: return "unknown_enterprise";
    case Reject::MissingField: return "missing_field";
    case Reject::WrongType: return "wrong_type";
    case Reject::NotFinite: return "not_finite";
    case Reject::Negative: return "negative";
    case Reject::OutOfRange: return "out_of_range";
    case Reject::UnknownStatus: return "unknown_status";
    case Reject::TimestampFuture: return "timestamp_future";
    case Reject::TimestampPast: return "timestamp_past";
    case Reject::Flood: return "flood";
    case Reject::QueueFull: return "queue_full";
    case Reject::Count: break;
  }
  return "unknown";
}

uint64_t IngestCounters::rejected_total() const {
  uint64_t total = 0;
  // Each counter is read on its own (relaxed): the sum is a snapshot that may lag a concurrent
  // writer by a message or two, which is fine for a status display.
  for (const auto& c : rejected) total += c.load(std::memory_order_relaxed);
  return total;
}

}  // namespace parktwin::live
