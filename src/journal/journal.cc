#include "danhba/journal/journal.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>

#include <spdlog/logger.h>

#include "danhba/base/log.h"
#include "journal/crc32c.h"
#include "journal/format.h"

namespace danhba::journal {
namespace {

namespace jf = format;

// A group stops taking writers beyond this many bytes (the leader's own batch
// always goes in), so one huge group does not hold every caller back.
constexpr std::size_t kMaxGroupBytes = 4 * 1024 * 1024;
// Ids per known-ids record written by compaction.
constexpr std::size_t kKnownIdsPerRecord = 1024;
constexpr std::string_view kSegmentSuffix = ".seg";
constexpr std::string_view kTempSuffix = ".seg.tmp";

struct Entry {
  std::uint64_t seq = 0;
  std::string sender;
  TimePoint received_at{};
  std::optional<TimePoint> not_before;
  EventState state = EventState::kQueued;
  std::string detail;
  TimePoint updated_at{};
  bool compacted = false;
  // Where the event record is (segment number, offset of its header); unset
  // when compacted.
  std::uint64_t segment = 0;
  std::uint64_t offset = 0;
  // Held in memory until the event is applied; read from disk after that.
  std::optional<std::string> payload;
};

struct SegmentInfo {
  std::uint64_t number = 0;
  jf::SegmentKind kind = jf::SegmentKind::kPlain;
  std::uint64_t first_covered = 0;
  std::uint64_t size = 0;
};

bool IsWaiting(EventState state) { return state == EventState::kQueued || state == EventState::kScheduled; }

EventState InitialState(TimePoint received_at, const std::optional<TimePoint>& not_before) {
  return not_before && *not_before > received_at ? EventState::kScheduled : EventState::kQueued;
}

EventInfo ToInfo(const std::string& id, const Entry& e) {
  return EventInfo{id, e.seq, e.sender, e.received_at, e.not_before, e.state, e.detail, e.updated_at, e.compacted};
}

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

Error Corruption(const std::string& path, std::uint64_t offset, std::string_view what) {
  return Internal("journal corrupt: " + path + " at offset " + std::to_string(offset) + ": " + std::string(what) +
                  "; the records after it are intact, so this is not a torn write. Restore the file from "
                  "a backup, or truncate it at this offset to drop everything from here on");
}

}  // namespace

std::string_view ToString(EventState state) {
  switch (state) {
    case EventState::kQueued: return "queued";
    case EventState::kScheduled: return "scheduled";
    case EventState::kApplied: return "applied";
    case EventState::kRejected: return "rejected";
  }
  return "unknown";
}

Result<EventState> ParseEventState(std::string_view text) {
  for (EventState s : {EventState::kQueued, EventState::kScheduled, EventState::kApplied, EventState::kRejected}) {
    if (text == ToString(s)) return s;
  }
  return InvalidInput("unknown event status '" + std::string(text) +
                      "' (expected queued, scheduled, applied or rejected)");
}

class Journal::Impl {
 public:
  Impl(JournalOptions options, Env& env)
      : options_(std::move(options)), env_(env), log_(log::Get("journal")) {}

  Status Open();
  Result<std::vector<AppendResult>> Append(std::vector<NewEvent> events);
  Status Update(std::vector<StatusChange> changes, bool requeue_applied = false);
  std::vector<Event> Waiting(std::optional<TimePoint> due_at) const;
  std::vector<EventInfo> List(std::optional<EventState> state) const;
  Result<Event> Show(std::string_view id) const;
  Result<EventInfo> Lookup(std::string_view id) const;
  Counts Count() const;
  JournalStats Stats() const;
  Result<CompactionResult> Compact();
  const std::string& dir() const { return options_.dir; }

 private:
  struct Writer {
    const std::vector<NewEvent>* events = nullptr;
    const std::vector<StatusChange>* changes = nullptr;
    // Applied events may be queued again (Journal::Requeue, after a restore).
    bool requeue_applied = false;
    Status status;
    std::vector<AppendResult> results;
    bool done = false;
    std::condition_variable cv;
  };

