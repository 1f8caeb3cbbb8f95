// Events as one struct per type, in which the parts a type acts on are plain
// members rather than optionals: a hire always has its agency, a transfer its
// target, a merge its target, an agency.head its head. Code that handles them
// (the sync engine) visits a TypedEvent, so a new event type does not compile
// until every visitor handles it.
//
// The shape check is the stored-event one (ParseStoredEvent): what a type needs
// to be applied at all, not today's intake rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "danhba/base/result.h"
#include "danhba/model/date.h"
#include "danhba/model/event.h"

namespace danhba::model {

// What every event carries.
struct EventHeader {
  std::string id;  // the sender's idempotency key
  Decision decision;
  std::optional<Date> effective_date;

  friend bool operator==(const EventHeader&, const EventHeader&) = default;
};

struct HireEvent {
  static constexpr EventType kType = EventType::kHire;
  EventHeader header;
  PersonFields person;  // person.agency is `agency`
  std::string agency;
  friend bool operator==(const HireEvent&, const HireEvent&) = default;
};

struct TransferEvent {
  static constexpr EventType kType = EventType::kTransfer;
  EventHeader header;
  PersonFields person;
  std::string to_agency;
  friend bool operator==(const TransferEvent&, const TransferEvent&) = default;
};

struct UpdateEvent {
  static constexpr EventType kType = EventType::kUpdate;
  EventHeader header;
  PersonFields person;
  friend bool operator==(const UpdateEvent&, const UpdateEvent&) = default;
};

struct LeaveEvent {
  static constexpr EventType kType = EventType::kLeave;
  EventHeader header;
  PersonFields person;
  friend bool operator==(const LeaveEvent&, const LeaveEvent&) = default;
};

struct AgencyCreateEvent {
  static constexpr EventType kType = EventType::kAgencyCreate;
  EventHeader header;
  AgencyFields agency;  // agency.name is `name`
  std::string name;
  friend bool operator==(const AgencyCreateEvent&, const AgencyCreateEvent&) = default;
};

struct AgencyUpdateEvent {
  static constexpr EventType kType = EventType::kAgencyUpdate;
  EventHeader header;
  AgencyFields agency;
  friend bool operator==(const AgencyUpdateEvent&, const AgencyUpdateEvent&) = default;
};

struct AgencyMergeEvent {
  static constexpr EventType kType = EventType::kAgencyMerge;
  EventHeader header;
  AgencyFields agency;
  std::string into;
  friend bool operator==(const AgencyMergeEvent&, const AgencyMergeEvent&) = default;
};

struct AgencyDissolveEvent {
  static constexpr EventType kType = EventType::kAgencyDissolve;
  EventHeader header;
  AgencyFields agency;
  friend bool operator==(const AgencyDissolveEvent&, const AgencyDissolveEvent&) = default;
};

struct AgencyHeadEvent {
  static constexpr EventType kType = EventType::kAgencyHead;
  EventHeader header;
  AgencyFields agency;  // agency.head is `head`
  std::string head;
  friend bool operator==(const AgencyHeadEvent&, const AgencyHeadEvent&) = default;
};

using TypedEvent =
    std::variant<HireEvent, TransferEvent, UpdateEvent, LeaveEvent, AgencyCreateEvent,
                 AgencyUpdateEvent, AgencyMergeEvent, AgencyDissolveEvent, AgencyHeadEvent>;

// The typed form of `event`, or an error naming each missing part
// ("person.agency: required for hire") when it lacks what its type acts on.
// Top-level parts a type does not take (a hire's to_agency) are left out.
Result<TypedEvent> ToTyped(const Event& event);
// Back: ToEvent(ToTyped(e).value()) == e for an event of ParseEvent.
Event ToEvent(const TypedEvent& event);

// ParseStoredEvent, then ToTyped: how the sync engine reads the journal.
Result<TypedEvent> ParseStoredTypedEvent(std::string_view json);

const EventHeader& HeaderOf(const TypedEvent& event);
EventType TypeOf(const TypedEvent& event);

}  // namespace danhba::model
