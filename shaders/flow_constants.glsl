// Push constants of the flow arcs, shared by the culling dispatch (flows_cull.comp) and the ribbon
// draws (flows.vert/.frag); CPU mirror render/gpu_types.h FlowConstants.
layout(push_constant) uniform FlowConstants {
  mat4 mvp;                       // relative to the flows origin
  vec2 viewport;                  // px
  float time_s;                   // animation time (s, wrapped to an hour)
  float opacity;
  float camera_distance;          // m: picks enterprise or park arcs
  float enterprise_max_distance;  // enterprise arcs only when the camera is nearer
  float park_min_distance;        // park arcs only when the camera is farther
  float min_log_value;            // cull: enterprise arcs below log10(yuan/yr) give way (the budget)
  uint chain_mask;                // bit per chain drawn
  uint segment_mask;              // bit per segment drawn
  int highlight_chain;            // -1: none
  uint bin;                       // draw: the level-of-detail bin
  float segments;                 // draw: segments per ribbon in this bin
} pc;
