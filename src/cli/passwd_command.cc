// `danhba passwd reset UID [--config FILE]`: the operator issues a new initial
// password (R13), the way hiring does: set by a password administrator (so
// slapo-ppolicy marks it pwdReset and the person must change it at the next
// login; a lockout ends with it), and handed over in
// <data_dir>/handover/<agency>.csv (mode 0600), never printed.
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/config_option.h"
#include "cli/directory_connection.h"
#include "danhba/ldap/connection.h"
#include "danhba/ldap/dn.h"
#include "danhba/naming/agency_code.h"
#include "danhba/slapd/config.h"
#include "sync/handover.h"

namespace danhba::cli {
namespace {

struct PasswdArgs {
  std::string config_path;
  std::string uid;
};

// The operator in managed mode; the configured identity otherwise.
Result<ldap::Credentials> OperatorCredentials(const config::Config& config) {
  if (!config.ldap.managed) {
    auto password = config::ReadSecretFile(config.ldap.password_file);
    if (!password.ok())
      return Error{password.error().code, "ldap.password_file: " + password.error().detail};
    return ldap::Credentials::Simple(config.ldap.bind_dn, password->Reveal());
  }
  const std::string name(slapd::AccountName(slapd::ServiceAccount::kOperator));
  auto password = config::ReadSecretFile(config.SecretsDir() / (name + ".password"));
  if (!password.ok()) {
    return Error{password.error().code,
                 password.error().detail + " (`danhba run` creates it on its first start)"};
  }
  return ldap::Credentials::Simple(
      slapd::AccountDn(slapd::ServiceAccount::kOperator, config.ldap.base_dn), password->Reveal());
}

std::string ResetId() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "passwd-reset-%Y%m%dT%H%M%SZ", &tm);
  return buffer;
}

int Reset(const PasswdArgs& args) {
  auto loaded = LoadConfig(args.config_path);
  if (!loaded.ok()) {
    PrintError(loaded.error());
    return 1;
  }
  const config::Config& config = *loaded;
  if (args.uid.empty() || args.uid.find_first_of(",=+\"\\<>;# ") != std::string::npos) {
    PrintError(
        InvalidInput("UID '" + args.uid + "' is not a mailbox name (the local part, e.g. annv)"));
    return 1;
  }
  auto credentials = OperatorCredentials(config);
  if (!credentials.ok()) {
    PrintError(credentials.error());
    return 1;
  }
  auto connection = OpenDirectory(config, *credentials);
  if (!connection.ok()) {
    PrintError(Error{connection.error().code,
                     "directory " + config.ldap.url + ": " + connection.error().detail});
    return 1;
  }
  const std::string& base = config.ldap.base_dn;
  const std::string dn = "uid=" + ldap::EscapeDnValue(args.uid) + "," + slapd::PeopleDn(base);
  auto person =
      connection->Read(dn, {"uid", "mail", "displayName", "cn", "departmentNumber", "ou"});
  if (!person.ok()) {
    PrintError(person.error());
    return 1;
  }
  if (!*person) {
    auto former = connection->Read(
        "uid=" + ldap::EscapeDnValue(args.uid) + "," + slapd::FormerDn(base), {"1.1"});
    if (former.ok() && *former) {
      PrintError(InvalidInput("'" + args.uid + "' has left (" + slapd::FormerDn(base) +
                              "): a person who left has no mailbox to log in to"));
    } else {
      PrintError(NotFound("no person '" + args.uid + "' in " + slapd::PeopleDn(base)));
    }
    return 1;
  }
  const ldap::Entry& entry = **person;
  // The handover file is per agency; older entries hold the code in ou.
  std::string agency = entry.First("departmentNumber").value_or(entry.First("ou").value_or(""));
  if (!naming::ValidateAgencyCode(agency).ok()) agency = "unassigned";

  auto password = sync::GenerateInitialPassword();
  if (!password.ok()) {
    PrintError(password.error());
    return 1;
  }
  auto changed = connection->PasswordModify(dn, "", *password);
  if (!changed.ok()) {
    PrintError(Error{changed.error().code,
                     "setting the password of " + dn + ": " + changed.error().detail});
    return 1;
  }
  sync::Handover handover((config.data_dir / "handover").string());
  sync::HandoverLine line{agency,
                          entry.First("uid").value_or(args.uid),
                          entry.First("mail").value_or(""),
                          entry.First("displayName").value_or(entry.First("cn").value_or("")),
                          *password,
                          ResetId()};
  if (Status written = handover.Write({line}); !written.ok()) {
    PrintError(Error{written.error().code, "the password of " + dn +
                                               " was changed but could not be handed over (run the "
                                               "reset again): " +
                                               written.error().detail});
    return 1;
  }
  std::cout << fmt::format(
      "{}: new initial password handed over in {}/{}.csv; it must be changed at "
      "the first login\n",
      line.uid, handover.dir(), agency);
  return 0;
}

void AddPasswdCommand(CLI::App& app, int& exit_code) {
  auto* passwd = app.add_subcommand("passwd", "Passwords of people in the directory");
  passwd->require_subcommand(1);
  auto args = std::make_shared<PasswdArgs>();
  auto* reset = passwd->add_subcommand("reset",
                                       "Issue a new initial password, handed over like a hire's "
                                       "(it must be changed at the next login)");
  reset->add_option("UID", args->uid, "The person's mailbox name (local part), e.g. annv")
      ->required();
  reset->add_option("--config", args->config_path,
                    "Configuration file (default: built-in defaults)");
  reset->callback([args, &exit_code] { exit_code = Reset(*args); });
}

const bool kRegistered = RegisterCommand("passwd", &AddPasswdCommand);

}  // namespace
}  // namespace danhba::cli
