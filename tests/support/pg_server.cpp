// A private PostgreSQL + PostGIS server for tests: see pg_server.h.
#include "pg_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>

#include <cpl_error.h>
#include <gdal_priv.h>
#include <gdal_utils.h>

extern char** environ;

namespace parktwin::testing {
namespace {

namespace fs = std::filesystem;
using gis::Failure;

constexpr const char* kPackages = "postgresql-15 and postgresql-15-postgis-3";
constexpr const char* kUser = "pt";

bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

std::string tail(const std::string& text, size_t n = 1500) {
  return text.size() > n ? "..." + text.substr(text.size() - n) : text;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

struct Ran {
  int status = -1;     // exit status, -1 when it could not run or was killed
  std::string output;  // stdout and stderr together
};

// Runs argv in `cwd` (the postgres user may not enter the caller's folder), output to `out_file`.
Ran run(const std::vector<std::string>& args, const std::string& cwd, const std::string& out_file) {
  Ran r;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    r.output = std::string("cannot run ") + args[0] + ": " + std::strerror(rc);
    return r;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.output = read_text(out_file);
  return r;
}

std::string join_args(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

}  // namespace

gis::Result<std::unique_ptr<PgServer>> PgServer::start(const std::string& dbname) {
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<PgServer> s(new PgServer());
  const char* bin_env = std::getenv("PARKTWIN_PG_BIN");
  s->bin_ = bin_env != nullptr && *bin_env != '\0' ? bin_env : "/usr/lib/postgresql/15/bin";
  for (const char* tool : {"initdb", "pg_ctl", "postgres", "psql"})
    if (!executable(s->bin_ + "/" + tool))
      return Failure(Failure::ResourceUnavailable, "PostgreSQL is not installed: " + s->bin_ + "/" + tool +
                                                       " is missing; install the Debian packages " + kPackages +
                                                       " (tools/setup-debian.sh installs them)");
  if (!fs::exists("/usr/share/postgresql/15/extension/postgis.control") && bin_env == nullptr)
    return Failure(Failure::ResourceUnavailable,
                   std::string("PostGIS is not installed for PostgreSQL 15 (no postgis.control); install the Debian "
                               "package postgresql-15-postgis-3 (tools/setup-debian.sh installs it)"));
  s->psql_ = s->bin_ + "/psql";
  s->dbname_ = dbname;

  char tmpl[] = "/tmp/parktwin-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr)
    return Failure(Failure::ResourceUnavailable, std::string("cannot create a temporary folder: ") + std::strerror(errno));
  s->dir_ = tmpl;

  std::vector<std::string> prefix;
  if (::geteuid() == 0) {
    // initdb and the server refuse root: run them as the postgres user, owner of the folder.
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr)
      return Failure(Failure::ResourceUnavailable,
                     std::string("running as root, the server must run as the user 'postgres', which does not exist; "
                                 "install the Debian packages ") + kPackages);
    if (::chown(s->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
      return Failure(Failure::ResourceUnavailable, "cannot give " + s->dir_ + " to the postgres user: " + std::strerror(errno));
    std::string runuser;
    for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"})
      if (executable(p)) runuser = p;
    if (runuser.empty())
      return Failure(Failure::ResourceUnavailable, "running as root, runuser is needed to start PostgreSQL as the "
                                                   "postgres user; install the Debian package util-linux");
    prefix = {runuser, "-u", "postgres", "--"};
  }
  s->prefix_ = prefix;
  auto with_prefix = [&](std::vector<std::string> args) {
    args.insert(args.begin(), prefix.begin(), prefix.end());
    return args;
  };

  const std::string data = s->dir_ + "/data";
  const auto init = with_prefix({s->bin_ + "/initdb", "-D", data, "-A", "trust", "-U", kUser, "-E", "UTF8",
                                 "--locale=C", "--no-sync"});
  const Ran ran_init = run(init, s->dir_, s->dir_ + "/initdb.out");
  if (ran_init.status != 0)
    return Failure(Failure::GeneralError, "initdb failed (" + join_args(init) + "): " + tail(ran_init.output));

  // A port found free may be taken before the server binds it: try a few.
  std::string why;
  for (int attempt = 0; attempt < 4 && !s->running_; ++attempt) {
    s->port_ = free_port();
    const std::string server_options = "-p " + std::to_string(s->port_) + " -k " + s->dir_ +
                                       " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                                       "-c full_page_writes=off";
    const auto ctl = with_prefix({s->bin_ + "/pg_ctl", "-D", data, "-l", s->dir_ + "/server.log", "-w", "-t", "60",
                                  "-o", server_options, "start"});
    const Ran r = run(ctl, s->dir_, s->dir_ + "/pg_ctl.out");
    if (r.status == 0) s->running_ = true;
    else why = r.output + "\nserver log:\n" + tail(read_text(s->dir_ + "/server.log"));
  }
  if (!s->running_) return Failure(Failure::GeneralError, "the PostgreSQL server did not start: " + tail(why, 3000));

  const std::string create_db = "CREATE DATABASE " + dbname;
  s->dbname_ = "postgres";
  if (auto r = s->execute(create_db); !r) return r.error();
  s->dbname_ = dbname;
  if (auto r = s->execute("CREATE EXTENSION postgis"); !r)
    return Failure(Failure::ResourceUnavailable, "CREATE EXTENSION postgis failed: " + r.error().message +
                                                     "; install the Debian package postgresql-15-postgis-3");
  s->startup_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

std::string PgServer::connection() const {
  return "PG:host=127.0.0.1 port=" + std::to_string(port_) + " user=" + kUser + " dbname=" + dbname_;
}

gis::Result<std::string> PgServer::query(const std::string& sql) const {
  const std::vector<std::string> args{psql_, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                                      "-p", std::to_string(port_), "-U", kUser, "-d", dbname_, "-c", sql};
  static std::mutex m;  // one output file per server; tests may query from several threads
  std::lock_guard<std::mutex> lock(m);
  const Ran r = run(args, dir_, dir_ + "/psql.out");
  if (r.status != 0) return Failure(Failure::GeneralError, "psql failed on \"" + sql + "\": " + tail(r.output));
  std::string out = r.output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

gis::Result<bool> PgServer::execute(const std::string& sql) const {
  auto r = query(sql);
  if (!r) return r.error();
  return true;
}

gis::Result<bool> PgServer::load(const std::string& path, const std::vector<std::string>& layers) const {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
  CPLErrorReset();
  GDALDatasetUniquePtr src(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
  if (!src) return Failure(Failure::ResourceUnavailable, "cannot open " + path + ": " + CPLGetLastErrorMsg());
  std::vector<std::string> args{"-f", "PostgreSQL", "-preserve_fid", "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=fid"};
  args.insert(args.end(), layers.begin(), layers.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  GDALVectorTranslateOptions* opt = GDALVectorTranslateOptionsNew(argv.data(), nullptr);
  GDALDatasetH src_h = GDALDataset::ToHandle(src.get());
  int usage_error = FALSE;
  const std::string dest = connection();
  GDALDatasetH out = GDALVectorTranslate(dest.c_str(), nullptr, 1, &src_h, opt, &usage_error);
  GDALVectorTranslateOptionsFree(opt);
  if (out == nullptr) return Failure(Failure::GeneralError, "loading " + path + " into PostGIS failed: " + CPLGetLastErrorMsg());
  GDALClose(out);
  for (const std::string& layer : layers)
    if (auto r = execute("SELECT setval(pg_get_serial_sequence('\"" + layer + "\"', 'fid'), max(fid)) FROM \"" + layer + "\"");
        !r)
      return r.error();
  return true;
}

void PgServer::stop() {
  if (!running_) return;
  auto ctl = [&](const char* mode) {
    std::vector<std::string> args = prefix_;
    for (const std::string& a : {bin_ + "/pg_ctl", std::string("-D"), dir_ + "/data", std::string("-m"),
                                 std::string(mode), std::string("-w"), std::string("-t"), std::string("30"),
                                 std::string("stop")})
      args.push_back(a);
    return run(args, dir_, dir_ + "/stop.out").status == 0;
  };
  if (!ctl("fast")) ctl("immediate");  // "fast" did not finish: stop it hard
  running_ = false;
}

PgServer::~PgServer() {
  stop();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

}  // namespace parktwin::testing
