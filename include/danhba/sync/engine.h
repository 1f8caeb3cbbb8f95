// The sync engine: applies the journal's personnel and agency events to the
// directory, each exactly once (docs/lifecycle.md).
//
// Every event is applied in idempotent steps, so an event interrupted by a crash
// is finished by applying it again. Results go back to the journal:
//   applied   detail "uid=annv mail=annv@dongnai.gov.vn" (person events) or
//             "agency=stttt mail=stttt@dongnai.gov.vn" (agency events): an
//             AppliedResult written by its ToString(), read by ParseAppliedResult
//   rejected  detail: why it can never apply as sent (unknown agency or person,
//             a person who already has a mailbox (R3), ...); the operator may
//             retry it after fixing the cause
//   scheduled its effective date has not come (not_before = that day, 00:00 in
//             the province), or its not_before lies ahead of the engine's clock
// A transient directory failure (unreachable after the client's own retries)
// leaves the event and every later one untouched in the journal; the engine
// backs off and tries again (Run), in the same order.
//
// Order: events about one person, and events about one agency, apply in append
// order. An event waits while an earlier one about the same person (or, for
// agency events, about the same agency; for person events, an agency event
// about their agency) is still waiting. Agency events are barriers: the events
// appended before one are applied before it, those after it after it.
// Independent person events are applied concurrently, one worker per
// Directory given (threads started with the Engine), partitioned by person id.
// How: src/sync/README.md.
//
// Initial passwords (hire, re-hire) are generated here (OpenSSL RAND, 16
// characters), set with the password-modify operation so the server forces a
// change at first login, and handed over once through the handover directory:
// a line "uid,email,full_name,password,event_id" appended to
// <handover_dir>/<agency code>.csv (directory 0700, files 0600). They are
// never logged.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/config/config.h"
#include "danhba/directory/directory.h"
#include "danhba/directory/ldap_directory.h"
#include "danhba/journal/journal.h"
#include "danhba/model/date.h"
#include "danhba/naming/allocation.h"

namespace danhba::sync {

using TimePoint = journal::TimePoint;

// Steps of an event, for tests that stop the engine between two of them
// (the fault hook below) to prove that replay mends it.
enum class Step {
  kDecisionWritten,     // the decision entry exists
  kPersonAdded,         // hire: the person entry exists (password set)
  kPasswordSet,         // re-hire or replay: a new password was set
  kHandoverWritten,     // the password line is in the handover file
  kPersonMoved,         // leave / re-hire: the entry is in former / back in people
  kPersonRenamed,       // update with new_address: the entry is at uid=<new address>
  kPersonUpdated,       // the person's attributes and decision reference are written
  kAgencyWritten,       // an agency entry was added or changed
  kAgencyRenamed,       // agency.update with new_code: the entry is at ou=<new code>
  kSubAgenciesUpdated,  // rename / merge: sub-agencies point at the new parent
};

std::string_view ToString(Step step);

struct EngineOptions {
  naming::NamingPolicy naming;
  // Where initial passwords are handed over (created 0700 when missing).
  // Required for hires: without it a hire is rejected.
  std::string handover_dir;
  // Hires put into one directory transaction by a worker (1: none).
  std::size_t batch_size = 64;
  // Results written to the journal in groups of this many (one fsync each).
  std::size_t journal_batch = 256;
  // Events applied in one round at most, so that a large import does not keep
  // newer events (and Notify) waiting until all of it is done.
  std::size_t max_round_events = 2000;
  // Back-off after a transient failure: first, then doubled up to the max.
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
  // Run() looks at the journal at least this often (scheduled events).
  std::chrono::milliseconds poll_interval{60000};
  // The wall clock; the system clock when empty.
  base::Clock clock;
  // The moment an effective date begins; 00:00 in the province
  // (model::ProvinceStartOfDay) when empty.
  std::function<TimePoint(const model::Date&)> start_of_day;
  // Operator retries requested while the journal is held by this daemon:
  // files named by the hex of an event id (see RequestRetry). Empty: none.
  std::string retry_dir;
  // Initial passwords; 16 characters from OpenSSL's RAND when empty. A test
  // hook (a failing generator).
  std::function<Result<std::string>()> generate_password;
  // Test hook, called after each step of an event; an error returned here is
  // treated like a directory error (kTransient: back off; otherwise reject).
  std::function<Status(std::string_view event_id, Step step)> fault;
  // agency.head without delegates: keep the old head's delegates (true) or
  // clear them (false: the new head delegates anew). R20.
  bool keep_delegates_on_new_head = false;
};

// What an applied event did, as the engine knows it; ToString() is the detail
// the journal keeps ("uid=annv mail=annv@dongnai.gov.vn", see above), which
// ParseAppliedResult reads back.
struct AppliedResult {
  // Person events: the entry's uid and mail; alias: the address an update
  // with new_address kept as an alias.
  std::string uid;
  // Agency events: the agency's code (the new one after a rename).
  std::string agency;
  std::string mail;  // empty for agency.merge
  std::optional<std::string> alias;
  std::optional<std::string> into;          // agency.merge: the target's code
  std::optional<std::string> renamed_from;  // agency.update with new_code: the old code
  // Person events with person.certificate: "published", "removed" or
  // "withheld: <why>" (R17). Written last: the reason may hold spaces.
  std::optional<std::string> certificate;

