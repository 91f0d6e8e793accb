#version 450
// A flow arc as a ribbon of constant screen width along a parabola over the line a -> b.
// gl_InstanceIndex indexes this bin's visible list; gl_VertexIndex walks the ribbon as a triangle
// strip, two vertices (the two edges) per point along the arc: segments + 1 points.
#include "common.glsl"
#include "flow_constants.glsl"
#include "flow_common.glsl"
#include "shared_constants.h"

layout(std430, set = 0, binding = 1) readonly buffer Visible { uint visible[]; };

layout(location = 0) out vec4 v_color;
layout(location = 1) out float v_t;
layout(location = 2) out float v_side;
layout(location = 3) flat out vec2 v_dash;  // dashes along the arc, dash speed (per s)

vec3 arc_at(FlowArc f, float t) {
  return vec3(mix(f.a, f.b, t), f.base_z + 4.0 * f.height * t * (1.0 - t));
}

/// d arc_at / dt.
vec3 arc_tangent(FlowArc f, float t) { return vec3(f.b - f.a, 4.0 * f.height * (1.0 - 2.0 * t)); }

void main() {
  uint n = uint(arcs.length());
  uint bin = pc.bin;
  FlowArc f = arcs[visible[bin * n + uint(gl_InstanceIndex)]];
  float segs = pc.segments;
  // Even vertices on the left edge (side +1), odd on the right; each pair one point further on,
  // so the strip's quads split along the same diagonal as a list of two triangles per segment.
  float side = (gl_VertexIndex & 1) == 0 ? 1.0 : -1.0;
  float t = float(gl_VertexIndex >> 1) / segs;
  vec4 p = pc.mvp * vec4(arc_at(f, t), 1.0);
  // The direction on screen from the tangent: d(xy / w) = (xy' w - xy w') / w^2, scaled to pixels.
  vec4 dp = pc.mvp * vec4(arc_tangent(f, t), 0.0);
  float w = max(p.w, 1e-6);
  vec2 dir = (dp.xy * w - p.xy * dp.w) * pc.viewport;
  dir = length(dir) > 1e-12 ? normalize(dir) : vec2(1.0, 0.0);
  vec2 normal = vec2(-dir.y, dir.x);
  p.xy += normal * side * f.width_px / pc.viewport * p.w;
  p.z *= 1.0004;  // reverse-Z: a little in front of roofs the arc touches
  gl_Position = p;

  uint chain = f.packed & 15u;
  uint supplier = f.packed >> 8;
  float live = supplier < uint(live_factor.length()) ? live_factor[supplier] : 1.0;
  v_color = unpackUnorm4x8(f.rgba);
  int hl = pc.highlight_chain;
  if (hl >= 0 && uint(hl) != chain) v_color = vec4(mix(v_color.rgb, vec3(0.6), 0.6), v_color.a * 0.18);
  v_color.a *= pc.opacity;
  v_t = t;
  v_side = side;
  // About one dash per 400 m inside a park and per 8 km between parks; pace follows live output.
  float level = float((f.packed >> 6) & 1u);
  float dashes = clamp(f.len_m / mix(400.0, 8000.0, level), 3.0, 40.0);
  v_dash = vec2(dashes, 0.7 * clamp(live, 0.0, kOutputFactorCap));
}
