#include "danhba/ops/import_runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "danhba/api/senders.h"
#include "danhba/base/clock.h"
#include "danhba/base/log.h"
#include "danhba/directory/ldap_directory.h"
#include "danhba/ldap/client.h"
#include "danhba/ldap/filter.h"
#include "danhba/slapd/config.h"
#include "danhba/slapd/instance.h"
#include "danhba/slapd/managed.h"
#include "ops/ingest_client.h"

namespace danhba::ops {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string LocalOf(std::string_view address) {
  auto at = address.find('@');
  return std::string(address.substr(0, at));
}

Result<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path.string() + ": cannot open the file");
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (!ec && size > model::kMaxStaffListBytes) {
    return InvalidInput(path.string() + ": the file is larger than " +
                        std::to_string(model::kMaxStaffListBytes >> 20) + " MiB");
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Internal(path.string() + ": read error");
  return bytes;
}


bool IsFinal(journal::EventState state) {
  return state == journal::EventState::kApplied || state == journal::EventState::kRejected;
}

// How import reaches the directory and who it binds as.
struct Connection {
  std::unique_ptr<slapd::Instance> instance;  // the managed slapd when we started it
  ldap::ConnectOptions connect;
  ldap::Credentials credentials;
};

Result<Connection> Connect(const config::Config& config, std::vector<std::string>& notes) {
  Connection c;
  c.connect.url = config.ldap.url;
  c.connect.network_timeout = config.ldap.connect_timeout;
  c.connect.operation_timeout = config.ldap.operation_timeout;
  if (!config.ldap.managed) {
    auto password = config::ReadSecretFile(config.ldap.password_file);
    if (!password.ok()) return ConfigError("ldap.password_file: " + password.error().detail);
    c.credentials = ldap::Credentials::Simple(config.ldap.bind_dn, password->Reveal());
    return c;
  }
  DANHBA_ASSIGN_OR_RETURN(auto options, slapd::ManagedInstanceOptions(config));
  auto created = slapd::Instance::Create(std::move(options));
  if (created.ok()) {
    c.instance = std::move(created).value();
    if (Status started = c.instance->Start(); !started.ok()) {
      return ConfigError("managed slapd in " + config.SlapdDir().string() + ": " + started.error().detail);
    }
    notes.push_back("started the managed slapd in " + config.SlapdDir().string() + " for this import");
    const auto& account = c.instance->account(slapd::ServiceAccount::kSync);
    c.credentials = ldap::Credentials::Simple(account.dn, account.password);
    return c;
  }
  if (created.error().code != ErrorCode::kConflict) {
    return ConfigError("managed slapd in " + config.SlapdDir().string() + ": " + created.error().detail);
  }
  // The daemon runs the managed slapd: reach it as the sync account.
  auto name = slapd::AccountName(slapd::ServiceAccount::kSync);
  auto password = config::ReadSecretFile(config.SecretsDir() / (std::string(name) + ".password"));
  if (!password.ok()) return ConfigError(password.error().detail);
  c.credentials = ldap::Credentials::Simple(
      slapd::AccountDn(slapd::ServiceAccount::kSync, config.ldap.base_dn), password->Reveal());
  return c;
}

}  // namespace

