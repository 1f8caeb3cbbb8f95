#include "danhba/directory/ldap_directory.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <utility>

#include "danhba/base/strings.h"
#include "danhba/ldap/error.h"
#include "danhba/ldap/filter.h"
#include "directory/entries.h"

namespace danhba::directory {
namespace {

using internal::AgencyAttributes;
using internal::AgencyChanged;
using internal::AgencyModifications;
using internal::NewPersonEntry;
using internal::PersonAttributes;
using internal::PersonModifications;
using ldap::Entry;
using ldap::Modification;
using ldap::Values;

bool IsConflict(const Status& status) {
  return !status.ok() && status.error().code == ErrorCode::kConflict;
}

// Only an existing entry or slapo-unique's constraint violation means "this
// name is taken"; any other conflict (a repeated value, ...) is a bad entry.
Status NameConflictOrInvalid(Status status) {
  if (!IsConflict(status)) return status;
  if (ldap::HasResultCode(status.error(), ldap::kAlreadyExists) ||
      ldap::HasResultCode(status.error(), ldap::kConstraintViolation)) {
    return status;
  }
  return InvalidInput(status.error().detail);
}

}  // namespace

LdapDirectory::LdapDirectory(ldap::Operations& ops, LdapDirectoryOptions options)
    : ops_(ops), options_(std::move(options)) {}

LdapDirectory::LdapDirectory(std::unique_ptr<ldap::Operations> ops, LdapDirectoryOptions options)
    : owned_(std::move(ops)), ops_(*owned_), options_(std::move(options)) {}

LdapDirectory::~LdapDirectory() = default;

std::vector<std::unique_ptr<LdapDirectory>> MakeLdapDirectories(
    const ldap::ConnectOptions& connect, const ldap::Credentials& credentials,
    const LdapDirectoryOptions& options, std::size_t count, ldap::RetryPolicy retry) {
  std::vector<std::unique_ptr<LdapDirectory>> out;
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(std::make_unique<LdapDirectory>(
        std::make_unique<ldap::Client>(connect, credentials, retry), options));
  }
  return out;
}

Status LdapDirectory::EnsureDecision(const DecisionRecord& decision) {
  Entry entry = DecisionEntry(options_.layout, decision);
  Status added = ops_.Add(entry);
  if (added.ok() || !ldap::HasResultCode(added.error(), ldap::kAlreadyExists)) return added;
  if (decision.subject_dns.empty()) return Ok();
  DANHBA_ASSIGN_OR_RETURN(auto read, ops_.Read(entry.dn, {"danhbaSubjectDN"}));
  if (!read) return added;  // deleted in between: say so rather than guess
  Values missing;
  for (const std::string& subject : decision.subject_dns) {
    if (!read->HasValue("danhbaSubjectDN", subject)) missing.push_back(subject);
  }
  if (missing.empty()) return Ok();
  Status modified = ops_.Modify(entry.dn, {Modification::Add("danhbaSubjectDN", missing)});
  // Another worker added the same value first: done all the same.
  if (!modified.ok() && ldap::HasResultCode(modified.error(), ldap::kTypeOrValueExists)) {
    return Ok();
  }
  return modified;
}

