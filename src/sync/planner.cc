#include "sync/planner.h"

#include <algorithm>
#include <type_traits>
#include <unordered_set>

namespace danhba::sync {
namespace {

using journal::EventState;

// What blocks later events: people and agencies with a waiting event.
class Blocks {
 public:
  bool IsBlocked(const Keys& k) const {
    for (const auto& p : k.people) {
      if (people_.count(p)) return true;
    }
    for (const auto& a : k.agencies) {
      if (by_agency_event_.count(a) || (k.agency_event && with_waiting_.count(a))) return true;
    }
    return false;
  }
  void Wait(const Keys& k) {
    for (const auto& p : k.people) people_.insert(p);
    for (const auto& a : k.agencies) {
      with_waiting_.insert(a);
      if (k.agency_event) by_agency_event_.insert(a);
    }
  }

 private:
  std::unordered_set<std::string> people_;
  std::unordered_set<std::string> by_agency_event_;  // a waiting agency event
  std::unordered_set<std::string> with_waiting_;     // any waiting event
};

// Cuts the events into stages: each agency event alone, the person events
// between two of them partitioned by person id.
std::vector<Stage> Stages(const std::vector<PlannedEvent>& events, std::size_t workers) {
  std::vector<Stage> stages;
  std::size_t next = 0;
  while (next < events.size()) {
    if (events[next].keys.agency_event) {
      stages.push_back({true, {{next}}});
      ++next;
      continue;
    }
    std::size_t end = next;
    while (end < events.size() && !events[end].keys.agency_event) ++end;
    const std::size_t n = std::min(std::max<std::size_t>(workers, 1), end - next);
    Stage stage{false, std::vector<std::vector<std::size_t>>(n)};
    for (std::size_t i = next; i < end; ++i) {
      const Keys& k = events[i].keys;
      const std::string& person = k.people.empty() ? events[i].id() : k.people.front();
      stage.partitions[std::hash<std::string>{}(person) % n].push_back(i);
    }
    stages.push_back(std::move(stage));
    next = end;
  }
  return stages;
}

}  // namespace

Keys KeysOf(const model::TypedEvent& event) {
  return std::visit(
      [](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        Keys k;
        if constexpr (requires { e.person.id; }) {
          k.people.push_back(e.person.id);
          if (e.person.agency) k.agencies.push_back(*e.person.agency);
          if constexpr (std::is_same_v<T, model::TransferEvent>) k.agencies.push_back(e.to_agency);
        } else {
          k.agency_event = true;
          const model::AgencyFields& a = e.agency;
          k.agencies.push_back(a.code);
          if (a.new_code) k.agencies.push_back(*a.new_code);
          if (a.parent && *a.parent) k.agencies.push_back(**a.parent);
          if (a.head) k.people.push_back(*a.head);
          if (a.delegates) k.people.insert(k.people.end(), a.delegates->begin(), a.delegates->end());
          if constexpr (std::is_same_v<T, model::AgencyMergeEvent>) k.agencies.push_back(e.into);
        }
        return k;
      },
      event);
}

RoundPlan Plan(std::vector<journal::Event> pending, TimePoint now, const PlanLimits& limits) {
  RoundPlan plan;
  Blocks blocks;
  auto note_next = [&](TimePoint t) {
    if (!plan.next_due || t < *plan.next_due) plan.next_due = t;
  };
  for (journal::Event& je : pending) {
    const journal::EventInfo& info = je.info;
    // Today's rules are for intake; what was acknowledged is applied as stored.
    auto parsed = model::ParseStoredTypedEvent(je.payload);
    if (!parsed.ok()) {
      std::string reason = "not a valid event: " + parsed.error().detail;
      plan.decided.push_back({info.id, EventState::kRejected, reason, std::nullopt});
      plan.outcomes.push_back({info.id, EventState::kRejected, std::move(reason), std::nullopt});
      continue;
    }
    PlannedEvent planned{std::move(parsed).value(), {}, plan.outcomes.size()};
    planned.keys = KeysOf(planned.event);
    const model::EventHeader& header = model::HeaderOf(planned.event);
    Outcome outcome{info.id, EventState::kQueued, {}, std::nullopt};

    bool due = !info.not_before || *info.not_before <= now;
    if (due && header.effective_date) {
      const TimePoint start = limits.start_of_day(*header.effective_date);
      if (start > now) {
        due = false;
        outcome.state = EventState::kScheduled;
        outcome.detail = "effective " + header.effective_date->ToString();
        plan.decided.push_back({header.id, EventState::kScheduled, outcome.detail, start});
        note_next(start);
      }
    }
    if (info.not_before && *info.not_before > now && info.state == EventState::kQueued) {
      // Appended as due by a writer whose clock was ahead of this engine's
      // (another process, a clock stepped back): it waits, and says so.
      std::string note = header.effective_date ? "effective " + header.effective_date->ToString()
                                               : "not before its scheduled time";
      plan.decided.push_back({header.id, EventState::kScheduled, note, *info.not_before});
      outcome.state = EventState::kScheduled;
      outcome.detail = std::move(note);
    }
    if (!due && info.not_before) note_next(*info.not_before);

    if (!due || blocks.IsBlocked(planned.keys)) {
      blocks.Wait(planned.keys);
      if (due) outcome.detail = "waits for an earlier event";
    } else if (plan.events.size() >= limits.max_round_events) {
      // Later in append order than everything taken: safe to leave for the next round.
      plan.more = true;
      blocks.Wait(planned.keys);
      outcome.detail = "next round";
    } else {
      plan.events.push_back(std::move(planned));
    }
    plan.outcomes.push_back(std::move(outcome));
  }
  plan.stages = Stages(plan.events, limits.workers);
  return plan;
}

}  // namespace danhba::sync
