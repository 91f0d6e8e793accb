#pragma once
// The enterprises the live layer knows, by stable id (the id used in GIS attributes and MQTT topics).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "parktwin/scene/scene.h"

namespace parktwin::live {

struct EnterpriseInfo {
  std::string id, park, chain, segment, role, product;
  std::string unit;             ///< production unit per hour, e.g. "t", "million units", "GWh" (the dataset's "/a" removed)
  double revenue_2022 = 0.0;    ///< nominal annual revenue, yuan
};

class Registry {
 public:
  Registry() = default;
  /// From the scene's enterprises (index i here == index i in scene.enterprises).
  explicit Registry(const scene::Scene& scene);
  /// Index of an enterprise id, or nothing.
  std::optional<uint32_t> find(std::string_view id) const;
  const std::vector<EnterpriseInfo>& enterprises() const { return list_; }
  size_t size() const { return list_.size(); }
  void add(EnterpriseInfo e);  ///< for tests

 private:
  std::vector<EnterpriseInfo> list_;
  std::unordered_map<std::string, uint32_t> index_;
};

}  // namespace parktwin::live
