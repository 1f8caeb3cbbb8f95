// The engine: the wake-up loop, one round (plan, execute, count), the options
// from the configuration and the retry requests. How an event is applied is in
// the handlers (handlers.h); which events a round applies, in the planner.
#include "danhba/sync/engine.h"

#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "danhba/base/log.h"
#include "sync/address_claims.h"
#include "sync/executor.h"
#include "sync/handlers.h"
#include "sync/handover.h"
#include "sync/planner.h"

namespace danhba::sync {
namespace {

using directory::Directory;
using journal::EventState;

std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view s) {
  if (s.size() % 2 != 0 || s.empty()) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// The round's statistics, counted once from what the plan and the executor
// decided.
RoundResult Tally(RoundPlan plan, const ResultSink& sink) {
  RoundResult round;
  for (const journal::StatusChange& c : plan.decided) {
    if (c.state == EventState::kScheduled) round.scheduled++;
  }
  for (const Outcome& o : plan.outcomes) {
    if (o.state == EventState::kApplied) round.applied++;
    if (o.state == EventState::kRejected) round.rejected++;
    if (o.state == EventState::kQueued && !o.detail.empty()) round.waiting++;
  }
  round.transient_failure = sink.stopped();
  if (round.transient_failure) round.transient_detail = sink.transient_detail();
  round.next_due = plan.next_due;
  round.more = plan.more;
  round.outcomes = std::move(plan.outcomes);
  return round;
}

}  // namespace

std::string_view ToString(Step step) {
  switch (step) {
    case Step::kDecisionWritten:
      return "decision written";
    case Step::kPersonAdded:
      return "person added";
    case Step::kPasswordSet:
      return "password set";
    case Step::kHandoverWritten:
      return "handover written";
    case Step::kPersonMoved:
      return "person moved";
    case Step::kPersonRenamed:
      return "person renamed";
    case Step::kPersonUpdated:
      return "person updated";
    case Step::kAgencyWritten:
      return "agency written";
    case Step::kAgencyRenamed:
      return "agency renamed";
    case Step::kSubAgenciesUpdated:
      return "sub-agencies updated";
  }
  return "unknown step";
}

class Engine::Impl {
 public:
  Impl(journal::Journal& journal, std::vector<Directory*> dirs, EngineOptions options)
      : journal_(journal),
        dirs_(std::move(dirs)),
        options_(std::move(options)),
        handover_(options_.handover_dir),
        executor_(dirs_) {
    if (!options_.clock) options_.clock = base::SystemClock();
    if (!options_.start_of_day) options_.start_of_day = &model::ProvinceStartOfDay;
    if (options_.batch_size == 0) options_.batch_size = 1;
    if (options_.journal_batch == 0) options_.journal_batch = 1;
    if (options_.max_round_events == 0) options_.max_round_events = 1;
    auto allocator = naming::Allocator::Create(options_.naming);
    if (allocator.ok()) {
      allocator_.emplace(std::move(allocator).value());
    } else {
      allocator_error_ = allocator.error();
    }
  }

  Status Validate() const {
    if (dirs_.empty())
      return ConfigError("the sync engine needs at least one directory connection");
    if (!allocator_) return *allocator_error_;
    return Ok();
  }

  RoundResult RunOnce(TimePoint now);
  void Run(std::stop_token stop);
  void Notify() {
    {
      std::lock_guard lock(wake_mutex_);
      notified_ = true;
    }
    wake_.notify_all();
  }
  std::chrono::milliseconds backoff() const {
    std::lock_guard lock(wake_mutex_);
    return backoff_;
  }

 private:
  void PickUpRetries();

  journal::Journal& journal_;
  std::vector<Directory*> dirs_;
  EngineOptions options_;
  std::optional<naming::Allocator> allocator_;
  std::optional<Error> allocator_error_;
  Handover handover_;
  AddressClaims claims_;  // addresses being added by a worker, and those known taken
  std::mutex round_mutex_;  // one round at a time
  Executor executor_;

