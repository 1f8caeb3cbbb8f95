#include "journal/format.h"

#include <cstring>

#include "journal/crc32c.h"

namespace danhba::journal::format {
namespace {

void PutU8(std::string& out, std::uint8_t v) { out.push_back(static_cast<char>(v)); }

void PutU32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFU));
}

void PutU64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFU));
}

void PutTime(std::string& out, TimePoint t) {
  PutU64(out, static_cast<std::uint64_t>(t.time_since_epoch().count()));
}

void PutString(std::string& out, std::string_view s) {
  PutU32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

void PutOptionalTime(std::string& out, const std::optional<TimePoint>& t) {
  PutU8(out, t ? 1 : 0);
  PutTime(out, t.value_or(TimePoint{}));
}

std::uint32_t GetU32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::uint64_t GetU64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Reads fields from a record body; any read past the end, or an invalid
// value, sets failed_ with a reason, and later reads return zeros.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  std::uint8_t U8() {
    if (!Need(1)) return 0;
    auto v = static_cast<std::uint8_t>(data_[pos_]);
    pos_ += 1;
    return v;
  }
  std::uint32_t U32() {
    if (!Need(4)) return 0;
    auto v = GetU32(data_.data() + pos_);
    pos_ += 4;
    return v;
  }
  std::uint64_t U64() {
    if (!Need(8)) return 0;
    auto v = GetU64(data_.data() + pos_);
    pos_ += 8;
    return v;
  }
  TimePoint Time() {
    return TimePoint(std::chrono::microseconds(static_cast<std::int64_t>(U64())));
  }
  std::optional<TimePoint> OptionalTime() {
    std::uint8_t flag = U8();
    TimePoint t = Time();
    if (flag > 1) Fail("bad optional-time flag");
    if (flag == 1) return t;
    return std::nullopt;
  }
  std::string String() {
    std::uint32_t n = U32();
    if (!Need(n)) return {};
    std::string s(data_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  EventState State() {
    std::uint8_t v = U8();
    if (v < 1 || v > 4) {
      Fail("bad event state " + std::to_string(v));
      return EventState::kQueued;
    }
    return static_cast<EventState>(v);
  }
  Status Finish(std::string_view what) {
    if (!failed_ && pos_ != data_.size()) Fail("trailing bytes");
    if (failed_) return InvalidInput(std::string(what) + " record: " + reason_);
    return Ok();
  }

 private:
  bool Need(std::size_t n) {
    if (failed_) return false;
    if (data_.size() - pos_ < n) {
      Fail("body too short");
      return false;
    }
    return true;
  }
  void Fail(std::string reason) {
    if (!failed_) reason_ = std::move(reason);
    failed_ = true;
  }

  std::string_view data_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  std::string reason_;
};

// Frames `body` (already appended to `out` after a placeholder header
// starting at `start`) by filling in the header.
void Frame(std::string& out, std::size_t start, RecordType type) {
  std::size_t body = out.size() - start - kRecordHeaderBytes;
  std::string header;
  PutU32(header, 0);
  PutU32(header, static_cast<std::uint32_t>(body));
  PutU8(header, static_cast<std::uint8_t>(type));
  std::memcpy(out.data() + start, header.data(), header.size());
  std::uint32_t crc = Crc32c(std::string_view(out).substr(start + 4));
  std::string crc_bytes;
  PutU32(crc_bytes, crc);
  std::memcpy(out.data() + start, crc_bytes.data(), 4);
}

std::size_t BeginRecord(std::string& out) {
  std::size_t start = out.size();
  out.append(kRecordHeaderBytes, '\0');
  return start;
}

}  // namespace

std::string EncodeHeader(const SegmentHeader& header) {
  std::string out(kMagic);
  PutU32(out, header.version);
  PutU32(out, static_cast<std::uint32_t>(header.kind));
  PutU64(out, header.number);
  PutU64(out, header.first_covered);
  PutU32(out, Crc32c(out));
  return out;
}

