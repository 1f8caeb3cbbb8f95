#include "danhba/ldap/error.h"

#include <gtest/gtest.h>

namespace danhba::ldap {
namespace {

TEST(LdapError, DetailSaysWhatWhereAndWhy) {
  const Error e = MakeError("add uid=annv,ou=people,dc=dongnai,dc=gov,dc=vn", kAlreadyExists,
                            "entry already exists");
  EXPECT_EQ(e.code, ErrorCode::kConflict);
  EXPECT_EQ(
      e.detail,
      "add uid=annv,ou=people,dc=dongnai,dc=gov,dc=vn: already exists (68): entry already exists");
  EXPECT_EQ(ResultCode(e), kAlreadyExists);
}

TEST(LdapError, MatchedDnIsShown) {
  const Error e = MakeError("add uid=a,ou=nowhere,dc=x", kNoSuchObject, "", "dc=x");
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  EXPECT_EQ(e.detail, "add uid=a,ou=nowhere,dc=x: no such object (32) (matched dc=x)");
  EXPECT_EQ(ResultCode(e), kNoSuchObject);
}

TEST(LdapError, Mapping) {
  EXPECT_EQ(MapResultCode(kServerDown), ErrorCode::kTransient);
  EXPECT_EQ(MapResultCode(kConnectError), ErrorCode::kTransient);
  EXPECT_EQ(MapResultCode(kTimeout), ErrorCode::kTransient);
  EXPECT_EQ(MapResultCode(kBusy), ErrorCode::kTransient);
  EXPECT_EQ(MapResultCode(kUnavailable), ErrorCode::kTransient);
  EXPECT_EQ(MapResultCode(kTimeLimitExceeded), ErrorCode::kTransient);
  EXPECT_EQ(MapResultCode(kInvalidCredentials), ErrorCode::kAuth);
  EXPECT_EQ(MapResultCode(kInsufficientAccess), ErrorCode::kPermission);
  EXPECT_EQ(MapResultCode(kUnwillingToPerform), ErrorCode::kPermission);
  EXPECT_EQ(MapResultCode(kNoSuchObject), ErrorCode::kNotFound);
  EXPECT_EQ(MapResultCode(kAlreadyExists), ErrorCode::kConflict);
  EXPECT_EQ(MapResultCode(kConstraintViolation), ErrorCode::kConflict);
  EXPECT_EQ(MapResultCode(kTypeOrValueExists), ErrorCode::kConflict);
  EXPECT_EQ(MapResultCode(kInvalidSyntax), ErrorCode::kInvalidInput);
  EXPECT_EQ(MapResultCode(kObjectClassViolation), ErrorCode::kInvalidInput);
  EXPECT_EQ(MapResultCode(kOther), ErrorCode::kInternal);
  EXPECT_EQ(MapResultCode(12), ErrorCode::kConfig);  // unavailable critical extension
}

TEST(LdapError, TransientErrorsSayTransient) {
  const Error e = MakeError("search (uid=a) under dc=x", kServerDown);
  EXPECT_TRUE(e.transient());
  EXPECT_EQ(e.detail, "search (uid=a) under dc=x: can't contact LDAP server (-1)");
  EXPECT_EQ(ResultCode(e), kServerDown);
}

TEST(LdapError, CodeSurvivesNotesAndHostileText) {
  Error e = MakeError("add cn=x (1),dc=y", kAlreadyExists, "see (80)");
  e.detail += "; gave up after 3 attempts in 10 ms";
  EXPECT_EQ(ResultCode(e), kAlreadyExists);
}

TEST(LdapError, OtherErrorsHaveNoCode) {
  EXPECT_EQ(ResultCode(Conflict("uid annv is taken (68)")), std::nullopt);
  EXPECT_EQ(ResultCode(InvalidInput("")), std::nullopt);
  // The text of a code whose kind does not match the error's kind is not taken.
  EXPECT_FALSE(HasResultCode(Conflict("x: no such object (32)"), kNoSuchObject));
}

}  // namespace
}  // namespace danhba::ldap
