// Security settings of an MQTT client: see mqtt_client.h.
//
// Why the files are checked here although libmosquitto checks them again: open_source() runs when
// the URL is given (command line, Feed panel), so a typo is reported there with the option's name,
// instead of as a reconnect loop with a library error code.
#include "mqtt_client.h"

#include <fcntl.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "parktwin/live/publisher.h"

namespace parktwin::live {
namespace {

using gis::Failure;

/// An open file descriptor, closed on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

/// Opens `path` for reading; fails naming `what`, the option it came from and `fix`.
gis::Result<bool> open_regular(const std::string& path, const std::string& what, const std::string& fix, Fd& fd,
                               struct stat& st) {
  fd.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd.fd < 0)
    return Failure{Failure::ResourceUnavailable, "cannot read " + what + " '" + path + "': " + std::strerror(errno) + "; " + fix};
  if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode))
    return Failure{Failure::ResourceUnavailable, what + " '" + path + "' is not a regular file; " + fix};
  return true;
}

gis::Result<bool> readable(const std::string& path, const std::string& what, const std::string& fix) {
  Fd fd;
  struct stat st {};
  return open_regular(path, what, fix, fd, st);
}

/// libmosquitto would otherwise let OpenSSL ask for an encrypted key's passphrase on the terminal,
/// which a viewer has no one to answer: refuse encrypted keys instead (the connect fails with TLS).
int no_key_passphrase(char*, int, int, void*) { return 0; }

std::string user_text(const MqttSecurity& sec) {
  return "user '" + sec.user + "'" + (sec.credentials_from.empty() ? "" : " (from " + sec.credentials_from + ")");
}

}  // namespace

gis::Result<MqttCredentials> read_credentials_file(const std::string& path) {
  const std::string what = "the MQTT credentials file";
  const std::string fix = "it holds one line user:password; create it with chmod 600 so only you can read it";
  Fd fd;
  struct stat st {};
  if (auto ok = open_regular(path, what, fix, fd, st); !ok) return ok.error();
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Failure{Failure::ConfigurationError, what + " '" + path + "' is accessible to group or others (mode " + mode +
                   "): anyone on this machine could read the password. Run: chmod 600 '" + path + "'"};
  }
  std::string text(4096, '\0');
  const ssize_t n = ::read(fd.fd, text.data(), text.size());
  if (n < 0) return Failure{Failure::ResourceUnavailable, "cannot read " + what + " '" + path + "': " + std::strerror(errno)};
  text.resize(static_cast<size_t>(n));
  std::string line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const size_t colon = line.find(':');
  // The line itself is never quoted: it holds the password.
  if (colon == std::string::npos || colon == 0 || colon + 1 == line.size())
    return Failure{Failure::ConfigurationError, what + " '" + path +
                   "': its first line must be user:password (a user name, ':', the password; neither empty)"};
  return MqttCredentials{line.substr(0, colon), line.substr(colon + 1)};
}

gis::Result<bool> check_tls_files(const MqttSecurity& sec) {
  if (sec.certfile.empty() != sec.keyfile.empty())
    return Failure{Failure::ConfigurationError,
                   sec.certfile.empty() ? "keyfile given without certfile: a client key needs its certificate (give both, or neither)"
                                        : "certfile given without keyfile: a client certificate needs its private key (give both, or neither)"};
  if (!sec.cafile.empty()) {
    if (auto r = readable(sec.cafile, "the CA file (cafile)", "give the PEM file of the CA that signed the broker's certificate"); !r)
      return r;
  }
  if (!sec.certfile.empty()) {
    if (auto r = readable(sec.certfile, "the client certificate (certfile)", "give the PEM certificate the broker's CA issued to this client"); !r)
      return r;
    if (auto r = readable(sec.keyfile, "the client key (keyfile)", "give the unencrypted PEM private key of certfile"); !r)
      return r;
  }
  return true;
}

gis::Result<bool> resolve_credentials(const std::string& url_user, const std::string& credentials_file,
                                      MqttSecurity& sec) {
  if (!credentials_file.empty()) {
    auto c = read_credentials_file(credentials_file);
    if (!c) return c.error();
    if (!url_user.empty() && url_user != c->user)
      return Failure{Failure::ConfigurationError, "the user in the URL ('" + url_user + "') differs from the one in '" +
                     credentials_file + "' ('" + c->user + "'): name the user in one place"};
    sec.user = std::move(c->user);
    sec.password = std::move(c->password);
    sec.credentials_from = "credentials file '" + credentials_file + "'";
    return true;
  }
  const char* env_user = std::getenv(kMqttUserEnv);
  const char* env_password = std::getenv(kMqttPasswordEnv);
  sec.user = !url_user.empty() ? url_user : env_user ? env_user : "";
  sec.credentials_from = url_user.empty() && !sec.user.empty() ? std::string("environment ") + kMqttUserEnv : "";
  if (env_password && *env_password) {
    if (sec.user.empty())
      return Failure{Failure::ConfigurationError, std::string(kMqttPasswordEnv) + " is set but no user is given: set " +
                     kMqttUserEnv + " or write the user in the URL (mqtt://USER@HOST)"};
    sec.password = env_password;
    sec.credentials_from = std::string("environment ") + (url_user.empty() ? std::string(kMqttUserEnv) + ", " : "") +
                           kMqttPasswordEnv;
  }
  return true;
}