Result<config::Secret> ImportSenderToken(const config::Config& config, std::vector<std::string>& notes) {
  const fs::path file = ImportTokenFile(config);
  std::error_code ec;
  if (fs::exists(file, ec)) return config::ReadSecretFile(file);
  api::SenderStore store(config.SendersFile());
  auto added = store.Add(kImportSender, {}, false);
  if (!added.ok()) {
    if (added.error().code == ErrorCode::kConflict) {
      return Conflict("a sender '" + std::string(kImportSender) + "' is registered but its token file " +
                      file.string() + " is missing: remove it (danhba sender remove " +
                      std::string(kImportSender) + ") and run the import again");
    }
    return added.take_error();
  }
  fs::create_directories(file.parent_path(), ec);
  fs::permissions(file.parent_path(), fs::perms::owner_all, ec);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return ConfigError(file.string() + ": cannot create: " + std::strerror(errno));
  const std::string& token = added->token;
  bool written = ::write(fd, token.data(), token.size()) == static_cast<ssize_t>(token.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return ConfigError(file.string() + ": cannot write the token");
  notes.push_back("registered the sender '" + std::string(kImportSender) + "' in " + config.SendersFile().string() +
                  "; its token is in " + file.string());
  return config::Secret(token);
}

std::filesystem::path ImportTokenFile(const config::Config& config) {
  return config.SecretsDir() / (std::string(kImportSender) + ".token");
}

std::filesystem::path HandoverDir(const config::Config& config) { return config.data_dir / "handover"; }
std::filesystem::path JournalDir(const config::Config& config) { return config.data_dir / "journal"; }

Result<DirectorySnapshot> LoadSnapshot(ldap::Operations& ops, const directory::Layout& layout) {
  DirectorySnapshot snapshot;
  for (const std::string& base : {layout.people_dn, layout.former_dn}) {
    ldap::SearchRequest request;
    request.base = base;
    request.scope = ldap::Scope::kOneLevel;
    request.filter = ldap::Filter::Eq("objectClass", "danhbaPerson").ToString();
    request.attributes = {"uid", "mail", "danhbaPersonId", "danhbaStatus", "cn", "title",
                          "telephoneNumber", "ou", "departmentNumber"};
    request.page_size = 1000;
    const bool former = base == layout.former_dn;
    Status searched = ops.Search(request, [&](ldap::Entry&& e) {
      directory::PersonRecord r = directory::PersonFromEntry(e);
      if (!r.uid.empty()) snapshot.taken.insert(r.uid);
      if (!r.mail.empty()) snapshot.taken.insert(LocalOf(r.mail));
      if (r.person_id.empty()) return Ok();
      DirectoryPerson p;
      p.person_id = std::move(r.person_id);
      p.uid = std::move(r.uid);
      p.agency_code = std::move(r.agency_code);
      p.full_name = std::move(r.full_name);
      p.title = std::move(r.title);
      p.phone = std::move(r.phone);
      p.active = !former && r.status == directory::kStatusActive;
      snapshot.people.push_back(std::move(p));
      return Ok();
    });
    if (!searched.ok()) {
      // A tree without ou=former (older or hand-made) has no former staff.
      if (former && searched.error().code == ErrorCode::kNotFound) continue;
      return Error{searched.error().code, "reading " + base + ": " + searched.error().detail};
    }
  }
  ldap::SearchRequest request;
  request.base = layout.agencies_dn;
  request.scope = ldap::Scope::kOneLevel;
  request.filter = ldap::Filter::Eq("objectClass", "danhbaAgency").ToString();
  request.attributes = {"ou", "danhbaAgencyCode", "mail", "danhbaMailAlias", "danhbaStatus"};
  request.page_size = 1000;
  Status searched = ops.Search(request, [&](ldap::Entry&& e) {
    directory::AgencyRecord a = directory::AgencyFromEntry(e);
    snapshot.taken.insert(a.code);
    if (a.mail) snapshot.taken.insert(LocalOf(*a.mail));
    for (const auto& alias : a.aliases) snapshot.taken.insert(LocalOf(alias));
    if (a.status == directory::kStatusActive) snapshot.active_agencies.insert(a.code);
    return Ok();
  });
  if (!searched.ok()) {
    return Error{searched.error().code, "reading " + layout.agencies_dn + ": " + searched.error().detail};
  }
  return snapshot;
}

Result<naming::NamingPolicy> NamingPolicyOf(const config::Config& config) {
  naming::NamingPolicy policy;
  auto collision = naming::ParseCollisionPolicy(config.naming.collision);
  if (!collision.ok()) return ConfigError("naming.collision: " + collision.error().detail);
  policy.collision = *collision;
  if (config.naming.start_number < 0) return ConfigError("naming.start_number: must not be negative");
  policy.numeric_start = static_cast<unsigned>(config.naming.start_number);
  if (config.naming.max_length < 1) return ConfigError("naming.max_length: must be at least 1");
  policy.max_length = static_cast<std::size_t>(config.naming.max_length);
  for (const auto& name : config.naming.reserved) policy.reserved.push_back(name);
  return policy;
}

Result<std::vector<journal::AppendResult>> JournalPlan(journal::Journal& journal, const ImportPlan& plan,
                                                       std::string_view sender) {
  std::vector<journal::NewEvent> events;
  for (const auto& event : plan.Events()) {
    events.push_back({event.id, std::string(sender), model::ToJson(event), std::nullopt});
  }
  if (events.empty()) return std::vector<journal::AppendResult>();
  return journal.Append(std::move(events));
}

std::vector<EventStatus> StatusesOf(const journal::Journal& journal, const std::vector<std::string>& ids) {
  std::vector<EventStatus> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    auto info = journal.Lookup(id);
    if (!info.ok()) {
      out.push_back({id, "unknown", info.error().detail});
    } else {
      out.push_back({id, std::string(journal::ToString(info->state)), info->detail});
    }
  }
  return out;
}

