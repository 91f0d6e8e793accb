// The extent of a GeoJSON FeatureCollection's geometries by one scan of its text (geojson_extent.h).
#include "geojson_extent.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

namespace parktwin::gis::detail {
namespace {

constexpr int kMaxDepth = 256;

/// The text, from memory or read from a file block by block (read(2), not a memory map: a file cut
/// short by another process while it is scanned ends the scan rather than raising SIGBUS).
class Input {
 public:
  explicit Input(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}
  explicit Input(int fd) : fd_(fd), buf_(size_t{1} << 20) {}

  /// At least one byte to peek at (reads the next block when needed).
  bool more() { return p_ < end_ || refill(); }
  char peek() const { return *p_; }
  void skip() { ++p_; }
  bool read_failed() const { return failed_; }

 private:
  bool refill() {
    if (fd_ < 0 || failed_) return false;
    for (;;) {
      const ssize_t n = ::read(fd_, buf_.data(), buf_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        failed_ = n < 0;
        return false;
      }
      p_ = buf_.data();
      end_ = p_ + n;
      return true;
    }
  }

  const char* p_ = nullptr;
  const char* end_ = nullptr;
  int fd_ = -1;
  bool failed_ = false;
  std::vector<char> buf_;
};

/// Where a value sits: what its members and elements mean.
enum class Role : uint8_t { Root, Features, Feature, Geometry, Geometries, Coords, Other };

/// A member's key as far as it matters: its first bytes, whether it holds an escape.
struct Key {
  char text[16];
  size_t size = 0;
  bool escaped = false;
  bool is(const char* word) const {
    const size_t n = std::strlen(word);
    return !escaped && size == n && std::memcmp(text, word, n) == 0;
  }
};

/// A recursive descent over the whole text that keeps the numbers of positions only.
class ExtentScan {
 public:
  explicit ExtentScan(Input& in) : in_(in) {}

  bool document() {
    if (in_.more() && in_.peek() == '\xEF') {  // a UTF-8 byte order mark
      in_.skip();
      if (!byte('\xBB') || !byte('\xBF')) return false;
    }
    if (!value(Role::Root, 0)) return false;
    ws();
    return !in_.more() && !in_.read_failed() && saw_features_;
  }
  GeoJsonExtent extent;
  bool crs_after = false;

 private:
  static bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  void ws() {
    while (in_.more() && space(in_.peek())) in_.skip();
  }
  bool at(char c) {
    ws();
    return in_.more() && in_.peek() == c;
  }
  bool byte(char c) {
    if (!in_.more() || in_.peek() != c) return false;
    in_.skip();
    return true;
  }

  bool string(Key* key) {  // at the opening quote
    in_.skip();
    for (;;) {
      if (!in_.more()) return false;
      const char c = in_.peek();
      in_.skip();
      if (c == '"') return true;
      if (c == '\\') {
        if (!in_.more()) return false;
        in_.skip();
        if (key) key->escaped = true;
        continue;
      }
      if (key) {
        if (key->size < sizeof key->text) key->text[key->size] = c;
        ++key->size;  // (longer than the buffer: no key that matters)
      }
    }
  }

  bool number(double* out) {  // a position's (kept in `out`), or any other (only skipped)
    char text[64];
    size_t n = 0;
    while (in_.more()) {
      const char c = in_.peek();
      if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) break;
      if (out && n == sizeof text) return false;  // no coordinate is written that long
      if (out) text[n] = c;
      ++n;
      in_.skip();
    }
    if (n == 0) return false;
    if (!out) return true;
    double v = 0.0;
    const auto r = std::from_chars(text, text + n, v);
    if (r.ec != std::errc() || r.ptr != text + n) return false;
    *out = v;
    return true;
  }

  bool literal(const char* word) {
    for (const char* w = word; *w; ++w)
      if (!byte(*w)) return false;
    return true;
  }

  bool value(Role r, int depth) {
    ws();
    if (!in_.more()) return false;
    switch (in_.peek()) {
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
    in_.skip();
    if (at('}')) return in_.skip(), true;
    for (;;) {
      if (!at('"')) return false;
      Key key;
      if (!string(&key) || !at(':')) return false;
      in_.skip();
      Role child = Role::Other;
      // Where keys mean something, a key written with escapes (it might spell one of them) or one
      // of them twice (JSON readers keep the last) leaves the extent to GDAL.
      if (r == Role::Root || r == Role::Feature || r == Role::Geometry) {
        if (key.escaped) return false;
        const int bit = key.is("features") ? 1 : key.is("geometry") ? 2 : key.is("coordinates") ? 4 : key.is("geometries") ? 8 : 0;
        if (bit & seen) return false;
        seen |= bit;
      }
      if (r == Role::Root && key.is("features")) {
        if (!at('[')) return false;  // GDAL would not read such a file either
        child = Role::Features;
      } else if (r == Role::Root && key.is("crs")) {
        crs_after = crs_after || saw_features_;
      } else if (r == Role::Feature && key.is("geometry")) {
        child = Role::Geometry;
      } else if (r == Role::Geometry && key.is("coordinates")) {
        child = Role::Coords;
      } else if (r == Role::Geometry && key.is("geometries")) {
        child = Role::Geometries;
      }
      if (!value(child, depth)) return false;
      if (child == Role::Features) saw_features_ = true;
      ws();
      if (!in_.more()) return false;
      const char c = in_.peek();
      in_.skip();
      if (c == ',') continue;
      return c == '}';
    }
  }

  bool array(Role r, int depth) {
    if (depth > kMaxDepth) return false;
    in_.skip();
    const Role child = r == Role::Features     ? Role::Feature
                       : r == Role::Geometries ? Role::Geometry
                       : r == Role::Coords     ? Role::Coords
                                               : Role::Other;
    double xy[2] = {0.0, 0.0};
    int numbers = 0;
    if (at(']')) return in_.skip(), true;
    for (;;) {
      ws();
      if (!in_.more()) return false;
      const char c = in_.peek();
      if (r == Role::Coords && (c == '-' || (c >= '0' && c <= '9'))) {  // a position's number
        double v = 0.0;
        if (!number(&v)) return false;
        if (numbers < 2) xy[numbers] = v;
        ++numbers;
      } else if (!value(child, depth)) {
        return false;
      }
      ws();
      if (!in_.more()) return false;
      const char d = in_.peek();
      in_.skip();
      if (d == ',') continue;
      if (d != ']') return false;
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

  Input& in_;
  bool saw_features_ = false;
};

std::optional<GeoJsonExtent> scan(Input& in, bool* crs_after) {
  ExtentScan s(in);
  const bool ok = s.document();
  if (crs_after) *crs_after = s.crs_after;
  if (!ok || s.crs_after || s.extent.positions == 0) return std::nullopt;
  return s.extent;
}

}  // namespace

std::optional<GeoJsonExtent> geojson_extent_of_text(std::string_view text, bool* crs_after) {
  Input in(text);
  return scan(in, crs_after);
}

std::optional<GeoJsonExtent> geojson_extent(const std::string& path, bool* crs_after) {
  if (crs_after) *crs_after = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  Input in(fd);
  auto out = scan(in, crs_after);
  ::close(fd);
  return out;
}

}  // namespace parktwin::gis::detail
