#include "danhba/base/clock.h"

namespace danhba::base {

TimePoint SystemNow() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

Clock SystemClock() { return &SystemNow; }

}  // namespace danhba::base