  // Changes made by a group (or one writer) that reach the index only once
  // written and synced.
  struct Staging {
    std::unordered_map<std::string, Entry> entries;
    std::vector<std::pair<std::string, std::uint64_t>> new_events;  // id, offset in the group buffer
  };

  std::string SegmentPath(std::uint64_t number) const {
    char name[32];
    std::snprintf(name, sizeof name, "%08llu", static_cast<unsigned long long>(number));
    return options_.dir + "/" + name + std::string(kSegmentSuffix);
  }

  Status Commit(Writer& writer);
  // Validates and encodes one writer's batch; on failure nothing of it is kept.
  Status Stage(Writer& writer, Staging& group, std::string& buffer, std::uint64_t& next_seq, TimePoint now);
  const Entry* Find(const std::string& id, const Staging& group, const Staging& mine) const;
  Status WriteGroup(const std::string& buffer);
  Status RollLocked();
  Status ReplaySegment(const std::string& path, std::string_view data, bool is_last, std::uint64_t number,
                       std::uint64_t& valid_end, bool& torn_header);
  Status ApplyRecord(const jf::RawRecord& raw, std::uint64_t segment, std::uint64_t offset);
  Error BrokenError() const {
    return Internal("journal " + options_.dir + " stopped after a failed write (" + broken_->ToString() +
                    "); reopen it to recover");
  }
  Result<std::string> ReadPayload(std::uint64_t segment, std::uint64_t offset, const std::string& id) const;

  JournalOptions options_;
  Env& env_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<FileLock> lock_;

