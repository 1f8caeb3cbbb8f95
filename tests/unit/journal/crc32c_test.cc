#include "journal/crc32c.h"

#include <gtest/gtest.h>

namespace danhba::journal {
namespace {

TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32c(""), 0U);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283U);
  // RFC 3720 B.4: 32 bytes of zeros, and of 0xFF.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAU);
  EXPECT_EQ(Crc32c(std::string(32, '\xFF')), 0x62A8AB43U);
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string data = "Nguyễn Văn An, Sở Thông tin và Truyền thông";
  for (std::size_t split = 0; split <= data.size(); ++split) {
    std::string_view v(data);
    EXPECT_EQ(Crc32cExtend(Crc32c(v.substr(0, split)), v.substr(split)), Crc32c(v)) << split;
  }
}

}  // namespace
}  // namespace danhba::journal
