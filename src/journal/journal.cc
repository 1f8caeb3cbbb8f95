// Event statuses, the reading side of the journal, and the public facade over
// Journal::Impl (journal_impl.h).
#include "danhba/journal/journal.h"

#include <algorithm>
#include <mutex>

#include "journal/format.h"
#include "journal/journal_impl.h"

namespace danhba::journal {

namespace jf = format;
using internal::Corruption;
using internal::Entry;
using internal::ToInfo;

namespace internal {

EventInfo ToInfo(const std::string& id, const Entry& e) {
  return EventInfo{id,      e.seq,    e.sender,     e.received_at, e.not_before,
                   e.state, e.detail, e.updated_at, e.compacted};
}

Error Corruption(const std::string& path, std::uint64_t offset, std::string_view what) {
  return Internal(
      "journal corrupt: " + path + " at offset " + std::to_string(offset) + ": " +
      std::string(what) +
      "; the records after it are intact, so this is not a torn write. Restore the file from "
      "a backup, or truncate it at this offset to drop everything from here on");
}

}  // namespace internal

std::string_view ToString(EventState state) {
  switch (state) {
    case EventState::kQueued:
      return "queued";
    case EventState::kScheduled:
      return "scheduled";
    case EventState::kApplied:
      return "applied";
    case EventState::kRejected:
      return "rejected";
  }
  return "unknown";
}

Result<EventState> ParseEventState(std::string_view text) {
  for (EventState s :
       {EventState::kQueued, EventState::kScheduled, EventState::kApplied, EventState::kRejected}) {
    if (text == ToString(s)) return s;
  }
  return InvalidInput("unknown event status '" + std::string(text) +
                      "' (expected queued, scheduled, applied or rejected)");
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
  std::sort(out.begin(), out.end(),
            [](const EventInfo& a, const EventInfo& b) { return a.seq < b.seq; });
  return out;
}

Result<EventInfo> Journal::Impl::Lookup(std::string_view id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(id));
  if (it == entries_.end())
    return NotFound("no event with id '" + std::string(id) + "' in the journal");
  return ToInfo(it->first, it->second);
}

Result<std::string> Journal::Impl::ReadPayload(std::uint64_t segment, std::uint64_t offset,
                                               const std::string& id) const {
  std::string path = SegmentPath(segment);
  auto header = env_.ReadRange(path, offset, jf::kRecordHeaderBytes);
  if (!header) return header.take_error();
  if (header->size() < jf::kRecordHeaderBytes)
    return Corruption(path, offset, "record header cut short");
  std::uint32_t length = 0;
  for (int i = 7; i >= 4; --i)
    length = (length << 8) | static_cast<unsigned char>((*header)[static_cast<std::size_t>(i)]);
  auto record = env_.ReadRange(path, offset, jf::kRecordHeaderBytes + length);
  if (!record) return record.take_error();
  jf::RawRecord raw;
  if (jf::ParseRecord(*record, raw) != jf::Parse::kOk || raw.type != jf::RecordType::kEvent) {
    return Corruption(path, offset, "event record for '" + id + "' does not read back");
  }
  auto event = jf::DecodeEvent(raw.body);
  if (!event || event->id != id)
    return Corruption(path, offset, "event record for '" + id + "' does not read back");
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
    if (it == entries_.end())
      return NotFound("no event with id '" + std::string(id) + "' in the journal");
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
      case EventState::kQueued:
        ++c.queued;
        break;
      case EventState::kScheduled:
        ++c.scheduled;
        break;
      case EventState::kApplied:
        ++c.applied;
        break;
      case EventState::kRejected:
        ++c.rejected;
        break;
    }
  }
  return c;
}

JournalStats Journal::Impl::Stats() const {
  std::lock_guard lock(mutex_);
  return JournalStats{commits_, records_written_, bytes_written_, writers_.size(),
                      segment_count_.load()};
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

Status Journal::Update(std::vector<StatusChange> changes) {
  return impl_->Update(std::move(changes));
}

Status Journal::MarkApplied(std::string_view id, std::string_view result) {
  return impl_->Update(
      {StatusChange{std::string(id), EventState::kApplied, std::string(result), std::nullopt}});
}

Status Journal::MarkRejected(std::string_view id, std::string_view reason) {
  return impl_->Update(
      {StatusChange{std::string(id), EventState::kRejected, std::string(reason), std::nullopt}});
}

Status Journal::MarkScheduled(std::string_view id, TimePoint not_before, std::string_view note) {
  return impl_->Update(
      {StatusChange{std::string(id), EventState::kScheduled, std::string(note), not_before}});
}

Status Journal::Retry(std::string_view id, std::string_view note) {
  return impl_->Update(
      {StatusChange{std::string(id), EventState::kQueued, std::string(note), std::nullopt}});
}

Status Journal::Requeue(const std::vector<std::string>& ids, std::string_view note) {
  std::vector<StatusChange> changes;
  changes.reserve(ids.size());
  for (const std::string& id : ids)
    changes.push_back(StatusChange{id, EventState::kQueued, std::string(note), std::nullopt});
  return impl_->Update(std::move(changes), /*requeue_applied=*/true);
}

std::vector<Event> Journal::Pending() const { return impl_->Waiting(std::nullopt); }
std::vector<Event> Journal::Due(TimePoint now) const { return impl_->Waiting(now); }
std::vector<EventInfo> Journal::List(std::optional<EventState> state) const {
  return impl_->List(state);
}
Result<Event> Journal::Show(std::string_view id) const { return impl_->Show(id); }
Result<EventInfo> Journal::Lookup(std::string_view id) const { return impl_->Lookup(id); }
Counts Journal::Count() const { return impl_->Count(); }
JournalStats Journal::Stats() const { return impl_->Stats(); }
Result<CompactionResult> Journal::Compact() { return impl_->Compact(); }
const std::string& Journal::dir() const { return impl_->dir(); }

}  // namespace danhba::journal
