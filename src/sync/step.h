// What one event's handler returns, and the steps it passes on the way.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "danhba/base/result.h"
#include "danhba/sync/engine.h"

namespace danhba::sync {

// A handler's answer: what it did, or why not. How an error counts is decided
// once, by Classify: unreachable (and misconfigured accounts, which are no
// event's fault) waits; anything else rejects the event with the reason.
using Applied = Result<AppliedResult>;

enum class Kind { kApplied, kRejected, kTransient };

inline Kind Classify(const Error& error) {
  switch (error.code) {
    case ErrorCode::kTransient:
    case ErrorCode::kAuth:
    case ErrorCode::kConfig:
      return Kind::kTransient;
    default:
      return Kind::kRejected;
  }
}
inline Kind KindOf(const Applied& result) {
  return result.ok() ? Kind::kApplied : Classify(result.error());
}

// A refusal that no retry of the same event mends.
inline Error Rejected(std::string detail) { return InvalidInput(std::move(detail)); }
// `error` with what it was about in front ("parent: unknown agency 'x'").
inline Error About(std::string_view context, Error error) {
  error.detail = std::string(context) + ": " + error.detail;
  return error;
}

// The event a handler works on, for the crash-injection hook: after each step
// the hook may stop the event (tests prove that replay mends it). Replaces a
// check after every write with one call per step:
//   DANHBA_RETURN_IF_ERROR(steps.Done(Step::kDecisionWritten, dir.EnsureDecision(d)));
class StepContext {
 public:
  using Hook = std::function<Status(std::string_view event_id, Step step)>;

  StepContext(const Hook& hook, std::string_view event_id) : hook_(hook), event_id_(event_id) {}

  // `step` is reached: the hook's say.
  Status Reached(Step step) const { return hook_ ? hook_(event_id_, step) : Ok(); }
  // The write that makes `step` returned `written`: its error, else Reached.
  Status Done(Step step, Status written) const {
    if (!written.ok()) return written;
    return Reached(step);
  }
  std::string_view event_id() const { return event_id_; }

 private:
  const Hook& hook_;
  std::string_view event_id_;
};

}  // namespace danhba::sync
