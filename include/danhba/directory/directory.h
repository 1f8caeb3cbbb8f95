// The directory tree as the sync engine sees it: people, agencies and decisions
// as values, and the few idempotent operations that change them.
//
// The tree (docs/lifecycle.md):
//   ou=people,<base>     uid=<local part>: inetOrgPerson + danhbaPerson, people in service
//   ou=former,<base>     the same entries after the person left (R9, R22)
//   ou=agencies,<base>   ou=<code>: organizationalUnit + danhbaAgency
//   ou=decisions,<base>  danhbaEventId=<event id>: danhbaDecision, one per applied event;
//                        hires applied together under the same decision share the
//                        entry of the first of them (one write instead of one each)
//
// Every operation may be repeated after a crash at any point and gives the same
// tree: adds that find their own entry are done, changes are replaces of whole
// attributes. Errors keep the ldap module's codes: kTransient (the directory is
// unreachable; retry later), kConflict (an address or entry is taken), others final.
//
// Directory is an interface so that the sync engine can be tested against an
// in-memory fake; LdapDirectory (ldap_directory.h) is the real one. An instance
// is not safe for concurrent use: use one per thread.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/model/date.h"
#include "danhba/model/event.h"

namespace danhba::directory {

// Where the four subtrees are. ForBase gives the standard tree of a base DN.
struct Layout {
  std::string base_dn;
  std::string people_dn;
  std::string former_dn;
  std::string agencies_dn;
  std::string decisions_dn;

  static Layout ForBase(std::string_view base_dn);

  // uid=<uid>,people_dn (or former_dn).
  std::string PersonDn(std::string_view uid, bool former = false) const;
  // ou=<code>,agencies_dn.
  std::string AgencyDn(std::string_view code) const;
  // danhbaEventId=<event id>,decisions_dn.
  std::string DecisionDn(std::string_view event_id) const;
  // The event id that names a decision entry's DN; empty when `dn` is not one.
  std::string DecisionEventId(std::string_view dn) const;

  // former_dn or people_dn: where a person's entry lives.
  const std::string& PeopleSubtree(bool former) const;
  // uid=<uid> and ou=<code>: the RDNs of a person's and an agency's entry (what
  // a rename gives the entry).
  static std::string PersonRdn(std::string_view uid);
  static std::string AgencyRdn(std::string_view code);
};

// danhbaStatus values.
inline constexpr std::string_view kStatusActive = "active";
inline constexpr std::string_view kStatusLeft = "left";
inline constexpr std::string_view kStatusMerged = "merged";
inline constexpr std::string_view kStatusDissolved = "dissolved";

// One applied decision (R22): the entry danhbaEventId=<event_id>,ou=decisions.
// For hires applied together, event_id is the first hire's and subject_dns
// lists every person the decision made.
struct DecisionRecord {
  std::string event_id;
  model::EventType type = model::EventType::kHire;
  model::Decision decision;
  std::optional<model::Date> effective_date;
  std::vector<std::string> subject_dns;  // the entries it changed

  friend bool operator==(const DecisionRecord&, const DecisionRecord&) = default;
};

// A person's entry. On reads every field reflects the entry; `dn` tells whether
// it is under people_dn or former_dn.
struct PersonRecord {
  std::string dn;
  std::string uid;        // local part of the address, the RDN
  std::string mail;       // uid@domain
  std::string person_id;  // danhbaPersonId (private, R3)
  std::string status = std::string(kStatusActive);
  std::string full_name;    // cn (first value), displayName
  std::string family_name;  // sn (first value); full_name when empty
  std::string given_name;   // givenName (first value)
  std::optional<std::string> title;
  std::optional<std::string> phone;       // telephoneNumber
  std::string agency_code;                // departmentNumber (older entries: ou)
  // ou: the agency's name as mail clients show it (the directory writes it
  // from the agency entry; callers need not set it).
  std::string agency_name{};
  std::string organization{};             // o (set by the directory)
  std::string agency_dn;                  // danhbaAgencyDN
  std::optional<model::Date> birth_date;  // danhbaBirthDate (private)
  std::vector<std::string> decision_dns;  // danhbaDecisionDN
  std::vector<std::string> aliases;       // danhbaMailAlias: earlier addresses (new_address)
  std::optional<std::string> certificate;  // userCertificate;binary: S/MIME certificate, DER (R17)
  // danhbaEventId: the hire that created the entry (how a repeated hire knows
  // it made the entry, even when the decision entry is shared).
  std::string created_by_event;
  // Reads: whether the entry has a userPassword. Never the value.
  bool has_password = false;

  bool HasDecision(std::string_view decision_dn) const;
};

// An agency's entry.
struct AgencyRecord {
  std::string dn;
  std::string code;                  // ou, danhbaAgencyCode
  std::string name;                  // displayName, cn (with its ASCII fold)
  std::string organization{};        // o (set by the directory)
  std::optional<std::string> mail;   // code@domain; removed after a merge
  std::vector<std::string> aliases;  // danhbaMailAlias (addresses of merged agencies)
  std::string status = std::string(kStatusActive);
  std::optional<std::string> parent_dn;   // danhbaParentDN
  std::optional<std::string> head_dn;     // danhbaHeadDN (R20)
  std::vector<std::string> delegate_dns;  // danhbaDelegateDN (R20)
  std::vector<std::string> decision_dns;  // danhbaDecisionDN

