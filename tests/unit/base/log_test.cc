#include "danhba/base/log.h"

#include <gtest/gtest.h>

namespace danhba {
namespace {

TEST(LogTest, OneLoggerPerModule) {
  auto first = log::Get("ldap");
  auto again = log::Get("ldap");
  auto other = log::Get("slapd");
  EXPECT_EQ(first.get(), again.get());
  EXPECT_NE(first.get(), other.get());
  EXPECT_EQ(first->name(), "ldap");
}

TEST(LogTest, SetLevelAppliesToAllAndRejectsUnknown) {
  auto logger = log::Get("naming");
  ASSERT_TRUE(log::SetLevel("debug").ok());
  EXPECT_EQ(logger->level(), spdlog::level::debug);
  EXPECT_EQ(log::Get("created-later")->level(), spdlog::level::debug);
  Status bad = log::SetLevel("loud");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().detail.find("loud"), std::string::npos);
  EXPECT_EQ(logger->level(), spdlog::level::debug);
  ASSERT_TRUE(log::SetLevel("info").ok());
}

}  // namespace
}  // namespace danhba
