// Person events, one at a time: hire (and re-hire), transfer, update, leave.
#include <algorithm>

#include "danhba/naming/address.h"
#include "sync/certificate.h"
#include "sync/handlers.h"

namespace danhba::sync {

using directory::PersonRecord;
using model::EventType;

Result<naming::CandidateSequence> Handlers::CandidatesOf(
    const std::string& person_id, const std::optional<model::Date>& birth_date,
    const std::string& agency, const naming::PersonName& name) const {
  auto local = naming::MakeLocalPart(name, e_.allocator.policy().max_length);
  if (!local.ok()) return InvalidInput("person " + person_id + ": " + local.error().detail);
  naming::AllocationRequest request;
  request.base = local->value;
  if (birth_date) request.birth_year = birth_date->year();
  request.agency_code = agency;
  auto sequence = e_.allocator.Candidates(request);
  if (!sequence.ok()) return InvalidInput("person " + person_id + ": " + sequence.error().detail);
  return sequence;
}

// The entry of a fresh hire with the first free candidate address (free in the
// directory, and not used by another hire of the same batch).
Result<Handlers::Allocated> Handlers::Allocate(const model::HireEvent& ev,
                                               const std::set<std::string>& taken_here,
                                               std::size_t skip) {
  const model::PersonFields& p = ev.person;
  DANHBA_ASSIGN_OR_RETURN(auto agency, ActiveAgency(ev.agency));
  auto name = NameOf(p);
  if (!name.ok()) return InvalidInput("person " + p.id + ": " + name.error().detail);
  DANHBA_ASSIGN_OR_RETURN(auto sequence, CandidatesOf(p.id, p.birth_date, ev.agency, *name));
  CandidateWalk::Limits limits;
  limits.skip = skip;
  limits.taken_here = &taken_here;
  CandidateWalk walk(e_.claims, std::move(sequence), name->full_name, limits);
  DANHBA_ASSIGN_OR_RETURN(auto claim, walk.Next([this](const std::string& c) -> Result<bool> {
    if (free_addresses_.erase(c)) return false;  // Prefetch found it free
    return dir_.AddressTaken(c);
  }));
  directory::NewPerson np;
  PersonRecord& r = np.person;
  r.uid = claim.local_part();
  r.dn = layout_.PersonDn(r.uid);
  r.mail = r.uid + "@" + dir_.domain();
  r.person_id = p.id;
  ApplyName(*name, r);
  if (p.title) r.title = *p.title;
  if (p.phone) r.phone = *p.phone;
  r.agency_code = agency.code;
  r.agency_dn = agency.dn;
  r.birth_date = p.birth_date;
  internal::SetCertificate(p, r, Now());
  r.decision_dns = {DecisionDn(ev.header)};
  r.created_by_event = ev.header.id;
  auto password = e_.NewPassword();
  if (!password.ok()) return password.take_error();  // the claim ends with it
  np.initial_password = std::move(password).value();
  return Allocated{std::move(np), std::move(claim)};
}

// Sets a new password and hands it over, unless the handover already holds one
// for this event (then the person has it).
Applied Handlers::FinishHandover(const model::HireEvent& ev, const PersonRecord& r) {
  const StepContext steps = Steps(ev.header);
  DANHBA_ASSIGN_OR_RETURN(auto has, e_.handover.Has(ev.agency, ev.header.id));
  if (!has) {
    DANHBA_ASSIGN_OR_RETURN(auto password, e_.NewPassword());
    DANHBA_RETURN_IF_ERROR(steps.Done(Step::kPasswordSet, dir_.ResetPassword(r.dn, password)));
    DANHBA_RETURN_IF_ERROR(steps.Done(
        Step::kHandoverWritten,
        e_.handover.Write({{ev.agency, r.uid, r.mail, r.full_name, password, ev.header.id}})));
  }
  return PersonResult(r, ev.header, ev.person);
}

Applied Handlers::Handle(const model::HireEvent& ev) {
  const model::PersonFields& p = ev.person;
  const StepContext steps = Steps(ev.header);
  DANHBA_ASSIGN_OR_RETURN(auto found, dir_.FindPerson(p.id));
  if (found) {
    PersonRecord r = *found;
    if (r.created_by_event == ev.header.id) {
      // This hire made the entry; its decision entry may not be written yet.
      DANHBA_RETURN_IF_ERROR(
          steps.Done(Step::kDecisionWritten, dir_.EnsureDecision(HireDecision(ev, r))));
      return FinishHandover(ev, r);
    }
    if (r.HasDecision(DecisionDn(ev.header))) return FinishHandover(ev, r);  // this re-hire made it
    if (!InFormer(r.dn) && r.status == directory::kStatusActive) {
      return Rejected("person id " + p.id + " already has the mailbox " + r.mail + " (R3)");
    }
    return Rehire(ev, r);
  }
  for (std::size_t attempt = 0;; ++attempt) {
    DANHBA_ASSIGN_OR_RETURN(auto prepared, Allocate(ev, {}, attempt));
    Status created = dir_.CreatePeople({prepared.person}).front();
    prepared.claim.Release();
    if (!created.ok()) {
      // Taken between the check and the add (another writer, or a mail alias
      // the check cannot see): the next candidate.
      if (created.error().code == ErrorCode::kConflict && attempt < 100) continue;
      return created.take_error();
    }
    e_.claims.NoteTaken(prepared.person.person.uid);
    DANHBA_RETURN_IF_ERROR(steps.Reached(Step::kPersonAdded));
    const PersonRecord& r = prepared.person.person;
    DANHBA_RETURN_IF_ERROR(steps.Done(
        Step::kDecisionWritten, dir_.EnsureDecision(DecisionOf(ev.header, ev.kType, {r.dn}))));
    DANHBA_RETURN_IF_ERROR(
        steps.Done(Step::kHandoverWritten,
                   e_.handover.Write({{ev.agency, r.uid, r.mail, r.full_name,
                                       prepared.person.initial_password, ev.header.id}})));
    return PersonResult(r, ev.header, p);
  }
}

// A person who left comes back: same entry, same address (R3).
Applied Handlers::Rehire(const model::HireEvent& ev, PersonRecord r) {
  const model::PersonFields& p = ev.person;
  const StepContext steps = Steps(ev.header);
  DANHBA_ASSIGN_OR_RETURN(auto agency, ActiveAgency(ev.agency));
  DANHBA_RETURN_IF_ERROR(
      steps.Done(Step::kDecisionWritten,
                 dir_.EnsureDecision(DecisionOf(ev.header, ev.kType, {layout_.PersonDn(r.uid)}))));
  if (InFormer(r.dn)) {
    DANHBA_ASSIGN_OR_RETURN(auto moved, dir_.MovePerson(r.uid, false));
    r.dn = moved;
    DANHBA_RETURN_IF_ERROR(steps.Reached(Step::kPersonMoved));
  }
  PersonRecord after = r;
  after.status = std::string(directory::kStatusActive);
  after.agency_code = agency.code;
  after.agency_dn = agency.dn;
  if (HasName(p)) {
    auto name = NameOf(p);
    if (!name.ok()) return Rejected("person " + p.id + ": " + name.error().detail);
    ApplyName(*name, after);
  }
  after.title = p.title ? *p.title : std::nullopt;
  after.phone = p.phone ? *p.phone : std::nullopt;
  if (p.birth_date) after.birth_date = p.birth_date;
  internal::SetCertificate(p, after, Now());
  after.decision_dns.push_back(DecisionDn(ev.header));
  DANHBA_RETURN_IF_ERROR(steps.Done(Step::kPersonUpdated, dir_.UpdatePerson(r, after)));
  return FinishHandover(ev, after);
}

Applied Handlers::Handle(const model::TransferEvent& ev) {
  return Change(ev.header, ev.kType, ev.person, ev.to_agency);
}

Applied Handlers::Handle(const model::UpdateEvent& ev) {
  return Change(ev.header, ev.kType, ev.person, std::nullopt);
}

// transfer (agency and title; the address stays, R8) and update (title, phone,
// name corrections, birth date; the address stays unless new_address).
Applied Handlers::Change(const model::EventHeader& h, EventType type, const model::PersonFields& p,
                         const std::optional<std::string>& to_agency) {
  const StepContext steps = Steps(h);
  const std::string decision_dn = DecisionDn(h);
  DANHBA_ASSIGN_OR_RETURN(auto found, dir_.FindPerson(p.id));
  if (!found) return Rejected("unknown person id " + p.id);
  PersonRecord r = *found;
  if (r.HasDecision(decision_dn)) return PersonResult(r);
  if (InFormer(r.dn) || r.status != directory::kStatusActive) {
    return Rejected("person id " + p.id + " (" + r.mail + ") has left");
  }
  PersonRecord after = r;
  if (to_agency) {
    DANHBA_ASSIGN_OR_RETURN(auto agency, ActiveAgency(*to_agency));
    after.agency_code = agency.code;
    after.agency_dn = agency.dn;
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
  if (p.new_address) return Readdress(h, type, p, r, std::move(after), corrected);
  internal::SetCertificate(p, after, Now());
  after.decision_dns.push_back(decision_dn);
  DANHBA_RETURN_IF_ERROR(steps.Done(Step::kDecisionWritten,
                                    dir_.EnsureDecision(DecisionOf(h, type, {r.dn}))));
  DANHBA_RETURN_IF_ERROR(steps.Done(Step::kPersonUpdated, dir_.UpdatePerson(r, after)));
  return PersonResult(r, h, p);
}

// An update with new_address: the address the (corrected) name gives, by the
// collision policy as for a hire, the old one kept as an alias so that mail to
// it still arrives; the password stays. Steps: rename the entry (uid), the
// decision entry, then mail, alias, name and the decision reference in one
// modify. An entry whose mail is not <uid>@domain was renamed by an
// interrupted run of this event, which the replay finishes.
Applied Handlers::Readdress(const model::EventHeader& h, EventType type,
                            const model::PersonFields& p, const PersonRecord& r,
                            PersonRecord after,
                            const std::optional<naming::PersonName>& corrected) {
  const StepContext steps = Steps(h);
  const std::string at_domain = "@" + dir_.domain();
  std::string uid = r.uid;
  if (r.mail == r.uid + at_domain) {
    std::optional<naming::PersonName> name = corrected;
    if (!name) {
      auto current = naming::ParseName(r.full_name);
      if (!current.ok()) return Rejected("person " + r.person_id + ": " + current.error().detail);
      name = std::move(current).value();
    }
    DANHBA_ASSIGN_OR_RETURN(auto sequence,
                            CandidatesOf(r.person_id, after.birth_date, after.agency_code, *name));
    CandidateWalk::Limits limits;
    limits.max_attempts = 100;
    limits.own = r.uid;
    CandidateWalk walk(e_.claims, std::move(sequence), name->full_name, limits);
    while (true) {
      auto claim = walk.Next([this](const std::string& c) { return dir_.AddressTaken(c); });
      if (!claim.ok()) {
        if (claim.error().code == ErrorCode::kNotFound) return Rejected(claim.error().detail);
        return claim.take_error();
      }
      if (claim->local_part() == r.uid) break;  // the name gives the address it has
      auto renamed = dir_.RenamePerson(r.uid, claim->local_part());
      claim->Release();
      if (!renamed.ok()) {
        if (renamed.error().code == ErrorCode::kConflict) continue;  // taken meanwhile
        return renamed.take_error();
      }
      e_.claims.NoteTaken(claim->local_part());
      uid = claim->local_part();
      break;
    }
    DANHBA_RETURN_IF_ERROR(steps.Reached(Step::kPersonRenamed));
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
  internal::SetCertificate(p, after, Now());  // judged against the new address
  DANHBA_RETURN_IF_ERROR(steps.Done(Step::kDecisionWritten,
                                    dir_.EnsureDecision(DecisionOf(h, type, {after.dn}))));
  after.decision_dns.push_back(DecisionDn(h));
  DANHBA_RETURN_IF_ERROR(steps.Done(Step::kPersonUpdated, dir_.UpdatePerson(current, after)));
  AppliedResult result = PersonResult(after, h, p);
  if (after.mail != r.mail) result.alias = r.mail;
  return result;
}

// Leaving (R9, R14): to ou=former, status left, no password; the entry and its
// address stay, so the address is never issued again.
Applied Handlers::Handle(const model::LeaveEvent& ev) {
  const model::PersonFields& p = ev.person;
  const StepContext steps = Steps(ev.header);
  const std::string decision_dn = DecisionDn(ev.header);
  DANHBA_ASSIGN_OR_RETURN(auto found, dir_.FindPerson(p.id));
  if (!found) return Rejected("unknown person id " + p.id);
  PersonRecord r = *found;
  // The decision goes on the entry last, after the move: an entry that holds it
  // has been through this leave, even if a later re-hire brought it back to
  // ou=people (a replay after a crash must not move it out again).
  if (r.HasDecision(decision_dn)) return PersonResult(r);
  if (r.status == directory::kStatusLeft) {
    return Rejected("person id " + p.id + " (" + r.mail + ") has already left");
  }
  const bool former = InFormer(r.dn);
  DANHBA_RETURN_IF_ERROR(steps.Done(
      Step::kDecisionWritten,
      dir_.EnsureDecision(DecisionOf(ev.header, ev.kType, {layout_.PersonDn(r.uid, true)}))));
  if (!former) {
    // Moved first: under ou=former nobody but the writers can bind or read.
    DANHBA_ASSIGN_OR_RETURN(auto moved, dir_.MovePerson(r.uid, true));
    r.dn = moved;
    DANHBA_RETURN_IF_ERROR(steps.Reached(Step::kPersonMoved));
  }
  PersonRecord after = r;
  after.status = std::string(directory::kStatusLeft);
  after.has_password = false;
  if (!after.HasDecision(decision_dn)) after.decision_dns.push_back(decision_dn);
  DANHBA_RETURN_IF_ERROR(steps.Done(Step::kPersonUpdated, dir_.UpdatePerson(r, after)));
  return PersonResult(r);
}

}  // namespace danhba::sync
