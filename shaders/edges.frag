#version 450
#include "edge_constants.glsl"

layout(location = 0) in float v_fade;
layout(location = 0) out vec4 out_color;

void main() {
  out_color = vec4(0.16, 0.17, 0.20, 0.55 * v_fade * pc.opacity);
}
