#pragma once
// `parktwin feed`: publishes simulated (or recorded) samples of every enterprise to an MQTT broker.
#include <string>

#include "parktwin/gis/result.h"
#include "parktwin/live/publisher.h"
#include "parktwin/live/registry.h"

namespace parktwin::feed {

/// Publisher options from an mqtt:// or mqtts:// URL (live::parse_mqtt_url(): TLS files, credentials
/// from ?credentials=F or the environment, never a password in the URL); its park and qos are ignored.
gis::Result<live::PublisherOptions> publisher_options(const std::string& broker_url);

/// The enterprises of the default dataset (`dataset` = "" for assets/parktwin.gpkg).
gis::Result<live::Registry> load_registry(const std::string& dataset);

/// `parktwin feed ARGS...` (the words after "feed"). Returns the process exit code.
int run_feed(int argc, char** argv);

}  // namespace parktwin::feed
