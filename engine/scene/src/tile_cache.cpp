// The disk form of a streamed tile: a small header (magic, format version, payload size, FNV-1a
// checksum of the payload) and the payload (features, mesh, report). Little-endian, this machine's
// float layout: the cache is per machine (it lives in the user's cache directory).
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <type_traits>

#include "stream_detail.h"

namespace parktwin::scene::stream_detail {
namespace {

constexpr char kMagic[8] = {'P', 'T', 'T', 'I', 'L', 'E', '0', '1'};
constexpr uint32_t kVersion = 2;  // 2: 20-byte building vertices (normals as snorm16)

uint64_t fnv1a(const char* p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<uint8_t>(p[i])) * 1099511628211ull;
  return h;
}

struct Writer {
  std::string buf;
  template <typename T>
  void pod(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    buf.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  template <typename T>
  void vec(const std::vector<T>& v) {
    pod(static_cast<uint64_t>(v.size()));
    buf.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void str(const std::string& s) {
    pod(static_cast<uint64_t>(s.size()));
    buf.append(s);
  }
};

struct Reader {
  const char* p;
  const char* end;
  bool ok = true;
  template <typename T>
  T pod() {
    T v{};
    if (static_cast<size_t>(end - p) < sizeof(T)) { ok = false; return v; }
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T);
    return v;
  }
  size_t count(size_t elem) {
    const uint64_t n = pod<uint64_t>();
    if (!ok || elem == 0 || n > static_cast<uint64_t>(end - p) / elem) { ok = false; return 0; }
    return static_cast<size_t>(n);
  }
  template <typename T>
  void vec(std::vector<T>& v) {
    const size_t n = count(sizeof(T));
    v.resize(n);
    if (n) std::memcpy(v.data(), p, n * sizeof(T));
    p += n * sizeof(T);
  }
  std::string str() {
    const size_t n = count(1);
    std::string s(p, n);
    p += n;
    return s;
  }
};

void write_ring(Writer& w, const gis::Ring& r) { w.vec(r); }

void write_feature(Writer& w, const gis::Feature& f) {
  w.pod(f.fid);
  w.pod(static_cast<uint8_t>(f.geom.kind));
  w.vec(f.geom.points);
  w.pod(static_cast<uint64_t>(f.geom.lines.size()));
  for (const auto& l : f.geom.lines) w.vec(l);
  w.pod(static_cast<uint64_t>(f.geom.polygons.size()));
  for (const auto& poly : f.geom.polygons) {
    write_ring(w, poly.outer);
    w.pod(static_cast<uint64_t>(poly.holes.size()));
    for (const auto& h : poly.holes) write_ring(w, h);
  }
  w.pod(static_cast<uint64_t>(f.attrs.size()));
  for (const gis::AttrValue& a : f.attrs) {
    w.pod(static_cast<uint8_t>(a.index()));
    if (const auto* i = std::get_if<int64_t>(&a)) w.pod(*i);
    else if (const auto* d = std::get_if<double>(&a)) w.pod(*d);
    else if (const auto* s = std::get_if<std::string>(&a)) w.str(*s);
  }
}

bool read_feature(Reader& r, gis::Feature& f) {
  f.fid = r.pod<int64_t>();
  f.geom.kind = static_cast<gis::GeomKind>(r.pod<uint8_t>());
  r.vec(f.geom.points);
  f.geom.lines.resize(r.count(8));
  for (auto& l : f.geom.lines) r.vec(l);
  f.geom.polygons.resize(r.count(8));
  for (auto& poly : f.geom.polygons) {
    r.vec(poly.outer);
    poly.holes.resize(r.count(8));
    for (auto& h : poly.holes) r.vec(h);
  }
  f.attrs.resize(r.count(1));
  for (gis::AttrValue& a : f.attrs) {
    switch (r.pod<uint8_t>()) {
      case 0: a = std::monostate{}; break;
      case 1: a = r.pod<int64_t>(); break;
      case 2: a = r.pod<double>(); break;
      case 3: a = r.str(); break;
      default: r.ok = false;
    }
  }
  return r.ok;
}

}  // namespace

bool write_tile(const std::string& path, const TileBatch& b) {
  Writer w;
  w.pod(b.key.x);
  w.pod(b.key.y);
  w.pod(static_cast<uint64_t>(b.features.size()));
  for (const gis::Feature& f : b.features) write_feature(w, f);
  const BuildingChunk& c = b.chunk;
  w.pod(c.mesh.origin);
  w.vec(c.mesh.vertices);
  w.vec(c.mesh.indices);
  w.vec(c.mesh.edge_indices);
  w.pod(c.bmin);
  w.pod(c.bmax);
  w.pod(c.max_height);
  w.vec(b.extruded);
  w.vec(b.seen);
  const gis::LoadReport& rep = b.report;
  w.pod(rep.read);
  w.pod(rep.kept);
  w.pod(rep.repaired);
  w.pod(static_cast<uint8_t>(rep.damaged));
  w.pod(static_cast<uint64_t>(rep.skipped.size()));
  for (const auto& [reason, n] : rep.skipped) w.str(reason), w.pod(n);
  w.pod(static_cast<uint64_t>(rep.messages.size()));
  for (const std::string& m : rep.messages) w.str(m);

  const std::string tmp = path + ".tmp" + std::to_string(reinterpret_cast<uintptr_t>(&b));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    const uint64_t size = w.buf.size(), sum = fnv1a(w.buf.data(), w.buf.size());
    out.write(kMagic, sizeof(kMagic));
    out.write(reinterpret_cast<const char*>(&kVersion), sizeof(kVersion));
    out.write(reinterpret_cast<const char*>(&size), sizeof(size));
    out.write(reinterpret_cast<const char*>(&sum), sizeof(sum));
    out.write(w.buf.data(), static_cast<std::streamsize>(w.buf.size()));
    if (!out.flush()) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
  return !ec;
}

std::optional<TileBatch> read_tile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  char magic[8];
  uint32_t version = 0;
  uint64_t size = 0, sum = 0;
  in.read(magic, sizeof(magic));
  in.read(reinterpret_cast<char*>(&version), sizeof(version));
  in.read(reinterpret_cast<char*>(&size), sizeof(size));
  in.read(reinterpret_cast<char*>(&sum), sizeof(sum));
  if (!in || std::memcmp(magic, kMagic, sizeof(kMagic)) != 0 || version != kVersion || size > (uint64_t(1) << 34))
    return std::nullopt;
  std::string buf(static_cast<size_t>(size), '\0');
  in.read(buf.data(), static_cast<std::streamsize>(size));
  if (!in || fnv1a(buf.data(), buf.size()) != sum) return std::nullopt;

