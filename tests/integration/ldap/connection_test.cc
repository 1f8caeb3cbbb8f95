// Every operation of danhba::ldap against a real slapd (tests/support).
#include "danhba/ldap/connection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "danhba/ldap/dn.h"
#include "danhba/ldap/error.h"
#include "danhba/ldap/filter.h"
#include "support/ldap_fixture.h"
#include "support/test_directory.h"

namespace danhba::ldap {
namespace {

using testing::Directory;
using testing::TestConnectOptions;

Entry Person(std::string dn, std::string uid, std::string cn, std::string sn) {
  Entry e;
  e.dn = std::move(dn);
  e.Add("objectClass", "inetOrgPerson")
      .Add("uid", std::move(uid))
      .Add("cn", std::move(cn))
      .Add("sn", std::move(sn));
  return e;
}

class ConnectionTest : public testing::LdapTest {
 protected:
  Entry AddPerson(std::string_view uid, std::string cn = "Nguyễn Văn An") {
    Entry e = Person(DnUnder("uid", uid), std::string(uid), std::move(cn), "Nguyễn");
    Status added = operator_connection().Add(e);
    EXPECT_TRUE(added.ok()) << added.error();
    return e;
  }
  std::optional<Entry> ReadBack(std::string_view dn) {
    auto read = root_connection().Read(dn);
    EXPECT_TRUE(read.ok()) << read.error();
    return read.ok() ? *read : std::nullopt;
  }
};

TEST_F(ConnectionTest, WhoAmIShowsTheBoundIdentity) {
  auto op = operator_connection().WhoAmI();
  ASSERT_TRUE(op.ok()) << op.error();
  EXPECT_TRUE(EqualsIgnoreCase(*op, "dn:" + Directory().operator_dn)) << *op;
  auto root = root_connection().WhoAmI();
  ASSERT_TRUE(root.ok()) << root.error();
  EXPECT_TRUE(EqualsIgnoreCase(*root, "dn:" + Directory().root_identity)) << *root;
  auto anonymous = Connection::Open(TestConnectOptions(Directory().url));
  ASSERT_TRUE(anonymous.ok()) << anonymous.error();
  auto who = anonymous->WhoAmI();
  ASSERT_TRUE(who.ok()) << who.error();
  EXPECT_EQ(*who, "");
}

TEST_F(ConnectionTest, WrongPasswordIsAnAuthError) {
  auto c = Connection::Open(TestConnectOptions(Directory().url),
                            Credentials::Simple(Directory().operator_dn, "wrong password"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kAuth);
  EXPECT_EQ(ResultCode(c.error()), kInvalidCredentials);
  EXPECT_NE(c.error().detail.find("bind " + Directory().operator_dn), std::string::npos)
      << c.error();
}

TEST_F(ConnectionTest, EmptyPasswordIsRefusedBeforeReachingTheServer) {
  auto c = Connection::Open(TestConnectOptions(Directory().url),
                            Credentials::Simple(Directory().operator_dn, ""));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidInput);
}

TEST_F(ConnectionTest, UnreachableServerIsTransientAndBadUrlIsConfig) {
  // Find a port nobody listens on: our own slapd's port while it is down would
  // race, so use port 1 on loopback, which is never served in tests.
  auto down = Connection::Open(TestConnectOptions("ldap://127.0.0.1:1"));
  ASSERT_FALSE(down.ok());
  EXPECT_TRUE(down.error().transient()) << down.error();
  auto bad = Connection::Open(TestConnectOptions("http://127.0.0.1:80"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kConfig) << bad.error();
}

TEST_F(ConnectionTest, AddThenReadBackVietnameseValues) {
  Entry sent = AddPerson("annv", "Nguyễn Văn An");
  sent.Add("cn", "Nguyen Van An");
  Status more = operator_connection().Modify(sent.dn, {Modification::Add("cn", {"Nguyen Van An"})});
  ASSERT_TRUE(more.ok()) << more.error();
  auto found = ReadBack(sent.dn);
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(Dn::Parse(found->dn).value() == Dn::Parse(sent.dn).value()) << found->dn;
  EXPECT_EQ(found->Get("cn"), (Values{"Nguyễn Văn An", "Nguyen Van An"}));
  EXPECT_EQ(found->First("SN"), "Nguyễn");
}

TEST_F(ConnectionTest, AddTwiceIsAConflictWithTheServersWords) {
  Entry e = AddPerson("annv");
  Status again = operator_connection().Add(e);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(ResultCode(again.error()), kAlreadyExists);
  EXPECT_EQ(again.error().detail.rfind("add " + e.dn + ": already exists (68)", 0), 0u)
      << again.error();
}

TEST_F(ConnectionTest, AddUnderMissingParentIsNotFoundWithMatchedDn) {
  Entry e = Person("uid=x,ou=nowhere," + subtree(), "x", "X", "X");
  Status added = operator_connection().Add(e);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ResultCode(added.error()), kNoSuchObject);
  EXPECT_NE(added.error().detail.find("(matched " + subtree() + ")"), std::string::npos)
      << added.error();
}

TEST_F(ConnectionTest, SchemaViolationsAreInvalidInputAndChangeNothing) {
  Entry no_sn;
  no_sn.dn = DnUnder("uid", "nosn");
  no_sn.Add("objectClass", "inetOrgPerson").Add("uid", "nosn").Add("cn", "No Surname");
  Status added = operator_connection().Add(no_sn);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, ErrorCode::kInvalidInput) << added.error();
  EXPECT_EQ(ResultCode(added.error()), kObjectClassViolation);
  EXPECT_FALSE(ReadBack(no_sn.dn).has_value());

