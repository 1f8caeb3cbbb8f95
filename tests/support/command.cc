#include "support/command.h"

#include "slapd/process.h"
#include "support/test_directory.h"

namespace danhba::testing {

CommandResult RunCommand(std::vector<std::string> argv, const std::string& input) {
  if (!argv.empty() && argv[0].find('/') == std::string::npos) argv[0] = "/usr/bin/" + argv[0];
  Result<slapd::ProcessOutput> run = slapd::RunProcess(argv, input);
  if (!run.ok()) return {-1, run.error().detail};
  return {run->exit_code, run->output};
}

CommandResult SearchAsRoot(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ldapsearch", "-LLL", "-Q", "-o", "ldif-wrap=no",
                                   "-Y", "EXTERNAL", "-H", Directory().ldapi_url};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

CommandResult SearchAs(const std::string& dn, const std::string& password,
                       const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ldapsearch", "-LLL", "-x", "-o", "ldif-wrap=no",
                                   "-H", Directory().url};
  if (!dn.empty()) argv.insert(argv.end(), {"-D", dn, "-w", password});
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

CommandResult ModifyAsRoot(const std::string& ldif, bool add) {
  std::vector<std::string> argv = {"ldapmodify", "-Q", "-Y", "EXTERNAL", "-H",
                                   Directory().ldapi_url};
  if (add) argv.push_back("-a");
  return RunCommand(argv, ldif);
}

CommandResult ModifyAs(const std::string& dn, const std::string& password, const std::string& ldif,
                       bool add) {
  std::vector<std::string> argv = {"ldapmodify", "-x", "-H", Directory().url, "-D", dn,
                                   "-w", password};
  if (add) argv.push_back("-a");
  return RunCommand(argv, ldif);
}

}  // namespace danhba::testing
