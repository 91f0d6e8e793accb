// MQTT security against a real mosquitto: the broker runs the shipped
// assets/mosquitto/secure.conf.example and acl.example (paths and ports made private) with a
// password file made by mosquitto_passwd and certificates made here by the openssl command line:
// a CA, a server certificate for 127.0.0.1 and localhost, one for another name, a client
// certificate, and a second CA nobody uses. Each case checks what the viewer's source does: it
// connects and receives, or it is refused with a message that says why and never the password.
// The file tests (credentials file modes, TLS files, the environment) need no broker.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <vector>

#include "parktwin/live/local_broker.h"
#include "parktwin/live/mqtt_url.h"
#include "parktwin/live/payload.h"
#include "parktwin/live/publisher.h"
#include "parktwin/live/source.h"

namespace parktwin::live {
namespace {

namespace fs = std::filesystem;

/// Sets (or, with nullopt, unsets) an environment variable for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

/// No credentials from the environment of whoever runs the tests.
struct CleanEnv {
  ScopedEnv user{kMqttUserEnv, std::nullopt};
  ScopedEnv password{kMqttPasswordEnv, std::nullopt};
};

std::string scratch_dir(const std::string& group) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string dir = std::string(PARKTWIN_TEST_OUT) + "/" + group + "/" + info->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write_file(const std::string& path, const std::string& text, fs::perms mode) {
  std::ofstream(path, std::ios::trunc) << text;
  fs::permissions(path, mode);
}

std::string random_secret() {
  std::random_device rd;
  std::ostringstream s;
  s << std::hex << rd() << rd();
  return s.str();
}

Registry tls_registry() {
  Registry r;
  r.add({"jiangxi_copper", "yingtan", "nonferrous_metals", "smelting", "chain_master", "copper", "t", 4e11});
  r.add({"ganfeng", "yichun", "new_energy", "lithium_salts", "chain_master", "lithium carbonate", "t", 4e10});
  return r;
}

/// The production value of warm-up probes; the cases mark their samples with others.
constexpr double kWarmUpMark = 0.125;

/// A valid payload of enterprise `index` whose production value marks it.
std::string marked_payload(const Registry& reg, size_t index, double mark) {
  scene::Metrics m;
  m.ts_ms = wall_ms() - 1000;
  m.v = {1.0, 1.0, 1.0, mark};
  m.status = scene::Status::Running;
  return make_payload(reg.enterprises()[index], m, false);
}

std::optional<std::string> openssl() {
  return client_tool("openssl");
}

class MqttTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!LocalBroker::binary()) GTEST_SKIP() << "mosquitto is not installed: the MQTT TLS tests need the broker";
    if (!openssl()) GTEST_SKIP() << "the openssl command is not installed: the MQTT TLS tests make their certificates with it";
    if (!client_tool("mosquitto_passwd")) GTEST_SKIP() << "mosquitto_passwd is not installed (package mosquitto)";
    dir_ = scratch_dir("mqtt_tls");
    make_certificates();
    // Plain "user:password" lines, hashed in place: no password on a command line.
    write_file(dir_ + "/passwd", "viewer:" + viewer_pw_ + "\nfeeder:" + feeder_pw_ + "\nadmin:" + admin_pw_ + "\n",
               fs::perms::owner_read | fs::perms::owner_write);
    run(*client_tool("mosquitto_passwd") + " -U '" + dir_ + "/passwd'");
    fs::copy_file(std::string(PARKTWIN_ASSET_DIR) + "/mosquitto/acl.example", dir_ + "/acl");
    // The shipped example with our files, plus a listener whose certificate names another host.
    std::ifstream in(std::string(PARKTWIN_ASSET_DIR) + "/mosquitto/secure.conf.example");
    std::ostringstream conf;
    for (std::string line; std::getline(in, line);) {
      for (size_t at; (at = line.find("/etc/mosquitto/parktwin/")) != std::string::npos;)
        line.replace(at, 24, dir_ + "/");
      conf << line << "\n";
    }
    conf << "listener 8885 0.0.0.0\ncafile " << dir_ << "/ca.crt\ncertfile " << dir_ << "/wrongname.crt\nkeyfile "
         << dir_ << "/wrongname.key\n";
    std::ofstream(dir_ + "/secure.conf.template") << conf.str();
    auto b = LocalBroker::start(dir_ + "/secure.conf.template", dir_ + "/broker");
    ASSERT_TRUE(b) << b.error().message;
    broker_ = std::move(*b);
    ASSERT_EQ(broker_->ports().size(), 3u);
    opt_.flood_per_enterprise_per_s = 1e6;
  }

  void run(const std::string& cmd) {
    const std::string logged = cmd + " >>'" + dir_ + "/commands.log' 2>&1";
    ASSERT_EQ(std::system(logged.c_str()), 0) << cmd << "\n(see " << dir_ << "/commands.log)";
  }

  void make_certificates() {
    const std::string ssl = *openssl();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2";
    for (const char* ca : {"ca", "ca2"})
      run(ssl + " req -x509" + ec + " -keyout " + dir_ + "/" + ca + ".key -out " + dir_ + "/" + ca + ".crt -subj '/CN=" +
          ca + " test'");
    const std::pair<const char*, const char*> certs[] = {
        {"server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"},
        {"wrongname", "subjectAltName=DNS:elsewhere.invalid\nextendedKeyUsage=serverAuth\n"},
        {"client", "extendedKeyUsage=clientAuth\n"}};
    int serial = 1;
    for (const auto& [name, ext] : certs) {
      const std::string base = dir_ + "/" + name;
      write_file(base + ".ext", std::string("basicConstraints=CA:FALSE\n") + ext, fs::perms::owner_read | fs::perms::owner_write);
      run(ssl + " req" + ec + " -keyout " + base + ".key -out " + base + ".csr -subj '/CN=" + name + "'");
      run(ssl + " x509 -req -in " + base + ".csr -CA " + dir_ + "/ca.crt -CAkey " + dir_ + "/ca.key -set_serial " +
          std::to_string(++serial) + " -days 2 -extfile " + base + ".ext -out " + base + ".crt");
    }
  }

  /// A credentials file for `user` (mode 0600).
  std::string credentials(const std::string& user, const std::string& password) {
    const std::string path = dir_ + "/" + user + "-" + std::to_string(++files_) + ".cred";
    write_file(path, user + ":" + password + "\n", fs::perms::owner_read | fs::perms::owner_write);
    return path;
  }

  std::string url(const std::string& host, size_t listener, const std::string& query) const {
    return "mqtts://" + host + ":" + std::to_string(broker_->ports()[listener]) + "?cafile=" + dir_ + "/ca.crt" + query;
  }

  std::unique_ptr<Source> open(const std::string& u) {
    auto s = open_source(u, reg_, opt_);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    if (!s) return nullptr;
    auto started = (*s)->start();
    EXPECT_TRUE(started) << (started ? "" : started.error().message);
    return started ? std::move(*s) : nullptr;
  }

  bool connects(Source& s) {
    return wait_for([&] { return s.status().state == ConnectionState::Connected; }, 10000);
  }

  /// Waits until the source reports an error; it must never have connected, and no password of
  /// this test may appear in the message.
  std::string refusal(Source& s) {
    EXPECT_TRUE(wait_for([&] { return !s.status().last_error.empty(); }, 10000)) << "no error reported";
    EXPECT_NE(s.status().state, ConnectionState::Connected);
    const std::string why = s.status().last_error;
    for (const std::string& pw : {viewer_pw_, feeder_pw_, admin_pw_}) EXPECT_EQ(why.find(pw), std::string::npos) << why;
    return why;
  }

  /// The source for `refused` is refused naming each of `words`; the one for `allowed` (the same
  /// with one setting more) connects, which shows what the refusal was about.
  void refused_then_allowed(const std::string& refused, const std::vector<std::string>& words, const std::string& allowed) {
    auto src = open(refused);
    ASSERT_TRUE(src);
    const std::string why = refusal(*src);
    for (const std::string& w : words) EXPECT_NE(why.find(w), std::string::npos) << "'" << w << "' not in: " << why;
    src->stop();
    auto ok = open(allowed);
    ASSERT_TRUE(ok);
    EXPECT_TRUE(connects(*ok)) << ok->status().last_error;
  }

  /// A publisher on the first listener by its IP address (the certificate's IP:127.0.0.1).
  /// The credentials are set directly: the environment stays as the test set it, since a source's
  /// thread may be running (setenv is not thread-safe).
  std::unique_ptr<Publisher> publisher(const std::string& user, const std::string& password) {
    auto parsed = parse_mqtt_url(url("127.0.0.1", 0, ""));
    EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
    if (!parsed) return nullptr;
    PublisherOptions po;
    po.host = parsed->host;
    po.port = parsed->port;
    po.security = parsed->security;
    po.security.user = user;
    po.security.password = password;
    auto pub = Publisher::connect(po, 10000);
    EXPECT_TRUE(pub) << (pub ? "" : pub.error().message);
    return pub ? std::move(*pub) : nullptr;
  }

  /// Publishes marked samples of enterprise 0 until `src` has one (its subscription is in place).
  void warm_up(Source& src, Publisher& pub) {
    ASSERT_TRUE(wait_for(
        [&] {
          (void)pub.publish(topic_for(reg_.enterprises()[0]), marked_payload(reg_, 0, kWarmUpMark), 1);
          pub.flush(200);
          return src.status().accepted > 0;
        },
        10000))
        << src.status().last_error;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::vector<Sample> tmp;
    src.drain(tmp);
  }

  /// Production values of the samples `src` accepted since the last drain, once `sentinel` arrived
  /// (late warm-up probes left out).
  std::vector<double> drain_until(Source& src, double sentinel) {
    std::vector<Sample> got;
    const bool arrived = wait_for(
        [&] {
          src.drain(got);
          for (const Sample& s : got)
            if (s.m.value(scene::Metric::Production) == sentinel) return true;
          return false;
        },
        10000);
    EXPECT_TRUE(arrived) << "the sentinel " << sentinel << " never arrived: " << src.status().last_error;
    std::vector<double> marks;
    for (const Sample& s : got)
      if (s.m.value(scene::Metric::Production) != kWarmUpMark) marks.push_back(s.m.value(scene::Metric::Production));
    return marks;
  }

  CleanEnv env_;
  std::string dir_;
  std::string viewer_pw_ = "v-" + random_secret(), feeder_pw_ = "f-" + random_secret(), admin_pw_ = "a-" + random_secret();
  int files_ = 0;
  Registry reg_ = tls_registry();
  SourceOptions opt_;
  std::unique_ptr<LocalBroker> broker_;
};

