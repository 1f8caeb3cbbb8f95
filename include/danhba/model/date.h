// A calendar date (proleptic Gregorian, no time zone), as decisions and HR
// records carry them: "2026-12-01". Ordered, so schedules can compare them.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "danhba/base/clock.h"
#include "danhba/base/result.h"

namespace danhba::model {

class Date {
 public:
  // 1970-01-01.
  constexpr Date() = default;

  // Exactly "YYYY-MM-DD" (four-digit year 0001-9999, two-digit month and day)
  // naming a day that exists: "2026-02-29" is an error. The error detail is
  // `"<input>" is not a date (YYYY-MM-DD)`.
  static Result<Date> Parse(std::string_view iso);

  // The forms of Vietnamese staff lists: "dd/mm/yyyy", also with one-digit day
  // or month and with '-' or '.' as separator, or ISO "yyyy-mm-dd". Error detail:
  // `"<input>" is not a date (dd/mm/yyyy or yyyy-mm-dd)`.
  static Result<Date> ParseDayMonthYear(std::string_view text);

  // Ok when the three numbers name an existing day with a year in 1..9999.
  static Result<Date> FromYmd(int year, int month, int day);

  static Date FromSysDays(std::chrono::sys_days days);
  std::chrono::sys_days ToSysDays() const;

  int year() const { return year_; }
  int month() const { return month_; }
  int day() const { return day_; }

  // "YYYY-MM-DD"; Parse(d.ToString()) == d.
  std::string ToString() const;

  friend constexpr auto operator<=>(const Date&, const Date&) = default;

 private:
  constexpr Date(std::int16_t y, std::int8_t m, std::int8_t d) : year_(y), month_(m), day_(d) {}

  // Order of members gives the chronological order of the defaulted <=>.
  std::int16_t year_ = 1970;
  std::int8_t month_ = 1;
  std::int8_t day_ = 1;
};

// The province keeps Vietnam's time (Asia/Ho_Chi_Minh, UTC+7, no daylight
// saving): an effective date begins at 00:00 there, whatever the server's TZ.
inline constexpr std::chrono::hours kProvinceUtcOffset{7};

// 00:00 of `date` in the province.
base::TimePoint ProvinceStartOfDay(const Date& date);

// The province's calendar date at `t`.
Date ProvinceDate(base::TimePoint t);

}  // namespace danhba::model