namespace {

// The entries of `object_class` below `base` that match `filter`, read page by
// page, each converted by `convert`. An empty `object_class`: the filter alone.
template <typename Record>
Result<std::vector<Record>> SearchRecords(ldap::Operations& ops, const std::string& base,
                                          ldap::Scope scope, std::string_view object_class,
                                          ldap::Filter filter,
                                          const std::vector<std::string>& attributes,
                                          Record (*convert)(const Entry&)) {
  ldap::SearchRequest request;
  request.base = base;
  request.scope = scope;
  request.filter =
      object_class.empty()
          ? filter.ToString()
          : ldap::Filter::And({ldap::Filter::Eq("objectClass", object_class), std::move(filter)})
                .ToString();
  request.attributes = attributes;
  request.page_size = 500;
  std::vector<Record> records;
  Status searched = ops.Search(request, [&](Entry&& e) {
    records.push_back(convert(e));
    return Ok();
  });
  if (!searched.ok()) return searched.take_error();
  return records;
}

Result<std::vector<PersonRecord>> SearchPeople(ldap::Operations& ops, const std::string& base,
                                               ldap::Scope scope, ldap::Filter filter) {
  return SearchRecords(ops, base, scope, "danhbaPerson", std::move(filter), PersonAttributes(),
                       &PersonFromEntry);
}

// People by danhbaPersonId, which only danhbaPerson entries have: without an
// objectClass term slapd reads the small index of each id, not the index of
// every person (which grows with the directory and was read per lookup).
Result<std::vector<PersonRecord>> PeopleWithIds(ldap::Operations& ops, const std::string& base,
                                                ldap::Filter ids) {
  return SearchRecords(ops, base, ldap::Scope::kSubtree, "", std::move(ids), PersonAttributes(),
                       &PersonFromEntry);
}

Result<std::vector<AgencyRecord>> SearchAgencies(ldap::Operations& ops, const std::string& base,
                                                 ldap::Filter filter) {
  return SearchRecords(ops, base, ldap::Scope::kOneLevel, "danhbaAgency", std::move(filter),
                       AgencyAttributes(), &AgencyFromEntry);
}

}  // namespace

Result<std::optional<PersonRecord>> LdapDirectory::FindPerson(std::string_view person_id) {
  auto found =
      PeopleWithIds(ops_, options_.layout.base_dn, ldap::Filter::Eq("danhbaPersonId", person_id));
  if (!found.ok()) return found.take_error();
  if (found->empty()) return std::optional<PersonRecord>();
  if (found->size() > 1) {
    // The engine never makes two; a hand-made duplicate needs the operator.
    std::string dns;
    for (const auto& p : *found) dns += (dns.empty() ? "" : ", ") + p.dn;
    return Conflict("person id " + std::string(person_id) + " is on more than one entry: " + dns);
  }
  return std::optional<PersonRecord>(std::move(found->front()));
}

Result<std::vector<PersonRecord>> LdapDirectory::FindPeople(
    const std::vector<std::string>& person_ids) {
  if (person_ids.empty()) return std::vector<PersonRecord>();
  std::vector<ldap::Filter> ids;
  ids.reserve(person_ids.size());
  for (const std::string& id : person_ids) ids.push_back(ldap::Filter::Eq("danhbaPersonId", id));
  return PeopleWithIds(ops_, options_.layout.base_dn, ldap::Filter::Or(std::move(ids)));
}

Result<std::optional<AgencyRecord>> LdapDirectory::FindAgency(std::string_view code) {
  DANHBA_ASSIGN_OR_RETURN(auto read, ops_.Read(options_.layout.AgencyDn(code), AgencyAttributes()));
  if (!read) return std::optional<AgencyRecord>();
  return std::optional<AgencyRecord>(AgencyFromEntry(*read));
}

Result<std::vector<PersonRecord>> LdapDirectory::PeopleOfAgency(std::string_view agency_dn) {
  return SearchPeople(ops_, options_.layout.people_dn, ldap::Scope::kOneLevel,
                      ldap::Filter::Eq("danhbaAgencyDN", agency_dn));
}

Result<std::vector<PersonRecord>> LdapDirectory::MembersOfAgency(std::string_view agency_dn) {
  std::vector<PersonRecord> people;
  for (const std::string* subtree : {&options_.layout.people_dn, &options_.layout.former_dn}) {
    DANHBA_ASSIGN_OR_RETURN(auto found,
                            SearchPeople(ops_, *subtree, ldap::Scope::kOneLevel,
                                         ldap::Filter::Eq("danhbaAgencyDN", agency_dn)));
    std::move(found.begin(), found.end(), std::back_inserter(people));
  }
  return people;
}

