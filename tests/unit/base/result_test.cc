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

TEST(ResultTest, TransientIsMarked) { EXPECT_TRUE(Transient("server down").transient()); }

}  // namespace
}  // namespace danhba
