#include "danhba/api/senders.h"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>

#include "api/x509_signature.h"
#include "danhba/base/clock.h"
#include "danhba/base/files.h"
#include "danhba/base/log.h"
#include "danhba/base/strings.h"
#include "danhba/base/unique_fd.h"
#include "danhba/naming/agency_code.h"

namespace danhba::api {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string Errno() { return std::strerror(errno); }

std::string Hex(const unsigned char* data, std::size_t size) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(data), size));
}

using Fd = UniqueFd;

std::string NowRfc3339() { return base::FormatUtc(base::SystemNow()); }

}  // namespace

bool Sender::MaySendFor(std::string_view code) const {
  return agencies.empty() || std::find(agencies.begin(), agencies.end(), code) != agencies.end();
}

Result<std::string> GenerateSecret() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Internal("the OpenSSL random generator failed");
  }
  std::string out = Hex(bytes.data(), bytes.size());
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return out;
}

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return Hex(digest.data(), digest.size());
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &length);
  return Hex(digest.data(), length);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Status ValidateSenderName(std::string_view name) {
  if (name.empty()) return InvalidInput("a sender name must not be empty");
  if (name.size() > 64)
    return InvalidInput(fmt::format("sender name '{}' is longer than 64 characters", name));
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  };
  bool first_ok = (name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9');
  if (!first_ok || !std::all_of(name.begin(), name.end(), allowed)) {
    return InvalidInput(
        fmt::format("sender name '{}' may hold only lower-case letters, digits, '.', '_' and '-', "
                    "starting with a letter or digit",
                    name));
  }
  return Ok();
}

Result<std::vector<std::string>> ParseAgencyList(std::string_view text) {
  std::vector<std::string> codes;
  std::size_t start = 0;
  int index = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    ++index;
    if (item.empty()) {
      return InvalidInput(
          fmt::format("agency list '{}': item {} is empty (expected codes separated by commas, "
                      "e.g. stttt,skhcn)",
                      text, index));
    }
    if (auto valid = naming::ValidateAgencyCode(item); !valid.ok()) {
      return InvalidInput(fmt::format("agency list '{}': {}", text, valid.error().detail));
    }
    if (std::find(codes.begin(), codes.end(), item) == codes.end()) codes.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return codes;
}

const Sender* SenderList::Find(std::string_view name) const {
  for (const Sender& sender : senders_) {
    if (sender.name == name) return &sender;
  }
  return nullptr;
}

const Sender* SenderList::Authenticate(std::string_view token) const {
  if (token.empty()) return nullptr;
  std::string hash = Sha256Hex(token);
  const Sender* found = nullptr;
  for (const Sender& sender : senders_) {
    // No early exit: every hash is compared.
    if (ConstantTimeEquals(hash, sender.token_sha256) && found == nullptr) found = &sender;
  }
  return found;
}

std::string SenderList::ToJson() const {
  json list = json::array();
  for (const Sender& sender : senders_) {
    json entry = {{"name", sender.name},
                  {"token_sha256", sender.token_sha256},
                  {"agencies", sender.agencies}};
    if (!sender.hmac_secret.empty()) entry["hmac_secret"] = sender.hmac_secret.Reveal();
    if (!sender.x509_certificate.empty()) entry["x509_certificate"] = sender.x509_certificate;
    if (!sender.created_at.empty()) entry["created_at"] = sender.created_at;
    list.push_back(std::move(entry));
  }
  return json{{"version", 1}, {"senders", std::move(list)}}.dump(2) + "\n";
}