TEST_F(MqttTlsTest, ViewerWithPasswordFileReceivesWhatTheFeederPublishes) {
  auto src = open(url("localhost", 0, "&qos=1&credentials=" + credentials("viewer", viewer_pw_)));
  ASSERT_TRUE(src);
  ASSERT_TRUE(connects(*src)) << src->status().last_error;
  EXPECT_EQ(src->status().url.rfind("mqtts://localhost:", 0), 0u) << src->status().url;
  auto pub = publisher("feeder", feeder_pw_);
  ASSERT_TRUE(pub);
  warm_up(*src, *pub);
  ASSERT_TRUE(pub->publish(topic_for(reg_.enterprises()[1]), marked_payload(reg_, 1, 42.5), 1));
  ASSERT_TRUE(pub->flush(5000));
  const auto marks = drain_until(*src, 42.5);
  EXPECT_EQ(marks, std::vector<double>{42.5});
}

TEST_F(MqttTlsTest, ViewerWithPasswordFromTheEnvironmentConnects) {
  ScopedEnv user(kMqttUserEnv, "viewer"), password(kMqttPasswordEnv, viewer_pw_);
  auto src = open(url("localhost", 0, "&qos=1"));
  ASSERT_TRUE(src);
  ASSERT_TRUE(connects(*src)) << src->status().last_error;
  auto pub = publisher("feeder", feeder_pw_);
  ASSERT_TRUE(pub);
  warm_up(*src, *pub);
  ASSERT_TRUE(pub->publish(topic_for(reg_.enterprises()[1]), marked_payload(reg_, 1, 7.0), 1));
  ASSERT_TRUE(pub->flush(5000));
  EXPECT_EQ(drain_until(*src, 7.0), std::vector<double>{7.0});
}

