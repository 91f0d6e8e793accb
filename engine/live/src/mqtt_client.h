#pragma once
// Private: the security settings of an MQTT URL checked and applied to a libmosquitto client, for
// the mqtt:// source and the publisher alike.
#include <string>

#include "parktwin/gis/result.h"
#include "parktwin/live/mqtt_url.h"

struct mosquitto;

namespace parktwin::live {

/// The TLS files of `sec` are readable, and a client certificate comes with its key.
gis::Result<bool> check_tls_files(const MqttSecurity& sec);

/// Fills sec.user, sec.password and sec.credentials_from: from `credentials_file` when given
/// (the URL's user, if any, must match it), else from the environment (kMqttPasswordEnv, and
/// kMqttUserEnv unless the URL names the user). A password needs a user.
gis::Result<bool> resolve_credentials(const std::string& url_user, const std::string& credentials_file,
                                      MqttSecurity& sec);

/// Sets user, password and TLS on `m`. `who` starts messages ("MQTT", "MQTT publisher").
gis::Result<bool> configure_client(mosquitto* m, const MqttSecurity& sec, const std::string& who);

/// A hint for a connection that failed before the broker accepted it, when TLS is on: what the
/// library reported (`tls_detail`, e.g. "certificate verify failed") and what to check.
std::string tls_failure_hint(const MqttSecurity& sec, const std::string& tls_detail);

}  // namespace parktwin::live

namespace parktwin::live {

/// The text of a connection that failed with libmosquitto code `rc` before the broker's CONNACK.
/// With TLS on, failures a TLS handshake explains (TLS errors, a protocol error or lost connection
/// right after connecting: the broker's alert) name TLS, what the library reported (`tls_detail`,
/// e.g. "certificate verify failed") and what to check; otherwise mqtt_error_text().
std::string connect_error_text(int rc, const std::string& host, int port, const MqttSecurity& sec,
                               const std::string& tls_detail);

/// A refused CONNACK: for refused credentials, names the user and where they came from (never the
/// password) and what to check; otherwise mqtt_connack_text().
std::string connack_error_text(int code, const std::string& host, int port, const MqttSecurity& sec);

/// Collects what libmosquitto logs about a failing TLS handshake (its MOSQ_LOG_ERR lines), short.
void note_tls_log(std::string& detail, int level, const char* line);

}  // namespace parktwin::live
