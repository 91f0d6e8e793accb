// VideoWriter: synthetic frames encoded, then read back through an independent route
// (video_decode.cpp: libavformat demuxer, libavcodec decoder, BT.709 written out by hand) and
// compared with their sources frame by frame, so a dropped, doubled or reordered frame fails.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "parktwin/app/video_writer.h"
#include "video_decode.h"

extern "C" {
#include <libavutil/pixfmt.h>
}

namespace fs = std::filesystem;
using parktwin::app::VideoWriter;
using parktwin::render::Image;
using parktwin::test::decode_video;

namespace {

fs::path out_dir() {
  const fs::path d = fs::path(PARKTWIN_TEST_OUT) / "video";
  fs::create_directories(d);
  return d;
}

using Rgb = std::array<int, 3>;

/// Colour of quadrant q (0 top left, 1 top right, 2 bottom left, 3 bottom right) in frame k:
/// every quadrant changes by at least 10 levels in some channel from one frame to the next.
Rgb quadrant_colour(int k, int q) {
  switch (q) {
    case 0: return {200 - 12 * k, 40 + 14 * k, 60};
    case 1: return {30 + 15 * k, 180, 220 - 15 * k};
    case 2: return {240, 230 - 16 * k, 20 + 16 * k};
    default: return {50 + 10 * k, 50 + 10 * k, 50 + 10 * k};
  }
}

/// Where the quadrants meet in frame k: the corner moves right and down by (8, 4) per frame.
std::pair<int, int> split(int k) { return {96 + 8 * k, 54 + 4 * k}; }

Image synthetic_frame(int k, uint32_t w, uint32_t h) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgba.resize(size_t{4} * w * h);
  const auto [sx, sy] = split(k);
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      const int q = (static_cast<int>(x) >= sx ? 1 : 0) + (static_cast<int>(y) >= sy ? 2 : 0);
      const Rgb c = quadrant_colour(k, q);
      uint8_t* p = &img.rgba[size_t{4} * (size_t{y} * w + x)];
      p[0] = static_cast<uint8_t>(c[0]);
      p[1] = static_cast<uint8_t>(c[1]);
      p[2] = static_cast<uint8_t>(c[2]);
      p[3] = 255;
    }
  return img;
}

/// Smooth waves sliding 2 px right per frame: no scene cut for x264 to answer with a keyframe
/// of its own, so keyframes come only from the GOP length.
Image sliding_gradient(int k, uint32_t w, uint32_t h) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgba.resize(size_t{4} * w * h);
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      uint8_t* p = &img.rgba[size_t{4} * (size_t{y} * w + x)];
      p[0] = static_cast<uint8_t>(128.0 + 90.0 * std::sin((x + 2.0 * k) * 2.0 * M_PI / 48.0));
      p[1] = static_cast<uint8_t>(60 + 3 * y);
      p[2] = 128;
      p[3] = 255;
    }
  return img;
}

/// Mean RGB of the decoded frame over the rectangle [x0, x1) x [y0, y1).
Rgb mean_rgb(const std::vector<uint8_t>& rgb, int w, int x0, int y0, int x1, int y1) {
  double s[3] = {};
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x)
      for (int c = 0; c < 3; ++c) s[c] += rgb[size_t{3} * (size_t(y) * w + x) + c];
  const double n = static_cast<double>(x1 - x0) * (y1 - y0);
  return {static_cast<int>(std::lround(s[0] / n)), static_cast<int>(std::lround(s[1] / n)),
          static_cast<int>(std::lround(s[2] / n))};
}

