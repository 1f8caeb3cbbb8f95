#include "danhba/model/date.h"

#include "model/quote.h"

namespace danhba::model {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The value of s[from, from+n) when all are digits, else -1.
int Digits(std::string_view s, std::size_t from, std::size_t n) {
  int value = 0;
  for (std::size_t i = from; i < from + n; ++i) {
    if (!IsDigit(s[i])) return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Date> Date::FromYmd(int year, int month, int day) {
  using namespace std::chrono;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) {
    return InvalidInput("no such date");
  }
  const year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return InvalidInput("no such date");
  return Date(static_cast<std::int16_t>(year), static_cast<std::int8_t>(month),
              static_cast<std::int8_t>(day));
}

Result<Date> Date::Parse(std::string_view iso) {
  auto bad = [&] { return InvalidInput(internal::Quote(iso) + " is not a date (YYYY-MM-DD)"); };
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return bad();
  const int y = Digits(iso, 0, 4);
  const int m = Digits(iso, 5, 2);
  const int d = Digits(iso, 8, 2);
  if (y < 0 || m < 0 || d < 0) return bad();
  auto date = FromYmd(y, m, d);
  if (!date.ok()) return bad();
  return date;
}

Result<Date> Date::ParseDayMonthYear(std::string_view text) {
  const std::string_view s = TrimSpaces(text);
  auto bad = [&] {
    return InvalidInput(internal::Quote(text) + " is not a date (dd/mm/yyyy or yyyy-mm-dd)");
  };
  if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
    auto iso = Parse(s);
    if (!iso.ok()) return bad();
    return iso;
  }
  // d{1,2} SEP m{1,2} SEP yyyy, one separator throughout.
  const std::size_t first = s.find_first_of("/-.");
  if (first == std::string_view::npos || first == 0 || first > 2) return bad();
  const char sep = s[first];
  const std::size_t second = s.find(sep, first + 1);
  if (second == std::string_view::npos || second == first + 1 || second > first + 3) return bad();
  if (s.size() - second - 1 != 4) return bad();
  const int d = Digits(s, 0, first);
  const int m = Digits(s, first + 1, second - first - 1);
  const int y = Digits(s, second + 1, 4);
  if (d < 0 || m < 0 || y < 0) return bad();
  auto date = FromYmd(y, m, d);
  if (!date.ok()) return bad();
  return date;
}

Date Date::FromSysDays(std::chrono::sys_days days) {
  const std::chrono::year_month_day ymd{days};
  return Date(static_cast<std::int16_t>(static_cast<int>(ymd.year())),
              static_cast<std::int8_t>(static_cast<unsigned>(ymd.month())),
              static_cast<std::int8_t>(static_cast<unsigned>(ymd.day())));
}

std::chrono::sys_days Date::ToSysDays() const {
  return std::chrono::sys_days{std::chrono::year{year_} /
                               std::chrono::month{static_cast<unsigned>(month_)} /
                               std::chrono::day{static_cast<unsigned>(day_)}};
}

std::string Date::ToString() const {
  std::string out(10, '0');
  auto put = [&out](std::size_t at, int value, int width) {
    for (int k = width - 1; k >= 0; --k, value /= 10) {
      out[at + static_cast<std::size_t>(k)] = static_cast<char>('0' + value % 10);
    }
  };
  put(0, year_, 4);
  out[4] = '-';
  put(5, month_, 2);
  out[7] = '-';
  put(8, day_, 2);
  return out;
}

base::TimePoint ProvinceStartOfDay(const Date& date) {
  return std::chrono::time_point_cast<std::chrono::microseconds>(date.ToSysDays() -
                                                                 kProvinceUtcOffset);
}

Date ProvinceDate(base::TimePoint t) {
  return Date::FromSysDays(std::chrono::floor<std::chrono::days>(t + kProvinceUtcOffset));
}

}  // namespace danhba::model
