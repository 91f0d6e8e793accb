#pragma once
// What an mqtt:// (or mqtts://) URL says: the broker, the park, and how the client proves who it
// is and checks the broker. Shared by the mqtt:// source and `parktwin feed`, so both read a URL
// the same way.
//
//   mqtt://[user@]host[:port][/park][?qos=0|1&client=ID&tls=1&cafile=F&certfile=F&keyfile=F
//                                     &credentials=F&insecure=1]
//   mqtts://...   the same with tls=1 (default port 8883)
//
// Passwords never come from the URL (a command line is visible to every user of the machine in
// the process list and stays in shell history): a URL with user:password@ is refused. They come
// from a credentials file (?credentials=F, one line "user:password", readable by its owner only)
// or from the environment (PARKTWIN_MQTT_USER, PARKTWIN_MQTT_PASSWORD). Error messages never
// contain the password.
#include <string>

#include "parktwin/gis/result.h"

namespace parktwin::live {

/// Environment variables read by parse_mqtt_url() when the URL has no ?credentials= file.
inline constexpr const char* kMqttUserEnv = "PARKTWIN_MQTT_USER";
inline constexpr const char* kMqttPasswordEnv = "PARKTWIN_MQTT_PASSWORD";

/// How an MQTT client authenticates and verifies the broker.
struct MqttSecurity {
  std::string user;
  std::string password;          ///< from a credentials file or the environment, never from a URL
  std::string credentials_from;  ///< where user/password came from, for messages ("" = anonymous)
  bool tls = false;
  std::string cafile;            ///< CA that signed the broker's certificate ("" = system CA store)
  std::string certfile, keyfile; ///< client certificate and its unencrypted key: both or neither
  bool insecure = false;         ///< TLS without host name verification (testing only)
};

/// The parts of an mqtt:// URL.
struct MqttUrl {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string park;       ///< "" = all parks (not checked against a registry here)
  int qos = 1;
  std::string client_id;  ///< "" = generated; a fixed id with qos 1 keeps the session across restarts
  MqttSecurity security;
};

/// Parses an mqtt:// or mqtts:// URL and completes its credentials from ?credentials= or the
/// environment. Files named by the URL (CA, client certificate and key, credentials) must be
/// readable; a credentials file must not be accessible to group or others. Fails naming the part,
/// where it came from and what to do; the password never appears in a message.
gis::Result<MqttUrl> parse_mqtt_url(const std::string& url);

/// The user and password in a credentials file: its first line is "user:password" (the password
/// may contain ':'; a trailing CR is ignored). Refused when group or others may read or write the
/// file (mode must allow only its owner, e.g. 0600), like ssh refuses an exposed private key.
struct MqttCredentials {
  std::string user, password;
};
gis::Result<MqttCredentials> read_credentials_file(const std::string& path);

/// `url` with the password of a user:password@ part replaced by "***", for messages.
std::string redact_mqtt_url(const std::string& url);

}  // namespace parktwin::live
