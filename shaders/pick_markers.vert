#version 450
// Object ids for picking: point markers (kind 3; layer in bits 20-27, marker index in the layer below).
#include "common.glsl"
#include "pick_constants.glsl"

layout(location = 0) in vec2 in_pos;
layout(location = 2) in float in_size;
layout(location = 0) flat out uint v_id;

const vec2 kCorners[6] = vec2[](vec2(-1, -1), vec2(1, -1), vec2(1, 1), vec2(-1, -1), vec2(1, 1), vec2(-1, 1));

void main() {
  vec4 p = pc.mvp * vec4(in_pos, 0.0, 1.0);
  p.xy += kCorners[gl_VertexIndex] * max(in_size, 10.0) / pc.viewport * p.w;
  gl_Position = p;
  uint local = uint(gl_InstanceIndex) - pc.first_instance;
  v_id = (3u << 28) | ((pc.layer & 0xFFu) << 20) | (local & 0xFFFFFu);
}
