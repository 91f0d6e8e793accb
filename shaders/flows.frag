#version 450
#include "flow_constants.glsl"

layout(location = 0) in vec4 v_color;
layout(location = 1) in float v_t;
layout(location = 2) in float v_side;
layout(location = 3) flat in vec2 v_dash;
layout(location = 0) out vec4 out_color;

void main() {
  // Dashes travel from supplier (t = 0) to customer (t = 1): each brightens toward its head.
  float u = fract(v_t * v_dash.x - pc.time_s * v_dash.y);
  float dash = 0.35 + 0.65 * smoothstep(0.1, 0.8, u) * (1.0 - smoothstep(0.82, 0.9, u));
  float edge = 1.0 - smoothstep(0.55, 1.0, abs(v_side));
  out_color = vec4(v_color.rgb * (0.75 + 0.35 * dash), v_color.a * dash * edge);
}
