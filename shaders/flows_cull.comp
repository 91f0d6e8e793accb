#version 450
// GPU culling and level of detail for flow arcs: the CPU's cost per frame does not depend on how
// many arcs there are. Each arc is tested against the filter (chains, segments, level by camera
// distance) and the view frustum, its length on screen measured, and it is listed in one of three
// bins whose instance counts feed three indirect draws.
//
// The lists keep the arcs' own order. Arcs are blended over each other in the order they are drawn,
// so an order that changed from run to run (an atomic append) would change the pixels where they
// overlap: frames would shimmer, two recordings of one tour would differ and the panels of a video
// wall would not match. One workgroup walks the arcs in chunks of its size; within a chunk a prefix
// sum in shared memory gives each visible arc its place after those before it.
#include "common.glsl"
#include "flow_constants.glsl"
#include "flow_common.glsl"

layout(local_size_x = 128) in;  // the largest workgroup every Vulkan device supports
layout(std430, set = 0, binding = 1) writeonly buffer Visible { uint visible[]; };
layout(std430, set = 0, binding = 2) buffer Indirect { uint cmds[]; };  // kBins x (vertexCount, instanceCount, firstVertex, firstInstance)

const uint kChunk = 128u;
const uint kNone = 3u;      // not drawn
const uint kFieldBits = 10u;  // the three bins' counts packed in one uint (a chunk holds at most 128)

shared uint s_scan[kChunk];
shared uint s_base[3];

bool outside(vec4 p, vec4 q, vec4 r, int axis, float sgn) {
  return sgn * p[axis] > p.w && sgn * q[axis] > q.w && sgn * r[axis] > r.w;
}

/// The bin arc i is drawn in, or kNone.
uint classify(uint i) {
  FlowArc f = arcs[i];
  uint chain = f.packed & 15u, seg = (f.packed >> 4) & 3u, level = (f.packed >> 6) & 1u;
  if (((pc.chain_mask >> chain) & 1u) == 0u) return kNone;
  if (((pc.segment_mask >> seg) & 1u) == 0u) return kNone;
  float cam = pc.camera_distance;
  if (level == 0u && cam > pc.enterprise_max_distance) return kNone;
  if (level == 1u && cam < pc.park_min_distance) return kNone;
  // The budget: enterprise arcs worth less than pc.min_log_value (log10 yuan/yr) give way.
  if (level == 0u && f.pad0 < pc.min_log_value) return kNone;

  vec4 ca = pc.mvp * vec4(f.a, f.base_z, 1.0);
  vec4 cb = pc.mvp * vec4(f.b, f.base_z, 1.0);
  vec4 cm = pc.mvp * vec4((f.a + f.b) * 0.5, f.base_z + f.height, 1.0);
  if (outside(ca, cb, cm, 0, 1.0) || outside(ca, cb, cm, 0, -1.0) || outside(ca, cb, cm, 1, 1.0) ||
      outside(ca, cb, cm, 1, -1.0) || (ca.w <= 0.0 && cb.w <= 0.0 && cm.w <= 0.0))
    return kNone;
  float len_px = 1e6;  // an end behind the eye: treat as long
  if (ca.w > 0.0 && cb.w > 0.0 && cm.w > 0.0) {
    vec2 half_vp = pc.viewport * 0.5;
    vec2 sa = ca.xy / ca.w * half_vp, sb = cb.xy / cb.w * half_vp, sm = cm.xy / cm.w * half_vp;
    len_px = length(sm - sa) + length(sb - sm);
  }
  if (len_px < 2.0) return kNone;  // under two pixels: invisible
  return len_px < 60.0 ? 0u : (len_px < 300.0 ? 1u : 2u);
}

uint field(uint packed_counts, uint bin) { return (packed_counts >> (kFieldBits * bin)) & ((1u << kFieldBits) - 1u); }

void main() {
  uint n = uint(arcs.length());
  uint lid = gl_LocalInvocationID.x;
  if (lid < 3u) s_base[lid] = 0u;
  barrier();
  for (uint chunk = 0u; chunk < n; chunk += kChunk) {
    uint i = chunk + lid;
    uint bin = i < n ? classify(i) : kNone;
    s_scan[lid] = bin < 3u ? 1u << (kFieldBits * bin) : 0u;
    barrier();
    // Inclusive prefix sum of the packed counts (Hillis-Steele).
    for (uint off = 1u; off < kChunk; off <<= 1u) {
      uint add = lid >= off ? s_scan[lid - off] : 0u;
      barrier();
      s_scan[lid] += add;
      barrier();
    }
    if (bin < 3u) visible[bin * n + s_base[bin] + field(s_scan[lid], bin) - 1u] = i;
    barrier();  // every arc of the chunk has read s_base
    if (lid < 3u) s_base[lid] += field(s_scan[kChunk - 1u], lid);
    barrier();
  }
  if (lid < 3u) cmds[lid * 4u + 1u] = s_base[lid];
}
