#include "danhba/model/date.h"

#include <gtest/gtest.h>

namespace danhba::model {
namespace {

TEST(DateTest, ParsesIsoDates) {
  auto d = Date::Parse("2026-12-01");
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d->year(), 2026);
  EXPECT_EQ(d->month(), 12);
  EXPECT_EQ(d->day(), 1);
  EXPECT_EQ(d->ToString(), "2026-12-01");
  EXPECT_EQ(Date::Parse("0001-01-01")->ToString(), "0001-01-01");
  EXPECT_TRUE(Date::Parse("2024-02-29").ok());
  EXPECT_TRUE(Date::Parse("2000-02-29").ok());
}

TEST(DateTest, RejectsWhatIsNotADay) {
  for (const char* bad : {"1990-13-01", "2026-02-29", "1900-02-29", "2026-04-31", "2026-00-10",
                          "2026-01-00", "0000-01-01", "2026-1-01", "2026/01/01", "20260101",
                          " 2026-01-01", "2026-01-01T00:00", "", "abcd-ef-gh", "+026-01-01"}) {
    auto d = Date::Parse(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(d.error().detail, "\"" + std::string(bad) + "\" is not a date (YYYY-MM-DD)");
  }
}

TEST(DateTest, ParsesVietnameseDayMonthYear) {
  EXPECT_EQ(Date::ParseDayMonthYear("01/05/1990")->ToString(), "1990-05-01");
  EXPECT_EQ(Date::ParseDayMonthYear("1/5/1990")->ToString(), "1990-05-01");
  EXPECT_EQ(Date::ParseDayMonthYear("31-12-1985")->ToString(), "1985-12-31");
  EXPECT_EQ(Date::ParseDayMonthYear("31.12.1985")->ToString(), "1985-12-31");
  EXPECT_EQ(Date::ParseDayMonthYear("1985-12-31")->ToString(), "1985-12-31");
  EXPECT_EQ(Date::ParseDayMonthYear(" 01/05/1990 ")->ToString(), "1990-05-01");
  for (const char* bad : {"31/02/1990", "05/13/1990", "01/05/90", "01/05-1990", "1/5/19900",
                          "001/5/1990", "/5/1990", "1//1990", "1990-13-01", "hôm nay"}) {
    auto d = Date::ParseDayMonthYear(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.error().detail,
              "\"" + std::string(bad) + "\" is not a date (dd/mm/yyyy or yyyy-mm-dd)");
  }
}

TEST(DateTest, OrdersChronologically) {
  const Date a = *Date::Parse("2025-12-31");
  const Date b = *Date::Parse("2026-01-01");
  const Date c = *Date::Parse("2026-01-02");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_GT(c, a);
  EXPECT_EQ(b, *Date::Parse("2026-01-01"));
  EXPECT_LT(*Date::Parse("2026-01-31"), *Date::Parse("2026-02-01"));
}

TEST(DateTest, ConvertsToAndFromSysDays) {
  const Date d = *Date::Parse("2026-11-28");
  EXPECT_EQ(Date::FromSysDays(d.ToSysDays()), d);
  EXPECT_EQ(Date::FromSysDays(d.ToSysDays() + std::chrono::days{4}).ToString(), "2026-12-02");
  EXPECT_EQ(Date().ToString(), "1970-01-01");
  EXPECT_EQ(Date().ToSysDays().time_since_epoch().count(), 0);
}

}  // namespace
}  // namespace danhba::model
