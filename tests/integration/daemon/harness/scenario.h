// A deterministic stream of personnel events for end-to-end tests and the
// ingest benchmark, and the directory state it must lead to, computed here
// independently of the sync engine.
//
// People come from the sample province (bench/province). Each person's events
// follow a life: hire, then transfers and updates (title, phone), possibly a
// leave and a re-hire. Order matters per person (the last title wins, a
// transfer of someone not yet hired is refused), so an engine that reorders or
// loses events ends in a different state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "danhba/base/result.h"
#include "province.h"

namespace danhba::e2e {

struct ScenarioEvent {
  std::string id;
  std::string type;       // hire, transfer, update, leave
  std::string person_id;
  std::string json;       // the event as posted
};

// What the directory must hold for one person once every event is applied.
struct ExpectedPerson {
  std::string person_id;
  bool active = true;    // under ou=people (else ou=former, status left)
  std::string agency;    // agency code (ou)
  std::string title;
  std::string phone;
  std::size_t events = 0;  // events about this person
};

struct ScenarioOptions {
  std::size_t events = 5000;
  std::uint64_t seed = 2026;
  std::string id_prefix = "e2e";  // event ids: <prefix>-<n>
  // Share of events that hire someone new (the rest change people already hired).
  double hire_share = 0.3;
};

struct Scenario {
  // agency.create (and agency.merge) events as posted, parents first.
  std::vector<std::string> agency_events;
  std::vector<std::string> agency_event_ids;
  std::vector<ScenarioEvent> events;  // in the order they must be applied per person
  std::map<std::string, ExpectedPerson> expected;  // by person id
  // Events whose outcome depends on order (a transfer or update followed by
  // another change of the same person, a re-hire): for reports.
  std::size_t order_sensitive = 0;
};

Result<Scenario> MakeScenario(const province::Province& province, const ScenarioOptions& options);

// A JSON array of `events[begin, end)`.
std::string BatchJson(const std::vector<ScenarioEvent>& events, std::size_t begin, std::size_t end);

}  // namespace danhba::e2e
