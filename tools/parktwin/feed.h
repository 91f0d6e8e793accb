#pragma once
// `parktwin feed`: publishes simulated (or recorded) samples of every enterprise to an MQTT broker.
#include <string>

#include "parktwin/gis/result.h"
#include "parktwin/live/publisher.h"
#include "parktwin/live/registry.h"

namespace parktwin::feed {

/// Publisher options from mqtt://[user[:pass]@]host[:port][?tls=1&cafile=F&insecure=1&client=ID].
gis::Result<live::PublisherOptions> publisher_options(const std::string& broker_url);

/// The enterprises of the default dataset (`dataset` = "" for assets/parktwin.gpkg).
gis::Result<live::Registry> load_registry(const std::string& dataset);

/// `parktwin feed ARGS...` (the words after "feed"). Returns the process exit code.
int run_feed(int argc, char** argv);

}  // namespace parktwin::feed
