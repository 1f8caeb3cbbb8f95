// LDAP result codes as danhba errors.
//
// Every failed operation of this module returns a danhba::Error whose code says
// what happened and whose detail reads
//   "<operation> <dn>: <ldap_err2string(rc)> (<rc>)[: <server diagnostic>][ (matched <dn>)]"
// e.g. "add uid=annv,ou=people,dc=dongnai,dc=gov,dc=vn: already exists (68): ...".
//
// Mapping (the reasons are in error.cc):
//   transient (retry, reconnect): server down (-1), connect error (-11), timeout (-5),
//     busy (51), unavailable (52), time limit exceeded (3)
//   kAuth: invalid credentials (49), inappropriate authentication (48), auth method
//     not supported (7), strong auth / confidentiality required (8, 13), auth unknown (-6)
//   kPermission: insufficient access (50), unwilling to perform (53)
//   kNotFound: no such object (32), no such attribute (16)
//   kConflict: already exists (68), constraint violation (19, also slapo-unique),
//     type or value exists (20), not allowed on non-leaf (66)
//   kInvalidInput: invalid syntax (21), object class violation (65), undefined type
//     (17), naming violation (64), invalid DN (34), filter error (-7), ...
//   kConfig: unavailable critical extension (12), referral (10), not supported (-12)
//   kInternal: everything else (other (80), protocol and encoding errors, ...)
#pragma once

#include <optional>
#include <string_view>

#include "danhba/base/error.h"

namespace danhba::ldap {

// Result codes callers branch on, so they need not include <ldap.h>.
// (error.cc checks each against <ldap.h>.)
inline constexpr int kSuccess = 0;
inline constexpr int kTimeLimitExceeded = 3;
inline constexpr int kSizeLimitExceeded = 4;
inline constexpr int kNoSuchAttribute = 16;
inline constexpr int kConstraintViolation = 19;
inline constexpr int kTypeOrValueExists = 20;
inline constexpr int kInvalidSyntax = 21;
inline constexpr int kNoSuchObject = 32;
inline constexpr int kInvalidCredentials = 49;
inline constexpr int kInsufficientAccess = 50;
inline constexpr int kBusy = 51;
inline constexpr int kUnavailable = 52;
inline constexpr int kUnwillingToPerform = 53;
inline constexpr int kObjectClassViolation = 65;
inline constexpr int kNotAllowedOnNonLeaf = 66;
inline constexpr int kAlreadyExists = 68;
inline constexpr int kOther = 80;
inline constexpr int kServerDown = -1;
inline constexpr int kTimeout = -5;
inline constexpr int kConnectError = -11;

// The danhba error kind for an LDAP result code.
ErrorCode MapResultCode(int result_code);

// The lower-case text for a result code ("already exists").
std::string ResultText(int result_code);

// An error for a failed operation, its detail in the form above. `what` names the
// operation and its target ("add uid=annv,ou=people,dc=...").
Error MakeError(std::string_view what, int result_code, std::string_view diagnostic = {},
                std::string_view matched_dn = {});

// The LDAP result code of an error made by this module, or nullopt for any
// other error.
std::optional<int> ResultCode(const Error& error);

// True when `error` came from LDAP with result code `result_code`.
inline bool HasResultCode(const Error& error, int result_code) {
  return ResultCode(error) == result_code;
}

}  // namespace danhba::ldap
