#version 450
// GPU culling of building chunks: one workgroup per building layer walks its chunk clusters in
// order, tests each against the view frustum (clip space of the full projection, so sub-rectangles
// and off-axis tiles are exact) and by size on screen (a box that covers no sample position of the
// target cannot draw a pixel), leaves out the wall bins that face away from the eye from anywhere
// in the cluster (the rasterizer would cull every one of their triangles), computes its matrix in
// double precision exactly as the CPU would (Camera::matrix_for_origin), and lists what is left as
// indexed indirect draws in the clusters' own order (up to two face draws and one edge draw per
// cluster), followed by empty draws up to that many per cluster (for devices without
// vkCmdDrawIndexedIndirectCount). Order matters: faces of equal depth and blended edges must come
// out the same from run to run.
#define BUILDING_MATRICES_ACCESS writeonly
#include "building_cull.glsl"
#include "shared_constants.h"

// CPU mirrors: render/gpu_types.h BuildingChunkGpu, BuildingCullView, BuildingLayerRange.
// One cluster of a building chunk (std430, 176 bytes): where its mesh lies in the shared buffers,
// its bounds and its wall bins (render/src/building_clusters.h).
struct BuildingChunk {
  dvec2 origin;      // the mesh's origin (world metres): its vertices are relative to it
  dvec2 bmin, bmax;  // world footprint bounds
  vec2 lo, hi;       // the same bounds relative to the origin
  float zmax;        // unscaled maximum height (m)
  uint first_index, index_count;  // faces, in the shared index buffer
  uint edge_first, edge_count;    // edges (line list), same buffer
  int vertex_offset;              // the chunk's first vertex in the shared vertex buffer
  uint roof_count;                // faces: roofs [0, roof_count), then wall bin k up to bin_end[k]
  uint pad0;
  uint bin_end[kFacingBins];      // (relative to first_index)
  uint lod_record[2];             // the same cluster at each level of detail (0xFFFFFFFF: none)
  float lod_error[2];             // their tolerance (m)
};

// The view of this frame (std430).
struct BuildingCullView {
  dmat4 proj_rot;     // projection (with the sub-rectangle) * view rotation
  dvec4 eye;          // xyz: eye (world metres)
  vec2 viewport;      // px
  float height_scale; // bound of the live height scale
  uint flags;         // kCullFrustum | kCullSize | kCullFacing
  vec4 sample_x;      // sample positions inside a pixel (framebuffer coordinates)
  vec4 sample_y;
  uint sample_count;  // 1 or 4
  float pad2;
  uint pad0, pad1;
  vec4 facing_normals[kFacingBins / 2u];  // boundary normal j: .xy of element j / 2 when j is even, .zw when odd
};

// One building layer: its run of chunks (std430, 16 bytes).
struct BuildingLayerRange {
  uint first, count;
  uint drawn;  // 0: the layer is hidden this frame
  uint pad;
};


layout(local_size_x = 128) in;

layout(std430, set = 1, binding = 0) readonly buffer Chunks { BuildingChunk chunks[]; };
layout(std430, set = 1, binding = 1) readonly buffer View { BuildingCullView view; };
layout(std430, set = 1, binding = 2) readonly buffer Layers { BuildingLayerRange layers[]; };
struct DrawCmd {
  uint index_count, instance_count, first_index;
  int vertex_offset;
  uint first_instance;
};
layout(std430, set = 1, binding = 3) writeonly buffer FaceDraws { DrawCmd face_draws[]; };
layout(std430, set = 1, binding = 4) writeonly buffer EdgeDraws { DrawCmd edge_draws[]; };
// Per layer (8 each): face draws, edge draws, face indices, edge indices, clusters drawn, face
// indices of drawn clusters left out as facing away, clusters drawn at a level of detail.
layout(std430, set = 1, binding = 5) writeonly buffer Counts { uint counts[]; };

const uint kChunk = 128u;
shared uint s_scan[kChunk];
shared uint s_base_faces, s_base_edges, s_face_indices, s_edge_indices, s_face_chunks, s_away_indices, s_lod_chunks;

