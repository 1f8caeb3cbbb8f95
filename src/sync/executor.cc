#include "sync/executor.h"

#include <algorithm>

#include "danhba/base/log.h"

namespace danhba::sync {

using journal::EventState;

void ResultSink::Record(const PlannedEvent& event, const std::optional<Applied>& result) {
  Outcome& outcome = outcomes_[event.outcome];
  if (!result) {
    outcome.detail = "waits for the directory";
    return;
  }
  switch (KindOf(*result)) {
    case Kind::kApplied:
      outcome.state = EventState::kApplied;
      outcome.applied = result->value();
      outcome.detail = result->value().ToString();
      break;
    case Kind::kRejected:
      outcome.state = EventState::kRejected;
      outcome.detail = result->error().detail;
      log::Get("sync")->warn("event {} ({}) rejected: {}", event.id(),
                             model::ToString(model::TypeOf(event.event)), outcome.detail);
      break;
    case Kind::kTransient: {
      outcome.detail = result->error().detail;
      std::lock_guard lock(transient_mutex_);
      if (!transient_.exchange(true)) transient_detail_ = outcome.detail;
      return;
    }
  }
  std::lock_guard lock(mutex_);
  changes_.push_back({event.id(), outcome.state, outcome.detail, std::nullopt});
}

void ResultSink::Flush(bool force) {
  std::vector<journal::StatusChange> batch;
  {
    std::lock_guard lock(mutex_);
    if (changes_.empty() || (!force && changes_.size() < journal_batch_)) return;
    batch.swap(changes_);
  }
  if (Status s = journal_.Update(batch); !s.ok()) {
    // The directory holds the changes; replay finds them done and marks them.
    log::Get("sync")->error("cannot record {} results in the journal: {}", batch.size(),
                            s.error().detail);
  }
}

std::string ResultSink::transient_detail() const {
  std::lock_guard lock(transient_mutex_);
  return transient_detail_;
}

Executor::Worker::Worker() : thread_([this](std::stop_token stop) { Loop(stop); }) {}

Executor::Worker::~Worker() {
  thread_.request_stop();
  // jthread joins; the stop wakes Loop through the condition variable.
}

void Executor::Worker::Post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    job_ = std::move(job);
  }
  changed_.notify_all();
}

void Executor::Worker::Wait() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !job_; });
}

void Executor::Worker::Loop(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (changed_.wait(lock, stop, [&] { return static_cast<bool>(job_); })) {
    std::function<void()> job = job_;
    lock.unlock();
    job();
    lock.lock();
    job_ = nullptr;
    changed_.notify_all();
  }
}

Executor::Executor(std::vector<directory::Directory*> dirs) : dirs_(std::move(dirs)) {
  for (std::size_t w = 1; w < dirs_.size(); ++w) workers_.push_back(std::make_unique<Worker>());
}

Executor::~Executor() = default;

void Executor::RunPartition(const RoundPlan& plan, const std::vector<std::size_t>& partition,
                            directory::Directory& dir, const EngineShared& shared,
                            ResultSink& sink) {
  Handlers handlers(shared, dir);
  // Slices so that results reach the journal while a long round runs.
  const std::size_t slice =
      std::max<std::size_t>(shared.options.journal_batch, shared.options.batch_size);
  for (std::size_t from = 0; from < partition.size(); from += slice) {
    const std::size_t to = std::min(partition.size(), from + slice);
    if (sink.stopped()) {
      for (std::size_t i = from; i < partition.size(); ++i)
        sink.Record(plan.events[partition[i]], std::nullopt);
      return;
    }
    std::vector<const PlannedEvent*> part;
    for (std::size_t i = from; i < to; ++i) part.push_back(&plan.events[partition[i]]);
    auto results = handlers.ApplyAll(part);
    for (std::size_t i = 0; i < part.size(); ++i) sink.Record(*part[i], results[i]);
    sink.Flush(false);
  }
}

void Executor::Run(const RoundPlan& plan, const EngineShared& shared, ResultSink& sink) {
  std::size_t stage = 0;
  for (; stage < plan.stages.size() && !sink.stopped(); ++stage) {
    const Stage& s = plan.stages[stage];
    if (s.barrier) {
      // A fresh Handlers: what the last stage read of the agencies may change now.
      const PlannedEvent& event = plan.events[s.partitions.front().front()];
      Handlers handlers(shared, *dirs_.front());
      sink.Record(event, handlers.Apply(event.event));
      sink.Flush(true);
      continue;
    }
    for (std::size_t w = 1; w < s.partitions.size(); ++w) {
      workers_[w - 1]->Post([&, w] { RunPartition(plan, s.partitions[w], *dirs_[w], shared, sink); });
    }
    RunPartition(plan, s.partitions.front(), *dirs_.front(), shared, sink);
    for (std::size_t w = 1; w < s.partitions.size(); ++w) workers_[w - 1]->Wait();
    sink.Flush(true);
  }
  for (; stage < plan.stages.size(); ++stage) {
    for (const auto& partition : plan.stages[stage].partitions) {
      for (std::size_t i : partition) sink.Record(plan.events[i], std::nullopt);
    }
  }
  sink.Flush(true);
}

}  // namespace danhba::sync
