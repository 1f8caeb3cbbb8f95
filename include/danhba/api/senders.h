// Senders: the HR systems and scripts allowed to post events to the ingest API
// (docs/ingest.md).
//
// Each sender has a name, a bearer token of which only the SHA-256 is kept, an
// optional set of agencies it may send events about, and, when it must sign its
// requests, either an HMAC-SHA256 secret or a trusted X.509 certificate (whose
// key makes detached CMS signatures, R17). The secret has to be usable to check
// signatures, so it is stored as is; that is why the senders file is written
// with mode 0600 and refused when group or others may read it.
//
// The senders file is JSON:
//   {"version":1,"senders":[{"name":"hr-snv","token_sha256":"<64 hex>",
//     "agencies":["stttt"],"hmac_secret":"<64 hex>","created_at":"2026-11-28T18:00:00Z"}]}
// "agencies" empty or absent: every agency. "hmac_secret" absent: no HMAC
// signatures; "x509_certificate" (PEM) instead: CMS signatures by that
// certificate. At most one of the two.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/config/config.h"

namespace danhba::api {

struct Sender {
  std::string name;
  std::string token_sha256;           // lower-case hex of SHA-256(token)
  std::vector<std::string> agencies;  // agency codes; empty: all agencies
  config::Secret hmac_secret;         // non-empty: requests must be signed (HMAC)
  std::string x509_certificate;       // PEM; non-empty: requests must carry a CMS signature
  std::string created_at;             // RFC 3339 UTC, for operators

  bool must_sign() const { return !hmac_secret.empty() || !x509_certificate.empty(); }
  // Whether an event naming agency `code` is within this sender's scope.
  bool MaySendFor(std::string_view code) const;
};

// What `sender add` shows once: the token (never stored) and the HMAC secret.
struct SenderCredentials {
  std::string token;
  std::optional<config::Secret> hmac_secret;
};

// 32 random bytes from the OpenSSL CSPRNG as 64 lower-case hex digits.
Result<std::string> GenerateSecret();
// Lower-case hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);
// Lower-case hex of HMAC-SHA256(key, data).
std::string HmacSha256Hex(std::string_view key, std::string_view data);
// Compares in time that depends only on the lengths, not on where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Ok for 1-64 characters of lower-case ASCII letters, digits, '.', '_' and
// '-', starting with a letter or digit; otherwise a clear invalid-input error.
Status ValidateSenderName(std::string_view name);

// Parses "stttt,skhcn" (spaces around codes allowed): each code must be a valid
// agency code (naming::ValidateAgencyCode); duplicates are dropped; an empty
// list or an empty item is an error naming the item.
Result<std::vector<std::string>> ParseAgencyList(std::string_view text);

// An immutable set of senders, as read from or to be written to the file.
class SenderList {
 public:
  SenderList() = default;
  explicit SenderList(std::vector<Sender> senders) : senders_(std::move(senders)) {}

  const std::vector<Sender>& senders() const { return senders_; }
  const Sender* Find(std::string_view name) const;

  // The sender whose token this is, or null. Every sender's hash is compared in
  // constant time, so the time taken does not tell which (if any) matched.
  const Sender* Authenticate(std::string_view token) const;

  // The file's JSON form (see the header comment).
  std::string ToJson() const;
  // Parses the file's JSON form; errors name `source` and the sender or key.
  static Result<SenderList> FromJson(std::string_view json,
                                     std::string_view source = "senders file");

 private:
  std::vector<Sender> senders_;
};

// The senders file on disk. Reads are of the whole file; writes replace it
// atomically (temporary file with mode 0600, fsync, rename, fsync of the
// directory), so a running daemon never sees half a file.
class SenderStore {
 public:
  explicit SenderStore(std::filesystem::path path) : path_(std::move(path)) {}

  const std::filesystem::path& path() const { return path_; }

  // The senders in the file; an empty list when the file does not exist. A file
  // readable by group or others is a config error (it holds HMAC secrets).
  Result<SenderList> Load() const;

  // Registers a sender with a new token (and a new HMAC secret when `sign`, or
  // the trusted signing certificate `x509_certificate`, PEM or base64 DER, kept
  // as PEM; not both). A name already registered is a conflict error, a
  // certificate that does not parse an invalid-input error; nothing is changed then.
  // Not safe against a concurrent Add/Remove in another process (the file is
  // changed by the operator's CLI, one command at a time).
  Result<SenderCredentials> Add(std::string_view name, std::vector<std::string> agencies, bool sign,
                                std::string_view x509_certificate = {});

  // Removes a sender; not-found when there is none of that name.
  Status Remove(std::string_view name);

  // Replaces the file with `list`.
  Status Save(const SenderList& list) const;

 private:
  std::filesystem::path path_;
};

// The senders file of a configuration: ingest.senders_file, by default
// <data_dir>/senders.json.
std::filesystem::path SendersFile(const config::Config& config);

// A SenderList kept current with its file: Current() re-reads the file when its
// modification time, size or inode changed (checked at most once per
// `check_interval`), so `danhba sender add` takes effect in a running daemon.
// A file that became unreadable or invalid keeps the last good list (logged).
// Thread-safe.
class SenderRegistry {
 public:
  // Loads the file now; its errors are returned.
  static Result<std::unique_ptr<SenderRegistry>> Open(
      std::filesystem::path path,
      std::chrono::milliseconds check_interval = std::chrono::milliseconds(1000));
  // A fixed list that never changes (tests, benchmarks).
  static std::unique_ptr<SenderRegistry> Fixed(SenderList list);

  ~SenderRegistry();
  SenderRegistry(const SenderRegistry&) = delete;
  SenderRegistry& operator=(const SenderRegistry&) = delete;

  std::shared_ptr<const SenderList> Current();
  // Looks at the file now, not waiting for check_interval: for credentials
  // that were just refused, so that a sender added a moment ago is let in at
  // once. At most one look per 100 ms; otherwise the list as it is.
  std::shared_ptr<const SenderList> Recheck();

  class Impl;
  explicit SenderRegistry(std::unique_ptr<Impl> impl);  // use Open or Fixed

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace danhba::api
