// `danhba sender add|list|remove`: the HR systems (and scripts) allowed to post
// events to the ingest API. A new sender's bearer token is printed once and only
// its SHA-256 is stored, in ingest.senders_file (mode 0600); a running
// daemon picks changes up within a second (docs/ingest.md).
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/command_registry.h"
#include "cli/config_option.h"
#include "danhba/api/senders.h"

namespace danhba::cli {
namespace {

struct SenderArgs {
  std::string config_path;
  std::string name;
  std::string agencies;
  bool sign = false;
  std::string x509_cert_file;
};

Result<api::SenderStore> OpenStore(const SenderArgs& args) {
  DANHBA_ASSIGN_OR_RETURN(auto loaded, LoadConfig(args.config_path));
  return api::SenderStore(api::SendersFile(loaded));
}

int Add(const SenderArgs& args) {
  auto store = OpenStore(args);
  if (!store.ok()) {
    PrintError(store.error());
    return 1;
  }
  std::vector<std::string> agencies;
  if (!args.agencies.empty()) {
    auto parsed = api::ParseAgencyList(args.agencies);
    if (!parsed.ok()) {
      PrintError(InvalidInput("--agencies: " + parsed.error().detail));
      return 1;
    }
    agencies = std::move(parsed).value();
  }
  std::string certificate;
  if (!args.x509_cert_file.empty()) {
    std::ifstream in(args.x509_cert_file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      PrintError(InvalidInput("--x509-cert: cannot read " + args.x509_cert_file));
      return 1;
    }
    certificate = text.str();
    if (certificate.empty()) {
      PrintError(InvalidInput("--x509-cert: " + args.x509_cert_file + " is empty"));
      return 1;
    }
  }
  auto added = store->Add(args.name, agencies, args.sign, certificate);
  if (!added.ok()) {
    PrintError(added.error());
    return 1;
  }
  std::cerr << fmt::format("sender '{}' registered in {} ({})\n", args.name, store->path().string(),
                           agencies.empty()
                               ? std::string("all agencies")
                               : fmt::format("agencies {}", fmt::join(agencies, ", ")));
  std::cout << "token: " << added->token << "\n";
  if (added->hmac_secret) std::cout << "hmac_secret: " << added->hmac_secret->Reveal() << "\n";
  std::cerr
      << "Give the token to the sender now: only its hash is kept, it cannot be shown again.\n";
  if (added->hmac_secret) {
    std::cerr
        << "Requests must be signed with the HMAC secret (X-Danhba-Timestamp, X-Danhba-Signature; "
           "see docs/ingest.md).\n";
  }
  if (!certificate.empty()) {
    std::cerr << "Requests must carry a detached CMS signature by the certificate's key "
                 "(X-Danhba-Timestamp, X-Danhba-Signature: cms=...; see docs/ingest.md).\n";
  }
  return 0;
}

int List(const SenderArgs& args) {
  auto store = OpenStore(args);
  if (!store.ok()) {
    PrintError(store.error());
    return 1;
  }
  auto loaded = store->Load();
  if (!loaded.ok()) {
    PrintError(loaded.error());
    return 1;
  }
  if (loaded->senders().empty()) {
    std::cerr << "no senders registered in " << store->path().string() << "\n";
    return 0;
  }
  std::cout << fmt::format("{:<24} {:<6} {:<21} {}\n", "NAME", "SIGNS", "CREATED", "AGENCIES");
  for (const api::Sender& sender : loaded->senders()) {
    std::cout << fmt::format("{:<24} {:<6} {:<21} {}\n", sender.name,
                             !sender.x509_certificate.empty() ? "x509"
                             : sender.must_sign()             ? "yes"
                                                              : "no",
                             sender.created_at.empty() ? "-" : sender.created_at,
                             sender.agencies.empty()
                                 ? std::string("(all)")
                                 : fmt::format("{}", fmt::join(sender.agencies, ",")));
  }
  return 0;
}

int Remove(const SenderArgs& args) {
  auto store = OpenStore(args);
  if (!store.ok()) {
    PrintError(store.error());
    return 1;
  }
  if (auto removed = store->Remove(args.name); !removed.ok()) {
    PrintError(removed.error());
    return 1;
  }
  std::cerr << fmt::format("sender '{}' removed; its token no longer works\n", args.name);
  return 0;
}

void AddSenderCommand(CLI::App& app, int& exit_code) {
  auto* command =
      app.add_subcommand("sender", "Register, list and remove the senders of the ingest API");
  command->require_subcommand(1);
  auto args = std::make_shared<SenderArgs>();

  auto* add =
      command->add_subcommand("add", "Register a sender and print its new bearer token (once)");
  add->add_option("NAME", args->name, "Sender name: lower-case letters, digits, '.', '_', '-'")
      ->required();
  add->add_option("--agencies", args->agencies,
                  "Agency codes it may send events about, e.g. stttt,skhcn (default: all)");
  auto* sign = add->add_flag("--sign", args->sign,
                             "Require HMAC-SHA256 request signatures; prints the secret");
  add->add_option("--x509-cert", args->x509_cert_file,
                  "Require detached CMS signatures by this certificate's key (PEM file)")
      ->excludes(sign);
  add->add_option("--config", args->config_path, "Configuration file (default: built-in defaults)");
  add->callback([&exit_code, args] { exit_code = Add(*args); });

  auto* list = command->add_subcommand("list", "List the registered senders");
  list->add_option("--config", args->config_path,
                   "Configuration file (default: built-in defaults)");
  list->callback([&exit_code, args] { exit_code = List(*args); });

  auto* remove = command->add_subcommand("remove", "Remove a sender; its token stops working");
  remove->add_option("NAME", args->name, "Sender name")->required();
  remove->add_option("--config", args->config_path,
                     "Configuration file (default: built-in defaults)");
  remove->callback([&exit_code, args] { exit_code = Remove(*args); });
}

const bool kRegistered = RegisterCommand("sender", &AddSenderCommand);

}  // namespace
}  // namespace danhba::cli