double psnr(const Image& src, const std::vector<uint8_t>& rgb) {
  double se = 0.0;
  const size_t n = size_t{src.width} * src.height;
  for (size_t i = 0; i < n; ++i)
    for (int c = 0; c < 3; ++c) {
      const double d = double(src.rgba[4 * i + c]) - double(rgb[3 * i + c]);
      se += d * d;
    }
  const double mse = se / (3.0 * n);
  return mse <= 0.0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

/// Encodes `n` frames made by `make`; fails the test on any writer error.
void encode(const fs::path& path, int n, uint32_t w, uint32_t h, double fps,
            Image (*make)(int, uint32_t, uint32_t) = synthetic_frame) {
  VideoWriter v;
  auto ok = v.open(path.string(), w, h, fps);
  ASSERT_TRUE(ok) << ok.error().message;
  for (int k = 0; k < n; ++k) {
    auto wr = v.write(make(k, w, h));
    ASSERT_TRUE(wr) << "frame " << k << ": " << wr.error().message;
  }
  EXPECT_EQ(v.frames(), n);
  auto fin = v.finish();
  ASSERT_TRUE(fin) << fin.error().message;
}

std::string bytes_of(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

constexpr uint32_t kW = 320, kH = 180;
constexpr int kFrames = 12;

}  // namespace

TEST(VideoWriter, FramesComeBackInOrderWithTheirContent) {
  const fs::path p = out_dir() / "quadrants.mp4";
  encode(p, kFrames, kW, kH, 25.0);
  const auto v = decode_video(p.string(), true);
  ASSERT_TRUE(v.error.empty()) << v.error;
  EXPECT_NE(v.container.find("mp4"), std::string::npos) << v.container;
  EXPECT_EQ(v.codec, "h264");
  EXPECT_EQ(v.width, int(kW));
  EXPECT_EQ(v.height, int(kH));
  EXPECT_EQ(v.rate_num, 25);
  EXPECT_EQ(v.rate_den, 1);
  EXPECT_NEAR(v.duration_s, kFrames / 25.0, 1e-3);
  EXPECT_EQ(v.indexed_frames, kFrames);
  // The index in front of the media (faststart).
  ASSERT_GE(v.top_level_boxes.size(), 3u);
  EXPECT_EQ(v.top_level_boxes[0], "ftyp");
  const auto moov = std::find(v.top_level_boxes.begin(), v.top_level_boxes.end(), "moov");
  const auto mdat = std::find(v.top_level_boxes.begin(), v.top_level_boxes.end(), "mdat");
  EXPECT_TRUE(moov < mdat) << "moov after mdat: not faststart";
  // Tagged BT.709, limited range.
  EXPECT_EQ(v.color_space, AVCOL_SPC_BT709);
  EXPECT_EQ(v.color_range, AVCOL_RANGE_MPEG);
  EXPECT_EQ(v.color_primaries, AVCOL_PRI_BT709);
  EXPECT_EQ(v.color_trc, AVCOL_TRC_BT709);
  ASSERT_EQ(v.rgb.size(), size_t(kFrames));
  ASSERT_EQ(v.frame_numbers.size(), size_t(kFrames));
  EXPECT_TRUE(v.keyframes[0]);
  for (int k = 0; k < kFrames; ++k) {
    EXPECT_EQ(v.frame_numbers[k], k) << "decoded frame " << k << " has the time of frame " << v.frame_numbers[k];
    const Image src = synthetic_frame(k, kW, kH);
    EXPECT_GT(psnr(src, v.rgb[k]), 35.0) << "frame " << k;
    // Each quadrant's mean colour, away from its edges (where the encoder blurs).
    const auto [sx, sy] = split(k);
    const int m = 6;
    const int rects[4][4] = {{m, m, sx - m, sy - m},
                             {sx + m, m, int(kW) - m, sy - m},
                             {m, sy + m, sx - m, int(kH) - m},
                             {sx + m, sy + m, int(kW) - m, int(kH) - m}};
    for (int q = 0; q < 4; ++q) {
      const Rgb got = mean_rgb(v.rgb[k], kW, rects[q][0], rects[q][1], rects[q][2], rects[q][3]);
      const Rgb want = quadrant_colour(k, q);
      for (int c = 0; c < 3; ++c)
        EXPECT_NEAR(got[c], want[c], 4) << "frame " << k << " quadrant " << q << " channel " << c;
    }
  }
}

TEST(VideoWriter, SameFramesGiveTheSameBytes) {
  const fs::path a = out_dir() / "same_a.mp4", b = out_dir() / "same_b.mp4";
  encode(a, kFrames, kW, kH, 25.0);
  encode(b, kFrames, kW, kH, 25.0);
  const std::string ba = bytes_of(a), bb = bytes_of(b);
  ASSERT_GT(ba.size(), 1000u);
  EXPECT_TRUE(ba == bb) << a << " and " << b << " differ";
  // No creation time: the movie header's creation and modification times are zero.
  const size_t mvhd = ba.find("mvhd");
  ASSERT_NE(mvhd, std::string::npos);
  EXPECT_EQ(ba.substr(mvhd + 8, 8), std::string(8, '\0')) << "mvhd carries a creation or modification time";
}

TEST(VideoWriter, FractionalFrameRateAndKeyframeEveryTwoSeconds) {
  // 29.97 frames/s: 2997/100; 66 frames = 2.2 s, so a second keyframe must come by frame 60.
  const fs::path p = out_dir() / "ntsc.mp4";
  const int n = 66;
  encode(p, n, 64, 36, 29.97, sliding_gradient);
  const auto v = decode_video(p.string(), false);
  ASSERT_TRUE(v.error.empty()) << v.error;
  EXPECT_EQ(v.rate_num, 2997);
  EXPECT_EQ(v.rate_den, 100);
  EXPECT_NEAR(v.duration_s, n / 29.97, 1e-3);
  ASSERT_EQ(v.frame_numbers.size(), size_t(n));
  int last_key = -1, keys = 0;
  for (int k = 0; k < n; ++k) {
    EXPECT_EQ(v.frame_numbers[k], k);
    if (!v.keyframes[k]) continue;
    EXPECT_LE(k - last_key, 60) << "more than 2 s between keyframes at frame " << k;
    // The picture slides smoothly (no scene cut), so no keyframe comes early either.
    if (last_key >= 0) {
      EXPECT_GE(k - last_key, 30) << "keyframes " << last_key << " and " << k << " under 1 s apart";
    }
    last_key = k;
    ++keys;
  }
  EXPECT_GE(keys, 2);
}

TEST(VideoWriter, OddSizeIsRefusedBeforeAFileExists) {
  const fs::path p = out_dir() / "odd.mp4";
  fs::remove(p);
  VideoWriter v;
  auto ok = v.open(p.string(), 321, 180, 25.0);
  ASSERT_FALSE(ok);
  EXPECT_NE(ok.error().message.find("321x180"), std::string::npos) << ok.error().message;
  EXPECT_NE(ok.error().message.find("even"), std::string::npos) << ok.error().message;
  EXPECT_NE(ok.error().message.find("322x180"), std::string::npos) << "no size to use instead: " << ok.error().message;
  EXPECT_FALSE(fs::exists(p));
  EXPECT_FALSE(v.open(p.string(), 320, 181, 25.0));
  EXPECT_FALSE(v.open(p.string(), 0, 180, 25.0));
  EXPECT_FALSE(fs::exists(p));
}

TEST(VideoWriter, UnwritablePathFailsNamingIt) {
  // A folder that is a file: refused even for root.
  const fs::path file = out_dir() / "plain_file";
  std::ofstream(file) << "x";
  const fs::path p = file / "video.mp4";
  VideoWriter v;
  auto ok = v.open(p.string(), kW, kH, 25.0);
  ASSERT_FALSE(ok);
  EXPECT_NE(ok.error().message.find(p.string()), std::string::npos) << ok.error().message;
  EXPECT_FALSE(v.write(synthetic_frame(0, kW, kH)));
  EXPECT_FALSE(v.finish());
  EXPECT_FALSE(v.open((out_dir() / "no_such_folder" / "v.mp4").string(), kW, kH, 25.0));
  EXPECT_FALSE(v.open((out_dir() / "bad_fps.mp4").string(), kW, kH, 0.0));
  EXPECT_FALSE(fs::exists(out_dir() / "bad_fps.mp4"));
}

TEST(VideoWriter, UnfinishedOrFailedFileIsRemoved) {
  const fs::path p = out_dir() / "abandoned.mp4";
  {
    VideoWriter v;
    ASSERT_TRUE(v.open(p.string(), kW, kH, 25.0));
    ASSERT_TRUE(v.write(synthetic_frame(0, kW, kH)));
    EXPECT_TRUE(fs::exists(p));
  }  // destroyed without finish()
  EXPECT_FALSE(fs::exists(p)) << "an unfinished video was left behind";
  // A frame of the wrong size is refused with both sizes, and the file goes.
  VideoWriter v;
  ASSERT_TRUE(v.open(p.string(), kW, kH, 25.0));
  ASSERT_TRUE(v.write(synthetic_frame(0, kW, kH)));
  auto wr = v.write(synthetic_frame(1, 160, 90));
  ASSERT_FALSE(wr);
  EXPECT_NE(wr.error().message.find("160x90"), std::string::npos) << wr.error().message;
  EXPECT_NE(wr.error().message.find("removed"), std::string::npos) << wr.error().message;
  EXPECT_FALSE(fs::exists(p));
  EXPECT_FALSE(v.finish());
  // The same writer can start again.
  ASSERT_TRUE(v.open(p.string(), kW, kH, 25.0));
  ASSERT_TRUE(v.write(synthetic_frame(0, kW, kH)));
  ASSERT_TRUE(v.finish());
  EXPECT_TRUE(fs::exists(p));
  v.cancel();  // after finish(): the complete file stays
  EXPECT_TRUE(fs::exists(p));
}

TEST(VideoWriter, FullDiskIsReportedAndADeviceNeverRemoved) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  // Where the error shows depends on when the muxer flushes: at open, a frame, or finish().
  VideoWriter v;
  bool failed = false;
  std::string msg;
  if (auto ok = v.open("/dev/full", kW, kH, 25.0); !ok) failed = true, msg = ok.error().message;
  for (int k = 0; k < kFrames && !failed; ++k)
    if (auto wr = v.write(synthetic_frame(k, kW, kH)); !wr) failed = true, msg = wr.error().message;
  if (!failed)
    if (auto fin = v.finish(); !fin) failed = true, msg = fin.error().message;
  EXPECT_TRUE(failed) << "writing to a full device succeeded";
  EXPECT_NE(msg.find("/dev/full"), std::string::npos) << msg;
  EXPECT_TRUE(fs::exists("/dev/full"));
}

