#version 450
#include "common.glsl"
#include "building_constants.glsl"
#define BUILDING_MATRICES_ACCESS readonly
#include "building_cull.glsl"

layout(location = 0) in vec2 in_pos;
layout(location = 1) in float in_top;
layout(location = 2) in uint in_building;
layout(location = 3) in vec2 in_normal;

layout(std430, set = 0, binding = 0) readonly buffer Styles { BuildingStyle styles[]; };

// Everything constant over a face is computed here once per vertex and passed flat (a face's
// vertices share building and normal); the fragment shader keeps only what varies over the face.
layout(location = 0) flat out vec3 v_color;
layout(location = 1) flat out float v_light;  // hemisphere ambient + sun, by the face's normal
layout(location = 2) flat out float v_wall;   // 1: a wall (contact shadow towards the ground), 0: a roof
layout(location = 3) out float v_z;
layout(location = 4) flat out uint v_flags;

void main() {
  BuildingStyle s = styles[in_building];
  if ((s.flags & kFlagHidden) != 0u) {  // hidden: put the vertex outside the clip volume
    gl_Position = vec4(0.0, 0.0, -2.0, 1.0);
    return;
  }
  float z = s.base + in_top * s.height;
  gl_Position = chunk_mvp[gl_InstanceIndex] * vec4(in_pos, z, 1.0);
  vec3 n = (in_normal == vec2(0.0)) ? vec3(0.0, 0.0, 1.0) : normalize(vec3(in_normal, 0.0));
  vec3 sun = normalize(pc.sun.xyz);
  float diffuse = max(dot(n, sun), 0.0) * pc.sun.w;
  // Hemisphere ambient: the sky lights roofs more than walls; walls facing away still read.
  float ambient = mix(0.42, 0.62, n.z * 0.5 + 0.5);
  v_light = ambient + diffuse * 0.62;
  v_wall = n.z > 0.5 ? 0.0 : 1.0;
  v_color = unpackUnorm4x8(s.rgba).rgb;
  v_z = in_top * s.height;
  v_flags = s.flags;
}
