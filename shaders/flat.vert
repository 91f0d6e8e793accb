#version 450
#include "common.glsl"

layout(location = 0) in vec2 in_pos;
layout(location = 1) in uint in_rgba;

layout(location = 0) out vec4 v_color;

void main() {
  gl_Position = pc.mvp * vec4(in_pos, pc.params.y, 1.0);
  v_color = unpackUnorm4x8(in_rgba);
  v_color.a *= pc.params.x;
}
