// Generated secrets of the service accounts: random passwords, their {SSHA}
// hashes (RFC 2307 style, as slapd verifies them), and the 0600 files that keep them.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "danhba/base/result.h"

namespace danhba::slapd {

// A random password of `length` characters from [A-Za-z0-9] (OpenSSL RAND).
// REQUIRES: length >= 1.
Result<std::string> GeneratePassword(std::size_t length = 32);

// "{SSHA}" + base64(SHA-1(password + salt) + salt).
std::string SshaHash(std::string_view password, std::string_view salt);
// The same with a fresh random 8-byte salt.
Result<std::string> SshaHash(std::string_view password);
// Whether `hash` ("{SSHA}...") is the hash of `password`.
bool SshaMatches(std::string_view hash, std::string_view password);

// Reads a secret file (the whole content, without a trailing newline).
Result<std::string> ReadSecret(const std::filesystem::path& file);

// Reads `file` if it exists; otherwise generates a password and writes it there
// with mode 0600 (creating the parent directory with mode 0700), durably
// (fsync). A secret that exists is never replaced. `*created` says which happened.
Result<std::string> LoadOrCreateSecret(const std::filesystem::path& file, bool* created = nullptr);

}  // namespace danhba::slapd
