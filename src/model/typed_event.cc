#include "danhba/model/typed_event.h"

#include <type_traits>
#include <vector>

namespace danhba::model {
namespace {

// Collects the parts an event lacks, to name them all in one error.
class Missing {
 public:
  explicit Missing(EventType type) : type_(type) {}

  template <class T>
  void Require(const std::optional<T>& part, std::string_view path) {
    if (!part) Add(path);
  }
  void Add(std::string_view path) {
    if (!detail_.empty()) detail_ += "; ";
    detail_ += std::string(path) + ": required for " + std::string(ToString(type_));
  }
  bool empty() const { return detail_.empty(); }
  Error ToError() const { return InvalidInput(detail_); }

 private:
  EventType type_;
  std::string detail_;
};

EventHeader HeaderFrom(const Event& e) { return {e.id, e.decision, e.effective_date}; }

}  // namespace

Result<TypedEvent> ToTyped(const Event& e) {
  Missing missing(e.type);
  const bool person_event = e.type == EventType::kHire || e.type == EventType::kTransfer ||
                            e.type == EventType::kUpdate || e.type == EventType::kLeave;
  if (person_event) {
    missing.Require(e.person, "person");
    if (e.type == EventType::kTransfer) missing.Require(e.to_agency, "to_agency");
    if (e.type == EventType::kHire && e.person) {
      missing.Require(e.person->agency, "person.agency");
      if (!e.person->full_name && !(e.person->family_name && e.person->given_name))
        missing.Add("person.full_name");
    }
  } else {
    missing.Require(e.agency, "agency");
    if (e.agency && e.type == EventType::kAgencyCreate) missing.Require(e.agency->name, "agency.name");
    if (e.agency && e.type == EventType::kAgencyHead) missing.Require(e.agency->head, "agency.head");
    if (e.type == EventType::kAgencyMerge) missing.Require(e.into, "into");
  }
  if (!missing.empty()) return missing.ToError();

  EventHeader h = HeaderFrom(e);
  switch (e.type) {
    case EventType::kHire:
      return TypedEvent(HireEvent{std::move(h), *e.person, *e.person->agency});
    case EventType::kTransfer:
      return TypedEvent(TransferEvent{std::move(h), *e.person, *e.to_agency});
    case EventType::kUpdate:
      return TypedEvent(UpdateEvent{std::move(h), *e.person});
    case EventType::kLeave:
      return TypedEvent(LeaveEvent{std::move(h), *e.person});
    case EventType::kAgencyCreate:
      return TypedEvent(AgencyCreateEvent{std::move(h), *e.agency, *e.agency->name});
    case EventType::kAgencyUpdate:
      return TypedEvent(AgencyUpdateEvent{std::move(h), *e.agency});
    case EventType::kAgencyMerge:
      return TypedEvent(AgencyMergeEvent{std::move(h), *e.agency, *e.into});
    case EventType::kAgencyDissolve:
      return TypedEvent(AgencyDissolveEvent{std::move(h), *e.agency});
    case EventType::kAgencyHead:
      return TypedEvent(AgencyHeadEvent{std::move(h), *e.agency, *e.agency->head});
  }
  return InvalidInput("type: unknown event type");
}

Event ToEvent(const TypedEvent& typed) {
  return std::visit(
      [](const auto& t) {
        using T = std::decay_t<decltype(t)>;
        Event e;
        e.id = t.header.id;
        e.type = T::kType;
        e.decision = t.header.decision;
        e.effective_date = t.header.effective_date;
        if constexpr (requires { t.person; }) e.person = t.person;
        if constexpr (requires { t.agency.code; }) e.agency = t.agency;
        if constexpr (std::is_same_v<T, HireEvent>) e.person->agency = t.agency;
        if constexpr (std::is_same_v<T, TransferEvent>) e.to_agency = t.to_agency;
        if constexpr (std::is_same_v<T, AgencyCreateEvent>) e.agency->name = t.name;
        if constexpr (std::is_same_v<T, AgencyMergeEvent>) e.into = t.into;
        if constexpr (std::is_same_v<T, AgencyHeadEvent>) e.agency->head = t.head;
        return e;
      },
      typed);
}

Result<TypedEvent> ParseStoredTypedEvent(std::string_view json) {
  auto event = ParseStoredEvent(json);
  if (!event.ok()) return event.take_error();
  return ToTyped(*event);
}

const EventHeader& HeaderOf(const TypedEvent& event) {
  return std::visit([](const auto& t) -> const EventHeader& { return t.header; }, event);
}

EventType TypeOf(const TypedEvent& event) {
  return std::visit([](const auto& t) { return std::decay_t<decltype(t)>::kType; }, event);
}

}  // namespace danhba::model
