#include "danhba/base/result.h"

#include <gtest/gtest.h>

#include <string>

namespace danhba {
namespace {

Result<int> ParsePositive(int n) {
  if (n <= 0) return InvalidInput("n must be positive, got " + std::to_string(n));
  return n;
}

Status Chain(int n) {
  DANHBA_RETURN_IF_ERROR(ParsePositive(n));
  return Ok();
}

TEST(ResultTest, HoldsValue) {
  auto result = ParsePositive(3);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 3);
}

TEST(ResultTest, HoldsErrorWithReadableText) {
  auto result = ParsePositive(-1);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(result.error().ToString(), "invalid input: n must be positive, got -1");
  EXPECT_FALSE(result.error().transient());
}

TEST(ResultTest, ReturnIfErrorPropagates) {
  EXPECT_TRUE(Chain(1).ok());
  Status failed = Chain(0);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidInput);
}

Result<std::string> Doubled(int n) {
  DANHBA_ASSIGN_OR_RETURN(int value, ParsePositive(n));
  std::string text;
  DANHBA_ASSIGN_OR_RETURN(text, Result<std::string>(std::to_string(value * 2)));
  return text;
}

TEST(ResultTest, AssignOrReturnMovesTheValueOrReturnsTheError) {
  Result<std::string> doubled = Doubled(21);
  ASSERT_TRUE(doubled.ok());
  EXPECT_EQ(*doubled, "42");
  Result<std::string> failed = Doubled(-2);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().detail, "n must be positive, got -2");
}

TEST(ResultTest, TransientIsMarked) { EXPECT_TRUE(Transient("server down").transient()); }

}  // namespace
}  // namespace danhba
