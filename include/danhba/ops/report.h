// The six-monthly usage report (R19): per agency and in total, mailboxes at the
// start and end of a period, the changes in it by decision, password hygiene
// (ppolicy's operational attributes), locked accounts and rejected events.
//
// Computed from what the directory keeps for good — the decision entries
// under ou=decisions (R22) and the people, former staff included — so it is
// right for any past period; rejections come from the journal. A person
// counts in an agency for the whole period by the agency they are in now (or
// were in when they left): the directory keeps the decision of a transfer, not
// the agency left.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/model/date.h"

namespace danhba::ldap {
class Operations;
}
namespace danhba::journal {
class Journal;
}

namespace danhba::ops {

// What the report is computed from: a snapshot of the tree and the journal.
struct ReportPerson {
  std::string dn;
  std::string uid;
  std::string mail;
  std::string agency;  // agency code (ou)
  bool former = false;
  std::optional<model::Date> created;  // the hire's effective date (or the entry's creation)
  std::optional<model::Date> left;     // the leave's effective date
  std::size_t aliases = 0;             // old addresses kept (renames)
  bool must_change_password = false;   // pwdReset: the initial password is unchanged
  std::optional<std::chrono::system_clock::time_point> password_changed;  // pwdChangedTime
  bool locked = false;                 // pwdAccountLockedTime
};

struct ReportDecision {
  std::string event_id;
  std::string number;
  model::Date date;
  std::string issuer;
  std::string type;  // the event type's wire name: hire, transfer, update, leave, agency.*
  model::Date effective;  // danhbaEffectiveDate, else the decision's date
  std::vector<std::string> subject_dns;
};

struct ReportAgency {
  std::string code;
  std::string name;
};

struct ReportInputs {
  std::vector<ReportAgency> agencies;
  std::vector<ReportPerson> people;
  std::vector<ReportDecision> decisions;
  // Rejected events of the period (by the time they were received): reasons.
  std::vector<std::string> rejection_reasons;
  std::chrono::seconds password_max_age{0};  // pwdMaxAge of people's policy; 0: none
};

struct ReportOptions {
  model::Date from;
  model::Date to;  // inclusive
  std::optional<std::string> agency;  // one agency code only
  std::chrono::system_clock::time_point generated_at;
};

struct AgencyFigures {
  std::string code{};
  std::string name{};
  std::size_t mailboxes_start = 0;  // active at the start of `from`
  std::size_t mailboxes_end = 0;    // active at the end of `to`
  std::size_t created = 0;
  std::size_t transferred = 0;      // transfers into this agency
  std::size_t removed = 0;
  std::size_t renamed = 0;
  std::size_t active_now = 0;       // active people (the password figures' base)
  std::size_t password_changed = 0; // of them: the initial password was changed
  std::size_t within_expiry = 0;    // of them: password younger than pwdMaxAge
  std::size_t locked = 0;
};

struct DecisionLine {
  std::string number;
  model::Date date;
  std::string issuer;
  std::string type;
  model::Date effective;
  std::size_t subjects = 0;
};

struct MonthFigures {
  std::string month;  // YYYY-MM
  std::size_t created = 0;
  std::size_t transferred = 0;
  std::size_t removed = 0;
  std::size_t renamed = 0;
  std::size_t mailboxes_end = 0;  // active at the end of the month (or of `to`)
};

struct Report {
  model::Date from;
  model::Date to;
  std::optional<std::string> agency;
  std::string generated_at;  // UTC, ISO 8601
  std::vector<AgencyFigures> agencies;  // by code
  AgencyFigures total;
  std::vector<MonthFigures> months;
  std::vector<DecisionLine> decisions;  // of the period, by effective date
  std::size_t rejected = 0;
  std::vector<std::pair<std::string, std::size_t>> rejection_reasons;  // most frequent first
};

// Reads the agencies, people (ou=people and ou=former, with ppolicy's
// operational attributes), decisions and the people's password policy from the
// directory (bound as the operator or the sync account), and the reasons of
// events rejected in [from, to] from `journal` (may be null).
Result<ReportInputs> LoadReportInputs(ldap::Operations& directory, const std::string& base_dn,
                                      const journal::Journal* journal, const model::Date& from, const model::Date& to);

// Errors: from after to, an unknown agency code.
Result<Report> ComputeReport(const ReportInputs& inputs, const ReportOptions& options);

std::string ReportJson(const Report& report);
std::string ReportCsv(const Report& report);
// One self-contained HTML page in Vietnamese with inline SVG charts, for A4.
std::string ReportHtml(const Report& report);

}  // namespace danhba::ops
