// An in-memory Directory for the engine's unit tests: one shared tree (thread-safe),
// seen through any number of FakeDirectory handles (one per worker), with hooks
// that fail operations to simulate an unreachable server.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "danhba/directory/directory.h"

namespace danhba::sync::testing {

struct FakeTree {
  std::mutex mutex;
  std::map<std::string, directory::DecisionRecord> decisions;  // by event id
  std::map<std::string, directory::PersonRecord> people;       // by uid (people and former)
  std::map<std::string, directory::AgencyRecord> agencies;     // by code
  std::map<std::string, std::string> passwords;                // by uid
  std::vector<std::string> log;                                // "<op> <target>", in order
  // Called before every operation with "<op> <target>"; an error is returned as is.
  std::function<Status(const std::string& op)> fail;
  int password_resets = 0;
  // Whether RenameAgency rewrites references to the old DN (slapo-refint).
  bool refint = false;
};

class FakeDirectory final : public directory::Directory {
 public:
  explicit FakeDirectory(FakeTree& tree, std::string domain = "dongnai.gov.vn")
      : tree_(tree),
        layout_(directory::Layout::ForBase("dc=dongnai,dc=gov,dc=vn")),
        domain_(std::move(domain)) {}

  const directory::Layout& layout() const override { return layout_; }
  const std::string& domain() const override { return domain_; }

