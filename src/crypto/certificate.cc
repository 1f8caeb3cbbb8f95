#include "danhba/crypto/certificate.h"

#include <openssl/pem.h>

#include <cctype>
#include <ctime>

#include "crypto/openssl_ptr.h"
#include "crypto/x509_util.h"

namespace danhba::crypto {
namespace {

using internal::BioPtr;
using internal::GeneralNamesPtr;
using internal::X509Ptr;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

Result<base::TimePoint> ToTimePoint(const ASN1_TIME* time, std::string_view what) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    return InvalidInput("its " + std::string(what) + " date cannot be read");
  }
  const auto seconds = static_cast<long long>(timegm(&tm));
  return base::TimePoint(std::chrono::seconds(seconds));
}

std::string Asn1String(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::vector<std::string> EmailsOf(X509* x509) {
  std::vector<std::string> emails;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x509, NID_subject_alt_name, nullptr, nullptr)));
  if (names) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
      if (name->type == GEN_EMAIL) emails.push_back(Asn1String(name->d.rfc822Name));
    }
  }
  if (!emails.empty()) return emails;
  // Older certificates carry the address in the subject DN only.
  const X509_NAME* subject = X509_get_subject_name(x509);
  for (int i = X509_NAME_get_index_by_NID(subject, NID_pkcs9_emailAddress, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, NID_pkcs9_emailAddress, i)) {
    emails.push_back(Asn1String(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i))));
  }
  return emails;
}

std::string SubjectOf(X509* x509) {
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out) return {};
  X509_NAME_print_ex(out.get(), X509_get_subject_name(x509), 0, XN_FLAG_RFC2253);
  return internal::BioText(out.get());
}

}  // namespace

namespace internal {

Result<X509Ptr> ReadX509(std::string_view text) {
  ERR_clear_error();
  std::string_view trimmed = text;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front())))
    trimmed.remove_prefix(1);
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back())))
    trimmed.remove_suffix(1);
  if (trimmed.empty()) return InvalidInput("is empty");
  if (trimmed.starts_with("-----BEGIN")) {
    if (!trimmed.starts_with("-----BEGIN CERTIFICATE-----")) {
      return InvalidInput("is PEM but not a certificate (expected -----BEGIN CERTIFICATE-----)");
    }
    BioPtr in = MemoryBio(trimmed);
    X509Ptr x509(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
    if (!x509) {
      return InvalidInput("is not a valid PEM certificate: " + TakeErrors("cannot be parsed"));
    }
    // Only whitespace may follow the one certificate.
    std::string rest(64, '\0');
    const int extra = BIO_read(in.get(), rest.data(), static_cast<int>(rest.size()));
    for (int i = 0; i < extra; ++i) {
      if (!std::isspace(static_cast<unsigned char>(rest[static_cast<std::size_t>(i)]))) {
        return InvalidInput("has data after the certificate (send one certificate)");
      }
    }
    ERR_clear_error();
    return x509;
  }
  auto der = Base64Decode(trimmed);
  if (!der.ok()) {
    return InvalidInput("is neither PEM (-----BEGIN CERTIFICATE-----) nor base64 DER: " +
                        der.error().detail);
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
  if (!x509) {
    return InvalidInput("is not a DER X.509 certificate: " + TakeErrors("cannot be parsed"));
  }
  if (p != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
    return InvalidInput("has data after the certificate (send one certificate)");
  }
  return x509;
}

}  // namespace internal

Result<Certificate> ParseCertificate(std::string_view text) {
  auto x509 = internal::ReadX509(text);
  if (!x509.ok()) return x509.take_error();
  X509* x = x509->get();
  Certificate out;
  const int size = i2d_X509(x, nullptr);
  if (size <= 0) return InvalidInput("cannot be encoded as DER");
  out.der.resize(static_cast<std::size_t>(size));
  auto* p = reinterpret_cast<unsigned char*>(out.der.data());
  i2d_X509(x, &p);
  out.subject = SubjectOf(x);
  out.emails = EmailsOf(x);
  auto not_before = ToTimePoint(X509_get0_notBefore(x), "not-before");
  if (!not_before.ok()) return not_before.take_error();
  auto not_after = ToTimePoint(X509_get0_notAfter(x), "not-after");
  if (!not_after.ok()) return not_after.take_error();
  out.not_before = *not_before;
  out.not_after = *not_after;
  return out;
}

Status CheckCertificateFor(const Certificate& certificate, std::string_view email,
                           base::TimePoint now) {
  if (now < certificate.not_before) {
    return InvalidInput("is not valid before " + base::FormatUtc(certificate.not_before));
  }
  if (now > certificate.not_after) {
    return InvalidInput("expired on " + base::FormatUtc(certificate.not_after));
  }
  if (certificate.emails.empty()) {
    return InvalidInput("names no email address (no subjectAltName email, no emailAddress)");
  }
  for (const std::string& named : certificate.emails) {
    if (EqualsIgnoreCase(named, email)) return Ok();
  }
  std::string named;
  for (const std::string& e : certificate.emails) {
    if (!named.empty()) named.append(",");
    named.append(e);
  }
  return InvalidInput("is for " + named + ", not " + std::string(email));
}

std::string Base64Encode(std::string_view bytes) {
  if (bytes.empty()) return {};
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=') {
      return InvalidInput("invalid base64 character '" + std::string(1, c) + "'");
    }
    compact.push_back(c);
  }
  if (compact.empty()) return InvalidInput("no base64 data");
  if (compact.size() % 4 != 0) return InvalidInput("base64 length is not a multiple of 4");
  const std::size_t equals = compact.find('=');
  std::size_t padding = 0;
  if (equals != std::string::npos) {
    padding = compact.size() - equals;
    if (padding > 2 || compact.find_first_not_of('=', equals) != std::string::npos) {
      return InvalidInput("misplaced '=' in base64");
    }
  }
  std::string out(compact.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(compact.data()),
                                static_cast<int>(compact.size()));
  if (n < 0) return InvalidInput("invalid base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

}  // namespace danhba::crypto
