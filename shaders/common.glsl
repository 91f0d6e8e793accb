// Shared declarations. CPU mirrors: scene::BuildingStyle (16 bytes) and render/gpu_types.h.

struct BuildingStyle {
  float height;  // metres, scaled
  float base;    // metres above ground
  uint rgba;     // 0xAABBGGRR
  uint flags;    // bit 0 hidden, bit 1 highlighted, bit 2 generated
};

// Per-draw constants (push constants, 112 bytes): see render/gpu_types.h DrawConstants.
layout(push_constant) uniform DrawConstants {
  mat4 mvp;       // projection * rotation * translate(chunk origin - eye), built in double on the CPU
  vec4 sun;       // xyz: direction towards the sun (scene frame), w: sun intensity
  vec4 params;    // x: opacity, y: z offset (m), z: viewport width (px), w: viewport height (px)
  vec4 extra;     // x: animation time (s, wrapped to an hour)
} pc;

const uint kFlagHidden = 1u;
const uint kFlagHighlighted = 2u;
const uint kFlagAlarm = 8u;
const uint kFlagMaintenance = 16u;
const uint kFlagStopped = 32u;
const uint kFlagStale = 64u;
