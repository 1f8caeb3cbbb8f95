#include "scenario.h"

#include <algorithm>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

namespace danhba::e2e {
namespace {

using Json = nlohmann::ordered_json;

Json Decision(const std::string& number) {
  return Json{{"number", number}, {"date", "2026-01-15"}, {"issuer", "Sở Nội vụ"}};
}

std::size_t Below(std::mt19937_64& rng, std::size_t n) {
  return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
}

// A title different from `current`, from the province's own titles.
std::string OtherTitle(std::mt19937_64& rng, const std::vector<std::string>& titles, const std::string& current) {
  for (int i = 0; i < 8; ++i) {
    const std::string& pick = titles[Below(rng, titles.size())];
    if (pick != current) return pick;
  }
  return current + " (kiêm nhiệm)";
}

std::string Phone(std::mt19937_64& rng) {
  auto digits = [&](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += static_cast<char>('0' + Below(rng, 10));
    return out;
  };
  return "0251 3" + digits(3) + " " + digits(3);
}

}  // namespace

Result<Scenario> MakeScenario(const province::Province& province, const ScenarioOptions& options) {
  std::vector<std::string> in_service;
  for (const auto& agency : province.agencies) {
    if (agency.merged_into.empty()) in_service.push_back(agency.code);
  }
  std::set<std::string> title_set;
  for (const auto& person : province.people) title_set.insert(person.title);
  std::vector<std::string> titles(title_set.begin(), title_set.end());
  if (in_service.size() < 2 || titles.size() < 2 || province.people.empty()) {
    return InvalidInput("the province is too small for a scenario (agencies, titles or people missing)");
  }

  Scenario scenario;
  const Json founding = Decision("45/2025/NĐ-CP");
  for (const auto& agency : province.agencies) {
    Json fields{{"code", agency.code}, {"name", agency.name}};
    fields["parent"] = agency.parent.empty() ? Json(nullptr) : Json(agency.parent);
    std::string id = options.id_prefix + "-agency-" + agency.code;
    scenario.agency_event_ids.push_back(id);
    scenario.agency_events.push_back(
        Json{{"id", id}, {"type", "agency.create"}, {"decision", founding}, {"agency", fields}}.dump());
  }

  std::mt19937_64 rng(options.seed);
  std::size_t next_person = 0;
  std::vector<std::string> active;  // person ids in service
  std::vector<std::string> former;  // person ids who left
  std::map<std::string, const province::PersonRow*> rows;
  std::map<std::string, std::string> last_type;
  std::uniform_real_distribution<double> unit(0.0, 1.0);

  auto add = [&](const std::string& type, const std::string& person_id, Json event) {
    std::string id = options.id_prefix + "-" + std::to_string(scenario.events.size() + 1);
    Json full{{"id", id}, {"type", type}, {"decision", Decision("E2E-" + std::to_string(scenario.events.size() + 1) + "/QĐ-SNV")}};
    for (auto& [key, value] : event.items()) full[key] = value;
    auto& expected = scenario.expected[person_id];
    if (expected.events > 0 && (type != "hire" || last_type[person_id] == "leave")) ++scenario.order_sensitive;
    ++expected.events;
    last_type[person_id] = type;
    scenario.events.push_back(ScenarioEvent{id, type, person_id, full.dump()});
  };

  while (scenario.events.size() < options.events) {
    double roll = unit(rng);
    bool can_hire = next_person < province.people.size();
    if (active.empty() || (can_hire && roll < options.hire_share)) {
      if (!can_hire) return InvalidInput("the province has too few people for " + std::to_string(options.events) + " events");
      const province::PersonRow& row = province.people[next_person++];
      rows[row.id] = &row;
      ExpectedPerson& expected = scenario.expected[row.id];
      expected.person_id = row.id;
      expected.active = true;
      expected.agency = row.agency;
      expected.title = row.title;
      expected.phone = row.phone;
      add("hire", row.id,
          Json{{"person", Json{{"id", row.id}, {"full_name", row.full_name}, {"birth_date", row.birth_date},
                               {"title", row.title}, {"phone", row.phone}, {"agency", row.agency}}}});
      active.push_back(row.id);
      continue;
    }
    // Re-hire someone who left, now and then (same address, R3).
    if (!former.empty() && roll > 0.97) {
      std::size_t k = Below(rng, former.size());
      std::string id = former[k];
      former.erase(former.begin() + static_cast<std::ptrdiff_t>(k));
      const province::PersonRow& row = *rows[id];
      ExpectedPerson& expected = scenario.expected[id];
      expected.active = true;
      expected.agency = in_service[Below(rng, in_service.size())];
      expected.title = OtherTitle(rng, titles, expected.title);
      expected.phone = Phone(rng);
      add("hire", id,
          Json{{"person", Json{{"id", id}, {"full_name", row.full_name}, {"birth_date", row.birth_date},
                               {"title", expected.title}, {"phone", expected.phone}, {"agency", expected.agency}}}});
      active.push_back(id);
      continue;
    }
    std::size_t k = Below(rng, active.size());
    std::string id = active[k];
    ExpectedPerson& expected = scenario.expected[id];
    double kind = unit(rng);
    if (kind < 0.35) {
      std::string to = expected.agency;
      while (to == expected.agency) to = in_service[Below(rng, in_service.size())];
      expected.agency = to;
      Json person{{"id", id}};
      if (unit(rng) < 0.5) {
        expected.title = OtherTitle(rng, titles, expected.title);
        person["title"] = expected.title;
      }
      add("transfer", id, Json{{"person", person}, {"to_agency", to}});
    } else if (kind < 0.85) {
      Json person{{"id", id}};
      if (unit(rng) < 0.7) {
        expected.title = OtherTitle(rng, titles, expected.title);
        person["title"] = expected.title;
      }
      if (!person.contains("title") || unit(rng) < 0.4) {
        expected.phone = Phone(rng);
        person["phone"] = expected.phone;
      }
      add("update", id, Json{{"person", person}});
    } else {
      expected.active = false;
      active.erase(active.begin() + static_cast<std::ptrdiff_t>(k));
      former.push_back(id);
      add("leave", id, Json{{"person", Json{{"id", id}}}});
    }
  }
  return scenario;
}

std::string BatchJson(const std::vector<ScenarioEvent>& events, std::size_t begin, std::size_t end) {
  std::string out = "[";
  for (std::size_t i = begin; i < end && i < events.size(); ++i) {
    if (i > begin) out += ",";
    out += events[i].json;
  }
  out += "]";
  return out;
}

}  // namespace danhba::e2e
