// The edit journal (journal.h).
#include "parktwin/edit/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

namespace parktwin::edit {
namespace {

using gis::Failure;
using nlohmann::json;
constexpr const char* kFormat = "parktwin.edit-journal/1";

json attr_json(const gis::AttrValue& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}
gis::AttrValue attr_from(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return v.get<std::string>();
  return {};
}

json ring_json(const gis::Ring& r) {
  json a = json::array();
  for (auto p : r) a.push_back(json::array({p.x, p.y}));
  return a;
}
gis::Ring ring_from(const json& a) {
  gis::Ring r;
  for (const auto& p : a) r.emplace_back(p.at(0).get<double>(), p.at(1).get<double>());
  return r;
}

json state_json(const FeatureState& s) {
  json o;
  o["fid"] = s.fid;
  o["exists"] = s.exists;
  if (!s.exists) return o;
  json polys = json::array();
  for (const auto& p : s.feature.geom.polygons) {
    json rings = json::array({ring_json(p.outer)});
    for (const auto& h : p.holes) rings.push_back(ring_json(h));
    polys.push_back(rings);
  }
  o["polygons"] = polys;
  json attrs = json::array();
  for (const auto& a : s.feature.attrs) attrs.push_back(attr_json(a));
  o["attrs"] = attrs;
  return o;
}

FeatureState state_from(const json& o) {
  FeatureState s;
  s.fid = o.at("fid").get<int64_t>();
  s.exists = o.at("exists").get<bool>();
  s.feature.fid = s.fid;
  s.feature.geom.kind = gis::GeomKind::Polygon;
  if (!s.exists) return s;
  for (const auto& rings : o.at("polygons")) {
    gis::Polygon p;
    for (size_t i = 0; i < rings.size(); ++i) {
      if (i == 0) p.outer = ring_from(rings[i]);
      else p.holes.push_back(ring_from(rings[i]));
    }
    s.feature.geom.polygons.push_back(std::move(p));
  }
  for (const auto& a : o.at("attrs")) s.feature.attrs.push_back(attr_from(a));
  return s;
}

Failure io_fail(const std::string& what, const std::string& path) {
  return Failure(Failure::ResourceUnavailable, what + " " + path + ": " + std::strerror(errno));
}

bool write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string header_line(const std::string& source) {
  json h;
  h["format"] = kFormat;
  h["source"] = Journal::source_name(source);
  return h.dump() + "\n";
}

}  // namespace

Journal::Journal(std::string path, std::string source, int fd, uint64_t seq)
    : path_(std::move(path)), source_(std::move(source)), fd_(fd), seq_(seq) {}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

std::string Journal::source_name(const std::string& source) {
  std::string out = source;
  std::string lower = source;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // key=value connection strings (PG:... password=x) and URLs (postgresql://user:x@host).
  for (size_t at = lower.find("password="); at != std::string::npos; at = lower.find("password=", at + 1)) {
    const size_t from = at + 9;
    size_t end = from;
    if (end < out.size() && (out[end] == '\'' || out[end] == '"')) {
      const char q = out[end];
      end = out.find(q, end + 1);
      end = end == std::string::npos ? out.size() : end + 1;
    } else {
      end = out.find_first_of(" \t&;", from);
      if (end == std::string::npos) end = out.size();
    }
    out.replace(from, end - from, "***");
    lower.replace(from, end - from, "***");
  }
  const size_t scheme = lower.find("://");
  const size_t at_sign = scheme == std::string::npos ? std::string::npos : out.find('@', scheme + 3);
  if (at_sign != std::string::npos) {
    const size_t colon = out.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at_sign) out.replace(colon + 1, at_sign - colon - 1, "***");
  }
  return out;
}

std::string Journal::default_path(const std::string& source) {
  const bool database = source.rfind("PG:", 0) == 0 || source.rfind("pg:", 0) == 0;
  if (!database) return source + ".ptjournal";
  std::string base;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) base = x;
  else if (const char* h = std::getenv("HOME"); h && *h) base = std::string(h) + "/.local/state";
  else base = "/tmp";
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016zx", std::hash<std::string>{}(source));
  return base + "/parktwin/journals/" + hex + ".ptjournal";
}

