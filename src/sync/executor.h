// The executor: runs a round's plan (planner.h) stage after stage on the
// engine's directories, and the result sink that takes what the handlers
// return to the round's outcomes and, in batches, to the journal.
//
// The workers are threads started once, with the engine: worker 0 is the
// thread that runs the round, workers 1..n-1 wait for a stage's partitions.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "danhba/directory/directory.h"
#include "danhba/journal/journal.h"
#include "sync/handlers.h"
#include "sync/planner.h"
#include "sync/step.h"

namespace danhba::sync {

// Where results go. Record() may be called from any worker.
class ResultSink {
 public:
  ResultSink(journal::Journal& journal, std::size_t journal_batch, std::vector<Outcome>& outcomes)
      : journal_(journal), journal_batch_(journal_batch), outcomes_(outcomes) {}

  // The result of `event`; nullopt: not attempted (it waits for the directory).
  void Record(const PlannedEvent& event, const std::optional<Applied>& result);
  // Writes the results gathered so far to the journal (one fsync) when there
  // are journal_batch of them, or any when `force`.
  void Flush(bool force);

  // A transient failure was recorded: the round stops.
  bool stopped() const { return transient_; }
  std::string transient_detail() const;

 private:
  journal::Journal& journal_;
  const std::size_t journal_batch_;
  std::vector<Outcome>& outcomes_;  // each element written by one worker
  std::mutex mutex_;
  std::vector<journal::StatusChange> changes_;  // guarded by mutex_
  std::atomic<bool> transient_{false};
  mutable std::mutex transient_mutex_;
  std::string transient_detail_;  // guarded by transient_mutex_
};

class Executor {
 public:
  // One worker per directory; at least one.
  explicit Executor(std::vector<directory::Directory*> dirs);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Applies the plan's stages in order until one records a transient failure;
  // the events of the stages not run are recorded as waiting.
  void Run(const RoundPlan& plan, const EngineShared& shared, ResultSink& sink);

 private:
  // A thread that runs one job at a time, handed over by Post.
  class Worker {
   public:
    Worker();
    ~Worker();
    void Post(std::function<void()> job);
    void Wait();  // until the posted job is done

   private:
    void Loop(std::stop_token stop);
    std::mutex mutex_;
    std::condition_variable_any changed_;
    std::function<void()> job_;  // guarded by mutex_; empty when idle
    std::jthread thread_;        // last: started once the rest exists
  };

  void RunPartition(const RoundPlan& plan, const std::vector<std::size_t>& partition,
                    directory::Directory& dir, const EngineShared& shared, ResultSink& sink);

  std::vector<directory::Directory*> dirs_;
  std::vector<std::unique_ptr<Worker>> workers_;  // for dirs_[1..]
};

}  // namespace danhba::sync