/// glm's mat4 * mat4, operation for operation (no fused multiply-add), in double.
dmat4 mul(dmat4 a, dmat4 b) {
  dmat4 r;
  for (int c = 0; c < 4; ++c) {
    precise dvec4 v = a[0] * b[c][0] + a[1] * b[c][1] + a[2] * b[c][2] + a[3] * b[c][3];
    r[c] = v;
  }
  return r;
}

/// Camera::matrix_for_origin: proj_rot * translate(identity, origin - eye), rounded to float.
mat4 matrix_for_origin(dvec2 origin) {
  precise dvec3 rel = dvec3(origin, 0.0) - view.eye.xyz;
  dmat4 t = dmat4(1.0);
  precise dvec4 t3 = t[0] * rel.x + t[1] * rel.y + t[2] * rel.z + t[3];
  t[3] = t3;
  return mat4(mul(view.proj_rot, t));
}

/// glm's mat4 * vec4 (as render/src/frame.cpp outside_frustum computes the corners).
vec4 transform(mat4 m, vec3 p) {
  precise vec4 v = m[0] * p.x + m[1] * p.y + m[2] * p.z + m[3] * 1.0;
  return v;
}

/// Whether the box [lo, hi] seen through `m` can cover a sample of the target: false when it lies
/// outside one clip plane, or (all in front of the eye) its screen rectangle, grown by `margin_px`,
/// holds no sample position.
bool visible(mat4 m, vec3 lo, vec3 hi, float margin_px) {
  vec4 c[8];
  for (int i = 0; i < 8; ++i)
    c[i] = transform(m, vec3((i & 1) != 0 ? hi.x : lo.x, (i & 2) != 0 ? hi.y : lo.y, (i & 4) != 0 ? hi.z : lo.z));
  if ((view.flags & kCullFrustum) != 0u) {
    bool l = true, r = true, b = true, t = true, behind = true;
    for (int i = 0; i < 8; ++i) {
      l = l && c[i].x < -c[i].w;
      r = r && c[i].x > c[i].w;
      b = b && c[i].y < -c[i].w;
      t = t && c[i].y > c[i].w;
      behind = behind && c[i].w <= 0.0;
    }
    if (l || r || b || t || behind) return false;
  }
  if ((view.flags & kCullSize) == 0u) return true;
  vec2 smin = vec2(1e30), smax = vec2(-1e30);
  for (int i = 0; i < 8; ++i) {
    if (c[i].w <= 1e-6) return true;  // reaches behind the eye: no size to speak of
    vec2 px = (c[i].xy / c[i].w * 0.5 + 0.5) * view.viewport;
    smin = min(smin, px);
    smax = max(smax, px);
  }
  smin -= margin_px;
  smax += margin_px;
  for (uint k = 0u; k < view.sample_count; ++k) {
    vec2 s = vec2(view.sample_x[k], view.sample_y[k]);
    // An integer pixel i with smin <= i + s <= smax, in x and in y.
    if (ceil(smin.x - s.x) <= floor(smax.x - s.x) && ceil(smin.y - s.y) <= floor(smax.y - s.y)) return true;
  }
  return false;
}

/// Bit k set: wall bin k may face the eye from some point of the footprint [bmin, bmax]
/// (render/src/building_clusters.cpp facing_mask computes the same, from the same normals).
uint facing_mask(dvec2 bmin, dvec2 bmax) {
  vec2 d[4];
  for (int i = 0; i < 4; ++i) d[i] = vec2(view.eye.xy - dvec2((i & 1) != 0 ? bmax.x : bmin.x, (i & 2) != 0 ? bmax.y : bmin.y));
  bool away[kFacingBins + 1u];
  for (uint j = 0u; j <= kFacingBins; ++j) {
    vec4 pair = view.facing_normals[(j % kFacingBins) / 2u];
    vec2 n = (j & 1u) != 0u ? pair.zw : pair.xy;
    away[j] = true;
    for (int i = 0; i < 4; ++i) away[j] = away[j] && dot(n, d[i]) < -kFacingMargin * length(d[i]);
  }
  uint mask = 0u;
  for (uint k = 0u; k < kFacingBins; ++k)
    if (!(away[k] && away[k + 1u])) mask |= 1u << k;
  return mask;
}

