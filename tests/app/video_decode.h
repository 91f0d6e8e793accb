#pragma once
// Test-side reading of a video file: what the container says, every decoded frame converted back
// to RGB by the BT.709 limited-range formula written out here (not through the writer's code, not
// through swscale), and the order of the file's top-level MP4 boxes.
#include <cstdint>
#include <string>
#include <vector>

namespace parktwin::test {

struct DecodedVideo {
  std::string error;              ///< non-empty when the file could not be read
  std::string container;          ///< libavformat's demuxer name ("mov,mp4,m4a,3gp,3g2,mj2")
  std::string codec;              ///< codec of the video stream ("h264")
  int width = 0, height = 0;
  int rate_num = 0, rate_den = 1; ///< the stream's average frame rate
  double duration_s = 0.0;        ///< the container's duration
  int64_t indexed_frames = 0;     ///< frames the container's index lists
  std::vector<int64_t> frame_numbers;  ///< per decoded frame, in output order: round(pts x fps)
  std::vector<bool> keyframes;         ///< per decoded frame
  std::vector<std::vector<uint8_t>> rgb;  ///< per decoded frame: RGB8 rows (when asked for)
  int color_space = -1, color_range = -1, color_primaries = -1, color_trc = -1;  ///< of the first frame
  std::vector<std::string> top_level_boxes;  ///< "ftyp", "moov", "mdat", ... in file order
};

/// Demuxes and decodes the whole file; `keep_rgb` keeps each frame as RGB8.
DecodedVideo decode_video(const std::string& path, bool keep_rgb);

}  // namespace parktwin::test
