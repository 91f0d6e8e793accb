// Shared declarations. CPU mirrors: scene::BuildingStyle (16 bytes) and render/gpu_types.h.

struct BuildingStyle {
  float height;  // metres, scaled
  float base;    // metres above ground
  uint rgba;     // 0xAABBGGRR
  uint flags;    // bit 0 hidden, bit 1 highlighted, bit 2 generated
};

// Each pass declares its own push constants (typed, with a CPU mirror in render/gpu_types.h):
// flat.vert, markers.vert, building_constants.glsl, edge_constants.glsl, flow_constants.glsl,
// pick_constants.glsl. `mvp` is always projection * rotation * translate(chunk origin - eye), built
// in double on the CPU.

const uint kFlagHidden = 1u;
const uint kFlagHighlighted = 2u;
const uint kFlagAlarm = 8u;
const uint kFlagMaintenance = 16u;
const uint kFlagStopped = 32u;
const uint kFlagStale = 64u;
