#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

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
  // Encoded in memory, then written with every step checked: stbi_write_png to a file reported
  // success for a PNG cut short by a full disk.
  std::vector<unsigned char> png;
  const auto append = [](void* ctx, void* data, int size) {
    auto* out = static_cast<std::vector<unsigned char>*>(ctx);
    out->insert(out->end(), static_cast<unsigned char*>(data), static_cast<unsigned char*>(data) + size);
  };
  if (!stbi_write_png_to_func(append, &png, static_cast<int>(img.width), static_cast<int>(img.height), 4,
                              img.rgba.data(), static_cast<int>(img.width * 4)) ||
      png.empty())
    return Failure(Failure::GeneralError, "cannot encode " + path + " as PNG");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f)
    return Failure(Failure::ResourceUnavailable, "cannot write " + path + ": " + std::strerror(errno) +
                                                     "; check that the directory exists and is writable");
  const size_t put = std::fwrite(png.data(), 1, png.size(), f);
  const int write_errno = put == png.size() ? 0 : errno;
  const bool flushed = std::fflush(f) == 0;
  const int flush_errno = flushed ? 0 : errno;
  const bool closed = std::fclose(f) == 0;
  if (put != png.size() || !flushed || !closed) {
    const int e = write_errno ? write_errno : flush_errno ? flush_errno : errno;
    return Failure(Failure::ResourceUnavailable, "cannot write " + path + ": " + std::strerror(e) + " (" +
                                                     std::to_string(png.size()) +
                                                     " bytes to write); the file is incomplete or missing");
  }
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
