#include "danhba/directory/ldap_directory.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iterator>
#include <map>
#include <utility>

#include "danhba/ldap/dn.h"
#include "danhba/ldap/error.h"
#include "danhba/ldap/filter.h"
#include "danhba/text/text.h"

namespace danhba::directory {
namespace {

using ldap::Entry;
using ldap::EqualsIgnoreCase;
using ldap::Modification;
using ldap::Values;

// What FindPerson and friends read: never more than the engine needs.
const std::vector<std::string>& PersonAttributes() {
  static const std::vector<std::string> attributes = {"uid",
                                                      "mail",
                                                      "cn",
                                                      "sn",
                                                      "givenName",
                                                      "title",
                                                      "telephoneNumber",
                                                      "ou",
                                                      "departmentNumber",
                                                      "danhbaPersonId",
                                                      "danhbaStatus",
                                                      "danhbaAgencyDN",
                                                      "danhbaBirthDate",
                                                      "danhbaDecisionDN",
                                                      "danhbaEventId",
                                                      "danhbaMailAlias",
                                                      "userCertificate",
                                                      "userPassword"};
  return attributes;
}

const std::vector<std::string>& AgencyAttributes() {
  static const std::vector<std::string> attributes = {"ou",
                                                      "danhbaAgencyCode",
                                                      "displayName",
                                                      "o",
                                                      "mail",
                                                      "danhbaMailAlias",
                                                      "danhbaStatus",
                                                      "danhbaParentDN",
                                                      "danhbaHeadDN",
                                                      "danhbaDelegateDN",
                                                      "danhbaDecisionDN"};
  return attributes;
}

// The value itself, then its ASCII fold when that differs (Thunderbird searches
// without diacritics).
Values WithFold(const std::string& value) {
  Values values{value};
  std::string folded = text::FoldForSearch(value);
  std::string lower = value;
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  // The matching rules ignore case: "An" and "an" are one value to the server.
  if (!folded.empty() && folded != lower) values.push_back(std::move(folded));
  return values;
}

// cn of a person: the full name and its fold, then the name with the given
// name first ("An Nguyễn Văn") and its fold, so that address-book filters
// anchored at the start of cn (Thunderbird's autocomplete, Evolution) find a
// Vietnamese name by its given name. The first value stays the full name:
// clients show it.
Values PersonCn(const std::string& full_name, const std::string& given_name) {
  Values values = WithFold(full_name);
  if (given_name.empty() || full_name.size() <= given_name.size() + 1) return values;
  const std::size_t rest = full_name.size() - given_name.size() - 1;
  if (full_name.compare(rest + 1, std::string::npos, given_name) != 0 || full_name[rest] != ' ') {
    return values;
  }
  for (std::string& value : WithFold(given_name + " " + full_name.substr(0, rest))) {
    values.push_back(std::move(value));
  }
  return values;
}

Values Optional(const std::optional<std::string>& value) {
  if (value && !value->empty()) return {*value};
  return {};
}

bool SameDns(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!EqualsIgnoreCase(a[i], b[i])) return false;
  }
  return true;
}

bool SameOptionalDn(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || EqualsIgnoreCase(*a, *b);
}

std::optional<model::Date> ParseGeneralizedDate(const std::optional<std::string>& value) {
  if (!value || value->size() < 8) return std::nullopt;
  const std::string& v = *value;
  std::string iso = v.substr(0, 4) + "-" + v.substr(4, 2) + "-" + v.substr(6, 2);
  auto date = model::Date::Parse(iso);
  if (!date.ok()) return std::nullopt;
  return *date;
}

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

// The person entry with its initial password in the add itself: one write
// instead of an add and a password modify. slapo-ppolicy stores it hashed
// (olcPPolicyHashCleartext), and pwdReset makes the server force a change at
// first login (R13), as it does after a password administrator's reset.
std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Entry NewPersonEntry(const NewPerson& p) {
  Entry e = PersonEntry(p.person);
  if (!p.initial_password.empty()) {
    e.Add("userPassword", p.initial_password);
    e.Add("pwdReset", "TRUE");
  }
  return e;
}

}  // namespace

