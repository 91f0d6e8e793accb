#pragma once
// Private: the concrete sources behind open_source(), and the ingest pipeline they share.
#include <memory>
#include <string>

#include "parktwin/live/source.h"

namespace parktwin::live {

std::unique_ptr<Source> make_sim_source(const Registry& reg, const SimParams& p, const SourceOptions& opt);

struct MqttParams {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string park;          ///< "" = all parks
  int qos = 1;
  std::string user, password;
  bool tls = false;
  std::string cafile;        ///< CA file for TLS ("" = system default)
  bool insecure = false;     ///< TLS without hostname verification (testing only)
  std::string client_id;     ///< "" = generated; a fixed id with qos 1 keeps the session across restarts
};
std::unique_ptr<Source> make_mqtt_source(const Registry& reg, const MqttParams& p, const SourceOptions& opt);

/// Replays a recorded history from `start_ms` (0 = its beginning) at `speed`.
std::unique_ptr<Source> make_history_source(const Registry& reg, const std::string& path, double speed,
                                            int64_t start_ms, const SourceOptions& opt);

}  // namespace parktwin::live
