#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "parktwin/render/renderer.h"

namespace parktwin::render {

uint32_t Image::pixel(uint32_t x, uint32_t y) const {
  const size_t o = (static_cast<size_t>(y) * width + x) * 4;
  return static_cast<uint32_t>(rgba[o]) | (static_cast<uint32_t>(rgba[o + 1]) << 8) |
         (static_cast<uint32_t>(rgba[o + 2]) << 16) | (static_cast<uint32_t>(rgba[o + 3]) << 24);
}

Result<bool> write_png(const Image& img, const std::string& path) {
  if (img.width == 0 || img.height == 0 || img.rgba.size() != size_t(img.width) * img.height * 4)
    return Failure(Failure::InvalidData, "cannot write " + path + ": the image is empty");
  if (!stbi_write_png(path.c_str(), static_cast<int>(img.width), static_cast<int>(img.height), 4, img.rgba.data(),
                      static_cast<int>(img.width * 4)))
    return Failure(Failure::ResourceUnavailable,
                   "cannot write " + path + ": check that the directory exists and is writable");
  return true;
}

Result<Image> read_png(const std::string& path) {
  int w = 0, h = 0, n = 0;
  unsigned char* data = stbi_load(path.c_str(), &w, &h, &n, 4);
  if (!data) return Failure(Failure::ResourceUnavailable, "cannot read PNG " + path + ": " + stbi_failure_reason());
  Image img;
  img.width = static_cast<uint32_t>(w);
  img.height = static_cast<uint32_t>(h);
  img.rgba.assign(data, data + size_t(w) * h * 4);
  stbi_image_free(data);
  return img;
}

}  // namespace parktwin::render
