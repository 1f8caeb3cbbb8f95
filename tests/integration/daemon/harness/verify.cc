#include "verify.h"

#include <set>

#include "danhba/journal/journal.h"
#include "danhba/ldap/client.h"
#include "danhba/sync/engine.h"

namespace danhba::e2e {

Result<std::vector<DirectoryPerson>> ReadPeople(const LdapLogin& login) {
  ldap::ConnectOptions options;
  options.url = login.url;
  options.network_timeout = std::chrono::seconds(5);
  options.operation_timeout = std::chrono::seconds(60);
  ldap::RetryPolicy policy;
  policy.max_total = std::chrono::seconds(20);
  ldap::Client client(options, ldap::Credentials::Simple(login.dn, login.password), policy);
  std::vector<DirectoryPerson> people;
  for (bool former : {false, true}) {
    ldap::SearchRequest request;
    request.base = std::string(former ? "ou=former," : "ou=people,") + login.base_dn;
    request.scope = ldap::Scope::kSubtree;
    request.filter = "(objectClass=danhbaPerson)";
    request.attributes = {"uid", "danhbaPersonId", "danhbaStatus", "departmentNumber", "title", "telephoneNumber"};
    request.page_size = 1000;
    auto entries = client.SearchAll(request);
    if (!entries.ok()) return Error{entries.error().code, request.base + ": " + entries.error().detail};
    for (const ldap::Entry& entry : *entries) {
      DirectoryPerson person;
      person.dn = entry.dn;
      person.uid = entry.First("uid").value_or("");
      person.person_id = entry.First("danhbaPersonId").value_or("");
      person.former = former;
      person.status = entry.First("danhbaStatus").value_or("");
      person.agency = entry.First("departmentNumber").value_or("");
      person.title = entry.First("title").value_or("");
      person.phone = entry.First("telephoneNumber").value_or("");
      people.push_back(std::move(person));
    }
  }
  return people;
}

std::vector<std::string> CompareWithDirectory(const std::map<std::string, ExpectedPerson>& expected,
                                              const std::vector<DirectoryPerson>& people) {
  std::vector<std::string> problems;
  std::map<std::string, std::vector<const DirectoryPerson*>> by_id;
  std::map<std::string, int> uids;
  for (const DirectoryPerson& person : people) {
    by_id[person.person_id].push_back(&person);
    ++uids[person.uid];
  }
  for (const auto& [uid, count] : uids) {
    if (count > 1) problems.push_back("uid " + uid + " is used by " + std::to_string(count) + " entries");
  }
  for (const auto& [id, want] : expected) {
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      problems.push_back(id + ": missing from the directory");
      continue;
    }
    if (it->second.size() != 1) {
      std::string dns;
      for (const auto* p : it->second) dns += " " + p->dn;
      problems.push_back(id + ": " + std::to_string(it->second.size()) + " entries:" + dns);
      continue;
    }
    const DirectoryPerson& got = *it->second.front();
    std::string where = id + " (" + got.dn + "): ";
    if (got.former == want.active) {
      problems.push_back(where + (want.active ? "should be under ou=people" : "should be under ou=former"));
    }
    if (got.status != (want.active ? "active" : "left")) problems.push_back(where + "status " + got.status);
    if (got.agency != want.agency) problems.push_back(where + "agency " + got.agency + ", expected " + want.agency);
    if (got.title != want.title) problems.push_back(where + "title '" + got.title + "', expected '" + want.title + "'");
    if (got.phone != want.phone) problems.push_back(where + "phone '" + got.phone + "', expected '" + want.phone + "'");
  }
  for (const auto& [id, entries] : by_id) {
    if (expected.count(id) == 0) problems.push_back(id + ": in the directory but not expected (" + entries.front()->dn + ")");
  }
  return problems;
}

Result<JournalTally> TallyJournal(const std::filesystem::path& dir, const std::vector<std::string>& ids,
                                  const std::vector<ScenarioEvent>& events) {
  journal::JournalOptions options;
  options.dir = dir.string();
  options.read_only = true;
  auto opened = journal::Journal::Open(options);
  if (!opened.ok()) return opened.take_error();
  journal::Journal& journal = **opened;
  JournalTally tally;
  tally.total_in_journal = journal.Count().total();
  auto note = [&tally](std::string problem) {
    if (tally.problems.size() < 20) tally.problems.push_back(std::move(problem));
  };
  for (const std::string& id : ids) {
    auto info = journal.Lookup(id);
    if (!info.ok()) {
      ++tally.unknown;
      note(id + ": not in the journal");
      continue;
    }
    switch (info->state) {
      case journal::EventState::kApplied: ++tally.applied; break;
      case journal::EventState::kRejected:
        ++tally.rejected;
        note(id + ": rejected: " + info->detail);
        break;
      default: ++tally.pending; break;
    }
  }
  std::map<std::string, std::set<std::string>> uids;
  for (const ScenarioEvent& event : events) {
    auto info = journal.Lookup(event.id);
    if (!info.ok() || info->state != journal::EventState::kApplied) continue;
    auto applied = sync::ParseAppliedResult(info->detail);
    if (applied && applied->person()) uids[event.person_id].insert(applied->uid);
  }
  for (const auto& [person, set] : uids) {
    if (set.size() > 1) {
      std::string list;
      for (const auto& uid : set) list += " " + uid;
      note(person + ": applied events name several uids:" + list);
    }
  }
  return tally;
}

}  // namespace danhba::e2e
