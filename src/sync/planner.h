// The planner: which pending events a round applies, and in what order and
// grouping. Pure: no directory, no journal writes, no clock but `now`.
//
//   parse     each stored event as a TypedEvent; one that cannot be read is
//             rejected ("not a valid event: ...")
//   schedule  an event whose effective date (start_of_day) or not_before lies
//             after `now` waits, and is (re)marked scheduled
//   order     an event waits while an earlier one about the same person, or
//             the same agency, waits (agency events: any earlier event about
//             their agencies); at most max_round_events are taken
//   stages    each agency event is a barrier, a stage of its own; the person
//             events between two barriers form one stage, partitioned by
//             person id over the workers (one person's events stay in order
//             on one worker)
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "danhba/journal/journal.h"
#include "danhba/model/date.h"
#include "danhba/model/typed_event.h"
#include "danhba/sync/engine.h"

namespace danhba::sync {

// Ordering keys of an event: the people and agencies it is about.
struct Keys {
  std::vector<std::string> people;
  std::vector<std::string> agencies;
  bool agency_event = false;  // a barrier
};

Keys KeysOf(const model::TypedEvent& event);

struct PlannedEvent {
  model::TypedEvent event;
  Keys keys;
  std::size_t outcome = 0;  // index into RoundPlan::outcomes
  const std::string& id() const { return model::HeaderOf(event).id; }
};

// Events applied together: a barrier (one agency event, alone on the first
// worker) or a run of person events, one list per worker, each in append order.
struct Stage {
  bool barrier = false;
  std::vector<std::vector<std::size_t>> partitions;  // indexes into RoundPlan::events
};

struct PlanLimits {
  std::size_t max_round_events = 2000;
  std::size_t workers = 1;
  // The moment an effective date begins.
  std::function<TimePoint(const model::Date&)> start_of_day;
};

struct RoundPlan {
  // Every pending event in append order: rejected and scheduled ones decided
  // here, the others kQueued (detail says why one is left waiting; empty for
  // those to apply and for those not due).
  std::vector<Outcome> outcomes;
  // The states decided here, for the journal.
  std::vector<journal::StatusChange> decided;
  std::vector<PlannedEvent> events;  // to apply, in append order
  std::vector<Stage> stages;
  std::optional<TimePoint> next_due;  // the earliest not_before of those left pending
  bool more = false;                  // more were due than max_round_events
};

RoundPlan Plan(std::vector<journal::Event> pending, TimePoint now, const PlanLimits& limits);

}  // namespace danhba::sync