Layout Layout::ForBase(std::string_view base_dn) {
  std::string base(base_dn);
  return Layout{base, "ou=people," + base, "ou=former," + base, "ou=agencies," + base,
                "ou=decisions," + base};
}

std::string Layout::PersonDn(std::string_view uid, bool former) const {
  return "uid=" + ldap::EscapeDnValue(uid) + "," + (former ? former_dn : people_dn);
}

std::string Layout::AgencyDn(std::string_view code) const {
  return "ou=" + ldap::EscapeDnValue(code) + "," + agencies_dn;
}

std::string Layout::DecisionDn(std::string_view event_id) const {
  return "danhbaEventId=" + ldap::EscapeDnValue(event_id) + "," + decisions_dn;
}

std::string Layout::DecisionEventId(std::string_view dn) const {
  auto parsed = ldap::Dn::Parse(dn);
  auto parent = ldap::Dn::Parse(decisions_dn);
  if (!parsed.ok() || !parent.ok() || parsed->size() != parent->size() + 1 ||
      !parsed->IsDescendantOf(*parent)) {
    return "";
  }
  return parsed->RdnValue("danhbaEventId");
}

bool PersonRecord::HasDecision(std::string_view decision_dn) const {
  return std::any_of(decision_dns.begin(), decision_dns.end(), [&](const std::string& value) {
    return EqualsIgnoreCase(value, decision_dn);
  });
}

bool AgencyRecord::HasDecision(std::string_view decision_dn) const {
  return std::any_of(decision_dns.begin(), decision_dns.end(), [&](const std::string& value) {
    return EqualsIgnoreCase(value, decision_dn);
  });
}

std::string ToGeneralizedTime(const model::Date& date) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d%02d%02d000000Z", date.year(), date.month(),
                date.day());
  return buffer;
}

Entry DecisionEntry(const Layout& layout, const DecisionRecord& decision) {
  Entry e;
  e.dn = layout.DecisionDn(decision.event_id);
  e.Set("objectClass", {"top", "danhbaDecision"});
  e.Add("danhbaEventId", decision.event_id);
  e.Add("cn", decision.decision.number);
  e.Add("danhbaDecisionNumber", decision.decision.number);
  e.Add("danhbaDecisionDate", ToGeneralizedTime(decision.decision.date));
  e.Add("danhbaDecisionIssuer", decision.decision.issuer);
  e.Add("danhbaDecisionType", std::string(model::ToString(decision.type)));
  if (decision.effective_date) {
    e.Add("danhbaEffectiveDate", ToGeneralizedTime(*decision.effective_date));
  }
  if (decision.decision.subject && !decision.decision.subject->empty()) {
    e.Add("description", *decision.decision.subject);
  }
  if (!decision.subject_dns.empty()) e.Set("danhbaSubjectDN", decision.subject_dns);
  return e;
}

