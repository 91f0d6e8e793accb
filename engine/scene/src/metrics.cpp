#include "parktwin/scene/metrics.h"

#include <cmath>

namespace parktwin::scene {

const char* status_name(Status s) {
  switch (s) {
    case Status::Running: return "running";
    case Status::Maintenance: return "maintenance";
    case Status::Stopped: return "stopped";
    case Status::Alarm: return "alarm";
    case Status::Unknown: break;
  }
  return "unknown";
}

std::optional<Status> parse_status(std::string_view s) {
  if (s == "running") return Status::Running;
  if (s == "maintenance") return Status::Maintenance;
  if (s == "stopped") return Status::Stopped;
  if (s == "alarm") return Status::Alarm;
  return std::nullopt;
}

const char* metric_key(Metric m) {
  switch (m) {
    case Metric::Output: return "output_yuan_h";
    case Metric::Power: return "power_kw";
    case Metric::Utilisation: return "utilisation_pct";
    case Metric::Production: return "production";
  }
  return "?";
}

const char* metric_label(Metric m) {
  switch (m) {
    case Metric::Output: return "output value";
    case Metric::Power: return "power load";
    case Metric::Utilisation: return "capacity utilisation";
    case Metric::Production: return "production";
  }
  return "?";
}

const char* metric_unit(Metric m) {
  switch (m) {
    case Metric::Output: return "yuan/h";
    case Metric::Power: return "kW";
    case Metric::Utilisation: return "%";
    case Metric::Production: return "";
  }
  return "";
}

std::string production_rate_unit(std::string_view annual_unit) {
  std::string_view u = annual_unit;
  while (!u.empty() && u.back() == ' ') u.remove_suffix(1);
  for (std::string_view per : {"/a", "/yr", "/year", " per year", "/年"})
    if (u.size() > per.size() && u.substr(u.size() - per.size()) == per) {
      u.remove_suffix(per.size());
      break;
    }
  while (!u.empty() && u.back() == ' ') u.remove_suffix(1);
  return std::string(u.empty() ? "units" : u) + "/h";
}

bool finite_metrics(const Metrics& m) {
  for (double v : m.v)
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace parktwin::scene
