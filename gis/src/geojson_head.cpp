// The head of a big GeoJSON FeatureCollection as a document of its own (geojson_head.h).
#include "geojson_head.h"

#include <algorithm>
#include <fstream>

namespace parktwin::gis::detail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// A forward scan over JSON text that may stop short: every step says false when the text ends
/// before what it scans does (or is not JSON), and the caller reads more or gives up.
class Scan {
 public:
  explicit Scan(const std::string& s) : s_(s) {}
  size_t pos() const { return i_; }

  bool ws() {
    while (i_ < s_.size() && is_space(s_[i_])) ++i_;
    return i_ < s_.size();
  }
  bool expect(char c) {
    if (!ws() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool peek(char c) { return ws() && s_[i_] == c; }

  /// A string (the opening quote at pos()), its raw text between the quotes into `out`.
  bool string(std::string* out) {
    if (!expect('"')) return false;
    const size_t start = i_;
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '\\') {
        if (i_ >= s_.size()) return false;
        ++i_;
      } else if (c == '"') {
        if (out) out->assign(s_, start, i_ - 1 - start);
        return true;
      }
    }
    return false;
  }

  /// Any value: a string, an object or array (brackets counted, strings skipped), or a literal.
  bool value() {
    if (!ws()) return false;
    const char c = s_[i_];
    if (c == '"') return string(nullptr);
    if (c == '{' || c == '[') {
      size_t depth = 0;
      while (i_ < s_.size()) {
        const char d = s_[i_];
        if (d == '"') {
          if (!string(nullptr)) return false;
          continue;
        }
        ++i_;
        if (d == '{' || d == '[') ++depth;
        else if ((d == '}' || d == ']') && --depth == 0) return d == (c == '{' ? '}' : ']');  // closed as opened
      }
      return false;
    }
    const size_t start = i_;
    while (i_ < s_.size() && !is_space(s_[i_]) && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']') ++i_;
    return i_ < s_.size() && i_ > start;  // a literal is complete once something follows it
  }

 private:
  const std::string& s_;
  size_t i_ = 0;
};

enum class Cut { Done, Short, NotGeoJson };

/// The end (one past) of the `features`-th element of the top-level "features" array of `t`.
Cut find_cut(const std::string& t, size_t features, size_t& cut) {
  // A UTF-8 byte order mark: rare enough that such a file is left to GDAL's own pass.
  if (!t.empty() && static_cast<unsigned char>(t[0]) == 0xEF) return Cut::NotGeoJson;
  Scan doc(t);
  // A step that failed: for want of text (read more), or on text that is not what it should be.
  const auto failed = [&] { return doc.pos() >= t.size() ? Cut::Short : Cut::NotGeoJson; };
  if (!doc.expect('{')) return failed();
  for (;;) {
    std::string key;
    if (!doc.string(&key) || !doc.expect(':')) return failed();
    if (key == "features") {
      if (!doc.expect('[')) return failed();
      for (size_t n = 0; n < features; ++n) {
        if (doc.peek(']')) return Cut::NotGeoJson;  // the whole array is in the head: no gain
        if (!doc.peek('{') || !doc.value()) return failed();
        cut = doc.pos();
        if (n + 1 == features) return Cut::Done;
        if (!doc.expect(',')) return failed();
      }
      return Cut::Done;
    }
    if (!doc.value() || !doc.ws()) return failed();
    if (doc.peek('}')) return Cut::NotGeoJson;  // no "features" member
    if (!doc.expect(',')) return failed();
  }
}

}  // namespace

std::optional<size_t> geojson_head_cut(const std::string& text, size_t features) {
  size_t cut = 0;
  if (features == 0 || find_cut(text, features, cut) != Cut::Done) return std::nullopt;
  return cut;
}

std::optional<std::string> geojson_head(const std::string& path, size_t features, uint64_t max_bytes) {
  if (features == 0) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text;
  size_t chunk = size_t{1} << 20;
  for (;;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(chunk, max_bytes - std::min<uint64_t>(max_bytes, text.size())));
    if (want == 0) return std::nullopt;
    const size_t had = text.size();
    text.resize(had + want);
    in.read(text.data() + had, static_cast<std::streamsize>(want));
    text.resize(had + static_cast<size_t>(in.gcount()));
    size_t cut = 0;
    switch (find_cut(text, features, cut)) {
      case Cut::Done:
        text.resize(cut);
        text += "]}";  // the features array and the collection closed after the last whole feature
        return text;
      case Cut::NotGeoJson:
        return std::nullopt;
      case Cut::Short:
        if (!in) return std::nullopt;  // the file ended first
        chunk *= 2;
        break;
    }
  }
}

}  // namespace parktwin::gis::detail