Entry PersonEntry(const PersonRecord& p) {
  Entry e;
  e.dn = p.dn;
  e.Set("objectClass", {"top", "person", "organizationalPerson", "inetOrgPerson", "danhbaPerson"});
  e.Add("uid", p.uid);
  e.Add("mail", p.mail);
  e.Set("cn", PersonCn(p.full_name, p.given_name));
  e.Set("sn", WithFold(p.family_name.empty() ? p.full_name : p.family_name));
  if (!p.given_name.empty()) e.Set("givenName", WithFold(p.given_name));
  e.Add("displayName", p.full_name);
  if (p.title && !p.title->empty()) e.Add("title", *p.title);
  if (p.phone && !p.phone->empty()) e.Add("telephoneNumber", *p.phone);
  // Mail clients show ou as the Department: the agency's name; the code (what
  // the engine matches on) is departmentNumber.
  if (!p.agency_name.empty() || !p.agency_code.empty()) {
    e.Add("ou", p.agency_name.empty() ? p.agency_code : p.agency_name);
  }
  if (!p.agency_code.empty()) e.Add("departmentNumber", p.agency_code);
  if (!p.organization.empty()) e.Add("o", p.organization);
  e.Add("danhbaPersonId", p.person_id);
  e.Add("danhbaStatus", p.status);
  if (!p.agency_dn.empty()) e.Add("danhbaAgencyDN", p.agency_dn);
  if (p.birth_date) e.Add("danhbaBirthDate", ToGeneralizedTime(*p.birth_date));
  if (!p.decision_dns.empty()) e.Set("danhbaDecisionDN", p.decision_dns);
  if (!p.created_by_event.empty()) e.Add("danhbaEventId", p.created_by_event);
  if (!p.aliases.empty()) e.Set("danhbaMailAlias", p.aliases);
  if (p.certificate) e.Add("userCertificate;binary", *p.certificate);
  return e;
}

Entry AgencyEntry(const AgencyRecord& a) {
  Entry e;
  e.dn = a.dn;
  e.Set("objectClass", {"top", "organizationalUnit", "danhbaAgency"});
  e.Add("ou", a.code);
  e.Add("danhbaAgencyCode", a.code);
  if (!a.name.empty()) {
    e.Add("displayName", a.name);
    // cn makes the agency mailbox an address-book entry like a person.
    e.Set("cn", WithFold(a.name));
  }
  if (!a.organization.empty()) e.Add("o", a.organization);
  // Mail clients show title as the Job title: an agency mailbox says what it is.
  e.Add("title", std::string(kAgencyMailboxTitle));
  if (a.mail) e.Add("mail", *a.mail);
  if (!a.aliases.empty()) e.Set("danhbaMailAlias", a.aliases);
  e.Add("danhbaStatus", a.status);
  if (a.parent_dn) e.Add("danhbaParentDN", *a.parent_dn);
  if (a.head_dn) e.Add("danhbaHeadDN", *a.head_dn);
  if (!a.delegate_dns.empty()) e.Set("danhbaDelegateDN", a.delegate_dns);
  if (!a.decision_dns.empty()) e.Set("danhbaDecisionDN", a.decision_dns);
  return e;
}

PersonRecord PersonFromEntry(const Entry& e) {
  PersonRecord p;
  p.dn = e.dn;
  p.uid = e.First("uid").value_or("");
  p.mail = e.First("mail").value_or("");
  p.person_id = e.First("danhbaPersonId").value_or("");
  p.status = e.First("danhbaStatus").value_or(std::string(kStatusActive));
  p.full_name = e.First("cn").value_or("");
  p.family_name = e.First("sn").value_or("");
  p.given_name = e.First("givenName").value_or("");
  p.title = e.First("title");
  p.phone = e.First("telephoneNumber");
  // Entries written before departmentNumber held the code in ou.
  p.agency_name = e.First("ou").value_or("");
  p.agency_code = e.First("departmentNumber").value_or(p.agency_name);
  p.organization = e.First("o").value_or("");
  p.agency_dn = e.First("danhbaAgencyDN").value_or("");
  p.birth_date = ParseGeneralizedDate(e.First("danhbaBirthDate"));
  p.decision_dns = e.Get("danhbaDecisionDN");
  p.created_by_event = e.First("danhbaEventId").value_or("");
  p.aliases = e.Get("danhbaMailAlias");
  p.has_password = e.Has("userPassword");
  // The server names the values with the ;binary option it requires.
  p.certificate = e.First("userCertificate;binary");
  if (!p.certificate) p.certificate = e.First("userCertificate");
  return p;
}

