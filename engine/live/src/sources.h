#pragma once
// Private: the concrete sources behind open_source(), and the ingest pipeline they share.
#include <memory>
#include <string>

#include "parktwin/live/mqtt_url.h"
#include "parktwin/live/source.h"

namespace parktwin::live {

std::unique_ptr<Source> make_sim_source(const Registry& reg, const SimParams& p, const SourceOptions& opt);

using MqttParams = MqttUrl;
std::unique_ptr<Source> make_mqtt_source(const Registry& reg, const MqttParams& p, const SourceOptions& opt);

/// Replays a recorded history from `start_ms` (0 = its beginning) at `speed`.
std::unique_ptr<Source> make_history_source(const Registry& reg, const std::string& path, double speed,
                                            int64_t start_ms, const SourceOptions& opt);

}  // namespace parktwin::live
