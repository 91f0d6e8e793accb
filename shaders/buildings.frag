#version 450
#include "common.glsl"

layout(location = 0) in vec3 v_color;
layout(location = 1) in vec3 v_normal;
layout(location = 2) in float v_z;
layout(location = 3) in float v_flags;

layout(location = 0) out vec4 out_color;

void main() {
  vec3 n = normalize(v_normal);
  vec3 sun = normalize(pc.sun.xyz);
  float diffuse = max(dot(n, sun), 0.0) * pc.sun.w;
  // Hemisphere ambient: the sky lights roofs more than walls; walls facing away still read.
  float ambient = mix(0.42, 0.62, n.z * 0.5 + 0.5);
  // Contact shadow: walls darken towards the ground (a cheap ambient-occlusion term).
  float ao = n.z > 0.5 ? 1.0 : mix(0.62, 1.0, smoothstep(0.0, 7.0, v_z));
  vec3 c = v_color * (ambient + diffuse * 0.62) * ao;
  if (v_flags > 0.5) c = mix(c, vec3(1.0, 0.85, 0.2), 0.55);
  out_color = vec4(c, pc.params.x);
}
