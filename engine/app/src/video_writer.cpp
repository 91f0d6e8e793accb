// H.264/MP4 through libavformat, libavcodec (libx264) and libswscale.
//
// Why each setting:
// - yuv420p, converted with BT.709 coefficients to limited range and tagged BT.709 in the stream
//   and container: what players assume for HD video, so colours show as rendered. An untagged
//   stream is guessed as BT.601 by some players (reds and greens shift).
// - Bit-exact muxer, encoder and scaler, no creation_time, a fixed encoder thread count: the same
//   frames give the same bytes, so two recordings of a tour can be compared with cmp.
// - faststart: the index goes in front of the media, so a browser or a video wall starts playing
//   before the whole file has arrived (the muxer rewrites the file once at the end for this).
#include "parktwin/app/video_writer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <system_error>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>
#include <libavutil/rational.h>
#include <libswscale/swscale.h>
}

namespace parktwin::app {

namespace {

std::string av_error_text(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

}  // namespace

bool is_mp4_path(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".mp4";
}

gis::Result<bool> check_video_size(uint32_t w, uint32_t h) {
  if (w == 0 || h == 0 || w % 2 != 0 || h % 2 != 0) {
    const uint32_t ew = std::max(2u, w + w % 2), eh = std::max(2u, h + h % 2);
    return gis::Failure(gis::Failure::ConfigurationError,
                        "MP4 (H.264, yuv420p) needs an even width and height; " + std::to_string(w) + "x" +
                            std::to_string(h) + " has an odd side: use --size " + std::to_string(ew) + "x" +
                            std::to_string(eh) + ", or --out DIR/ for PNG frames of any size");
  }
  return true;
}

struct VideoWriter::Impl {
  std::string path;
  uint32_t width = 0, height = 0;
  int64_t next_pts = 0;
  AVFormatContext* fmt = nullptr;  // owns the stream and, once opened, the file's AVIOContext
  AVStream* stream = nullptr;
  AVCodecContext* enc = nullptr;
  SwsContext* sws = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* pkt = nullptr;
  bool file_created = false;  // the file is ours to remove if it never completes
  bool finished = false;

  ~Impl() { abandon(); }

  void release() {
    av_packet_free(&pkt);
    av_frame_free(&frame);
    sws_freeContext(sws);
    sws = nullptr;
    avcodec_free_context(&enc);
    if (fmt) {
      if (fmt->pb) avio_closep(&fmt->pb);
      avformat_free_context(fmt);
      fmt = nullptr;
    }
    stream = nullptr;
  }

  /// Frees everything and removes the incomplete file; says what happened to it, for messages.
  std::string abandon() {
    release();
    std::string what;
    if (file_created && !finished) {
      std::error_code ec;
      // Only a regular file we created: never a device or pipe named on the command line.
      if (std::filesystem::is_regular_file(path, ec) && std::filesystem::remove(path, ec))
        what = " (the incomplete file was removed)";
      else if (std::filesystem::is_regular_file(path, ec))
        what = " (the incomplete file " + path + " could not be removed: " + ec.message() + ")";
    }
    file_created = false;
    return what;
  }

  gis::Result<bool> fail(const std::string& msg) {
    const std::string what = abandon();
    return gis::Failure(gis::Failure::ResourceUnavailable, msg + what);
  }