AgencyRecord AgencyFromEntry(const Entry& e) {
  AgencyRecord a;
  a.dn = e.dn;
  a.code = e.First("danhbaAgencyCode").value_or(e.First("ou").value_or(""));
  a.name = e.First("displayName").value_or("");
  a.organization = e.First("o").value_or("");
  a.mail = e.First("mail");
  a.aliases = e.Get("danhbaMailAlias");
  a.status = e.First("danhbaStatus").value_or(std::string(kStatusActive));
  a.parent_dn = e.First("danhbaParentDN");
  a.head_dn = e.First("danhbaHeadDN");
  a.delegate_dns = e.Get("danhbaDelegateDN");
  a.decision_dns = e.Get("danhbaDecisionDN");
  return a;
}

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
  auto read = ops_.Read(entry.dn, {"danhbaSubjectDN"});
  if (!read.ok()) return read.take_error();
  if (!*read) return added;  // deleted in between: say so rather than guess
  Values missing;
  for (const std::string& subject : decision.subject_dns) {
    if (!(*read)->HasValue("danhbaSubjectDN", subject)) missing.push_back(subject);
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
  auto read = ops_.Read(options_.layout.AgencyDn(code), AgencyAttributes());
  if (!read.ok()) return read.take_error();
  if (!*read) return std::optional<AgencyRecord>();
  return std::optional<AgencyRecord>(AgencyFromEntry(**read));
}

Result<std::vector<PersonRecord>> LdapDirectory::PeopleOfAgency(std::string_view agency_dn) {
  return SearchPeople(ops_, options_.layout.people_dn, ldap::Scope::kOneLevel,
                      ldap::Filter::Eq("danhbaAgencyDN", agency_dn));
}

Result<std::vector<PersonRecord>> LdapDirectory::MembersOfAgency(std::string_view agency_dn) {
  std::vector<PersonRecord> people;
  for (const std::string* subtree : {&options_.layout.people_dn, &options_.layout.former_dn}) {
    auto found = SearchPeople(ops_, *subtree, ldap::Scope::kOneLevel,
                              ldap::Filter::Eq("danhbaAgencyDN", agency_dn));
    if (!found.ok()) return found.take_error();
    std::move(found->begin(), found->end(), std::back_inserter(people));
  }
  return people;
}

Result<std::vector<AgencyRecord>> LdapDirectory::SubAgencies(std::string_view agency_dn) {
  return SearchAgencies(ops_, options_.layout.agencies_dn,
                        ldap::Filter::Eq("danhbaParentDN", agency_dn));
}

