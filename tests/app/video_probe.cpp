// video_probe FILE: what the test-side decoder (video_decode.cpp) finds in a video, as name=value
// lines, for the shell tests: container, codec, size, frame rate, duration, frames decoded and
// whether they come in order. Exit 1 when the file cannot be read.
#include <cstdio>

#include "video_decode.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: video_probe FILE\n");
    return 2;
  }
  const auto v = parktwin::test::decode_video(argv[1], false);
  if (!v.error.empty()) {
    std::fprintf(stderr, "video_probe: %s\n", v.error.c_str());
    return 1;
  }
  bool in_order = true;
  for (size_t i = 0; i < v.frame_numbers.size(); ++i) in_order = in_order && v.frame_numbers[i] == int64_t(i);
  std::printf("container=%s\ncodec=%s\nsize=%dx%d\nfps=%d/%d\nduration_s=%.3f\nframes=%zu\nin_order=%d\n",
              v.container.c_str(), v.codec.c_str(), v.width, v.height, v.rate_num, v.rate_den, v.duration_s,
              v.frame_numbers.size(), in_order ? 1 : 0);
  return 0;
}
