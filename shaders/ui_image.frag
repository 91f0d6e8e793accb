#version 450
layout(push_constant) uniform UiImageConstants {
  vec4 rect;
  vec4 tint;
} pc;
layout(set = 0, binding = 0) uniform sampler2D image;
layout(location = 0) in vec2 v_uv;
layout(location = 0) out vec4 out_color;
void main() { out_color = texture(image, v_uv) * pc.tint; }
