// Agency events: create, update (and rename), merge, dissolve, head. Each is a
// barrier (planner.h): it runs alone, after every event appended before it.
#include <algorithm>
#include <cctype>

#include "danhba/ldap/dn.h"
#include "danhba/naming/agency_code.h"
#include "sync/handlers.h"

namespace danhba::sync {

using directory::AgencyRecord;
using directory::PersonRecord;

namespace {

template <class T>
void AddOnce(std::vector<T>& values, const T& value) {
  if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
}

}  // namespace

Result<std::string> Handlers::ActivePersonDn(const std::string& person_id) {
  DANHBA_ASSIGN_OR_RETURN(auto found, dir_.FindPerson(person_id));
  if (!found || InFormer(found->dn) || found->status != directory::kStatusActive) {
    return NotFound("unknown person id " + person_id + " (not in service)");
  }
  return found->dn;
}

std::optional<AgencyRecord> Handlers::AgencyFor(const model::EventHeader& h,
                                                const std::string& code,
                                                std::optional<Applied>& done) {
  auto found = dir_.FindAgency(code);
  if (!found.ok()) {
    done = Applied(found.take_error());
  } else if (!*found) {
    done = Applied(Rejected(UnknownAgency(code)));
  } else if ((*found)->HasDecision(DecisionDn(h))) {
    done = Applied(AgencyResult(**found));
  } else if ((*found)->status != directory::kStatusActive) {
    done = Applied(Rejected("agency '" + code + "' is " + (*found)->status));
  } else {
    return **found;
  }
  return std::nullopt;
}

Applied Handlers::Handle(const model::AgencyCreateEvent& ev) {
  const model::AgencyFields& a = ev.agency;
  const StepContext steps = Steps(ev.header);
  const std::string decision_dn = DecisionDn(ev.header);
  DANHBA_ASSIGN_OR_RETURN(auto existing, dir_.FindAgency(a.code));
  if (existing) {
    if (existing->HasDecision(decision_dn)) return AgencyResult(*existing);
    return Rejected("agency '" + a.code + "' exists already (" + existing->status + ")");
  }
  if (Status valid = naming::ValidateAgencyCode(a.code); !valid.ok()) {
    return Rejected(valid.error().detail);
  }
  AgencyRecord r;
  r.code = a.code;
  r.dn = layout_.AgencyDn(a.code);
  r.name = ev.name;
  r.mail = a.code + "@" + dir_.domain();
  if (a.parent && *a.parent) {
    auto parent = ActiveAgency(**a.parent);
    if (!parent.ok()) return About("parent", parent.take_error());
    r.parent_dn = parent->dn;
  }
  if (a.head) {
    auto head = ActivePersonDn(*a.head);
    if (!head.ok()) return About("head", head.take_error());
    r.head_dn = *head;
  }
  DANHBA_ASSIGN_OR_RETURN(auto taken, dir_.AddressTaken(a.code));
  if (taken) return Rejected("the address " + *r.mail + " is taken");
  r.decision_dns = {decision_dn};
  DANHBA_RETURN_IF_ERROR(steps.Done(Step::kDecisionWritten,
                                    dir_.EnsureDecision(DecisionOf(ev.header, ev.kType, {r.dn}))));
  DANHBA_RETURN_IF_ERROR(steps.Done(Step::kAgencyWritten, dir_.AddAgency(r)));
  return AgencyResult(r);
}

Applied Handlers::Handle(const model::AgencyUpdateEvent& ev) {
  if (ev.agency.new_code) return Rename(ev);
  std::optional<Applied> done;
  auto current = AgencyFor(ev.header, ev.agency.code, done);
  if (!current) return std::move(*done);
  const model::AgencyFields& a = ev.agency;
  AgencyRecord after = *current;
  if (a.name) after.name = *a.name;
  if (a.parent) {
    if (*a.parent) {
      if (**a.parent == a.code) return Rejected("agency '" + a.code + "' cannot be its own parent");
      auto parent = ActiveAgency(**a.parent);
      if (!parent.ok()) return About("parent", parent.take_error());
      after.parent_dn = parent->dn;
    } else {
      after.parent_dn.reset();
    }
  }
  return WriteAgencyChange(ev.header, ev.kType, *current, std::move(after));
}

// The last steps of an agency event that changes the agency entry alone: the
// decision entry, then `after` with the reference to it in the same modify.
Applied Handlers::WriteAgencyChange(const model::EventHeader& h, model::EventType type,
                                    const AgencyRecord& current, AgencyRecord after) {
  const StepContext steps = Steps(h);
  after.decision_dns.push_back(DecisionDn(h));
  DANHBA_RETURN_IF_ERROR(steps.Done(Step::kDecisionWritten,
                                    dir_.EnsureDecision(DecisionOf(h, type, {current.dn}))));
  DANHBA_RETURN_IF_ERROR(steps.Done(Step::kAgencyWritten, dir_.UpdateAgency(current, after)));
  return AgencyResult(after);
}

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
Applied Handlers::Rename(const model::AgencyUpdateEvent& ev) {
  const model::AgencyFields& a = ev.agency;
  const StepContext steps = Steps(ev.header);
  const std::string& old_code = a.code;
  const std::string& new_code = *a.new_code;
  const std::string decision_dn = DecisionDn(ev.header);
  const std::string old_dn = layout_.AgencyDn(old_code);
  const std::string new_dn = layout_.AgencyDn(new_code);
  const std::string old_address = old_code + "@" + dir_.domain();
  const std::string new_address = new_code + "@" + dir_.domain();
  AppliedResult result;
  result.agency = new_code;
  result.mail = new_address;
  result.alias = old_address;
  result.renamed_from = old_code;

  DANHBA_ASSIGN_OR_RETURN(auto source, dir_.FindAgency(old_code));
  DANHBA_ASSIGN_OR_RETURN(auto target, dir_.FindAgency(new_code));
  if (target && target->HasDecision(decision_dn)) return result;
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
  if (e_.allocator.IsReserved(new_code)) {
    return Rejected("cannot rename agency '" + old_code + "': the address " + new_address +
                    " is reserved by the naming policy");
  }
  DANHBA_ASSIGN_OR_RETURN(auto taken, dir_.AddressTaken(new_code));
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
      if (!parent.ok()) return About("parent", parent.take_error());
      parent_dn = std::optional<std::string>(parent->dn);
    } else {
      parent_dn = std::optional<std::string>();
    }
  }
  DANHBA_RETURN_IF_ERROR(steps.Done(Step::kDecisionWritten,
                                    dir_.EnsureDecision(DecisionOf(ev.header, ev.kType, {new_dn}))));
  DANHBA_ASSIGN_OR_RETURN(const AgencyRecord renamed, dir_.RenameAgency(old_code, new_code));
  DANHBA_RETURN_IF_ERROR(steps.Reached(Step::kAgencyRenamed));
  std::set<std::string> people_done;
  for (const std::string& dn : {old_dn, renamed.dn}) {
    DANHBA_ASSIGN_OR_RETURN(auto members, dir_.MembersOfAgency(dn));
    for (const PersonRecord& person : members) {
      if (!people_done.insert(DnKey(person.dn)).second) continue;
      PersonRecord after = person;
      after.agency_code = new_code;
      after.agency_dn = renamed.dn;
      if (!after.HasDecision(decision_dn)) after.decision_dns.push_back(decision_dn);
      DANHBA_RETURN_IF_ERROR(dir_.UpdatePerson(person, after));
    }
  }
  DANHBA_RETURN_IF_ERROR(steps.Reached(Step::kPersonUpdated));
  std::set<std::string> agencies_done{DnKey(renamed.dn)};
  for (const std::string& dn : {old_dn, renamed.dn}) {
    DANHBA_ASSIGN_OR_RETURN(auto children, dir_.SubAgencies(dn));
    for (const AgencyRecord& child : children) {
      if (!agencies_done.insert(DnKey(child.dn)).second) continue;
      AgencyRecord after = child;
      after.parent_dn = renamed.dn;
      if (!after.HasDecision(decision_dn)) after.decision_dns.push_back(decision_dn);
      DANHBA_RETURN_IF_ERROR(dir_.UpdateAgency(child, after));
    }
  }
  DANHBA_RETURN_IF_ERROR(steps.Reached(Step::kSubAgenciesUpdated));
  AgencyRecord after = renamed;
  after.mail = new_address;
  AddOnce(after.aliases, old_address);
  if (a.name) after.name = *a.name;
  if (parent_dn) after.parent_dn = *parent_dn;
  if (!after.HasDecision(decision_dn)) after.decision_dns.push_back(decision_dn);
  DANHBA_RETURN_IF_ERROR(steps.Done(Step::kAgencyWritten, dir_.UpdateAgency(renamed, after)));
  return result;
}

