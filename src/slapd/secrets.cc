#include "danhba/slapd/secrets.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "danhba/base/files.h"
#include "danhba/base/strings.h"
#include "danhba/base/unique_fd.h"

namespace danhba::slapd {
namespace {

constexpr std::string_view kSshaPrefix = "{SSHA}";

std::string Errno() { return std::strerror(errno); }

using Fd = UniqueFd;

}  // namespace

Result<std::string> GeneratePassword(std::size_t length) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out.reserve(length);
  // Rejection sampling keeps the distribution uniform: 62 * 4 = 248 <= 256.
  constexpr unsigned kLimit = 4 * kAlphabet.size();
  unsigned char buffer[64];
  while (out.size() < length) {
    if (RAND_bytes(buffer, sizeof buffer) != 1) {
      return Internal("OpenSSL RAND_bytes failed to produce random bytes for a password");
    }
    for (unsigned char byte : buffer) {
      if (byte < kLimit && out.size() < length) out += kAlphabet[byte % kAlphabet.size()];
    }
  }
  return out;
}

std::string SshaHash(std::string_view password, std::string_view salt) {
  std::string input(password);
  input += salt;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  std::string raw(reinterpret_cast<const char*>(digest), sizeof digest);
  raw += salt;
  return std::string(kSshaPrefix) + Base64Encode(raw);
}

Result<std::string> SshaHash(std::string_view password) {
  unsigned char salt[8];
  if (RAND_bytes(salt, sizeof salt) != 1) {
    return Internal("OpenSSL RAND_bytes failed to produce a salt");
  }
  return SshaHash(password, std::string_view(reinterpret_cast<const char*>(salt), sizeof salt));
}

bool SshaMatches(std::string_view hash, std::string_view password) {
  if (!hash.starts_with(kSshaPrefix)) return false;
  std::string raw = Base64Decode(hash.substr(kSshaPrefix.size())).value_or("");
  if (raw.size() <= SHA_DIGEST_LENGTH) return false;
  return SshaHash(password, std::string_view(raw).substr(SHA_DIGEST_LENGTH)) == hash;
}

Result<std::string> ReadSecret(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return NotFound("cannot read secret file " + file.string() + ": " + Errno());
  std::ostringstream content;
  content << in.rdbuf();
  std::string secret = content.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return ConfigError("secret file " + file.string() + " is empty");
  return secret;
}

namespace {

// Secret files written by earlier versions end with a newline, which
// `ldapsearch -y` would take as part of the password: they are rewritten
// (atomically, mode 0600) without it. Best effort: the secret was read anyway.
void DropTrailingNewline(const std::filesystem::path& file, const std::string& secret) {
  std::error_code ec;
  if (std::filesystem::file_size(file, ec) == secret.size() || ec) return;
  (void)WriteFileAtomically(file, secret, 0600);
}

}  // namespace

Result<std::string> LoadOrCreateSecret(const std::filesystem::path& file, bool* created) {
  if (created != nullptr) *created = false;
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    Result<std::string> secret = ReadSecret(file);
    if (secret.ok()) DropTrailingNewline(file, *secret);
    return secret;
  }
  std::filesystem::path parent = file.parent_path();
  if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return ConfigError("cannot create secrets directory " + parent.string() + ": " +
                         ec.message());
    }
    ::chmod(parent.c_str(), 0700);
  }
  Result<std::string> password = GeneratePassword(32);
  if (!password.ok()) return password;
  Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) return ReadSecret(file);  // another process was first
    return ConfigError("cannot create secret file " + file.string() + ": " + Errno());
  }
  // No newline: the whole file is the password, as `ldapsearch -y FILE` reads it.
  const std::string& content = *password;
  if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size()) ||
      ::fsync(fd.get()) != 0) {
    std::string reason = Errno();
    ::unlink(file.c_str());
    return ConfigError("cannot write secret file " + file.string() + ": " + reason);
  }
  if (created != nullptr) *created = true;
  return password;
}

}  // namespace danhba::slapd
