#include "directory/entries.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

#include "danhba/base/strings.h"
#include "danhba/directory/ldap_directory.h"
#include "danhba/ldap/dn.h"
#include "danhba/text/text.h"

namespace danhba::directory {
namespace {

using ldap::Entry;
using ldap::EqualsIgnoreCase;
using ldap::Modification;
using ldap::Values;

// The optional text attributes of a person's entry, one PersonRecord field
// each: written when set and not empty, read back as they are, replaced whole
// when they change. A new attribute of that kind is one row here.
struct OptionalText {
  const char* attribute;
  std::optional<std::string> PersonRecord::*field;
};
constexpr OptionalText kPersonOptionalTexts[] = {
    {"title", &PersonRecord::title},
    {"telephoneNumber", &PersonRecord::phone},
};

// The value itself, then its ASCII fold when that differs (Thunderbird searches
// without diacritics).
Values WithFold(const std::string& value) {
  Values values{value};
  std::string folded = text::FoldForSearch(value);
  // The matching rules ignore case: "An" and "an" are one value to the server.
  if (!folded.empty() && folded != AsciiLower(value)) values.push_back(std::move(folded));
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

}  // namespace

namespace internal {

const std::vector<std::string>& PersonAttributes() {
  static const std::vector<std::string> attributes = [] {
    std::vector<std::string> list = {"uid", "mail", "cn", "sn", "givenName"};
    for (const OptionalText& text : kPersonOptionalTexts) list.emplace_back(text.attribute);
    for (const char* attribute : {"ou", "departmentNumber", "danhbaPersonId", "danhbaStatus",
                                  "danhbaAgencyDN", "danhbaBirthDate", "danhbaDecisionDN",
                                  "danhbaEventId", "danhbaMailAlias", "userCertificate", "userPassword"}) {
      list.emplace_back(attribute);
    }
    return list;
  }();
  return attributes;
}

const std::vector<std::string>& AgencyAttributes() {
  static const std::vector<std::string> attributes = {
      "ou",           "danhbaAgencyCode", "displayName",     "o",
      "mail",         "danhbaMailAlias",  "danhbaStatus",    "danhbaParentDN",
      "danhbaHeadDN", "danhbaDelegateDN", "danhbaDecisionDN"};
  return attributes;
}

Entry NewPersonEntry(const NewPerson& p) {
  Entry e = PersonEntry(p.person);
  if (!p.initial_password.empty()) {
    e.Add("userPassword", p.initial_password);
    e.Add("pwdReset", "TRUE");
  }
  return e;
}

bool AgencyChanged(const PersonRecord& before, const PersonRecord& after) {
  return after.agency_code != before.agency_code ||
         !EqualsIgnoreCase(after.agency_dn, before.agency_dn);
}

std::vector<Modification> PersonModifications(const PersonRecord& before, const PersonRecord& after,
                                              std::string_view agency_name) {
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
  for (const OptionalText& text : kPersonOptionalTexts) {
    if (after.*text.field != before.*text.field) {
      mods.push_back(Modification::Replace(text.attribute, Optional(after.*text.field)));
    }
  }
  if (AgencyChanged(before, after)) {
    // A new agency: its name as the Department (the code where it has none).
    const std::string ou = agency_name.empty() ? after.agency_code : std::string(agency_name);
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
  return mods;
}

std::vector<Modification> AgencyModifications(const AgencyRecord& before,
                                              const AgencyRecord& after) {
  std::vector<Modification> mods;
  if (after.name != before.name) {
    mods.push_back(
        Modification::Replace("displayName", after.name.empty() ? Values{} : Values{after.name}));
    mods.push_back(
        Modification::Replace("cn", after.name.empty() ? Values{} : WithFold(after.name)));
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
  return mods;
}

}  // namespace internal

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
  for (const OptionalText& text : kPersonOptionalTexts) {
    if (const auto& value = p.*text.field; value && !value->empty()) e.Add(text.attribute, *value);
  }
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
  for (const OptionalText& text : kPersonOptionalTexts) p.*text.field = e.First(text.attribute);
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

}  // namespace danhba::directory
