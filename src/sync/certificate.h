// A person's S/MIME certificate (person.certificate, R17) on the way from an
// applied event to the person's entry (userCertificate;binary). Private to
// src/sync.
//
// The rule (docs/ingest.md): a certificate is published only when it is valid
// at the engine's "now" and names the address the person has once the event
// is applied (for a hire, the one just allocated). Otherwise the event is
// still applied, without it: the entry keeps what it had, and the result says
// "certificate=withheld: <why>" (and the log says so too).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "danhba/base/clock.h"
#include "danhba/directory/directory.h"
#include "danhba/model/event.h"

namespace danhba::sync::internal {

// Sets record.certificate as `person` asks, when it may: the DER of a valid
// certificate for record.mail, or none when the event removes it. Leaves it as
// it is when the event says nothing or its certificate is withheld.
void SetCertificate(const model::PersonFields& person, directory::PersonRecord& record,
                    base::TimePoint now);

// What the result of event `event_id` says about the certificate `person`
// carries (AppliedResult::certificate): nullopt (no certificate field),
// "published", "removed" or "withheld: <why>". A withheld one is logged as a
// warning.
std::optional<std::string> CertificateNote(std::string_view event_id,
                                           const model::PersonFields& person,
                                           std::string_view mail, base::TimePoint now);

}  // namespace danhba::sync::internal
