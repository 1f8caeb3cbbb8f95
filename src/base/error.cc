#include "danhba/base/error.h"

namespace danhba {

std::string_view ToString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput: return "invalid input";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kAuth: return "authentication failed";
    case ErrorCode::kPermission: return "permission denied";
    case ErrorCode::kConfig: return "configuration error";
    case ErrorCode::kTransient: return "temporarily unavailable";
    case ErrorCode::kInternal: return "internal error";
  }
  return "unknown error";
}

std::string Error::ToString() const {
  std::string text(danhba::ToString(code));
  if (!detail.empty()) {
    text += ": ";
    text += detail;
  }
  return text;
}

std::ostream& operator<<(std::ostream& out, const Error& error) { return out << error.ToString(); }

}  // namespace danhba
