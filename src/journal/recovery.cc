// Opening the journal: finding the segments, removing what an interrupted
// compaction left, replaying every record into the index, and cutting a torn
// tail (docs/journal-format.md).
#include <algorithm>
#include <mutex>

#include "danhba/journal/journal.h"
#include "journal/format.h"
#include "journal/journal_impl.h"

namespace danhba::journal {

namespace jf = format;
using internal::Corruption;
using internal::Entry;
using internal::InitialState;
using internal::IsWaiting;
using internal::kSegmentSuffix;
using internal::kTempSuffix;
using internal::SegmentInfo;

namespace {

std::optional<std::uint64_t> ParseSegmentName(std::string_view name) {
  if (name.size() <= kSegmentSuffix.size() || !name.ends_with(kSegmentSuffix)) return std::nullopt;
  std::string_view digits = name.substr(0, name.size() - kSegmentSuffix.size());
  if (digits.size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

// Whether an intact record (known type, matching checksum) starts anywhere in
// data[from..]: what tells damage in the middle of the log from a torn tail.
bool IntactRecordAfter(std::string_view data, std::size_t from) {
  for (std::size_t p = from; p + jf::kRecordHeaderBytes <= data.size(); ++p) {
    auto type = static_cast<std::uint8_t>(data[p + 8]);
    if (type < 1 || type > 3) continue;
    jf::RawRecord raw;
    if (jf::ParseRecord(data.substr(p), raw) == jf::Parse::kOk && !raw.body.empty()) return true;
  }
  return false;
}

}  // namespace

Status Journal::Impl::Open() {
  if (options_.dir.empty()) return InvalidInput("journal directory is not set");
  if (options_.segment_bytes < jf::kHeaderBytes) {
    return InvalidInput("journal segment size " + std::to_string(options_.segment_bytes) +
                        " is too small");
  }
  if (options_.read_only) {
    auto exists = env_.FileExists(options_.dir);
    if (!exists) return exists.take_error();
    if (!*exists) return NotFound("journal directory " + options_.dir + " does not exist");
  } else {
    auto exists = env_.FileExists(options_.dir);
    if (!exists) return exists.take_error();
    if (!*exists) {
      DANHBA_RETURN_IF_ERROR(env_.CreateDir(options_.dir));
      // The new directory's own entry must be durable before anything in it is acknowledged.
      auto slash = options_.dir.find_last_of('/');
      std::string parent = slash == std::string::npos ? "."
                           : slash == 0               ? "/"
                                                      : options_.dir.substr(0, slash);
      DANHBA_RETURN_IF_ERROR(env_.SyncDir(parent));
    }
    auto lock = env_.LockFile(options_.dir + "/LOCK");
    if (!lock) return lock.take_error();
    lock_ = std::move(lock).value();
  }

  auto names = env_.ListDir(options_.dir);
  if (!names) return names.take_error();
  std::vector<std::uint64_t> numbers;
  std::vector<std::string> temps;
  for (const std::string& name : *names) {
    if (auto n = ParseSegmentName(name)) numbers.push_back(*n);
    if (name.ends_with(kTempSuffix)) temps.push_back(options_.dir + "/" + name);
  }
  std::sort(numbers.begin(), numbers.end());

  // Every header first: a compacted segment makes the older ones it replaced
  // leftovers of an interrupted compaction. Segments are then replayed one at
  // a time, so only one is in memory.
  struct Loaded {
    std::uint64_t number;
    std::optional<jf::SegmentHeader> header;
  };
  std::vector<Loaded> loaded;
  for (std::uint64_t n : numbers) {
    auto bytes = env_.ReadRange(SegmentPath(n), 0, jf::kHeaderBytes);
    if (!bytes) return bytes.take_error();
    Loaded l{n, std::nullopt};
    auto header = jf::DecodeHeader(*bytes);
    if (header) {
      l.header = *header;
    } else if (header.error().code == ErrorCode::kConfig) {
      return Error{ErrorCode::kConfig, SegmentPath(n) + ": " + header.error().detail};
    }
    loaded.push_back(l);
  }
  std::vector<std::uint64_t> leftovers;
  for (const Loaded& l : loaded) {
    if (!l.header || l.header->kind != jf::SegmentKind::kCompacted) continue;
    for (const Loaded& other : loaded) {
      if (other.number >= l.header->first_covered && other.number < l.number)
        leftovers.push_back(other.number);
    }
  }
  std::sort(leftovers.begin(), leftovers.end());
  leftovers.erase(std::unique(leftovers.begin(), leftovers.end()), leftovers.end());
  std::erase_if(loaded, [&](const Loaded& l) {
    return std::binary_search(leftovers.begin(), leftovers.end(), l.number);
  });

  std::optional<std::uint64_t> cut_path_size;
  bool drop_last = false;
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    const Loaded& l = loaded[i];
    bool is_last = i + 1 == loaded.size();
    std::string path = SegmentPath(l.number);
    auto data = env_.ReadFile(path);
    if (!data) return data.take_error();
    std::uint64_t valid_end = data->size();
    bool torn_header = false;
    DANHBA_RETURN_IF_ERROR(ReplaySegment(path, *data, is_last, l.number, valid_end, torn_header));
    if (torn_header) {
      drop_last = true;
      log_->warn(
          "journal: {} has an incomplete header ({} bytes) from an interrupted start of a segment; "
          "it holds no records{}",
          path, data->size(), options_.read_only ? "" : " and is removed");
      break;
    }
    if (valid_end < data->size()) {
      cut_path_size = valid_end;
      log_->warn(
          "journal: {} a torn tail of {} bytes from {} at offset {} (a write that was never "
          "acknowledged)",
          options_.read_only ? "ignoring" : "cut", data->size() - valid_end, path, valid_end);
    }
    segments_.push_back(SegmentInfo{l.number, l.header->kind, l.header->first_covered, valid_end});
  }

  // Applied events queued again (Requeue) wait with their payload in memory,
  // like every waiting event.
  for (const auto& [seq, id] : waiting_) {
    Entry& e = entries_.at(id);
    if (e.payload || e.compacted) continue;
    auto payload = ReadPayload(e.segment, e.offset, id);
    if (!payload) return payload.take_error();
    e.payload = std::move(payload).value();
  }

  if (options_.read_only) {
    segment_count_ = segments_.size();
    return Ok();
  }

  // Replay succeeded: only now change anything on disk.
  bool dir_changed = false;
  for (std::uint64_t n : leftovers) {
    log_->info("journal: removing {}, replaced by a compacted segment before a restart",
               SegmentPath(n));
    DANHBA_RETURN_IF_ERROR(env_.RemoveFile(SegmentPath(n)));
    dir_changed = true;
  }
  for (const std::string& temp : temps) {
    log_->info("journal: removing {}, left by an interrupted compaction", temp);
    DANHBA_RETURN_IF_ERROR(env_.RemoveFile(temp));
    dir_changed = true;
  }
  if (drop_last) {
    DANHBA_RETURN_IF_ERROR(env_.RemoveFile(SegmentPath(loaded[segments_.size()].number)));
    dir_changed = true;
  }
  if (cut_path_size)
    DANHBA_RETURN_IF_ERROR(env_.Truncate(SegmentPath(segments_.back().number), *cut_path_size));
  if (dir_changed) DANHBA_RETURN_IF_ERROR(env_.SyncDir(options_.dir));

  std::lock_guard file_lock(file_mutex_);
  if (segments_.empty() || segments_.back().kind == jf::SegmentKind::kCompacted) {
    DANHBA_RETURN_IF_ERROR(RollLocked());
  } else {
    auto file = env_.NewAppendableFile(SegmentPath(segments_.back().number));
    if (!file) return file.take_error();
    active_ = std::move(file).value();
  }
  segment_count_ = segments_.size();
  std::lock_guard lock(mutex_);
  log_->info("journal: opened {}: {} segment(s), {} event(s), {} waiting", options_.dir,
             segments_.size(), entries_.size(), waiting_.size());
  return Ok();
}

Status Journal::Impl::ReplaySegment(const std::string& path, std::string_view data, bool is_last,
                                    std::uint64_t number, std::uint64_t& valid_end,
                                    bool& torn_header) {
  auto header = jf::DecodeHeader(data);
  if (!header) {
    if (is_last && !IntactRecordAfter(data, 0)) {
      torn_header = true;
      return Ok();
    }
    return Corruption(path, 0, header.error().detail);
  }
  if (header->number != number) {
    return Corruption(path, 0, "the header names segment " + std::to_string(header->number));
  }
  std::size_t pos = jf::kHeaderBytes;
  while (pos < data.size()) {
    jf::RawRecord raw;
    jf::Parse parsed = jf::ParseRecord(data.substr(pos), raw);
    if (parsed == jf::Parse::kOk) {
      DANHBA_RETURN_IF_ERROR(ApplyRecord(raw, number, pos));
      pos += raw.size;
      continue;
    }
    if (parsed == jf::Parse::kBadType) {
      return Internal(
          "journal " + path + " at offset " + std::to_string(pos) + ": record type " +
          std::to_string(static_cast<unsigned>(static_cast<unsigned char>(data[pos + 8]))) +
          " is unknown (written by a newer danhba?)");
    }
    std::string what = parsed == jf::Parse::kIncomplete ? "the record runs past the end of the file"
                                                        : "checksum mismatch";
    if (!is_last) return Corruption(path, pos, what + " in a segment that was complete");
    if (IntactRecordAfter(data, pos + 1)) return Corruption(path, pos, what);
    valid_end = pos;
    break;
  }
  return Ok();
}

Status Journal::Impl::ApplyRecord(const jf::RawRecord& raw, std::uint64_t segment,
                                  std::uint64_t offset) {
  auto where = [&] { return SegmentPath(segment) + " at offset " + std::to_string(offset); };
  switch (raw.type) {
    case jf::RecordType::kEvent: {
      auto r = jf::DecodeEvent(raw.body);
      if (!r) return Internal("journal " + where() + ": " + r.error().detail);
      next_seq_ = std::max(next_seq_, r->seq + 1);
      if (entries_.contains(r->id)) {
        log_->warn("journal: {}: event '{}' appears twice; the first is kept", where(), r->id);
        return Ok();
      }
      Entry e;
      e.seq = r->seq;
      e.sender = std::move(r->sender);
      e.received_at = r->received_at;
      e.not_before = r->not_before;
      e.state = InitialState(r->received_at, r->not_before);
      e.updated_at = r->received_at;
      e.segment = segment;
      e.offset = offset;
      e.payload = std::move(r->payload);
      waiting_.emplace(e.seq, r->id);
      entries_.emplace(std::move(r->id), std::move(e));
      return Ok();
    }
    case jf::RecordType::kStatus: {
      auto r = jf::DecodeStatus(raw.body);
      if (!r) return Internal("journal " + where() + ": " + r.error().detail);
      auto it = entries_.find(r->id);
      if (it == entries_.end()) {
        log_->warn("journal: {}: status for unknown event '{}' ignored", where(), r->id);
        return Ok();
      }
      Entry& e = it->second;
      e.state = r->state;
      e.detail = std::move(r->detail);
      e.updated_at = r->at;
      e.not_before = r->not_before;
      if (IsWaiting(e.state)) {
        waiting_.emplace(e.seq, it->first);
      } else {
        waiting_.erase(e.seq);
        if (e.state == EventState::kApplied) e.payload.reset();
      }
      return Ok();
    }
    case jf::RecordType::kKnownIds: {
      auto r = jf::DecodeKnownIds(raw.body);
      if (!r) return Internal("journal " + where() + ": " + r.error().detail);
      for (jf::KnownId& k : *r) {
        next_seq_ = std::max(next_seq_, k.seq + 1);
        if (auto it = entries_.find(k.id); it != entries_.end()) waiting_.erase(it->second.seq);
        Entry e;
        e.seq = k.seq;
        e.sender = std::move(k.sender);
        e.received_at = k.received_at;
        e.state = k.state;
        e.updated_at = k.updated_at;
        e.detail = std::move(k.detail);
        e.compacted = true;
        entries_.insert_or_assign(std::move(k.id), std::move(e));
      }
      return Ok();
    }
  }
  return Internal("journal " + where() + ": unhandled record type");
}

}  // namespace danhba::journal