  /// Moves every packet the encoder has ready into the file.
  gis::Result<bool> drain() {
    for (;;) {
      const int r = avcodec_receive_packet(enc, pkt);
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return true;
      if (r < 0) return fail("encoding " + path + " failed: " + av_error_text(r));
      pkt->stream_index = stream->index;
      if (pkt->duration == 0) pkt->duration = 1;  // one frame in the encoder's time base (1/fps)
      av_packet_rescale_ts(pkt, enc->time_base, stream->time_base);
      if (const int w = av_interleaved_write_frame(fmt, pkt); w < 0)
        return fail("cannot write " + path + ": " + av_error_text(w));
    }
  }
};

VideoWriter::VideoWriter() : impl_(std::make_unique<Impl>()) {}
VideoWriter::~VideoWriter() = default;
VideoWriter::VideoWriter(VideoWriter&&) noexcept = default;
VideoWriter& VideoWriter::operator=(VideoWriter&&) noexcept = default;

void VideoWriter::cancel() {
  if (impl_) impl_->abandon();
}

int64_t VideoWriter::frames() const { return impl_ ? impl_->next_pts : 0; }

const std::string& VideoWriter::path() const {
  static const std::string none;
  return impl_ ? impl_->path : none;
}

gis::Result<bool> VideoWriter::open(const std::string& path, uint32_t w, uint32_t h, double fps,
                                    const VideoSettings& settings) {
  using gis::Failure;
  if (!impl_) impl_ = std::make_unique<Impl>();
  if (impl_->fmt) return Failure(Failure::GeneralError, "video writer: " + impl_->path + " is already open");
  impl_ = std::make_unique<Impl>();  // a writer may be reopened after finish() or a failure
  if (auto ok = check_video_size(w, h); !ok) return ok.error();
  if (!(std::isfinite(fps) && fps > 0.0 && fps <= 1000.0))
    return Failure(Failure::ConfigurationError,
                   "video frame rate must be in (0, 1000] frames/s, got " + std::to_string(fps));
  // libav logs to stderr at info level (x264's banner and statistics); keep errors only, so the
  // recorder's progress line and messages stay readable.
  av_log_set_level(AV_LOG_ERROR);
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec)
    return Failure(Failure::ResourceUnavailable,
                   "this libavcodec has no libx264 encoder; install one built with it (Debian's libavcodec59 is), "
                   "or record PNG frames with --out DIR/");
  Impl& m = *impl_;
  m.path = path;
  m.width = w;
  m.height = h;
  // "file:" so that a colon in the path is never read as a protocol name ("a:b.mp4").
  const std::string url = "file:" + path;
  if (const int r = avformat_alloc_output_context2(&m.fmt, nullptr, "mp4", url.c_str()); r < 0 || !m.fmt)
    return m.fail("cannot set up an MP4 muxer: " + av_error_text(r));
  m.fmt->flags |= AVFMT_FLAG_BITEXACT;
  m.stream = avformat_new_stream(m.fmt, nullptr);
  m.enc = avcodec_alloc_context3(codec);
  m.frame = av_frame_alloc();
  m.pkt = av_packet_alloc();
  if (!m.stream || !m.enc || !m.frame || !m.pkt) return m.fail("out of memory setting up the video encoder");

  // 29.97 becomes 2997/100: pts count frames, so the time base is exactly one frame.
  const AVRational rate = av_d2q(fps, 100000);
  AVCodecContext& e = *m.enc;
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
  if (m.fmt->oformat->flags & AVFMT_GLOBALHEADER) e.flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (av_opt_set(e.priv_data, "preset", settings.preset.c_str(), 0) < 0 ||
      av_opt_set_double(e.priv_data, "crf", settings.crf, 0) < 0)
    return m.fail("the libx264 encoder refused preset '" + settings.preset + "' or crf " +
                  std::to_string(settings.crf));
  if (const int r = avcodec_open2(m.enc, codec, nullptr); r < 0)
    return m.fail("cannot start the H.264 encoder (libx264, " + std::to_string(w) + "x" + std::to_string(h) +
                  ", preset " + settings.preset + "): " + av_error_text(r));
  if (const int r = avcodec_parameters_from_context(m.stream->codecpar, m.enc); r < 0)
    return m.fail("cannot describe the video stream: " + av_error_text(r));
  m.stream->time_base = e.time_base;  // a hint: the muxer picks its own and says so in write_header
  m.stream->avg_frame_rate = rate;
  m.stream->r_frame_rate = rate;

