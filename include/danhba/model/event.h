// Personnel and agency events as HR systems send them to the ingest API (and as
// `danhba import` makes them from staff lists): the types, their JSON form, and
// validation. See the "Ingest API" section of the contract.
//
// All functions are pure and thread-safe.
//
// These are private, internal types: PersonFields carries the person's stable
// id and birth date, which must never reach the public API (R3, R15). The public
// read types are in danhba/model/public.h and have no such fields.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/model/date.h"

namespace danhba::model {

enum class EventType {
  kHire,      // a new person: a mailbox is created (R7)
  kTransfer,  // to another agency, maybe with a new title; the address stays (R8)
  kUpdate,    // title, phone, name correction (R8)
  kLeave,     // leaves state service in the province (R9)
  kAgencyCreate,
  kAgencyUpdate,  // name or parent
  kAgencyMerge,   // into another agency, whose address takes over
  kAgencyDissolve,
  kAgencyHead,  // a new head, who manages the agency mailbox (R20)
};

inline constexpr EventType kAllEventTypes[] = {
    EventType::kHire,        EventType::kTransfer,       EventType::kUpdate,
    EventType::kLeave,       EventType::kAgencyCreate,   EventType::kAgencyUpdate,
    EventType::kAgencyMerge, EventType::kAgencyDissolve, EventType::kAgencyHead};

// The wire name: "hire", "transfer", ..., "agency.create", ..., "agency.head".
std::string_view ToString(EventType type);
// The type with that wire name (exact, case-sensitive), or nullopt.
std::optional<EventType> ParseEventType(std::string_view name);

// A field an event may set, clear or leave alone: absent (nullopt) means
// unchanged; present but empty (JSON null) means cleared; otherwise the new value.
template <class T>
using Change = std::optional<std::optional<T>>;

// The decision behind a change (R22): "123/QĐ-SNV" of 2026-11-20 by Sở Nội vụ.
struct Decision {
  std::string number;
  Date date;
  std::string issuer;
  std::optional<std::string> subject;  // what the decision is about, free text

  friend bool operator==(const Decision&, const Decision&) = default;
};

// What an event says about a person. Only `id` is always present; events "name
// only what they change".
struct PersonFields {
  std::string id;  // stable private identity (R3): employee number or citizen id
  // The name, NFC and proper-cased. When the structured parts are given,
  // full_name is their join ("family middle... given"), filled in if absent.
  std::optional<std::string> full_name;
  std::optional<std::string> family_name;                // họ
  std::optional<std::vector<std::string>> middle_names;  // chữ lót (empty vector: none)
  std::optional<std::string> given_name;                 // tên
  std::optional<Date> birth_date;                        // private (R15)
  Change<std::string> title;                             // chức vụ
  Change<std::string> phone;                             // published work phone
  std::optional<std::string> agency;                     // agency code, in a hire
  // update only: the operator asks for the address the (corrected) name gives;
  // the old address stays an alias. Without it a name correction keeps the address.
  bool new_address = false;
  // hire and update: the person's X.509 S/MIME certificate (R17), canonical as
  // the base64 of its DER; null (update only): remove the published one.
  Change<std::string> certificate;

  friend bool operator==(const PersonFields&, const PersonFields&) = default;
};

struct AgencyFields {
  std::string code;  // also the local part of the agency address (R4)
  // agency.update only: the agency's new code; the old address stays an alias.
  std::optional<std::string> new_code;
  std::optional<std::string> name;
  Change<std::string> parent;                         // cleared (JSON null) = a top-level agency
  std::optional<std::string> head;                    // person id of the head (R20)
  std::optional<std::vector<std::string>> delegates;  // person ids the head delegates to (R20)

  friend bool operator==(const AgencyFields&, const AgencyFields&) = default;
};

struct Event {
  std::string id;  // the sender's idempotency key
  EventType type = EventType::kHire;
  Decision decision;
  std::optional<Date> effective_date;  // absent (or JSON null): at once
  std::optional<PersonFields> person;
  std::optional<AgencyFields> agency;
  std::optional<std::string> to_agency;  // transfer
  std::optional<std::string> into;       // agency.merge

  friend bool operator==(const Event&, const Event&) = default;
};

// Which fields each type takes (beyond id, type, decision and the optional
// effective_date, which every event has). Anything else is rejected by name.
// The rules are one table, src/model/event_rules.cc, which docs/ingest.md
// ("Event fields") shows; in short:
//
//   hire             person{id, full_name | family_name+given_name [+middle_names],
//                    agency; optional birth_date, title, phone, certificate}
//   transfer         person{id; optional title, phone}, to_agency
//   update           person{id; at least one of the name fields, birth_date,
//                    title, phone, certificate, new_address: true}; title,
//                    phone and certificate may be null (cleared)
//   leave            person{id}
//   agency.create    agency{code, name; optional parent (null: top level), head}
//   agency.update    agency{code; at least one of name, parent, new_code}
//   agency.merge     agency{code}, into
//   agency.dissolve  agency{code}
//   agency.head      agency{code, head; optional delegates}
//
// Unknown fields are rejected (an HR contract is safer strict: a misspelt
// "emial" must not be silently dropped). Both full_name and the structured
// parts may be given if they agree.

// Validates an event built in code (e.g. from a staff-list row) exactly as
// ParseEvent does after decoding, and returns it in canonical form: every text
// field cleaned and NFC, names proper-cased, full_name filled in. The error
// detail lists every problem as "<path>: <reason>", joined by "; ".
Result<Event> CanonicalizeEvent(Event event);

// One event from its JSON object. Errors name the field path relative to the
// event ("person.birth_date: \"1990-13-01\" is not a date (YYYY-MM-DD)").
Result<Event> ParseEvent(std::string_view json);

// The outcome for one element of a request body.
struct ParsedEvent {
  // The element's "id" when it was a string, even if the event is rejected,
  // so a reply can name the event; empty otherwise.
  std::string id;
  Result<Event> event;
};

struct ParsedBatch {
  bool was_array = false;  // the body was an array (reply with an array)
  std::vector<ParsedEvent> events;
};

inline constexpr std::size_t kMaxEventsPerBatch = 1000;

// A request body: one event object, or an array of 1..kMaxEventsPerBatch of
// them. The outer error is for a body that is not usable at all (not JSON, not
// an object or array, empty or too large an array); otherwise each element has
// its own result, with paths prefixed "events[i]." when the body is an array
// ("events[1].to_agency: required for a transfer"). Valid events are returned
// even when others in the same body are not.
Result<ParsedBatch> ParseEvents(std::string_view body);

// Canonical JSON of an event (compact, keys in a fixed order, absent fields
// omitted, cleared fields null). ParseEvent(ToJson(e)) == e for an event that
// came from ParseEvent or CanonicalizeEvent. The journal stores this form.
std::string ToJson(const Event& event);

// Reads back what ToJson wrote, checking only the JSON shape and value types
// (and that dates are dates) and that the event has the parts its type acts on
// (a hire's person, agency and name; a transfer's to_agency; a merge's into;
// ...), not the per-type rules, formats and limits. For replaying a journal:
// an event acknowledged under one version's rules must still be applied after
// an upgrade that tightens them. The sync engine reads the journal with this.
Result<Event> ParseStoredEvent(std::string_view json);

}  // namespace danhba::model
