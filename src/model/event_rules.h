// What each event type takes: one table that drives validation (event.cc),
// the journal's shape check, and the table of event fields in docs/ingest.md
// (a unit test renders it and compares it with the docs). Internal.
//
// Besides what the table lists, every event has id, type, decision{number,
// date, issuer; optional subject} and an optional effective_date; a person
// always has its id, an agency its code.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "danhba/model/event.h"

namespace danhba::model::internal {

enum class Presence : std::uint8_t {
  kNo,         // not allowed: refused by name
  kOptional,   // may be given; null is the same as absent
  kClearable,  // may be given; null clears it
  kRequired,
};

struct Rule {
  Presence presence = Presence::kNo;
  // kNo: why, after "not allowed for a hire" in parentheses. kRequired: the
  // alternative, e.g. "or family_name and given_name".
  std::string_view hint{};
  // kNo: the whole reason instead of "not allowed for ..." (when the field is
  // refused for being another type's).
  std::string_view reason{};
};

enum class Subject : std::uint8_t { kPerson, kAgency };

// The types of each subject, in the order of the columns below.
inline constexpr std::array<EventType, 4> kPersonTypes = {EventType::kHire, EventType::kTransfer,
                                                          EventType::kUpdate, EventType::kLeave};
inline constexpr std::array<EventType, 5> kAgencyTypes = {
    EventType::kAgencyCreate, EventType::kAgencyUpdate, EventType::kAgencyMerge,
    EventType::kAgencyDissolve, EventType::kAgencyHead};

// One field of `person` (or `agency`) and what each type of that subject says
// of it. A new field is one row. Rows are checked, and their problems reported,
// in table order.
template <class Fields, std::size_t kTypes>
struct FieldRule {
  std::string_view name;  // as in the JSON object
  bool (*given)(const Fields&);
  std::array<Rule, kTypes> by_type;
  // What meets a kRequired rule when that is more than the field itself.
  bool (*satisfied)(const Fields&) = nullptr;
  // A field that null clears: makes null absent, for a type with nothing to
  // clear (kOptional).
  void (*null_is_absent)(Fields&) = nullptr;
};
using PersonFieldRule = FieldRule<PersonFields, kPersonTypes.size()>;
using AgencyFieldRule = FieldRule<AgencyFields, kAgencyTypes.size()>;

// What a type says of the event's top-level parts and of its subject as a whole.
struct TypeRule {
  EventType type;
  Subject subject;
  Presence to_agency;
  Presence into;
  // Non-empty: the subject must change at least one of these (the text says which).
  std::string_view at_least_one{};
};

std::span<const PersonFieldRule> PersonFieldRules();
std::span<const AgencyFieldRule> AgencyFieldRules();
const TypeRule& RulesOf(EventType type);
// The column of `type` in its subject's field rules.
std::size_t ColumnOf(EventType type);

// The table of docs/ingest.md between its event-fields markers (Markdown).
std::string RenderEventFieldsTable();

}  // namespace danhba::model::internal
