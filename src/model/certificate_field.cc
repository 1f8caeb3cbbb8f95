#include "model/certificate_field.h"

#include "danhba/crypto/certificate.h"

namespace danhba::model::internal {

std::optional<std::string> CheckCertificateField(Change<std::string>& field, EventType type) {
  if (!field) return std::nullopt;
  const bool empty = !*field || (*field)->find_first_not_of(" \t\r\n") == std::string::npos;
  if (empty) {
    // Nothing to remove from a new record: the same as absent.
    if (type == EventType::kHire) {
      field.reset();
    } else {
      *field = std::nullopt;
    }
    return std::nullopt;
  }
  auto certificate = crypto::ParseCertificate(**field);
  if (!certificate.ok()) return certificate.error().detail;
  **field = crypto::Base64Encode(certificate->der);
  return std::nullopt;
}

}  // namespace danhba::model::internal
