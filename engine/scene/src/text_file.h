#pragma once
// Reading a whole text file for the scene's file formats (tours, KML), failing with the file named.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "parktwin/gis/result.h"

namespace parktwin::scene {

/// The file's bytes, or a failure "cannot read <what> <path>".
inline gis::Result<std::string> read_text_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return gis::Failure(gis::Failure::ResourceUnavailable, std::string("cannot read ") + what + " " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Writes `text` to `path` so that a crash or a full disk never leaves a half-written file: the
/// bytes go to PATH.tmp-PID, are flushed to disk, and the temporary then replaces the file in one
/// rename. On failure the old file is untouched and the temporary removed; the message names
/// `what`, the path and the reason.
inline gis::Result<bool> write_text_file_atomic(const std::string& path, const std::string& text, const char* what) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  auto fail = [&](const char* step) {
    const std::string reason = std::strerror(errno);
    std::remove(tmp.c_str());
    return gis::Failure(gis::Failure::ResourceUnavailable,
                        std::string("cannot write ") + what + " " + path + " (" + step + ": " + reason + ")");
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("create");
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return fail("write");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return fail("fsync");
  }
  if (::close(fd) != 0) return fail("close");
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename");
  return true;
}

}  // namespace parktwin::scene
