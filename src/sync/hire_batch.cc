// Fresh hires in batches: a staff list costs two searches, one add transaction,
// a few decision entries and one handover write per batch rather than per person.
#include <algorithm>

#include "sync/handlers.h"

namespace danhba::sync {

using directory::PersonRecord;

std::vector<std::optional<Applied>> Handlers::ApplyAll(
    const std::vector<const PlannedEvent*>& events) {
  std::vector<std::optional<Applied>> results(events.size());
  std::vector<std::size_t> batch;  // indexes into events
  std::vector<PreparedHire> prepared;
  std::unordered_set<std::string> batch_people;
  std::set<std::string> batch_addresses;
  bool stopped = false;

  auto flush = [&] {
    if (prepared.empty()) return;
    auto flushed = FlushHires(prepared);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (KindOf(flushed[i]) == Kind::kTransient) stopped = true;
      results[batch[i]] = std::move(flushed[i]);
    }
    batch.clear();
    prepared.clear();
    batch_people.clear();
    batch_addresses.clear();
  };

  std::size_t prefetched_until = 0;
  for (std::size_t i = 0; i < events.size() && !stopped; ++i) {
    const auto* hire = std::get_if<model::HireEvent>(&events[i]->event);
    if (hire && e_.options.batch_size > 1 && !batch_people.count(hire->person.id)) {
      if (i >= prefetched_until) prefetched_until = Prefetch(events, i);
      std::optional<PreparedHire> ready;
      std::optional<Applied> done = PrepareHire(*hire, batch_addresses, ready);
      if (ready) {
        batch.push_back(i);
        batch_people.insert(hire->person.id);
        batch_addresses.insert(ready->person.person.uid);
        prepared.push_back(std::move(*ready));
        if (prepared.size() >= e_.options.batch_size) flush();
        continue;
      }
      if (done) {
        if (KindOf(*done) == Kind::kTransient) stopped = true;
        results[i] = std::move(*done);
        continue;
      }
    }
    flush();
    if (stopped) break;
    results[i] = Apply(events[i]->event);
    if (KindOf(*results[i]) == Kind::kTransient) stopped = true;
  }
  if (!stopped) flush();
  prepared.clear();  // hires never tried: their claims end here
  return results;
}

// Looks up, with one search each, which of the next hires (from events[from],
// up to batch_size of them) have no entry yet and which of their first
// addresses are free. Each answer is used once: a later event of the same
// person, or the same address, asks the directory again. Nothing is remembered
// when a search fails (each hire then asks for itself). Returns the index after
// the last event looked at.
std::size_t Handlers::Prefetch(const std::vector<const PlannedEvent*>& events, std::size_t from) {
  std::vector<std::string> ids;
  std::vector<std::string> addresses;
  std::size_t i = from;
  for (; i < events.size() && ids.size() < e_.options.batch_size; ++i) {
    const auto* hire = std::get_if<model::HireEvent>(&events[i]->event);
    if (!hire) continue;
    ids.push_back(hire->person.id);
    auto name = NameOf(hire->person);
    if (!name.ok()) continue;
    auto sequence = CandidatesOf(hire->person.id, hire->person.birth_date, hire->agency, *name);
    if (!sequence.ok()) continue;
    auto first = sequence->Next();
    if (first.ok()) addresses.push_back(first->local_part);
  }
  absent_people_.clear();
  free_addresses_.clear();
  auto found = dir_.FindPeople(ids);
  if (!found.ok()) return i;
  auto taken = dir_.TakenAddresses(addresses);
  if (!taken.ok()) return i;
  absent_people_.insert(ids.begin(), ids.end());
  for (const PersonRecord& r : *found) absent_people_.erase(r.person_id);
  for (std::string& address : addresses) {
    if (!taken->count(address)) free_addresses_.insert(std::move(address));
  }
  return i;
}

// What a fresh hire needs before its add (`ready`); or the result when it
// failed; or neither when it is not a fresh hire (then the caller applies it
// alone, in order).
std::optional<Applied> Handlers::PrepareHire(const model::HireEvent& ev,
                                             const std::set<std::string>& taken_here,
                                             std::optional<PreparedHire>& ready) {
  if (!absent_people_.erase(ev.person.id)) {
    auto found = dir_.FindPerson(ev.person.id);
    if (!found.ok()) return Applied(found.take_error());
    if (*found) return std::nullopt;  // resume or re-hire: the single path
  }
  auto prepared = Allocate(ev, taken_here);
  if (!prepared.ok()) return Applied(prepared.take_error());
  ready = PreparedHire{&ev, std::move(prepared->person), std::move(prepared->claim)};
  return std::nullopt;
}