// The staff move to the target, the old address becomes the target's alias,
// the old entry stays (status merged) for history.
Applied Handlers::Handle(const model::AgencyMergeEvent& ev) {
  const StepContext steps = Steps(ev.header);
  std::optional<Applied> done;
  auto source = AgencyFor(ev.header, ev.agency.code, done);
  if (!source) return std::move(*done);
  const std::string decision_dn = DecisionDn(ev.header);
  if (ev.into == source->code)
    return Rejected("agency '" + source->code + "' cannot merge into itself");
  auto target = ActiveAgency(ev.into);
  if (!target.ok()) return About("into", target.take_error());
  DANHBA_RETURN_IF_ERROR(
      steps.Done(Step::kDecisionWritten,
                 dir_.EnsureDecision(DecisionOf(ev.header, ev.kType, {source->dn, target->dn}))));
  DANHBA_ASSIGN_OR_RETURN(auto staff, dir_.PeopleOfAgency(source->dn));
  for (const PersonRecord& person : staff) {
    PersonRecord after = person;
    after.agency_code = target->code;
    after.agency_dn = target->dn;
    if (!after.HasDecision(decision_dn)) after.decision_dns.push_back(decision_dn);
    DANHBA_RETURN_IF_ERROR(dir_.UpdatePerson(person, after));
  }
  DANHBA_RETURN_IF_ERROR(steps.Reached(Step::kPersonUpdated));
  // Sub-agencies now hang under the target. The target itself, and any
  // sub-agency above it, takes the merged agency's place instead (no cycle).
  DANHBA_ASSIGN_OR_RETURN(auto children, dir_.SubAgencies(source->dn));
  std::set<std::string> above_target;
  if (!children.empty()) {
    DANHBA_ASSIGN_OR_RETURN(above_target, AncestorsOf(*target));
  }
  for (const AgencyRecord& child : children) {
    AgencyRecord after = child;
    const bool is_target = SameDn(child.dn, target->dn);
    const bool in_line = is_target || above_target.count(DnKey(child.dn));
    after.parent_dn = in_line ? source->parent_dn : std::optional<std::string>(target->dn);
    if (!after.HasDecision(decision_dn)) after.decision_dns.push_back(decision_dn);
    DANHBA_RETURN_IF_ERROR(dir_.UpdateAgency(child, after));
    if (is_target) *target = after;
  }
  DANHBA_RETURN_IF_ERROR(steps.Reached(Step::kSubAgenciesUpdated));
  // The old address leaves the old entry first: slapo-unique would refuse it
  // as an alias while it is still a mail.
  const std::string old_address = source->code + "@" + dir_.domain();
  AgencyRecord source_cleared = *source;
  source_cleared.mail.reset();
  source_cleared.aliases.clear();
  DANHBA_RETURN_IF_ERROR(dir_.UpdateAgency(*source, source_cleared));
  AgencyRecord target_after = *target;
  AddOnce(target_after.aliases, old_address);
  for (const std::string& alias : source->aliases) AddOnce(target_after.aliases, alias);
  if (!target_after.HasDecision(decision_dn)) target_after.decision_dns.push_back(decision_dn);
  DANHBA_RETURN_IF_ERROR(dir_.UpdateAgency(*target, target_after));
  AgencyRecord source_after = source_cleared;
  source_after.status = std::string(directory::kStatusMerged);
  source_after.decision_dns.push_back(decision_dn);
  DANHBA_RETURN_IF_ERROR(
      steps.Done(Step::kAgencyWritten, dir_.UpdateAgency(source_cleared, source_after)));
  AppliedResult result;
  result.agency = source->code;
  result.into = target->code;
  result.alias = old_address;
  return result;
}

