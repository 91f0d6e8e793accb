#pragma once
// The exception boundary of a thread: a source's, the history writer's, a worker's. An exception
// escaping a thread's body terminates the program; through guarded() it is caught, described and
// reported (the source shows it in the Feed panel, the writer as its error) and the rest goes on.
#include <exception>
#include <new>
#include <string>
#include <utility>

namespace parktwin::live {

/// Runs `body()`. Returns true when it returned; false when it threw, after `report` was called with
/// "<what> stopped: <the exception's text>" (bad_alloc and exceptions of other types named as such).
template <class Body, class Report>
bool guarded(const std::string& what, Body&& body, Report&& report) noexcept {
  std::string why;
  try {
    std::forward<Body>(body)();
    return true;
  } catch (const std::bad_alloc&) {
    why = "out of memory";
  } catch (const std::exception& e) {
    why = e.what();
  } catch (...) {
    why = "an exception of an unknown type";
  }
  try {
    report(what + " stopped: " + why);
  } catch (...) {
    // Nowhere left to say it; the thread ends quietly rather than terminating the program.
  }
  return false;
}

}  // namespace parktwin::live
