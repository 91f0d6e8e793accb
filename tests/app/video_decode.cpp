#include "video_decode.h"

#include <algorithm>
#include <cmath>
#include <fstream>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
}

namespace parktwin::test {

namespace {

std::vector<std::string> box_order(const std::string& path) {
  std::vector<std::string> boxes;
  std::ifstream f(path, std::ios::binary);
  f.seekg(0, std::ios::end);
  const uint64_t size = static_cast<uint64_t>(f.tellg());
  uint64_t at = 0;
  while (at + 8 <= size) {
    f.seekg(static_cast<std::streamoff>(at));
    unsigned char h[16] = {};
    f.read(reinterpret_cast<char*>(h), 8);
    uint64_t len = (uint64_t{h[0]} << 24) | (uint64_t{h[1]} << 16) | (uint64_t{h[2]} << 8) | h[3];
    boxes.emplace_back(reinterpret_cast<char*>(h + 4), 4);
    if (len == 1) {  // 64-bit size follows the type
      f.read(reinterpret_cast<char*>(h + 8), 8);
      len = 0;
      for (int i = 8; i < 16; ++i) len = (len << 8) | h[i];
    } else if (len == 0) {
      len = size - at;  // to the end of the file
    }
    if (len < 8) break;
    at += len;
  }
  return boxes;
}

uint8_t clamp8(double v) { return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }

/// yuv420p, BT.709, limited range (Y 16–235, Cb/Cr 16–240) to full-range RGB, each chroma sample
/// covering its 2x2 block.
std::vector<uint8_t> to_rgb(const AVFrame& f) {
  std::vector<uint8_t> rgb(size_t{3} * f.width * f.height);
  for (int y = 0; y < f.height; ++y)
    for (int x = 0; x < f.width; ++x) {
      const double Y = (f.data[0][y * f.linesize[0] + x] - 16.0) * 255.0 / 219.0;
      const double U = (f.data[1][(y / 2) * f.linesize[1] + x / 2] - 128.0) * 255.0 / 224.0;
      const double V = (f.data[2][(y / 2) * f.linesize[2] + x / 2] - 128.0) * 255.0 / 224.0;
      // Kr = 0.2126, Kb = 0.0722.
      uint8_t* p = &rgb[(size_t{3} * (size_t(y) * f.width + x))];
      p[0] = clamp8(Y + 1.5748 * V);
      p[1] = clamp8(Y - 0.18732 * U - 0.46812 * V);
      p[2] = clamp8(Y + 1.8556 * U);
    }
  return rgb;
}

}  // namespace

DecodedVideo decode_video(const std::string& path, bool keep_rgb) {
  DecodedVideo v;
  v.top_level_boxes = box_order(path);
  AVFormatContext* ic = nullptr;
  if (avformat_open_input(&ic, path.c_str(), nullptr, nullptr) < 0) {
    v.error = "cannot open " + path;
    return v;
  }
  AVCodecContext* dec = nullptr;
  AVPacket* pkt = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  auto done = [&] {
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&ic);
    return v;
  };
  if (avformat_find_stream_info(ic, nullptr) < 0) {
    v.error = "no stream info in " + path;
    return done();
  }
  v.container = ic->iformat->name;
  v.duration_s = ic->duration == AV_NOPTS_VALUE ? -1.0 : static_cast<double>(ic->duration) / AV_TIME_BASE;
  const int si = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (si < 0) {
    v.error = "no video stream in " + path;
    return done();
  }
  const AVStream* st = ic->streams[si];
  v.codec = avcodec_get_name(st->codecpar->codec_id);
  v.width = st->codecpar->width;
  v.height = st->codecpar->height;
  v.rate_num = st->avg_frame_rate.num;
  v.rate_den = st->avg_frame_rate.den;
  v.indexed_frames = st->nb_frames;
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  dec = codec ? avcodec_alloc_context3(codec) : nullptr;
  if (!dec || avcodec_parameters_to_context(dec, st->codecpar) < 0 || avcodec_open2(dec, codec, nullptr) < 0) {
    v.error = "cannot open a decoder for " + v.codec;
    return done();
  }
  const double fps = v.rate_den ? static_cast<double>(v.rate_num) / v.rate_den : 0.0;
  auto receive = [&] {
    while (avcodec_receive_frame(dec, frame) == 0) {
      if (v.frame_numbers.empty()) {
        v.color_space = frame->colorspace;
        v.color_range = frame->color_range;
        v.color_primaries = frame->color_primaries;
        v.color_trc = frame->color_trc;
      }
      const double t = static_cast<double>(frame->best_effort_timestamp) * av_q2d(st->time_base);
      v.frame_numbers.push_back(std::llround(t * fps));
      v.keyframes.push_back(frame->key_frame != 0);
      if (keep_rgb) {
        if (frame->format != AV_PIX_FMT_YUV420P) {
          v.error = std::string("decoded frames are ") +
                    av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame->format)) + ", not yuv420p";
          return;
        }
        v.rgb.push_back(to_rgb(*frame));
      }
      av_frame_unref(frame);
    }
  };
  while (av_read_frame(ic, pkt) >= 0) {
    if (pkt->stream_index == si && avcodec_send_packet(dec, pkt) < 0) v.error = "a packet did not decode";
    av_packet_unref(pkt);
    receive();
  }
  avcodec_send_packet(dec, nullptr);
  receive();
  return done();
}

}  // namespace parktwin::test
