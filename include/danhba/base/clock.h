// Wall-clock time. Every part of danhba that needs "now" is handed a Clock by
// its owner (the daemon makes one, tests make their own), so no date in a test
// depends on the day it runs, and faketime moves the whole process at once.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace danhba::base {

// Wall-clock time with microsecond precision, as the journal stores it.
using TimePoint = std::chrono::sys_time<std::chrono::microseconds>;

// Returns the current time; must be safe to call from any thread.
using Clock = std::function<TimePoint()>;

// The system's real-time clock.
TimePoint SystemNow();
Clock SystemClock();

// RFC 3339 in UTC to the second, "2026-11-28T05:00:00Z", whatever the
// process's time zone.
std::string FormatUtc(TimePoint t);

}  // namespace danhba::base