  if (const int r = avio_open(&m.fmt->pb, url.c_str(), AVIO_FLAG_WRITE); r < 0)
    return m.fail("cannot write " + path + ": " + av_error_text(r) +
                  "; check that its folder exists and can be written");
  m.file_created = true;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "movflags", "+faststart", 0);
  const int hr = avformat_write_header(m.fmt, &opts);
  av_dict_free(&opts);
  if (hr < 0) return m.fail("cannot write the MP4 header of " + path + ": " + av_error_text(hr));

  m.frame->format = AV_PIX_FMT_YUV420P;
  m.frame->width = e.width;
  m.frame->height = e.height;
  m.frame->color_range = e.color_range;
  m.frame->colorspace = e.colorspace;
  m.frame->color_primaries = e.color_primaries;
  m.frame->color_trc = e.color_trc;
  if (const int r = av_frame_get_buffer(m.frame, 0); r < 0)
    return m.fail("cannot allocate a video frame: " + av_error_text(r));
  m.sws = sws_getContext(e.width, e.height, AV_PIX_FMT_RGBA, e.width, e.height, AV_PIX_FMT_YUV420P,
                         SWS_BILINEAR | SWS_ACCURATE_RND | SWS_BITEXACT, nullptr, nullptr, nullptr);
  if (!m.sws) return m.fail("cannot set up the RGBA to yuv420p conversion");
  // Source full-range RGB, destination limited-range BT.709 (swscale's default matrix is BT.601).
  const int* bt709 = sws_getCoefficients(SWS_CS_ITU709);
  sws_setColorspaceDetails(m.sws, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16);
  return true;
}

gis::Result<bool> VideoWriter::write(const render::Image& img) {
  using gis::Failure;
  if (!impl_ || !impl_->fmt)
    return Failure(Failure::GeneralError,
                   "video writer: no video is open (call open(); after finish() or a failure, open() again)");
  Impl& m = *impl_;
  if (img.width != m.width || img.height != m.height || img.rgba.size() != size_t{4} * img.width * img.height)
    return m.fail("frame " + std::to_string(m.next_pts) + " is " + std::to_string(img.width) + "x" +
                  std::to_string(img.height) + " RGBA, the video " + m.path + " is " + std::to_string(m.width) +
                  "x" + std::to_string(m.height));
  // The encoder may still hold the previous frame's buffer.
  if (const int r = av_frame_make_writable(m.frame); r < 0)
    return m.fail("cannot allocate a video frame: " + av_error_text(r));
  const uint8_t* src[1] = {img.rgba.data()};
  const int stride[1] = {static_cast<int>(4 * img.width)};
  sws_scale(m.sws, src, stride, 0, static_cast<int>(img.height), m.frame->data, m.frame->linesize);
  m.frame->pts = m.next_pts;
  if (const int r = avcodec_send_frame(m.enc, m.frame); r < 0)
    return m.fail("encoding frame " + std::to_string(m.next_pts) + " of " + m.path + " failed: " + av_error_text(r));
  ++m.next_pts;
  return m.drain();
}

gis::Result<bool> VideoWriter::finish() {
  using gis::Failure;
  if (!impl_ || !impl_->fmt)
    return Failure(Failure::GeneralError, "video writer: no video is open to finish (call open() first)");
  Impl& m = *impl_;
  if (const int r = avcodec_send_frame(m.enc, nullptr); r < 0)
    return m.fail("flushing the encoder for " + m.path + " failed: " + av_error_text(r));
  if (auto ok = m.drain(); !ok) return ok;
  if (const int r = av_write_trailer(m.fmt); r < 0)
    return m.fail("cannot finish " + m.path + " (index and faststart pass): " + av_error_text(r));
  if (const int r = avio_closep(&m.fmt->pb); r < 0) return m.fail("cannot close " + m.path + ": " + av_error_text(r));
  m.finished = true;
  m.release();
  return true;
}

}  // namespace parktwin::app
