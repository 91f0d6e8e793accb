// Push constants of the building faces (buildings.vert/.frag); CPU mirror render/gpu_types.h BuildingConstants.
layout(push_constant) uniform BuildingConstants {
  vec4 sun;       // xyz: direction towards the sun (scene frame), w: sun intensity
  float opacity;  // of the layer
  float time_s;   // animation time (s, wrapped to an hour): the alarm pulse
} pc;