  // Held by whoever does file I/O: the commit leader, Compact(), Show().
  // Taken before mutex_ when both are needed.
  mutable std::mutex file_mutex_;
  std::vector<SegmentInfo> segments_;         // guarded by file_mutex_, ascending
  std::unique_ptr<WritableFile> active_;      // guarded by file_mutex_; the last segment
  std::atomic<std::uint64_t> segment_count_{0};

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mutex_
  std::map<std::uint64_t, std::string> waiting_;    // guarded by mutex_; seq -> id, queued or scheduled
  std::uint64_t next_seq_ = 1;                      // guarded by mutex_
  std::optional<Error> broken_;                     // guarded by mutex_
  std::deque<Writer*> writers_;                     // guarded by mutex_; the front one leads
  std::uint64_t commits_ = 0;                       // guarded by mutex_
  std::uint64_t records_written_ = 0;               // guarded by mutex_
  std::uint64_t bytes_written_ = 0;                 // guarded by mutex_
};

// ---------------------------------------------------------------- opening

Status Journal::Impl::Open() {
  if (options_.dir.empty()) return InvalidInput("journal directory is not set");
  if (options_.segment_bytes < jf::kHeaderBytes) {
    return InvalidInput("journal segment size " + std::to_string(options_.segment_bytes) + " is too small");
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
      std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : options_.dir.substr(0, slash);
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
      if (other.number >= l.header->first_covered && other.number < l.number) leftovers.push_back(other.number);
    }
  }
  std::sort(leftovers.begin(), leftovers.end());
  leftovers.erase(std::unique(leftovers.begin(), leftovers.end()), leftovers.end());
  std::erase_if(loaded, [&](const Loaded& l) { return std::binary_search(leftovers.begin(), leftovers.end(), l.number); });

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
      log_->warn("journal: {} has an incomplete header ({} bytes) from an interrupted start of a segment; "
                 "it holds no records{}", path, data->size(), options_.read_only ? "" : " and is removed");
      break;
    }
    if (valid_end < data->size()) {
      cut_path_size = valid_end;
      log_->warn("journal: {} a torn tail of {} bytes from {} at offset {} (a write that was never acknowledged)",
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
    log_->info("journal: removing {}, replaced by a compacted segment before a restart", SegmentPath(n));
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
  if (cut_path_size) DANHBA_RETURN_IF_ERROR(env_.Truncate(SegmentPath(segments_.back().number), *cut_path_size));
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
  log_->info("journal: opened {}: {} segment(s), {} event(s), {} waiting", options_.dir, segments_.size(),
             entries_.size(), waiting_.size());
  return Ok();
}

Status Journal::Impl::ReplaySegment(const std::string& path, std::string_view data, bool is_last,
                                    std::uint64_t number, std::uint64_t& valid_end, bool& torn_header) {
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
      return Internal("journal " + path + " at offset " + std::to_string(pos) + ": record type " +
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

Status Journal::Impl::ApplyRecord(const jf::RawRecord& raw, std::uint64_t segment, std::uint64_t offset) {
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

// Starts the next segment: header written and synced, directory synced, before
// any record goes into it. REQUIRES: file_mutex_ held.
Status Journal::Impl::RollLocked() {
  std::uint64_t number = segments_.empty() ? 1 : segments_.back().number + 1;
  std::string path = SegmentPath(number);
  auto file = env_.NewWritableFile(path);
  if (!file) return file.take_error();
  jf::SegmentHeader header;
  header.number = number;
  header.first_covered = number;
  DANHBA_RETURN_IF_ERROR((*file)->Append(jf::EncodeHeader(header)));
  DANHBA_RETURN_IF_ERROR((*file)->Sync());
  DANHBA_RETURN_IF_ERROR(env_.SyncDir(options_.dir));
  if (active_) {
    Status closed = active_->Close();
    if (!closed) log_->warn("journal: {}", closed.error().ToString());
  }
  active_ = std::move(file).value();
  segments_.push_back(SegmentInfo{number, jf::SegmentKind::kPlain, number, jf::kHeaderBytes});
  segment_count_ = segments_.size();
  log_->debug("journal: started segment {}", path);
  return Ok();
}

// ---------------------------------------------------------------- writing

Result<std::vector<AppendResult>> Journal::Impl::Append(std::vector<NewEvent> events) {
  if (options_.read_only) return Conflict("journal " + options_.dir + " is open read-only");
  for (std::size_t i = 0; i < events.size(); ++i) {
    const NewEvent& e = events[i];
    std::string which = "event " + std::to_string(i + 1) + " of " + std::to_string(events.size());
    if (e.id.empty()) return InvalidInput(which + ": the id is empty");
    if (e.id.size() > kMaxIdBytes) {
      return InvalidInput(which + ": the id is " + std::to_string(e.id.size()) + " bytes, at most " +
                          std::to_string(kMaxIdBytes) + " are allowed");
    }
    if (e.sender.size() > kMaxSenderBytes) return InvalidInput(which + " ('" + e.id + "'): the sender name is too long");
    if (e.payload.size() > kMaxPayloadBytes) {
      return InvalidInput(which + " ('" + e.id + "'): the payload is " + std::to_string(e.payload.size()) +
                          " bytes, at most " + std::to_string(kMaxPayloadBytes) + " are allowed");
    }
  }
  if (events.empty()) return std::vector<AppendResult>{};
  Writer writer;
  writer.events = &events;
  DANHBA_RETURN_IF_ERROR(Commit(writer));
  return std::move(writer.results);
}

Status Journal::Impl::Update(std::vector<StatusChange> changes, bool requeue_applied) {
  if (options_.read_only) return Conflict("journal " + options_.dir + " is open read-only");
  for (const StatusChange& c : changes) {
    if (c.detail.size() > kMaxDetailBytes) return InvalidInput("status detail for '" + c.id + "' is too long");
    if (c.state == EventState::kScheduled && !c.not_before) {
      return InvalidInput("scheduling '" + c.id + "' needs the time it becomes due");
    }
  }
  if (changes.empty()) return Ok();
  Writer writer;
  writer.changes = &changes;
  writer.requeue_applied = requeue_applied;
  return Commit(writer);
}

const Entry* Journal::Impl::Find(const std::string& id, const Staging& group, const Staging& mine) const {
  if (auto it = mine.entries.find(id); it != mine.entries.end()) return &it->second;
  if (auto it = group.entries.find(id); it != group.entries.end()) return &it->second;
  if (auto it = entries_.find(id); it != entries_.end()) return &it->second;
  return nullptr;
}

Status Journal::Impl::Stage(Writer& writer, Staging& group, std::string& buffer, std::uint64_t& next_seq,
                            TimePoint now) {
  Staging mine;
  std::string bytes;
  std::uint64_t seq = next_seq;
  std::vector<AppendResult> results;
  std::vector<std::pair<std::string, std::uint64_t>> offsets;  // id, offset in `bytes`
  if (writer.events != nullptr) {
    for (const NewEvent& ne : *writer.events) {
      if (const Entry* known = Find(ne.id, group, mine)) {
        results.push_back(AppendResult{ne.id, known->seq, known->state, known->detail, true});
        continue;
      }
      Entry e;
      e.seq = seq++;
      e.sender = ne.sender;
      e.received_at = now;
      e.not_before = ne.not_before;
      e.state = InitialState(now, ne.not_before);
      e.updated_at = now;
      e.payload = ne.payload;
      offsets.emplace_back(ne.id, bytes.size());
      jf::AppendEvent(bytes, jf::EventRecord{e.seq, now, ne.not_before, ne.id, ne.sender, ne.payload});
      results.push_back(AppendResult{ne.id, e.seq, e.state, {}, false});
      mine.entries.insert_or_assign(ne.id, std::move(e));
    }
  } else {
    for (const StatusChange& c : *writer.changes) {
      const Entry* current = Find(c.id, group, mine);
      if (current == nullptr) return NotFound("no event with id '" + c.id + "' in the journal");
      EventState from = current->state;
      std::string transition = "event '" + c.id + "' is " + std::string(ToString(from)) + ", it cannot become " +
                               std::string(ToString(c.state));
      switch (c.state) {
        case EventState::kApplied:
        case EventState::kRejected:
        case EventState::kScheduled:
          if (!IsWaiting(from)) return Conflict(transition);
          break;
        case EventState::kQueued:
          if (writer.requeue_applied) {
            if (from != EventState::kApplied) return Conflict(transition + " again (it is not applied)");
            if (current->compacted) {
              return Conflict("event '" + c.id + "' was applied long ago and its payload has been compacted away; "
                              "it cannot be applied again");
            }
            break;
          }
          if (from != EventState::kRejected) return Conflict(transition + " (only a rejected event can be retried)");
          if (current->compacted) {
            return Conflict("event '" + c.id + "' was rejected long ago and its payload has been compacted away; "
                            "it cannot be retried");
          }
          break;
      }
      Entry e = *current;
      e.state = c.state;
      e.detail = c.detail;
      e.updated_at = now;
      if (c.state == EventState::kScheduled) e.not_before = c.not_before;
      if (c.state == EventState::kQueued) e.not_before.reset();
      if (IsWaiting(e.state) && !e.payload && !e.compacted) {
        // An applied event queued again: its payload is on disk only (the
        // commit leader holds file_mutex_, so the record stays where it is).
        auto payload = ReadPayload(e.segment, e.offset, c.id);
        if (!payload) return payload.take_error();
        e.payload = std::move(payload).value();
      }
      jf::AppendStatus(bytes, jf::StatusRecord{c.id, e.state, now, e.not_before, e.detail});
      mine.entries.insert_or_assign(c.id, std::move(e));
    }
  }
  next_seq = seq;
  for (auto& [id, offset] : offsets) group.new_events.emplace_back(id, buffer.size() + offset);
  buffer += bytes;
  for (auto& [id, e] : mine.entries) group.entries.insert_or_assign(id, std::move(e));
  writer.results = std::move(results);
  return Ok();
}

Status Journal::Impl::WriteGroup(const std::string& buffer) {
  SegmentInfo& active = segments_.back();
  // A segment always takes at least one group, so a record larger than the
  // segment size still has a place.
  if (active.size > jf::kHeaderBytes && active.size + buffer.size() > options_.segment_bytes) {
    DANHBA_RETURN_IF_ERROR(RollLocked());
  }
  DANHBA_RETURN_IF_ERROR(active_->Append(buffer));
  segments_.back().size += buffer.size();
  return active_->Sync();
}

Status Journal::Impl::Commit(Writer& writer) {
  std::unique_lock lock(mutex_);
  writers_.push_back(&writer);
  while (!writer.done && writers_.front() != &writer) writer.cv.wait(lock);
  if (writer.done) return std::move(writer.status);

  // This writer leads: it writes its own batch and those of everyone queued
  // behind it with one write and one fsync.
  lock.unlock();
  std::unique_lock file_lock(file_mutex_);
  lock.lock();
  std::vector<Writer*> group;
  Staging staging;
  std::string buffer;
  std::uint64_t next_seq = next_seq_;
  TimePoint now = env_.Now();
  std::size_t records = 0;
  for (Writer* w : writers_) {
    if (!group.empty() && buffer.size() >= kMaxGroupBytes) break;
    group.push_back(w);
    if (broken_) {
      w->status = BrokenError();
      continue;
    }
    w->status = Stage(*w, staging, buffer, next_seq, now);
    if (w->status) records += w->events != nullptr ? w->events->size() : w->changes->size();
  }

  Status written;
  if (!buffer.empty()) {
    lock.unlock();
    written = WriteGroup(buffer);
    std::uint64_t base = segments_.back().size - buffer.size();  // WriteGroup may have rolled
    std::uint64_t segment = segments_.back().number;
    // The index takes the group before file_mutex_ is released: Compact()
    // rewrites segments from the index, and must not see them without it.
    lock.lock();
    if (written) {
      for (auto& [id, offset] : staging.new_events) {
        Entry& e = staging.entries.at(id);
        e.segment = segment;
        e.offset = base + offset;
      }
      for (auto& [id, e] : staging.entries) {
        if (IsWaiting(e.state)) {
          waiting_.insert_or_assign(e.seq, id);
        } else {
          waiting_.erase(e.seq);
          if (e.state == EventState::kApplied) e.payload.reset();
        }
        entries_.insert_or_assign(id, std::move(e));
      }
      next_seq_ = next_seq;
      ++commits_;
      records_written_ += records;
      bytes_written_ += buffer.size();
    } else {
      log_->error("journal: write to {} failed, no more writes until it is reopened: {}", options_.dir,
                  written.error().ToString());
      broken_ = written.error();
    }
  }
  file_lock.unlock();

  for (Writer* w : group) {
    if (w->status && !written) {
      w->status = written.error();
      w->results.clear();
    }
    w->done = true;
    writers_.pop_front();
    if (w != &writer) w->cv.notify_one();
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  return std::move(writer.status);
}

// ---------------------------------------------------------------- reading

std::vector<Event> Journal::Impl::Waiting(std::optional<TimePoint> due_at) const {
  std::lock_guard lock(mutex_);
  std::vector<Event> out;
  for (const auto& [seq, id] : waiting_) {
    const Entry& e = entries_.at(id);
    if (due_at && e.not_before && *e.not_before > *due_at) continue;
    out.push_back(Event{ToInfo(id, e), e.payload.value_or(std::string())});
  }
  return out;
}

std::vector<EventInfo> Journal::Impl::List(std::optional<EventState> state) const {
  std::vector<EventInfo> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, e] : entries_) {
      if (!state || e.state == *state) out.push_back(ToInfo(id, e));
    }
  }
  std::sort(out.begin(), out.end(), [](const EventInfo& a, const EventInfo& b) { return a.seq < b.seq; });
  return out;
}

Result<EventInfo> Journal::Impl::Lookup(std::string_view id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(id));
  if (it == entries_.end()) return NotFound("no event with id '" + std::string(id) + "' in the journal");
  return ToInfo(it->first, it->second);
}

Result<std::string> Journal::Impl::ReadPayload(std::uint64_t segment, std::uint64_t offset,
                                               const std::string& id) const {
  std::string path = SegmentPath(segment);
  auto header = env_.ReadRange(path, offset, jf::kRecordHeaderBytes);
  if (!header) return header.take_error();
  if (header->size() < jf::kRecordHeaderBytes) return Corruption(path, offset, "record header cut short");
  std::uint32_t length = 0;
  for (int i = 7; i >= 4; --i) length = (length << 8) | static_cast<unsigned char>((*header)[static_cast<std::size_t>(i)]);
  auto record = env_.ReadRange(path, offset, jf::kRecordHeaderBytes + length);
  if (!record) return record.take_error();
  jf::RawRecord raw;
  if (jf::ParseRecord(*record, raw) != jf::Parse::kOk || raw.type != jf::RecordType::kEvent) {
    return Corruption(path, offset, "event record for '" + id + "' does not read back");
  }
  auto event = jf::DecodeEvent(raw.body);
  if (!event || event->id != id) return Corruption(path, offset, "event record for '" + id + "' does not read back");
  return std::move(event->payload);
}

Result<Event> Journal::Impl::Show(std::string_view id) const {
  std::lock_guard file_lock(file_mutex_);  // keeps Compact() from moving the record meanwhile
  Event out;
  std::uint64_t segment = 0;
  std::uint64_t offset = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(std::string(id));
    if (it == entries_.end()) return NotFound("no event with id '" + std::string(id) + "' in the journal");
    out.info = ToInfo(it->first, it->second);
    if (it->second.payload) {
      out.payload = *it->second.payload;
      return out;
    }
    if (it->second.compacted) return out;
    segment = it->second.segment;
    offset = it->second.offset;
  }
  auto payload = ReadPayload(segment, offset, out.info.id);
  if (!payload) return payload.take_error();
  out.payload = std::move(payload).value();
  return out;
}

