// libFuzzer target: view-state JSON (from_json, what read_view_state and `--state` read). Beyond
// "no crash, no UB, no leak, no escaping exception" it checks that a parsed state written out
// (to_json) parses back to an equal state.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parktwin/scene/view_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parktwin::scene;
  const auto state = from_json(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!state) return 0;
  const auto back = from_json(to_json(*state));
  if (!back || !(*back == *state)) std::abort();
  return 0;
}