  Status EnsureDecision(const directory::DecisionRecord& d) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("decision " + d.event_id));
    auto [it, added] = tree_.decisions.emplace(d.event_id, d);
    if (!added) {
      for (const std::string& subject : d.subject_dns) {
        auto& subjects = it->second.subject_dns;
        if (std::find(subjects.begin(), subjects.end(), subject) == subjects.end())
          subjects.push_back(subject);
      }
    }
    return Ok();
  }

  Result<std::optional<directory::PersonRecord>> FindPerson(std::string_view id) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("find " + std::string(id)));
    for (const auto& [uid, p] : tree_.people) {
      if (p.person_id == id) {
        auto copy = p;
        copy.has_password = tree_.passwords.count(uid) > 0;
        return std::optional<directory::PersonRecord>(copy);
      }
    }
    return std::optional<directory::PersonRecord>();
  }

  Result<std::vector<directory::PersonRecord>> FindPeople(
      const std::vector<std::string>& ids) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("find-many " + std::to_string(ids.size())));
    std::vector<directory::PersonRecord> found;
    for (const auto& [uid, p] : tree_.people) {
      if (std::find(ids.begin(), ids.end(), p.person_id) == ids.end()) continue;
      found.push_back(p);
      found.back().has_password = tree_.passwords.count(uid) > 0;
    }
    return found;
  }

  Result<std::optional<directory::AgencyRecord>> FindAgency(std::string_view code) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("agency " + std::string(code)));
    auto it = tree_.agencies.find(std::string(code));
    if (it == tree_.agencies.end()) return std::optional<directory::AgencyRecord>();
    return std::optional<directory::AgencyRecord>(it->second);
  }

  Result<std::vector<directory::PersonRecord>> PeopleOfAgency(std::string_view dn) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("staff " + std::string(dn)));
    std::vector<directory::PersonRecord> out;
    for (const auto& [uid, p] : tree_.people) {
      if (p.agency_dn == dn && p.dn == layout_.PersonDn(uid)) out.push_back(p);
    }
    return out;
  }

  Result<std::vector<directory::PersonRecord>> MembersOfAgency(std::string_view dn) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("members " + std::string(dn)));
    std::vector<directory::PersonRecord> out;
    for (const auto& [uid, p] : tree_.people) {
      if (p.agency_dn == dn) out.push_back(p);
    }
    return out;
  }

  Result<std::vector<directory::AgencyRecord>> SubAgencies(std::string_view dn) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("sub-agencies " + std::string(dn)));
    std::vector<directory::AgencyRecord> out;
    for (const auto& [code, a] : tree_.agencies) {
      if (a.parent_dn == dn) out.push_back(a);
    }
    return out;
  }

  Result<std::optional<directory::AgencyRecord>> FindAgencyByAddress(
      std::string_view address) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("agency-by-address " + std::string(address)));
    for (const auto& [code, a] : tree_.agencies) {
      if (a.mail == address ||
          std::find(a.aliases.begin(), a.aliases.end(), address) != a.aliases.end())
        return std::optional<directory::AgencyRecord>(a);
    }
    return std::optional<directory::AgencyRecord>();
  }

  Result<bool> AddressTaken(std::string_view local) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("taken " + std::string(local)));
    return TakenLocked(local);
  }

  Result<std::set<std::string>> TakenAddresses(const std::vector<std::string>& locals) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("taken-many " + std::to_string(locals.size())));
    std::set<std::string> taken;
    for (const auto& local : locals) {
      if (TakenLocked(local)) taken.insert(local);
    }
    return taken;
  }

  // One by one, as LdapDirectory without transactions.
  std::vector<Status> CreatePeople(const std::vector<directory::NewPerson>& people) override {
    std::lock_guard lock(tree_.mutex);
    if (Status hook = Hook("create " + std::to_string(people.size())); !hook.ok())
      return std::vector<Status>(people.size(), hook);
    std::vector<Status> results;
    for (const auto& np : people) {
      if (TakenLocked(np.person.uid)) {
        auto it = tree_.people.find(np.person.uid);
        bool ours = it != tree_.people.end() && it->second.person_id == np.person.person_id &&
                    it->second.created_by_event == np.person.created_by_event;
        results.push_back(ours ? Ok() : Conflict("add " + np.person.dn + ": already exists"));
        continue;
      }
      tree_.people[np.person.uid] = np.person;
      tree_.log.push_back("add " + np.person.uid);
      if (!np.initial_password.empty()) {
        tree_.passwords[np.person.uid] = np.initial_password;
        tree_.password_resets++;
      }
      results.push_back(Ok());
    }
    return results;
  }

  Status UpdatePerson(const directory::PersonRecord& before,
                      const directory::PersonRecord& after) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("update " + before.uid));
    auto it = tree_.people.find(before.uid);
    if (it == tree_.people.end()) return NotFound("modify " + before.dn + ": no such object");
    std::string dn = it->second.dn;
    it->second = after;
    it->second.dn = dn;
    if (!after.has_password) tree_.passwords.erase(before.uid);
    return Ok();
  }

  Result<std::string> MovePerson(std::string_view uid, bool to_former) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(
        Hook(std::string(to_former ? "retire " : "restore ") + std::string(uid)));
    auto it = tree_.people.find(std::string(uid));
    if (it == tree_.people.end())
      return NotFound("modrdn uid=" + std::string(uid) + ": no such object");
    it->second.dn = layout_.PersonDn(uid, to_former);
    return it->second.dn;
  }

  Result<std::string> RenamePerson(std::string_view uid, std::string_view new_uid) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("rename " + std::string(uid)));
    auto it = tree_.people.find(std::string(uid));
    if (it == tree_.people.end()) {
      if (tree_.people.count(std::string(new_uid))) return layout_.PersonDn(new_uid);
      return NotFound("modrdn uid=" + std::string(uid) + ": no such object");
    }
    if (TakenLocked(new_uid)) return Conflict("modrdn uid=" + std::string(new_uid) + ": taken");
    directory::PersonRecord p = it->second;
    tree_.people.erase(it);
    p.uid = std::string(new_uid);
    p.dn = layout_.PersonDn(new_uid);
    tree_.people[p.uid] = p;
    if (auto pw = tree_.passwords.find(std::string(uid)); pw != tree_.passwords.end()) {
      tree_.passwords[p.uid] = pw->second;
      tree_.passwords.erase(pw);
    }
    return p.dn;
  }

  Status ResetPassword(std::string_view dn, std::string_view password) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("password " + std::string(dn)));
    for (auto& [uid, p] : tree_.people) {
      if (p.dn == dn) {
        tree_.passwords[uid] = std::string(password);
        tree_.password_resets++;
        return Ok();
      }
    }
    return NotFound("password modify " + std::string(dn) + ": no such object");
  }

  Status AddAgency(const directory::AgencyRecord& a) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("add-agency " + a.code));
    if (tree_.agencies.count(a.code)) return Conflict("add " + a.dn + ": already exists");
    tree_.agencies[a.code] = a;
    return Ok();
  }

  Status UpdateAgency(const directory::AgencyRecord& before,
                      const directory::AgencyRecord& after) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("update-agency " + before.code));
    if (after.mail) {
      for (const auto& [code, a] : tree_.agencies) {
        if (code != before.code &&
            std::find(a.aliases.begin(), a.aliases.end(), *after.mail) != a.aliases.end()) {
          return Conflict("unique: " + *after.mail);
        }
      }
    }
    for (const auto& alias : after.aliases) {
      for (const auto& [code, a] : tree_.agencies) {
        if (code != before.code && a.mail == alias) return Conflict("unique: alias " + alias);
      }
    }
    tree_.agencies[before.code] = after;
    return Ok();
  }

  // The rename and the code in one step; `refint` says whether references to
  // the old DN follow at once (as slapo-refint does, in the background).
  Result<directory::AgencyRecord> RenameAgency(std::string_view code,
                                               std::string_view new_code) override {
    std::lock_guard lock(tree_.mutex);
    DANHBA_RETURN_IF_ERROR(Hook("rename-agency " + std::string(code)));
    const std::string from(code), to(new_code);
    const bool source = tree_.agencies.count(from) > 0;
    const bool target = tree_.agencies.count(to) > 0;
    if (source && target) return Conflict("rename " + from + ": " + to + " exists already");
    if (!source && !target) return NotFound("rename " + from + ": no such agency");
    if (source) {
      directory::AgencyRecord moved = tree_.agencies[from];
      tree_.agencies.erase(from);
      const std::string old_dn = moved.dn;
      moved.dn = layout_.AgencyDn(to);
      moved.code = to;
      tree_.agencies[to] = moved;
      tree_.log.push_back("rename-agency " + from + " " + to);
      if (tree_.refint) {
        for (auto& [uid, p] : tree_.people) {
          if (p.agency_dn == old_dn) p.agency_dn = moved.dn;
        }
        for (auto& [c, a] : tree_.agencies) {
          if (a.parent_dn == old_dn) a.parent_dn = moved.dn;
        }
      }
    }
    return tree_.agencies[to];
  }

 private:
  Status Hook(const std::string& op) {
    if (tree_.fail) {
      Status s = tree_.fail(op);
      if (!s.ok()) return s;
    }
    return Ok();
  }

  bool TakenLocked(std::string_view local) const {
    const std::string address = std::string(local) + "@" + domain_;
    if (tree_.people.count(std::string(local))) return true;
    for (const auto& [uid, p] : tree_.people) {
      if (p.mail == address) return true;
      if (std::find(p.aliases.begin(), p.aliases.end(), address) != p.aliases.end()) return true;
    }
    for (const auto& [code, a] : tree_.agencies) {
      if (a.mail == address) return true;
      if (std::find(a.aliases.begin(), a.aliases.end(), address) != a.aliases.end()) return true;
    }
    return false;
  }

  FakeTree& tree_;
  directory::Layout layout_;
  std::string domain_;
};

}  // namespace danhba::sync::testing