Counts Journal::Impl::Count() const {
  std::lock_guard lock(mutex_);
  Counts c;
  for (const auto& [id, e] : entries_) {
    switch (e.state) {
      case EventState::kQueued: ++c.queued; break;
      case EventState::kScheduled: ++c.scheduled; break;
      case EventState::kApplied: ++c.applied; break;
      case EventState::kRejected: ++c.rejected; break;
    }
  }
  return c;
}

JournalStats Journal::Impl::Stats() const {
  std::lock_guard lock(mutex_);
  return JournalStats{commits_, records_written_, bytes_written_, writers_.size(), segment_count_.load()};
}

// ---------------------------------------------------------------- compaction

Result<CompactionResult> Journal::Impl::Compact() {
  if (options_.read_only) return Conflict("journal " + options_.dir + " is open read-only");
  std::lock_guard file_lock(file_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (broken_) return BrokenError();
  }
  // Everything but the segment being written is compacted, so first close the
  // current one if it holds records.
  if (segments_.back().size > jf::kHeaderBytes) {
    Status rolled = RollLocked();
    if (!rolled) {
      std::lock_guard lock(mutex_);
      broken_ = rolled.error();
      return rolled.take_error();
    }
  }
  CompactionResult result;
  std::vector<SegmentInfo> closed(segments_.begin(), segments_.end() - 1);
  if (closed.empty()) return result;
  for (const SegmentInfo& s : closed) result.bytes_before += s.size;

  TimePoint cutoff = env_.Now() - std::chrono::duration_cast<std::chrono::microseconds>(options_.compact_after);
  // With writers held off by file_mutex_, every id is in the closed segments
  // and the index is exactly what they say.
  std::vector<std::pair<std::string, Entry>> finished;
  std::vector<std::pair<std::string, Entry>> kept;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, e] : entries_) {
      bool old_final = !IsWaiting(e.state) && (e.compacted || e.updated_at <= cutoff);
      if (old_final) {
        if (!e.compacted) ++result.events_compacted;
        finished.emplace_back(id, e);
      } else {
        kept.emplace_back(id, e);
      }
    }
  }
  if (result.events_compacted == 0 && closed.size() == 1 && closed.front().kind == jf::SegmentKind::kCompacted) {
    result.bytes_after = result.bytes_before;
    return result;  // nothing would change
  }
  auto by_seq = [](const auto& a, const auto& b) { return a.second.seq < b.second.seq; };
  std::sort(finished.begin(), finished.end(), by_seq);
  std::sort(kept.begin(), kept.end(), by_seq);

  const std::uint64_t number = closed.back().number;
  jf::SegmentHeader header;
  header.kind = jf::SegmentKind::kCompacted;
  header.number = number;
  header.first_covered = closed.front().first_covered;
  std::string out = jf::EncodeHeader(header);
  for (std::size_t i = 0; i < finished.size(); i += kKnownIdsPerRecord) {
    std::vector<jf::KnownId> chunk;
    for (std::size_t j = i; j < std::min(finished.size(), i + kKnownIdsPerRecord); ++j) {
      const auto& [id, e] = finished[j];
      chunk.push_back(jf::KnownId{id, e.seq, e.sender, e.received_at, e.state, e.updated_at, e.detail});
    }
    jf::AppendKnownIds(out, chunk);
  }
  std::vector<std::uint64_t> new_offsets;
  for (const auto& [id, e] : kept) {
    // The event record as it first arrived, then its present status when that differs.
    std::string payload;
    if (e.payload) {
      payload = *e.payload;
    } else {
      auto read = ReadPayload(e.segment, e.offset, id);
      if (!read) return read.take_error();
      payload = std::move(read).value();
    }
    new_offsets.push_back(out.size());
    // The original not_before is only needed to rebuild the initial state; the
    // status record below carries the present one.
    jf::AppendEvent(out, jf::EventRecord{e.seq, e.received_at, e.not_before, id, e.sender, payload});
    EventState initial = InitialState(e.received_at, e.not_before);
    if (e.state != initial || !e.detail.empty() || e.updated_at != e.received_at) {
      jf::AppendStatus(out, jf::StatusRecord{id, e.state, e.updated_at, e.not_before, e.detail});
    }
  }

  std::string path = SegmentPath(number);
  std::string temp = path.substr(0, path.size() - kSegmentSuffix.size()) + std::string(kTempSuffix);
  auto write_temp = [&]() -> Status {
    auto file = env_.NewWritableFile(temp);
    if (!file) return file.take_error();
    DANHBA_RETURN_IF_ERROR((*file)->Append(out));
    DANHBA_RETURN_IF_ERROR((*file)->Sync());
    return (*file)->Close();
  };
  if (Status written = write_temp(); !written) {
    (void)env_.RemoveFile(temp);  // Open() removes it too if this fails
    return written.take_error();
  }
  // From the rename on, the compacted segment stands for all the closed ones;
  // Open() removes any of them a crash leaves behind. A failure from here on
  // leaves the in-memory record locations stale, so writing stops until the
  // journal is reopened.
  auto swap = [&]() -> Status {
    DANHBA_RETURN_IF_ERROR(env_.Rename(temp, path));
    DANHBA_RETURN_IF_ERROR(env_.SyncDir(options_.dir));
    for (std::size_t i = 0; i + 1 < closed.size(); ++i) {
      DANHBA_RETURN_IF_ERROR(env_.RemoveFile(SegmentPath(closed[i].number)));
      ++result.segments_removed;
    }
    if (result.segments_removed > 0) DANHBA_RETURN_IF_ERROR(env_.SyncDir(options_.dir));
    return Ok();
  };
  if (Status swapped = swap(); !swapped) {
    std::lock_guard lock(mutex_);
    broken_ = swapped.error();
    log_->error("journal: compaction of {} failed after replacing segments: {}", options_.dir,
                swapped.error().ToString());
    return swapped.take_error();
  }
  result.bytes_after = out.size();

  segments_.erase(segments_.begin(), segments_.end() - 1);
  segments_.insert(segments_.begin(), SegmentInfo{number, jf::SegmentKind::kCompacted, header.first_covered, out.size()});
  segment_count_ = segments_.size();
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, e] : finished) {
      Entry& entry = entries_.at(id);
      entry.compacted = true;
      entry.payload.reset();
      entry.segment = 0;
      entry.offset = 0;
    }
    for (std::size_t i = 0; i < kept.size(); ++i) {
      Entry& entry = entries_.at(kept[i].first);
      entry.segment = number;
      entry.offset = new_offsets[i];
    }
  }
  log_->info("journal: compacted {} segment(s) of {} into {} ({} -> {} bytes, {} event(s) reduced to their id)",
             closed.size(), options_.dir, path, result.bytes_before, result.bytes_after, result.events_compacted);
  return result;
}