  Entry e = AddPerson("annv");
  Status bad =
      operator_connection().Modify(e.dn, {Modification::Replace("noSuchAttribute", {"x"})});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput) << bad.error();
}

TEST_F(ConnectionTest, ModifyAddsReplacesAndDeletesValues) {
  Entry e = AddPerson("annv");
  ASSERT_TRUE(
      operator_connection()
          .Modify(e.dn, {Modification::Add("telephoneNumber", {"0251 3822 000", "0251 3822 001"}),
                         Modification::Replace("title", {"Chuyên viên"})})
          .ok());
  ASSERT_TRUE(operator_connection()
                  .Modify(e.dn, {Modification::Delete("telephoneNumber", {"0251 3822 000"}),
                                 Modification::Replace("title", {"Phó Trưởng phòng"})})
                  .ok());
  auto found = ReadBack(e.dn);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->Get("telephoneNumber"), Values{"0251 3822 001"});
  EXPECT_EQ(found->Get("title"), Values{"Phó Trưởng phòng"});
  ASSERT_TRUE(operator_connection().Modify(e.dn, {Modification::Delete("title")}).ok());
  EXPECT_FALSE(ReadBack(e.dn)->Has("title"));

  Status twice =
      operator_connection().Modify(e.dn, {Modification::Add("telephoneNumber", {"0251 3822 001"})});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  Status absent = operator_connection().Modify(e.dn, {Modification::Delete("mail", {"x@y"})});
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code, ErrorCode::kNotFound);
}

