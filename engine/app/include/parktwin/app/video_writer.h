#pragma once
// H.264 in MP4 from RGBA frames, for `parktwin record --out FILE.mp4`. libav* stays behind this
// header (linked privately); callers see only Result and render::Image.
#include <cstdint>
#include <memory>
#include <string>

#include "parktwin/gis/result.h"
#include "parktwin/render/renderer.h"

namespace parktwin::app {

/// How frames are encoded. The defaults are what `parktwin record` uses (docs/tours.md).
struct VideoSettings {
  int crf = 20;                    ///< x264 constant rate factor: lower = better and bigger (18–23: near transparent)
  std::string preset = "medium";  ///< x264 preset: speed against size at the same quality
  double keyframe_every_s = 2.0;   ///< GOP length in seconds (a seek lands at most this far from a keyframe)
  int threads = 4;                 ///< encoder threads, fixed: x264's output depends on its thread count
};

/// True when `path` names an MP4 file (extension .mp4, any case).
bool is_mp4_path(const std::string& path);

/// Fails, saying what to do, when w x h cannot be encoded: H.264 in yuv420p needs even sides.
gis::Result<bool> check_video_size(uint32_t w, uint32_t h);

/// Encodes RGBA frames to H.264 (libx264, yuv420p, BT.709 limited range, tagged so) in an MP4
/// with its index at the front (faststart). Frame k has presentation time k / fps. The output is
/// the same bytes for the same frames and settings: muxer and encoder run bit-exact, without a
/// creation time.
///
/// Usage: open(), write() each frame, finish(). A writer destroyed (or failing) before finish()
/// has succeeded removes the partial file, so a file that exists after finish() is complete.
/// Move-only.
class VideoWriter {
 public:
  VideoWriter();
  ~VideoWriter();
  VideoWriter(VideoWriter&&) noexcept;
  VideoWriter& operator=(VideoWriter&&) noexcept;
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  /// Creates (or overwrites) `path` for w x h frames at `fps` (> 0, may be fractional: 29.97).
  /// Fails on odd sizes, a folder that does not exist or cannot be written, a missing encoder.
  gis::Result<bool> open(const std::string& path, uint32_t w, uint32_t h, double fps,
                         const VideoSettings& settings = {});
  /// Encodes the next frame; it must be RGBA8 of the size given to open().
  gis::Result<bool> write(const render::Image& rgba);
  /// Drains the encoder and writes the index; the file is complete when this succeeds.
  gis::Result<bool> finish();
  /// Stops without completing: frees the encoder and removes the incomplete file, as the
  /// destructor would. Nothing happens after finish() or before open().
  void cancel();
  /// Frames accepted by write() so far.
  int64_t frames() const;
  /// The path given to open() ("" before).
  const std::string& path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parktwin::app
