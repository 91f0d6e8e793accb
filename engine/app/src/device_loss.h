#pragma once
// How often a lost GPU device (VK_ERROR_DEVICE_LOST) is made again before an unattended process
// gives up: the viewer and the wall nodes recreate their renderers and go on, unless the device was
// lost more than 5 times in 10 minutes (a GPU that keeps failing).
#include <chrono>
#include <deque>
#include <ostream>

namespace parktwin::app {

class DeviceLosses {
 public:
  /// Records a loss now; true = make the device again (said on `log`), false = give up (said why).
  bool again(std::ostream& log, const char* who) {
    const auto now = std::chrono::steady_clock::now();
    at_.push_back(now);
    while (now - at_.front() > std::chrono::minutes(10)) at_.pop_front();
    if (at_.size() > 5) {
      log << who << ": the GPU device was lost " << at_.size()
          << " times in 10 minutes: giving up (check the GPU driver's log, e.g. dmesg, and the GPU's cooling)"
          << std::endl;
      return false;
    }
    log << who << ": the GPU device was lost (VK_ERROR_DEVICE_LOST: a driver reset or a GPU fault); "
        << "creating it again and uploading the scene" << std::endl;
    return true;
  }

 private:
  std::deque<std::chrono::steady_clock::time_point> at_;
};

}  // namespace parktwin::app