  mutable std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool notified_ = false;
  std::chrono::milliseconds backoff_{0};
};

RoundResult Engine::Impl::RunOnce(TimePoint now) {
  std::lock_guard round_lock(round_mutex_);
  if (Status valid = Validate(); !valid.ok()) {
    RoundResult round;
    round.transient_failure = true;
    round.transient_detail = valid.error().detail;
    return round;
  }
  auto log = log::Get("sync");
  PlanLimits limits{options_.max_round_events, dirs_.size(), options_.start_of_day};
  RoundPlan plan = Plan(journal_.Pending(), now, limits);
  if (!plan.decided.empty()) {
    if (Status s = journal_.Update(plan.decided); !s.ok()) {
      log->error("cannot record {} event states in the journal: {}", plan.decided.size(),
                 s.error().detail);
    }
  }
  const EngineShared shared{options_, *allocator_, handover_, claims_};
  ResultSink sink(journal_, options_.journal_batch, plan.outcomes);
  executor_.Run(plan, shared, sink);
  RoundResult round = Tally(std::move(plan), sink);
  if (round.transient_failure) {
    log->warn("directory unavailable, {} events wait: {}", round.waiting, round.transient_detail);
  }
  if (round.applied + round.rejected > 0) {
    log->info("applied {} events, rejected {}, {} waiting", round.applied, round.rejected,
              round.waiting);
  }
  return round;
}

void Engine::Impl::PickUpRetries() {
  if (options_.retry_dir.empty()) return;
  std::error_code ec;
  auto log = log::Get("sync");
  for (const auto& entry : std::filesystem::directory_iterator(options_.retry_dir, ec)) {
    std::string name = entry.path().filename().string();
    auto id = Unhex(name);
    if (id) {
      Status retried = journal_.Retry(*id, "retried by operator");
      if (retried.ok()) {
        log->info("event {} re-queued by the operator", *id);
      } else {
        log->warn("retry of event {} refused: {}", *id, retried.error().detail);
      }
    }
    std::filesystem::remove(entry.path(), ec);
  }
}

void Engine::Impl::Run(std::stop_token stop) {
  std::stop_callback on_stop(stop, [this] { Notify(); });
  auto log = log::Get("sync");
  // No round before this time (back-off after a transient failure).
  TimePoint backoff_until = TimePoint::min();
  while (!stop.stop_requested()) {
    PickUpRetries();
    const TimePoint now = options_.clock();
    TimePoint deadline =
        now + std::chrono::duration_cast<std::chrono::microseconds>(options_.poll_interval);
    if (now >= backoff_until) {
      RoundResult round = RunOnce(now);
      if (round.next_due && *round.next_due < deadline) deadline = *round.next_due;
      if (round.more && !round.transient_failure) deadline = now;
      std::lock_guard lock(wake_mutex_);
      if (round.transient_failure) {
        backoff_ = backoff_.count() == 0 ? options_.initial_backoff
                                         : std::min(backoff_ * 2, options_.max_backoff);
        backoff_until = now + std::chrono::duration_cast<std::chrono::microseconds>(backoff_);
        log->warn("directory unavailable; next attempt in {} ms", backoff_.count());
      } else {
        backoff_ = std::chrono::milliseconds(0);
        backoff_until = TimePoint::min();
      }
    }
    if (backoff_until > now && backoff_until < deadline) deadline = backoff_until;
    auto wait = std::max(deadline - now, TimePoint::duration(0));
    std::unique_lock lock(wake_mutex_);
    wake_.wait_for(lock, wait, [&] { return notified_ || stop.stop_requested(); });
    notified_ = false;
  }
}

Engine::Engine(journal::Journal& journal, Directory& directory, EngineOptions options)
    : impl_(std::make_unique<Impl>(journal, std::vector<Directory*>{&directory},
                                   std::move(options))) {}

Engine::Engine(journal::Journal& journal, std::vector<Directory*> directories,
               EngineOptions options)
    : impl_(std::make_unique<Impl>(journal, std::move(directories), std::move(options))) {}

Engine::~Engine() = default;

Status Engine::Validate() const { return impl_->Validate(); }
RoundResult Engine::RunOnce(TimePoint now) { return impl_->RunOnce(now); }
void Engine::Run(std::stop_token stop) { impl_->Run(stop); }
void Engine::Notify() { impl_->Notify(); }
std::chrono::milliseconds Engine::backoff() const { return impl_->backoff(); }

Result<EngineOptions> OptionsFromConfig(const config::Config& config) {
  EngineOptions options;
  auto policy = naming::ParseCollisionPolicy(config.naming.collision);
  if (!policy.ok()) return ConfigError("naming.collision: " + policy.error().detail);
  options.naming.collision = *policy;
  if (config.naming.start_number < 0) {
    return ConfigError("naming.start_number: must not be negative");
  }
  options.naming.numeric_start = static_cast<unsigned>(config.naming.start_number);
  if (config.naming.max_length < 1) return ConfigError("naming.max_length: must be at least 1");
  options.naming.max_length = static_cast<std::size_t>(config.naming.max_length);
  for (const auto& name : config.naming.reserved) options.naming.reserved.push_back(name);
  auto allocator = naming::Allocator::Create(options.naming);
  if (!allocator.ok()) return ConfigError(allocator.error().detail);
  const std::string data_dir = config.data_dir.string();
  options.handover_dir = HandoverDir(data_dir);
  options.retry_dir = RetryRequestsDir(data_dir);
  options.keep_delegates_on_new_head = config.agency_mailbox.keep_delegates;
  return options;
}

directory::LdapDirectoryOptions DirectoryOptionsFromConfig(const config::Config& config) {
  directory::LdapDirectoryOptions options;
  options.layout = directory::Layout::ForBase(config.ldap.base_dn);
  options.domain = config.domain;
  options.organization = config.ldap.organization;
  return options;
}

std::string JournalDir(const std::string& data_dir) { return data_dir + "/journal"; }
std::string HandoverDir(const std::string& data_dir) { return data_dir + "/handover"; }
std::string RetryRequestsDir(const std::string& data_dir) { return data_dir + "/retry-requests"; }

Status RequestRetry(const std::string& retry_dir, std::string_view event_id) {
  if (event_id.empty()) return InvalidInput("empty event id");
  std::error_code ec;
  std::filesystem::create_directories(retry_dir, ec);
  if (ec) return Internal("cannot create " + retry_dir + ": " + ec.message());
  ::chmod(retry_dir.c_str(), 0700);
  const std::string path = retry_dir + "/" + Hex(event_id);
  std::ofstream out(path);
  if (!out) return Internal("cannot write " + path);
  return Ok();
}

}  // namespace danhba::sync
