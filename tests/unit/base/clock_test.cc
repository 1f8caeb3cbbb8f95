#include "danhba/base/clock.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <ctime>

namespace danhba::base {
namespace {

TimePoint At(int y, unsigned m, unsigned d, int hour, int minute, int second) {
  using namespace std::chrono;
  return TimePoint(sys_days(year{y} / month{m} / day{d}) + hours(hour) + minutes(minute) +
                   seconds(second));
}

TEST(ClockTest, FormatUtcIsUtcWhateverTheTimeZone) {
  for (const char* zone : {"UTC", "Asia/Ho_Chi_Minh", "America/New_York"}) {
    ::setenv("TZ", zone, 1);
    ::tzset();
    EXPECT_EQ(FormatUtc(At(2026, 11, 28, 5, 0, 0)), "2026-11-28T05:00:00Z") << zone;
    EXPECT_EQ(FormatUtc(At(2030, 12, 31, 16, 59, 59) + std::chrono::microseconds(999'999)),
              "2030-12-31T16:59:59Z")
        << zone;
    EXPECT_EQ(FormatUtc(At(1970, 1, 1, 0, 0, 0)), "1970-01-01T00:00:00Z") << zone;
  }
  ::unsetenv("TZ");
  ::tzset();
}

TEST(ClockTest, TheSystemClockMoves) {
  const TimePoint first = SystemClock()();
  TimePoint later = first;
  for (int i = 0; i < 1'000'000 && later == first; ++i) later = SystemNow();
  EXPECT_GT(later, first);
}

}  // namespace
}  // namespace danhba::base