// The DNs (DnKey) of the agencies above `agency`, following danhbaParentDN.
Result<std::set<std::string>> Handlers::AncestorsOf(const AgencyRecord& agency) {
  constexpr int kMaxDepth = 64;  // a hand-made cycle must not loop forever
  const auto agencies = ldap::Dn::Parse(layout_.agencies_dn);
  std::set<std::string> out;
  std::optional<std::string> parent = agency.parent_dn;
  for (int depth = 0; parent && depth < kMaxDepth; ++depth) {
    if (!out.insert(DnKey(*parent)).second) break;
    // Only ou=<code>,<agencies> names an agency (codes need no escaping).
    auto dn = ldap::Dn::Parse(*parent);
    if (!dn.ok() || !agencies.ok() || !(dn->Parent() == *agencies)) break;
    std::string code = dn->RdnValue("ou");
    if (code.empty()) break;
    std::transform(code.begin(), code.end(), code.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    DANHBA_ASSIGN_OR_RETURN(auto found, dir_.FindAgency(code));
    if (!found) break;
    parent = found->parent_dn;
  }
  return out;
}

Applied Handlers::Handle(const model::AgencyDissolveEvent& ev) {
  std::optional<Applied> done;
  auto current = AgencyFor(ev.header, ev.agency.code, done);
  if (!current) return std::move(*done);
  DANHBA_ASSIGN_OR_RETURN(auto staff, dir_.PeopleOfAgency(current->dn));
  if (!staff.empty()) {
    return Rejected("agency '" + current->code + "' still has " + std::to_string(staff.size()) +
                    " people in service; transfer them or record their leaving first");
  }
  AgencyRecord after = *current;
  after.status = std::string(directory::kStatusDissolved);
  return WriteAgencyChange(ev.header, ev.kType, *current, std::move(after));
}

// R20: the head manages the agency mailbox and may delegate; a new head
// replaces the old one and, unless keep_delegates_on_new_head, the delegations
// (those sent with it are the new ones).
Applied Handlers::Handle(const model::AgencyHeadEvent& ev) {
  std::optional<Applied> done;
  auto current = AgencyFor(ev.header, ev.agency.code, done);
  if (!current) return std::move(*done);
  const model::AgencyFields& a = ev.agency;
  AgencyRecord after = *current;
  auto head = ActivePersonDn(ev.head);
  if (!head.ok()) return About("head", head.take_error());
  after.head_dn = *head;
  if (a.delegates || !e_.options.keep_delegates_on_new_head) after.delegate_dns.clear();
  if (a.delegates) {
    for (const auto& id : *a.delegates) {
      auto delegate = ActivePersonDn(id);
      if (!delegate.ok()) return About("delegate", delegate.take_error());
      after.delegate_dns.push_back(*delegate);
    }
  }
  return WriteAgencyChange(ev.header, ev.kType, *current, std::move(after));
}

}  // namespace danhba::sync
