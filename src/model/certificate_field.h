// person.certificate (R17): a person's X.509 S/MIME certificate in a hire or
// an update. Private to src/model.
#pragma once

#include <optional>
#include <string>

#include "danhba/model/event.h"

namespace danhba::model::internal {

// Checks the field of a hire or an update (the rules table refuses it in the
// other types) and makes it canonical: the base64 of the
// certificate's DER on one line. Accepted as sent: PEM or base64 DER. In an
// update, null or "" asks for the published certificate to be removed (the
// field becomes null); in a hire they mean nothing (the field is dropped).
// Returns the problem, phrased to follow the field's path, or nullopt.
std::optional<std::string> CheckCertificateField(Change<std::string>& field, EventType type);

}  // namespace danhba::model::internal
