// Running an import against the real directory: the snapshot (two paged
// searches, no per-row reads), the journal (one batch, one fsync), and the
// sync engine run in-process until the events are applied: the same path as
// events posted to the ingest API (docs/import.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/config/config.h"
#include "danhba/directory/directory.h"
#include "danhba/journal/journal.h"
#include "danhba/ldap/operations.h"
#include "danhba/naming/allocation.h"
#include "danhba/ops/import.h"
#include "danhba/sync/engine.h"

namespace danhba::ops {

// The journal sender name of events made by import.
inline constexpr std::string_view kImportSender = "import";

// Every person entry (ou=people and ou=former) and every agency, with one paged
// search of each subtree.
Result<DirectorySnapshot> LoadSnapshot(ldap::Operations& ops, const directory::Layout& layout);

// The naming policy of the configuration (naming.*), for the engine and for
// simulated allocation. A config error names the key.
Result<naming::NamingPolicy> NamingPolicyOf(const config::Config& config);

// Journals the plan's events in one batch (one fsync) as sent by `sender`.
// Events already journaled (the same file imported before) are not written again.
Result<std::vector<journal::AppendResult>> JournalPlan(journal::Journal& journal, const ImportPlan& plan,
                                                       std::string_view sender = kImportSender);

// The journal's status of each event of `ids` (unknown ids: "unknown").
std::vector<EventStatus> StatusesOf(const journal::Journal& journal, const std::vector<std::string>& ids);

// Runs engine rounds until every event of `ids` is applied or rejected, or
// until `timeout` (then the statuses say what is still queued). Waits out the
// engine's back-off after transient directory failures.
std::vector<EventStatus> ApplyInProcess(journal::Journal& journal, sync::Engine& engine,
                                        const std::vector<std::string>& ids, std::chrono::milliseconds timeout);

struct ImportRequest {
  std::string agency;
  std::filesystem::path file;
  bool dry_run = false;
  std::optional<text::Encoding> encoding;  // nullopt: detect
  bool remove_missing = false;
  double max_remove_share = 0.2;
  bool transfer = false;
  // Unset parts of the decision take DefaultDecision's.
  std::optional<std::string> decision_number;
  std::optional<model::Date> decision_date;
  std::optional<std::string> decision_issuer;
  std::chrono::milliseconds apply_timeout{std::chrono::minutes(30)};
  std::size_t workers = 8;  // engine workers, each with its own LDAP connection
};

struct ImportResult {
  StaffFile file;  // list and encoding notes
  ImportPlan plan;
  std::vector<EventStatus> statuses;  // not for a dry run
  // Every event of the plan was applied (vacuously true for a dry run or an
  // empty plan).
  bool complete = true;
  std::vector<std::string> notes;  // for the operator (e.g. the managed slapd used)
};

// The token import uses with the daemon's ingest API: read from
// ImportTokenFile, or (the first time) made by registering the sender "import"
// (all agencies) in config.SendersFile() and kept in that file, mode 0600.
// A conflict when "import" is registered but the token file is gone.
Result<config::Secret> ImportSenderToken(const config::Config& config, std::vector<std::string>& notes);
// <data_dir>/secrets/import.token.
std::filesystem::path ImportTokenFile(const config::Config& config);

// `danhba import`: reads the file, connects to the directory (starting the
// managed slapd when the daemon is not running), plans, and unless dry_run,
// journals the events in <data_dir>/journal and applies them with an
// in-process sync engine (initial passwords in <data_dir>/handover).
// When a running daemon holds the journal, the events go to its ingest API
// (ingest.listen) with ImportSenderToken, and their statuses are polled until
// applied or rejected (or apply_timeout); a dry run needs neither.
Result<ImportResult> RunImport(const config::Config& config, const ImportRequest& request);

// Where the engine hands over initial passwords: <data_dir>/handover.
std::filesystem::path HandoverDir(const config::Config& config);
// <data_dir>/journal.
std::filesystem::path JournalDir(const config::Config& config);

}  // namespace danhba::ops
