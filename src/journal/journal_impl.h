// The journal's implementation, shared by the files that each do one of its
// jobs: journal.cc (statuses, reading, the public facade), recovery.cc
// (opening and replaying the log), writer.cc (group commit of appends and
// status changes), compaction.cc (rewriting closed segments). Internal.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "danhba/base/log.h"
#include "danhba/journal/journal.h"
#include "journal/format.h"

namespace danhba::journal::internal {

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
  format::SegmentKind kind = format::SegmentKind::kPlain;
  std::uint64_t first_covered = 0;
  std::uint64_t size = 0;
};

inline bool IsWaiting(EventState state) {
  return state == EventState::kQueued || state == EventState::kScheduled;
}

inline EventState InitialState(TimePoint received_at, const std::optional<TimePoint>& not_before) {
  return not_before && *not_before > received_at ? EventState::kScheduled : EventState::kQueued;
}

EventInfo ToInfo(const std::string& id, const Entry& e);

// Damage in the middle of the log (not a torn tail): an internal error naming
// the file and offset, and what the operator can do.
Error Corruption(const std::string& path, std::uint64_t offset, std::string_view what);

}  // namespace danhba::journal::internal

namespace danhba::journal {

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
    std::unordered_map<std::string, internal::Entry> entries;
    std::vector<std::pair<std::string, std::uint64_t>>
        new_events;  // id, offset in the group buffer
  };

  std::string SegmentPath(std::uint64_t number) const {
    char name[32];
    std::snprintf(name, sizeof name, "%08llu", static_cast<unsigned long long>(number));
    return options_.dir + "/" + name + std::string(internal::kSegmentSuffix);
  }

  Status Commit(Writer& writer);
  // Validates and encodes one writer's batch; on failure nothing of it is kept.
  Status Stage(Writer& writer, Staging& group, std::string& buffer, std::uint64_t& next_seq,
               TimePoint now);
  const internal::Entry* Find(const std::string& id, const Staging& group,
                              const Staging& mine) const;
  Status WriteGroup(const std::string& buffer);
  Status RollLocked();
  Status ReplaySegment(const std::string& path, std::string_view data, bool is_last,
                       std::uint64_t number, std::uint64_t& valid_end, bool& torn_header);
  Status ApplyRecord(const format::RawRecord& raw, std::uint64_t segment, std::uint64_t offset);
  Error BrokenError() const {
    return Internal("journal " + options_.dir + " stopped after a failed write (" +
                    broken_->ToString() + "); reopen it to recover");
  }
  Result<std::string> ReadPayload(std::uint64_t segment, std::uint64_t offset,
                                  const std::string& id) const;

  JournalOptions options_;
  Env& env_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<FileLock> lock_;

  // Held by whoever does file I/O: the commit leader, Compact(), Show().
  // Taken before mutex_ when both are needed.
  mutable std::mutex file_mutex_;
  std::vector<internal::SegmentInfo> segments_;  // guarded by file_mutex_, ascending
  std::unique_ptr<WritableFile> active_;         // guarded by file_mutex_; the last segment
  std::atomic<std::uint64_t> segment_count_{0};

  mutable std::mutex mutex_;
  std::unordered_map<std::string, internal::Entry> entries_;  // guarded by mutex_
  std::map<std::uint64_t, std::string>
      waiting_;                        // guarded by mutex_; seq -> id, queued or scheduled
  std::uint64_t next_seq_ = 1;         // guarded by mutex_
  std::optional<Error> broken_;        // guarded by mutex_
  std::deque<Writer*> writers_;        // guarded by mutex_; the front one leads
  std::uint64_t commits_ = 0;          // guarded by mutex_
  std::uint64_t records_written_ = 0;  // guarded by mutex_
  std::uint64_t bytes_written_ = 0;    // guarded by mutex_
};

}  // namespace danhba::journal