gis::Result<bool> configure_client(mosquitto* m, const MqttSecurity& sec, const std::string& who) {
  if (!sec.user.empty() &&
      mosquitto_username_pw_set(m, sec.user.c_str(), sec.password.empty() ? nullptr : sec.password.c_str()) != MOSQ_ERR_SUCCESS)
    return Failure{Failure::ConfigurationError, who + ": the user name or password of " + user_text(sec) +
                   " is not valid UTF-8 or too long (at most 65535 bytes)"};
  if (!sec.tls) return true;
  const int rc = mosquitto_tls_set(m, sec.cafile.empty() ? nullptr : sec.cafile.c_str(),
                                   sec.cafile.empty() ? "/etc/ssl/certs" : nullptr,
                                   sec.certfile.empty() ? nullptr : sec.certfile.c_str(),
                                   sec.keyfile.empty() ? nullptr : sec.keyfile.c_str(), &no_key_passphrase);
  if (rc != MOSQ_ERR_SUCCESS)
    return Failure{Failure::ConfigurationError, who + " TLS: cannot use cafile '" + sec.cafile + "', certfile '" + sec.certfile +
                   "', keyfile '" + sec.keyfile + "': " + mosquitto_strerror(rc) + " (give readable PEM files)"};
  if (sec.insecure) mosquitto_tls_insecure_set(m, true);
  return true;
}

std::string connect_error_text(int rc, const std::string& host, int port, const MqttSecurity& sec,
                               const std::string& tls_detail) {
  const int saved_errno = errno;
  const bool handshake = rc == MOSQ_ERR_TLS || rc == MOSQ_ERR_TLS_HANDSHAKE || rc == MOSQ_ERR_PROTOCOL ||
                         rc == MOSQ_ERR_CONN_LOST || (rc == MOSQ_ERR_ERRNO && (saved_errno == ECONNRESET || saved_errno == EPIPE || saved_errno == EPROTO));
  if (!sec.tls || !handshake) {
    errno = saved_errno;
    return mqtt_error_text(rc, host, port);
  }
  const std::string where = host + ":" + std::to_string(port);
  // The client's own files, loaded at connect: nothing about the broker to check.
  if (tls_detail.find("client key") != std::string::npos || tls_detail.find("client certificate") != std::string::npos)
    return "TLS setup for " + where + " failed (" + tls_detail + "): keyfile '" + sec.keyfile +
           "' must be the unencrypted PEM private key of certfile '" + sec.certfile +
           "' (decrypt one with: openssl pkey -in KEY -out PLAIN.key, and chmod 600 it)";
  const std::string ca = sec.cafile.empty() ? "that the system CA store trusts the broker's certificate (or give cafile=)"
                                             : "that cafile '" + sec.cafile + "' is the CA that signed the broker's certificate";
  const std::string name = "that the broker's certificate names '" + host + "' (subjectAltName) or connect by a name it has";
  const std::string client = sec.certfile.empty() ? "whether the broker requires a client certificate (then give certfile= and keyfile=)"
                                                  : "that the broker trusts the CA that issued certfile '" + sec.certfile + "'";
  // What the handshake reported picks the first thing to check; the others follow.
  const bool name_failed = tls_detail.find("host name") != std::string::npos;
  const bool client_failed = tls_detail.find("certificate required") != std::string::npos ||
                             tls_detail.find("unknown ca") != std::string::npos ||
                             tls_detail.find("bad certificate") != std::string::npos;
  const std::string first = name_failed ? name : client_failed ? client : ca;
  std::string s = "TLS connection to " + where + " failed (" +
                  (tls_detail.empty() ? std::string(mosquitto_strerror(rc)) : tls_detail) + "): check " + first;
  for (const std::string* h : {&ca, &name, &client})
    if (*h != first) s += ", " + *h;
  return s + ", and that this port is a TLS listener";
}

std::string connack_error_text(int code, const std::string& host, int port, const MqttSecurity& sec) {
  const bool refused_credentials = code == CONNACK_REFUSED_BAD_USERNAME_PASSWORD || code == MQTT_RC_BAD_USERNAME_OR_PASSWORD ||
                                   code == CONNACK_REFUSED_NOT_AUTHORIZED || code == MQTT_RC_NOT_AUTHORIZED;
  if (!refused_credentials) return mqtt_connack_text(code, host, port);
  const std::string where = host + ":" + std::to_string(port);
  if (sec.user.empty())
    return "broker " + where + " refused an anonymous connection (not authorised): give credentials with "
           "credentials=FILE or the environment variables " + kMqttUserEnv + " and " + kMqttPasswordEnv;
  return "broker " + where + " refused the credentials of " + user_text(sec) +
         ": wrong user or password, or the user is not in the broker's password_file";
}

void note_tls_log(std::string& detail, int level, const char* line) {
  if (level != MOSQ_LOG_ERR || !line || detail.size() > 400) return;
  std::string s = line;
  // "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed" -> the reason.
  if (const size_t r = s.rfind("::"); s.starts_with("OpenSSL Error") && r != std::string::npos) s = s.substr(r + 2);
  if (s.starts_with("Error: ")) s = s.substr(7);
  while (!s.empty() && (s.back() == '.' || s.back() == '\n')) s.pop_back();
  if (s.empty() || detail.find(s) != std::string::npos) return;
  detail += (detail.empty() ? "" : "; ") + s;
}

}  // namespace parktwin::live
