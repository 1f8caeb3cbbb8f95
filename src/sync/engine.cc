#include "danhba/sync/engine.h"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "danhba/base/log.h"
#include "danhba/model/event.h"
#include "danhba/naming/address.h"
#include "danhba/naming/agency_code.h"
#include "danhba/naming/name.h"
#include "sync/address_claims.h"
#include "sync/certificate.h"
#include "sync/handover.h"

namespace danhba::sync {
namespace {

using directory::AgencyRecord;
using directory::Directory;
using directory::PersonRecord;
using journal::EventState;
using model::EventType;

constexpr std::size_t kPasswordLength = 16;

// Letters and digits that cannot be mistaken for each other on paper.
constexpr std::string_view kPasswordAlphabet =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

Result<std::string> GeneratePassword() {
  std::string out;
  while (out.size() < kPasswordLength) {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) return Internal("OpenSSL RAND_bytes failed");
    // Rejection sampling keeps every character equally likely.
    const unsigned limit = 256 - 256 % kPasswordAlphabet.size();
    for (unsigned char b : bytes) {
      if (b < limit && out.size() < kPasswordLength)
        out += kPasswordAlphabet[b % kPasswordAlphabet.size()];
    }
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool InSubtree(std::string_view dn, std::string_view parent) {
  std::string d = Lower(dn);
  std::string p = "," + Lower(parent);
  return d.size() > p.size() && d.compare(d.size() - p.size(), p.size(), p) == 0;
}

std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view s) {
  if (s.size() % 2 != 0 || s.empty()) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// The name of a hire or update: the structured fields when given, else the
// full name parsed by the address rule.
Result<naming::PersonName> NameOf(const model::PersonFields& p) {
  if (p.family_name && p.given_name) {
    std::string middle;
    if (p.middle_names) {
      for (const auto& m : *p.middle_names) middle += (middle.empty() ? "" : " ") + m;
    }
    return naming::NameFromFields({*p.family_name, middle, *p.given_name});
  }
  if (p.full_name) return naming::ParseName(*p.full_name);
  return InvalidInput("no name given");
}

bool HasName(const model::PersonFields& p) {
  return p.full_name || p.family_name || p.given_name || p.middle_names;
}

void ApplyName(const naming::PersonName& name, PersonRecord& r) {
  r.full_name = name.full_name;
  r.family_name = name.family_name;
  r.given_name = name.given_name;
}

// Ordering keys of an event.
struct Keys {
  std::vector<std::string> people;
  std::vector<std::string> agencies;
  bool agency_event = false;
};

Keys KeysOf(const model::Event& e) {
  Keys k;
  switch (e.type) {
    case EventType::kHire:
    case EventType::kTransfer:
    case EventType::kUpdate:
    case EventType::kLeave:
      if (e.person) {
        k.people.push_back(e.person->id);
        if (e.person->agency) k.agencies.push_back(*e.person->agency);
      }
      if (e.to_agency) k.agencies.push_back(*e.to_agency);
      break;
    default:
      k.agency_event = true;
      if (e.agency) {
        k.agencies.push_back(e.agency->code);
        if (e.agency->new_code) k.agencies.push_back(*e.agency->new_code);
        if (e.agency->parent && *e.agency->parent) k.agencies.push_back(**e.agency->parent);
        if (e.agency->head) k.people.push_back(*e.agency->head);
        if (e.agency->delegates) {
          for (const auto& d : *e.agency->delegates) k.people.push_back(d);
        }
      }
      if (e.into) k.agencies.push_back(*e.into);
      break;
  }
  return k;
}

enum class Kind { kApplied, kRejected, kTransient };

struct StepResult {
  Kind kind = Kind::kApplied;
  std::string detail;
};

StepResult Applied(std::string detail) { return {Kind::kApplied, std::move(detail)}; }
StepResult Rejected(std::string detail) { return {Kind::kRejected, std::move(detail)}; }

// A directory error as an outcome: unreachable (and misconfigured accounts,
// which are no event's fault) waits; anything else rejects with the reason.
StepResult FromError(const Error& error, std::string_view context = {}) {
  std::string detail = context.empty() ? error.detail : std::string(context) + ": " + error.detail;
  switch (error.code) {
    case ErrorCode::kTransient:
    case ErrorCode::kAuth:
    case ErrorCode::kConfig:
      return {Kind::kTransient, std::move(detail)};
    default:
      return {Kind::kRejected, std::move(detail)};
  }
}

#define SYNC_TRY(expr)                                              \
  do {                                                              \
    auto sync_status_ = (expr);                                     \
    if (!sync_status_.ok()) return FromError(sync_status_.error()); \
  } while (false)

#define SYNC_ASSIGN(var, expr)                                      \
  auto var##_result_ = (expr);                                      \
  if (!var##_result_.ok()) return FromError(var##_result_.error()); \
  auto var = std::move(var##_result_).value()

struct Item {
  journal::Event journal_event;
  model::Event event;
  Keys keys;
  std::size_t index = 0;  // into the round's outcomes
};

// A hire ready to be added in a batch.
// A fresh hire's entry with the address it claimed for its add.
struct Allocated {
  directory::NewPerson person;
  AddressClaims::Claim claim;
};

struct PreparedHire {
  const Item* item = nullptr;
  directory::NewPerson person;
  AddressClaims::Claim claim;
};

}  // namespace

std::string_view ToString(Step step) {
  switch (step) {
    case Step::kDecisionWritten:
      return "decision written";
    case Step::kPersonAdded:
      return "person added";
    case Step::kPasswordSet:
      return "password set";
    case Step::kHandoverWritten:
      return "handover written";
    case Step::kPersonMoved:
      return "person moved";
    case Step::kPersonRenamed:
      return "person renamed";
    case Step::kPersonUpdated:
      return "person updated";
    case Step::kAgencyWritten:
      return "agency written";
    case Step::kAgencyRenamed:
      return "agency renamed";
    case Step::kSubAgenciesUpdated:
      return "sub-agencies updated";
  }
  return "unknown step";
}

std::string PersonResult(std::string_view uid, std::string_view mail) {
  return "uid=" + std::string(uid) + " mail=" + std::string(mail);
}

namespace {

std::string AgencyResult(const AgencyRecord& a, std::string_view domain) {
  return "agency=" + a.code + " mail=" + a.mail.value_or(a.code + "@" + std::string(domain));
}

}  // namespace

class Engine::Impl {
 public:
  Impl(journal::Journal& journal, std::vector<Directory*> dirs, EngineOptions options)
      : journal_(journal),
        dirs_(std::move(dirs)),
        options_(std::move(options)),
        handover_(options_.handover_dir) {
    if (!options_.clock) options_.clock = base::SystemClock();
    if (!options_.start_of_day) options_.start_of_day = &model::ProvinceStartOfDay;
    if (options_.batch_size == 0) options_.batch_size = 1;
    if (options_.journal_batch == 0) options_.journal_batch = 1;
    if (options_.max_round_events == 0) options_.max_round_events = 1;
    auto allocator = naming::Allocator::Create(options_.naming);
    if (allocator.ok()) {
      allocator_.emplace(std::move(allocator).value());
    } else {
      allocator_error_ = allocator.error();
    }
  }

  Status Validate() const {
    if (dirs_.empty())
      return ConfigError("the sync engine needs at least one directory connection");
    if (!allocator_) return *allocator_error_;
    return Ok();
  }

  RoundResult RunOnce(TimePoint now);
  void Run(std::stop_token stop);
  void Notify() {
    {
      std::lock_guard lock(wake_mutex_);
      notified_ = true;
    }
    wake_.notify_all();
  }
  std::chrono::milliseconds backoff() const {
    std::lock_guard lock(wake_mutex_);
    return backoff_;
  }

  // Addresses are never released (R9), so one seen taken stays taken: a cache
  // that spares a search per candidate when many people share a name.
  bool KnownTaken(const std::string& local_part) {
    std::lock_guard lock(taken_mutex_);
    return taken_.count(local_part) > 0;
  }
  void NoteTaken(const std::string& local_part) {
    std::lock_guard lock(taken_mutex_);
    if (taken_.size() < kMaxTakenCache) taken_.insert(local_part);
  }
  // An initial password: the test hook's when set, else OpenSSL's.
  Result<std::string> NewPassword() const {
    return options_.generate_password ? options_.generate_password() : GeneratePassword();
  }

 private:
  class Worker;

  void PickUpRetries();

  journal::Journal& journal_;
  std::vector<Directory*> dirs_;
  EngineOptions options_;
  std::optional<naming::Allocator> allocator_;
  std::optional<Error> allocator_error_;
  Handover handover_;
  std::mutex round_mutex_;  // one round at a time
  static constexpr std::size_t kMaxTakenCache = 1 << 20;
  std::mutex taken_mutex_;
  std::unordered_set<std::string> taken_;
  AddressClaims claims_;  // addresses being added by a worker

  mutable std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool notified_ = false;
  std::chrono::milliseconds backoff_{0};
};

// Applies events on one Directory. Results are collected by the caller.
class Engine::Impl::Worker {
 public:
  Worker(Impl& engine, Directory& dir) : e_(engine), dir_(dir), layout_(dir.layout()) {}

  // Applies `items` in order; stops at the first transient failure. Returns
  // the result per item (nullopt: not attempted).
  std::vector<std::optional<StepResult>> ApplyAll(const std::vector<const Item*>& items) {
    std::vector<std::optional<StepResult>> results(items.size());
    std::vector<std::size_t> batch;  // indexes into items
    std::vector<PreparedHire> prepared;
    std::unordered_set<std::string> batch_people;
    std::set<std::string> batch_addresses;
    bool stopped = false;

    auto flush = [&] {
      if (prepared.empty()) return;
      auto flushed = FlushHires(prepared);
      for (std::size_t i = 0; i < batch.size(); ++i) {
        results[batch[i]] = flushed[i];
        if (flushed[i].kind == Kind::kTransient) stopped = true;
      }
      batch.clear();
      prepared.clear();
      batch_people.clear();
      batch_addresses.clear();
    };

    std::size_t prefetched_until = 0;
    for (std::size_t i = 0; i < items.size() && !stopped; ++i) {
      const Item& item = *items[i];
      if (item.event.type == EventType::kHire && e_.options_.batch_size > 1 &&
          !batch_people.count(item.event.person->id)) {
        if (i >= prefetched_until) prefetched_until = Prefetch(items, i);
        std::optional<PreparedHire> ready;
        std::optional<StepResult> done = PrepareHire(item, batch_addresses, ready);
        if (ready) {
          batch.push_back(i);
          batch_people.insert(item.event.person->id);
          batch_addresses.insert(ready->person.person.uid);
          prepared.push_back(std::move(*ready));
          if (prepared.size() >= e_.options_.batch_size) flush();
          continue;
        }
        if (done) {
          results[i] = *done;
          if (done->kind == Kind::kTransient) stopped = true;
          continue;
        }
      }
      flush();
      if (stopped) break;
      results[i] = Apply(item);
      if (results[i]->kind == Kind::kTransient) stopped = true;
    }
    if (!stopped) flush();
    prepared.clear();  // hires never tried: their claims end here
    return results;
  }

  StepResult Apply(const Item& item) {
    const model::Event& ev = item.event;
    switch (ev.type) {
      case EventType::kHire:
        return Hire(ev);
      case EventType::kTransfer:
      case EventType::kUpdate:
        return Change(ev);
      case EventType::kLeave:
        return Leave(ev);
      case EventType::kAgencyCreate:
        return AgencyCreate(ev);
      case EventType::kAgencyUpdate:
        return AgencyUpdate(ev);
      case EventType::kAgencyMerge:
        return AgencyMerge(ev);
      case EventType::kAgencyDissolve:
        return AgencyDissolve(ev);
      case EventType::kAgencyHead:
        return AgencyHead(ev);
    }
    return Rejected("unknown event type");
  }

 private:
  Status Fault(const model::Event& ev, Step step) {
    if (!e_.options_.fault) return Ok();
    return e_.options_.fault(ev.id, step);
  }

  directory::DecisionRecord DecisionOf(const model::Event& ev, std::vector<std::string> subjects) {
    return {ev.id, ev.type, ev.decision, ev.effective_date, std::move(subjects)};
  }

  std::string DecisionDn(const model::Event& ev) const { return layout_.DecisionDn(ev.id); }

  // The agency a person event points at, which must be active.
  Result<AgencyRecord> ActiveAgency(const std::string& code) {
    // Agency events are applied alone, never during a worker's run of person
    // events, so an agency read once holds for the run.
    if (auto known = agencies_.find(code); known != agencies_.end()) return known->second;
    auto found = dir_.FindAgency(code);
    if (!found.ok()) return found.take_error();
    if (!*found) return NotFound(UnknownAgency(code));
    if ((*found)->status != directory::kStatusActive) {
      return NotFound("agency '" + code + "' is " + (*found)->status);
    }
    return agencies_.emplace(code, **found).first->second;
  }

  // The addresses a person may get, in the operator's policy order.
  Result<naming::CandidateSequence> CandidatesOf(const model::PersonFields& p,
                                                 const naming::PersonName& name) {
    auto local = naming::MakeLocalPart(name, e_.allocator_->policy().max_length);
    if (!local.ok()) return InvalidInput("person " + p.id + ": " + local.error().detail);
    naming::AllocationRequest request;
    request.base = local->value;
    if (p.birth_date) request.birth_year = p.birth_date->year();
    request.agency_code = *p.agency;
    auto sequence = e_.allocator_->Candidates(request);
    if (!sequence.ok()) return InvalidInput("person " + p.id + ": " + sequence.error().detail);
    return sequence;
  }

  // Looks up, with one search each, which of the next hires (from items[from],
  // up to batch_size of them) have no entry yet and which of their first
  // addresses are free, so that a staff list costs two searches a batch
  // rather than two a person. Each answer is used once: a later event of the
  // same person, or the same address, asks the directory again. Nothing is
  // remembered when a search fails (each hire then asks for itself). Returns
  // the index after the last item looked at.
  std::size_t Prefetch(const std::vector<const Item*>& items, std::size_t from) {
    std::vector<std::string> ids;
    std::vector<std::string> addresses;
    std::size_t i = from;
    for (; i < items.size() && ids.size() < e_.options_.batch_size; ++i) {
      const model::Event& ev = items[i]->event;
      if (ev.type != EventType::kHire) continue;
      ids.push_back(ev.person->id);
      auto name = NameOf(*ev.person);
      if (!name.ok()) continue;
      auto sequence = CandidatesOf(*ev.person, *name);
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

  // Hire, first part: what a fresh hire needs before its add; or the result
  // when it is not a fresh hire (then the caller applies it alone, in order).
  std::optional<StepResult> PrepareHire(const Item& item, const std::set<std::string>& taken_here,
                                        std::optional<PreparedHire>& ready) {
    const model::Event& ev = item.event;
    if (!absent_people_.erase(ev.person->id)) {
      auto found = dir_.FindPerson(ev.person->id);
      if (!found.ok()) return FromError(found.error());
      if (*found) return std::nullopt;  // resume or re-hire: the single path
    }
    auto prepared = Allocate(ev, taken_here);
    if (!prepared.ok()) {
      if (prepared.error().code == ErrorCode::kNotFound ||
          prepared.error().code == ErrorCode::kInvalidInput) {
        return Rejected(prepared.error().detail);
      }
      return FromError(prepared.error());
    }
    ready = PreparedHire{&item, std::move(prepared->person), std::move(prepared->claim)};
    return std::nullopt;
  }

  // The entry of a fresh hire with the first free candidate address (free in
  // the directory, and not used by another hire of the same batch).
  Result<Allocated> Allocate(const model::Event& ev,
                                        const std::set<std::string>& taken_here,
                                        std::size_t skip = 0) {
    const model::PersonFields& p = *ev.person;
    auto agency = ActiveAgency(*p.agency);
    if (!agency.ok()) return agency.take_error();
    auto name = NameOf(p);
    if (!name.ok()) return InvalidInput("person " + p.id + ": " + name.error().detail);
    auto sequence = CandidatesOf(p, *name);
    if (!sequence.ok()) return sequence.take_error();
    std::size_t seen = 0;
    while (true) {
      auto candidate = sequence->Next();
      if (!candidate.ok()) {
        return NotFound("no free address for " + name->full_name + ": " + candidate.error().detail);
      }
      if (seen++ < skip) continue;
      if (taken_here.count(candidate->local_part) || e_.KnownTaken(candidate->local_part)) continue;
      if (!free_addresses_.erase(candidate->local_part)) {
        auto taken = dir_.AddressTaken(candidate->local_part);
        if (!taken.ok()) return taken.take_error();
        if (*taken) {
          e_.NoteTaken(candidate->local_part);
          continue;
        }
      }
      auto claim = e_.claims_.TryClaim(candidate->local_part);
      if (!claim) continue;  // another worker is adding it
      directory::NewPerson np;
      PersonRecord& r = np.person;
      r.uid = candidate->local_part;
      r.dn = layout_.PersonDn(r.uid);
      r.mail = r.uid + "@" + dir_.domain();
      r.person_id = p.id;
      ApplyName(*name, r);
      if (p.title) r.title = *p.title;
      if (p.phone) r.phone = *p.phone;
      r.agency_code = agency->code;
      r.agency_dn = agency->dn;
      r.birth_date = p.birth_date;
      internal::SetCertificate(p, r, e_.options_.clock());
      r.decision_dns = {DecisionDn(ev)};
      r.created_by_event = ev.id;
      auto password = e_.NewPassword();
      if (!password.ok()) return password.take_error();  // the claim ends with it
      np.initial_password = std::move(password).value();
      return Allocated{std::move(np), std::move(*claim)};
    }
  }

  // Hires of a batch under the same decision share one decision entry, named
  // after the first of them: one write for the batch instead of one per hire
  // (a staff list is one decision). Sets each person's decision DN; returns
  // the entries (subjects still empty) and each hire's index into them.
  std::vector<directory::DecisionRecord> ShareDecisions(std::vector<PreparedHire>& hires,
                                                        std::vector<std::size_t>& group) {
    std::vector<directory::DecisionRecord> decisions;
    group.clear();
    for (auto& h : hires) {
      const model::Event& ev = h.item->event;
      auto same = std::find_if(decisions.begin(), decisions.end(), [&](const auto& d) {
        return d.decision == ev.decision && d.effective_date == ev.effective_date;
      });
      if (same == decisions.end()) same = decisions.insert(decisions.end(), DecisionOf(ev, {}));
      group.push_back(static_cast<std::size_t>(same - decisions.begin()));
      h.person.person.decision_dns = {layout_.DecisionDn(same->event_id)};
    }
    return decisions;
  }

  // The decision entry of a hire that made `r` (shared with its batch when
  // r's decision DN names another event), with r as a subject.
  directory::DecisionRecord HireDecision(const model::Event& ev, const PersonRecord& r) {
    directory::DecisionRecord d = DecisionOf(ev, {r.dn});
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
  std::vector<StepResult> FlushHires(std::vector<PreparedHire>& hires) {
    std::vector<std::size_t> group;
    std::vector<directory::DecisionRecord> decisions = ShareDecisions(hires, group);
    std::vector<directory::NewPerson> people;
    people.reserve(hires.size());
    for (const auto& h : hires) people.push_back(h.person);
    const std::vector<Status> created = dir_.CreatePeople(people);
    for (auto& h : hires) h.claim.Release();

    std::vector<std::optional<StepResult>> results(hires.size());
    std::vector<std::size_t> added;
    std::vector<std::size_t> alone;
    for (std::size_t i = 0; i < hires.size(); ++i) {
      if (created[i].ok()) {
        e_.NoteTaken(hires[i].person.person.uid);
        added.push_back(i);
        decisions[group[i]].subject_dns.push_back(hires[i].person.person.dn);
      } else if (created[i].error().code == ErrorCode::kConflict) {
        alone.push_back(i);
      } else {
        results[i] = FromError(created[i].error());
      }
    }
    FinishAdded(hires, added, decisions, results);
    bool waiting = std::any_of(results.begin(), results.end(),
                               [](const auto& r) { return r && r->kind == Kind::kTransient; });
    for (std::size_t i : alone) {
      if (waiting) {
        results[i] = StepResult{Kind::kTransient, "waits for the directory"};
        continue;
      }
      results[i] = Hire(hires[i].item->event);
      waiting = results[i]->kind == Kind::kTransient;
    }
    std::vector<StepResult> out;
    out.reserve(results.size());
    for (auto& r : results) out.push_back(std::move(*r));
    return out;
  }

  // The steps after the adds for the hires at `added`: decision entries, then
  // one handover write for all of them.
  void FinishAdded(const std::vector<PreparedHire>& hires, const std::vector<std::size_t>& added,
                   const std::vector<directory::DecisionRecord>& decisions,
                   std::vector<std::optional<StepResult>>& results) {
    auto fail_added = [&](const Error& error) {
      for (std::size_t i : added) results[i] = FromError(error);
    };
    if (added.empty()) return;
    for (std::size_t i : added) {
      if (Status fault = Fault(hires[i].item->event, Step::kPersonAdded); !fault.ok())
        return fail_added(fault.error());
    }
    for (const auto& d : decisions) {
      if (d.subject_dns.empty()) continue;
      if (Status written = dir_.EnsureDecision(d); !written.ok())
        return fail_added(written.error());
    }
    std::vector<HandoverLine> lines;
    for (std::size_t i : added) {
      const PreparedHire& h = hires[i];
      if (Status fault = Fault(h.item->event, Step::kDecisionWritten); !fault.ok())
        return fail_added(fault.error());
      const PersonRecord& r = h.person.person;
      lines.push_back({*h.item->event.person->agency, r.uid, r.mail, r.full_name,
                       h.person.initial_password, h.item->event.id});
    }
    if (Status written = e_.handover_.Write(lines); !written.ok()) {
      for (std::size_t i : added) results[i] = StepResult{Kind::kTransient, written.error().detail};
      return;
    }
    for (std::size_t i : added) {
      const PreparedHire& h = hires[i];
      Status fault = Fault(h.item->event, Step::kHandoverWritten);
      const PersonRecord& r = h.person.person;
      results[i] = fault.ok() ? Applied(PersonResult(r.uid, r.mail) +
                                        internal::CertificateNote(h.item->event, r.mail,
                                                                  e_.options_.clock()))
                              : FromError(fault.error());
    }
  }

  // Sets a new password and hands it over, unless the handover already holds
  // one for this event (then the person has it).
  StepResult FinishHandover(const model::Event& ev, const PersonRecord& r) {
    const std::string& agency = *ev.person->agency;
    SYNC_ASSIGN(has, e_.handover_.Has(agency, ev.id));
    if (!has) {
      SYNC_ASSIGN(password, e_.NewPassword());
      SYNC_TRY(dir_.ResetPassword(r.dn, password));
      SYNC_TRY(Fault(ev, Step::kPasswordSet));
      SYNC_TRY(e_.handover_.Write({{agency, r.uid, r.mail, r.full_name, password, ev.id}}));
      SYNC_TRY(Fault(ev, Step::kHandoverWritten));
    }
    return Applied(PersonResult(r.uid, r.mail) +
                   internal::CertificateNote(ev, r.mail, e_.options_.clock()));
  }

  StepResult Hire(const model::Event& ev) {
    const model::PersonFields& p = *ev.person;
    const std::string decision_dn = DecisionDn(ev);
    SYNC_ASSIGN(found, dir_.FindPerson(p.id));
    if (found) {
      PersonRecord r = *found;
      if (r.created_by_event == ev.id) {
        // This hire made the entry; its decision entry may not be written yet.
        SYNC_TRY(dir_.EnsureDecision(HireDecision(ev, r)));
        SYNC_TRY(Fault(ev, Step::kDecisionWritten));
        return FinishHandover(ev, r);
      }
      if (r.HasDecision(decision_dn)) return FinishHandover(ev, r);  // this re-hire made it
      bool former = InSubtree(r.dn, layout_.former_dn);
      if (!former && r.status == directory::kStatusActive) {
        return Rejected("person id " + p.id + " already has the mailbox " + r.mail + " (R3)");
      }
      return Rehire(ev, r);
    }
    for (std::size_t attempt = 0;; ++attempt) {
      auto prepared = Allocate(ev, {}, attempt);
      if (!prepared.ok()) {
        if (prepared.error().code == ErrorCode::kNotFound ||
            prepared.error().code == ErrorCode::kInvalidInput) {
          return Rejected(prepared.error().detail);
        }
        return FromError(prepared.error());
      }
      Status created = dir_.CreatePeople({prepared->person}).front();
      prepared->claim.Release();
      if (!created.ok()) {
        // Taken between the check and the add (another writer, or a mail alias
        // the check cannot see): the next candidate.
        if (created.error().code == ErrorCode::kConflict && attempt < 100) continue;
        return FromError(created.error());
      }
      e_.NoteTaken(prepared->person.person.uid);
      SYNC_TRY(Fault(ev, Step::kPersonAdded));
      const PersonRecord& r = prepared->person.person;
      SYNC_TRY(dir_.EnsureDecision(DecisionOf(ev, {r.dn})));
      SYNC_TRY(Fault(ev, Step::kDecisionWritten));
      SYNC_TRY(e_.handover_.Write(
          {{*p.agency, r.uid, r.mail, r.full_name, prepared->person.initial_password, ev.id}}));
      SYNC_TRY(Fault(ev, Step::kHandoverWritten));
      return Applied(PersonResult(r.uid, r.mail) +
                     internal::CertificateNote(ev, r.mail, e_.options_.clock()));
    }
  }

  // A person who left comes back: same entry, same address (R3).
  StepResult Rehire(const model::Event& ev, PersonRecord r) {
    const model::PersonFields& p = *ev.person;
    auto agency = ActiveAgency(*p.agency);
    if (!agency.ok()) return FromError(agency.error());
    SYNC_TRY(dir_.EnsureDecision(DecisionOf(ev, {layout_.PersonDn(r.uid)})));
    SYNC_TRY(Fault(ev, Step::kDecisionWritten));
    if (InSubtree(r.dn, layout_.former_dn)) {
      SYNC_ASSIGN(moved, dir_.MovePerson(r.uid, false));
      r.dn = moved;
      SYNC_TRY(Fault(ev, Step::kPersonMoved));
    }
    PersonRecord after = r;
    after.status = std::string(directory::kStatusActive);
    after.agency_code = agency->code;
    after.agency_dn = agency->dn;
    if (HasName(p)) {
      auto name = NameOf(p);
      if (!name.ok()) return Rejected("person " + p.id + ": " + name.error().detail);
      ApplyName(*name, after);
    }
    after.title = p.title ? *p.title : std::nullopt;
    after.phone = p.phone ? *p.phone : std::nullopt;
    if (p.birth_date) after.birth_date = p.birth_date;
    internal::SetCertificate(p, after, e_.options_.clock());
    after.decision_dns.push_back(DecisionDn(ev));
    SYNC_TRY(dir_.UpdatePerson(r, after));
    SYNC_TRY(Fault(ev, Step::kPersonUpdated));
    return FinishHandover(ev, after);
  }

  // transfer (agency and title; the address stays, R8) and update (title,
  // phone, name corrections, birth date; the address stays).
  StepResult Change(const model::Event& ev) {
    const model::PersonFields& p = *ev.person;
    const std::string decision_dn = DecisionDn(ev);
    SYNC_ASSIGN(found, dir_.FindPerson(p.id));
    if (!found) return Rejected("unknown person id " + p.id);
    PersonRecord r = *found;
    if (r.HasDecision(decision_dn)) return Applied(PersonResult(r.uid, r.mail));
    if (InSubtree(r.dn, layout_.former_dn) || r.status != directory::kStatusActive) {
      return Rejected("person id " + p.id + " (" + r.mail + ") has left");
    }
    PersonRecord after = r;
    if (ev.type == EventType::kTransfer) {
      auto agency = ActiveAgency(*ev.to_agency);
      if (!agency.ok()) return FromError(agency.error());
      after.agency_code = agency->code;
      after.agency_dn = agency->dn;
    }
    std::optional<naming::PersonName> corrected;
    if (HasName(p)) {
      // Fields not sent keep their current value (a correction of one part).
      model::PersonFields merged = p;
      if (!merged.full_name && !(merged.family_name && merged.given_name)) {
        auto current = naming::ParseName(r.full_name);
        if (!current.ok()) return Rejected("person " + p.id + ": " + current.error().detail);
        if (!merged.family_name) merged.family_name = current->family_name;
        if (!merged.given_name) merged.given_name = current->given_name;
        if (!merged.middle_names) merged.middle_names = current->middle_names;
      }
      auto name = NameOf(merged);
      if (!name.ok()) return Rejected("person " + p.id + ": " + name.error().detail);
      ApplyName(*name, after);
      corrected = std::move(name).value();
    }
    if (p.title) after.title = *p.title;
    if (p.phone) after.phone = *p.phone;
    if (p.birth_date) after.birth_date = p.birth_date;
    if (p.new_address) return Readdress(ev, r, std::move(after), corrected);
    internal::SetCertificate(p, after, e_.options_.clock());
    after.decision_dns.push_back(decision_dn);
    SYNC_TRY(dir_.EnsureDecision(DecisionOf(ev, {r.dn})));
    SYNC_TRY(Fault(ev, Step::kDecisionWritten));
    SYNC_TRY(dir_.UpdatePerson(r, after));
    SYNC_TRY(Fault(ev, Step::kPersonUpdated));
    return Applied(PersonResult(r.uid, r.mail) +
                   internal::CertificateNote(ev, r.mail, e_.options_.clock()));
  }

  // An update with new_address: the address the (corrected) name gives, by the
  // collision policy as for a hire, the old one kept as an alias so that mail
  // to it still arrives; the password stays. Steps: rename the entry (uid),
  // the decision entry, then mail, alias, name and the decision reference in
  // one modify. An entry whose mail is not <uid>@domain was renamed by an
  // interrupted run of this event, which the replay finishes.
  StepResult Readdress(const model::Event& ev, const PersonRecord& r, PersonRecord after,
                       const std::optional<naming::PersonName>& corrected) {
    const std::string at_domain = "@" + dir_.domain();
    std::string uid = r.uid;
    if (r.mail == r.uid + at_domain) {
      std::optional<naming::PersonName> name = corrected;
      if (!name) {
        auto current = naming::ParseName(r.full_name);
        if (!current.ok()) return Rejected("person " + r.person_id + ": " + current.error().detail);
        name = std::move(current).value();
      }
      model::PersonFields fields;
      fields.id = r.person_id;
      fields.birth_date = after.birth_date;
      fields.agency = after.agency_code;
      SYNC_ASSIGN(sequence, CandidatesOf(fields, *name));
      for (std::size_t attempt = 0;; ++attempt) {
        auto candidate = sequence.Next();
        if (!candidate.ok() || attempt > 100) {
          return Rejected("no free address for " + name->full_name + ": " +
                          (candidate.ok() ? "too many taken" : candidate.error().detail));
        }
        const std::string& c = candidate->local_part;
        if (c == r.uid) break;  // the name gives the address it has
        if (e_.KnownTaken(c)) continue;
        SYNC_ASSIGN(taken, dir_.AddressTaken(c));
        if (taken) {
          e_.NoteTaken(c);
          continue;
        }
        auto claim = e_.claims_.TryClaim(c);
        if (!claim) continue;
        auto renamed = dir_.RenamePerson(r.uid, c);
        claim->Release();
        if (!renamed.ok()) {
          if (renamed.error().code == ErrorCode::kConflict) continue;  // taken meanwhile
          return FromError(renamed.error());
        }
        e_.NoteTaken(c);
        uid = c;
        break;
      }
      SYNC_TRY(Fault(ev, Step::kPersonRenamed));
    }
    PersonRecord current = r;
    current.uid = uid;
    current.dn = layout_.PersonDn(uid);
    after.uid = uid;
    after.dn = current.dn;
    if (r.mail != uid + at_domain) {
      after.mail = uid + at_domain;
      if (std::find(after.aliases.begin(), after.aliases.end(), r.mail) == after.aliases.end())
        after.aliases.push_back(r.mail);
    }
    // Judged against the new address.
    if (ev.person) internal::SetCertificate(*ev.person, after, e_.options_.clock());
    SYNC_TRY(dir_.EnsureDecision(DecisionOf(ev, {after.dn})));
    SYNC_TRY(Fault(ev, Step::kDecisionWritten));
    after.decision_dns.push_back(DecisionDn(ev));
    SYNC_TRY(dir_.UpdatePerson(current, after));
    SYNC_TRY(Fault(ev, Step::kPersonUpdated));
    std::string result = PersonResult(after.uid, after.mail);
    if (after.mail != r.mail) result += " alias=" + r.mail;
    return Applied(result + internal::CertificateNote(ev, after.mail, e_.options_.clock()));
  }

  // Leaving (R9, R14): to ou=former, status left, no password; the entry and its
  // address stay, so the address is never issued again.
  StepResult Leave(const model::Event& ev) {
    const model::PersonFields& p = *ev.person;
    const std::string decision_dn = DecisionDn(ev);
    SYNC_ASSIGN(found, dir_.FindPerson(p.id));
    if (!found) return Rejected("unknown person id " + p.id);
    PersonRecord r = *found;
    // The decision goes on the entry last, after the move: an entry that holds it
    // has been through this leave, even if a later re-hire brought it back to
    // ou=people (a replay after a crash must not move it out again).
    if (r.HasDecision(decision_dn)) return Applied(PersonResult(r.uid, r.mail));
    bool former = InSubtree(r.dn, layout_.former_dn);
    if (r.status == directory::kStatusLeft && !r.HasDecision(decision_dn)) {
      return Rejected("person id " + p.id + " (" + r.mail + ") has already left");
    }
    SYNC_TRY(dir_.EnsureDecision(DecisionOf(ev, {layout_.PersonDn(r.uid, true)})));
    SYNC_TRY(Fault(ev, Step::kDecisionWritten));
    if (!former) {
      // Moved first: under ou=former nobody but the writers can bind or read.
      SYNC_ASSIGN(moved, dir_.MovePerson(r.uid, true));
      r.dn = moved;
      SYNC_TRY(Fault(ev, Step::kPersonMoved));
    }
    PersonRecord after = r;
    after.status = std::string(directory::kStatusLeft);
    after.has_password = false;
    if (!after.HasDecision(decision_dn)) after.decision_dns.push_back(decision_dn);
    SYNC_TRY(dir_.UpdatePerson(r, after));
    SYNC_TRY(Fault(ev, Step::kPersonUpdated));
    return Applied(PersonResult(r.uid, r.mail));
  }

  Result<std::optional<std::string>> ActivePersonDn(const std::string& person_id) {
    auto found = dir_.FindPerson(person_id);
    if (!found.ok()) return found.take_error();
    if (!*found || InSubtree((*found)->dn, layout_.former_dn) ||
        (*found)->status != directory::kStatusActive) {
      return NotFound("unknown person id " + person_id + " (not in service)");
    }
    return std::optional<std::string>((*found)->dn);
  }

  StepResult AgencyCreate(const model::Event& ev) {
    const model::AgencyFields& a = *ev.agency;
    const std::string decision_dn = DecisionDn(ev);
    SYNC_ASSIGN(existing, dir_.FindAgency(a.code));
    if (existing) {
      if (existing->HasDecision(decision_dn))
        return Applied(AgencyResult(*existing, dir_.domain()));
      return Rejected("agency '" + a.code + "' exists already (" + existing->status + ")");
    }
    if (Status valid = naming::ValidateAgencyCode(a.code); !valid.ok()) {
      return Rejected(valid.error().detail);
    }
    AgencyRecord r;
    r.code = a.code;
    r.dn = layout_.AgencyDn(a.code);
    r.name = a.name.value_or(a.code);
    r.mail = a.code + "@" + dir_.domain();
    if (a.parent && *a.parent) {
      auto parent = ActiveAgency(**a.parent);
      if (!parent.ok()) return FromError(parent.error(), "parent");
      r.parent_dn = parent->dn;
    }
    if (a.head) {
      auto head = ActivePersonDn(*a.head);
      if (!head.ok()) return FromError(head.error(), "head");
      r.head_dn = *head;
    }
    SYNC_ASSIGN(taken, dir_.AddressTaken(a.code));
    if (taken) return Rejected("the address " + *r.mail + " is taken");
    r.decision_dns = {decision_dn};
    SYNC_TRY(dir_.EnsureDecision(DecisionOf(ev, {r.dn})));
    SYNC_TRY(Fault(ev, Step::kDecisionWritten));
    SYNC_TRY(dir_.AddAgency(r));
    SYNC_TRY(Fault(ev, Step::kAgencyWritten));
    return Applied(AgencyResult(r, dir_.domain()));
  }

  // The agency of an agency event; nullopt with `result` set when done or refused.
  std::optional<AgencyRecord> AgencyFor(const model::Event& ev, std::optional<StepResult>& result) {
    const std::string& code = ev.agency->code;
    auto found = dir_.FindAgency(code);
    if (!found.ok()) {
      result = FromError(found.error());
      return std::nullopt;
    }
    if (!*found) {
      result = Rejected(UnknownAgency(code));
      return std::nullopt;
    }
    if ((*found)->HasDecision(DecisionDn(ev))) {
      result = Applied(AgencyResult(**found, dir_.domain()));
      return std::nullopt;
    }
    if ((*found)->status != directory::kStatusActive) {
      result = Rejected("agency '" + code + "' is " + (*found)->status);
      return std::nullopt;
    }
    return **found;
  }

  // Why `code` names no agency; when its address is another agency's alias,
  // the agency was renamed (the sender may not know yet), and that is said.
  std::string UnknownAgency(const std::string& code) {
    std::string why = "unknown agency '" + code + "'";
    const std::string address = code + "@" + dir_.domain();
    auto renamed = dir_.FindAgencyByAddress(address);
    if (renamed.ok() && *renamed && (*renamed)->code != code) {
      why += ": it was renamed to '" + (*renamed)->code + "' (" + address +
             " is an alias of its address)";
    }
    return why;
  }

  // The agency code of ou=<code>,ou=agencies (codes need no DN escaping); empty
  // for any other DN.
  std::string CodeOfAgencyDn(std::string_view dn) const {
    if (dn.substr(0, 3) != "ou=" || !InSubtree(dn, layout_.agencies_dn)) return "";
    const std::string_view rest = dn.substr(3);
    const std::size_t comma = rest.find(',');
    if (comma == std::string_view::npos) return "";
    if (comma + 1 + layout_.agencies_dn.size() != rest.size()) return "";  // deeper
    return Lower(rest.substr(0, comma));
  }

  bool SameDn(std::string_view a, std::string_view b) const { return Lower(a) == Lower(b); }

  // agency.update with new_code (R4). Each step finds its own earlier work:
  //   1. the decision entry (its subject is the new DN, which refint leaves alone);
  //   2. the entry is renamed to ou=<new code> with the new danhbaAgencyCode
  //      (RenameAgency; a repeat only finishes it);
  //   3. every person whose danhbaAgencyDN is the old or new DN, in service or
  //      former, gets the new code in `ou` and the new DN (refint rewrites the
  //      DN too, but in the background);
  //   4. sub-agencies point at the new DN;
  //   5. last, in one modify: mail <new>@domain, the old address as an alias,
  //      name and parent when sent, and the decision reference: the marker.
  // Until step 5 the entry keeps the old address as its mail, so mail to it
  // never bounces, and that is how a replay tells its own half-done rename
  // (ou=<new>, mail <old>@domain) from another agency.
  StepResult AgencyRename(const model::Event& ev) {
    const model::AgencyFields& a = *ev.agency;
    const std::string& old_code = a.code;
    const std::string& new_code = *a.new_code;
    const std::string decision_dn = DecisionDn(ev);
    const std::string old_dn = layout_.AgencyDn(old_code);
    const std::string new_dn = layout_.AgencyDn(new_code);
    const std::string old_address = old_code + "@" + dir_.domain();
    const std::string new_address = new_code + "@" + dir_.domain();
    auto done = [&] {
      return Applied("agency=" + new_code + " mail=" + new_address + " alias=" + old_address +
                     " renamed_from=" + old_code);
    };
    SYNC_ASSIGN(source, dir_.FindAgency(old_code));
    SYNC_ASSIGN(target, dir_.FindAgency(new_code));
    if (target && target->HasDecision(decision_dn)) return done();
    const bool resumed = !source && target && target->mail == old_address;
    if (source) {
      if (source->status != directory::kStatusActive)
        return Rejected("agency '" + old_code + "' is " + source->status);
      if (target) {
        return Rejected("cannot rename agency '" + old_code + "' to '" + new_code + "': agency '" +
                        new_code + "' exists already (" + target->status + ")");
      }
    } else if (!resumed) {
      return Rejected(UnknownAgency(old_code));
    }
    const AgencyRecord& current = resumed ? *target : *source;
    if (current.status != directory::kStatusActive)
      return Rejected("agency '" + old_code + "' is " + current.status);
    // Checked again on a replay: until step 5 the new address is nobody's.
    if (Status valid = naming::ValidateAgencyCode(new_code); !valid.ok()) {
      return Rejected("cannot rename agency '" + old_code + "': " + valid.error().detail);
    }
    if (e_.allocator_->IsReserved(new_code)) {
      return Rejected("cannot rename agency '" + old_code + "': the address " + new_address +
                      " is reserved by the naming policy");
    }
    SYNC_ASSIGN(taken, dir_.AddressTaken(new_code));
    if (taken) {
      return Rejected("cannot rename agency '" + old_code + "': the address " + new_address +
                      " is taken");
    }
    std::optional<std::optional<std::string>> parent_dn;
    if (a.parent) {
      if (*a.parent) {
        if (**a.parent == old_code || **a.parent == new_code)
          return Rejected("agency '" + old_code + "' cannot be its own parent");
        auto parent = ActiveAgency(**a.parent);
        if (!parent.ok()) return FromError(parent.error(), "parent");
        parent_dn = std::optional<std::string>(parent->dn);
      } else {
        parent_dn = std::optional<std::string>();
      }
    }
    SYNC_TRY(dir_.EnsureDecision(DecisionOf(ev, {new_dn})));
    SYNC_TRY(Fault(ev, Step::kDecisionWritten));
    SYNC_ASSIGN(renamed, dir_.RenameAgency(old_code, new_code));
    SYNC_TRY(Fault(ev, Step::kAgencyRenamed));
    std::set<std::string> people_done;
    for (const std::string& dn : {old_dn, renamed.dn}) {
      SYNC_ASSIGN(members, dir_.MembersOfAgency(dn));
      for (const PersonRecord& person : members) {
        if (!people_done.insert(Lower(person.dn)).second) continue;
        PersonRecord after = person;
        after.agency_code = new_code;
        after.agency_dn = renamed.dn;
        if (!after.HasDecision(decision_dn)) after.decision_dns.push_back(decision_dn);
        SYNC_TRY(dir_.UpdatePerson(person, after));
      }
    }
    SYNC_TRY(Fault(ev, Step::kPersonUpdated));
    std::set<std::string> agencies_done{Lower(renamed.dn)};
    for (const std::string& dn : {old_dn, renamed.dn}) {
      SYNC_ASSIGN(children, dir_.SubAgencies(dn));
      for (const AgencyRecord& child : children) {
        if (!agencies_done.insert(Lower(child.dn)).second) continue;
        AgencyRecord after = child;
        after.parent_dn = renamed.dn;
        if (!after.HasDecision(decision_dn)) after.decision_dns.push_back(decision_dn);
        SYNC_TRY(dir_.UpdateAgency(child, after));
      }
    }
    SYNC_TRY(Fault(ev, Step::kSubAgenciesUpdated));
    AgencyRecord after = renamed;
    after.mail = new_address;
    if (std::find(after.aliases.begin(), after.aliases.end(), old_address) == after.aliases.end())
      after.aliases.push_back(old_address);
    if (a.name) after.name = *a.name;
    if (parent_dn) after.parent_dn = *parent_dn;
    if (!after.HasDecision(decision_dn)) after.decision_dns.push_back(decision_dn);
    SYNC_TRY(dir_.UpdateAgency(renamed, after));
    SYNC_TRY(Fault(ev, Step::kAgencyWritten));
    return done();
  }

  StepResult AgencyUpdate(const model::Event& ev) {
    if (ev.agency->new_code) return AgencyRename(ev);
    std::optional<StepResult> result;
    auto current = AgencyFor(ev, result);
    if (!current) return *result;
    const model::AgencyFields& a = *ev.agency;
    AgencyRecord after = *current;
    if (a.name) after.name = *a.name;
    if (a.parent) {
      if (*a.parent) {
        if (**a.parent == a.code)
          return Rejected("agency '" + a.code + "' cannot be its own parent");
        auto parent = ActiveAgency(**a.parent);
        if (!parent.ok()) return FromError(parent.error(), "parent");
        after.parent_dn = parent->dn;
      } else {
        after.parent_dn.reset();
      }
    }
    return WriteAgencyChange(ev, *current, std::move(after));
  }

  // The last steps of an agency event that changes the agency entry alone: the
  // decision entry, then `after` with the reference to it in the same modify.
  StepResult WriteAgencyChange(const model::Event& ev, const AgencyRecord& current,
                               AgencyRecord after) {
    after.decision_dns.push_back(DecisionDn(ev));
    SYNC_TRY(dir_.EnsureDecision(DecisionOf(ev, {current.dn})));
    SYNC_TRY(Fault(ev, Step::kDecisionWritten));
    SYNC_TRY(dir_.UpdateAgency(current, after));
    SYNC_TRY(Fault(ev, Step::kAgencyWritten));
    return Applied(AgencyResult(after, dir_.domain()));
  }

  // The staff move to the target, the old address becomes the target's alias,
  // the old entry stays (status merged) for history.
  StepResult AgencyMerge(const model::Event& ev) {
    std::optional<StepResult> result;
    auto source = AgencyFor(ev, result);
    if (!source) return *result;
    const std::string decision_dn = DecisionDn(ev);
    if (*ev.into == source->code)
      return Rejected("agency '" + source->code + "' cannot merge into itself");
    auto target = ActiveAgency(*ev.into);
    if (!target.ok()) return FromError(target.error(), "into");
    SYNC_TRY(dir_.EnsureDecision(DecisionOf(ev, {source->dn, target->dn})));
    SYNC_TRY(Fault(ev, Step::kDecisionWritten));
    SYNC_ASSIGN(staff, dir_.PeopleOfAgency(source->dn));
    for (const PersonRecord& person : staff) {
      PersonRecord after = person;
      after.agency_code = target->code;
      after.agency_dn = target->dn;
      if (!after.HasDecision(decision_dn)) after.decision_dns.push_back(decision_dn);
      SYNC_TRY(dir_.UpdatePerson(person, after));
    }
    SYNC_TRY(Fault(ev, Step::kPersonUpdated));
    // Sub-agencies now hang under the target. The target itself, and any
    // sub-agency above it, takes the merged agency's place instead (no cycle).
    SYNC_ASSIGN(children, dir_.SubAgencies(source->dn));
    std::set<std::string> above_target;
    if (!children.empty()) {
      SYNC_ASSIGN(ancestors, AncestorsOf(*target));
      above_target = std::move(ancestors);
    }
    for (const AgencyRecord& child : children) {
      AgencyRecord after = child;
      const bool in_line = SameDn(child.dn, target->dn) || above_target.count(Lower(child.dn));
      after.parent_dn = in_line ? source->parent_dn : std::optional<std::string>(target->dn);
      if (!after.HasDecision(decision_dn)) after.decision_dns.push_back(decision_dn);
      SYNC_TRY(dir_.UpdateAgency(child, after));
      if (SameDn(child.dn, target->dn)) *target = after;
    }
    SYNC_TRY(Fault(ev, Step::kSubAgenciesUpdated));
    // The old address leaves the old entry first: slapo-unique would refuse it
    // as an alias while it is still a mail.
    const std::string old_address = source->code + "@" + dir_.domain();
    AgencyRecord source_cleared = *source;
    source_cleared.mail.reset();
    source_cleared.aliases.clear();
    SYNC_TRY(dir_.UpdateAgency(*source, source_cleared));
    AgencyRecord target_after = *target;
    for (const std::string& alias : [&] {
           std::vector<std::string> moved{old_address};
           moved.insert(moved.end(), source->aliases.begin(), source->aliases.end());
           return moved;
         }()) {
      if (std::find(target_after.aliases.begin(), target_after.aliases.end(), alias) ==
          target_after.aliases.end()) {
        target_after.aliases.push_back(alias);
      }
    }
    if (!target_after.HasDecision(decision_dn)) target_after.decision_dns.push_back(decision_dn);
    SYNC_TRY(dir_.UpdateAgency(*target, target_after));
    AgencyRecord source_after = source_cleared;
    source_after.status = std::string(directory::kStatusMerged);
    source_after.decision_dns.push_back(decision_dn);
    SYNC_TRY(dir_.UpdateAgency(source_cleared, source_after));
    SYNC_TRY(Fault(ev, Step::kAgencyWritten));
    return Applied("agency=" + source->code + " into=" + target->code + " alias=" + old_address);
  }

  // The DNs (lower case) of the agencies above `agency`, following danhbaParentDN.
  Result<std::set<std::string>> AncestorsOf(const AgencyRecord& agency) {
    constexpr int kMaxDepth = 64;  // a hand-made cycle must not loop forever
    std::set<std::string> out;
    std::optional<std::string> parent = agency.parent_dn;
    for (int depth = 0; parent && depth < kMaxDepth; ++depth) {
      if (!out.insert(Lower(*parent)).second) break;
      const std::string code = CodeOfAgencyDn(*parent);
      if (code.empty()) break;
      auto found = dir_.FindAgency(code);
      if (!found.ok()) return found.take_error();
      if (!*found) break;
      parent = (*found)->parent_dn;
    }
    return out;
  }

  StepResult AgencyDissolve(const model::Event& ev) {
    std::optional<StepResult> result;
    auto current = AgencyFor(ev, result);
    if (!current) return *result;
    SYNC_ASSIGN(staff, dir_.PeopleOfAgency(current->dn));
    if (!staff.empty()) {
      return Rejected("agency '" + current->code + "' still has " + std::to_string(staff.size()) +
                      " people in service; transfer them or record their leaving first");
    }
    AgencyRecord after = *current;
    after.status = std::string(directory::kStatusDissolved);
    return WriteAgencyChange(ev, *current, std::move(after));
  }

  // R20: the head manages the agency mailbox and may delegate; a new head
  // replaces the old one and, unless keep_delegates_on_new_head, the
  // delegations (those sent with it are the new ones).
  StepResult AgencyHead(const model::Event& ev) {
    std::optional<StepResult> result;
    auto current = AgencyFor(ev, result);
    if (!current) return *result;
    const model::AgencyFields& a = *ev.agency;
    AgencyRecord after = *current;
    auto head = ActivePersonDn(*a.head);
    if (!head.ok()) return FromError(head.error(), "head");
    after.head_dn = *head;
    if (a.delegates || !e_.options_.keep_delegates_on_new_head) after.delegate_dns.clear();
    if (a.delegates) {
      for (const auto& id : *a.delegates) {
        auto delegate = ActivePersonDn(id);
        if (!delegate.ok()) return FromError(delegate.error(), "delegate");
        after.delegate_dns.push_back(**delegate);
      }
    }
    return WriteAgencyChange(ev, *current, std::move(after));
  }

  Impl& e_;
  Directory& dir_;
  // What Prefetch found, each used once; agencies read during this run.
  std::unordered_set<std::string> absent_people_;
  std::unordered_set<std::string> free_addresses_;
  std::unordered_map<std::string, AgencyRecord> agencies_;
  const directory::Layout& layout_;
};

RoundResult Engine::Impl::RunOnce(TimePoint now) {
  std::lock_guard round_lock(round_mutex_);
  RoundResult round;
  if (Status valid = Validate(); !valid.ok()) {
    round.transient_failure = true;
    round.transient_detail = valid.error().detail;
    return round;
  }
  auto log = log::Get("sync");
  std::vector<journal::Event> pending = journal_.Pending();

  std::vector<journal::StatusChange> early;  // rejections and schedules found while sorting
  std::vector<Item> items;
  items.reserve(pending.size());
  std::unordered_set<std::string> blocked_people;
  std::unordered_set<std::string> blocked_agencies;       // by a waiting agency event
  std::unordered_set<std::string> agencies_with_waiting;  // by any waiting event

  auto note_next = [&](TimePoint t) {
    if (!round.next_due || t < *round.next_due) round.next_due = t;
  };

  for (journal::Event& je : pending) {
    Outcome outcome{je.info.id, EventState::kQueued, {}};
    // Today's rules are for intake; what was acknowledged is applied as stored.
    auto parsed = model::ParseStoredEvent(je.payload);
    if (!parsed.ok()) {
      std::string reason = "not a valid event: " + parsed.error().detail;
      early.push_back({je.info.id, EventState::kRejected, reason, std::nullopt});
      round.rejected++;
      round.outcomes.push_back({je.info.id, EventState::kRejected, reason});
      continue;
    }
    Item item{std::move(je), std::move(parsed).value(), {}, 0};
    item.keys = KeysOf(item.event);
    bool due = !item.journal_event.info.not_before || *item.journal_event.info.not_before <= now;
    if (due && item.event.effective_date) {
      TimePoint start = options_.start_of_day(*item.event.effective_date);
      if (start > now) {
        due = false;
        early.push_back({item.event.id, EventState::kScheduled,
                         "effective " + item.event.effective_date->ToString(), start});
        round.scheduled++;
        outcome.state = EventState::kScheduled;
        outcome.detail = "effective " + item.event.effective_date->ToString();
        note_next(start);
      }
    }
    const auto& not_before = item.journal_event.info.not_before;
    if (not_before && *not_before > now && item.journal_event.info.state == EventState::kQueued) {
      // Appended as due by a writer whose clock was ahead of this engine's
      // (another process, a clock stepped back): it waits, and says so.
      std::string note = item.event.effective_date
                             ? "effective " + item.event.effective_date->ToString()
                             : "not before its scheduled time";
      early.push_back({item.event.id, EventState::kScheduled, note, *not_before});
      round.scheduled++;
      outcome.state = EventState::kScheduled;
      outcome.detail = std::move(note);
    }
    if (!due && item.journal_event.info.not_before) note_next(*item.journal_event.info.not_before);
    bool blocked = false;
    for (const auto& p : item.keys.people) blocked = blocked || blocked_people.count(p);
    for (const auto& a : item.keys.agencies) {
      blocked = blocked || blocked_agencies.count(a) ||
                (item.keys.agency_event && agencies_with_waiting.count(a));
    }
    if (!due || blocked) {
      for (const auto& p : item.keys.people) blocked_people.insert(p);
      for (const auto& a : item.keys.agencies) {
        agencies_with_waiting.insert(a);
        if (item.keys.agency_event) blocked_agencies.insert(a);
      }
      if (due) {
        round.waiting++;
        outcome.detail = "waits for an earlier event";
      }
      round.outcomes.push_back(std::move(outcome));
      continue;
    }
    if (items.size() >= options_.max_round_events) {
      // Later in append order than everything taken: safe to leave for the next round.
      round.more = true;
      for (const auto& p : item.keys.people) blocked_people.insert(p);
      for (const auto& a : item.keys.agencies) {
        agencies_with_waiting.insert(a);
        if (item.keys.agency_event) blocked_agencies.insert(a);
      }
      outcome.detail = "next round";
      round.outcomes.push_back(std::move(outcome));
      continue;
    }
    item.index = round.outcomes.size();
    round.outcomes.push_back(std::move(outcome));
    items.push_back(std::move(item));
  }
  if (!early.empty()) {
    if (Status s = journal_.Update(early); !s.ok()) {
      log->error("cannot record {} event states in the journal: {}", early.size(),
                 s.error().detail);
    }
  }

  // Results go to the journal in groups (one fsync each), from any worker.
  std::mutex changes_mutex;
  std::vector<journal::StatusChange> changes;
  auto flush_changes = [&](bool force) {
    std::vector<journal::StatusChange> batch;
    {
      std::lock_guard lock(changes_mutex);
      if (changes.empty() || (!force && changes.size() < options_.journal_batch)) return;
      batch.swap(changes);
    }
    if (Status s = journal_.Update(batch); !s.ok()) {
      // The directory holds the changes; replay finds them done and marks them.
      log->error("cannot record {} results in the journal: {}", batch.size(), s.error().detail);
    }
  };
  std::atomic<bool> transient{false};
  std::mutex transient_mutex;
  auto record = [&](const Item& item, const std::optional<StepResult>& r) {
    Outcome& outcome = round.outcomes[item.index];
    if (!r) {
      outcome.detail = "waits for the directory";
      return;
    }
    switch (r->kind) {
      case Kind::kApplied:
        outcome.state = EventState::kApplied;
        break;
      case Kind::kRejected:
        outcome.state = EventState::kRejected;
        log->warn("event {} ({}) rejected: {}", item.event.id, model::ToString(item.event.type),
                  r->detail);
        break;
      case Kind::kTransient: {
        outcome.detail = r->detail;
        std::lock_guard lock(transient_mutex);
        if (!transient.exchange(true)) round.transient_detail = r->detail;
        return;
      }
    }
    outcome.detail = r->detail;
    std::lock_guard lock(changes_mutex);
    changes.push_back({item.event.id, outcome.state, r->detail, std::nullopt});
  };

  std::size_t next = 0;
  while (next < items.size() && !transient) {
    if (items[next].keys.agency_event) {
      Worker worker(*this, *dirs_[0]);
      StepResult r = worker.Apply(items[next]);
      record(items[next], r);
      flush_changes(true);
      ++next;
      continue;
    }
    std::size_t end = next;
    while (end < items.size() && !items[end].keys.agency_event) ++end;
    // Partition by person id so that one person's events stay in order on one worker.
    std::size_t workers = std::min(dirs_.size(), end - next);
    std::vector<std::vector<const Item*>> queues(workers);
    for (std::size_t i = next; i < end; ++i) {
      const std::string& person =
          items[i].keys.people.empty() ? items[i].event.id : items[i].keys.people.front();
      queues[std::hash<std::string>{}(person) % workers].push_back(&items[i]);
    }
    auto run_queue = [&](std::size_t w) {
      Worker worker(*this, *dirs_[w]);
      const auto& queue = queues[w];
      // Slices so that results reach the journal while a long round runs.
      const std::size_t slice = std::max<std::size_t>(options_.journal_batch, options_.batch_size);
      for (std::size_t from = 0; from < queue.size(); from += slice) {
        if (transient) {
          for (std::size_t i = from; i < queue.size(); ++i) record(*queue[i], std::nullopt);
          break;
        }
        std::vector<const Item*> part(
            queue.begin() + static_cast<std::ptrdiff_t>(from),
            queue.begin() + static_cast<std::ptrdiff_t>(std::min(queue.size(), from + slice)));
        auto results = worker.ApplyAll(part);
        for (std::size_t i = 0; i < part.size(); ++i) record(*part[i], results[i]);
        flush_changes(false);
      }
    };
    if (workers == 1) {
      run_queue(0);
    } else {
      std::vector<std::jthread> threads;
      for (std::size_t w = 0; w < workers; ++w)
        threads.emplace_back([&run_queue, w] { run_queue(w); });
    }
    flush_changes(true);
    next = end;
  }
  for (std::size_t i = next; i < items.size(); ++i) {
    round.outcomes[items[i].index].detail = "waits for the directory";
  }
  flush_changes(true);
  round.transient_failure = transient;
  for (const Outcome& o : round.outcomes) {
    if (o.state == EventState::kApplied) round.applied++;
  }
  round.rejected = 0;
  round.waiting = 0;
  for (const Outcome& o : round.outcomes) {
    if (o.state == EventState::kRejected) round.rejected++;
    if (o.state == EventState::kQueued && !o.detail.empty()) round.waiting++;
  }
  if (round.transient_failure) {
    log->warn("directory unavailable, {} events wait: {}", round.waiting, round.transient_detail);
  }
  if (round.applied + round.rejected > 0) {
    log->info("applied {} events, rejected {}, {} waiting", round.applied, round.rejected,
              round.waiting);
  }
  return round;
}

void Engine::Impl::PickUpRetries() {
  if (options_.retry_dir.empty()) return;
  std::error_code ec;
  auto log = log::Get("sync");
  for (const auto& entry : std::filesystem::directory_iterator(options_.retry_dir, ec)) {
    std::string name = entry.path().filename().string();
    auto id = Unhex(name);
    if (id) {
      Status retried = journal_.Retry(*id, "retried by operator");
      if (retried.ok()) {
        log->info("event {} re-queued by the operator", *id);
      } else {
        log->warn("retry of event {} refused: {}", *id, retried.error().detail);
      }
    }
    std::filesystem::remove(entry.path(), ec);
  }
}

void Engine::Impl::Run(std::stop_token stop) {
  std::stop_callback on_stop(stop, [this] { Notify(); });
  auto log = log::Get("sync");
  // No round before this time (back-off after a transient failure).
  TimePoint backoff_until = TimePoint::min();
  while (!stop.stop_requested()) {
    PickUpRetries();
    const TimePoint now = options_.clock();
    TimePoint deadline =
        now + std::chrono::duration_cast<std::chrono::microseconds>(options_.poll_interval);
    if (now >= backoff_until) {
      RoundResult round = RunOnce(now);
      if (round.next_due && *round.next_due < deadline) deadline = *round.next_due;
      if (round.more && !round.transient_failure) deadline = now;
      std::lock_guard lock(wake_mutex_);
      if (round.transient_failure) {
        backoff_ = backoff_.count() == 0 ? options_.initial_backoff
                                         : std::min(backoff_ * 2, options_.max_backoff);
        backoff_until = now + std::chrono::duration_cast<std::chrono::microseconds>(backoff_);
        log->warn("directory unavailable; next attempt in {} ms", backoff_.count());
      } else {
        backoff_ = std::chrono::milliseconds(0);
        backoff_until = TimePoint::min();
      }
    }
    if (backoff_until > now && backoff_until < deadline) deadline = backoff_until;
    auto wait = std::max(deadline - now, TimePoint::duration(0));
    std::unique_lock lock(wake_mutex_);
    wake_.wait_for(lock, wait, [&] { return notified_ || stop.stop_requested(); });
    notified_ = false;
  }
}

Engine::Engine(journal::Journal& journal, Directory& directory, EngineOptions options)
    : impl_(std::make_unique<Impl>(journal, std::vector<Directory*>{&directory},
                                   std::move(options))) {}

Engine::Engine(journal::Journal& journal, std::vector<Directory*> directories,
               EngineOptions options)
    : impl_(std::make_unique<Impl>(journal, std::move(directories), std::move(options))) {}

Engine::~Engine() = default;

Status Engine::Validate() const { return impl_->Validate(); }
RoundResult Engine::RunOnce(TimePoint now) { return impl_->RunOnce(now); }
void Engine::Run(std::stop_token stop) { impl_->Run(stop); }
void Engine::Notify() { impl_->Notify(); }
std::chrono::milliseconds Engine::backoff() const { return impl_->backoff(); }

Result<EngineOptions> OptionsFromConfig(const config::Config& config) {
  EngineOptions options;
  auto policy = naming::ParseCollisionPolicy(config.naming.collision);
  if (!policy.ok()) return ConfigError("naming.collision: " + policy.error().detail);
  options.naming.collision = *policy;
  if (config.naming.start_number < 0) {
    return ConfigError("naming.start_number: must not be negative");
  }
  options.naming.numeric_start = static_cast<unsigned>(config.naming.start_number);
  if (config.naming.max_length < 1) return ConfigError("naming.max_length: must be at least 1");
  options.naming.max_length = static_cast<std::size_t>(config.naming.max_length);
  for (const auto& name : config.naming.reserved) options.naming.reserved.push_back(name);
  auto allocator = naming::Allocator::Create(options.naming);
  if (!allocator.ok()) return ConfigError(allocator.error().detail);
  const std::string data_dir = config.data_dir.string();
  options.handover_dir = HandoverDir(data_dir);
  options.retry_dir = RetryRequestsDir(data_dir);
  options.keep_delegates_on_new_head = config.agency_mailbox.keep_delegates;
  return options;
}

directory::LdapDirectoryOptions DirectoryOptionsFromConfig(const config::Config& config) {
  directory::LdapDirectoryOptions options;
  options.layout = directory::Layout::ForBase(config.ldap.base_dn);
  options.domain = config.domain;
  options.organization = config.ldap.organization;
  return options;
}

std::string JournalDir(const std::string& data_dir) { return data_dir + "/journal"; }
std::string HandoverDir(const std::string& data_dir) { return data_dir + "/handover"; }
std::string RetryRequestsDir(const std::string& data_dir) { return data_dir + "/retry-requests"; }

Status RequestRetry(const std::string& retry_dir, std::string_view event_id) {
  if (event_id.empty()) return InvalidInput("empty event id");
  std::error_code ec;
  std::filesystem::create_directories(retry_dir, ec);
  if (ec) return Internal("cannot create " + retry_dir + ": " + ec.message());
  ::chmod(retry_dir.c_str(), 0700);
  const std::string path = retry_dir + "/" + Hex(event_id);
  std::ofstream out(path);
  if (!out) return Internal("cannot write " + path);
  return Ok();
}

}  // namespace danhba::sync
