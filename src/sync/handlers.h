// The handlers: how each event type is applied to one Directory, in idempotent
// steps (a replay after a crash between two steps finds the earlier ones done
// and finishes). By family:
//   person_events.cc  hire (one at a time), re-hire, transfer, update, leave
//   hire_batch.cc     fresh hires in batches (one add transaction, shared
//                     decision entries, one handover write)
//   agency_events.cc  agency.create, .update (and rename), .merge, .dissolve, .head
// Apply() dispatches with std::visit: a new event type does not compile until
// it has a handler here.
//
// A Handlers object lives for one stage of a round (planner.h): agency events
// run alone, never during a run of person events, so what it reads of the
// agencies holds for its life.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "danhba/directory/directory.h"
#include "danhba/model/typed_event.h"
#include "danhba/naming/allocation.h"
#include "danhba/naming/name.h"
#include "danhba/sync/engine.h"
#include "sync/address_claims.h"
#include "sync/handover.h"
#include "sync/planner.h"
#include "sync/step.h"

namespace danhba::sync {

// What every worker shares, owned by the engine.
struct EngineShared {
  const EngineOptions& options;
  const naming::Allocator& allocator;
  Handover& handover;
  AddressClaims& claims;

  // An initial password: the test hook's when set, else OpenSSL's.
  Result<std::string> NewPassword() const {
    return options.generate_password ? options.generate_password() : GenerateInitialPassword();
  }
};

class Handlers {
 public:
  Handlers(const EngineShared& shared, directory::Directory& dir)
      : e_(shared), dir_(dir), layout_(dir.layout()) {}

  // One event, alone.
  Applied Apply(const model::TypedEvent& event);

  // A worker's list of person events in order, fresh hires in batches of
  // batch_size; stops at the first transient failure. One result per event
  // (nullopt: not attempted).
  std::vector<std::optional<Applied>> ApplyAll(const std::vector<const PlannedEvent*>& events);

 private:
  // person_events.cc
  Applied Handle(const model::HireEvent& ev);
  Applied Handle(const model::TransferEvent& ev);
  Applied Handle(const model::UpdateEvent& ev);
  Applied Handle(const model::LeaveEvent& ev);
  Applied Rehire(const model::HireEvent& ev, directory::PersonRecord r);
  Applied FinishHandover(const model::HireEvent& ev, const directory::PersonRecord& r);
  Applied Change(const model::EventHeader& h, model::EventType type, const model::PersonFields& p,
                 const std::optional<std::string>& to_agency);
  Applied Readdress(const model::EventHeader& h, model::EventType type,
                    const model::PersonFields& p,
                    const directory::PersonRecord& r, directory::PersonRecord after,
                    const std::optional<naming::PersonName>& corrected);

  // A fresh hire's entry with the address it claimed for its add.
  struct Allocated {
    directory::NewPerson person;
    AddressClaims::Claim claim;
  };
  Result<Allocated> Allocate(const model::HireEvent& ev, const std::set<std::string>& taken_here,
                             std::size_t skip = 0);
  Result<naming::CandidateSequence> CandidatesOf(const std::string& person_id,
                                                 const std::optional<model::Date>& birth_date,
                                                 const std::string& agency,
                                                 const naming::PersonName& name) const;

  // hire_batch.cc
  struct PreparedHire {
    const model::HireEvent* event = nullptr;
    directory::NewPerson person;
    AddressClaims::Claim claim;
  };
  std::size_t Prefetch(const std::vector<const PlannedEvent*>& events, std::size_t from);
  std::optional<Applied> PrepareHire(const model::HireEvent& ev,
                                     const std::set<std::string>& taken_here,
                                     std::optional<PreparedHire>& ready);
  std::vector<directory::DecisionRecord> ShareDecisions(std::vector<PreparedHire>& hires,
                                                        std::vector<std::size_t>& group);
  directory::DecisionRecord HireDecision(const model::HireEvent& ev,
                                         const directory::PersonRecord& r);
  std::vector<Applied> FlushHires(std::vector<PreparedHire>& hires);
  void FinishAdded(const std::vector<PreparedHire>& hires, const std::vector<std::size_t>& added,
                   const std::vector<directory::DecisionRecord>& decisions,
                   std::vector<std::optional<Applied>>& results);

  // agency_events.cc
  Applied Handle(const model::AgencyCreateEvent& ev);
  Applied Handle(const model::AgencyUpdateEvent& ev);
  Applied Handle(const model::AgencyMergeEvent& ev);
  Applied Handle(const model::AgencyDissolveEvent& ev);
  Applied Handle(const model::AgencyHeadEvent& ev);
  Applied Rename(const model::AgencyUpdateEvent& ev);
  // The agency of an agency event; nullopt with `done` set when the event is
  // done already or refused.
  std::optional<directory::AgencyRecord> AgencyFor(const model::EventHeader& h,
                                                   const std::string& code,
                                                   std::optional<Applied>& done);
  Applied WriteAgencyChange(const model::EventHeader& h, model::EventType type,
                            const directory::AgencyRecord& current, directory::AgencyRecord after);
  Result<std::set<std::string>> AncestorsOf(const directory::AgencyRecord& agency);
  Result<std::string> ActivePersonDn(const std::string& person_id);

  // Shared by both families (handlers.cc).
  Result<directory::AgencyRecord> ActiveAgency(const std::string& code);
  std::string UnknownAgency(const std::string& code);
  StepContext Steps(const model::EventHeader& h) const { return {e_.options.fault, h.id}; }
  std::string DecisionDn(const model::EventHeader& h) const { return layout_.DecisionDn(h.id); }
  static directory::DecisionRecord DecisionOf(const model::EventHeader& h, model::EventType type,
                                              std::vector<std::string> subjects) {
    return {h.id, type, h.decision, h.effective_date, std::move(subjects)};
  }
  bool InFormer(const std::string& dn) const;
  static AppliedResult PersonResult(const directory::PersonRecord& r) {
    AppliedResult out;
    out.uid = r.uid;
    out.mail = r.mail;
    return out;
  }
  AppliedResult AgencyResult(const directory::AgencyRecord& a) const;
  // PersonResult with what became of the certificate `p` carries (R17).
  AppliedResult PersonResult(const directory::PersonRecord& r, const model::EventHeader& h,
                             const model::PersonFields& p) const;
  base::TimePoint Now() const { return e_.options.clock(); }

  const EngineShared& e_;
  directory::Directory& dir_;
  const directory::Layout& layout_;
  // What Prefetch found, each used once; agencies read during this stage.
  std::unordered_set<std::string> absent_people_;
  std::unordered_set<std::string> free_addresses_;
  std::unordered_map<std::string, directory::AgencyRecord> agencies_;
};

// The name of a hire or update: the structured fields when given, else the
// full name parsed by the address rule.
Result<naming::PersonName> NameOf(const model::PersonFields& p);
bool HasName(const model::PersonFields& p);
void ApplyName(const naming::PersonName& name, directory::PersonRecord& r);

// DNs as the directory compares them (ldap::Dn: types and values without case).
std::string DnKey(std::string_view dn);
bool SameDn(std::string_view a, std::string_view b);
bool InSubtree(std::string_view dn, std::string_view parent);

}  // namespace danhba::sync