Result<SenderList> SenderList::FromJson(std::string_view text, std::string_view source) {
  json document = json::parse(text, nullptr, false);
  auto fail = [&](const std::string& what) {
    return ConfigError(fmt::format("{}: {}", source, what));
  };
  if (document.is_discarded()) return fail("not valid JSON");
  if (!document.is_object()) return fail("expected a JSON object with \"version\" and \"senders\"");
  auto version = document.find("version");
  if (version == document.end() || !version->is_number_integer() || version->get<int>() != 1) {
    return fail("\"version\" must be 1");
  }
  auto senders = document.find("senders");
  if (senders == document.end() || !senders->is_array())
    return fail("\"senders\" must be an array");
  std::vector<Sender> out;
  for (std::size_t i = 0; i < senders->size(); ++i) {
    const json& entry = (*senders)[i];
    std::string where = fmt::format("senders[{}]", i);
    if (!entry.is_object()) return fail(where + ": expected an object");
    Sender sender;
    auto name = entry.find("name");
    if (name == entry.end() || !name->is_string()) return fail(where + ".name: expected a string");
    sender.name = name->get<std::string>();
    if (auto valid = ValidateSenderName(sender.name); !valid.ok())
      return fail(where + ".name: " + valid.error().detail);
    where = fmt::format("sender '{}'", sender.name);
    if (std::any_of(out.begin(), out.end(),
                    [&](const Sender& s) { return s.name == sender.name; })) {
      return fail(where + ": registered twice");
    }
    auto hash = entry.find("token_sha256");
    if (hash == entry.end() || !hash->is_string() || !IsLowerHex(hash->get<std::string>(), 64)) {
      return fail(where + ": token_sha256 must be 64 lower-case hex digits");
    }
    sender.token_sha256 = hash->get<std::string>();
    if (auto agencies = entry.find("agencies"); agencies != entry.end() && !agencies->is_null()) {
      if (!agencies->is_array()) return fail(where + ": agencies must be an array of agency codes");
      for (const json& code : *agencies) {
        if (!code.is_string()) return fail(where + ": agencies must be an array of agency codes");
        if (auto valid = naming::ValidateAgencyCode(code.get<std::string>()); !valid.ok()) {
          return fail(where + ": agencies: " + valid.error().detail);
        }
        sender.agencies.push_back(code.get<std::string>());
      }
    }
    if (auto secret = entry.find("hmac_secret"); secret != entry.end() && !secret->is_null()) {
      if (!secret->is_string() || secret->get<std::string>().size() < 32) {
        return fail(where + ": hmac_secret must be a string of at least 32 characters");
      }
      sender.hmac_secret = config::Secret(secret->get<std::string>());
    }
    if (auto cert = entry.find("x509_certificate"); cert != entry.end() && !cert->is_null()) {
      auto pem = cert->is_string() ? X509CertificatePem(cert->get<std::string>())
                                   : Result<std::string>(InvalidInput("must be a PEM string"));
      if (!pem.ok()) return fail(where + ": x509_certificate " + pem.error().detail);
      if (!sender.hmac_secret.empty()) {
        return fail(where + ": hmac_secret and x509_certificate exclude each other");
      }
      sender.x509_certificate = std::move(pem).value();
    }
    if (auto created = entry.find("created_at"); created != entry.end() && created->is_string()) {
      sender.created_at = created->get<std::string>();
    }
    out.push_back(std::move(sender));
  }
  return SenderList(std::move(out));
}

Result<SenderList> SenderStore::Load() const {
  Fd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return SenderList();
    return ConfigError(fmt::format("cannot read the senders file {}: {}", path_.string(), Errno()));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return ConfigError(fmt::format("cannot read the senders file {}: {}", path_.string(), Errno()));
  }
  if ((info.st_mode & 077) != 0) {
    return ConfigError(
        fmt::format("the senders file {} is readable by group or others (mode {:o}); it holds HMAC "
                    "secrets: chmod 600 it",
                    path_.string(), info.st_mode & 0777));
  }
  std::string text;
  char buffer[8192];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return ConfigError(
          fmt::format("cannot read the senders file {}: {}", path_.string(), Errno()));
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return SenderList::FromJson(text, path_.string());
}