// Hires of a batch under the same decision share one decision entry, named
// after the first of them: one write for the batch instead of one per hire (a
// staff list is one decision). Sets each person's decision DN; returns the
// entries (subjects still empty) and each hire's index into them.
std::vector<directory::DecisionRecord> Handlers::ShareDecisions(std::vector<PreparedHire>& hires,
                                                                std::vector<std::size_t>& group) {
  std::vector<directory::DecisionRecord> decisions;
  group.clear();
  for (auto& h : hires) {
    const model::EventHeader& header = h.event->header;
    auto same = std::find_if(decisions.begin(), decisions.end(), [&](const auto& d) {
      return d.decision == header.decision && d.effective_date == header.effective_date;
    });
    if (same == decisions.end()) {
      same = decisions.insert(decisions.end(), DecisionOf(header, model::HireEvent::kType, {}));
    }
    group.push_back(static_cast<std::size_t>(same - decisions.begin()));
    h.person.person.decision_dns = {layout_.DecisionDn(same->event_id)};
  }
  return decisions;
}

// The decision entry of a hire that made `r` (shared with its batch when r's
// decision DN names another event), with r as a subject.
directory::DecisionRecord Handlers::HireDecision(const model::HireEvent& ev,
                                                 const PersonRecord& r) {
  directory::DecisionRecord d = DecisionOf(ev.header, ev.kType, {r.dn});
  if (r.decision_dns.size() == 1) {
    std::string named_after = layout_.DecisionEventId(r.decision_dns.front());
    if (!named_after.empty()) d.event_id = std::move(named_after);
  }
  return d;
}

// Adds a batch of fresh hires: the person entries, then the shared decision
// entries naming those added, then the handover lines. A hire whose address
// was taken meanwhile (by another writer) is applied alone afterwards, with
// the next candidate.
std::vector<Applied> Handlers::FlushHires(std::vector<PreparedHire>& hires) {
  std::vector<std::size_t> group;
  std::vector<directory::DecisionRecord> decisions = ShareDecisions(hires, group);
  std::vector<directory::NewPerson> people;
  people.reserve(hires.size());
  for (const auto& h : hires) people.push_back(h.person);
  const std::vector<Status> created = dir_.CreatePeople(people);
  for (auto& h : hires) h.claim.Release();

  std::vector<std::optional<Applied>> results(hires.size());
  std::vector<std::size_t> added;
  std::vector<std::size_t> alone;
  for (std::size_t i = 0; i < hires.size(); ++i) {
    if (created[i].ok()) {
      e_.claims.NoteTaken(hires[i].person.person.uid);
      added.push_back(i);
      decisions[group[i]].subject_dns.push_back(hires[i].person.person.dn);
    } else if (created[i].error().code == ErrorCode::kConflict) {
      alone.push_back(i);
    } else {
      results[i] = Applied(created[i].error());
    }
  }
  FinishAdded(hires, added, decisions, results);
  bool waiting = std::any_of(results.begin(), results.end(),
                             [](const auto& r) { return r && KindOf(*r) == Kind::kTransient; });
  for (std::size_t i : alone) {
    if (waiting) {
      results[i] = Applied(Transient("waits for the directory"));
      continue;
    }
    results[i] = Handle(*hires[i].event);
    waiting = KindOf(*results[i]) == Kind::kTransient;
  }
  std::vector<Applied> out;
  out.reserve(results.size());
  for (auto& r : results) out.push_back(std::move(*r));
  return out;
}

// The steps after the adds for the hires at `added`: decision entries, then
// one handover write for all of them.
void Handlers::FinishAdded(const std::vector<PreparedHire>& hires,
                           const std::vector<std::size_t>& added,
                           const std::vector<directory::DecisionRecord>& decisions,
                           std::vector<std::optional<Applied>>& results) {
  auto fail_added = [&](const Error& error) {
    for (std::size_t i : added) results[i] = Applied(error);
  };
  if (added.empty()) return;
  for (std::size_t i : added) {
    if (Status stop = Steps(hires[i].event->header).Reached(Step::kPersonAdded); !stop.ok())
      return fail_added(stop.error());
  }
  for (const auto& d : decisions) {
    if (d.subject_dns.empty()) continue;
    if (Status written = dir_.EnsureDecision(d); !written.ok()) return fail_added(written.error());
  }
  std::vector<HandoverLine> lines;
  for (std::size_t i : added) {
    const PreparedHire& h = hires[i];
    if (Status stop = Steps(h.event->header).Reached(Step::kDecisionWritten); !stop.ok())
      return fail_added(stop.error());
    const PersonRecord& r = h.person.person;
    lines.push_back(
        {h.event->agency, r.uid, r.mail, r.full_name, h.person.initial_password, h.event->header.id});
  }
  if (Status written = e_.handover.Write(lines); !written.ok()) {
    // Whatever the cause, the entries exist: the hires wait and finish on replay.
    return fail_added(Transient(written.error().detail));
  }
  for (std::size_t i : added) {
    const PreparedHire& h = hires[i];
    Status stop = Steps(h.event->header).Reached(Step::kHandoverWritten);
    results[i] = stop.ok() ? Applied(PersonResult(h.person.person, h.event->header, h.event->person))
                           : Applied(stop.error());
  }
}

}  // namespace danhba::sync
