#pragma once
// Reading a whole text file for the scene's file formats (tours, KML), failing with the file named.
#include <fstream>
#include <sstream>
#include <string>

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

}  // namespace parktwin::scene
