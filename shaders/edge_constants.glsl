// Push constants of the building edges (edges.vert/.frag); CPU mirror render/gpu_types.h EdgeConstants.
layout(push_constant) uniform EdgeConstants {
  float opacity;  // of the layer
} pc;
