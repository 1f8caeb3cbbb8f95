// Running the OpenLDAP command-line tools (ldapsearch, ldapadd, ldapmodify) from
// tests, against Directory() or any URL.
#pragma once

#include <string>
#include <vector>

namespace danhba::testing {

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed; -1 when it could not start
  std::string output;  // stdout and stderr
  bool ok() const { return exit_code == 0; }
};

// Runs argv (argv[0] a path, or a name looked up in /usr/bin) with `input` on stdin.
CommandResult RunCommand(std::vector<std::string> argv, const std::string& input = {});

// ldapsearch -LLL over ldapi:// as local root (SASL EXTERNAL) on Directory():
// `args` follow, e.g. {"-b", base, "-s", "base", "(objectClass=*)", "cn"}.
CommandResult SearchAsRoot(const std::vector<std::string>& args);
// ldapsearch -LLL -x over TCP, bound as `dn` with `password` (anonymous when dn is empty).
CommandResult SearchAs(const std::string& dn, const std::string& password,
                       const std::vector<std::string>& args);
// ldapmodify over ldapi:// as local root; `ldif` with changetype lines, or plain
// entries when `add` is true.
CommandResult ModifyAsRoot(const std::string& ldif, bool add = false);
// ldapmodify -x over TCP as `dn`.
CommandResult ModifyAs(const std::string& dn, const std::string& password, const std::string& ldif,
                       bool add = false);

}  // namespace danhba::testing
