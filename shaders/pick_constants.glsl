// Push constants of the object-id pass (pick_*.vert); CPU mirror render/gpu_types.h PickConstants.
layout(push_constant) uniform PickConstants {
  mat4 mvp;
  vec2 viewport;        // px
  uint layer;           // index in Scene::layers (features, markers)
  uint first_instance;  // markers: the layer's first instance in the marker buffer
} pc;