Result<std::vector<AgencyRecord>> LdapDirectory::SubAgencies(std::string_view agency_dn) {
  return SearchAgencies(ops_, options_.layout.agencies_dn,
                        ldap::Filter::Eq("danhbaParentDN", agency_dn));
}

Result<std::optional<AgencyRecord>> LdapDirectory::FindAgencyByAddress(std::string_view address) {
  DANHBA_ASSIGN_OR_RETURN(
      auto found, SearchAgencies(ops_, options_.layout.agencies_dn,
                                 ldap::Filter::Or({ldap::Filter::Eq("mail", address),
                                                   ldap::Filter::Eq("danhbaMailAlias", address)})));
  if (found.empty()) return std::optional<AgencyRecord>();
  return std::optional<AgencyRecord>(std::move(found.front()));
}

Result<bool> LdapDirectory::AddressTaken(std::string_view local_part) {
  const std::string address = std::string(local_part) + "@" + options_.domain;
  ldap::SearchRequest request;
  request.base = options_.layout.base_dn;
  request.scope = ldap::Scope::kSubtree;
  request.filter =
      ldap::Filter::Or({ldap::Filter::Eq("uid", local_part), ldap::Filter::Eq("mail", address),
                        ldap::Filter::Eq("danhbaMailAlias", address)})
          .ToString();
  request.attributes = {"1.1"};
  request.size_limit = 1;
  DANHBA_ASSIGN_OR_RETURN(auto found, ops_.SearchAll(request));
  return !found.empty();
}

Result<std::set<std::string>> LdapDirectory::TakenAddresses(
    const std::vector<std::string>& local_parts) {
  std::set<std::string> taken;
  if (local_parts.empty()) return taken;
  const std::string at_domain = "@" + options_.domain;
  std::vector<ldap::Filter> uses;
  uses.reserve(local_parts.size() * 3);
  for (const std::string& local : local_parts) {
    uses.push_back(ldap::Filter::Eq("uid", local));
    uses.push_back(ldap::Filter::Eq("mail", local + at_domain));
    uses.push_back(ldap::Filter::Eq("danhbaMailAlias", local + at_domain));
  }
  ldap::SearchRequest request;
  request.base = options_.layout.base_dn;
  request.scope = ldap::Scope::kSubtree;
  request.filter = ldap::Filter::Or(std::move(uses)).ToString();
  request.attributes = {"uid", "mail", "danhbaMailAlias"};
  DANHBA_ASSIGN_OR_RETURN(auto found, ops_.SearchAll(request));
  // Matching is case-insensitive in the directory; local parts are lower case.
  std::set<std::string> in_use;
  for (const Entry& e : found) {
    for (const std::string& uid : e.Get("uid")) in_use.insert(AsciiLower(uid));
    for (const char* attribute : {"mail", "danhbaMailAlias"}) {
      for (const std::string& address : e.Get(attribute)) {
        std::string lower = AsciiLower(address);
        if (lower.size() > at_domain.size() &&
            lower.compare(lower.size() - at_domain.size(), at_domain.size(),
                          AsciiLower(at_domain)) == 0) {
          in_use.insert(lower.substr(0, lower.size() - at_domain.size()));
        }
      }
    }
  }
  for (const std::string& local : local_parts) {
    if (in_use.count(AsciiLower(local))) taken.insert(local);
  }
  return taken;
}

Result<std::string> LdapDirectory::AgencyName(const std::string& agency_dn) {
  if (agency_dn.empty()) return std::string();
  DANHBA_ASSIGN_OR_RETURN(auto read, ops_.Read(agency_dn, {"displayName"}));
  if (!read) return std::string();
  return read->First("displayName").value_or("");
}

