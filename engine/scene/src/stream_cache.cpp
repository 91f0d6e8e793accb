// A streamed layer's tile cache: where it lives, and its manifest (the tiles' own files: tile_cache.cpp).
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "stream_impl.h"

namespace parktwin::scene {
namespace stream_detail {
namespace {

constexpr const char* kManifestMagic = "parktwin-tile-cache 3";

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  return h;
}

void write_text(std::ostream& out, const std::string& s) { out << s.size() << ' ' << s << '\n'; }

bool read_text(std::istream& in, std::string& s) {
  size_t n = 0;
  if (!(in >> n) || n > (1u << 20) || in.get() != ' ') return false;
  s.resize(n);
  return static_cast<bool>(in.read(s.data(), static_cast<std::streamsize>(n)));
}

}  // namespace

std::string tile_file(const std::string& dir, TileKey k, uint32_t part) {
  if (k == kRestKey) return dir + "/rest.tile";
  // Appended (GCC 12 warns falsely of -Wrestrict in operator+(const char*, string&&) inlined here).
  std::string name = dir + "/" + std::to_string(k.x) + "_" + std::to_string(k.y);
  if (part) name.append(".").append(std::to_string(part));
  return name.append(".tile");
}

std::string cache_dir_for(const std::string& root, const std::string& path, const std::string& layer,
                          const std::string& frame_def, const LoadOptions& o, const StreamOptions& so) {
  if (root.empty()) return {};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  std::error_code ec;
  const std::string abs = std::filesystem::absolute(path, ec).string();
  std::ostringstream key;
  key << abs << '\n' << st.st_size << '\n' << st.st_mtim.tv_sec << '.' << st.st_mtim.tv_nsec << '\n' << layer << '\n'
      << frame_def << '\n' << o.read.declared_crs.value_or("") << '\n' << o.read.override_crs << '\n'
      << o.read.repair_invalid << '\n' << o.read.max_distance_m << '\n' << o.height_attribute << '\n' << kTileSize
      << '\n' << sizeof(gis::BuildingVertex) << '\n' << so.one_pass_first << ' ' << so.one_pass_batch;
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(fnv1a(key.str())));
  return root + "/" + hex;
}

void write_cache_manifest(std::ostream& out, const LayerStream::CachedLayerInfo& c, const std::vector<ManifestEntry>& tiles) {
  out.precision(17);
  out << kManifestMagic << '\n';
  write_text(out, c.schema.source);
  write_text(out, c.schema.name);
  write_text(out, c.schema.crs);
  out << c.schema.fields.size() << '\n';
  for (size_t i = 0; i < c.schema.fields.size(); ++i) {
    out << static_cast<int>(i < c.schema.field_types.size() ? c.schema.field_types[i] : gis::FieldType::String) << ' ';
    write_text(out, c.schema.fields[i]);
  }
  out << c.declared << ' ' << c.source_layers << ' ' << c.indexed << ' ' << (c.extent ? 1 : 0) << '\n';
  if (c.extent) out << c.extent->first.x << ' ' << c.extent->first.y << ' ' << c.extent->second.x << ' ' << c.extent->second.y << '\n';
  out << tiles.size() << '\n';
  for (const ManifestEntry& e : tiles) out << e.key.x << ' ' << e.key.y << ' ' << e.features << ' ' << e.part << '\n';
}

std::optional<LayerStream::CachedLayerInfo> read_cache_manifest(const std::string& dir) {
  if (dir.empty()) return std::nullopt;
  std::ifstream in(dir + "/manifest");
  std::string magic;
  if (!in || !std::getline(in, magic) || magic != kManifestMagic) return std::nullopt;
  LayerStream::CachedLayerInfo c;
  size_t nf = 0;
  if (!read_text(in, c.schema.source) || !read_text(in, c.schema.name) || !read_text(in, c.schema.crs) || !(in >> nf) ||
      nf > 10000)
    return std::nullopt;
  for (size_t i = 0; i < nf; ++i) {
    int t = 0;
    std::string name;
    if (!(in >> t) || in.get() != ' ' || t < 0 || t > 2 || !read_text(in, name)) return std::nullopt;
    c.schema.field_types.push_back(static_cast<gis::FieldType>(t));
    c.schema.fields.push_back(std::move(name));
  }
  int has_extent = 0;
  if (!(in >> c.declared >> c.source_layers >> c.indexed >> has_extent)) return std::nullopt;
  if (has_extent) {
    glm::dvec2 lo, hi;
    if (!(in >> lo.x >> lo.y >> hi.x >> hi.y)) return std::nullopt;
    c.extent = std::make_pair(lo, hi);
  }
  size_t n = 0;
  if (!(in >> n) || n > 10'000'000) return std::nullopt;
  c.tiles.resize(n);
  for (auto& [k, part] : c.tiles) {
    int64_t count = 0;
    if (!(in >> k.x >> k.y >> count >> part)) return std::nullopt;
  }
  return c;
}

}  // namespace stream_detail

std::string default_tile_cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/parktwin/tiles";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/parktwin/tiles";
  return {};
}

}  // namespace parktwin::scene
