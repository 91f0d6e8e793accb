#version 450

// Ground fills and outlines; CPU mirror render/gpu_types.h GroundConstants.
layout(push_constant) uniform GroundConstants {
  mat4 mvp;
  float opacity;   // of the layer
  float z_offset;  // m
  vec2 viewport;   // px
} pc;

layout(location = 0) in vec2 in_pos;
layout(location = 1) in uint in_rgba;

layout(location = 0) out vec4 v_color;

void main() {
  gl_Position = pc.mvp * vec4(in_pos, pc.z_offset, 1.0);
  v_color = unpackUnorm4x8(in_rgba);
  v_color.a *= pc.opacity;
}
