// The durable event log of the sync daemon.
//
// The journal stores events (opaque payloads, e.g. the JSON of a personnel
// event) keyed by the sender's event id, and the changes of their status.
// An event is durable (written and fsynced) before Append() returns; many
// concurrent callers share one fsync (group commit). The status of every id
// and the queue of events still to apply are rebuilt by replaying the log on
// Open(). The on-disk format is described in docs/journal-format.md.
//
// Thread safety: every method may be called from any thread concurrently,
// except that the Journal must not be destroyed while a call is running.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/journal/env.h"

namespace danhba::journal {

// queued -> applied | rejected | scheduled; scheduled -> applied | rejected |
// scheduled; rejected -> queued (a retry). applied is final, except that a
// restore of the directory from a backup queues the events applied after the
// backup again (Requeue).
enum class EventState : std::uint8_t {
  kQueued = 1,     // waiting to be applied, due now
  kScheduled = 2,  // waiting until not_before (a future effective date, or a back-off)
  kApplied = 3,    // applied; detail holds the result (e.g. the uid)
  kRejected = 4,   // will not be applied unless retried; detail holds the reason
};

// "queued", "scheduled", "applied", "rejected".
std::string_view ToString(EventState state);
// The inverse of ToString; an invalid-input error naming the accepted words.
Result<EventState> ParseEventState(std::string_view text);

// Limits on what one event may carry; beyond them Append() answers invalid input.
inline constexpr std::size_t kMaxIdBytes = 256;
inline constexpr std::size_t kMaxSenderBytes = 256;
inline constexpr std::size_t kMaxPayloadBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxDetailBytes = 64 * 1024;

struct NewEvent {
  std::string id;       // the sender's idempotency key; non-empty
  std::string sender;   // who sent it (a sender name)
  std::string payload;  // opaque bytes
  // Not to be applied before this time. An event with a not_before later than
  // its arrival starts scheduled, otherwise queued.
  std::optional<TimePoint> not_before;
};

struct AppendResult {
  std::string id;
  std::uint64_t seq = 0;  // the event's append sequence number
  EventState state = EventState::kQueued;
  std::string detail;
  // The id was known already: nothing was written, state/detail are the
  // existing event's.
  bool duplicate = false;
};

// A change of status, written by the sync engine (or by an operator's retry).
struct StatusChange {
  std::string id;
  EventState state = EventState::kApplied;
  std::string detail;  // applied: the result; rejected: the reason; others: a note
  // Required for kScheduled (the time the event becomes due); ignored otherwise.
  std::optional<TimePoint> not_before;
};

struct EventInfo {
  std::string id;
  std::uint64_t seq = 0;  // order of arrival over the whole journal, never reused
  std::string sender;
  TimePoint received_at{};
  std::optional<TimePoint> not_before;
  EventState state = EventState::kQueued;
  std::string detail;
  TimePoint updated_at{};  // the last change of state (or arrival)
  // The payload was removed by compaction; only the id and its final status remain.
  bool compacted = false;
};

struct Event {
  EventInfo info;
  std::string payload;  // empty when info.compacted
};

struct Counts {
  std::size_t queued = 0;
  std::size_t scheduled = 0;
  std::size_t applied = 0;
  std::size_t rejected = 0;
  std::size_t total() const { return queued + scheduled + applied + rejected; }
};

struct JournalStats {
  std::uint64_t commits = 0;          // groups written, each with one fsync
  std::uint64_t records_written = 0;  // records in those groups
  std::uint64_t bytes_written = 0;
  std::size_t writers_waiting = 0;  // calls now queued for a commit (incl. the one writing)
  std::uint64_t segments = 0;       // segment files now in the directory
};

struct CompactionResult {
  std::size_t segments_removed = 0;  // segment files replaced by the compacted one
  std::size_t events_compacted = 0;  // events whose payload was dropped by this run
  std::uint64_t bytes_before = 0;
  std::uint64_t bytes_after = 0;
};

struct JournalOptions {
  std::string dir;  // created if missing
  // Must outlive the journal; the POSIX env when null.
  Env* env = nullptr;
  // A new segment file is started when the current one reaches this size.
  std::uint64_t segment_bytes = 16 * 1024 * 1024;
  // Compact() drops the payload of applied and rejected events whose last
  // change is older than this.
  std::chrono::seconds compact_after = std::chrono::hours(24 * 30);
  // Read the journal without locking or changing it (for a CLI beside a running
  // daemon): a torn tail is ignored in memory, not cut; every write fails.
  bool read_only = false;
};

class Journal {
 public:
  // Opens (or creates) the journal in options.dir: removes leftovers of an
  // interrupted compaction, cuts a torn tail of the last segment (logging how
  // many bytes), and replays every record. A damaged record followed by intact
  // ones is corruption: an internal error naming the file and offset, and
  // nothing is changed. A second open of the same directory, in this process
  // or another, is a conflict error while the first is open.
  static Result<std::unique_ptr<Journal>> Open(JournalOptions options);

  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Records the events with one write and one fsync (shared with concurrent
  // callers), in order; returns one result per event, in the same order. An
  // id already known (also one compacted away, or earlier in the same batch)
  // is answered with its current status and not written again. Invalid events
  // (empty or too long id, oversized payload) fail the whole call and nothing
  // is written. After a failed write or fsync every later write fails until
  // the journal is reopened.
  Result<std::vector<AppendResult>> Append(std::vector<NewEvent> events);
  Result<AppendResult> Append(NewEvent event);

  // Records the changes atomically with one write and one fsync. Every change
  // must follow the transitions above (an unknown id is not-found, a forbidden
  // transition a conflict); if one does not, nothing is written.
  Status Update(std::vector<StatusChange> changes);
  Status MarkApplied(std::string_view id, std::string_view result);
  Status MarkRejected(std::string_view id, std::string_view reason);
  Status MarkScheduled(std::string_view id, TimePoint not_before, std::string_view note = {});
  // Re-queues a rejected event (the operator's "retry"). A conflict error if it
  // is not rejected, or if its payload was compacted away.
  Status Retry(std::string_view id, std::string_view note = "retried by operator");
  // Queues applied events again, atomically, so that the engine applies them
  // once more: after the directory was restored from a backup older than
  // their application (ops/backup.h). The engine's application is idempotent.
  // A conflict error if one of them is not applied or its payload was
  // compacted away; then nothing is written.
  Status Requeue(const std::vector<std::string>& ids, std::string_view note);

  // Events waiting (queued or scheduled), with payloads, in append order.
  // Due ones are those with no not_before or one at or before `now`.
  std::vector<Event> Pending() const;
  std::vector<Event> Due(TimePoint now) const;

  // Every known event, or those in `state`, in append order; no payloads.
  std::vector<EventInfo> List(std::optional<EventState> state = std::nullopt) const;
  // One event with its payload (read from disk if it is no longer pending).
  Result<Event> Show(std::string_view id) const;
  // The status of one id without its payload; not-found if unknown.
  Result<EventInfo> Lookup(std::string_view id) const;
  Counts Count() const;
  JournalStats Stats() const;

  // Rewrites every segment but the one being written into one compacted
  // segment that keeps pending and recent events whole and only the id and
  // final status of older applied/rejected ones (options.compact_after).
  // Crash-safe: the new file is fsynced and renamed over the last old segment
  // before the others are removed. Writers wait while it runs.
  Result<CompactionResult> Compact();

  const std::string& dir() const;

  class Impl;

 private:
  explicit Journal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace danhba::journal
