#version 450
#include "common.glsl"
#include "shared_constants.h"
#include "edge_constants.glsl"
#define BUILDING_MATRICES_ACCESS readonly
#include "building_cull.glsl"

layout(location = 0) in vec2 in_pos;
layout(location = 1) in float in_top;
layout(location = 2) in uint in_building;

layout(std430, set = 0, binding = 0) readonly buffer Styles { BuildingStyle styles[]; };

layout(location = 0) out float v_fade;

void main() {
  BuildingStyle s = styles[in_building];
  if ((s.flags & kFlagHidden) != 0u) {
    gl_Position = vec4(0.0, 0.0, -2.0, 1.0);
    return;
  }
  float z = s.base + in_top * s.height;
  vec4 p = chunk_mvp[gl_InstanceIndex] * vec4(in_pos, z, 1.0);
  // Reverse-Z: scale depth up a little so edges win against the faces they lie on.
  p.z *= 1.0008;
  gl_Position = p;
  // Fade edges out with distance (w is the view depth) so far views don't turn grey.
  v_fade = 1.0 - smoothstep(kEdgeFadeStartM, kEdgeFadeEndM, p.w);
}