// ---------------------------------------------------------------- Journal

Journal::Journal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Journal::~Journal() = default;

Result<std::unique_ptr<Journal>> Journal::Open(JournalOptions options) {
  Env& env = options.env != nullptr ? *options.env : Env::Default();
  auto impl = std::make_unique<Impl>(std::move(options), env);
  DANHBA_RETURN_IF_ERROR(impl->Open());
  return std::unique_ptr<Journal>(new Journal(std::move(impl)));
}

Result<std::vector<AppendResult>> Journal::Append(std::vector<NewEvent> events) {
  return impl_->Append(std::move(events));
}

Result<AppendResult> Journal::Append(NewEvent event) {
  std::vector<NewEvent> one;
  one.push_back(std::move(event));
  auto results = impl_->Append(std::move(one));
  if (!results) return results.take_error();
  return std::move(results->front());
}

Status Journal::Update(std::vector<StatusChange> changes) { return impl_->Update(std::move(changes)); }

Status Journal::MarkApplied(std::string_view id, std::string_view result) {
  return impl_->Update({StatusChange{std::string(id), EventState::kApplied, std::string(result), std::nullopt}});
}

Status Journal::MarkRejected(std::string_view id, std::string_view reason) {
  return impl_->Update({StatusChange{std::string(id), EventState::kRejected, std::string(reason), std::nullopt}});
}

