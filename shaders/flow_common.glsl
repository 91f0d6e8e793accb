// Flow arcs (supply links): CPU mirror render/gpu_types.h FlowArcGpu (48 bytes, std430).
struct FlowArc {
  vec2 a;          // supplier end, metres relative to the flows origin
  vec2 b;          // customer end
  float height;    // apex height above the ends (m)
  float base_z;    // height of the ends above ground (m)
  float width_px;  // ribbon width on screen
  uint rgba;       // chain colour
  uint packed;     // chain (bits 0-3) | segment (4-5) | level (6) | supplier enterprise (8-31)
  float len_m;     // length of the straight line a -> b
  float pad0;      // log10 of the nominal value (yuan/yr), for the drawing budget
  float pad1;
};

layout(std430, set = 0, binding = 0) readonly buffer Arcs { FlowArc arcs[]; };
layout(std430, set = 0, binding = 3) readonly buffer Live { float live_factor[]; };  // per enterprise, 1 = nominal

// Level-of-detail bins: ribbons drawn with 3, 8 or 24 segments by their length on screen.
const uint kBins = 3u;
