#version 450

// CPU mirror render/gpu_types.h MarkerConstants.
layout(push_constant) uniform MarkerConstants {
  mat4 mvp;
  float opacity;   // of the layer
  float z_offset;  // m
  vec2 viewport;   // px
} pc;

// One instance per marker: position relative to the draw's origin, colour, diameter in pixels.
layout(location = 0) in vec2 in_pos;
layout(location = 1) in uint in_rgba;
layout(location = 2) in float in_size;

layout(location = 0) out vec4 v_color;
layout(location = 1) out vec2 v_uv;

const vec2 kCorners[6] = vec2[](vec2(-1, -1), vec2(1, -1), vec2(1, 1), vec2(-1, -1), vec2(1, 1), vec2(-1, 1));

void main() {
  vec2 corner = kCorners[gl_VertexIndex];
  vec4 p = pc.mvp * vec4(in_pos, pc.z_offset, 1.0);
  // Constant size on screen: offset in NDC scaled by w.
  p.xy += corner * in_size / pc.viewport * p.w;
  gl_Position = p;
  v_color = unpackUnorm4x8(in_rgba);
  v_color.a *= pc.opacity;
  v_uv = corner;
}