  bool HasDecision(std::string_view decision_dn) const;
};

// A hire's entry with an initial password, sent in the add (stored hashed by the
// server and marked pwdReset, so the person must change it at first login, R13).
struct NewPerson {
  PersonRecord person;  // dn, uid, mail, created_by_event set; has_password ignored
  std::string initial_password;
};

class Directory {
 public:
  virtual ~Directory() = default;

  virtual const Layout& layout() const = 0;
  // The mail domain, e.g. "dongnai.gov.vn".
  virtual const std::string& domain() const = 0;

  // Adds the decision entry. When it exists already (a repeated step, or hires
  // of one decision resumed one by one), adds the subject DNs it lacks.
  virtual Status EnsureDecision(const DecisionRecord& decision) = 0;

  // The person with this danhbaPersonId, in people or former; nullopt if none.
  virtual Result<std::optional<PersonRecord>> FindPerson(std::string_view person_id) = 0;
  // FindPerson for many person ids with one search: every entry found, in no
  // particular order (FindPerson is the one that reports duplicates).
  virtual Result<std::vector<PersonRecord>> FindPeople(
      const std::vector<std::string>& person_ids) = 0;
  // The agency ou=<code>, whatever its status; nullopt if none.
  virtual Result<std::optional<AgencyRecord>> FindAgency(std::string_view code) = 0;
  // The person entries (active, under people_dn) whose danhbaAgencyDN is `agency_dn`.
  virtual Result<std::vector<PersonRecord>> PeopleOfAgency(std::string_view agency_dn) = 0;
  // Every person entry, in people_dn and former_dn, whose danhbaAgencyDN is `agency_dn`.
  virtual Result<std::vector<PersonRecord>> MembersOfAgency(std::string_view agency_dn) = 0;
  // The agencies, whatever their status, whose danhbaParentDN is `agency_dn`.
  virtual Result<std::vector<AgencyRecord>> SubAgencies(std::string_view agency_dn) = 0;
  // The agency with `address` (local@domain) as its mail or a danhbaMailAlias;
  // nullopt if none.
  virtual Result<std::optional<AgencyRecord>> FindAgencyByAddress(std::string_view address) = 0;

  // Whether `local_part` is in use anywhere in the tree: a uid, or
  // local_part@domain as a mail or a mail alias (people, former staff, agencies).
  virtual Result<bool> AddressTaken(std::string_view local_part) = 0;
  // AddressTaken for many local parts with one search: those in use.
  virtual Result<std::set<std::string>> TakenAddresses(
      const std::vector<std::string>& local_parts) = 0;

  // Adds the person entries: one status per person, in order. In one
  // transaction where the server has them (all or nothing), else one by one,
  // where a taken address fails that person only (kConflict, also for one taken
  // between AddressTaken and this call) and the others are still added; after
  // a transient error the rest are not tried and carry that error. A person
  // entry that exists already with the same person id and created_by_event
  // counts as added. The caller writes the decision entries afterwards
  // (EnsureDecision), so that they name only entries that exist.
  virtual std::vector<Status> CreatePeople(const std::vector<NewPerson>& people) = 0;

  // Rewrites the attributes in which `after` differs from `before` (both of the
  // entry at before.dn), by replacing them whole. dn and uid never change here
  // (RenamePerson does); has_password false in `after` removes the password
  // (the person can no longer bind).
  virtual Status UpdatePerson(const PersonRecord& before, const PersonRecord& after) = 0;
  // Moves the entry to former_dn (to_former) or back to people_dn, keeping its
  // uid. Returns the new DN. An entry already there is fine.
  // Renames uid=<uid>,people_dn to uid=<new_uid> (its mail is left to
  // UpdatePerson). Returns the new DN. Already renamed is fine; kConflict when
  // new_uid is another entry's.
  virtual Result<std::string> RenamePerson(std::string_view uid, std::string_view new_uid) = 0;
  virtual Result<std::string> MovePerson(std::string_view uid, bool to_former) = 0;
  // Sets the password with the password-modify extended operation (RFC 3062) as a
  // password administrator, so the server marks it for a forced change (R13).
  virtual Status ResetPassword(std::string_view dn, std::string_view password) = 0;

  // Adds the agency entry. kConflict if ou=<code> exists, or if its address is taken.
  virtual Status AddAgency(const AgencyRecord& agency) = 0;
  // As UpdatePerson, for agencies (mail, aliases, status, parent, head, delegates,
  // decisions, name). The code and DN never change here: see RenameAgency.
  virtual Status UpdateAgency(const AgencyRecord& before, const AgencyRecord& after) = 0;
  // Renames ou=<code> to ou=<new_code> (modrdn, still under agencies_dn) and sets
  // its danhbaAgencyCode; mail and aliases are left to UpdateAgency. Returns the
  // entry as it is afterwards. A repeat (no ou=<code>, ou=<new_code> there) only
  // finishes the code. kNotFound when neither exists, kConflict when both do.
  // The server's refint rewrites DN-valued references to the old DN (in the
  // background: callers that need them at once rewrite them themselves).
  virtual Result<AgencyRecord> RenameAgency(std::string_view code, std::string_view new_code) = 0;
};

}  // namespace danhba::directory