TEST_F(MqttTlsTest, BrokerSignedByAnotherCaIsRefusedNamingTls) {
  std::string u = url("localhost", 0, "&credentials=" + credentials("viewer", viewer_pw_));
  u.replace(u.find("/ca.crt"), 7, "/ca2.crt");
  auto src = open(u);
  ASSERT_TRUE(src);
  const std::string why = refusal(*src);
  EXPECT_NE(why.find("TLS"), std::string::npos) << why;
  EXPECT_NE(why.find("certificate verify failed"), std::string::npos) << why;
  EXPECT_NE(why.find("ca2.crt"), std::string::npos) << why;
}

TEST_F(MqttTlsTest, CertificateForAnotherHostIsRefusedUnlessInsecure) {
  const std::string cred = "&credentials=" + credentials("viewer", viewer_pw_);
  // The same listener and CA without the host name check connects: the refusal was the name.
  refused_then_allowed(url("127.0.0.1", 2, cred), {"TLS", "host name"}, url("127.0.0.1", 2, cred + "&insecure=1"));
}

TEST_F(MqttTlsTest, WrongPasswordIsRefusedNamingTheCredentials) {
  const std::string wrong = "not-" + viewer_pw_;
  const std::string file = credentials("viewer", wrong);
  auto src = open(url("localhost", 0, "&credentials=" + file));
  ASSERT_TRUE(src);
  const std::string why = refusal(*src);
  EXPECT_NE(why.find("credentials"), std::string::npos) << why;
  EXPECT_NE(why.find("'viewer'"), std::string::npos) << why;
  EXPECT_NE(why.find(file), std::string::npos) << why;
  EXPECT_EQ(why.find(wrong), std::string::npos) << why;
}

