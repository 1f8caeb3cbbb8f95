// A private slapd of a test's own (beside the per-binary one of
// test_directory.h), for tests that need other generated options: anonymous
// read on, a short lockout, ... Created in a fresh /tmp directory, started,
// and stopped and removed (unless DANHBA_KEEP_TEST_DIRS is set) on destruction.
//
//   auto slapd = PrivateSlapd::Start([](slapd::InstanceOptions& o) { o.anonymous_read = true; });
//   ASSERT_TRUE(slapd.ok()) << slapd.error();
//   (*slapd)->instance().url() ...
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/slapd/instance.h"
#include "support/command.h"

namespace danhba::testing {

class PrivateSlapd {
 public:
  static Result<std::unique_ptr<PrivateSlapd>> Start(
      const std::function<void(slapd::InstanceOptions&)>& customize = {});
  ~PrivateSlapd();
  PrivateSlapd(const PrivateSlapd&) = delete;
  PrivateSlapd& operator=(const PrivateSlapd&) = delete;

  slapd::Instance& instance() { return *instance_; }
  const std::filesystem::path& root() const { return root_; }
  const slapd::AccountSecret& account(slapd::ServiceAccount account) const {
    return instance_->account(account);
  }

  // ldapsearch -LLL (no wrapping) as `dn` (anonymous when empty) over TCP.
  CommandResult Search(const std::string& dn, const std::string& password,
                       const std::vector<std::string>& args) const;
  // ldapmodify over ldapi:// as local root (-a when `add`).
  CommandResult ModifyAsRoot(const std::string& ldif, bool add = false) const;
  // ldapmodify -x as `dn` over TCP.
  CommandResult ModifyAs(const std::string& dn, const std::string& password,
                         const std::string& ldif, bool add = false) const;

 private:
  PrivateSlapd() = default;
  std::filesystem::path root_;
  std::unique_ptr<slapd::Instance> instance_;
};

}  // namespace danhba::testing
