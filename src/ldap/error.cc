#include "danhba/ldap/error.h"

#include <charconv>
#include <string>

#include "ldap/handles.h"

namespace danhba::ldap {

static_assert(kSuccess == LDAP_SUCCESS);
static_assert(kTimeLimitExceeded == LDAP_TIMELIMIT_EXCEEDED);
static_assert(kSizeLimitExceeded == LDAP_SIZELIMIT_EXCEEDED);
static_assert(kNoSuchAttribute == LDAP_NO_SUCH_ATTRIBUTE);
static_assert(kConstraintViolation == LDAP_CONSTRAINT_VIOLATION);
static_assert(kTypeOrValueExists == LDAP_TYPE_OR_VALUE_EXISTS);
static_assert(kInvalidSyntax == LDAP_INVALID_SYNTAX);
static_assert(kNoSuchObject == LDAP_NO_SUCH_OBJECT);
static_assert(kInvalidCredentials == LDAP_INVALID_CREDENTIALS);
static_assert(kInsufficientAccess == LDAP_INSUFFICIENT_ACCESS);
static_assert(kBusy == LDAP_BUSY);
static_assert(kUnavailable == LDAP_UNAVAILABLE);
static_assert(kUnwillingToPerform == LDAP_UNWILLING_TO_PERFORM);
static_assert(kObjectClassViolation == LDAP_OBJECT_CLASS_VIOLATION);
static_assert(kNotAllowedOnNonLeaf == LDAP_NOT_ALLOWED_ON_NONLEAF);
static_assert(kAlreadyExists == LDAP_ALREADY_EXISTS);
static_assert(kOther == LDAP_OTHER);
static_assert(kServerDown == LDAP_SERVER_DOWN);
static_assert(kTimeout == LDAP_TIMEOUT);
static_assert(kConnectError == LDAP_CONNECT_ERROR);

ErrorCode MapResultCode(int rc) {
  switch (rc) {
    // The connection is gone or the server cannot answer now; a new connection,
    // later, may work.
    case LDAP_SERVER_DOWN:
    case LDAP_CONNECT_ERROR:
    case LDAP_TIMEOUT:
    case LDAP_BUSY:
    case LDAP_UNAVAILABLE:
    // The server's time limit depends on its load at that moment (slapd and the
    // sync engine share the machine); a retry under less load may finish.
    case LDAP_TIMELIMIT_EXCEEDED:
      return ErrorCode::kTransient;

    case LDAP_INVALID_CREDENTIALS:
    case LDAP_INAPPROPRIATE_AUTH:
    case LDAP_AUTH_METHOD_NOT_SUPPORTED:
    case LDAP_STRONG_AUTH_REQUIRED:
    case LDAP_CONFIDENTIALITY_REQUIRED:
    case LDAP_AUTH_UNKNOWN:
    case LDAP_X_PROXY_AUTHZ_FAILURE:
      return ErrorCode::kAuth;

    case LDAP_INSUFFICIENT_ACCESS:
    // slapd answers unwillingToPerform for policy refusals (read-only database,
    // olcRestrict, unauthenticated binds, ppolicy "password too young"): a retry
    // fails again until someone changes the policy, so it is final.
    case LDAP_UNWILLING_TO_PERFORM:
      return ErrorCode::kPermission;

    case LDAP_NO_SUCH_OBJECT:
    case LDAP_NO_SUCH_ATTRIBUTE:
      return ErrorCode::kNotFound;

    case LDAP_ALREADY_EXISTS:
    case LDAP_CONSTRAINT_VIOLATION:  // also slapo-unique's answer for a taken uid/mail
    case LDAP_TYPE_OR_VALUE_EXISTS:
    case LDAP_NOT_ALLOWED_ON_NONLEAF:
      return ErrorCode::kConflict;

    case LDAP_INVALID_SYNTAX:
    case LDAP_OBJECT_CLASS_VIOLATION:
    case LDAP_UNDEFINED_TYPE:
    case LDAP_INAPPROPRIATE_MATCHING:
    case LDAP_NAMING_VIOLATION:
    case LDAP_INVALID_DN_SYNTAX:
    case LDAP_NOT_ALLOWED_ON_RDN:
    case LDAP_NO_OBJECT_CLASS_MODS:
    case LDAP_ALIAS_PROBLEM:
    case LDAP_ADMINLIMIT_EXCEEDED:
    case LDAP_SIZELIMIT_EXCEEDED:
    case LDAP_FILTER_ERROR:
    case LDAP_PARAM_ERROR:
      return ErrorCode::kInvalidInput;

    // The server lacks something asked of it (a control, an extension) or sends
    // us elsewhere: the set-up, not the data, has to change.
    case LDAP_UNAVAILABLE_CRITICAL_EXTENSION:
    case LDAP_REFERRAL:
    case LDAP_NOT_SUPPORTED:
    case LDAP_LOOP_DETECT:
      return ErrorCode::kConfig;

    default:
      return ErrorCode::kInternal;
  }
}

std::string ResultText(int rc) {
  std::string text = ldap_err2string(rc);
  if (text.size() > 1 && text[0] >= 'A' && text[0] <= 'Z' && !(text[1] >= 'A' && text[1] <= 'Z')) {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

Error MakeError(std::string_view what, int rc, std::string_view diagnostic,
                std::string_view matched_dn) {
  std::string detail(what);
  detail += ": ";
  detail += ResultText(rc);
  detail += " (";
  detail += std::to_string(rc);
  detail += ')';
  if (!diagnostic.empty()) {
    detail += ": ";
    detail += diagnostic;
  }
  if (!matched_dn.empty()) {
    detail += " (matched ";
    detail += matched_dn;
    detail += ')';
  }
  return Error{MapResultCode(rc), std::move(detail)};
}

std::optional<int> ResultCode(const Error& error) {
  // The first "<ResultText(rc)> (<rc>)" after ": " is the code MakeError wrote.
  const std::string& d = error.detail;
  for (std::size_t open = d.find(" ("); open != std::string::npos; open = d.find(" (", open + 1)) {
    const std::size_t close = d.find(')', open);
    if (close == std::string::npos) return std::nullopt;
    int rc = 0;
    const char* first = d.data() + open + 2;
    const char* last = d.data() + close;
    auto [ptr, ec] = std::from_chars(first, last, rc);
    if (ec != std::errc() || ptr != last) continue;
    const std::string expected = ": " + ResultText(rc);
    if (open >= expected.size() &&
        d.compare(open - expected.size(), expected.size(), expected) == 0 &&
        MapResultCode(rc) == error.code) {
      return rc;
    }
  }
  return std::nullopt;
}

}  // namespace danhba::ldap
