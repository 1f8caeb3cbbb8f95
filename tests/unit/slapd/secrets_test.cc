#include "danhba/slapd/secrets.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <set>

namespace danhba::slapd {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "danhba-secrets-XXXXXX").string();
    path_ = ::mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(SecretsTest, SshaMatchesAKnownVectorAndSlappasswdOutput) {
  EXPECT_EQ(SshaHash("secret", "saltsalt"), "{SSHA}1G904nLkTkGWjKNnQuB/hpWXC/hzYWx0c2FsdA==");
  // From `slappasswd -h {SSHA} -s secret` (4-byte salt).
  EXPECT_TRUE(SshaMatches("{SSHA}p/t0eH0m1PYd3IVFxUhzyR+uxyxkU0Pw", "secret"));
  EXPECT_FALSE(SshaMatches("{SSHA}p/t0eH0m1PYd3IVFxUhzyR+uxyxkU0Pw", "Secret"));
  EXPECT_FALSE(SshaMatches("{SHA}p/t0eH0m1PYd3IVFxUhzyR+uxyxkU0Pw", "secret"));
  EXPECT_FALSE(SshaMatches("{SSHA}not base64!", "secret"));
}

TEST(SecretsTest, RandomSaltsDifferButBothMatch) {
  Result<std::string> first = SshaHash("pässwörd");
  Result<std::string> second = SshaHash("pässwörd");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_TRUE(SshaMatches(*first, "pässwörd"));
  EXPECT_TRUE(SshaMatches(*second, "pässwörd"));
}

TEST(SecretsTest, GeneratedPasswordsAreAlphanumericAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    Result<std::string> password = GeneratePassword(32);
    ASSERT_TRUE(password.ok());
    EXPECT_EQ(password->size(), 32u);
    for (char c : *password) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
    EXPECT_TRUE(seen.insert(*password).second);
  }
}

std::string FileBytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(SecretsTest, ASecretFileIsThePasswordAloneAsLdapsearchYReadsIt) {
  TempDir dir;
  fs::path file = dir.path() / "secrets" / "operator.password";
  Result<std::string> created = LoadOrCreateSecret(file);
  ASSERT_TRUE(created.ok()) << created.error();
  EXPECT_EQ(FileBytes(file), *created);  // no trailing newline
}

TEST(SecretsTest, AnOlderSecretFileWithANewlineIsReadAndRewrittenWithoutIt) {
  TempDir dir;
  fs::path file = dir.path() / "operator.password";
  {
    std::ofstream out(file, std::ios::binary);
    out << "OldPasswordWithNewline\n";
  }
  ::chmod(file.c_str(), 0600);
  EXPECT_EQ(ReadSecret(file).value(), "OldPasswordWithNewline");
  Result<std::string> loaded = LoadOrCreateSecret(file);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(*loaded, "OldPasswordWithNewline");
  EXPECT_EQ(FileBytes(file), "OldPasswordWithNewline");
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(file.string() + ".new"));
}

TEST(SecretsTest, LoadOrCreateWritesMode0600OnceAndNeverReplaces) {
  TempDir dir;
  fs::path file = dir.path() / "secrets" / "operator.password";
  bool created = false;
  Result<std::string> first = LoadOrCreateSecret(file, &created);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_TRUE(created);
  EXPECT_GE(first->size(), 24u);
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(file.parent_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  Result<std::string> again = LoadOrCreateSecret(file, &created);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(*again, *first);
}

TEST(SecretsTest, AnEmptySecretFileIsAnErrorAndIsLeftAlone) {
  TempDir dir;
  fs::path file = dir.path() / "sync.password";
  std::ofstream(file).close();
  Result<std::string> read = LoadOrCreateSecret(file);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kConfig);
  EXPECT_NE(read.error().detail.find(file.string()), std::string::npos);
  EXPECT_EQ(fs::file_size(file), 0u);
}

}  // namespace
}  // namespace danhba::slapd