/// The face ranges of cluster `ch` for the bins in `mask` (facing_runs in building_clusters.cpp):
/// runs of consecutive drawn parts, roofs always drawn, an empty bin joining its neighbours, a third
/// run merged into the second; returns how many (0 to 2), offsets relative to first_index.
uint facing_runs(BuildingChunk ch, uint mask, out uvec2 first, out uvec2 count) {
  uint runs = 0u, begin = 0u;
  bool open = false;
  first = uvec2(0u);
  count = uvec2(0u);
  for (uint p = 0u; p <= kFacingBins; ++p) {
    uint pb = p == 0u ? 0u : (p == 1u ? ch.roof_count : ch.bin_end[p - 2u]);
    uint pe = p == 0u ? ch.roof_count : ch.bin_end[p - 1u];
    bool drawn = p == 0u || pe == pb || ((mask >> (p - 1u)) & 1u) != 0u;
    if (drawn && !open) {
      if (runs == 2u) runs = 1u; else begin = pb;
      open = true;
    }
    if (!drawn && open) {
      first[runs] = begin;
      count[runs] = pb - begin;
      ++runs;
      open = false;
    }
  }
  if (open) {
    first[runs] = begin;
    count[runs] = ch.index_count - begin;
    ++runs;
  }
  uint n = 0u;
  for (uint r = 0u; r < runs; ++r)
    if (count[r] != 0u) {
      first[n] = first[r];
      count[n] = count[r];
      ++n;
    }
  return n;
}

/// The smallest clip w (view depth) of the box's corners seen through `m`.
float nearest_depth(mat4 m, vec3 lo, vec3 hi) {
  float d = 1e30;
  for (int i = 0; i < 8; ++i)
    d = min(d, transform(m, vec3((i & 1) != 0 ? hi.x : lo.x, (i & 2) != 0 ? hi.y : lo.y, (i & 4) != 0 ? hi.z : lo.z)).w);
  return d;
}

/// The record to draw for cluster `ch` (record `ci`) seen through `m` with its nearest corner at
/// view depth `depth`: its coarsest level of detail whose tolerance spans at most kLodMaxErrorPx
/// there, else `ci`. A horizontal offset of e metres moves a point at depth w by at most
/// e * |row| / w in clip x (row 0) or y (row 1), half a viewport per clip unit.
uint choose_level(BuildingChunk ch, uint ci, mat4 m, float depth) {
  if (depth <= 1.0) return ci;
  float px_per_m = 0.5 * max(length(vec3(m[0][0], m[1][0], m[2][0])) * view.viewport.x,
                             length(vec3(m[0][1], m[1][1], m[2][1])) * view.viewport.y) / depth;
  for (int l = 1; l >= 0; --l)
    if (ch.lod_record[l] != 0xFFFFFFFFu && ch.lod_error[l] * px_per_m <= kLodMaxErrorPx) return ch.lod_record[l];
  return ci;
}

