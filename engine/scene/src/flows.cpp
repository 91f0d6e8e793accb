#include "parktwin/scene/flows.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "parktwin/scene/scene.h"

namespace parktwin::scene {
namespace {

/// Ribbon width from yearly value: 1 px at 10 M yuan, about 2 px more per decade, capped.
float width_for(double value, float max_px) {
  if (!(value > 0.0)) return 1.0f;
  return std::clamp(1.0f + 2.0f * static_cast<float>(std::log10(value / 1e7)), 1.0f, max_px);
}

/// Apex height grows with distance: low hops inside a park, high arches between parks.
double height_for(double length, FlowLevel level) {
  return level == FlowLevel::Enterprise ? std::clamp(0.12 * length, 30.0, 600.0) : std::clamp(0.22 * length, 2000.0, 60000.0);
}

}  // namespace

glm::dvec3 arc_point(const FlowArc& arc, double t) {
  const glm::dvec2 p = arc.a + (arc.b - arc.a) * t;
  return {p, arc.base_z + 4.0 * arc.height * t * (1.0 - t)};
}

std::vector<FlowArc> build_flow_arcs(const Scene& s) {
  std::vector<FlowArc> out;
  const ChainModel& m = s.chains;
  out.reserve(m.links.size() + m.park_flows.size());
  for (uint32_t i = 0; i < m.links.size(); ++i) {
    const SupplyLink& l = m.links[i];
    // Links between parks are drawn as the park flows that aggregate them (below).
    if (s.enterprises[l.supplier].park != s.enterprises[l.customer].park) continue;
    FlowArc f;
    f.a = s.enterprises[l.supplier].pos;
    f.b = s.enterprises[l.customer].pos;
    f.height = height_for(glm::length(f.b - f.a), FlowLevel::Enterprise);
    f.base_z = 8.0;
    f.width_px = width_for(l.value_yuan_per_year, 5.0f);
    const glm::vec4 c = chain_color(l.chain >= 0 ? chains()[static_cast<size_t>(l.chain)].key : "");
    f.rgba = pack_rgba(c.r, c.g, c.b, 0.6f);  // hundreds overlap inside a park: keep them light
    f.chain = l.chain;
    const Segment seg = parse_segment(s.enterprises[l.supplier].segment);
    f.segment = seg == Segment::Unknown ? 1 : static_cast<int>(seg);
    f.level = FlowLevel::Enterprise;
    f.supplier = l.supplier;
    f.source = i;
    f.value_yuan_per_year = l.value_yuan_per_year;
    out.push_back(f);
  }
  // Park flows: between the centres of the supplying and receiving parks' main sites; flows of one
  // park pair are bundled side by side (offset across the line), one arc per chain and direction.
  std::map<std::pair<int, int>, int> bundle_count, bundle_next;
  for (const ParkFlow& pf : m.park_flows) ++bundle_count[{std::min(pf.from_park, pf.to_park), std::max(pf.from_park, pf.to_park)}];
  for (uint32_t i = 0; i < m.park_flows.size(); ++i) {
    const ParkFlow& pf = m.park_flows[i];
    const Park& pa = s.parks[static_cast<size_t>(pf.from_park)];
    const Park& pb = s.parks[static_cast<size_t>(pf.to_park)];
    const std::pair<int, int> key{std::min(pf.from_park, pf.to_park), std::max(pf.from_park, pf.to_park)};
    const int n = bundle_count[key], k = bundle_next[key]++;
    FlowArc f;
    f.a = pa.focus;
    f.b = pb.focus;
    const glm::dvec2 d = f.b - f.a;
    const double len = glm::length(d);
    const glm::dvec2 across = len > 0.0 ? glm::dvec2(-d.y, d.x) / len : glm::dvec2(0.0);
    // Same lateral order whichever way a flow runs, so opposite directions sit side by side.
    const double sign = pf.from_park < pf.to_park ? 1.0 : -1.0;
    const double offset = (static_cast<double>(k) - (n - 1) * 0.5) * 2500.0 * sign;
    f.a += across * offset;
    f.b += across * offset;
    f.height = height_for(len, FlowLevel::Park);
    f.base_z = 200.0;
    f.width_px = width_for(pf.value_yuan_per_year, 14.0f) + 2.0f;
    const glm::vec4 c = chain_color(pf.chain >= 0 ? chains()[static_cast<size_t>(pf.chain)].key : "");
    f.rgba = pack_rgba(c.r, c.g, c.b, 0.95f);
    f.chain = pf.chain;
    f.segment = 1;
    f.level = FlowLevel::Park;
    // The pace of an aggregated flow follows its largest link's supplier.
    uint32_t biggest = pf.links.empty() ? 0 : pf.links.front();
    for (uint32_t li : pf.links)
      if (m.links[li].value_yuan_per_year > m.links[biggest].value_yuan_per_year) biggest = li;
    f.supplier = m.links.empty() ? 0 : m.links[biggest].supplier;
    f.source = i;
    f.value_yuan_per_year = pf.value_yuan_per_year;
    out.push_back(f);
  }
  return out;
}

bool arc_drawn(const FlowArc& a, const ChainFilter& f, double camera_distance, double min_value_yuan) {
  if (a.level == FlowLevel::Enterprise && camera_distance > kEnterpriseFlowsMaxDistance) return false;
  if (a.level == FlowLevel::Park && camera_distance < kParkFlowsMinDistance) return false;
  if (a.chain < 0 || static_cast<size_t>(a.chain) >= f.chain_on.size() || !f.chain_on[static_cast<size_t>(a.chain)]) return false;
  if (a.segment < 0 || static_cast<size_t>(a.segment) >= f.segment_on.size() || !f.segment_on[static_cast<size_t>(a.segment)])
    return false;
  if (a.level == FlowLevel::Enterprise && min_value_yuan > 0.0) {
    // The same comparison as the culling shader: log10 of the value in single precision.
    const float v = a.value_yuan_per_year > 0.0 ? static_cast<float>(std::log10(a.value_yuan_per_year)) : 0.0f;
    if (v < static_cast<float>(std::log10(min_value_yuan))) return false;
  }
  return true;
}

}  // namespace parktwin::scene