TEST_F(MqttTlsTest, ListenerRequiringClientCertificates) {
  const std::string cred = "&credentials=" + credentials("viewer", viewer_pw_);
  refused_then_allowed(url("localhost", 1, cred), {"TLS", "client certificate"},
                       url("localhost", 1, cred + "&certfile=" + dir_ + "/client.crt&keyfile=" + dir_ + "/client.key"));
}

TEST_F(MqttTlsTest, EncryptedClientKeyIsRefusedNamingTheKey) {
  // Nobody can type a passphrase on a wall: an encrypted key is refused with what to do. (That no
  // passphrase prompt appears on a terminal cannot be seen here: the tests run without one.)
  run(*openssl() + " pkey -in " + dir_ + "/client.key -aes256 -passout pass:" + random_secret() + " -out " + dir_ +
      "/client-encrypted.key");
  auto src = open(url("localhost", 1, "&credentials=" + credentials("viewer", viewer_pw_) + "&certfile=" + dir_ +
                                          "/client.crt&keyfile=" + dir_ + "/client-encrypted.key"));
  ASSERT_TRUE(src);
  const std::string why = refusal(*src);
  EXPECT_NE(why.find("client-encrypted.key"), std::string::npos) << why;
  EXPECT_NE(why.find("unencrypted"), std::string::npos) << why;
}

