#version 450
// One textured quad for a UI image (engine/render/src/ui_images.cpp): the rectangle comes in NDC
// through push constants, the corners from the vertex index (6 vertices, no vertex buffer).
layout(push_constant) uniform UiImageConstants {
  vec4 rect;  // x0, y0, x1, y1 in NDC
  vec4 tint;  // multiplies the texel (rgb and alpha)
} pc;

layout(location = 0) out vec2 v_uv;

const vec2 kCorners[6] = vec2[](vec2(0, 0), vec2(1, 0), vec2(1, 1), vec2(0, 0), vec2(1, 1), vec2(0, 1));

void main() {
  vec2 c = kCorners[gl_VertexIndex];
  gl_Position = vec4(mix(pc.rect.xy, pc.rect.zw, c), 0.0, 1.0);
  v_uv = c;
}
