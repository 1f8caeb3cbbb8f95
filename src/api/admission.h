// What becomes of each event of an ingest batch before anything is written:
// admitted (to be journaled) or refused, and why. A pure function of the batch,
// the sender, its scope check and the time, so it is tested without a journal.
#pragma once

#include <string>
#include <vector>

#include "danhba/api/ingest.h"
#include "danhba/api/senders.h"
#include "danhba/base/clock.h"
#include "danhba/journal/journal.h"
#include "danhba/model/event.h"

namespace danhba::api {

struct EventVerdict {
  enum class Kind {
    kAdmitted,     // `entry` is to be journaled
    kInvalid,      // failed validation (or an id too long for the journal)
    kForbidden,    // names an agency outside the sender's
    kUnavailable,  // the person's agency cannot be told now: neither accepted nor refused
  };
  Kind kind = Kind::kInvalid;
  // The event's id as sent; empty when it had none, or one too long to echo.
  std::string id;
  // Why it is refused: the validation error, the scope reason, or (kUnavailable)
  // the error of the scope check. Empty when admitted.
  std::string message;
  journal::NewEvent entry;  // kAdmitted: sender, canonical payload, not_before
};

// One verdict per event of `batch`, in order. An admitted event is journaled
// as model::ToJson(event) from `sender`, not before 00:00 (province time) of its
// effective date when that is after `now`. Payloads are moved out of `batch`.
std::vector<EventVerdict> AdmitBatch(model::ParsedBatch& batch, const Sender& sender,
                                     const PersonAgencyFn& person_agency, base::TimePoint now);

}  // namespace danhba::api
