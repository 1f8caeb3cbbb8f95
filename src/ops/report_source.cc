// Reading what a report is computed from: the tree (ldap) and the journal.
#include <time.h>

#include <algorithm>
#include <unordered_map>

#include "danhba/base/strings.h"
#include "danhba/journal/journal.h"
#include "danhba/ldap/entry.h"
#include "danhba/ldap/operations.h"
#include "danhba/ops/report.h"
#include "danhba/slapd/config.h"

namespace danhba::ops {
namespace {

// "20260302000000Z" (GeneralizedTime, UTC) as a time point; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> ParseGeneralizedTime(std::string_view text) {
  if (text.size() < 15) return std::nullopt;
  std::tm parts{};
  std::string copy(text.substr(0, 14));
  const char* end = ::strptime(copy.c_str(), "%Y%m%d%H%M%S", &parts);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(::timegm(&parts));
}

std::optional<model::Date> DateOf(std::string_view generalized) {
  if (generalized.size() < 8) return std::nullopt;
  auto parsed = model::Date::Parse(std::string(generalized.substr(0, 4)) + "-" + std::string(generalized.substr(4, 2)) +
                                   "-" + std::string(generalized.substr(6, 2)));
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

std::string UidOfDn(const std::string& dn) {
  std::string lower = AsciiLower(dn.substr(0, 4));
  if (lower != "uid=") return "";
  std::size_t comma = dn.find(',');
  return dn.substr(4, comma == std::string::npos ? std::string::npos : comma - 4);
}

}  // namespace

Result<ReportInputs> LoadReportInputs(ldap::Operations& directory, const std::string& base_dn,
                                      const journal::Journal* journal, const model::Date& from,
                                      const model::Date& to) {
  ReportInputs inputs;
  ldap::SearchRequest agencies{.base = slapd::AgenciesDn(base_dn),
                               .scope = ldap::Scope::kOneLevel,
                               .filter = "(objectClass=danhbaAgency)",
                               .attributes = {"danhbaAgencyCode", "ou", "displayName"},
                               .page_size = 1000};
  DANHBA_RETURN_IF_ERROR(directory.Search(agencies, [&](ldap::Entry&& e) -> Status {
    std::string code = e.First("danhbaAgencyCode").value_or(e.First("ou").value_or(""));
    if (!code.empty()) inputs.agencies.push_back(ReportAgency{code, e.First("displayName").value_or("")});
    return Ok();
  }));

  // Decisions first: they date the people's hires and leaves.
  ldap::SearchRequest decisions{.base = slapd::DecisionsDn(base_dn),
                                .scope = ldap::Scope::kOneLevel,
                                .filter = "(objectClass=danhbaDecision)",
                                .attributes = {"danhbaEventId", "danhbaDecisionNumber", "danhbaDecisionDate",
                                               "danhbaDecisionIssuer", "danhbaDecisionType", "danhbaEffectiveDate",
                                               "danhbaSubjectDN", "createTimestamp"},
                                .page_size = 1000};
  DANHBA_RETURN_IF_ERROR(directory.Search(decisions, [&](ldap::Entry&& e) -> Status {
    ReportDecision d;
    d.event_id = e.First("danhbaEventId").value_or("");
    d.number = e.First("danhbaDecisionNumber").value_or("");
    d.issuer = e.First("danhbaDecisionIssuer").value_or("");
    d.type = e.First("danhbaDecisionType").value_or("");
    auto date = DateOf(e.First("danhbaDecisionDate").value_or(""));
    if (!date) date = DateOf(e.First("createTimestamp").value_or(""));
    d.date = date.value_or(model::Date());
    d.effective = DateOf(e.First("danhbaEffectiveDate").value_or("")).value_or(d.date);
    d.subject_dns = e.Get("danhbaSubjectDN");
    inputs.decisions.push_back(std::move(d));
    return Ok();
  }));
  // uid -> first hire, last leave.
  std::unordered_map<std::string, model::Date> hired;
  std::unordered_map<std::string, model::Date> left;
  for (const ReportDecision& d : inputs.decisions) {
    if (d.type != "hire" && d.type != "leave") continue;
    for (const std::string& subject : d.subject_dns) {
      std::string uid = UidOfDn(subject);
      if (uid.empty()) continue;
      auto& dates = d.type == "hire" ? hired : left;
      auto [it, inserted] = dates.try_emplace(uid, d.effective);
      if (!inserted) it->second = d.type == "hire" ? std::min(it->second, d.effective) : std::max(it->second, d.effective);
    }
  }

  for (bool former : {false, true}) {
    ldap::SearchRequest people{.base = former ? slapd::FormerDn(base_dn) : slapd::PeopleDn(base_dn),
                               .scope = ldap::Scope::kOneLevel,
                               .filter = "(objectClass=danhbaPerson)",
                               .attributes = {"uid", "mail", "ou", "departmentNumber", "danhbaMailAlias", "pwdReset", "pwdChangedTime",
                                              "pwdAccountLockedTime", "createTimestamp", "modifyTimestamp"},
                               .page_size = 1000};
    DANHBA_RETURN_IF_ERROR(directory.Search(people, [&](ldap::Entry&& e) -> Status {
      ReportPerson p;
      p.dn = e.dn;
      p.uid = e.First("uid").value_or(UidOfDn(e.dn));
      p.mail = e.First("mail").value_or("");
      // The agency code is in departmentNumber (ou shows its name); entries
      // written before held the code in ou.
      p.agency = e.First("departmentNumber").value_or(e.First("ou").value_or(""));
      p.former = former;
      if (auto it = hired.find(p.uid); it != hired.end()) {
        p.created = it->second;
      } else {
        p.created = DateOf(e.First("createTimestamp").value_or(""));
      }
      if (former) {
        // Someone re-hired after leaving is back under ou=people: not left.
        auto it = left.find(p.uid);
        p.left = it != left.end() ? std::optional(it->second) : DateOf(e.First("modifyTimestamp").value_or(""));
      }
      p.aliases = e.Get("danhbaMailAlias").size();
      p.must_change_password = AsciiLower(e.First("pwdReset").value_or("")) == "true";
      p.password_changed = ParseGeneralizedTime(e.First("pwdChangedTime").value_or(""));
      p.locked = e.First("pwdAccountLockedTime").has_value();
      inputs.people.push_back(std::move(p));
      return Ok();
    }));
  }

  ldap::SearchRequest policy{.base = slapd::PasswordPolicyDn(base_dn),
                             .scope = ldap::Scope::kBase,
                             .attributes = {"pwdMaxAge"}};
  Status read_policy = directory.Search(policy, [&](ldap::Entry&& e) -> Status {
    if (auto age = e.First("pwdMaxAge")) inputs.password_max_age = std::chrono::seconds(std::stoll(*age));
    return Ok();
  });
  (void)read_policy;  // no policy entry: no expiry

  if (journal != nullptr) {
    auto start = std::chrono::sys_days(from.ToSysDays());
    auto end = std::chrono::sys_days(to.ToSysDays()) + std::chrono::days(1);
    for (const journal::EventInfo& info : journal->List(journal::EventState::kRejected)) {
      auto at = std::chrono::time_point_cast<std::chrono::system_clock::duration>(info.received_at);
      if (at >= start && at < end) inputs.rejection_reasons.push_back(info.detail);
    }
  }
  return inputs;
}

}  // namespace danhba::ops