TEST_F(MqttTlsTest, ViewerCannotPublish) {
  // The admin reads everything; what the viewer publishes must never reach it.
  auto admin = open(url("localhost", 0, "&qos=1&credentials=" + credentials("admin", admin_pw_)));
  ASSERT_TRUE(admin);
  ASSERT_TRUE(connects(*admin)) << admin->status().last_error;
  auto feeder = publisher("feeder", feeder_pw_);
  auto viewer = publisher("viewer", viewer_pw_);  // the broker lets it connect: it may read
  ASSERT_TRUE(feeder && viewer);
  warm_up(*admin, *feeder);
  // QoS 1: the broker acknowledges the refused message too (MQTT 3.1.1 cannot say no), so once
  // flush() returns it has dealt with it, before the feeder's sentinel is sent.
  ASSERT_TRUE(viewer->publish(topic_for(reg_.enterprises()[1]), marked_payload(reg_, 1, 666.0), 1));
  ASSERT_TRUE(viewer->flush(5000));
  ASSERT_TRUE(feeder->publish(topic_for(reg_.enterprises()[1]), marked_payload(reg_, 1, 1.5), 1));
  ASSERT_TRUE(feeder->flush(5000));
  EXPECT_EQ(drain_until(*admin, 1.5), std::vector<double>{1.5});
}

TEST_F(MqttTlsTest, PasswordInTheUrlIsRefusedBeforeConnecting) {
  const std::string u = "mqtts://viewer:" + viewer_pw_ + "@localhost:" + std::to_string(broker_->ports()[0]) +
                        "?cafile=" + dir_ + "/ca.crt";
  auto s = open_source(u, reg_, opt_);
  ASSERT_FALSE(s) << "a source was made, so it could connect";
  const std::string& why = s.error().message;
  EXPECT_EQ(why.find(viewer_pw_), std::string::npos) << why;
  EXPECT_NE(why.find("credentials=FILE"), std::string::npos) << why;
  EXPECT_NE(why.find(kMqttPasswordEnv), std::string::npos) << why;
  EXPECT_NE(why.find("mqtts://viewer:***@localhost"), std::string::npos) << why;
  // The publisher's URL grammar is the same.
  auto p = parse_mqtt_url(u);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message.find(viewer_pw_), std::string::npos) << p.error().message;
}

// --- Files and environment, no broker ------------------------------------------------------

TEST(MqttSecurityFiles, CredentialsFileMustBePrivate) {
  CleanEnv env;
  const std::string dir = scratch_dir("mqtt_security");
  const std::string path = dir + "/mqtt.cred";
  write_file(path, "viewer:pa:ss word\r\nignored second line\n", fs::perms::owner_read | fs::perms::owner_write);
  auto ok = read_credentials_file(path);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->user, "viewer");
  EXPECT_EQ(ok->password, "pa:ss word");  // everything after the first ':', without the CR

  for (const fs::perms open : {fs::perms::group_read, fs::perms::others_read, fs::perms::others_write}) {
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | open);
    auto r = read_credentials_file(path);
    ASSERT_FALSE(r) << "mode " << std::oct << static_cast<unsigned>(fs::status(path).permissions());
    EXPECT_NE(r.error().message.find("chmod 600 '" + path + "'"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("pa:ss"), std::string::npos) << r.error().message;
    // Through a URL the same refusal, naming the file.
    auto u = parse_mqtt_url("mqtt://127.0.0.1?credentials=" + path);
    ASSERT_FALSE(u);
    EXPECT_NE(u.error().message.find(path), std::string::npos) << u.error().message;
  }
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  auto via_url = parse_mqtt_url("mqtt://viewer@127.0.0.1?credentials=" + path);
  ASSERT_TRUE(via_url) << via_url.error().message;
  EXPECT_EQ(via_url->security.password, "pa:ss word");
  EXPECT_NE(via_url->security.credentials_from.find(path), std::string::npos);
  auto other_user = parse_mqtt_url("mqtt://admin@127.0.0.1?credentials=" + path);
  ASSERT_FALSE(other_user);
  EXPECT_NE(other_user.error().message.find("one place"), std::string::npos) << other_user.error().message;

  write_file(path, "secret-without-user\n", fs::perms::owner_read | fs::perms::owner_write);
  auto no_colon = read_credentials_file(path);
  ASSERT_FALSE(no_colon);
  EXPECT_NE(no_colon.error().message.find("user:password"), std::string::npos) << no_colon.error().message;
  EXPECT_EQ(no_colon.error().message.find("secret-without-user"), std::string::npos) << no_colon.error().message;

  auto missing = read_credentials_file(dir + "/nope.cred");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find(dir + "/nope.cred"), std::string::npos) << missing.error().message;
}