std::vector<EventStatus> ApplyInProcess(journal::Journal& journal, sync::Engine& engine,
                                        const std::vector<std::string>& ids, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  auto all_final = [&] {
    return std::all_of(ids.begin(), ids.end(), [&](const std::string& id) {
      auto info = journal.Lookup(id);
      return !info.ok() || IsFinal(info->state);
    });
  };
  while (!all_final() && Clock::now() < deadline) {
    sync::RoundResult round = engine.RunOnce(base::SystemNow());
    if (round.transient_failure) {
      log::Get("import")->warn("the directory failed, retrying: {}", round.transient_detail);
      auto wait = std::max(engine.backoff(), std::chrono::milliseconds(100));
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      std::this_thread::sleep_for(std::min(wait, std::max(left, std::chrono::milliseconds(0))));
    } else if (round.applied + round.rejected == 0) {
      break;  // nothing more will happen now (scheduled or waiting on others)
    }
  }
  return StatusesOf(journal, ids);
}

Result<ImportResult> RunImport(const config::Config& config, const ImportRequest& request) {
  auto log = log::Get("import");
  ImportResult result;
  DANHBA_ASSIGN_OR_RETURN(auto bytes, ReadWholeFile(request.file));
  auto file = ReadStaffFile(bytes, request.encoding);
  if (!file.ok()) return Error{file.error().code, request.file.string() + ": " + file.error().detail};
  result.file = std::move(file).value();
  for (const auto& note : result.file.encoding_notes) result.notes.push_back("read " + note);

  auto policy = NamingPolicyOf(config);
  if (!policy.ok()) return policy.take_error();
  auto allocator = naming::Allocator::Create(*policy);
  if (!allocator.ok()) return allocator.take_error();

  ImportOptions options;
  options.agency = request.agency;
  options.remove_missing = request.remove_missing;
  options.max_remove_share = request.max_remove_share;
  options.transfer = request.transfer;
  options.decision = DefaultDecision(request.agency, request.decision_date.value_or(model::ProvinceDate(base::SystemNow())));
  if (request.decision_date) options.decision.date = *request.decision_date;
  if (request.decision_number) options.decision.number = *request.decision_number;
  if (request.decision_issuer) options.decision.issuer = *request.decision_issuer;
  options.allocator = &*allocator;

  // The journal first: a running daemon holds it, and then nothing else is started.
  std::unique_ptr<journal::Journal> journal;
  if (!request.dry_run) {
    journal::JournalOptions journal_options;
    journal_options.dir = JournalDir(config).string();
    auto opened = journal::Journal::Open(journal_options);
    if (opened.ok()) {
      journal = std::move(opened).value();
    } else if (opened.error().code != ErrorCode::kConflict) {
      return opened.take_error();
    }
    // Otherwise a running daemon holds the journal: its ingest API takes the events.
  }

  auto connection = Connect(config, result.notes);
  if (!connection.ok()) return connection.take_error();
  directory::Layout layout = directory::Layout::ForBase(config.ldap.base_dn);
  ldap::Client reader(connection->connect, connection->credentials);
  auto snapshot = LoadSnapshot(reader, layout);
  if (!snapshot.ok()) return snapshot.take_error();

  auto plan = PlanImport(result.file.list, result.file.sha256, *snapshot, options);
  if (!plan.ok()) return plan.take_error();
  result.plan = std::move(plan).value();
  if (request.dry_run) return result;

  std::vector<std::string> ids;
  for (const auto& event : result.plan.Events()) ids.push_back(event.id);
  if (ids.empty()) return result;
  if (!journal) {
    auto token = ImportSenderToken(config, result.notes);
    if (!token.ok()) return token.take_error();
    auto deadline = Clock::now() + request.apply_timeout;
    IngestClient client(config.ingest.listen.host, config.ingest.listen.port, token->Reveal());
    result.notes.push_back("the daemon holds the journal: events sent to its ingest API at " +
                           config.ingest.listen.ToString() + " as sender '" + std::string(kImportSender) + "'");
    auto submitted = client.Submit(result.plan.Events(), deadline);
    if (!submitted.ok()) return submitted.take_error();
    auto waited = client.WaitApplied(std::move(submitted).value(), deadline);
    if (!waited.ok()) return waited.take_error();
    result.statuses = std::move(waited).value();
    result.complete = std::all_of(result.statuses.begin(), result.statuses.end(),
                                  [](const EventStatus& s) { return s.state == "applied"; });
    return result;
  }
  auto appended = JournalPlan(*journal, result.plan);
  if (!appended.ok()) return appended.take_error();
  log->info("journaled {} events for agency {}", ids.size(), request.agency);

  std::vector<std::unique_ptr<ldap::Client>> clients;
  std::vector<std::unique_ptr<directory::LdapDirectory>> directories;
  std::vector<directory::Directory*> workers;
  const std::size_t count = std::max<std::size_t>(1, request.workers);
  for (std::size_t i = 0; i < count; ++i) {
    clients.push_back(std::make_unique<ldap::Client>(connection->connect, connection->credentials));
    directory::LdapDirectoryOptions directory_options;
    directory_options.layout = layout;
    directory_options.domain = config.domain;
    directory_options.organization = config.ldap.organization;
    directories.push_back(std::make_unique<directory::LdapDirectory>(*clients.back(), directory_options));
    workers.push_back(directories.back().get());
  }
  sync::EngineOptions engine_options;
  engine_options.naming = *policy;
  engine_options.handover_dir = HandoverDir(config).string();
  // Nothing else waits on this in-process engine: the whole list in one round,
  // so that workers do not wait for each other between rounds.
  engine_options.max_round_events = std::max(engine_options.max_round_events, ids.size());
  sync::Engine engine(*journal, workers, engine_options);
  if (Status valid = engine.Validate(); !valid.ok()) return valid.take_error();
  result.statuses = ApplyInProcess(*journal, engine, ids, request.apply_timeout);
  result.complete = std::all_of(result.statuses.begin(), result.statuses.end(),
                                [](const EventStatus& s) { return s.state == "applied"; });
  if (std::any_of(result.statuses.begin(), result.statuses.end(),
                  [](const EventStatus& s) { return s.state == "applied"; })) {
    result.notes.push_back("initial passwords of new mailboxes are in " +
                           (HandoverDir(config) / (request.agency + ".csv")).string());
  }
  return result;
}

}  // namespace danhba::ops
