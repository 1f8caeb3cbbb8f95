// RFC 5805 transactions against a real slapd.
//
// slapd 2.5.13 (Debian 12) sometimes crashes at TXN END, with or without
// overlays, and sometimes just after answering it (see src/ldap/README.md).
// This binary has the server to itself, so a crash harms no other test: every
// operation here survives one by reaping slapd, starting it again on the same
// data and asking again, and the test checks that a crash at commit left all
// or nothing.
#include <gtest/gtest.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "danhba/ldap/connection.h"
#include "danhba/ldap/error.h"
#include "support/ldap_fixture.h"
#include "support/test_directory.h"

namespace danhba::ldap {
namespace {

constexpr int kMaxCrashesPerOperation = 5;

Entry Person(std::string dn, std::string uid, std::string cn) {
  Entry e;
  e.dn = std::move(dn);
  e.Add("objectClass", "inetOrgPerson")
      .Add("uid", std::move(uid))
      .Add("cn", std::move(cn))
      .Add("sn", "Phạm");
  return e;
}

class TransactionTest : public testing::LdapTest {
 protected:
  void SetUp() override {
    LdapTest::SetUp();
    Reconnect();
  }
  void TearDown() override {
    // A crash just after the last answer would leave no server to clean up with.
    if (!testing::Slapd().CheckAlive().ok() || !testing::ConnectAsOperator().ok()) Recover();
    if (crashes_ > 0) std::cerr << "[ note     ] slapd crashed " << crashes_ << " time(s)\n";
    LdapTest::TearDown();
  }

  void Reconnect() {
    auto op = testing::ConnectAsOperator();
    ASSERT_TRUE(op.ok()) << op.error();
    connection_.emplace(std::move(*op));
  }
  // Reaps the crashed process and starts slapd again on the same data.
  void Recover() {
    ++crashes_;
    Status reaped = testing::KillSlapd();
    ASSERT_TRUE(reaped.ok()) << reaped.error();
    Status started = testing::StartSlapd();
    ASSERT_TRUE(started.ok()) << started.error();
    Reconnect();
  }

  // Reads `dn`, starting slapd again if it has died under the request.
  std::optional<Entry> Read(const std::string& dn) {
    for (int attempt = 0;; ++attempt) {
      auto read = connection_->Read(dn);
      if (read.ok()) return *read;
      if (!read.error().transient() || attempt == kMaxCrashesPerOperation) {
        ADD_FAILURE() << read.error();
        return std::nullopt;
      }
      Recover();
    }
  }

  // Applies `changes` in one transaction. When slapd dies at commit, checks
  // that the entries in `added_dns` are all there or none is: all means the
  // transaction committed before the crash; none means it is applied again.
  Status Apply(const std::vector<Change>& changes, const std::vector<std::string>& added_dns) {
    Status status;
    for (int attempt = 0; attempt < kMaxCrashesPerOperation; ++attempt) {
      status = connection_->Apply(changes);
      if (status.ok() || !status.error().transient()) return status;
      Recover();
      std::size_t present = 0;
      for (const std::string& dn : added_dns) present += Read(dn) ? 1 : 0;
      EXPECT_TRUE(present == 0 || present == added_dns.size())
          << "a crash at commit left " << present << " of " << added_dns.size() << " entries";
      if (!added_dns.empty() && present == added_dns.size()) return Ok();
    }
    return status;
  }

  std::optional<Connection> connection_;
  int crashes_ = 0;
};

TEST_F(TransactionTest, AppliesAllOrNothing) {
  Entry a = Person(DnUnder("uid", "a"), "a", "Phạm Văn A");
  Entry b = Person(DnUnder("uid", "b"), "b", "Phạm Thị B");
  Status applied =
      Apply({AddRequest{a}, AddRequest{b},
             ModifyRequest{a.dn, {Modification::Replace("title", {"Chánh Văn phòng"})}}},
            {a.dn, b.dn});
  ASSERT_TRUE(applied.ok()) << applied.error();
  auto read_a = Read(a.dn);
  ASSERT_TRUE(read_a.has_value());
  EXPECT_EQ(read_a->First("title"), "Chánh Văn phòng");
  EXPECT_TRUE(Read(b.dn).has_value());

  // The second change fails (b exists), so the first (c) must not stay either.
  Entry c = Person(DnUnder("uid", "c"), "c", "Phạm Văn C");
  Status failed = Apply(
      {AddRequest{c}, AddRequest{b}, ModifyRequest{a.dn, {Modification::Replace("title", {"x"})}}},
      {});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kConflict) << failed.error();
  EXPECT_EQ(ResultCode(failed.error()), kAlreadyExists) << failed.error();
  EXPECT_NE(failed.error().detail.find("add " + b.dn), std::string::npos) << failed.error();
  EXPECT_FALSE(Read(c.dn).has_value());
  auto still = Read(a.dn);
  ASSERT_TRUE(still.has_value());
  EXPECT_EQ(still->First("title"), "Chánh Văn phòng");
}

}  // namespace
}  // namespace danhba::ldap
