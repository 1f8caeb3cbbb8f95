// Compaction: closed segments rewritten into one that keeps pending and recent
// events whole and only the id and final status of older finished ones.
#include <algorithm>
#include <mutex>

#include "danhba/journal/journal.h"
#include "journal/format.h"
#include "journal/journal_impl.h"

namespace danhba::journal {

namespace jf = format;
using internal::Entry;
using internal::InitialState;
using internal::IsWaiting;
using internal::kKnownIdsPerRecord;
using internal::kSegmentSuffix;
using internal::kTempSuffix;
using internal::SegmentInfo;

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

  TimePoint cutoff =
      env_.Now() - std::chrono::duration_cast<std::chrono::microseconds>(options_.compact_after);
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
  if (result.events_compacted == 0 && closed.size() == 1 &&
      closed.front().kind == jf::SegmentKind::kCompacted) {
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
      chunk.push_back(
          jf::KnownId{id, e.seq, e.sender, e.received_at, e.state, e.updated_at, e.detail});
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
    jf::AppendEvent(out,
                    jf::EventRecord{e.seq, e.received_at, e.not_before, id, e.sender, payload});
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
  segments_.insert(segments_.begin(), SegmentInfo{number, jf::SegmentKind::kCompacted,
                                                  header.first_covered, out.size()});
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
  log_->info(
      "journal: compacted {} segment(s) of {} into {} ({} -> {} bytes, {} event(s) reduced to "
      "their id)",
      closed.size(), options_.dir, path, result.bytes_before, result.bytes_after,
      result.events_compacted);
  return result;
}

}  // namespace danhba::journal
