#include "journal/format.h"

#include <gtest/gtest.h>

namespace danhba::journal::format {
namespace {

TimePoint At(std::int64_t micros) { return TimePoint(std::chrono::microseconds(micros)); }

TEST(FormatTest, HeaderRoundTripAndDamage) {
  SegmentHeader h{kVersion, SegmentKind::kCompacted, 7, 3};
  std::string bytes = EncodeHeader(h);
  ASSERT_EQ(bytes.size(), kHeaderBytes);
  EXPECT_EQ(bytes.substr(0, 8), "DANHBAJL");
  auto back = DecodeHeader(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->number, 7U);
  EXPECT_EQ(back->first_covered, 3U);
  EXPECT_EQ(back->kind, SegmentKind::kCompacted);

  std::string damaged = bytes;
  damaged[17] ^= 1;
  EXPECT_FALSE(DecodeHeader(damaged).ok());
  EXPECT_FALSE(DecodeHeader(bytes.substr(0, 20)).ok());
}

TEST(FormatTest, NewerVersionIsAConfigError) {
  std::string bytes = EncodeHeader(SegmentHeader{kVersion + 1, SegmentKind::kPlain, 1, 1});
  auto back = DecodeHeader(bytes);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code, ErrorCode::kConfig);
  EXPECT_NE(back.error().detail.find("newer"), std::string::npos);
}

TEST(FormatTest, RecordsRoundTrip) {
  std::string out;
  AppendEvent(out, EventRecord{42, At(1000), At(5000), "hr-1", "hr", std::string("a\0b", 3)});
  AppendStatus(out, StatusRecord{"hr-1", EventState::kApplied, At(2000), std::nullopt, "annv"});
  AppendKnownIds(out, {KnownId{"hr-0", 41, "hr", At(10), EventState::kRejected, At(20), "bad agency"}});

  std::string_view rest = out;
  RawRecord raw;
  ASSERT_EQ(ParseRecord(rest, raw), Parse::kOk);
  ASSERT_EQ(raw.type, RecordType::kEvent);
  auto event = DecodeEvent(raw.body);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->seq, 42U);
  EXPECT_EQ(event->payload, std::string("a\0b", 3));
  EXPECT_EQ(event->not_before, At(5000));
  rest.remove_prefix(raw.size);

  ASSERT_EQ(ParseRecord(rest, raw), Parse::kOk);
  ASSERT_EQ(raw.type, RecordType::kStatus);
  auto status = DecodeStatus(raw.body);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, EventState::kApplied);
  EXPECT_EQ(status->detail, "annv");
  EXPECT_FALSE(status->not_before.has_value());
  rest.remove_prefix(raw.size);

  ASSERT_EQ(ParseRecord(rest, raw), Parse::kOk);
  auto known = DecodeKnownIds(raw.body);
  ASSERT_TRUE(known.ok());
  ASSERT_EQ(known->size(), 1U);
  EXPECT_EQ((*known)[0].detail, "bad agency");
  rest.remove_prefix(raw.size);
  EXPECT_TRUE(rest.empty());
}

TEST(FormatTest, EveryPrefixIsIncompleteAndEveryBitFlipIsCaught) {
  std::string out;
  AppendEvent(out, EventRecord{1, At(1), std::nullopt, "id", "s", "payload"});
  RawRecord raw;
  for (std::size_t n = 0; n < out.size(); ++n) {
    EXPECT_EQ(ParseRecord(std::string_view(out).substr(0, n), raw), Parse::kIncomplete) << n;
  }
  for (std::size_t byte = 0; byte < out.size(); ++byte) {
    std::string damaged = out;
    damaged[byte] ^= 0x10;
    EXPECT_NE(ParseRecord(damaged, raw), Parse::kOk) << byte;
  }
}

TEST(FormatTest, BodiesWithBadLengthsAreRejected) {
  std::string out;
  AppendStatus(out, StatusRecord{"x", EventState::kRejected, At(1), std::nullopt, "why"});
  RawRecord raw;
  ASSERT_EQ(ParseRecord(out, raw), Parse::kOk);
  std::string body(raw.body);
  EXPECT_FALSE(DecodeStatus(body.substr(0, body.size() - 1)).ok());
  EXPECT_FALSE(DecodeStatus(body + "x").ok());
  EXPECT_FALSE(DecodeEvent(body).ok());
}

}  // namespace
}  // namespace danhba::journal::format
