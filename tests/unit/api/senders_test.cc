// The senders file: only token hashes on disk, mode 0600, atomic changes, and
// clear errors for bad names, agency lists and files.
#include "danhba/api/senders.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "unit/api/test_util.h"

namespace danhba::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

unsigned Mode(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_mode & 0777;
}

TEST(Secrets, GenerateGives256BitHexAndDiffersEachTime) {
  auto a = GenerateSecret();
  auto b = GenerateSecret();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(*a, *b);
}

TEST(Secrets, Sha256AndHmacMatchKnownVectors) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Secrets, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abcdef", "abcdef"));
  EXPECT_FALSE(ConstantTimeEquals("abcdef", "abcdeg"));
  EXPECT_FALSE(ConstantTimeEquals("abcdef", "abcde"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(SenderNames, ValidAndInvalid) {
  EXPECT_TRUE(ValidateSenderName("hr-snv").ok());
  EXPECT_TRUE(ValidateSenderName("ubnd.portal_2").ok());
  for (const std::string& bad :
       std::vector<std::string>{"", "HR", "-hr", "hr snv", "nhân-sự", std::string(65, 'a')}) {
    auto status = ValidateSenderName(bad);
    ASSERT_FALSE(status.ok()) << bad;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidInput);
  }
}

TEST(AgencyList, ParsesTrimsAndDropsDuplicates) {
  auto codes = ParseAgencyList("stttt, skhcn,stttt");
  ASSERT_TRUE(codes.ok()) << codes.error();
  EXPECT_THAT(*codes, ElementsAre("stttt", "skhcn"));
}

TEST(AgencyList, BadItemsAreNamed) {
  auto empty_item = ParseAgencyList("stttt,,skhcn");
  ASSERT_FALSE(empty_item.ok());
  EXPECT_THAT(empty_item.error().detail, HasSubstr("item 2 is empty"));
  auto bad_code = ParseAgencyList("stttt,Sở TTTT");
  ASSERT_FALSE(bad_code.ok());
  EXPECT_THAT(bad_code.error().detail, HasSubstr("Sở TTTT"));
  EXPECT_FALSE(ParseAgencyList("").ok());
}

TEST(SenderStore, AddStoresOnlyTheHashWithMode0600) {
  TempDir dir;
  SenderStore store(dir.path() / "senders.json");
  auto added = store.Add("hr-snv", {"stttt"}, false);
  ASSERT_TRUE(added.ok()) << added.error();
  EXPECT_EQ(added->token.size(), 64u);
  EXPECT_FALSE(added->hmac_secret.has_value());

  std::string text = ReadAll(store.path());
  EXPECT_THAT(text, Not(HasSubstr(added->token)));
  EXPECT_THAT(text, HasSubstr(Sha256Hex(added->token)));
  EXPECT_EQ(Mode(store.path()), 0600u);

  auto loaded = store.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const Sender* sender = loaded->Authenticate(added->token);
  ASSERT_NE(sender, nullptr);
  EXPECT_EQ(sender->name, "hr-snv");
  EXPECT_THAT(sender->agencies, ElementsAre("stttt"));
  EXPECT_FALSE(sender->must_sign());
  EXPECT_FALSE(sender->created_at.empty());
}

TEST(SenderStore, SigningSenderKeepsItsSecret) {
  TempDir dir;
  SenderStore store(dir.path() / "senders.json");
  auto added = store.Add("portal", {}, true);
  ASSERT_TRUE(added.ok()) << added.error();
  ASSERT_TRUE(added->hmac_secret.has_value());
  auto loaded = store.Load();
  ASSERT_TRUE(loaded.ok());
  const Sender* sender = loaded->Find("portal");
  ASSERT_NE(sender, nullptr);
  EXPECT_TRUE(sender->must_sign());
  EXPECT_EQ(sender->hmac_secret.Reveal(), added->hmac_secret->Reveal());
  EXPECT_TRUE(sender->MaySendFor("anything"));
}

TEST(SenderStore, AuthenticateFindsTheRightSenderOnly) {
  TempDir dir;
  SenderStore store(dir.path() / "senders.json");
  auto a = store.Add("a", {}, false);
  auto b = store.Add("b", {}, false);
  ASSERT_TRUE(a.ok() && b.ok());
  auto loaded = store.Load();
  ASSERT_TRUE(loaded.ok());
  ASSERT_NE(loaded->Authenticate(b->token), nullptr);
  EXPECT_EQ(loaded->Authenticate(b->token)->name, "b");
  EXPECT_EQ(loaded->Authenticate(a->token)->name, "a");
  EXPECT_EQ(loaded->Authenticate(""), nullptr);
  EXPECT_EQ(loaded->Authenticate(Sha256Hex(a->token)), nullptr);  // the hash is not the token
  std::string wrong = a->token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_EQ(loaded->Authenticate(wrong), nullptr);
}

TEST(SenderStore, DuplicateNameIsAConflictAndChangesNothing) {
  TempDir dir;
  SenderStore store(dir.path() / "senders.json");
  ASSERT_TRUE(store.Add("hr", {}, false).ok());
  std::string before = ReadAll(store.path());
  auto again = store.Add("hr", {"stttt"}, false);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_THAT(again.error().detail, HasSubstr("'hr' is already registered"));
  EXPECT_EQ(ReadAll(store.path()), before);
}

TEST(SenderStore, BadInputChangesNothing) {
  TempDir dir;
  SenderStore store(dir.path() / "senders.json");
  EXPECT_FALSE(store.Add("Bad Name", {}, false).ok());
  EXPECT_FALSE(store.Add("ok", {"NOT A CODE"}, false).ok());
  EXPECT_FALSE(std::filesystem::exists(store.path()));
}

TEST(SenderStore, RemoveAndMissing) {
  TempDir dir;
  SenderStore store(dir.path() / "senders.json");
  auto added = store.Add("hr", {}, false);
  ASSERT_TRUE(added.ok());
  ASSERT_TRUE(store.Add("other", {}, false).ok());
  ASSERT_TRUE(store.Remove("hr").ok());
  auto loaded = store.Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->Authenticate(added->token), nullptr);
  EXPECT_NE(loaded->Find("other"), nullptr);
  auto missing = store.Remove("hr");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(SenderStore, MissingFileIsEmpty) {
  TempDir dir;
  auto loaded = SenderStore(dir.path() / "none.json").Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded->senders().empty());
}

