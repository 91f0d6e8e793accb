#version 450
// GPU culling and level of detail for flow arcs: the CPU's cost per frame does not depend on how
// many arcs there are. Each invocation tests one arc against the filter (chains, segments, level by
// camera distance) and the view frustum, measures its length on screen, and appends it to one of
// three bins whose instance counts feed three indirect draws.
#include "common.glsl"
#include "flow_common.glsl"

layout(local_size_x = 64) in;
layout(std430, set = 0, binding = 1) writeonly buffer Visible { uint visible[]; };
layout(std430, set = 0, binding = 2) buffer Indirect { uint cmds[]; };  // kBins x (vertexCount, instanceCount, firstVertex, firstInstance)

// pc.sun: x camera distance, y enterprise flows max distance, z park flows min distance
// pc.params.y: minimum log10(value) of enterprise arcs; pc.params.zw: viewport;
// pc.extra: y chain mask bits, w segment mask bits

bool outside(vec4 p, vec4 q, vec4 r, int axis, float sgn) {
  return sgn * p[axis] > p.w && sgn * q[axis] > q.w && sgn * r[axis] > r.w;
}

void main() {
  uint i = gl_GlobalInvocationID.x;
  uint n = uint(arcs.length());
  if (i >= n) return;
  FlowArc f = arcs[i];
  uint chain = f.packed & 15u, seg = (f.packed >> 4) & 3u, level = (f.packed >> 6) & 1u;
  if (((floatBitsToUint(pc.extra.y) >> chain) & 1u) == 0u) return;
  if (((floatBitsToUint(pc.extra.w) >> seg) & 1u) == 0u) return;
  float cam = pc.sun.x;
  if (level == 0u && cam > pc.sun.y) return;
  if (level == 1u && cam < pc.sun.z) return;
  // The budget: enterprise arcs worth less than pc.params.y (log10 yuan/yr) give way.
  if (level == 0u && f.pad0 < pc.params.y) return;

  vec4 ca = pc.mvp * vec4(f.a, f.base_z, 1.0);
  vec4 cb = pc.mvp * vec4(f.b, f.base_z, 1.0);
  vec4 cm = pc.mvp * vec4((f.a + f.b) * 0.5, f.base_z + f.height, 1.0);
  if (outside(ca, cb, cm, 0, 1.0) || outside(ca, cb, cm, 0, -1.0) || outside(ca, cb, cm, 1, 1.0) ||
      outside(ca, cb, cm, 1, -1.0) || (ca.w <= 0.0 && cb.w <= 0.0 && cm.w <= 0.0))
    return;
  float len_px = 1e6;  // an end behind the eye: treat as long
  if (ca.w > 0.0 && cb.w > 0.0 && cm.w > 0.0) {
    vec2 half_vp = pc.params.zw * 0.5;
    vec2 sa = ca.xy / ca.w * half_vp, sb = cb.xy / cb.w * half_vp, sm = cm.xy / cm.w * half_vp;
    len_px = length(sm - sa) + length(sb - sm);
  }
  if (len_px < 2.0) return;  // under two pixels: invisible
  uint bin = len_px < 60.0 ? 0u : (len_px < 300.0 ? 1u : 2u);
  uint slot = atomicAdd(cmds[bin * 4u + 1u], 1u);
  visible[bin * n + slot] = i;
}
