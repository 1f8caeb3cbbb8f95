#include "sync/certificate.h"

#include <optional>

#include "danhba/base/log.h"
#include "danhba/crypto/certificate.h"

namespace danhba::sync::internal {
namespace {

// The DER to publish, or why not.
Result<std::string> Publishable(const std::string& sent, std::string_view mail,
                                base::TimePoint now) {
  DANHBA_ASSIGN_OR_RETURN(auto certificate, crypto::ParseCertificate(sent));
  DANHBA_RETURN_IF_ERROR(crypto::CheckCertificateFor(certificate, mail, now));
  return std::move(certificate.der);
}

}  // namespace

void SetCertificate(const model::PersonFields& person, directory::PersonRecord& record,
                    base::TimePoint now) {
  if (!person.certificate) return;
  if (!*person.certificate) {
    record.certificate.reset();
    return;
  }
  auto der = Publishable(**person.certificate, record.mail, now);
  if (der.ok()) record.certificate = std::move(der).value();
}

std::optional<std::string> CertificateNote(std::string_view event_id,
                                           const model::PersonFields& person,
                                           std::string_view mail, base::TimePoint now) {
  if (!person.certificate) return std::nullopt;
  const auto& sent = *person.certificate;
  if (!sent) return "removed";
  auto der = Publishable(*sent, mail, now);
  if (der.ok()) return "published";
  log::Get("sync")->warn("event {}: the certificate of person {} is not published: it {}",
                         event_id, person.id, der.error().detail);
  return "withheld: it " + der.error().detail;
}

}  // namespace danhba::sync::internal