Result<SegmentHeader> DecodeHeader(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes) {
    return InvalidInput("segment header is " + std::to_string(bytes.size()) + " bytes, expected " +
                        std::to_string(kHeaderBytes));
  }
  if (bytes.substr(0, kMagic.size()) != kMagic)
    return InvalidInput("not a journal segment (bad magic)");
  if (Crc32c(bytes.substr(0, kHeaderBytes - 4)) != GetU32(bytes.data() + kHeaderBytes - 4)) {
    return InvalidInput("segment header checksum mismatch");
  }
  SegmentHeader header;
  header.version = GetU32(bytes.data() + 8);
  std::uint32_t kind = GetU32(bytes.data() + 12);
  header.number = GetU64(bytes.data() + 16);
  header.first_covered = GetU64(bytes.data() + 24);
  if (header.version > kVersion) {
    return ConfigError("journal format version " + std::to_string(header.version) +
                       " is newer than this danhba reads (" + std::to_string(kVersion) + ")");
  }
  if (kind > 1) return InvalidInput("unknown segment kind " + std::to_string(kind));
  header.kind = static_cast<SegmentKind>(kind);
  if (header.first_covered > header.number)
    return InvalidInput("segment covers a range past itself");
  return header;
}

void AppendEvent(std::string& out, const EventRecord& r) {
  std::size_t start = BeginRecord(out);
  PutU64(out, r.seq);
  PutTime(out, r.received_at);
  PutOptionalTime(out, r.not_before);
  PutString(out, r.id);
  PutString(out, r.sender);
  PutString(out, r.payload);
  Frame(out, start, RecordType::kEvent);
}

void AppendStatus(std::string& out, const StatusRecord& r) {
  std::size_t start = BeginRecord(out);
  PutString(out, r.id);
  PutU8(out, static_cast<std::uint8_t>(r.state));
  PutTime(out, r.at);
  PutOptionalTime(out, r.not_before);
  PutString(out, r.detail);
  Frame(out, start, RecordType::kStatus);
}

void AppendKnownIds(std::string& out, const std::vector<KnownId>& ids) {
  std::size_t start = BeginRecord(out);
  PutU32(out, static_cast<std::uint32_t>(ids.size()));
  for (const KnownId& k : ids) {
    PutString(out, k.id);
    PutU64(out, k.seq);
    PutString(out, k.sender);
    PutTime(out, k.received_at);
    PutU8(out, static_cast<std::uint8_t>(k.state));
    PutTime(out, k.updated_at);
    PutString(out, k.detail);
  }
  Frame(out, start, RecordType::kKnownIds);
}

Result<EventRecord> DecodeEvent(std::string_view body) {
  Reader in(body);
  EventRecord r;
  r.seq = in.U64();
  r.received_at = in.Time();
  r.not_before = in.OptionalTime();
  r.id = in.String();
  r.sender = in.String();
  r.payload = in.String();
  DANHBA_RETURN_IF_ERROR(in.Finish("event"));
  return r;
}

Result<StatusRecord> DecodeStatus(std::string_view body) {
  Reader in(body);
  StatusRecord r;
  r.id = in.String();
  r.state = in.State();
  r.at = in.Time();
  r.not_before = in.OptionalTime();
  r.detail = in.String();
  DANHBA_RETURN_IF_ERROR(in.Finish("status"));
  return r;
}

Result<std::vector<KnownId>> DecodeKnownIds(std::string_view body) {
  Reader in(body);
  std::uint32_t count = in.U32();
  std::vector<KnownId> ids;
  // Each entry takes at least 41 bytes; a larger count is damage, not a reason to allocate.
  if (count > body.size() / 41)
    return InvalidInput("known-ids record: count " + std::to_string(count) + " too large");
  ids.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    KnownId k;
    k.id = in.String();
    k.seq = in.U64();
    k.sender = in.String();
    k.received_at = in.Time();
    k.state = in.State();
    k.updated_at = in.Time();
    k.detail = in.String();
    ids.push_back(std::move(k));
  }
  DANHBA_RETURN_IF_ERROR(in.Finish("known-ids"));
  return ids;
}

Parse ParseRecord(std::string_view data, RawRecord& out) {
  if (data.size() < kRecordHeaderBytes) return Parse::kIncomplete;
  std::uint32_t length = GetU32(data.data() + 4);
  if (data.size() - kRecordHeaderBytes < length) return Parse::kIncomplete;
  std::size_t size = kRecordHeaderBytes + length;
  if (Crc32c(data.substr(4, size - 4)) != GetU32(data.data())) return Parse::kBadChecksum;
  auto type = static_cast<std::uint8_t>(data[8]);
  if (type < 1 || type > 3) return Parse::kBadType;
  out.type = static_cast<RecordType>(type);
  out.body = data.substr(kRecordHeaderBytes, length);
  out.size = size;
  return Parse::kOk;
}

}  // namespace danhba::journal::format
