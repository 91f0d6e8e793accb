#version 450
layout(location = 0) in vec4 v_color;
layout(location = 1) in vec2 v_uv;
layout(location = 0) out vec4 out_color;

void main() {
  float r = length(v_uv);
  if (r > 1.0) discard;
  // A disc with a white ring and a dark rim so markers read on any background.
  vec3 c = r > 0.78 ? vec3(0.15) : (r > 0.62 ? vec3(1.0) : v_color.rgb);
  float a = v_color.a * (1.0 - smoothstep(0.92, 1.0, r));
  out_color = vec4(c, a);
}