Result<std::optional<AgencyRecord>> LdapDirectory::FindAgencyByAddress(std::string_view address) {
  auto found = SearchAgencies(ops_, options_.layout.agencies_dn,
                              ldap::Filter::Or({ldap::Filter::Eq("mail", address),
                                                ldap::Filter::Eq("danhbaMailAlias", address)}));
  if (!found.ok()) return found.take_error();
  if (found->empty()) return std::optional<AgencyRecord>();
  return std::optional<AgencyRecord>(std::move(found->front()));
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
  auto found = ops_.SearchAll(request);
  if (!found.ok()) return found.take_error();
  return !found->empty();
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
  auto found = ops_.SearchAll(request);
  if (!found.ok()) return found.take_error();
  // Matching is case-insensitive in the directory; local parts are lower case.
  std::set<std::string> in_use;
  for (const Entry& e : *found) {
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
  auto read = ops_.Read(agency_dn, {"displayName"});
  if (!read.ok()) return read.take_error();
  if (!*read) return std::string();
  return (*read)->First("displayName").value_or("");
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
  auto read = ops_.Read(p.person.dn, PersonAttributes());
  if (!read.ok()) return read.take_error();
  bool ours = *read && (*read)->HasValue("danhbaPersonId", p.person.person_id) &&
              !p.person.created_by_event.empty() &&
              PersonFromEntry(**read).created_by_event == p.person.created_by_event;
  return ours ? Ok() : added;
}

Status LdapDirectory::UpdatePerson(const PersonRecord& before, const PersonRecord& after) {
  std::vector<Modification> mods;
  if (after.full_name != before.full_name || after.given_name != before.given_name) {
    mods.push_back(Modification::Replace("cn", PersonCn(after.full_name, after.given_name)));
    mods.push_back(Modification::Replace("displayName", {after.full_name}));
  }
  const std::string& sn_before = before.family_name.empty() ? before.full_name : before.family_name;
  const std::string& sn_after = after.family_name.empty() ? after.full_name : after.family_name;
  if (sn_after != sn_before) mods.push_back(Modification::Replace("sn", WithFold(sn_after)));
  if (after.given_name != before.given_name) {
    mods.push_back(Modification::Replace(
        "givenName", after.given_name.empty() ? Values{} : WithFold(after.given_name)));
  }
  if (after.title != before.title)
    mods.push_back(Modification::Replace("title", Optional(after.title)));
  if (after.phone != before.phone) {
    mods.push_back(Modification::Replace("telephoneNumber", Optional(after.phone)));
  }
  if (after.agency_code != before.agency_code ||
      !EqualsIgnoreCase(after.agency_dn, before.agency_dn)) {
    // A new agency: its name as the Department (the code where it has none).
    auto name = AgencyName(after.agency_dn);
    if (!name.ok()) return name.take_error();
    const std::string& ou = name->empty() ? after.agency_code : *name;
    mods.push_back(Modification::Replace("ou", ou.empty() ? Values{} : Values{ou}));
    mods.push_back(Modification::Replace(
        "departmentNumber", after.agency_code.empty() ? Values{} : Values{after.agency_code}));
  }
  if (!EqualsIgnoreCase(after.agency_dn, before.agency_dn)) {
    mods.push_back(Modification::Replace(
        "danhbaAgencyDN", after.agency_dn.empty() ? Values{} : Values{after.agency_dn}));
  }
  if (after.status != before.status) {
    mods.push_back(Modification::Replace("danhbaStatus", {after.status}));
  }
  if (after.birth_date != before.birth_date) {
    mods.push_back(Modification::Replace(
        "danhbaBirthDate",
        after.birth_date ? Values{ToGeneralizedTime(*after.birth_date)} : Values{}));
  }
  if (before.has_password && !after.has_password) {
    mods.push_back(Modification::Replace("userPassword", {}));
  }
  if (after.mail != before.mail) mods.push_back(Modification::Replace("mail", {after.mail}));
  if (after.aliases != before.aliases) {
    mods.push_back(Modification::Replace("danhbaMailAlias", after.aliases));
  }
  if (after.certificate != before.certificate) {
    mods.push_back(Modification::Replace("userCertificate;binary", Optional(after.certificate)));
  }
  // Last, so that a change is marked done only together with its content (one
  // modify is atomic anyway).
  if (!SameDns(after.decision_dns, before.decision_dns)) {
    mods.push_back(Modification::Replace("danhbaDecisionDN", after.decision_dns));
  }
  if (mods.empty()) return Ok();
  return ops_.Modify(before.dn, mods);
}

Result<std::string> LdapDirectory::MovePerson(std::string_view uid, bool to_former) {
  const std::string from = options_.layout.PersonDn(uid, !to_former);
  const std::string to = options_.layout.PersonDn(uid, to_former);
  ldap::ModRdnRequest request;
  request.dn = from;
  request.new_rdn = "uid=" + ldap::EscapeDnValue(uid);
  request.delete_old_rdn = true;
  request.new_superior = to_former ? options_.layout.former_dn : options_.layout.people_dn;
  // Already there (a repeat): slapo-unique would refuse the rename of the
  // missing source with a constraint violation before slapd says it is missing.
  auto there = ops_.Read(to, {"1.1"});
  if (!there.ok()) return there.take_error();
  if (*there) return to;
  Status moved = ops_.ModRdn(request);
  if (moved.ok()) return to;
  if (ldap::HasResultCode(moved.error(), ldap::kNoSuchObject) ||
      ldap::HasResultCode(moved.error(), ldap::kConstraintViolation)) {
    auto arrived = ops_.Read(to, {"1.1"});
    if (!arrived.ok()) return arrived.take_error();
    if (*arrived) return to;
  }
  return moved.take_error();
}

Result<std::string> LdapDirectory::RenamePerson(std::string_view uid, std::string_view new_uid) {
  const std::string from = options_.layout.PersonDn(uid);
  const std::string to = options_.layout.PersonDn(new_uid);
  ldap::ModRdnRequest request;
  request.dn = from;
  request.new_rdn = "uid=" + ldap::EscapeDnValue(new_uid);
  request.delete_old_rdn = true;
  Status renamed = NameConflictOrInvalid(ops_.ModRdn(request));
  if (renamed.ok() || renamed.error().transient()) {
    if (renamed.ok()) return to;
    return renamed.take_error();
  }
  // Renamed already (a repeat: the source is gone, the target there); slapo-
  // unique may answer a constraint violation before slapd says it is missing.
  auto source = ops_.Read(from, {"1.1"});
  if (!source.ok()) return source.take_error();
  auto target = ops_.Read(to, {"1.1"});
  if (!target.ok()) return target.take_error();
  if (!*source && *target) return to;
  return renamed.take_error();
}

Status LdapDirectory::ResetPassword(std::string_view dn, std::string_view password) {
  auto changed = ops_.PasswordModify(dn, "", password);
  if (!changed.ok()) return changed.take_error();
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
  auto source = ops_.Read(from, {"1.1"});
  if (!source.ok()) return source.take_error();
  auto target = ops_.Read(to, AgencyAttributes());
  if (!target.ok()) return target.take_error();
  if (*source && *target) {
    return Conflict("rename " + from + ": " + to + " exists already");
  }
  if (!*source && !*target) return NotFound("rename " + from + ": no such agency");
  if (*source) {
    ldap::ModRdnRequest request;
    request.dn = from;
    request.new_rdn = "ou=" + ldap::EscapeDnValue(new_code);
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
  std::vector<Modification> mods;
  if (after.name != before.name) {
    mods.push_back(
        Modification::Replace("displayName", after.name.empty() ? Values{} : Values{after.name}));
    mods.push_back(
        Modification::Replace("cn", after.name.empty() ? Values{} : WithFold(after.name)));
    // Its people show the new name as their Department. Before the agency's
    // own change, so that a repeat after a crash still finds the name differs.
    auto members = MembersOfAgency(before.dn);
    if (!members.ok()) return members.take_error();
    const std::string& ou = after.name.empty() ? after.code : after.name;
    for (const PersonRecord& member : *members) {
      if (member.agency_name == ou) continue;
      DANHBA_RETURN_IF_ERROR(ops_.Modify(member.dn, {Modification::Replace("ou", {ou})}));
    }
  }
  if (after.mail != before.mail)
    mods.push_back(Modification::Replace("mail", Optional(after.mail)));
  if (after.aliases != before.aliases) {
    mods.push_back(Modification::Replace("danhbaMailAlias", after.aliases));
  }
  if (after.status != before.status) {
    mods.push_back(Modification::Replace("danhbaStatus", {after.status}));
  }
  if (!SameOptionalDn(after.parent_dn, before.parent_dn)) {
    mods.push_back(Modification::Replace("danhbaParentDN", Optional(after.parent_dn)));
  }
  if (!SameOptionalDn(after.head_dn, before.head_dn)) {
    mods.push_back(Modification::Replace("danhbaHeadDN", Optional(after.head_dn)));
  }
  if (!SameDns(after.delegate_dns, before.delegate_dns)) {
    mods.push_back(Modification::Replace("danhbaDelegateDN", after.delegate_dns));
  }
  if (!SameDns(after.decision_dns, before.decision_dns)) {
    mods.push_back(Modification::Replace("danhbaDecisionDN", after.decision_dns));
  }
  if (mods.empty()) return Ok();
  return ops_.Modify(before.dn, mods);
}

}  // namespace danhba::directory
