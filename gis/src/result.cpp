#include "parktwin/gis/result.h"

namespace parktwin::gis {

const char* Failure::kind_name() const {
  switch (kind) {
    case ResourceUnavailable: return "resource unavailable";
    case ConfigurationError: return "configuration error";
    case InvalidData: return "invalid data";
    case GeneralError: break;
  }
  return "error";
}

}  // namespace parktwin::gis
