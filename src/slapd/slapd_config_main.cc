// danhba-slapd-config: the schema, cn=config and base tree of a danhba directory,
// from the generator that managed mode and the tests use, for a slapd that the
// system runs itself (see deploy/README.md).
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "danhba/slapd/config.h"
#include "danhba/slapd/mail.h"
#include "danhba/slapd/schema.h"
#include "danhba/slapd/secrets.h"

namespace {

using danhba::slapd::ServiceAccount;

int Write(const std::string& path, const std::string& content) {
  if (path == "-") {
    std::cout << content;
    return 0;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out.flush()) {
    std::cerr << "danhba-slapd-config: cannot write " << path << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Generate the slapd schema, configuration and base tree of a danhba directory"};
  danhba::slapd::ConfigOptions config = danhba::slapd::ProductionConfigOptions();
  std::string schema_path;
  std::string schema_ldif_path;
  std::string config_path;
  std::string tree_path;
  std::string secrets_dir;
  std::string organization;
  bool nosync = false;
  std::string mail_dir;
  danhba::slapd::MailServerOptions mail;
  app.add_option("--base-dn", config.base_dn, "Base DN of the directory")->capture_default_str();
  app.add_option("--data-dir", config.data_directory, "mdb database directory (absolute)")
      ->capture_default_str();
  app.add_option("--module-path", config.module_path, "Where slapd modules are")
      ->capture_default_str();
  app.add_option("--system-schema-dir", config.system_schema_dir,
                 "Where core/cosine/inetorgperson .ldif are")
      ->capture_default_str();
  app.add_option("--log-level", config.log_level, "olcLogLevel")->capture_default_str();
  app.add_option("--pid-file", config.pid_file, "olcPidFile");
  app.add_flag("--nosync", nosync, "olcDbNoSync: faster, loses recent writes on a crash");
  app.add_option("--organization", organization, "o of the base entry");
  app.add_option("--schema", schema_path, "Write the schema (.schema format) here ('-': stdout)");
  app.add_option("--schema-ldif", schema_ldif_path, "Write the schema (cn=config LDIF) here");
  app.add_option("--config", config_path, "Write the cn=config LDIF here");
  app.add_option("--base-tree", tree_path, "Write the base tree LDIF here");
  app.add_option("--secrets-dir", secrets_dir,
                 "With --base-tree: create (or reuse) the service accounts' passwords in this "
                 "directory and put their {SSHA} hashes in the tree; without it the tree has "
                 "placeholders to replace");
  app.add_flag("--anonymous-read", config.anonymous_read,
               "Let anonymous binds read the public address book (default: bind first)");
  app.add_option("--mail", mail_dir,
                 "Write the Postfix LDAP tables and Dovecot passdb/userdb into this directory "
                 "(postfix/, dovecot/); with --secrets-dir they hold the mailserver password");
  app.add_option("--ldap-url", mail.ldap_url, "With --mail: where mail servers reach slapd")
      ->capture_default_str();
  app.add_option("--domain", mail.domain, "With --mail: the mail domain")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  config.durable = !nosync;
  mail.base_dn = config.base_dn;

  int status = 0;
  if (!schema_path.empty()) status |= Write(schema_path, danhba::slapd::SchemaText());
  if (!schema_ldif_path.empty()) status |= Write(schema_ldif_path, danhba::slapd::SchemaLdif());
  if (!config_path.empty()) {
    auto ldif = danhba::slapd::ConfigLdif(config);
    if (!ldif.ok()) {
      std::cerr << "danhba-slapd-config: " << ldif.error().detail << "\n";
      return 1;
    }
    status |= Write(config_path, *ldif);
  }
  if (!tree_path.empty()) {
    danhba::slapd::BaseTreeOptions tree = danhba::slapd::ExampleBaseTreeOptions();
    tree.base_dn = config.base_dn;
    tree.organization = organization;
    for (ServiceAccount account : danhba::slapd::kServiceAccounts) {
      std::string name(danhba::slapd::AccountName(account));
      if (secrets_dir.empty()) continue;
      auto password =
          danhba::slapd::LoadOrCreateSecret(std::filesystem::path(secrets_dir) / (name + ".password"));
      if (!password.ok()) {
        std::cerr << "danhba-slapd-config: " << password.error().detail << "\n";
        return 1;
      }
      auto hash = danhba::slapd::SshaHash(*password);
      if (!hash.ok()) {
        std::cerr << "danhba-slapd-config: " << hash.error().detail << "\n";
        return 1;
      }
      tree.password_hashes[account] = *hash;
    }
    auto ldif = danhba::slapd::BaseTreeLdif(tree);
    if (!ldif.ok()) {
      std::cerr << "danhba-slapd-config: " << ldif.error().detail << "\n";
      return 1;
    }
    status |= Write(tree_path, *ldif);
  }
  if (!mail_dir.empty()) {
    if (!secrets_dir.empty()) {
      auto password = danhba::slapd::ReadSecret(std::filesystem::path(secrets_dir) / "mailserver.password");
      if (!password.ok()) {
        std::cerr << "danhba-slapd-config: " << password.error().detail << "\n";
        return 1;
      }
      mail.password = *password;
    }
    auto files = danhba::slapd::PostfixLdapTables(mail);
    for (auto& file : danhba::slapd::DovecotLdapConfig(mail)) files.push_back(std::move(file));
    for (const auto& file : files) {
      std::filesystem::path path = std::filesystem::path(mail_dir) / file.path;
      std::error_code ec;
      std::filesystem::create_directories(path.parent_path(), ec);
      status |= Write(path.string(), file.content);
      // They hold the mailserver password once it is filled in.
      if (!mail.password.empty()) std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
    }
  }
  if (schema_path.empty() && schema_ldif_path.empty() && config_path.empty() && tree_path.empty() &&
      mail_dir.empty()) {
    std::cerr << app.help();
    return 2;
  }
  return status;
}
