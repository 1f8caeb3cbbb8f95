// The ingest API: authenticated, durable intake of personnel and agency events
// from HR systems (contract.md "Ingest API"; docs/ingest.md has the wire details).
//
//   POST /api/v1/events       one event or an array; 202 once every accepted event
//                             is in the journal (written and fsynced)
//   GET  /api/v1/events/{id}  the event's status, for the sender that sent it
//
// Every request is authenticated with the sender's bearer token, and signed
// (HMAC-SHA256 with a timestamp) when the sender is registered to sign. Then a
// per-sender token bucket is applied, then the route. Handle() is a pure
// function of the request and the services, so it is tested without sockets;
// the http::Server only moves bytes.
//
// Events are journaled as model::ToJson(event) with sender = the sender's name
// and, for an effective date in the future, not_before = 00:00 of that day in
// the province's time zone (Asia/Ho_Chi_Minh, UTC+7, no daylight saving time).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "danhba/api/senders.h"
#include "danhba/http/message.h"
#include "danhba/journal/journal.h"
#include "danhba/model/date.h"
#include "danhba/model/event.h"

namespace danhba::api {

inline constexpr std::string_view kTimestampHeader = "X-Danhba-Timestamp";
inline constexpr std::string_view kSignatureHeader = "X-Danhba-Signature";

// What a signing sender signs: "<timestamp>\n<METHOD>\n<target>\n<body>", where
// timestamp is the decimal Unix time in seconds sent in X-Danhba-Timestamp and
// target is the request target as sent ("/api/v1/events").
std::string SignatureBase(std::string_view timestamp, std::string_view method,
                          std::string_view target, std::string_view body);
// The X-Danhba-Signature value: "sha256=" + hex(HMAC-SHA256(secret, SignatureBase(...))).
std::string SignRequest(std::string_view secret, std::string_view timestamp,
                        std::string_view method, std::string_view target, std::string_view body);

// Token bucket per sender: each authenticated request takes one token.
struct RateLimit {
  double per_second = 50;  // tokens added per second; 0 or less: no limit
  double burst = 100;      // bucket size (and the number of tokens at start)
};

struct IngestOptions {
  // Bodies larger than this are refused with 413 (the server enforces it too,
  // before reading them; keep both equal to ingest.max_body_bytes).
  std::size_t max_body_bytes = 1 << 20;
  RateLimit rate_limit;
  // A signed request's timestamp may differ from the clock by this much at
  // most; its signature is remembered this long (twice, both sides) to refuse
  // replays.
  std::chrono::seconds signature_window{300};
  // At most this many signatures are remembered; beyond, the oldest are dropped.
  std::size_t max_remembered_signatures = 1'000'000;
  // The wall clock (timestamps, effective dates, the rate limit); the system
  // clock when empty.
  base::Clock clock;
};

// The code of the agency the person with this private id belongs to now;
// nullopt when the person is unknown; an error when it cannot be told now (the
// directory is unreachable): the event is then neither accepted nor refused but
// answered `unavailable`, to be sent again later. Called from the HTTP threads
// concurrently.
using PersonAgencyFn =
    std::function<Result<std::optional<std::string>>(std::string_view person_id)>;

// What the handlers use. The pointed-to objects must outlive the service.
struct IngestServices {
  journal::Journal* journal = nullptr;  // required
  SenderRegistry* senders = nullptr;    // required
  // Called after events were newly journaled (e.g. the sync engine's Notify()).
  // Not called when every event of a request was a duplicate or refused.
  std::function<void()> on_appended;
  // The agency the person with this private id belongs to now (see
  // PersonAgencyFn). Used only for senders limited to some agencies, to check
  // events that name no agency (update, leave) and the origin of a transfer;
  // without it such events from limited senders are refused (403).
  PersonAgencyFn person_agency;
};

// Counters for /metrics; every field only grows.
struct IngestCounters {
  std::uint64_t requests = 0;          // every request handled
  std::uint64_t events_accepted = 0;   // newly journaled
  std::uint64_t events_duplicate = 0;  // an id already journaled (by the same sender)
  std::uint64_t events_invalid =
      0;  // failed validation, never journaled (an unusable body counts once)
  std::uint64_t events_forbidden = 0;  // outside the sender's agencies
  std::uint64_t events_conflict = 0;   // id already used by another sender
  std::uint64_t events_unavailable = 0;  // scope not checkable now (directory down)
  std::uint64_t unauthorized = 0;      // 401: no, wrong or badly signed credentials
  std::uint64_t rate_limited = 0;      // 429
  std::uint64_t journal_failures = 0;  // 503: the journal refused a write
};

// The options set by configuration: ingest.max_body_bytes, ingest.rate_limit,
// ingest.rate_burst and ingest.signature_window.
IngestOptions IngestOptionsFromConfig(const config::Config& config);

// Why a sender may not send `event`, or nullopt when it may (docs/ingest.md,
// "Agencies"). Every agency code the event names (person.agency, to_agency,
// agency.code, agency.parent, into) must be one of the sender's; for update,
// leave and transfer the person's current agency (from `person_agency`) must
// be too. A sender with no agency list may send anything. The error of
// `person_agency` when the person's agency cannot be told now.
Result<std::optional<std::string>> OutOfScope(const Sender& sender, const model::Event& event,
                                              const PersonAgencyFn& person_agency);

class IngestService {
 public:
  // REQUIRES: services.journal and services.senders are set.
  IngestService(IngestOptions options, IngestServices services);
  ~IngestService();
  IngestService(const IngestService&) = delete;
  IngestService& operator=(const IngestService&) = delete;

  // Answers one request (see docs/ingest.md for every status and body).
  // Thread-safe.
  http::Response Handle(const http::Request& request);

  // Handle as an http::Handler for http::Server; the service must outlive it.
  http::Handler AsHandler();

  IngestCounters counters() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace danhba::api
