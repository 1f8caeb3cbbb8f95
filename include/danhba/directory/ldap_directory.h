// Directory over an LDAP server (danhba::ldap::Operations): the real tree.
//
// Person entries: objectClass inetOrgPerson + danhbaPerson; cn holds the NFC
// full name and, when it differs, its ASCII fold (text::FoldForSearch) so that
// mail clients typing without diacritics find people; sn and givenName likewise.
// displayName is the full name; ou the agency's name (clients' Department),
// read from the agency entry whenever a person joins an agency and rewritten
// on its people when an agency's name changes; departmentNumber the agency
// code; o the organization. Private attributes
// (danhbaPersonId, danhbaBirthDate, danhbaStatus, danhbaAgencyDN,
// danhbaDecisionDN) are readable by the writers only (slapd ACLs).
//
// CreatePeople writes one add after the other, or through one RFC 5805
// transaction when `use_transactions` is on. Transactions are off by default:
// Debian 12's slapd 2.5.13 with the overlays of our tree (ppolicy, unique,
// refint, syncprov) was seen to crash on TXN END under concurrent load.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/directory/directory.h"
#include "danhba/ldap/client.h"
#include "danhba/ldap/operations.h"

namespace danhba::directory {

// title of agency entries, so that mail clients tell a shared agency mailbox
// from a person ("agency mailbox").
inline constexpr std::string_view kAgencyMailboxTitle = "Hộp thư cơ quan";

struct LdapDirectoryOptions {
  Layout layout;
  std::string domain = "dongnai.gov.vn";
  bool use_transactions = false;
  // o of the people and agencies this directory writes (mail clients' Company);
  // empty: none.
  std::string organization{};
};

class LdapDirectory final : public Directory {
 public:
  // Uses `ops`, which must outlive this object (e.g. an ldap::Client bound as
  // the sync account).
  LdapDirectory(ldap::Operations& ops, LdapDirectoryOptions options);
  // Owns `ops`.
  LdapDirectory(std::unique_ptr<ldap::Operations> ops, LdapDirectoryOptions options);
  ~LdapDirectory() override;

  const Layout& layout() const override { return options_.layout; }
  const std::string& domain() const override { return options_.domain; }

  Status EnsureDecision(const DecisionRecord& decision) override;
  Result<std::optional<PersonRecord>> FindPerson(std::string_view person_id) override;
  Result<std::vector<PersonRecord>> FindPeople(const std::vector<std::string>& person_ids) override;
  Result<std::optional<AgencyRecord>> FindAgency(std::string_view code) override;
  Result<std::vector<PersonRecord>> PeopleOfAgency(std::string_view agency_dn) override;
  Result<std::vector<PersonRecord>> MembersOfAgency(std::string_view agency_dn) override;
  Result<std::vector<AgencyRecord>> SubAgencies(std::string_view agency_dn) override;
  Result<std::optional<AgencyRecord>> FindAgencyByAddress(std::string_view address) override;
  Result<bool> AddressTaken(std::string_view local_part) override;
  Result<std::set<std::string>> TakenAddresses(
      const std::vector<std::string>& local_parts) override;
  std::vector<Status> CreatePeople(const std::vector<NewPerson>& people) override;
  Status UpdatePerson(const PersonRecord& before, const PersonRecord& after) override;
  Result<std::string> MovePerson(std::string_view uid, bool to_former) override;
  Result<std::string> RenamePerson(std::string_view uid, std::string_view new_uid) override;
  Status ResetPassword(std::string_view dn, std::string_view password) override;
  Status AddAgency(const AgencyRecord& agency) override;
  Status UpdateAgency(const AgencyRecord& before, const AgencyRecord& after) override;
  Result<AgencyRecord> RenameAgency(std::string_view code, std::string_view new_code) override;

  ldap::Operations& operations() { return ops_; }

 private:
  // One person's add; an entry found there that this hire made counts as added.
  Status AddPerson(const NewPerson& p);
  // The displayName of the agency entry `agency_dn`; empty when it has none.
  Result<std::string> AgencyName(const std::string& agency_dn);

  std::unique_ptr<ldap::Operations> owned_;
  ldap::Operations& ops_;
  LdapDirectoryOptions options_;
};

// `count` directories, each over its own ldap::Client (own connection, made
// lazily on first use, with reconnects and retries), e.g. one per sync worker.
std::vector<std::unique_ptr<LdapDirectory>> MakeLdapDirectories(
    const ldap::ConnectOptions& connect, const ldap::Credentials& credentials,
    const LdapDirectoryOptions& options, std::size_t count, ldap::RetryPolicy retry = {});

// The entries as LdapDirectory writes them; exposed for tests and tools.
ldap::Entry DecisionEntry(const Layout& layout, const DecisionRecord& decision);
ldap::Entry PersonEntry(const PersonRecord& person);
ldap::Entry AgencyEntry(const AgencyRecord& agency);
PersonRecord PersonFromEntry(const ldap::Entry& entry);
AgencyRecord AgencyFromEntry(const ldap::Entry& entry);

// "YYYYMMDD000000Z", the generalized time of a date.
std::string ToGeneralizedTime(const model::Date& date);

}  // namespace danhba::directory
