// The change feed (R18): GET /api/v1/changes?since=CURSOR[&limit=N] on the
// ingest listener, for authenticated senders. Applied events in the order
// they were applied, each with the event as sent and its result, paged with an
// opaque cursor that resumes after the last change returned. A sender limited
// to some agencies sees the changes that name one of them (person.agency,
// to_agency, agency codes) or that are about a person now in one of them.
//
// The order is that of the journal's "applied" records (their time, then the
// arrival order), which is the order the directory took the changes in. An
// event applied again after a restore (ops/backup.h) appears again, later.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>
#include <optional>
#include <string>
#include <string_view>

#include "danhba/api/ingest.h"
#include "danhba/api/senders.h"
#include "danhba/http/message.h"
#include "danhba/journal/journal.h"

namespace danhba::api {

inline constexpr std::string_view kChangesPath = "/api/v1/changes";
inline constexpr std::size_t kDefaultChangesLimit = 100;
inline constexpr std::size_t kMaxChangesLimit = 1000;

// Where a change is in the feed.
struct ChangePosition {
  journal::TimePoint applied_at{};
  std::uint64_t seq = 0;
  friend auto operator<=>(const ChangePosition&, const ChangePosition&) = default;
};

// "c1." + base64url(applied_at µs, seq); opaque to clients.
std::string EncodeCursor(const ChangePosition& position);
std::optional<ChangePosition> DecodeCursor(std::string_view cursor);

// One change of the feed.
struct Change {
  ChangePosition position;
  std::string json;  // {"cursor","id","type","applied_at","result","event"}
};

// Whether a consumer sees an event; an error when it cannot be told now.
using ChangeFilter = std::function<Result<bool>(const model::Event& event)>;

// The changes that name one of `agencies` or are about a person now in one
// of them (`person_agency` may be empty); an empty filter when `agencies` is.
ChangeFilter AgencyFilter(std::vector<std::string> agencies, PersonAgencyFn person_agency);

// Up to `limit` changes after `after` that `filter` (may be empty: all)
// lets through, in feed order; `*scanned_to` is set to the position of the
// last change looked at (past filtered-out ones), or `after`.
Result<std::vector<Change>> ReadChanges(const journal::Journal& journal, const ChangePosition& after,
                                        std::size_t limit, const ChangeFilter& filter, ChangePosition* scanned_to,
                                        bool* more);

// The answer to GET /api/v1/changes for `sender`: 200 with
//   {"changes":[{"cursor","id","type","applied_at","result","event":{…}}…],
//    "next":CURSOR,"more":bool}
// (next = the cursor to send as since= for what follows; the request's own
// when nothing new), 400 for a malformed since or limit, 503 when the agency
// of a person cannot be told now (scoped senders; retry later).
http::Response ChangesResponse(const journal::Journal& journal, const Sender& sender, const http::Request& request,
                               const PersonAgencyFn& person_agency);

}  // namespace danhba::api
