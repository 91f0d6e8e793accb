#version 450
// Object ids for picking: ground features (kind 2; layer in bits 20-27 from pc.layer, feature below).
#include "common.glsl"
#include "pick_constants.glsl"

layout(location = 0) in vec2 in_pos;
layout(location = 2) in uint in_feature;
layout(location = 0) flat out uint v_id;

void main() {
  gl_Position = pc.mvp * vec4(in_pos, 0.0, 1.0);
  v_id = (2u << 28) | ((pc.layer & 0xFFu) << 20) | (in_feature & 0xFFFFFu);
}