TEST_F(ConnectionTest, ModRdnRenamesKeepsOrDropsTheOldValueAndMoves) {
  Entry e = AddPerson("annv");
  ModRdnRequest rename{e.dn, "uid=annv2", /*delete_old_rdn=*/false, std::nullopt};
  ASSERT_TRUE(operator_connection().ModRdn(rename).ok());
  EXPECT_FALSE(ReadBack(e.dn).has_value());
  auto renamed = ReadBack(DnUnder("uid", "annv2"));
  ASSERT_TRUE(renamed.has_value());
  EXPECT_EQ(std::set<std::string>(renamed->Get("uid").begin(), renamed->Get("uid").end()),
            (std::set<std::string>{"annv", "annv2"}));

  Entry ou;
  ou.dn = DnUnder("ou", "former");
  ou.Add("objectClass", "organizationalUnit").Add("ou", "former");
  ASSERT_TRUE(operator_connection().Add(ou).ok());
  ModRdnRequest move{DnUnder("uid", "annv2"), "uid=annv3", /*delete_old_rdn=*/true, ou.dn};
  Status moved = operator_connection().ModRdn(move);
  ASSERT_TRUE(moved.ok()) << moved.error();
  auto found = ReadBack("uid=annv3," + ou.dn);
  ASSERT_TRUE(found.has_value());
  EXPECT_FALSE(found->HasValue("uid", "annv2"));
  EXPECT_TRUE(found->HasValue("uid", "annv3"));

  Status missing = operator_connection().ModRdn({DnUnder("uid", "nobody"), "uid=x", true, {}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(ConnectionTest, DeleteLeafAndRefuseNonLeaf) {
  Entry e = AddPerson("annv");
  Status non_leaf = operator_connection().Delete(subtree());
  ASSERT_FALSE(non_leaf.ok());
  EXPECT_EQ(non_leaf.error().code, ErrorCode::kConflict);
  EXPECT_EQ(ResultCode(non_leaf.error()), kNotAllowedOnNonLeaf);
  ASSERT_TRUE(operator_connection().Delete(e.dn).ok());
  EXPECT_FALSE(ReadBack(e.dn).has_value());
  Status again = operator_connection().Delete(e.dn);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST_F(ConnectionTest, CompareTrueFalseAndMissing) {
  Entry e = AddPerson("annv", "Nguyễn Văn An");
  auto yes = operator_connection().Compare(e.dn, "cn", "nguyễn văn an");  // caseIgnoreMatch
  ASSERT_TRUE(yes.ok()) << yes.error();
  EXPECT_TRUE(*yes);
  auto no = operator_connection().Compare(e.dn, "cn", "Nguyễn Văn Anh");
  ASSERT_TRUE(no.ok()) << no.error();
  EXPECT_FALSE(*no);
  auto missing = operator_connection().Compare(DnUnder("uid", "nobody"), "cn", "x");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(ConnectionTest, SearchWithFilterScopeAndAttributes) {
  AddPerson("annv", "Nguyễn Văn An");
  AddPerson("binhtt", "Trần Thị Bình");
  SearchRequest request;
  request.base = subtree();
  request.scope = Scope::kOneLevel;
  request.filter =
      Filter::And({Filter::Eq("objectClass", "inetOrgPerson"), Filter::Contains("cn", "Văn")})
          .ToString();
  request.attributes = {"uid"};
  auto found = operator_connection().SearchAll(request);
  ASSERT_TRUE(found.ok()) << found.error();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().First("uid"), "annv");
  EXPECT_FALSE(found->front().Has("cn"));  // only what was asked for

  // A hostile value is a literal: it matches nothing rather than everything.
  request.filter = Filter::Eq("uid", "*)(uid=*").ToString();
  auto hostile = operator_connection().SearchAll(request);
  ASSERT_TRUE(hostile.ok()) << hostile.error();
  EXPECT_TRUE(hostile->empty());

  request.filter = "(uid=unbalanced";
  auto bad = operator_connection().SearchAll(request);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput) << bad.error();

  request.base = "ou=nowhere," + subtree();
  request.filter = "(objectClass=*)";
  auto nowhere = operator_connection().SearchAll(request);
  ASSERT_FALSE(nowhere.ok());
  EXPECT_EQ(nowhere.error().code, ErrorCode::kNotFound);
}

TEST_F(ConnectionTest, PagedSearchReturnsEverythingAcrossPages) {
  constexpr int kPeople = 53;
  std::vector<Change> adds;
  for (int i = 0; i < kPeople; ++i) {
    const std::string uid = "user" + std::to_string(i);
    adds.push_back(
        AddRequest{Person(DnUnder("uid", uid), uid, "Người " + std::to_string(i), "Lê")});
  }
  for (const Change& add : adds) {
    ASSERT_TRUE(operator_connection().Add(std::get<AddRequest>(add).entry).ok());
  }
  SearchRequest request;
  request.base = subtree();
  request.filter = Filter::Eq("objectClass", "inetOrgPerson").ToString();
  request.attributes = {"uid"};
  request.page_size = 10;
  auto all = operator_connection().SearchAll(request);
  ASSERT_TRUE(all.ok()) << all.error();
  std::set<std::string> uids;
  for (const Entry& e : *all) uids.insert(e.First("uid").value_or(""));
  EXPECT_EQ(uids.size(), static_cast<std::size_t>(kPeople));
  EXPECT_EQ(all->size(), static_cast<std::size_t>(kPeople));

  // The visitor form stops at the visitor's first error.
  int seen = 0;
  Status stopped = operator_connection().Search(
      request, [&](Entry&&) -> Status { return ++seen == 15 ? Conflict("enough") : Ok(); });
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().detail, "enough");
  EXPECT_EQ(seen, 15);
  // The connection is still usable after the abandoned search.
  EXPECT_TRUE(operator_connection().WhoAmI().ok());

  // A size limit ends the search early without an error.
  request.page_size = 0;
  request.size_limit = 5;
  auto limited = operator_connection().SearchAll(request);
  ASSERT_TRUE(limited.ok()) << limited.error();
  EXPECT_EQ(limited->size(), 5u);
}

TEST_F(ConnectionTest, PasswordModifyThenBindWithTheNewPassword) {
  Entry e = AddPerson("annv");
  // An operator's reset with a chosen password.
  auto set = operator_connection().PasswordModify(e.dn, "", "Mật khẩu mới 2026!");
  ASSERT_TRUE(set.ok()) << set.error();
  EXPECT_EQ(*set, "Mật khẩu mới 2026!");
  auto as_user = Connection::Open(TestConnectOptions(Directory().url),
                                  Credentials::Simple(e.dn, "Mật khẩu mới 2026!"));
  ASSERT_TRUE(as_user.ok()) << as_user.error();

  // A generated password, returned once.
  auto generated = operator_connection().PasswordModify(e.dn, "", "");
  ASSERT_TRUE(generated.ok()) << generated.error();
  EXPECT_FALSE(generated->empty());
  auto with_generated =
      Connection::Open(TestConnectOptions(Directory().url), Credentials::Simple(e.dn, *generated));
  ASSERT_TRUE(with_generated.ok()) << with_generated.error();
  auto old = Connection::Open(TestConnectOptions(Directory().url),
                              Credentials::Simple(e.dn, "Mật khẩu mới 2026!"));
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, ErrorCode::kAuth);

  // The user changes their own password, giving the old one.
  auto own = with_generated->PasswordModify("", *generated, "Another one 2026!");
  ASSERT_TRUE(own.ok()) << own.error();
  EXPECT_TRUE(Connection::Open(TestConnectOptions(Directory().url),
                               Credentials::Simple(e.dn, "Another one 2026!"))
                  .ok());
}

TEST_F(ConnectionTest, RootDseAndSchema) {
  auto root = ReadRootDse(operator_connection());
  ASSERT_TRUE(root.ok()) << root.error();
  EXPECT_TRUE(root->HasValue("namingContexts", Directory().base_dn))
      << root->First("namingContexts").value_or("");
  EXPECT_TRUE(root->HasValue("supportedLDAPVersion", "3"));
  auto person = HasObjectClass(operator_connection(), "inetOrgPerson");
  ASSERT_TRUE(person.ok()) << person.error();
  EXPECT_TRUE(*person);
  auto by_oid = HasObjectClass(operator_connection(), "2.16.840.1.113730.3.2.2");
  ASSERT_TRUE(by_oid.ok());
  EXPECT_TRUE(*by_oid);
  auto none = HasObjectClass(operator_connection(), "noSuchObjectClass");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
}

TEST_F(ConnectionTest, ReaderCannotWrite) {
  auto reader =
      Connection::Open(TestConnectOptions(Directory().url),
                       Credentials::Simple(Directory().reader_dn, Directory().reader_password));
  ASSERT_TRUE(reader.ok()) << reader.error();
  Entry e = Person(DnUnder("uid", "x"), "x", "X", "X");
  Status added = reader->Add(e);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, ErrorCode::kPermission) << added.error();
  EXPECT_FALSE(ReadBack(e.dn).has_value());
}

TEST_F(ConnectionTest, DeleteSubtreeRemovesEverythingBelow) {
  Entry ou;
  ou.dn = DnUnder("ou", "agency");
  ou.Add("objectClass", "organizationalUnit").Add("ou", "agency");
  ASSERT_TRUE(operator_connection().Add(ou).ok());
  for (std::string uid : {"a", "b", "c"}) {
    ASSERT_TRUE(operator_connection().Add(Person("uid=" + uid + "," + ou.dn, uid, uid, uid)).ok());
  }
  ASSERT_TRUE(DeleteSubtree(root_connection(), ou.dn).ok());
  EXPECT_FALSE(ReadBack(ou.dn).has_value());
  EXPECT_TRUE(DeleteSubtree(root_connection(), ou.dn).ok());  // already gone: fine
}

}  // namespace
}  // namespace danhba::ldap
