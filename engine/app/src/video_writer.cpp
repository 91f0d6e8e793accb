// VideoWriter: the checks that need no encoder, then the encoder module (video_encoder.h), loaded
// with dlopen the first time a video is opened.
#include "parktwin/app/video_writer.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <vector>

#include "video_encoder.h"

namespace parktwin::app {

namespace {

constexpr const char* kModuleName = "libparktwin_video.so";

struct Module {
  detail::MakeVideoEncoder make = nullptr;
  std::string error;  // why there is none
};

/// Where the module may be, in order: $PARKTWIN_VIDEO_MODULE alone when it is set; else beside
/// the running binary, then where the build put it.
std::vector<std::string> module_candidates() {
  if (const char* e = std::getenv("PARKTWIN_VIDEO_MODULE"); e && *e) return {e};
  std::vector<std::string> out;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) out.push_back((exe.parent_path() / kModuleName).string());
#ifdef PARKTWIN_VIDEO_MODULE_PATH
  out.emplace_back(PARKTWIN_VIDEO_MODULE_PATH);
#endif
  return out;
}

/// The module, loaded once per process and never unloaded (its encoders may outlive any caller).
const Module& module() {
  static Module m;
  static std::once_flag once;
  std::call_once(once, [] {
    std::string tried;
    for (const std::string& path : module_candidates()) {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) {
        tried += (tried.empty() ? "" : "; ") + path + ": no such file";
        continue;
      }
      void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!h) {
        const char* why = dlerror();
        tried += (tried.empty() ? "" : "; ") + (why ? std::string(why) : path + ": cannot be loaded");
        continue;
      }
      if (auto make = reinterpret_cast<detail::MakeVideoEncoder>(dlsym(h, detail::kMakeVideoEncoderSymbol))) {
        m.make = make;
        return;
      }
      tried += (tried.empty() ? "" : "; ") + path + ": no " + detail::kMakeVideoEncoderSymbol + " (another version?)";
    }
    m.error = "recording MP4 needs ParkTwin's encoder module " + std::string(kModuleName) +
              " (H.264 through libavcodec), which could not be loaded (" + (tried.empty() ? "nowhere to look" : tried) +
              "); build it (cmake --build build), keep it beside the parktwin binary or set PARKTWIN_VIDEO_MODULE "
              "to its path, or record PNG frames with --out DIR/";
  });
  return m;
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
  int64_t frames = 0;
  std::unique_ptr<detail::VideoEncoder> enc;  // while a video is open; its destructor removes an incomplete file

  gis::Result<bool> failed(const std::string& msg) {
    enc.reset();  // the encoder has given up (and said what became of the file)
    return gis::Failure(gis::Failure::ResourceUnavailable, msg);
  }
};

VideoWriter::VideoWriter() : impl_(std::make_unique<Impl>()) {}
VideoWriter::~VideoWriter() = default;
VideoWriter::VideoWriter(VideoWriter&&) noexcept = default;
VideoWriter& VideoWriter::operator=(VideoWriter&&) noexcept = default;

void VideoWriter::cancel() {
  if (impl_) impl_->enc.reset();
}

int64_t VideoWriter::frames() const { return impl_ ? impl_->frames : 0; }

const std::string& VideoWriter::path() const {
  static const std::string none;
  return impl_ ? impl_->path : none;
}

gis::Result<bool> VideoWriter::open(const std::string& path, uint32_t w, uint32_t h, double fps,
                                    const VideoSettings& settings) {
  using gis::Failure;
  if (impl_ && impl_->enc) return Failure(Failure::GeneralError, "video writer: " + impl_->path + " is already open");
  impl_ = std::make_unique<Impl>();  // a writer may be reopened after finish() or a failure
  if (auto ok = check_video_size(w, h); !ok) return ok.error();
  if (!(std::isfinite(fps) && fps > 0.0 && fps <= 1000.0))
    return Failure(Failure::ConfigurationError,
                   "video frame rate must be in (0, 1000] frames/s, got " + std::to_string(fps));
  const Module& m = module();
  if (!m.make) return Failure(Failure::ResourceUnavailable, m.error);
  impl_->path = path;
  impl_->enc.reset(m.make());
  if (!impl_->enc) return Failure(Failure::ResourceUnavailable, "out of memory setting up the video encoder");
  detail::EncoderSettings s;
  s.crf = settings.crf;
  s.preset = settings.preset;
  s.keyframe_every_s = settings.keyframe_every_s;
  s.threads = settings.threads;
  if (std::string e = impl_->enc->open(path, w, h, fps, s); !e.empty()) return impl_->failed(e);
  return true;
}

gis::Result<bool> VideoWriter::write(const render::Image& img) {
  using gis::Failure;
  if (!impl_ || !impl_->enc)
    return Failure(Failure::GeneralError,
                   "video writer: no video is open (call open(); after finish() or a failure, open() again)");
  if (std::string e = impl_->enc->write(img.rgba.data(), img.rgba.size(), img.width, img.height); !e.empty())
    return impl_->failed(e);
  ++impl_->frames;
  return true;
}

gis::Result<bool> VideoWriter::finish() {
  using gis::Failure;
  if (!impl_ || !impl_->enc)
    return Failure(Failure::GeneralError, "video writer: no video is open to finish (call open() first)");
  if (std::string e = impl_->enc->finish(); !e.empty()) return impl_->failed(e);
  impl_->enc.reset();
  return true;
}

}  // namespace parktwin::app