  Reader r{buf.data(), buf.data() + buf.size()};
  TileBatch b;
  b.from_cache = true;
  b.key.x = r.pod<int64_t>();
  b.key.y = r.pod<int64_t>();
  b.features.resize(r.count(8));
  for (gis::Feature& f : b.features)
    if (!read_feature(r, f)) return std::nullopt;
  BuildingChunk& c = b.chunk;
  c.tile = b.key;
  c.mesh.origin = r.pod<glm::dvec2>();
  r.vec(c.mesh.vertices);
  r.vec(c.mesh.indices);
  r.vec(c.mesh.edge_indices);
  c.bmin = r.pod<glm::dvec2>();
  c.bmax = r.pod<glm::dvec2>();
  c.max_height = r.pod<double>();
  r.vec(b.extruded);
  r.vec(b.seen);
  gis::LoadReport& rep = b.report;
  rep.read = r.pod<int64_t>();
  rep.kept = r.pod<int64_t>();
  rep.repaired = r.pod<int64_t>();
  rep.damaged = r.pod<uint8_t>() != 0;
  for (size_t i = 0, n = r.count(9); i < n && r.ok; ++i) {
    std::string reason = r.str();
    rep.skipped[reason] = r.pod<int64_t>();
  }
  rep.messages.resize(r.count(8));
  for (std::string& m : rep.messages) m = r.str();
  if (!r.ok || r.p != r.end || b.extruded.size() != b.features.size()) return std::nullopt;
  for (const gis::BuildingVertex& v : c.mesh.vertices)
    if (v.building >= b.features.size()) return std::nullopt;
  for (uint32_t i : c.mesh.indices)
    if (i >= c.mesh.vertices.size()) return std::nullopt;
  for (uint32_t i : c.mesh.edge_indices)
    if (i >= c.mesh.vertices.size()) return std::nullopt;
  return b;
}

}  // namespace parktwin::scene::stream_detail