Status Journal::MarkScheduled(std::string_view id, TimePoint not_before, std::string_view note) {
  return impl_->Update({StatusChange{std::string(id), EventState::kScheduled, std::string(note), not_before}});
}

Status Journal::Retry(std::string_view id, std::string_view note) {
  return impl_->Update({StatusChange{std::string(id), EventState::kQueued, std::string(note), std::nullopt}});
}

Status Journal::Requeue(const std::vector<std::string>& ids, std::string_view note) {
  std::vector<StatusChange> changes;
  changes.reserve(ids.size());
  for (const std::string& id : ids) changes.push_back(StatusChange{id, EventState::kQueued, std::string(note), std::nullopt});
  return impl_->Update(std::move(changes), /*requeue_applied=*/true);
}

std::vector<Event> Journal::Pending() const { return impl_->Waiting(std::nullopt); }
std::vector<Event> Journal::Due(TimePoint now) const { return impl_->Waiting(now); }
std::vector<EventInfo> Journal::List(std::optional<EventState> state) const { return impl_->List(state); }
Result<Event> Journal::Show(std::string_view id) const { return impl_->Show(id); }
Result<EventInfo> Journal::Lookup(std::string_view id) const { return impl_->Lookup(id); }
Counts Journal::Count() const { return impl_->Count(); }
JournalStats Journal::Stats() const { return impl_->Stats(); }
Result<CompactionResult> Journal::Compact() { return impl_->Compact(); }
const std::string& Journal::dir() const { return impl_->dir(); }

}  // namespace danhba::journal