  bool person() const { return !uid.empty(); }
  std::string ToString() const;
  friend bool operator==(const AppliedResult&, const AppliedResult&) = default;
};

// An applied event's journal detail as a struct; nullopt when `detail` is not
// one (a rejection reason, or a detail written by hand).
std::optional<AppliedResult> ParseAppliedResult(std::string_view detail);

// What happened to one event in a round.
struct Outcome {
  std::string id;
  journal::EventState state = journal::EventState::kQueued;  // kQueued: left waiting
  std::string detail;
  std::optional<AppliedResult> applied;  // set when state is kApplied
};

struct RoundResult {
  std::size_t applied = 0;
  std::size_t rejected = 0;
  std::size_t scheduled = 0;  // newly scheduled (future effective date)
  std::size_t waiting = 0;    // due but left for later (order or back-off)
  // A transient failure stopped part of the round; the engine backs off.
  bool transient_failure = false;
  std::string transient_detail;
  // The earliest not_before of the events still pending, if any.
  std::optional<TimePoint> next_due;
  // More events were due than max_round_events: run another round at once.
  bool more = false;
  std::vector<Outcome> outcomes;  // every event looked at, in append order
};

// The journal and the directories must outlive the Engine, and Run() must have
// returned before it is destroyed. Notify() and backoff() may be called from any
// thread; RunOnce() calls are serialised.
class Engine {
 public:
  // One worker on `directory`.
  Engine(journal::Journal& journal, directory::Directory& directory, EngineOptions options);
  // One worker per directory (each on its own connection); at least one.
  Engine(journal::Journal& journal, std::vector<directory::Directory*> directories,
         EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Checks the options (naming policy); a config error says which.
  Status Validate() const;

  // Applies every event due at `now` (in the order rules above) and writes the
  // results to the journal. Ignores the back-off (that is Run's business).
  RoundResult RunOnce(TimePoint now);

  // Loops until `stop` is requested: picks up retry requests, applies due
  // events, then sleeps until Notify(), the next due time, the end of the
  // back-off, or poll_interval, whichever comes first. Starts with a round.
  void Run(std::stop_token stop);

  // Wakes Run() (the ingest path calls it after an append). Thread-safe.
  void Notify();

  // The current back-off after transient failures (zero when none).
  std::chrono::milliseconds backoff() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Where a daemon with data directory `data_dir` keeps things (danhba run sets
// the engine's options from these; danhba events uses them too).
std::string JournalDir(const std::string& data_dir);        // <data_dir>/journal
std::string HandoverDir(const std::string& data_dir);       // <data_dir>/handover
std::string RetryRequestsDir(const std::string& data_dir);  // <data_dir>/retry-requests

// Engine options from danhba.yaml: naming.* as the naming policy (the built-in
// reserved names plus naming.reserved), handover_dir and retry_dir under
// data_dir. A config error names the bad setting.
Result<EngineOptions> OptionsFromConfig(const config::Config& config);
// The tree under ldap.base_dn, addresses in `domain`.
directory::LdapDirectoryOptions DirectoryOptionsFromConfig(const config::Config& config);

// Asks a running daemon to retry `event_id` (when the journal is locked by it):
// writes an empty file <retry_dir>/<hex of event_id>, picked up by Run().
Status RequestRetry(const std::string& retry_dir, std::string_view event_id);

}  // namespace danhba::sync