TEST(SenderStore, ReadableByOthersIsRefused) {
  TempDir dir;
  SenderStore store(dir.path() / "senders.json");
  ASSERT_TRUE(store.Add("hr", {}, true).ok());
  std::filesystem::permissions(store.path(), std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  auto loaded = store.Load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kConfig);
  EXPECT_THAT(loaded.error().detail, HasSubstr("chmod 600"));
}

TEST(SenderStore, DamagedFileNamesWhatIsWrong) {
  EXPECT_THAT(SenderList::FromJson("{", "f.json").error().detail,
              HasSubstr("f.json: not valid JSON"));
  EXPECT_THAT(SenderList::FromJson(
                  R"({"version":1,"senders":[{"name":"hr","token_sha256":"xyz"}]})", "f.json")
                  .error()
                  .detail,
              HasSubstr("sender 'hr': token_sha256"));
  EXPECT_THAT(SenderList::FromJson(R"({"version":2,"senders":[]})", "f.json").error().detail,
              HasSubstr("version"));
}

TEST(SenderRegistry, ReloadsAfterTheFileChanges) {
  TempDir dir;
  SenderStore store(dir.path() / "senders.json");
  auto registry = SenderRegistry::Open(store.path(), std::chrono::milliseconds(0));
  ASSERT_TRUE(registry.ok()) << registry.error();
  EXPECT_TRUE((*registry)->Current()->senders().empty());
  auto added = store.Add("hr", {}, false);
  ASSERT_TRUE(added.ok());
  auto current = (*registry)->Current();
  ASSERT_NE(current->Authenticate(added->token), nullptr);
  ASSERT_TRUE(store.Remove("hr").ok());
  EXPECT_EQ((*registry)->Current()->Authenticate(added->token), nullptr);
}

TEST(SenderRegistry, RecheckSeesASenderAddedAMomentAgo) {
  TempDir dir;
  SenderStore store(dir.path() / "senders.json");
  auto registry = SenderRegistry::Open(store.path(), std::chrono::hours(1));
  ASSERT_TRUE(registry.ok()) << registry.error();
  auto added = store.Add("hr", {}, false);
  ASSERT_TRUE(added.ok());
  // The periodic look is an hour away; a refused token asks at once.
  EXPECT_EQ((*registry)->Current()->Authenticate(added->token), nullptr);
  EXPECT_NE((*registry)->Recheck()->Authenticate(added->token), nullptr);
  EXPECT_NE((*registry)->Current()->Authenticate(added->token), nullptr);
}

TEST(SenderRegistry, KeepsTheLastGoodListWhenTheFileBreaks) {
  TempDir dir;
  SenderStore store(dir.path() / "senders.json");
  auto added = store.Add("hr", {}, false);
  ASSERT_TRUE(added.ok());
  auto registry = SenderRegistry::Open(store.path(), std::chrono::milliseconds(0));
  ASSERT_TRUE(registry.ok());
  {
    std::ofstream out(store.path(), std::ios::app);
    out << "garbage";
  }
  EXPECT_NE((*registry)->Current()->Authenticate(added->token), nullptr);
}

}  // namespace
}  // namespace danhba::api
