#version 450
// GPU culling of building chunks: one workgroup per building layer walks its chunks in order,
// tests each against the view frustum (clip space of the full projection, so sub-rectangles and
// off-axis tiles are exact) and by size on screen (a chunk whose box covers no sample position of
// the target cannot draw a pixel), computes its matrix in double precision exactly as the CPU
// would (Camera::matrix_for_origin), and lists the visible ones as indexed indirect draws (faces
// and edges) in the chunks' own order, followed by empty draws up to the layer's chunk count
// (for devices without vkCmdDrawIndexedIndirectCount). Order matters: faces of equal depth and
// blended edges must come out the same from run to run.
#define BUILDING_MATRICES_ACCESS writeonly
#include "building_cull.glsl"
#include "shared_constants.h"

// CPU mirrors: render/gpu_types.h BuildingChunkGpu, BuildingCullView, BuildingLayerRange.
// One building chunk (std430, 96 bytes): where its mesh lies in the shared buffers and its bounds.
struct BuildingChunk {
  dvec2 origin;      // the mesh's origin (world metres): its vertices are relative to it
  dvec2 bmin, bmax;  // world footprint bounds
  vec2 lo, hi;       // the same bounds relative to the origin
  float zmax;        // unscaled maximum height (m)
  uint first_index, index_count;  // faces, in the shared index buffer
  uint edge_first, edge_count;    // edges (line list), same buffer
  int vertex_offset;              // the chunk's first vertex in the shared vertex buffer
  uint pad0, pad1;
};

// The view of this frame (std430).
struct BuildingCullView {
  dmat4 proj_rot;     // projection (with the sub-rectangle) * view rotation
  dvec4 eye;          // xyz: eye (world metres)
  vec2 viewport;      // px
  float height_scale; // bound of the live height scale
  uint flags;         // kCullFrustum | kCullSize
  vec4 sample_x;      // sample positions inside a pixel (framebuffer coordinates)
  vec4 sample_y;
  uint sample_count;  // 1 or 4
  float pad2;
  uint pad0, pad1;
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
// Per layer: face draws, edge draws, face indices, edge indices drawn.
layout(std430, set = 1, binding = 5) writeonly buffer Counts { uint counts[]; };

const uint kChunk = 128u;
shared uint s_scan[kChunk];
shared uint s_base_faces, s_base_edges, s_face_indices, s_edge_indices;

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

void main() {
  BuildingLayerRange layer = layers[gl_WorkGroupID.x];
  uint lid = gl_LocalInvocationID.x;
  if (lid == 0u) {
    s_base_faces = 0u;
    s_base_edges = 0u;
    s_face_indices = 0u;
    s_edge_indices = 0u;
  }
  barrier();
  uint n = layer.drawn != 0u ? layer.count : 0u;
  for (uint start = 0u; start < n; start += kChunk) {
    uint i = start + lid;
    bool face = false, edge = false;
    uint ci = layer.first + i;
    if (i < n) {
      BuildingChunk ch = chunks[ci];
      mat4 m = matrix_for_origin(ch.origin);
      vec3 lo = vec3(ch.lo, 0.0), hi = vec3(ch.hi, ch.zmax * view.height_scale);
      // Faces: a triangle covers the samples inside it (1/16 px for rounding); edges are lines one
      // pixel wide, which may light samples half a pixel beside them.
      face = visible(m, lo, hi, 0.0625);
      if (ch.edge_count > 0u) {
        dvec2 nearest = clamp(view.eye.xy, ch.bmin, ch.bmax);
        precise dvec3 d = dvec3(nearest, 0.0) - view.eye.xyz;
        precise double d2 = d.x * d.x + d.y * d.y + d.z * d.z;
        double far2 = double(kEdgeMaxDistanceM) * double(kEdgeMaxDistanceM);
        edge = d2 <= far2 && visible(m, lo, hi, 1.0);
      }
      if (face || edge) chunk_mvp[ci] = m;
    }
    s_scan[lid] = (face ? 1u : 0u) | (edge ? 1u << 16 : 0u);
    barrier();
    for (uint off = 1u; off < kChunk; off <<= 1u) {  // inclusive prefix sum (Hillis-Steele)
      uint add = lid >= off ? s_scan[lid - off] : 0u;
      barrier();
      s_scan[lid] += add;
      barrier();
    }
    if (face || edge) {
      BuildingChunk ch = chunks[ci];
      if (face) {
        face_draws[layer.first + s_base_faces + (s_scan[lid] & 0xFFFFu) - 1u] =
            DrawCmd(ch.index_count, 1u, ch.first_index, ch.vertex_offset, ci);
        atomicAdd(s_face_indices, ch.index_count);
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
  // Empty draws after the visible ones, up to the layer's chunk count.
  for (uint i = s_base_faces + lid; i < layer.count; i += kChunk) face_draws[layer.first + i] = DrawCmd(0u, 0u, 0u, 0, 0u);
  for (uint i = s_base_edges + lid; i < layer.count; i += kChunk) edge_draws[layer.first + i] = DrawCmd(0u, 0u, 0u, 0, 0u);
  if (lid == 0u) {
    counts[gl_WorkGroupID.x * 4u + 0u] = s_base_faces;
    counts[gl_WorkGroupID.x * 4u + 1u] = s_base_edges;
    counts[gl_WorkGroupID.x * 4u + 2u] = s_face_indices;
    counts[gl_WorkGroupID.x * 4u + 3u] = s_edge_indices;
  }
}
