// Errors that cross module boundaries: a code that says what kind of failure it
// is (so callers know whether to retry) and a detail a user can read.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace danhba {

enum class ErrorCode {
  kInvalidInput,  // the caller's data is wrong; retrying the same input fails again
  kNotFound,      // the thing asked for does not exist
  kConflict,      // it exists already, or contradicts the current state
  kAuth,          // missing or wrong credentials
  kPermission,    // authenticated, but not allowed
  kConfig,        // the configuration or the machine is not set up as needed
  kTransient,     // server down, busy, timed out: retrying later may succeed
  kInternal,      // a bug or an unexpected answer
};

// A short lower-case name for the code, e.g. "invalid input".
std::string_view ToString(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string detail;

  bool transient() const { return code == ErrorCode::kTransient; }
  // "<code>: <detail>", for logs.
  std::string ToString() const;
};

inline Error InvalidInput(std::string detail) { return {ErrorCode::kInvalidInput, std::move(detail)}; }
inline Error NotFound(std::string detail) { return {ErrorCode::kNotFound, std::move(detail)}; }
inline Error Conflict(std::string detail) { return {ErrorCode::kConflict, std::move(detail)}; }
inline Error AuthError(std::string detail) { return {ErrorCode::kAuth, std::move(detail)}; }
inline Error PermissionError(std::string detail) { return {ErrorCode::kPermission, std::move(detail)}; }
inline Error ConfigError(std::string detail) { return {ErrorCode::kConfig, std::move(detail)}; }
inline Error Transient(std::string detail) { return {ErrorCode::kTransient, std::move(detail)}; }
inline Error Internal(std::string detail) { return {ErrorCode::kInternal, std::move(detail)}; }

std::ostream& operator<<(std::ostream& out, const Error& error);

}  // namespace danhba
