// Owning pointers for the OpenSSL objects src/crypto uses, and the text of
// OpenSSL's error queue. Private to src/crypto (and tests).
#pragma once

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

namespace danhba::crypto::internal {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};

using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
// Frees the stack only: the certificates in it stay owned by their X509Ptr.
// (sk_X509_free is a macro, hence the function.)
inline void FreeX509Stack(STACK_OF(X509) * stack) { sk_X509_free(stack); }
using X509StackPtr = std::unique_ptr<STACK_OF(X509), Deleter<FreeX509Stack>>;

// A read-only memory BIO over `bytes`, which must outlive it.
inline BioPtr MemoryBio(std::string_view bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

// The contents of a memory BIO.
inline std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

// OpenSSL's queued errors as one line (and the queue emptied), or `fallback`.
inline std::string TakeErrors(std::string_view fallback) {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    const char* reason = ERR_reason_error_string(code);
    if (!out.empty()) out.append("; ");
    out.append(reason != nullptr ? reason : buffer);
  }
  return out.empty() ? std::string(fallback) : out;
}

}  // namespace danhba::crypto::internal
