#pragma once
// Live enterprise metrics as the scene holds them: the latest accepted values per enterprise and
// how they drive the buildings. Sources, validation and history live in engine/live.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parktwin::scene {

/// Operating status reported with every sample.
enum class Status : uint8_t { Unknown = 0, Running, Maintenance, Stopped, Alarm };
const char* status_name(Status s);
std::optional<Status> parse_status(std::string_view s);

/// The metrics of one enterprise at one moment.
enum class Metric : uint8_t { Output = 0, Power, Utilisation, Production };
constexpr size_t kMetricCount = 4;
const char* metric_key(Metric m);    ///< JSON field name: output_yuan_h, power_kw, utilisation_pct, production
const char* metric_label(Metric m);  ///< for the UI: "output value", "power load", ...
const char* metric_unit(Metric m);   ///< "yuan/h", "kW", "%", "" (production: the enterprise's own unit)
/// The unit of a live production value: samples give production per hour, in the numerator of the
/// enterprise's annual unit ("GWh/a" -> "GWh/h", "million units/a" -> "million units/h", "t" -> "t/h").
std::string production_rate_unit(std::string_view annual_unit);

struct Metrics {
  int64_t ts_ms = 0;                          ///< sample time, ms since 1970-01-01 UTC; 0 = no sample yet
  std::array<double, kMetricCount> v{};       ///< indexed by Metric
  Status status = Status::Unknown;
  bool simulated = false;                     ///< produced by a simulator (sim:// or a payload with "sim":true)
  double value(Metric m) const { return v[static_cast<size_t>(m)]; }
};

/// True when every value is a finite number (NaN and infinities never reach the scene's styling).
bool finite_metrics(const Metrics& m);

/// How metrics drive the buildings of an enterprise.
struct MetricBinding {
  bool enabled = true;                  ///< false: buildings show their static height/style
  Metric height_metric = Metric::Utilisation;
  Metric color_metric = Metric::Power;
  bool color_log = true;                ///< logarithmic colour ramp
  float transition_s = 0.8f;            ///< animated transition time for height and colour
  double stale_after_s = 300.0;         ///< no sample for longer than this (scene time) = stale
};

}  // namespace parktwin::scene