TEST(MqttSecurityFiles, TlsFilesAreCheckedWhenTheUrlIsGiven) {
  CleanEnv env;
  const std::string dir = scratch_dir("mqtt_security");
  write_file(dir + "/c.crt", "not checked here\n", fs::perms::owner_read | fs::perms::owner_write);
  auto half = parse_mqtt_url("mqtt://h?certfile=" + dir + "/c.crt");
  ASSERT_FALSE(half);
  EXPECT_NE(half.error().message.find("keyfile"), std::string::npos) << half.error().message;
  auto other_half = parse_mqtt_url("mqtt://h?keyfile=" + dir + "/c.crt");
  ASSERT_FALSE(other_half);
  EXPECT_NE(other_half.error().message.find("certfile"), std::string::npos) << other_half.error().message;
  auto no_key = parse_mqtt_url("mqtt://h?certfile=" + dir + "/c.crt&keyfile=" + dir + "/missing.key");
  ASSERT_FALSE(no_key);
  EXPECT_NE(no_key.error().message.find(dir + "/missing.key"), std::string::npos) << no_key.error().message;
  auto no_ca = parse_mqtt_url("mqtt://h?cafile=" + dir + "/missing-ca.crt");
  ASSERT_FALSE(no_ca);
  EXPECT_NE(no_ca.error().message.find("CA file"), std::string::npos) << no_ca.error().message;
  auto dir_ca = parse_mqtt_url("mqtt://h?cafile=" + dir);
  ASSERT_FALSE(dir_ca);
  auto both = parse_mqtt_url("mqtt://h?certfile=" + dir + "/c.crt&keyfile=" + dir + "/c.crt");
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_TRUE(both->security.tls);  // a client certificate implies TLS
  EXPECT_EQ(both->port, 8883);
  auto tls = parse_mqtt_url("mqtts://h");
  ASSERT_TRUE(tls) << tls.error().message;
  EXPECT_TRUE(tls->security.tls);
  EXPECT_FALSE(tls->security.insecure);
  EXPECT_EQ(tls->port, 8883);
}

TEST(MqttSecurityFiles, CredentialsFromTheEnvironment) {
  CleanEnv env;
  {
    ScopedEnv password(kMqttPasswordEnv, "env-secret");
    auto no_user = parse_mqtt_url("mqtt://h");
    ASSERT_FALSE(no_user);
    EXPECT_NE(no_user.error().message.find(kMqttUserEnv), std::string::npos) << no_user.error().message;
    EXPECT_EQ(no_user.error().message.find("env-secret"), std::string::npos) << no_user.error().message;
    auto url_user = parse_mqtt_url("mqtt://viewer@h");
    ASSERT_TRUE(url_user) << url_user.error().message;
    EXPECT_EQ(url_user->security.user, "viewer");
    EXPECT_EQ(url_user->security.password, "env-secret");
    ScopedEnv user(kMqttUserEnv, "feeder");
    auto env_user = parse_mqtt_url("mqtt://h");
    ASSERT_TRUE(env_user) << env_user.error().message;
    EXPECT_EQ(env_user->security.user, "feeder");
    EXPECT_EQ(env_user->security.password, "env-secret");
  }
  auto anonymous = parse_mqtt_url("mqtt://h");
  ASSERT_TRUE(anonymous) << anonymous.error().message;
  EXPECT_TRUE(anonymous->security.user.empty());
  EXPECT_TRUE(anonymous->security.password.empty());
  EXPECT_EQ(redact_mqtt_url("mqtt://u:p%40ss@h:1883/yingtan?qos=1"), "mqtt://u:***@h:1883/yingtan?qos=1");
  EXPECT_EQ(redact_mqtt_url("mqtt://u@h?cafile=a:b@c"), "mqtt://u@h?cafile=a:b@c");
}

}  // namespace
}  // namespace parktwin::live