std::vector<Status> LdapDirectory::CreatePeople(const std::vector<NewPerson>& requested) {
  // Each entry shows its agency's name (ou) and the organization (o): one read
  // per agency of the batch.
  std::vector<NewPerson> people = requested;
  std::map<std::string, std::string> names;
  for (NewPerson& p : people) {
    p.person.organization = options_.organization;
    if (p.person.agency_dn.empty()) continue;
    auto known = names.find(p.person.agency_dn);
    if (known == names.end()) {
      auto name = AgencyName(p.person.agency_dn);
      if (!name.ok()) return std::vector<Status>(people.size(), Status(name.take_error()));
      known = names.emplace(p.person.agency_dn, *std::move(name)).first;
    }
    p.person.agency_name = known->second;
  }
  if (options_.use_transactions && !people.empty()) {
    std::vector<ldap::Change> changes;
    changes.reserve(people.size());
    for (const auto& p : people) changes.push_back(ldap::AddRequest{NewPersonEntry(p)});
    Status applied = NameConflictOrInvalid(ops_.Apply(changes));
    // A taken address fails the transaction whole: one by one tells which.
    if (!IsConflict(applied)) return std::vector<Status>(people.size(), applied);
  }
  // One at a time: this also settles a transaction whose commit was applied
  // but whose answer was lost, and an add that finds its own earlier entry.
  std::vector<Status> results;
  results.reserve(people.size());
  for (const auto& p : people) {
    Status added = AddPerson(p);
    results.push_back(added);
    if (!added.ok() && added.error().transient()) {
      results.resize(people.size(), added);
      break;
    }
  }
  return results;
}

Status LdapDirectory::AddPerson(const NewPerson& p) {
  Status added = NameConflictOrInvalid(ops_.Add(NewPersonEntry(p)));
  if (added.ok() || !IsConflict(added)) return added;
  DANHBA_ASSIGN_OR_RETURN(auto read, ops_.Read(p.person.dn, PersonAttributes()));
  bool ours = read && read->HasValue("danhbaPersonId", p.person.person_id) &&
              !p.person.created_by_event.empty() &&
              PersonFromEntry(*read).created_by_event == p.person.created_by_event;
  return ours ? Ok() : added;
}

Status LdapDirectory::UpdatePerson(const PersonRecord& before, const PersonRecord& after) {
  std::string agency_name;
  if (AgencyChanged(before, after)) {
    auto name = AgencyName(after.agency_dn);
    if (!name.ok()) return name.take_error();
    agency_name = *std::move(name);
  }
  std::vector<Modification> mods = PersonModifications(before, after, agency_name);
  if (mods.empty()) return Ok();
  return ops_.Modify(before.dn, mods);
}

Result<std::string> LdapDirectory::MovePerson(std::string_view uid, bool to_former) {
  const std::string from = options_.layout.PersonDn(uid, !to_former);
  const std::string to = options_.layout.PersonDn(uid, to_former);
  ldap::ModRdnRequest request;
  request.dn = from;
  request.new_rdn = Layout::PersonRdn(uid);
  request.delete_old_rdn = true;
  request.new_superior = options_.layout.PeopleSubtree(to_former);
  // Already there (a repeat): slapo-unique would refuse the rename of the
  // missing source with a constraint violation before slapd says it is missing.
  DANHBA_ASSIGN_OR_RETURN(auto there, ops_.Read(to, {"1.1"}));
  if (there) return to;
  Status moved = ops_.ModRdn(request);
  if (moved.ok()) return to;
  if (ldap::HasResultCode(moved.error(), ldap::kNoSuchObject) ||
      ldap::HasResultCode(moved.error(), ldap::kConstraintViolation)) {
    DANHBA_ASSIGN_OR_RETURN(auto arrived, ops_.Read(to, {"1.1"}));
    if (arrived) return to;
  }
  return moved.take_error();
}

