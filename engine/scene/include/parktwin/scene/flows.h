#pragma once
// Flow arcs: what the renderer draws for supply links (enterprise to enterprise, inside and between
// parks) and for park-to-park flows (aggregated per chain and direction, bundled side by side).
// The geometry is shared by the renderer (GPU arcs) and by hover picking (CPU), so both agree.
#include <cstdint>
#include <vector>

#include <glm/vec2.hpp>
#include <glm/vec3.hpp>

namespace parktwin::scene {

class Scene;
struct ChainFilter;

enum class FlowLevel : uint8_t { Enterprise = 0, Park = 1 };

struct FlowArc {
  glm::dvec2 a{0.0}, b{0.0};  ///< supplier and customer ends, scene frame
  double height = 0.0;        ///< apex height above the ends, metres (grows with distance)
  double base_z = 0.0;        ///< height of both ends above ground
  float width_px = 2.0f;      ///< ribbon width on screen, from the nominal value
  uint32_t rgba = 0;          ///< chain colour
  int chain = -1;
  int segment = 0;            ///< the supplier's segment (0 upstream, 1 midstream, 2 downstream)
  FlowLevel level = FlowLevel::Enterprise;
  uint32_t supplier = 0;      ///< enterprise index whose live output sets the pace (park flows: their largest link's)
  uint32_t source = 0;        ///< index into ChainModel::links (Enterprise) or ::park_flows (Park)
  double value_yuan_per_year = 0.0;
};

/// Arcs for every supply link inside a park and every park flow (links between parks are shown
/// through the park flows that sum them), in that order.
std::vector<FlowArc> build_flow_arcs(const Scene& scene);

/// The point at parameter t in [0, 1] along an arc (a parabola over the straight line a -> b).
glm::dvec3 arc_point(const FlowArc& arc, double t);

/// Camera distances between which each level is shown (enterprise arcs up close, park arcs far).
constexpr double kEnterpriseFlowsMaxDistance = 60000.0;
constexpr double kParkFlowsMinDistance = 20000.0;

/// Whether the renderer's culling keeps `arc` (frustum and screen length aside): its level shows at
/// `camera_distance`, its chain and segment pass `filter`, and an enterprise arc is worth at least
/// `min_value_yuan` per year, the drawing budget of that frame (RenderStats::flows_min_value_yuan;
/// 0 = no budget). Hover uses it so that it reports only arcs that were drawn.
bool arc_drawn(const FlowArc& arc, const ChainFilter& filter, double camera_distance, double min_value_yuan);

}  // namespace parktwin::scene