TEST(VideoWriter, FailureHalfWayRemovesThePartialFile) {
  // A child process whose files may not grow past 64 KB (EFBIG instead of SIGXFSZ) writes noise,
  // which no encoder can squeeze under that: the writer must fail naming the file and remove it.
  const fs::path p = out_dir() / "too_big.mp4";
  fs::remove(p);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const rlimit lim{64 * 1024, 64 * 1024};
    setrlimit(RLIMIT_FSIZE, &lim);
    std::signal(SIGXFSZ, SIG_IGN);
    VideoWriter v;
    if (!v.open(p.string(), kW, kH, 25.0)) _exit(10);
    Image noise = synthetic_frame(0, kW, kH);
    uint32_t seed = 1;
    std::string msg;
    for (int k = 0; k < 200 && msg.empty(); ++k) {
      for (uint8_t& b : noise.rgba) b = static_cast<uint8_t>((seed = seed * 1664525u + 1013904223u) >> 24);
      if (auto wr = v.write(noise); !wr) msg = wr.error().message;
    }
    if (msg.empty())
      if (auto fin = v.finish(); !fin) msg = fin.error().message;
    if (msg.empty()) _exit(11);                                   // 13 MB of noise fit in 64 KB?
    if (msg.find(p.string()) == std::string::npos) _exit(12);     // the message names the file
    if (msg.find("removed") == std::string::npos) _exit(13);      // and says what became of it
    _exit(fs::exists(p) ? 14 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "the writer crashed (signal " << WTERMSIG(status) << ")";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10 open failed, 11 no failure, 12/13 message, 14 file left behind";
  EXPECT_FALSE(fs::exists(p));
}

TEST(VideoWriter, Mp4PathsAreRecognisedInAnyCase) {
  EXPECT_TRUE(parktwin::app::is_mp4_path("a/tour.mp4"));
  EXPECT_TRUE(parktwin::app::is_mp4_path("TOUR.MP4"));
  EXPECT_FALSE(parktwin::app::is_mp4_path("frames/"));
  EXPECT_FALSE(parktwin::app::is_mp4_path("frames.mp4/"));
  EXPECT_FALSE(parktwin::app::is_mp4_path("tour.mp4.png"));
}
