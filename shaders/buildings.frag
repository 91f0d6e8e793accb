#version 450
#include "common.glsl"
#include "building_constants.glsl"

layout(location = 0) flat in vec3 v_color;
layout(location = 1) flat in float v_light;
layout(location = 2) flat in float v_wall;
layout(location = 3) in float v_z;
layout(location = 4) flat in uint v_flags;

layout(location = 0) out vec4 out_color;

void main() {
  // Contact shadow: walls darken towards the ground (a cheap ambient-occlusion term).
  float ao = v_wall > 0.5 ? mix(0.62, 1.0, smoothstep(0.0, 7.0, v_z)) : 1.0;
  vec3 base = v_color;
  if ((v_flags & (kFlagStopped | kFlagMaintenance | kFlagStale | kFlagAlarm | kFlagHighlighted)) == 0u) {
    out_color = vec4(base * v_light * ao, pc.opacity);
    return;
  }
  // Status from live data: stopped dark, maintenance grey with diagonal hatching, stale washed out
  // with a checker, alarm pulsing red (1.5 Hz) on top of whatever else.
  vec2 px = gl_FragCoord.xy;
  if ((v_flags & kFlagStopped) != 0u) base = vec3(0.32, 0.32, 0.34);
  if ((v_flags & kFlagMaintenance) != 0u) {
    base = vec3(0.62, 0.62, 0.64);
    if (mod(px.x + px.y, 10.0) < 3.0) base *= 0.72;
  }
  if ((v_flags & kFlagStale) != 0u) {
    float g = dot(base, vec3(0.299, 0.587, 0.114));
    base = mix(vec3(g), vec3(0.93), 0.45);
    if (mod(floor(px.x / 6.0) + floor(px.y / 6.0), 2.0) < 1.0) base *= 0.9;
  }
  vec3 c = base * v_light * ao;
  if ((v_flags & kFlagAlarm) != 0u) c = mix(c, vec3(0.95, 0.08, 0.05), 0.35 + 0.35 * sin(pc.time_s * 9.42));
  if ((v_flags & kFlagHighlighted) != 0u) c = mix(c, vec3(1.0, 0.85, 0.2), 0.55);
  out_color = vec4(c, pc.opacity);
}