void main() {
  BuildingLayerRange layer = layers[gl_WorkGroupID.x];
  uint lid = gl_LocalInvocationID.x;
  if (lid == 0u) {
    s_base_faces = 0u;
    s_base_edges = 0u;
    s_face_indices = 0u;
    s_edge_indices = 0u;
    s_face_chunks = 0u;
    s_away_indices = 0u;
    s_lod_chunks = 0u;
  }
  barrier();
  uint n = layer.drawn != 0u ? layer.count : 0u;
  for (uint start = 0u; start < n; start += kChunk) {
    uint i = start + lid;
    bool face = false, edge = false;
    uint runs = 0u, level = 0u;
    uvec2 run_first = uvec2(0u), run_count = uvec2(0u);
    uint ci = layer.first + i;
    if (i < n) {
      BuildingChunk ch = chunks[ci];
      mat4 m = matrix_for_origin(ch.origin);
      vec3 lo = vec3(ch.lo, 0.0), hi = vec3(ch.hi, ch.zmax * view.height_scale);
      // Faces: a triangle covers the samples inside it (1/16 px for rounding); edges are lines one
      // pixel wide, which may light samples half a pixel beside them.
      face = visible(m, lo, hi, 0.0625);
      float depth = nearest_depth(m, lo, hi);
      level = (view.flags & kCullLod) != 0u ? choose_level(ch, ci, m, depth) : ci;
      BuildingChunk lv = chunks[level];
      if (face) {
        uint mask = (view.flags & kCullFacing) != 0u ? facing_mask(ch.bmin, ch.bmax) : (1u << kFacingBins) - 1u;
        runs = facing_runs(lv, mask, run_first, run_count);
      }
      // Edges: also only where some corner of the box is shallower than the depth at which
      // edges.vert has faded them out (clip w is linear, so the box's corners bound it).
      if (lv.edge_count > 0u && depth <= kEdgeFadeEndM + kEdgeDepthMarginM) edge = visible(m, lo, hi, 1.0);
      if (runs > 0u || edge) chunk_mvp[ci] = m;
    }
    s_scan[lid] = runs | (edge ? 1u << 16 : 0u);
    barrier();
    for (uint off = 1u; off < kChunk; off <<= 1u) {  // inclusive prefix sum (Hillis-Steele)
      uint add = lid >= off ? s_scan[lid - off] : 0u;
      barrier();
      s_scan[lid] += add;
      barrier();
    }
    if (runs > 0u || edge) {
      BuildingChunk ch = chunks[level];  // the level drawn; its instance is the cluster's (the matrix)
      uint faces_at = 2u * layer.first + s_base_faces + (s_scan[lid] & 0xFFFFu) - runs;
      for (uint r = 0u; r < runs; ++r) {
        face_draws[faces_at + r] = DrawCmd(run_count[r], 1u, ch.first_index + run_first[r], ch.vertex_offset, ci);
        atomicAdd(s_face_indices, run_count[r]);
      }
      if (runs > 0u) {
        atomicAdd(s_face_chunks, 1u);
        atomicAdd(s_away_indices, ch.index_count - run_count[0] - run_count[1]);
        if (level != ci) atomicAdd(s_lod_chunks, 1u);
      }
      if (edge) {
        edge_draws[layer.first + s_base_edges + (s_scan[lid] >> 16) - 1u] =
            DrawCmd(ch.edge_count, 1u, ch.edge_first, ch.vertex_offset, ci);
        atomicAdd(s_edge_indices, ch.edge_count);
      }
    }
    barrier();  // every invocation has read the bases
    if (lid == 0u) {
      s_base_faces += s_scan[kChunk - 1u] & 0xFFFFu;
      s_base_edges += s_scan[kChunk - 1u] >> 16;
    }
    barrier();
  }
  // Empty draws after the visible ones, up to two face draws and one edge draw per cluster.
  for (uint i = s_base_faces + lid; i < 2u * layer.count; i += kChunk) face_draws[2u * layer.first + i] = DrawCmd(0u, 0u, 0u, 0, 0u);
  for (uint i = s_base_edges + lid; i < layer.count; i += kChunk) edge_draws[layer.first + i] = DrawCmd(0u, 0u, 0u, 0, 0u);
  if (lid == 0u) {
    counts[gl_WorkGroupID.x * 8u + 0u] = s_base_faces;
    counts[gl_WorkGroupID.x * 8u + 1u] = s_base_edges;
    counts[gl_WorkGroupID.x * 8u + 2u] = s_face_indices;
    counts[gl_WorkGroupID.x * 8u + 3u] = s_edge_indices;
    counts[gl_WorkGroupID.x * 8u + 4u] = s_face_chunks;
    counts[gl_WorkGroupID.x * 8u + 5u] = s_away_indices;
    counts[gl_WorkGroupID.x * 8u + 6u] = s_lod_chunks;
  }
}
