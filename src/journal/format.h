// The byte layout of segment files (docs/journal-format.md is the reference;
// keep the two in step). All integers little-endian.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/journal/journal.h"

namespace danhba::journal::format {

inline constexpr std::string_view kMagic = "DANHBAJL";
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::size_t kHeaderBytes = 36;
inline constexpr std::size_t kRecordHeaderBytes = 9;  // crc u32, length u32, type u8

enum class SegmentKind : std::uint32_t { kPlain = 0, kCompacted = 1 };

struct SegmentHeader {
  std::uint32_t version = kVersion;
  SegmentKind kind = SegmentKind::kPlain;
  std::uint64_t number = 0;
  // For a compacted segment, the lowest segment number it replaces (it
  // replaces first_covered..number); for a plain one, its own number.
  std::uint64_t first_covered = 0;
};

std::string EncodeHeader(const SegmentHeader& header);
// Fails (invalid input, with the reason) on a short, foreign or damaged header;
// a config error for a version newer than kVersion.
Result<SegmentHeader> DecodeHeader(std::string_view bytes);

enum class RecordType : std::uint8_t { kEvent = 1, kStatus = 2, kKnownIds = 3 };

struct EventRecord {
  std::uint64_t seq = 0;
  TimePoint received_at{};
  std::optional<TimePoint> not_before;
  std::string id;
  std::string sender;
  std::string payload;
};

struct StatusRecord {
  std::string id;
  EventState state = EventState::kQueued;
  TimePoint at{};
  std::optional<TimePoint> not_before;
  std::string detail;
};

struct KnownId {
  std::string id;
  std::uint64_t seq = 0;
  std::string sender;
  TimePoint received_at{};
  EventState state = EventState::kApplied;
  TimePoint updated_at{};
  std::string detail;
};

// Each appends one framed record (header and body) to `out`.
void AppendEvent(std::string& out, const EventRecord& record);
void AppendStatus(std::string& out, const StatusRecord& record);
void AppendKnownIds(std::string& out, const std::vector<KnownId>& ids);

Result<EventRecord> DecodeEvent(std::string_view body);
Result<StatusRecord> DecodeStatus(std::string_view body);
Result<std::vector<KnownId>> DecodeKnownIds(std::string_view body);

enum class Parse {
  kOk,
  kIncomplete,   // the header or body runs past the end of the data
  kBadChecksum,  // complete, but the CRC does not match
  kBadType,      // the CRC matches but the type is not one this version knows
};

struct RawRecord {
  RecordType type = RecordType::kEvent;
  std::string_view body;
  std::size_t size = 0;  // header + body
};

// Parses the record at the start of `data`.
Parse ParseRecord(std::string_view data, RawRecord& out);

}  // namespace danhba::journal::format
