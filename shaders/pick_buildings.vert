#version 450
// Object ids for picking: buildings (kind 1 in the top 4 bits, building index below).
#include "common.glsl"
#include "pick_constants.glsl"

layout(location = 0) in vec2 in_pos;
layout(location = 1) in float in_top;
layout(location = 2) in uint in_building;

layout(std430, set = 0, binding = 0) readonly buffer Styles { BuildingStyle styles[]; };
layout(location = 0) flat out uint v_id;

void main() {
  BuildingStyle s = styles[in_building];
  if ((s.flags & kFlagHidden) != 0u) {
    gl_Position = vec4(0.0, 0.0, -2.0, 1.0);
    return;
  }
  gl_Position = pc.mvp * vec4(in_pos, s.base + in_top * s.height, 1.0);
  v_id = (1u << 28) | (in_building & 0x0FFFFFFFu);
}
