#pragma once
// Private to parktwin::app: the interface between VideoWriter and the H.264/MP4 encoder module
// (libparktwin_video.so, video_encoder_x264.cpp). libav* (libavformat, libavcodec with libx264,
// libswscale) pulls in about 80 shared libraries whose loading and initialisation cost about 60 ms
// at every start of the process on a 2-core machine; in a module, only a process that records a
// video pays it, when it opens the first one. Plain standard types only: the module includes no
// ParkTwin header and links no ParkTwin library.
#include <cstddef>
#include <cstdint>
#include <string>

namespace parktwin::app::detail {

/// VideoSettings as the module takes them.
struct EncoderSettings {
  int crf = 20;
  std::string preset = "medium";
  double keyframe_every_s = 2.0;
  int threads = 4;
};

/// One MP4 file being written. Every call returns "" on success, else the whole message for the
/// user (what failed, on which file, what to do); after a failure the encoder is done and has
/// removed its incomplete file (the message says so). Destroyed before finish() succeeded, it
/// removes the incomplete file too.
class VideoEncoder {
 public:
  virtual ~VideoEncoder() = default;
  /// Creates `path` for w x h (even sides) frames at `fps` (checked by the caller).
  virtual std::string open(const std::string& path, uint32_t w, uint32_t h, double fps, const EncoderSettings& s) = 0;
  /// Encodes the next frame: `bytes` bytes of RGBA8, w x h.
  virtual std::string write(const uint8_t* rgba, size_t bytes, uint32_t w, uint32_t h) = 0;
  /// Drains the encoder and writes the index; the file is complete when this returns "".
  virtual std::string finish() = 0;
};

/// The module's one export: a new encoder, owned by the caller (delete it).
using MakeVideoEncoder = VideoEncoder* (*)();
inline constexpr const char* kMakeVideoEncoderSymbol = "parktwin_make_video_encoder_v1";

}  // namespace parktwin::app::detail
