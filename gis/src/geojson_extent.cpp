// The extent of a GeoJSON FeatureCollection's geometries by one scan of its text (geojson_extent.h).
#include "geojson_extent.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

namespace parktwin::gis::detail {
namespace {

constexpr int kMaxDepth = 256;

/// Where a value sits: what its members and elements mean.
enum class Role : uint8_t { Root, Features, Feature, Geometry, Geometries, Coords, Other };

/// A recursive descent over the whole text that keeps the numbers of positions only.
class ExtentScan {
 public:
  ExtentScan(const char* begin, const char* end) : p_(begin), end_(end) {}

  bool document() {
    if (end_ - p_ >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) p_ += 3;  // a UTF-8 byte order mark
    if (!value(Role::Root, 0)) return false;
    ws();
    return p_ == end_ && saw_features_;
  }
  GeoJsonExtent extent;
  bool crs_after = false;

 private:
  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool at(char c) {
    ws();
    return p_ < end_ && *p_ == c;
  }

  bool string(std::string_view* out) {  // at the opening quote
    const char* start = ++p_;
    while (p_ < end_) {
      const char c = *p_++;
      if (c == '\\') {
        if (p_ >= end_) return false;
        ++p_;
      } else if (c == '"') {
        if (out) *out = std::string_view(start, static_cast<size_t>(p_ - 1 - start));
        return true;
      }
    }
    return false;
  }

  bool number(double* out) {
    const char* start = p_;
    while (p_ < end_ && ((*p_ >= '0' && *p_ <= '9') || *p_ == '-' || *p_ == '+' || *p_ == '.' || *p_ == 'e' || *p_ == 'E'))
      ++p_;
    if (p_ == start) return false;
    double v = 0.0;
    const auto r = std::from_chars(start, p_, v);
    if (r.ec != std::errc() || r.ptr != p_) return false;
    if (out) *out = v;
    return true;
  }

  bool literal(const char* word) {
    const size_t n = std::strlen(word);
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  bool value(Role r, int depth) {
    ws();
    if (p_ >= end_) return false;
    switch (*p_) {
      case '{': return object(r, depth + 1);
      case '[': return array(r, depth + 1);
      case '"': return string(nullptr);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number(nullptr);
    }
  }

  bool object(Role r, int depth) {
    if (depth > kMaxDepth) return false;
    int seen = 0;  // the keys that mean something here, as met
    ++p_;
    if (at('}')) return ++p_, true;
    for (;;) {
      if (!at('"')) return false;
      std::string_view key;
      if (!string(&key) || !at(':')) return false;
      ++p_;
      Role child = Role::Other;
      // Where keys mean something, a key written with escapes (it might spell one of them) or one
      // of them twice (JSON readers keep the last) leaves the extent to GDAL.
      if (r == Role::Root || r == Role::Feature || r == Role::Geometry) {
        if (key.find('\\') != std::string_view::npos) return false;
        const int bit = key == "features" ? 1 : key == "geometry" ? 2 : key == "coordinates" ? 4 : key == "geometries" ? 8 : 0;
        if (bit & seen) return false;
        seen |= bit;
      }
      if (r == Role::Root && key == "features") {
        if (!at('[')) return false;  // GDAL would not read such a file either
        child = Role::Features;
      } else if (r == Role::Root && key == "crs") {
        crs_after = crs_after || saw_features_;
      } else if (r == Role::Feature && key == "geometry") {
        child = Role::Geometry;
      } else if (r == Role::Geometry && key == "coordinates") {
        child = Role::Coords;
      } else if (r == Role::Geometry && key == "geometries") {
        child = Role::Geometries;
      }
      if (!value(child, depth)) return false;
      if (child == Role::Features) saw_features_ = true;
      ws();
      if (p_ >= end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != '}') return false;
      ++p_;
      return true;
    }
  }

  bool array(Role r, int depth) {
    if (depth > kMaxDepth) return false;
    ++p_;
    const Role child = r == Role::Features     ? Role::Feature
                       : r == Role::Geometries ? Role::Geometry
                       : r == Role::Coords     ? Role::Coords
                                               : Role::Other;
    double xy[2] = {0.0, 0.0};
    int numbers = 0;
    if (at(']')) return ++p_, true;
    for (;;) {
      ws();
      if (p_ >= end_) return false;
      const char c = *p_;
      if (r == Role::Coords && (c == '-' || (c >= '0' && c <= '9'))) {  // a position's number
        double v = 0.0;
        if (!number(&v)) return false;
        if (numbers < 2) xy[numbers] = v;
        ++numbers;
      } else if (!value(child, depth)) {
        return false;
      }
      ws();
      if (p_ >= end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != ']') return false;
      ++p_;
      break;
    }
    if (numbers >= 2) add(xy[0], xy[1]);
    return true;
  }

  void add(double x, double y) {
    GeoJsonExtent& e = extent;
    if (e.positions++ == 0) {
      e.min_x = e.max_x = x;
      e.min_y = e.max_y = y;
      return;
    }
    e.min_x = std::min(e.min_x, x), e.max_x = std::max(e.max_x, x);
    e.min_y = std::min(e.min_y, y), e.max_y = std::max(e.max_y, y);
  }

  const char* p_;
  const char* end_;
  bool saw_features_ = false;
};

}  // namespace

std::optional<GeoJsonExtent> geojson_extent_of_text(std::string_view text, bool* crs_after) {
  ExtentScan scan(text.data(), text.data() + text.size());
  const bool ok = scan.document();
  if (crs_after) *crs_after = scan.crs_after;
  if (!ok || scan.crs_after || scan.extent.positions == 0) return std::nullopt;
  return scan.extent;
}

std::optional<GeoJsonExtent> geojson_extent(const std::string& path, bool* crs_after) {
  if (crs_after) *crs_after = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
    ::close(fd);
    return std::nullopt;
  }
  const auto size = static_cast<size_t>(st.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return std::nullopt;
  ::madvise(map, size, MADV_SEQUENTIAL);
  auto out = geojson_extent_of_text(std::string_view(static_cast<const char*>(map), size), crs_after);
  ::munmap(map, size);
  return out;
}

}  // namespace parktwin::gis::detail