Result<JournalContents> Journal::read(const std::string& path) {
  JournalContents out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;  // no journal: nothing to replay
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    const bool complete = !in.eof();  // the last line without '\n' was torn
    if (line.empty()) continue;
    json j;
    try {
      j = json::parse(line);
    } catch (const std::exception&) {
      if (first) return Failure(Failure::InvalidData, path + " is not an edit journal (its first line is not JSON)");
      ++out.torn_lines;
      continue;
    }
    if (first) {
      if (!j.is_object() || j.value("format", "") != kFormat)
        return Failure(Failure::InvalidData, path + " is not an edit journal of this version (" + kFormat + ")");
      out.source = j.value("source", "");
      first = false;
      continue;
    }
    if (!complete) {
      ++out.torn_lines;
      continue;
    }
    try {
      JournalEntry e;
      e.seq = j.at("seq").get<uint64_t>();
      e.what = j.value("what", "");
      for (const auto& c : j.at("changes")) {
        JournalEntry::Change ch;
        ch.layer = c.at("layer").get<std::string>();
        ch.fields = c.at("fields").get<std::vector<std::string>>();
        for (const auto& s : c.at("states")) ch.states.push_back(state_from(s));
        e.changes.push_back(std::move(ch));
      }
      out.entries.push_back(std::move(e));
    } catch (const std::exception&) {
      ++out.torn_lines;
    }
  }
  return out;
}

Result<std::unique_ptr<Journal>> Journal::open(const std::string& path, const std::string& source) {
  std::error_code ec;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty() && !std::filesystem::exists(dir, ec)) {
    // A folder made for journals is the planner's own: it names their databases.
    std::filesystem::create_directories(dir, ec);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  auto existing = read(path);
  if (!existing) return existing.error();
  if (!existing->source.empty() && existing->source != source_name(source))
    return Failure(Failure::ConfigurationError, path + " is the edit journal of " + existing->source + ", not of " +
                                                    source_name(source) + "; move it away or give another --journal");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return io_fail("cannot open the edit journal", path);
  // One writer at a time: another viewer or `parktwin edit` on the same source holds it (the
  // kernel lets go when that process ends, however it ends).
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Failure(Failure::ResourceUnavailable,
                   "the edit journal " + path + " is in use by another ParkTwin process editing " +
                       source_name(source) + "; close it first, or edit a copy");
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size == 0) {
    if (!write_all(fd, header_line(source)) || ::fdatasync(fd) != 0) {
      ::close(fd);
      return io_fail("cannot write the edit journal", path);
    }
    // The new file's name must survive a crash too.
    const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
  const uint64_t seq = existing->entries.empty() ? 0 : existing->entries.back().seq;
  return std::unique_ptr<Journal>(new Journal(path, source, fd, seq));
}

Result<uint64_t> Journal::append(const std::string& what, const std::vector<EditSession::StepChange>& changes,
                                 const EditSession& s) {
  json e;
  e["seq"] = seq_ + 1;
  e["what"] = what;
  json cs = json::array();
  for (const auto& c : changes) {
    json o;
    o["layer"] = c.layer;
    const int li = s.layer_index(c.layer);
    o["fields"] = li >= 0 ? s.layers()[li]->fields : std::vector<std::string>{};
    json states = json::array();
    for (const auto& st : c.after) states.push_back(state_json(st));
    o["states"] = states;
    cs.push_back(o);
  }
  e["changes"] = cs;
  const std::string line = e.dump() + "\n";
  if (!write_all(fd_, line) || ::fdatasync(fd_) != 0) {
    error_ = std::string("the edit journal ") + path_ + " could not be written (" + std::strerror(errno) +
             "): edits from now on are not safe from a crash; free space and save";
    return Failure(Failure::ResourceUnavailable, error_);
  }
  return ++seq_;
}

void Journal::attach(EditSession& s) {
  s.set_observer([this, &s](const std::string& what, const std::vector<EditSession::StepChange>& changes) {
    (void)append(what, changes, s);
  });
}

Result<bool> Journal::clear() {
  if (::ftruncate(fd_, 0) != 0) return io_fail("cannot empty the edit journal", path_);
  if (!write_all(fd_, header_line(source_)) || ::fdatasync(fd_) != 0) return io_fail("cannot write the edit journal", path_);
  seq_ = 0;
  error_.clear();
  return true;
}

size_t Journal::replay(EditSession& s, const JournalContents& j) {
  for (const auto& e : j.entries)
    for (const auto& c : e.changes) {
      const int li = s.layer_index(c.layer);
      if (li < 0) continue;
      const gis::LayerData& d = *s.layers()[li];
      std::vector<FeatureState> states = c.states;
      for (auto& st : states) {
        if (!st.exists) continue;
        // Attributes by field name: the layer may have gained a field (pt_version) since.
        std::vector<gis::AttrValue> attrs(d.fields.size());
        for (size_t k = 0; k < c.fields.size() && k < st.feature.attrs.size(); ++k) {
          const int f = d.field(c.fields[k]);
          if (f >= 0) attrs[f] = st.feature.attrs[k];
        }
        st.feature.attrs = std::move(attrs);
      }
      s.restore(c.layer, states);
    }
  return j.entries.size();
}

}  // namespace parktwin::edit
