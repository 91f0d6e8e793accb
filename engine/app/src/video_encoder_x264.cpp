// The H.264/MP4 encoder module (libparktwin_video.so): libavformat, libavcodec (libx264) and
// libswscale behind detail::VideoEncoder (video_encoder.h), loaded by VideoWriter on first use.
//
// Why each setting:
// - yuv420p, converted with BT.709 coefficients to limited range and tagged BT.709 in the stream
//   and container: what players assume for HD video, so colours show as rendered. An untagged
//   stream is guessed as BT.601 by some players (reds and greens shift).
// - Bit-exact muxer, encoder and scaler, no creation_time, a fixed encoder thread count: the same
//   frames give the same bytes, so two recordings of a tour can be compared with cmp.
// - faststart: the index goes in front of the media, so a browser or a video wall starts playing
//   before the whole file has arrived (the muxer rewrites the file once at the end for this).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <system_error>

#include "video_encoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>
#include <libavutil/rational.h>
#include <libswscale/swscale.h>
}

namespace parktwin::app::detail {
namespace {

std::string av_error_text(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

class X264Mp4Encoder final : public VideoEncoder {
 public:
  ~X264Mp4Encoder() override { abandon(); }

  std::string open(const std::string& path, uint32_t w, uint32_t h, double fps, const EncoderSettings& settings) override {
    // libav logs to stderr at info level (x264's banner and statistics); keep errors only, so the
    // recorder's progress line and messages stay readable.
    av_log_set_level(AV_LOG_ERROR);
    const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
    if (!codec)
      return "this libavcodec has no libx264 encoder; install one built with it (Debian's libavcodec59 is), "
             "or record PNG frames with --out DIR/";
    path_ = path;
    width_ = w;
    height_ = h;
    // "file:" so that a colon in the path is never read as a protocol name ("a:b.mp4").
    const std::string url = "file:" + path;
    if (const int r = avformat_alloc_output_context2(&fmt_, nullptr, "mp4", url.c_str()); r < 0 || !fmt_)
      return fail("cannot set up an MP4 muxer: " + av_error_text(r));
    fmt_->flags |= AVFMT_FLAG_BITEXACT;
    stream_ = avformat_new_stream(fmt_, nullptr);
    enc_ = avcodec_alloc_context3(codec);
    frame_ = av_frame_alloc();
    pkt_ = av_packet_alloc();
    if (!stream_ || !enc_ || !frame_ || !pkt_) return fail("out of memory setting up the video encoder");

    // 29.97 becomes 2997/100: pts count frames, so the time base is exactly one frame.
    const AVRational rate = av_d2q(fps, 100000);
    AVCodecContext& e = *enc_;
    e.width = static_cast<int>(w);
    e.height = static_cast<int>(h);
    e.pix_fmt = AV_PIX_FMT_YUV420P;
    e.framerate = rate;
    e.time_base = av_inv_q(rate);
    e.gop_size = std::max(1, static_cast<int>(std::lround(settings.keyframe_every_s * fps)));
    e.color_range = AVCOL_RANGE_MPEG;
    e.colorspace = AVCOL_SPC_BT709;
    e.color_primaries = AVCOL_PRI_BT709;
    e.color_trc = AVCOL_TRC_BT709;
    e.chroma_sample_location = AVCHROMA_LOC_LEFT;
    e.sample_aspect_ratio = AVRational{1, 1};
    e.thread_count = std::max(1, settings.threads);
    e.flags |= AV_CODEC_FLAG_BITEXACT;
    if (fmt_->oformat->flags & AVFMT_GLOBALHEADER) e.flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (av_opt_set(e.priv_data, "preset", settings.preset.c_str(), 0) < 0 ||
        av_opt_set_double(e.priv_data, "crf", settings.crf, 0) < 0)
      return fail("the libx264 encoder refused preset '" + settings.preset + "' or crf " + std::to_string(settings.crf));
    if (const int r = avcodec_open2(enc_, codec, nullptr); r < 0)
      return fail("cannot start the H.264 encoder (libx264, " + std::to_string(w) + "x" + std::to_string(h) +
                  ", preset " + settings.preset + "): " + av_error_text(r));
    if (const int r = avcodec_parameters_from_context(stream_->codecpar, enc_); r < 0)
      return fail("cannot describe the video stream: " + av_error_text(r));
    stream_->time_base = e.time_base;  // a hint: the muxer picks its own and says so in write_header
    stream_->avg_frame_rate = rate;
    stream_->r_frame_rate = rate;

    if (const int r = avio_open(&fmt_->pb, url.c_str(), AVIO_FLAG_WRITE); r < 0)
      return fail("cannot write " + path + ": " + av_error_text(r) + "; check that its folder exists and can be written");
    file_created_ = true;
    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "movflags", "+faststart", 0);
    const int hr = avformat_write_header(fmt_, &opts);
    av_dict_free(&opts);
    if (hr < 0) return fail("cannot write the MP4 header of " + path + ": " + av_error_text(hr));

    frame_->format = AV_PIX_FMT_YUV420P;
    frame_->width = e.width;
    frame_->height = e.height;
    frame_->color_range = e.color_range;
    frame_->colorspace = e.colorspace;
    frame_->color_primaries = e.color_primaries;
    frame_->color_trc = e.color_trc;
    if (const int r = av_frame_get_buffer(frame_, 0); r < 0) return fail("cannot allocate a video frame: " + av_error_text(r));
    sws_ = sws_getContext(e.width, e.height, AV_PIX_FMT_RGBA, e.width, e.height, AV_PIX_FMT_YUV420P,
                          SWS_BILINEAR | SWS_ACCURATE_RND | SWS_BITEXACT, nullptr, nullptr, nullptr);
    if (!sws_) return fail("cannot set up the RGBA to yuv420p conversion");
    // Source full-range RGB, destination limited-range BT.709 (swscale's default matrix is BT.601).
    const int* bt709 = sws_getCoefficients(SWS_CS_ITU709);
    sws_setColorspaceDetails(sws_, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16);
    return {};
  }

  std::string write(const uint8_t* rgba, size_t bytes, uint32_t w, uint32_t h) override {
    if (w != width_ || h != height_ || bytes != size_t{4} * w * h)
      return fail("frame " + std::to_string(next_pts_) + " is " + std::to_string(w) + "x" + std::to_string(h) +
                  " RGBA, the video " + path_ + " is " + std::to_string(width_) + "x" + std::to_string(height_));
    // The encoder may still hold the previous frame's buffer.
    if (const int r = av_frame_make_writable(frame_); r < 0) return fail("cannot allocate a video frame: " + av_error_text(r));
    const uint8_t* src[1] = {rgba};
    const int stride[1] = {static_cast<int>(4 * w)};
    sws_scale(sws_, src, stride, 0, static_cast<int>(h), frame_->data, frame_->linesize);
    frame_->pts = next_pts_;
    if (const int r = avcodec_send_frame(enc_, frame_); r < 0)
      return fail("encoding frame " + std::to_string(next_pts_) + " of " + path_ + " failed: " + av_error_text(r));
    ++next_pts_;
    return drain();
  }

  std::string finish() override {
    if (const int r = avcodec_send_frame(enc_, nullptr); r < 0)
      return fail("flushing the encoder for " + path_ + " failed: " + av_error_text(r));
    if (std::string e = drain(); !e.empty()) return e;
    if (const int r = av_write_trailer(fmt_); r < 0)
      return fail("cannot finish " + path_ + " (index and faststart pass): " + av_error_text(r));
    if (const int r = avio_closep(&fmt_->pb); r < 0) return fail("cannot close " + path_ + ": " + av_error_text(r));
    finished_ = true;
    release();
    return {};
  }

 private:
  void release() {
    av_packet_free(&pkt_);
    av_frame_free(&frame_);
    sws_freeContext(sws_);
    sws_ = nullptr;
    avcodec_free_context(&enc_);
    if (fmt_) {
      if (fmt_->pb) avio_closep(&fmt_->pb);
      avformat_free_context(fmt_);
      fmt_ = nullptr;
    }
    stream_ = nullptr;
  }

  /// Frees everything and removes the incomplete file; says what happened to it, for messages.
  std::string abandon() {
    release();
    std::string what;
    if (file_created_ && !finished_) {
      std::error_code ec;
      // Only a regular file we created: never a device or pipe named on the command line.
      if (std::filesystem::is_regular_file(path_, ec) && std::filesystem::remove(path_, ec))
        what = " (the incomplete file was removed)";
      else if (std::filesystem::is_regular_file(path_, ec))
        what = " (the incomplete file " + path_ + " could not be removed: " + ec.message() + ")";
    }
    file_created_ = false;
    return what;
  }

  std::string fail(const std::string& msg) { return msg + abandon(); }

  /// Moves every packet the encoder has ready into the file.
  std::string drain() {
    for (;;) {
      const int r = avcodec_receive_packet(enc_, pkt_);
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return {};
      if (r < 0) return fail("encoding " + path_ + " failed: " + av_error_text(r));
      pkt_->stream_index = stream_->index;
      if (pkt_->duration == 0) pkt_->duration = 1;  // one frame in the encoder's time base (1/fps)
      av_packet_rescale_ts(pkt_, enc_->time_base, stream_->time_base);
      if (const int w = av_interleaved_write_frame(fmt_, pkt_); w < 0) return fail("cannot write " + path_ + ": " + av_error_text(w));
    }
  }

  std::string path_;
  uint32_t width_ = 0, height_ = 0;
  int64_t next_pts_ = 0;
  AVFormatContext* fmt_ = nullptr;  // owns the stream and, once opened, the file's AVIOContext
  AVStream* stream_ = nullptr;
  AVCodecContext* enc_ = nullptr;
  SwsContext* sws_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* pkt_ = nullptr;
  bool file_created_ = false;  // the file is ours to remove if it never completes
  bool finished_ = false;
};

}  // namespace
}  // namespace parktwin::app::detail

extern "C" __attribute__((visibility("default"))) parktwin::app::detail::VideoEncoder* parktwin_make_video_encoder_v1() {
  return new parktwin::app::detail::X264Mp4Encoder();
}