Status SenderStore::Save(const SenderList& list) const {
  fs::path dir = path_.parent_path().empty() ? fs::path(".") : path_.parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return ConfigError(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  Status written = WriteFileAtomically(path_, list.ToJson(), 0600);
  if (!written.ok()) return ConfigError(std::move(written.take_error().detail));
  return Ok();
}

Result<SenderCredentials> SenderStore::Add(std::string_view name, std::vector<std::string> agencies,
                                           bool sign, std::string_view x509_certificate) {
  DANHBA_RETURN_IF_ERROR(ValidateSenderName(name));
  std::string certificate_pem;
  if (!x509_certificate.empty()) {
    if (sign) return InvalidInput("a sender signs with an HMAC secret or a certificate, not both");
    auto pem = X509CertificatePem(x509_certificate);
    if (!pem.ok()) return InvalidInput("the certificate " + pem.error().detail);
    certificate_pem = std::move(pem).value();
  }
  for (const std::string& code : agencies) DANHBA_RETURN_IF_ERROR(naming::ValidateAgencyCode(code));
  DANHBA_ASSIGN_OR_RETURN(auto loaded, Load());
  if (loaded.Find(name) != nullptr) {
    return Conflict(fmt::format(
        "a sender named '{}' is already registered in {}; remove it first to issue a new token",
        name, path_.string()));
  }
  auto token = GenerateSecret();
  if (!token.ok()) return token.take_error();
  SenderCredentials credentials{.token = *token, .hmac_secret = std::nullopt};
  Sender sender;
  sender.name = std::string(name);
  sender.token_sha256 = Sha256Hex(*token);
  sender.agencies = std::move(agencies);
  sender.created_at = NowRfc3339();
  sender.x509_certificate = std::move(certificate_pem);
  if (sign) {
    auto secret = GenerateSecret();
    if (!secret.ok()) return secret.take_error();
    sender.hmac_secret = config::Secret(*secret);
    credentials.hmac_secret = config::Secret(*secret);
  }
  std::vector<Sender> senders = loaded.senders();
  senders.push_back(std::move(sender));
  DANHBA_RETURN_IF_ERROR(Save(SenderList(std::move(senders))));
  return credentials;
}

Status SenderStore::Remove(std::string_view name) {
  DANHBA_ASSIGN_OR_RETURN(auto loaded, Load());
  if (loaded.Find(name) == nullptr) {
    return NotFound(fmt::format("no sender named '{}' in {}", name, path_.string()));
  }
  std::vector<Sender> senders;
  for (const Sender& sender : loaded.senders()) {
    if (sender.name != name) senders.push_back(sender);
  }
  return Save(SenderList(std::move(senders)));
}

fs::path SendersFile(const config::Config& config) { return config.SendersFile(); }

class SenderRegistry::Impl {
 public:
  Impl(std::optional<SenderStore> store, std::chrono::milliseconds interval, SenderList list)
      : store_(std::move(store)),
        interval_(interval),
        list_(std::make_shared<const SenderList>(std::move(list))) {}

  // The identity of the file's current version; all zero when it is missing.
  struct Version {
    std::uint64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const Version&) const = default;
  };

  Version Stat() const {
    struct stat info {};
    if (::stat(store_->path().c_str(), &info) != 0) return {};
    return {static_cast<std::uint64_t>(info.st_ino), static_cast<std::int64_t>(info.st_size),
            static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
  }

  std::shared_ptr<const SenderList> Current() {
    std::lock_guard lock(mutex_);
    if (!store_) return list_;
    auto now = std::chrono::steady_clock::now();
    if (now < next_check_) return list_;
    next_check_ = now + interval_;
    ReloadIfChanged();
    return list_;
  }

  std::shared_ptr<const SenderList> Recheck() {
    std::lock_guard lock(mutex_);
    if (!store_) return list_;
    auto now = std::chrono::steady_clock::now();
    if (now < next_recheck_) return list_;
    next_recheck_ = now + kMinRecheckInterval;
    next_check_ = now + interval_;
    ReloadIfChanged();
    return list_;
  }

  // REQUIRES: mutex_ held.
  void ReloadIfChanged() {
    Version version = Stat();
    if (version == version_) return;
    auto loaded = store_->Load();
    if (!loaded.ok()) {
      log::Get("ingest")->error("keeping the previous senders: {}", loaded.error().detail);
    } else {
      list_ = std::make_shared<const SenderList>(std::move(loaded).value());
      log::Get("ingest")->info("senders file {} reloaded: {} senders", store_->path().string(),
                               list_->senders().size());
    }
    version_ = version;
  }

  // Rechecks asked for by refused credentials come at most this often, so a
  // flood of bad tokens costs one stat() per interval, not one per request.
  static constexpr std::chrono::milliseconds kMinRecheckInterval{100};

  std::optional<SenderStore> store_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::shared_ptr<const SenderList> list_;
  Version version_;
  std::chrono::steady_clock::time_point next_check_{};
  std::chrono::steady_clock::time_point next_recheck_{};
};

Result<std::unique_ptr<SenderRegistry>> SenderRegistry::Open(
    fs::path path, std::chrono::milliseconds check_interval) {
  SenderStore store(std::move(path));
  auto impl = std::make_unique<Impl>(store, check_interval, SenderList());
  Impl::Version version = impl->Stat();
  DANHBA_ASSIGN_OR_RETURN(auto loaded, store.Load());
  impl->list_ = std::make_shared<const SenderList>(std::move(loaded));
  impl->version_ = version;
  impl->next_check_ = std::chrono::steady_clock::now() + check_interval;
  return std::make_unique<SenderRegistry>(std::move(impl));
}

std::unique_ptr<SenderRegistry> SenderRegistry::Fixed(SenderList list) {
  return std::make_unique<SenderRegistry>(
      std::make_unique<Impl>(std::nullopt, std::chrono::milliseconds(0), std::move(list)));
}

SenderRegistry::SenderRegistry(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SenderRegistry::~SenderRegistry() = default;

std::shared_ptr<const SenderList> SenderRegistry::Current() { return impl_->Current(); }
std::shared_ptr<const SenderList> SenderRegistry::Recheck() { return impl_->Recheck(); }

}  // namespace danhba::api
