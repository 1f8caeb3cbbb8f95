// Checking the outcome of an end-to-end run: the people in the directory
// (read over LDAP as the operator) against the expected state of a scenario,
// and every event's final status in the journal (opened read-only, beside a
// running daemon).
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "danhba/base/result.h"
#include "scenario.h"

namespace danhba::e2e {

struct DirectoryPerson {
  std::string dn;
  std::string uid;
  std::string person_id;
  bool former = false;  // under ou=former
  std::string status;   // danhbaStatus
  std::string agency;   // ou
  std::string title;
  std::string phone;
};

struct LdapLogin {
  std::string url;
  std::string dn;
  std::string password;
  std::string base_dn;
};

// Every danhbaPerson entry under ou=people and ou=former (paged searches).
Result<std::vector<DirectoryPerson>> ReadPeople(const LdapLogin& login);

// One line per difference between `expected` and `people`: a person missing,
// present more than once, in the wrong subtree or with the wrong status,
// agency, title or phone; a uid used twice; a person nobody expected.
// Empty when the directory is exactly as expected.
std::vector<std::string> CompareWithDirectory(const std::map<std::string, ExpectedPerson>& expected,
                                              const std::vector<DirectoryPerson>& people);

struct JournalTally {
  std::size_t applied = 0;
  std::size_t rejected = 0;
  std::size_t pending = 0;  // queued or scheduled
  std::size_t unknown = 0;  // never recorded
  std::size_t total_in_journal = 0;
  // Rejections, unknown ids, and people whose applied events name different uids
  // (an address must never change, R3); the first few only.
  std::vector<std::string> problems;
  bool all_applied() const { return applied > 0 && rejected == 0 && pending == 0 && unknown == 0; }
};

// Opens the journal in `dir` read-only and looks up every id of `ids`; for
// `events` (may be empty) also checks that each person's applied results name
// one uid only.
Result<JournalTally> TallyJournal(const std::filesystem::path& dir, const std::vector<std::string>& ids,
                                  const std::vector<ScenarioEvent>& events = {});

}  // namespace danhba::e2e