Result<std::string> LdapDirectory::RenamePerson(std::string_view uid, std::string_view new_uid) {
  const std::string from = options_.layout.PersonDn(uid);
  const std::string to = options_.layout.PersonDn(new_uid);
  ldap::ModRdnRequest request;
  request.dn = from;
  request.new_rdn = Layout::PersonRdn(new_uid);
  request.delete_old_rdn = true;
  Status renamed = NameConflictOrInvalid(ops_.ModRdn(request));
  if (renamed.ok() || renamed.error().transient()) {
    if (renamed.ok()) return to;
    return renamed.take_error();
  }
  // Renamed already (a repeat: the source is gone, the target there); slapo-
  // unique may answer a constraint violation before slapd says it is missing.
  DANHBA_ASSIGN_OR_RETURN(auto source, ops_.Read(from, {"1.1"}));
  DANHBA_ASSIGN_OR_RETURN(auto target, ops_.Read(to, {"1.1"}));
  if (!source && target) return to;
  return renamed.take_error();
}

Status LdapDirectory::ResetPassword(std::string_view dn, std::string_view password) {
  DANHBA_RETURN_IF_ERROR(ops_.PasswordModify(dn, "", password));
  return Ok();
}

Status LdapDirectory::AddAgency(const AgencyRecord& agency) {
  AgencyRecord entry = agency;
  entry.organization = options_.organization;
  return ops_.Add(AgencyEntry(entry));
}

Result<AgencyRecord> LdapDirectory::RenameAgency(std::string_view code, std::string_view new_code) {
  const std::string from = options_.layout.AgencyDn(code);
  const std::string to = options_.layout.AgencyDn(new_code);
  DANHBA_ASSIGN_OR_RETURN(auto source, ops_.Read(from, {"1.1"}));
  auto target = ops_.Read(to, AgencyAttributes());
  if (!target.ok()) return target.take_error();
  if (source && *target) {
    return Conflict("rename " + from + ": " + to + " exists already");
  }
  if (!source && !*target) return NotFound("rename " + from + ": no such agency");
  if (source) {
    ldap::ModRdnRequest request;
    request.dn = from;
    request.new_rdn = Layout::AgencyRdn(new_code);
    request.delete_old_rdn = true;
    Status moved = ops_.ModRdn(request);
    // A lost answer to a rename that was applied looks like a missing source.
    if (!moved.ok() && !ldap::HasResultCode(moved.error(), ldap::kNoSuchObject)) {
      return moved.take_error();
    }
    target = ops_.Read(to, AgencyAttributes());
    if (!target.ok()) return target.take_error();
    if (!*target)
      return moved.ok() ? Internal("rename " + from + ": " + to + " is missing")
                        : moved.take_error();
  }
  AgencyRecord renamed = AgencyFromEntry(**target);
  if (renamed.code != new_code || (*target)->Get("ou").size() != 1) {
    DANHBA_RETURN_IF_ERROR(
        ops_.Modify(to, {Modification::Replace("danhbaAgencyCode", {std::string(new_code)}),
                         Modification::Replace("ou", {std::string(new_code)})}));
    renamed.code = std::string(new_code);
  }
  return renamed;
}

Status LdapDirectory::UpdateAgency(const AgencyRecord& before, const AgencyRecord& after) {
  if (after.name != before.name) {
    // Its people show the new name as their Department. Before the agency's
    // own change, so that a repeat after a crash still finds the name differs.
    DANHBA_ASSIGN_OR_RETURN(auto members, MembersOfAgency(before.dn));
    const std::string& ou = after.name.empty() ? after.code : after.name;
    for (const PersonRecord& member : members) {
      if (member.agency_name == ou) continue;
      DANHBA_RETURN_IF_ERROR(ops_.Modify(member.dn, {Modification::Replace("ou", {ou})}));
    }
  }
  std::vector<Modification> mods = AgencyModifications(before, after);
  if (mods.empty()) return Ok();
  return ops_.Modify(before.dn, mods);
}

}  // namespace danhba::directory
