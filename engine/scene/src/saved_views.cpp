#include "parktwin/scene/saved_views.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "text_file.h"

namespace parktwin::scene {

using nlohmann::ordered_json;
using gis::Failure;
namespace fs = std::filesystem;

namespace {

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

std::string sys_error(int err) { return std::strerror(err); }

/// Writes all of `data` to `fd`; false with errno set on failure.
bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

/// UTC time for file names: 20261130-114500.
std::string stamp_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

}  // namespace

bool operator==(const SavedView& a, const SavedView& b) { return a.id == b.id && a.state == b.state; }

std::string default_views_path() {
  fs::path dir;
  if (const char* s = std::getenv("XDG_CONFIG_HOME"); s && *s) dir = fs::path(s) / "parktwin";
  else if (const char* h = std::getenv("HOME"); h && *h) dir = fs::path(h) / ".config/parktwin";
  else dir = fs::temp_directory_path() / "parktwin";
  return (dir / "views.json").string();
}

std::string shipped_views_path() { return default_asset_dir() + "/views/default.json"; }

std::string views_to_json(const std::vector<SavedView>& views) {
  ordered_json j;
  j["version"] = kSavedViewsVersion;
  j["views"] = ordered_json::array();
  for (const SavedView& v : views) {
    ordered_json e;
    e["id"] = v.id;
    e["state"] = ordered_json::parse(to_json(v.state));
    j["views"].push_back(std::move(e));
  }
  return j.dump(2) + "\n";
}

gis::Result<std::vector<SavedView>> views_from_json(std::string_view text) {
  ordered_json j;
  try {
    j = ordered_json::parse(text.begin(), text.end());
  } catch (const ordered_json::parse_error& e) {
    return Failure(Failure::InvalidData, std::string("not JSON: ") + e.what());
  } catch (const ordered_json::exception& e) {
    // Valid JSON that no double holds (1e999) throws out_of_range, not parse_error.
    return Failure(Failure::InvalidData, std::string("a number is out of range: ") + e.what());
  }
  if (!j.is_object()) return Failure(Failure::InvalidData, "not a JSON object");
  const auto ver = j.find("version");
  if (ver == j.end() || !ver->is_string())
    return Failure(Failure::InvalidData, std::string("no \"version\" (want \"") + kSavedViewsVersion + "\")");
  if (ver->get<std::string>() != kSavedViewsVersion)
    return Failure(Failure::InvalidData, "version \"" + ver->get<std::string>() + "\" is not \"" + kSavedViewsVersion +
                                             "\" (written by another ParkTwin version)");
  const auto list = j.find("views");
  if (list == j.end() || !list->is_array()) return Failure(Failure::InvalidData, "field views wants an array");
  std::vector<SavedView> out;
  std::set<std::string> ids;
  for (size_t i = 0; i < list->size(); ++i) {
    const ordered_json& e = (*list)[i];
    const std::string where = "views[" + std::to_string(i) + "]";
    if (!e.is_object()) return Failure(Failure::InvalidData, where + " wants an object");
    const auto id = e.find("id");
    if (id == e.end() || !id->is_string() || !valid_id(id->get<std::string>()))
      return Failure(Failure::InvalidData, where + ".id wants a string of a-z, 0-9, _ and - (1 to 64 characters)");
    if (!ids.insert(id->get<std::string>()).second)
      return Failure(Failure::InvalidData, where + ".id '" + id->get<std::string>() + "' is used twice");
    const auto st = e.find("state");
    if (st == e.end() || !st->is_object()) return Failure(Failure::InvalidData, where + ".state wants an object");
    auto state = from_json(st->dump());
    if (!state) return Failure(Failure::InvalidData, where + ".state: " + state.error().message);
    out.push_back({id->get<std::string>(), std::move(*state)});
  }
  return out;
}

gis::Result<std::vector<SavedView>> read_views(const std::string& path) {
  auto text = read_text_file(path, "saved views");
  if (!text) return text.error();
  auto v = views_from_json(*text);
  if (!v) return Failure(v.error().kind, path + ": " + v.error().message);
  return v;
}

gis::Result<bool> write_views_atomic(const std::vector<SavedView>& views, const std::string& path) {
  const std::string data = views_to_json(views);
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string tmp = path + ".tmp";
  auto fail = [&](const std::string& step, int err) -> gis::Result<bool> {
    ::unlink(tmp.c_str());
    return Failure(Failure::ResourceUnavailable, "cannot save the views to " + path + " (" + step + ": " +
                                                     sys_error(err) + "); the file there is unchanged");
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    // The temporary file is not ours to remove when it could not be opened (it may be a directory).
    return Failure(Failure::ResourceUnavailable, "cannot save the views to " + path + " (creating " + tmp + ": " +
                                                     sys_error(err) + "); the file there is unchanged");
  }
  if (!write_all(fd, data)) {
    const int err = errno;
    ::close(fd);
    return fail("writing " + tmp, err);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return fail("fsync " + tmp, err);
  }
  if (::close(fd) != 0) return fail("closing " + tmp, errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("renaming " + tmp, errno);
  // The rename itself reaches the disk with the directory.
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

ViewStore ViewStore::open(const std::string& user_path, const std::string& defaults_path,
                          std::vector<std::string>& messages) {
  ViewStore s;
  s.path_ = user_path;
  std::error_code ec;
  const bool exists = fs::exists(user_path, ec);
  if (exists) {
    auto v = read_views(user_path);
    if (v) {
      s.views_ = std::move(*v);
      return s;
    }
    // Keep the user's file as it is under another name: it may hold views worth recovering by hand.
    std::string aside = user_path + ".bad-" + stamp_now();
    for (int n = 2; fs::exists(aside, ec); ++n) aside = user_path + ".bad-" + stamp_now() + "-" + std::to_string(n);
    std::string what = "saved views: " + v.error().message + ". ";
    if (::rename(user_path.c_str(), aside.c_str()) == 0) {
      what += "The file was kept as " + aside + " and the shipped views are shown; views saved now go to a new " +
              user_path + ". To use the old list, repair " + aside + " and copy it back to " + user_path +
              " while ParkTwin is closed.";
    } else {
      const std::string why = sys_error(errno);
      s.read_only_ = true;
      s.read_only_why_ = user_path + " could not be read and could not be moved aside (" + why +
                         "), so it is left as it is";
      what += "It could not be moved aside (" + why +
              "), so it is left untouched and views saved in this session are kept only until ParkTwin closes. "
              "Repair or remove " + user_path + " to save views again.";
    }
    messages.push_back(what);
  }
  auto d = read_views(defaults_path);
  if (d) {
    s.views_ = std::move(*d);
    s.from_defaults_ = true;
  } else {
    messages.push_back("saved views: no shipped views (" + d.error().message +
                       "); the list starts empty. Set PARKTWIN_ASSETS to the folder holding views/default.json.");
  }
  return s;
}

std::string ViewStore::thumbnail_path(const SavedView& view) const {
  return (fs::path(path_).parent_path() / "thumbs" / (view.id + ".png")).string();
}

std::string ViewStore::unique_name(const std::string& wanted, int except) const {
  auto taken = [&](const std::string& n) {
    for (size_t i = 0; i < views_.size(); ++i)
      if (static_cast<int>(i) != except && views_[i].state.name == n) return true;
    return false;
  };
  if (!taken(wanted)) return wanted;
  for (int n = 2;; ++n)
    if (const std::string c = wanted + " (" + std::to_string(n) + ")"; !taken(c)) return c;
}

std::string ViewStore::suggested_name() const {
  for (size_t n = views_.size() + 1;; ++n) {
    const std::string c = "视图 " + std::to_string(n);
    if (unique_name(c) == c) return c;
  }
}

std::string ViewStore::new_id() const {
  // Milliseconds since 1970 in base 36: short, sortable, and unique in practice; a clash adds a suffix.
  auto ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::string id;
  do {
    id.insert(id.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[ms % 36]);
    ms /= 36;
  } while (ms);
  id = "v" + id;
  auto used = [&](const std::string& c) {
    for (const SavedView& v : views_)
      if (v.id == c) return true;
    return false;
  };
  if (!used(id)) return id;
  for (int n = 2;; ++n)
    if (const std::string c = id + "-" + std::to_string(n); !used(c)) return c;
}

gis::Result<bool> ViewStore::save() {
  if (read_only_) return Failure(Failure::ResourceUnavailable, "views not saved: " + read_only_why_);
  auto r = write_views_atomic(views_, path_);
  if (r) from_defaults_ = false;
  return r;
}

gis::Result<int> ViewStore::add(ViewState state) {
  const std::string wanted = state.name.empty() ? suggested_name() : state.name;
  state.name = unique_name(wanted);
  SavedView v{new_id(), std::move(state)};
  views_.push_back(std::move(v));
  const int index = static_cast<int>(views_.size()) - 1;
  if (auto w = save(); !w) return w.error();
  return index;
}

gis::Result<bool> ViewStore::rename(int index, const std::string& name) {
  if (!valid(index)) return Failure(Failure::ConfigurationError, "no saved view " + std::to_string(index + 1));
  if (name.empty()) return Failure(Failure::ConfigurationError, "a view needs a name");
  views_[static_cast<size_t>(index)].state.name = unique_name(name, index);
  return save();
}

gis::Result<bool> ViewStore::remove(int index) {
  if (!valid(index)) return Failure(Failure::ConfigurationError, "no saved view " + std::to_string(index + 1));
  std::error_code ec;
  fs::remove(thumbnail_path(views_[static_cast<size_t>(index)]), ec);
  views_.erase(views_.begin() + index);
  return save();
}

gis::Result<bool> ViewStore::move(int index, int delta) {
  if (!valid(index)) return Failure(Failure::ConfigurationError, "no saved view " + std::to_string(index + 1));
  const int to = std::clamp(index + delta, 0, static_cast<int>(views_.size()) - 1);
  if (to == index) return true;
  SavedView v = std::move(views_[static_cast<size_t>(index)]);
  views_.erase(views_.begin() + index);
  views_.insert(views_.begin() + to, std::move(v));
  return save();
}

gis::Result<bool> ViewStore::overwrite(int index, ViewState state) {
  if (!valid(index)) return Failure(Failure::ConfigurationError, "no saved view " + std::to_string(index + 1));
  SavedView& v = views_[static_cast<size_t>(index)];
  state.name = v.state.name;
  v.state = std::move(state);
  return save();
}

}  // namespace parktwin::scene
