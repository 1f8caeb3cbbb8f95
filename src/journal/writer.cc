// Writing: appends and status changes are validated, staged and committed in
// groups that share one write and one fsync; segments roll over at their size.
#include <mutex>

#include "danhba/journal/journal.h"
#include "journal/format.h"
#include "journal/journal_impl.h"

namespace danhba::journal {

namespace jf = format;
using internal::Entry;
using internal::InitialState;
using internal::IsWaiting;
using internal::kMaxGroupBytes;
using internal::SegmentInfo;

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

Result<std::vector<AppendResult>> Journal::Impl::Append(std::vector<NewEvent> events) {
  if (options_.read_only) return Conflict("journal " + options_.dir + " is open read-only");
  for (std::size_t i = 0; i < events.size(); ++i) {
    const NewEvent& e = events[i];
    std::string which = "event " + std::to_string(i + 1) + " of " + std::to_string(events.size());
    if (e.id.empty()) return InvalidInput(which + ": the id is empty");
    if (e.id.size() > kMaxIdBytes) {
      return InvalidInput(which + ": the id is " + std::to_string(e.id.size()) +
                          " bytes, at most " + std::to_string(kMaxIdBytes) + " are allowed");
    }
    if (e.sender.size() > kMaxSenderBytes)
      return InvalidInput(which + " ('" + e.id + "'): the sender name is too long");
    if (e.payload.size() > kMaxPayloadBytes) {
      return InvalidInput(which + " ('" + e.id + "'): the payload is " +
                          std::to_string(e.payload.size()) + " bytes, at most " +
                          std::to_string(kMaxPayloadBytes) + " are allowed");
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
    if (c.detail.size() > kMaxDetailBytes)
      return InvalidInput("status detail for '" + c.id + "' is too long");
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

const Entry* Journal::Impl::Find(const std::string& id, const Staging& group,
                                 const Staging& mine) const {
  if (auto it = mine.entries.find(id); it != mine.entries.end()) return &it->second;
  if (auto it = group.entries.find(id); it != group.entries.end()) return &it->second;
  if (auto it = entries_.find(id); it != entries_.end()) return &it->second;
  return nullptr;
}

Status Journal::Impl::Stage(Writer& writer, Staging& group, std::string& buffer,
                            std::uint64_t& next_seq, TimePoint now) {
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
      jf::AppendEvent(bytes,
                      jf::EventRecord{e.seq, now, ne.not_before, ne.id, ne.sender, ne.payload});
      results.push_back(AppendResult{ne.id, e.seq, e.state, {}, false});
      mine.entries.insert_or_assign(ne.id, std::move(e));
    }
  } else {
    for (const StatusChange& c : *writer.changes) {
      const Entry* current = Find(c.id, group, mine);
      if (current == nullptr) return NotFound("no event with id '" + c.id + "' in the journal");
      EventState from = current->state;
      std::string transition = "event '" + c.id + "' is " + std::string(ToString(from)) +
                               ", it cannot become " + std::string(ToString(c.state));
      switch (c.state) {
        case EventState::kApplied:
        case EventState::kRejected:
        case EventState::kScheduled:
          if (!IsWaiting(from)) return Conflict(transition);
          break;
        case EventState::kQueued:
          if (writer.requeue_applied) {
            if (from != EventState::kApplied)
              return Conflict(transition + " again (it is not applied)");
            if (current->compacted) {
              return Conflict("event '" + c.id +
                              "' was applied long ago and its payload has been compacted away; "
                              "it cannot be applied again");
            }
            break;
          }
          if (from != EventState::kRejected)
            return Conflict(transition + " (only a rejected event can be retried)");
          if (current->compacted) {
            return Conflict("event '" + c.id +
                            "' was rejected long ago and its payload has been compacted away; "
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
      log_->error("journal: write to {} failed, no more writes until it is reopened: {}",
                  options_.dir, written.error().ToString());
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

}  // namespace danhba::journal
